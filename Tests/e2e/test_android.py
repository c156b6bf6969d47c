"""Android streaming end to end (issue 7; scrcpy.md §11, streaming.md §3.4): the scrcpy device
simulator (Tests/AndroidSimulator, real libx264 H.264) behind the `adb` stand-in, the local
provider's marionette-agent running Marionette's scrcpy client against it, the SFU packetizing the
access units (RFC 6184, SPS/PPS re-sent before every IDR), and Chromium decoding H.264 on the viewer
page. A viewer's taps and typed text arrive at the device as scrcpy control messages with the right
coordinates; a device that goes away fails the stream with `device_disconnected`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

import common
from test_testsrc import wait_state

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / "Tests" / "AndroidSimulator"
SERVER_JAR = Path("/usr/local/share/marionette/scrcpy-server-v3.3.4")
WIDTH, HEIGHT, FPS = 720, 1280, 30
BITRATE_KBPS = 2000
LATE_JOIN_P50_MS = 300.0


class Recorder:
    """The simulators' record endpoint (`tcp:`): collects their JSON lines and sends them commands."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.records: list[dict] = []
        self.peers: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                peer, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.peers.append(peer)
            threading.Thread(target=self._read, args=(peer,), daemon=True).start()

    def _read(self, peer: socket.socket) -> None:
        buffer = b""
        while True:
            try:
                chunk = peer.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                with self.lock:
                    self.records.append(json.loads(line))

    def command(self, **command: Any) -> None:
        """To the simulator that connected last (the current server of the stream)."""
        with self.lock:
            peer = self.peers[-1]
        peer.sendall(json.dumps(command).encode() + b"\n")

    def wait(self, what: str, predicate, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [r for r in self.records if predicate(r)]
            if found:
                return found
            time.sleep(0.02)
        with self.lock:
            tail = self.records[-8:]
        raise AssertionError(f"the device never recorded {what}; last records: {tail}")

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for peer in self.peers:
                peer.close()


class SimulatedDevice:
    """Config, wrapper script and prepared clip, outside /tmp (the agent's sandbox has its own /tmp)."""

    def __init__(self, recorder: Recorder) -> None:
        if not shutil.which("ffmpeg"):
            common.missing("ffmpeg (scripts/install-deps.sh installs it)")
        if not SERVER_JAR.exists():
            common.missing(f"{SERVER_JAR} (scripts/fetch-scrcpy-server.sh installs it)")
        self.directory = ROOT / ".build" / "e2e-android" / uuid.uuid4().hex[:8]
        self.directory.mkdir(parents=True)
        self.serial = "emulator-5554"
        cache = self.directory / "clips"
        cache.mkdir()
        sys.path.insert(0, str(SIMULATOR))
        import bitstreams  # noqa: E402 — the simulator's own module, so the clip matches what it will look for
        bitstreams.h264_clip(WIDTH, HEIGHT, FPS, 10, BITRATE_KBPS * 1000, str(cache))
        bitstreams.opus_clip(4, str(cache))
        config = {"devices": [{"serial": self.serial, "model": "Pixel 7", "width": WIDTH, "height": HEIGHT, "fps": FPS,
                               "audio": "opus", "cache_dir": str(cache)}],
                  "reverse": True, "record": f"tcp:127.0.0.1:{recorder.port}"}
        (self.directory / "config.json").write_text(json.dumps(config))
        self.adb = self.directory / "adb"
        self.adb.write_text(
            "#!/bin/sh\n"
            f"export MARIONETTE_ADB_SIM_CONFIG='{self.directory}/config.json'\n"
            f"exec '{SIMULATOR}/adb' \"$@\"\n")
        self.adb.chmod(0o755)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    r = Recorder()
    yield r
    r.close()


@pytest.fixture(scope="module")
def device(recorder) -> Iterator[SimulatedDevice]:
    d = SimulatedDevice(recorder)
    yield d
    d.remove()


@pytest.fixture(scope="module")
def server(device):
    # The local provider's agent finds the stand-in through MARIONETTE_ADB (passed through to runners).
    yield from common.started_server({"MARIONETTE_PROVIDERS_DEFAULT": "local", "MARIONETTE_ADB": str(device.adb),
                                      "MARIONETTE_SCRCPY_SERVER": str(SERVER_JAR)})


_sessions: list[tuple[common.Server, str]] = []


@pytest.fixture(autouse=True)
def end_sessions() -> Iterator[None]:
    yield
    while _sessions:
        server, session_id = _sessions.pop()
        server.api("DELETE", f"/api/v1/sessions/{session_id}")


def android_stream(server: common.Server, device: SimulatedDevice) -> common.StreamInfo:
    created = server.api("POST", "/api/v1/sessions", {"agent": "command"})
    assert created.status == 201, created.body[:300]
    session_id = created.json()["id"]
    _sessions.append((server, session_id))
    task = server.api("POST", f"/api/v1/sessions/{session_id}/tasks", {"prompt": "sleep 600"})
    assert task.status == 201, task.body[:300]
    deadline = time.monotonic() + 60
    while server.api("GET", f"/api/v1/sessions/{session_id}").json().get("status") != "active":
        assert time.monotonic() < deadline, f"session never became active:\n{server.log_tail()}"
        time.sleep(0.1)
    stream = server.api("POST", f"/api/v1/sessions/{session_id}/streams", {
        "type": "android", "serial": device.serial, "max_size": 1920, "max_fps": FPS, "bitrate_kbps": BITRATE_KBPS,
        "video_codec": "h264", "audio": True, "control": True})
    assert stream.status == 201, stream.body[:300]
    data = stream.json()
    return common.StreamInfo(session_id, data["id"], data["viewer_token"], None, data)


def test_chromium_decodes_the_device_and_late_joiners_get_a_picture(server, device, recorder, chromium) -> None:
    stream = android_stream(server, device)
    assert wait_state(server, stream.stream_id, "active", 60) == "active", server.log_tail()
    connected = recorder.wait("the scrcpy client's connection", lambda r: r.get("event") == "connected")[-1]
    assert connected["version"] == "3.3.4" and connected["mode"] == "connect"  # adb reverse, as scrcpy's client
    options = connected["options"]
    assert options["max_size"] == 1920 and options["video_bit_rate"] == BITRATE_KBPS * 1000
    assert options["audio"] and options["control"] and options["video_codec"] == "h264"

    viewer = chromium("android-viewer")
    common.open_viewer(viewer, server, stream, query="codec=H264")
    common.wait_js(viewer, "return window.marionetteViewer.framesDecoded()", lambda n: n and n > 0, 15,
                   "a decoded H.264 frame")
    start = viewer.execute_script("return window.marionetteViewer.framesDecoded()")
    time.sleep(3)
    stats = viewer.execute_script("return window.marionetteViewer.stats()")
    video = stats["video"]
    decoded = video["framesDecoded"] - start
    assert "h264" in (video.get("codec") or "").lower(), f"viewer decodes {video.get('codec')}, not H.264"
    assert decoded >= 45, f"{decoded} H.264 frames in 3 s from a {FPS} fps device"
    size = viewer.execute_script("const v = document.getElementById('video'); return [v.videoWidth, v.videoHeight]")
    assert size == [WIDTH, HEIGHT], f"video {size}, device {WIDTH}x{HEIGHT}"
    # The device's Opus audio plays beside it (its own msid stream).
    audio = stats.get("audio") or {}
    assert "opus" in (audio.get("codec") or "").lower(), f"audio codec {audio.get('codec')}"
    assert (audio.get("packets") or 0) >= 50, f"audio {audio}"

    # Late joiners: the device's GOP is 10 s; the SFU's cached key-frame group (with the SPS/PPS it
    # re-sends before the IDR) or a RESET_VIDEO it asks for gives each a picture at once.
    late = chromium("android-viewer-late")
    figures = []
    for _ in range(5):
        late.get("about:blank")
        late.get(server.viewer_url(stream, "codec=H264"))
        ms = common.wait_js(late, "return window.marionetteViewer && window.marionetteViewer.timeToFirstFrameMs",
                            lambda v: v is not None, 15, "the late viewer's first frame")
        figures.append(round(ms, 1))
    resets = [r for r in recorder.records if r.get("type") == "RESET_VIDEO"]
    p50 = common.percentile(figures, 0.5)
    common.report("android_h264", {"frames_in_3s": decoded, "codec": video.get("codec"), "audio_codec": audio.get("codec"),
                                   "audio_packets": audio.get("packets"), "late_join_ms": figures,
                                   "reset_video_requests": len(resets)})
    assert p50 <= LATE_JOIN_P50_MS, f"late join p50 {p50} ms (samples {figures})"


def test_a_device_that_goes_away_fails_the_stream(server, device, recorder) -> None:
    stream = android_stream(server, device)
    assert wait_state(server, stream.stream_id, "active", 60) == "active", server.log_tail()
    recorder.command(disconnect=True)
    assert wait_state(server, stream.stream_id, "failed", 15) == "failed", server.log_tail()
    got = server.api("GET", f"/api/v1/streams/{stream.stream_id}").json()
    assert got.get("error_code") == "device_disconnected", got
    assert got.get("error"), got


def test_taps_text_buttons_and_clipboard_reach_the_device(server, device, recorder, chromium) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    stream = android_stream(server, device)
    assert wait_state(server, stream.stream_id, "active", 60) == "active", server.log_tail()
    page = chromium("android-input")
    common.open_viewer(page, server, stream, query="codec=H264")
    common.wait_js(page, "return window.marionetteInput.hello", lambda h: h is not None, 10, "the input hello")
    hello = page.execute_script("return window.marionetteInput.hello")
    assert hello["input"] and hello["controller"] and hello["stream_type"] == "android", hello
    common.wait_js(page, "return document.getElementById('video').videoWidth", lambda w: w == WIDTH, 15, "the picture")
    started = time.time()

    # A tap at 1/4, 3/4 of the picture (letterboxed in the window): a finger DOWN and UP there, in
    # video pixels, stamped with the device's current video size, which the device accepts.
    video = page.find_element("id", "video")
    box = page.execute_script("const r = document.getElementById('video').getBoundingClientRect(); return [r.width, r.height]")
    scale = min(box[0] / WIDTH, box[1] / HEIGHT)
    ActionChains(page).move_to_element_with_offset(
        video, int((0.25 - 0.5) * WIDTH * scale), int((0.75 - 0.5) * HEIGHT * scale)).click().perform()
    touches = recorder.wait("the tap", lambda r: r.get("type") == "INJECT_TOUCH_EVENT" and r["action"] == 1
                            and r["t"] >= started)
    downs = [r for r in recorder.records if r.get("type") == "INJECT_TOUCH_EVENT" and r["action"] == 0 and r["t"] >= started]
    assert downs, "no DOWN before the UP"
    for event in (downs[-1], touches[-1]):
        assert (event["screen_width"], event["screen_height"]) == (WIDTH, HEIGHT), event
        assert not event["dropped"], event
        assert abs(event["x"] - WIDTH // 4) <= 3 and abs(event["y"] - HEIGHT * 3 // 4) <= 3, event
    assert downs[-1]["pressure"] > 0 and touches[-1]["pressure"] == 0

    # Typed characters become INJECT_TEXT, Enter an Android key press.
    ActionChains(page).send_keys("hello\n").perform()
    recorder.wait("Enter", lambda r: r.get("type") == "INJECT_KEYCODE" and r["keycode"] == 66 and r["action"] == 1)
    typed = "".join(r["text"] for r in recorder.records if r.get("type") == "INJECT_TEXT" and r["t"] >= started)
    assert typed == "hello", typed

    # Device buttons (the page's button bar): back is BACK_OR_SCREEN_ON down + up, home the HOME key.
    bar = page.find_element("id", "android-buttons")
    assert bar.is_displayed(), "no device buttons on an android stream's page"
    bar.find_element("css selector", "button[data-button=back]").click()
    page.execute_script("window.marionetteInput.androidButton('home')")
    recorder.wait("back", lambda r: r.get("type") == "BACK_OR_SCREEN_ON" and r["action"] == 1)
    recorder.wait("home", lambda r: r.get("type") == "INJECT_KEYCODE" and r["keycode"] == 3 and r["action"] == 1)

    # Clipboard both ways: the page's text becomes the device clipboard, the device's shows on the page.
    page.execute_script("window.marionetteInput.send({type: 'clipboard', text: 'from the page ✓', paste: true})")
    set_ = recorder.wait("SET_CLIPBOARD", lambda r: r.get("type") == "SET_CLIPBOARD")[-1]
    assert set_["text"] == "from the page ✓" and set_["paste"], set_
    recorder.command(clipboard="from the device ✓")
    common.wait_js(page, "return window.marionetteInput.remoteClipboard", lambda t: t == "from the device ✓", 10,
                   "the device's clipboard on the page")
    errors = page.execute_script("return window.marionetteInput.errors")
    assert errors == [], f"input errors: {errors}"
    common.report("android_input", {"tap": [touches[-1]["x"], touches[-1]["y"]], "typed": typed})
