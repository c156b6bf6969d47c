#!/usr/bin/env python3
"""Android streaming benchmark (issue 7, streaming.md §12), driven by bench/android/run.sh.

The scrcpy device simulator (Tests/AndroidSimulator) behind the `adb` stand-in streams a 1080x1920
60 fps H.264 clip at ~8 Mbit/s (libx264 Constrained Baseline, one 10 s GOP, as a phone's MediaCodec
with scrcpy's defaults) into an `android` stream: the local provider's marionette-agent runs
Marionette's scrcpy client against it, the `Media` RPC carries the access units to the server, the
SFU packetizes them (RFC 6184) and forwards them. Each picture of the clip carries its frame index in
the Marionette bar code (viewer.js, version 1), and the simulator records the wall-clock instant it
writes each access unit to the video socket (the instant its PTS is taken). Stages, each measured
over BENCH_SECONDS after BENCH_WARMUP:

1. chromium: one headless Chromium on the viewer page (H.264, software decode). Decoded frames/s from
   getStats; glass-to-glass = the frame's display time (requestVideoFrameCallback expectedDisplayTime)
   − the instant the simulator sent that access unit (matched by the bar code's frame index), p50/p95;
   split into send → last packet received by Chromium (meta.receiveTime) and received → displayed.
2. viewers: `marionette-sfu-bench frames` (synthetic WHEP viewers: real ICE, DTLS, SRTP, receiver
   reports, no decode) with BENCH_VIEWERS (1, then 50): frames/s each viewer gets (frames whose RTP
   marker packet arrived; "complete" = no packet of the frame missing), mean and min over viewers.
   In every stage: CPU of the agent and of the server (utime + stime of all threads, /proc/PID/stat,
   % of one core), of the simulator, and of the whole host (`other` = host − the measured processes).
3. loaded: the Chromium measurement again while BENCH_VIEWERS' largest count − 1 synthetic viewers
   are connected too (results named android_n50_…): glass-to-glass with the SFU fanning out to 50.
4. baseline: the same simulator and clip with its video socket drained by `socat` (a reader that does
   nothing with the bytes): the floor any client of this bitstream pays, against the agent's CPU.

Environment: MARIONETTE_BIN (folder with release marionette-server, marionette-agent,
marionette-sfu-bench), BENCH_SECONDS (10), BENCH_WARMUP (3), BENCH_SIZE (1080x1920, the device's
screen), BENCH_FPS (60), BENCH_KBPS (8000), BENCH_VIEWERS ("1,50"), BENCH_STAGES ("chromium viewers
loaded baseline"), BENCH_WORK (work folder; must be outside /tmp: the runner's sandbox has its own /tmp),
BENCH_CLIPS (clip cache, default .build/bench-android/clips), BENCH_KEEP_WORK=1.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / "Tests" / "AndroidSimulator"
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))
sys.path.insert(0, str(SIMULATOR))
import bitstreams  # noqa: E402
import common  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "3"))
WIDTH, HEIGHT = (int(v) for v in os.environ.get("BENCH_SIZE", "1080x1920").split("x"))
FPS = int(os.environ.get("BENCH_FPS", "60"))
KBPS = int(os.environ.get("BENCH_KBPS", "8000"))
VIEWERS = os.environ.get("BENCH_VIEWERS", "1,50")
STAGES = os.environ.get("BENCH_STAGES", "chromium viewers loaded baseline").split()
SERVER_JAR = Path(os.environ.get("MARIONETTE_SCRCPY_SERVER", "/usr/local/share/marionette/scrcpy-server-v3.3.4"))
GLASS_P50_TARGET = 50.0
CLIP_SECONDS = 10  # the simulator's GOP: scrcpy's default i-frame-interval (10 s), which the agent keeps
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(text: str) -> None:
    print(f"[bench/android] {text}", file=sys.stderr, flush=True)


def result(name: str, value: float | None, unit: str) -> None:
    text = "nan" if value is None else f"{value:.2f}"
    print(f"RESULT {name} {text} {unit}", flush=True)


def bin_dir() -> Path:
    path = Path(os.environ.get("MARIONETTE_BIN", ".build/release"))
    return path if path.is_absolute() else ROOT / path


# -- CPU from /proc ------------------------------------------------------------------------------

def process_seconds(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def host_seconds() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / CLK_TCK


class CPUWindow:
    """CPU of named processes and of the host between start() and stop(), in cores (1.0 = one core)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = {name: pid for name, pid in pids.items() if pid}
        self.cores: dict[str, float] = {}

    def start(self) -> "CPUWindow":
        self.t0, self.h0 = time.monotonic(), host_seconds()
        self.p0 = {name: process_seconds(pid) for name, pid in self.pids.items()}
        return self

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self.t0
        host = (host_seconds() - self.h0) / wall
        for name, pid in self.pids.items():
            end = process_seconds(pid)
            if end is not None and self.p0[name] is not None:
                self.cores[name] = (end - self.p0[name]) / wall
        self.cores["host"] = host
        self.cores["other"] = max(0.0, host - sum(v for k, v in self.cores.items() if k != "host"))
        self.wall = wall
        return self.cores


def find_pids(predicate) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if predicate([a.decode(errors="replace") for a in argv if a]):
            found.append(int(entry.name))
    return found


def wait_pid(what: str, predicate, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = find_pids(predicate)
        if pids:
            return min(pids)
        time.sleep(0.1)
    raise SystemExit(f"no {what} process found")


# -- the simulator's record stream ---------------------------------------------------------------

class Recorder:
    """The simulators' `record` endpoint (tcp:): keeps each frame's send instants by frame index and
    the other records as they come."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.sent: dict[int, list[float]] = {}  # frame index → send instants (epoch s), oldest first
        self.frames_sent = 0
        self.records: list[dict] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                peer, _ = self.listener.accept()
            except OSError:
                return
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
                entry = json.loads(line)
                with self.lock:
                    if entry.get("event") == "frame":
                        sends = self.sent.setdefault(entry["index"], [])
                        sends.append(entry["sent"])
                        del sends[:-4]
                        self.frames_sent += 1
                    else:
                        self.records.append(entry)

    def send_time(self, index: int, displayed_s: float) -> float | None:
        """The latest send of frame `index` before it was displayed (the clip loops every 10 s)."""
        with self.lock:
            sends = [t for t in self.sent.get(index, []) if t <= displayed_s + 0.001]
        return sends[-1] if sends else None

    def count(self) -> int:
        with self.lock:
            return self.frames_sent

    def close(self) -> None:
        self.listener.close()


# -- the device --------------------------------------------------------------------------------

def prepare_device(work: Path, clips: Path, recorder: Recorder) -> tuple[dict, Path]:
    clips.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    clip = bitstreams.h264_barcode_clip(WIDTH, HEIGHT, FPS, CLIP_SECONDS, KBPS * 1000, str(clips))
    size = sum(len(u) for u in clip.access_units)
    clip_kbps = size * 8 / (len(clip.access_units) / FPS) / 1000
    log(f"clip {WIDTH}x{HEIGHT} {FPS} fps: {len(clip.access_units)} access units, {clip_kbps:.0f} kbit/s, "
        f"IDR {len(clip.access_units[0]) // 1024} KiB ({time.monotonic() - started:.1f} s to make or load)")
    result("android_clip_kbps", clip_kbps, "kbit/s")
    device = {"serial": "emulator-5554", "model": "Pixel 7", "width": WIDTH, "height": HEIGHT, "fps": FPS,
              "audio": "disabled", "cache_dir": str(clips), "barcode": "frame-index"}
    config = {"devices": [device], "reverse": True, "record": f"tcp:127.0.0.1:{recorder.port}"}
    (work / "config.json").write_text(json.dumps(config))
    adb = work / "adb"
    adb.write_text("#!/bin/sh\n"
                   f"export MARIONETTE_ADB_SIM_CONFIG='{work}/config.json'\n"
                   f"exec '{SIMULATOR}/adb' \"$@\"\n")
    adb.chmod(0o755)
    return device, adb


def simulator_pid(recorder: Recorder, timeout: float = 30) -> int:
    """The simulator the agent's `adb shell` became: the one recording to this run's recorder."""
    return wait_pid("scrcpy_device.py", lambda argv: any(a.endswith("scrcpy_device.py") for a in argv)
                    and f"tcp:127.0.0.1:{recorder.port}" in argv, timeout)


# -- stages --------------------------------------------------------------------------------------

HOOK = """
const mv = window.marionetteViewer;
if (!window.__androidBench) {
  window.__androidBench = [];
  const pairs = window.__androidBench;
  // viewer.js pushes one latency per distinct bar code right after setting lastBarcode: keep the
  // bar code's value (here the frame index) with its display and receive times.
  mv.latencies.push = function (value) {
    const b = mv.lastBarcode;
    if (b) pairs.push([b.captureMs, b.displayMs, b.receiveMs]);
    return Array.prototype.push.call(this, value);
  };
}
window.__androidBench.length = 0;
return true;
"""


def chromium_stage(server: common.Server, info: common.StreamInfo, recorder: Recorder, pids: dict[str, int],
                   prefix: str = "android", target: bool = True) -> None:
    """One Chromium viewer page measured over the window; result names start with `prefix`."""
    page = common.new_chromium("android-bench")
    try:
        common.open_viewer(page, server, info, query="codec=H264&audio=0", timeout=60)
        common.wait_js(page, "return document.getElementById('video').videoWidth", lambda w: w == WIDTH, 20, "the picture")
        page.execute_script(HOOK)
        time.sleep(WARMUP)
        page.execute_script(HOOK)
        before = page.execute_script("return window.marionetteViewer.stats()")["video"]
        presented0 = page.execute_script("return window.marionetteViewer.framesPresented")
        sent0 = recorder.count()
        window = CPUWindow(pids).start()
        time.sleep(SECONDS)
        cores = window.stop()
        sent1 = recorder.count()
        after = page.execute_script("return window.marionetteViewer.stats()")["video"]
        presented1 = page.execute_script("return window.marionetteViewer.framesPresented")
        pairs = page.execute_script("return window.__androidBench.slice()")
    finally:
        common.quit_chromium(page)
    wall = window.wall
    glass, network, render = [], [], []
    for index, displayed_ms, received_ms in pairs:
        sent = recorder.send_time(int(index), displayed_ms / 1000)
        if sent is None:
            continue
        glass.append(displayed_ms - sent * 1000)
        if received_ms is not None:
            network.append(received_ms - sent * 1000)
            render.append(displayed_ms - received_ms)
    log(f"chromium: {after.get('width')}x{after.get('height')} {after.get('codec')}, "
        f"{len(pairs)} bar codes read, {len(glass)} matched to a send")
    result(f"{prefix}_source_fps", (sent1 - sent0) / wall, "frames/s")
    result(f"{prefix}_chromium_decoded_fps", (after["framesDecoded"] - before["framesDecoded"]) / wall, "frames/s")
    result(f"{prefix}_chromium_presented_fps", (presented1 - presented0) / wall, "frames/s")
    result(f"{prefix}_chromium_dropped_frames", after["framesDropped"] - before["framesDropped"], "frames")
    result(f"{prefix}_chromium_freezes", after["freezeCount"] - before["freezeCount"], "freezes")
    result(f"{prefix}_chromium_kbps", (after["bytes"] - before["bytes"]) * 8 / wall / 1000, "kbit/s")
    for name, values in (("glass_to_glass", glass), ("glass_send_to_receive", network),
                         ("glass_receive_to_display", render)):
        result(f"{prefix}_{name}_p50", common.percentile(values, 0.5), "ms")
        result(f"{prefix}_{name}_p95", common.percentile(values, 0.95), "ms")
    result(f"{prefix}_glass_samples", len(glass), "frames")
    cpu_results(f"{prefix}_chromium", cores)
    if not target:
        return
    p50 = common.percentile(glass, 0.5)
    verdict = "not measured" if p50 is None else f"measured {p50:.2f}: {'met' if p50 <= GLASS_P50_TARGET else 'MISSED'}"
    print(f"TARGET android_glass_to_glass_p50 <= {GLASS_P50_TARGET:.0f} ms ({verdict})", flush=True)


def cpu_results(prefix: str, cores: dict[str, float]) -> None:
    for name in ("agent", "server", "simulator", "socat", "viewers", "other"):
        if name in cores:
            result(f"{prefix}_{name}_cpu", cores[name] * 100, "%core")


def viewers_stage(server: common.Server, info: common.StreamInfo, pids: dict[str, int]) -> dict[int, dict]:
    command = [str(bin_dir() / "marionette-sfu-bench"), "frames", "--url", server.base_url, "--token", info.viewer_token,
               "--stream-id", info.stream_id, "--codec", "h264", "--steps", VIEWERS, "--seconds", str(SECONDS),
               "--settle-seconds", str(WARMUP)]
    for name, pid in pids.items():
        command += ["--watch", f"{name}={pid}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    steps: dict[int, dict] = {}
    try:
        for line in process.stdout:
            if not line.startswith("STEP "):
                continue
            row = dict(part.split("=", 1) for part in line.split()[1:])
            n = int(row.pop("viewers"))
            steps[n] = {k: float(v) for k, v in row.items()}
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
    if process.returncode:
        log(f"marionette-sfu-bench frames exited with status {process.returncode}")
    for n, row in sorted(steps.items()):
        prefix = f"android_n{n}"
        if "connect_failures" in row:
            result(f"{prefix}_connect_failures", row["connect_failures"], "viewers")
            continue
        result(f"{prefix}_fps_mean", row["fps_mean"], "frames/s")
        result(f"{prefix}_fps_min", row["fps_min"], "frames/s")
        result(f"{prefix}_complete_fps_mean", row["complete_fps_mean"], "frames/s")
        result(f"{prefix}_complete_fps_min", row["complete_fps_min"], "frames/s")
        result(f"{prefix}_kbps_mean", row["kbps_mean"], "kbit/s")
        result(f"{prefix}_loss", row["loss_pct"], "%")
        cores = {k[4:]: v for k, v in row.items() if k.startswith("cpu_")}
        cores["other"] = max(0.0, cores.get("host", 0) - sum(v for k, v in cores.items() if k != "host"))
        cpu_results(prefix, cores)
    return steps


def loaded_stage(server: common.Server, info: common.StreamInfo, recorder: Recorder, pids: dict[str, int],
                 work: Path) -> None:
    """The Chromium measurement again while synthetic viewers fill the stream up to the largest
    BENCH_VIEWERS count: glass-to-glass and decoding with the SFU fanning out to all of them."""
    total = max(int(v) for v in VIEWERS.split(","))
    synthetic = total - 1
    if synthetic < 1:
        return
    release = work / "release-viewers"
    command = [str(bin_dir() / "marionette-sfu-bench"), "frames", "--url", server.base_url, "--token", info.viewer_token,
               "--stream-id", info.stream_id, "--codec", "h264", "--steps", str(synthetic), "--seconds", "1",
               "--settle-seconds", "0", "--hold-until-file", str(release)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in process.stderr:
            sys.stderr.write(line)
            if "holding" in line:
                break
        else:
            raise SystemExit("the synthetic viewers did not connect")
        threading.Thread(target=lambda: [sys.stderr.write(l) for l in process.stderr], daemon=True).start()
        log(f"loaded: {synthetic} synthetic viewers connected; the Chromium page is viewer {total}")
        chromium_stage(server, info, recorder, {**pids, "viewers": process.pid}, prefix=f"android_n{total}", target=False)
    finally:
        release.touch()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def baseline_stage(device: dict, work: Path, recorder: Recorder) -> dict[str, float]:
    """The same simulator and clip, forward mode, video only, drained by socat into /dev/null."""
    port = common.free_port()
    jar = work / "baseline.jar"
    jar.write_bytes(b"baseline")  # the simulator deletes its jar on exit, as scrcpy's CleanUp does
    simulator = subprocess.Popen(
        [sys.executable, str(SIMULATOR / "scrcpy_device.py"), "--device-json", json.dumps(device), "--jar", str(jar),
         "--jar-version", "3.3.4", "--listen", str(port), "--record", f"tcp:127.0.0.1:{recorder.port}", "--",
         "3.3.4", "scid=0badbeef", "log_level=info", "tunnel_forward=true", "audio=false", "control=false",
         "max_size=1920", f"max_fps={FPS}", f"video_bit_rate={KBPS * 1000}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    reader = subprocess.Popen(["socat", "-u", f"TCP:127.0.0.1:{port},retry=100,interval=0.1", "OPEN:/dev/null"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(WARMUP)
        if reader.poll() is not None or simulator.poll() is not None:
            raise SystemExit("the baseline's simulator or socat exited")
        sent0 = recorder.count()
        window = CPUWindow({"socat": reader.pid, "simulator": simulator.pid}).start()
        time.sleep(SECONDS)
        cores = window.stop()
        result("android_baseline_source_fps", (recorder.count() - sent0) / window.wall, "frames/s")
        cpu_results("android_baseline", cores)
        return cores
    finally:
        for process in (reader, simulator):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def main() -> None:
    # run.sh stops the run with SIGTERM: unwind, so that the finally blocks stop the server and runner.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which("ffmpeg"):
        raise SystemExit("ffmpeg not found (scripts/install-deps.sh)")
    if not SERVER_JAR.exists():
        raise SystemExit(f"{SERVER_JAR} not found (scripts/fetch-scrcpy-server.sh)")
    os.environ["MARIONETTE_BIN"] = str(bin_dir())
    base = Path(os.environ.get("BENCH_WORK") or ROOT / ".build" / "bench-android")
    work = base / uuid.uuid4().hex[:8]
    work.mkdir(parents=True)
    clips = Path(os.environ.get("BENCH_CLIPS") or base / "clips")
    recorder = Recorder()
    server = None
    steps: dict[int, dict] = {}
    try:
        device, adb = prepare_device(work, clips, recorder)
        if {"chromium", "viewers", "loaded"} & set(STAGES):
            server = common.Server({"MARIONETTE_PROVIDERS_DEFAULT": "local", "MARIONETTE_ADB": str(adb),
                                    "MARIONETTE_SCRCPY_SERVER": str(SERVER_JAR),
                                    "MARIONETTE_SFU_MAX_VIEWERS_PER_STREAM": "10000",
                                    "MARIONETTE_SFU_MAX_VIEWERS_TOTAL": "10000"}).start()
            created = server.api("POST", "/api/v1/sessions", {"agent": "command"}).json()
            server.api("POST", f"/api/v1/sessions/{created['id']}/tasks", {"prompt": "sleep 3600"})
            deadline = time.monotonic() + 60
            while server.api("GET", f"/api/v1/sessions/{created['id']}").json().get("status") != "active":
                if time.monotonic() > deadline:
                    raise SystemExit(f"the session never became active:\n{server.log_tail()}")
                time.sleep(0.1)
            response = server.api("POST", f"/api/v1/sessions/{created['id']}/streams", {
                "type": "android", "serial": device["serial"], "max_size": max(WIDTH, HEIGHT), "max_fps": FPS,
                "bitrate_kbps": KBPS, "video_codec": "h264", "audio": False, "control": True})
            if response.status != 201:
                raise SystemExit(f"create stream: {response.status} {response.body[:300]!r}")
            stream = response.json()
            info = common.StreamInfo(created["id"], stream["id"], stream["viewer_token"], None, stream)
            deadline = time.monotonic() + 60
            while server.api("GET", f"/api/v1/streams/{info.stream_id}").json().get("state") != "active":
                if time.monotonic() > deadline:
                    raise SystemExit(f"the android stream never became active:\n{server.log_tail()}")
                time.sleep(0.1)
            data_port = str(server.data_port)
            pids = {
                "agent": wait_pid("marionette-agent", lambda argv: bool(argv) and argv[0].endswith("marionette-agent")
                                  and data_port in argv),
                "server": server.process.pid,
                "simulator": simulator_pid(recorder),
            }
            log(f"stream {info.stream_id} active; agent pid {pids['agent']}, server pid {pids['server']}, "
                f"simulator pid {pids['simulator']}")
            if "chromium" in STAGES:
                log(f"chromium: 1 viewer page, {WARMUP:.0f} s warm-up, {SECONDS:.0f} s measured")
                chromium_stage(server, info, recorder, pids)
            if "viewers" in STAGES:
                log(f"viewers: synthetic WHEP viewers, steps {VIEWERS}, {SECONDS:.0f} s measured each")
                steps = viewers_stage(server, info, pids)
            if "loaded" in STAGES:
                log(f"loaded: Chromium again, with synthetic viewers up to the largest of {VIEWERS}")
                loaded_stage(server, info, recorder, pids, work)
            server.api("DELETE", f"/api/v1/sessions/{info.session_id}")
            server.stop()
            server = None
        if "baseline" in STAGES:
            log("baseline: the simulator's video socket drained by socat")
            cores = baseline_stage(device, work, recorder)
            for n, row in sorted(steps.items()):
                if row.get("cpu_agent") and cores.get("socat"):
                    print(f"RATIO android_n{n}_agent_cpu_vs_socat_reader {row['cpu_agent'] / cores['socat']:.2f} x", flush=True)
    finally:
        if server is not None:
            server.stop()
        recorder.close()
        if os.environ.get("BENCH_KEEP_WORK"):
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
