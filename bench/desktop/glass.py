#!/usr/bin/env python3
"""Desktop glass-to-glass latency (issue: desktop, bench/desktop): an X client paints the capture
time as the Marionette bar code (`marionette-desktop-bench clock`, the layout in
Sources/Gateway/Resources/web/viewer.js) onto an Xvfb screen; the session's runner captures that
screen as a `desktop` stream (XCB grab → libyuv → VP8), the SFU forwards it, and a headless
Chromium on the viewer page decodes each frame, reads its bar code and records display time −
paint time. Prints `RESULT desktop_glass_to_glass …` and a `TARGET` line (p50 ≤ 80 ms, p95 ≤ 120 ms).

Environment: MARIONETTE_BIN (the folder with marionette-server, marionette-agent and
marionette-desktop-bench; release builds for figures), BENCH_GLASS_SECONDS (20),
BENCH_GLASS_SIZE ("1280x720"), BENCH_GLASS_FPS (30).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))
import common  # noqa: E402

SECONDS = float(os.environ.get("BENCH_GLASS_SECONDS", "20"))
WIDTH, HEIGHT = (int(v) for v in os.environ.get("BENCH_GLASS_SIZE", "1280x720").split("x"))
FPS = int(os.environ.get("BENCH_GLASS_FPS", "30"))
P50_TARGET, P95_TARGET = 80.0, 120.0


def bin_dir() -> Path:
    path = Path(os.environ.get("MARIONETTE_BIN", ".build/release"))
    return path if path.is_absolute() else ROOT / path


def start_xvfb() -> tuple[subprocess.Popen, str]:
    number = next(n for n in range(210, 260)
                  if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists())
    display = f":{number}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp", "-noreset"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if time.monotonic() > deadline or xvfb.poll() is not None:
            raise SystemExit(f"Xvfb {display} did not start")
        time.sleep(0.02)
    return xvfb, display


def main() -> None:
    if not shutil.which("Xvfb"):
        raise SystemExit("Xvfb is not installed (scripts/install-deps.sh)")
    os.environ["MARIONETTE_BIN"] = str(bin_dir())
    xvfb, display = start_xvfb()
    clock = subprocess.Popen([str(bin_dir() / "marionette-desktop-bench"), "clock", "--display", display],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    server = common.Server({"MARIONETTE_PROVIDERS_DEFAULT": "local"}).start()
    page = None
    try:
        created = server.api("POST", "/api/v1/sessions", {"agent": "command"}).json()
        server.api("POST", f"/api/v1/sessions/{created['id']}/tasks", {"prompt": "sleep 3600"})
        deadline = time.monotonic() + 60
        while server.api("GET", f"/api/v1/sessions/{created['id']}").json().get("status") != "active":
            if time.monotonic() > deadline:
                raise SystemExit(f"the session never became active:\n{server.log_tail()}")
            time.sleep(0.1)
        stream = server.api("POST", f"/api/v1/sessions/{created['id']}/streams",
                            {"type": "desktop", "display": display, "xvfb": False, "fps": FPS}).json()
        info = common.StreamInfo(created["id"], stream["id"], stream["viewer_token"], None, stream)
        page = common.new_chromium("desktop-glass")
        common.open_viewer(page, server, info, query="audio=0", timeout=30)
        page.execute_script("window.marionetteViewer.latencies.length = 0")
        time.sleep(SECONDS)
        samples = page.execute_script("return window.marionetteViewer.latencies.slice()")
        stats = page.execute_script("return window.marionetteViewer.stats()")
    finally:
        if page is not None:
            common.quit_chromium(page)
        server.stop()
        for process in (clock, xvfb):
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
    video = (stats or {}).get("video") or {}
    print(f"decoded fps {video.get('fps')}, frames decoded {video.get('framesDecoded')}, barcodes {len(samples)}", file=sys.stderr)
    if len(samples) < SECONDS * FPS / 4:
        raise SystemExit(f"only {len(samples)} bar codes read in {SECONDS:.0f} s (clock stderr: "
                         f"{clock.stderr.read().decode(errors='replace')[-500:] if clock.stderr else ''})")
    p50 = common.percentile(samples, 0.5)
    p95 = common.percentile(samples, 0.95)
    video = (stats or {}).get("video") or {}
    print(f"RESULT desktop_glass_to_glass {WIDTH}x{HEIGHT} p50_ms={p50:.1f} p95_ms={p95:.1f} samples={len(samples)} "
          f"decoded_fps={video.get('fps') or 0:.1f}", flush=True)
    ok = p50 <= P50_TARGET and p95 <= P95_TARGET
    print(f"TARGET desktop_glass_to_glass p50<={P50_TARGET:.0f}ms p95<={P95_TARGET:.0f}ms {'met' if ok else 'MISSED'}",
          flush=True)


if __name__ == "__main__":
    main()
