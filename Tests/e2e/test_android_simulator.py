"""The scrcpy device simulator itself (Tests/AndroidSimulator), byte for byte against scrcpy.md §4,
§5, §6 and §8 for both protocol versions, so that the Android tests' double is a faithful device:
handshake (dummy byte, device meta), codec id, the 3.3.4 size header and 4.1 session packets, the
config/key flag bits of each version, control-message rules (stale touch dropped, ACK_CLIPBOARD,
GET_CLIPBOARD only without autosync, an unknown type ends the server: silently in 3.3.4, with
`Control protocol error` in 4.1) and the exact version check. No server needed."""

from __future__ import annotations

import json
import shutil
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import common

SIMULATOR = Path(__file__).resolve().parents[1] / "AndroidSimulator" / "scrcpy_device.py"
DEVICE = {"serial": "emulator-5554", "model": "Pixel 7", "width": 360, "height": 640, "fps": 30, "audio": "disabled"}


@pytest.fixture(autouse=True)
def need_ffmpeg() -> None:
    if not shutil.which("ffmpeg"):
        common.missing("ffmpeg (scripts/install-deps.sh installs it)")


def read(s: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        assert chunk, f"socket ended after {len(data)} of {n} bytes"
        data += chunk
    return data


def start(tmp_path: Path, version: str, args: list[str], mode: str) -> tuple[subprocess.Popen, list[socket.socket], Path]:
    record = tmp_path / "record.jsonl"
    jar = tmp_path / "scrcpy-server.jar"
    jar.write_bytes(b"jar")
    port = common.free_port()
    listener = None
    if mode == "connect":
        listener = socket.socket()
        listener.bind(("127.0.0.1", port))
        listener.listen(1)
    process = subprocess.Popen(
        [sys.executable, str(SIMULATOR), "--device-json", json.dumps(DEVICE), "--jar", str(jar), "--jar-version", version,
         f"--{mode}", str(port), "--record", str(record), "--", version, "scid=1a2b3c4d", "log_level=info"] + args,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    count = sum(f"{name}=false" not in args for name in ("video", "audio", "control"))
    sockets = []
    if listener:
        listener.settimeout(10)
        for _ in range(count):
            sockets.append(listener.accept()[0])
        listener.close()
    else:
        deadline = time.monotonic() + 10
        while not sockets:
            try:
                sockets.append(socket.create_connection(("127.0.0.1", port), timeout=10))
            except OSError:
                assert time.monotonic() < deadline, "the simulator never listened"
                time.sleep(0.05)
        assert read(sockets[0], 1) == b"\x00", "forward mode: the dummy byte comes first on the first socket"
        for _ in range(count - 1):
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=10))
    for s in sockets:
        s.settimeout(20)
    return process, sockets, record


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_record(path: Path, predicate, timeout: float = 5) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in records(path):
            if predicate(entry):
                return entry
        time.sleep(0.02)
    raise AssertionError(f"not recorded; record: {records(path)[-5:]}")


def test_334_reverse_mode_stream_and_control_rules(tmp_path) -> None:
    process, (video, audio, control), record = start(tmp_path, "3.3.4", ["max_size=1920"], "connect")
    try:
        assert read(video, 64) == b"Pixel 7" + b"\x00" * 57  # device meta, reverse mode: no dummy byte
        assert read(video, 4).hex() == "68323634"  # h264
        assert struct.unpack(">II", read(video, 8)) == (360, 640)  # 3.3.4 size header, once
        flags, size = struct.unpack(">QI", read(video, 12))
        assert flags == 1 << 63, f"config packet header {flags:#x}"  # C bit alone
        config = read(video, size)
        assert config.startswith(b"\x00\x00\x00\x01\x67") and b"\x00\x00\x00\x01\x68" in config  # SPS + PPS
        flags, size = struct.unpack(">QI", read(video, 12))
        assert flags & (1 << 62) and not flags & (1 << 63), f"key frame header {flags:#x}"
        first_pts = flags & ((1 << 62) - 1)
        assert first_pts > 0  # the device's monotonic clock, not zero-based
        idr = read(video, size)
        assert idr[4] & 0x1F == 5, "an IDR without SPS/PPS (they come only in the config packet)"
        flags, size = struct.unpack(">QI", read(video, 12))
        assert not flags & (3 << 62) and flags > first_pts
        read(video, size)
        assert read(audio, 4) == b"\x00\x00\x00\x00"  # audio disabled by the device (Android < 11)

        # A touch stamped with another size is dropped; the current size is taken.
        touch = "02 00 0000000000000000 00000064 000000c8 {w} {h} ffff 00000000 00000000"
        control.sendall(bytes.fromhex(touch.format(w="0438", h="0780").replace(" ", "")))
        control.sendall(bytes.fromhex(touch.format(w="0168", h="0280").replace(" ", "")))
        # SET_CLIPBOARD with a sequence is acknowledged; GET_CLIPBOARD gets no answer with autosync on.
        control.sendall(bytes.fromhex("09 0102030405060708 01 0000000d 68656c6c6f2c20776f726c6421".replace(" ", "")))
        assert read(control, 9).hex() == "010102030405060708"
        control.sendall(bytes.fromhex("08 00".replace(" ", "")))
        wait_record(record, lambda r: r.get("type") == "GET_CLIPBOARD")
        control.settimeout(0.3)
        with pytest.raises(socket.timeout):
            control.recv(1)
        touches = [r for r in records(record) if r.get("type") == "INJECT_TOUCH_EVENT"]
        assert [t["dropped"] for t in touches] == [True, False]
        assert (touches[1]["x"], touches[1]["y"], touches[1]["pressure"]) == (100, 200, 1.0)

        # Type 18 does not exist in 3.3.4: the server ends silently with status 0.
        control.sendall(b"\x12")
        assert process.wait(10) == 0
        assert "ERROR" not in process.stderr.read()
    finally:
        process.kill()


def test_41_forward_mode_session_packets_and_protocol_error(tmp_path) -> None:
    process, (video, control), record = start(tmp_path, "4.1", ["audio=false", "tunnel_forward=true"], "listen")
    try:
        assert read(video, 64).rstrip(b"\x00") == b"Pixel 7"
        assert read(video, 4).hex() == "68323634"
        session = read(video, 12)
        assert session[:4].hex() == "80000000" and struct.unpack(">II", session[4:]) == (352, 640)  # 4.1: aligned to 16
        flags, size = struct.unpack(">QI", read(video, 12))
        assert flags == 1 << 62  # 4.1 config flag
        read(video, size)
        flags, size = struct.unpack(">QI", read(video, 12))
        assert flags & (1 << 61) and not flags & (3 << 62), f"4.1 key frame header {flags:#x}"
        read(video, size)
        # RESET_VIDEO: a new session packet, config and key frame follow.
        control.sendall(b"\x11")
        wait_record(record, lambda r: r.get("type") == "RESET_VIDEO")
        while True:
            head = read(video, 12)
            if head[0] == 0x80:
                break
            read(video, struct.unpack(">I", head[8:])[0])
        assert struct.unpack(">II", head[4:]) == (352, 640)
        # RESIZE_DISPLAY without a flex display ends the 4.1 server with a protocol error.
        control.sendall(bytes.fromhex("15 0780 0438".replace(" ", "")))
        process.wait(10)
        assert "[server] ERROR: Control protocol error" in process.stderr.read()
    finally:
        process.kill()


def test_version_must_match_the_pushed_server(tmp_path) -> None:
    jar = tmp_path / "jar"
    jar.write_bytes(b"jar")
    result = subprocess.run(
        [sys.executable, str(SIMULATOR), "--device-json", json.dumps(DEVICE), "--jar", str(jar), "--jar-version", "3.3.4",
         "--connect", "1", "--", "3.3.3", "scid=1a2b3c4d"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "[server] ERROR: The server version (3.3.4) does not match the client (3.3.3)" in result.stderr


def test_a_static_screen_repeats_p_frames_every_100_ms(tmp_path) -> None:
    DEVICE["screen"] = "static"
    try:
        process, (video, control), _ = start(tmp_path, "3.3.4", ["audio=false"], "connect")
    finally:
        del DEVICE["screen"]
    try:
        read(video, 64 + 4 + 8)
        read(video, struct.unpack(">QI", read(video, 12))[1])  # config
        pts = []
        kinds = []
        for _ in range(6):
            flags, size = struct.unpack(">QI", read(video, 12))
            pts.append(flags & ((1 << 62) - 1))
            kinds.append(read(video, size)[4] & 0x1F)
        assert kinds == [5, 1, 1, 1, 1, 1], kinds  # an IDR, then P-frames (not the IDR's bytes again)
        steps = [b - a for a, b in zip(pts, pts[1:])]
        assert all(80_000 <= step <= 130_000 for step in steps), steps
    finally:
        process.kill()
