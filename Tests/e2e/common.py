"""Shared pieces of the real-peer drivers: the server process, the REST calls the tests need,
Chromium through Selenium, and aiortc WHEP/WHIP peers.

Environment:
  MARIONETTE_BIN        marionette-server binary, or a folder holding it (default .build/debug
                        under the repository root; relative paths are taken from the repository root)
  CHROMIUM, CHROMEDRIVER  browser and driver paths (default: found on PATH)
  MARIONETTE_E2E_KEEP=1 keep the server's data folder and logs after the run
  CI=true               a missing part (binary, browser, package) fails the test instead of skipping it
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Callable

import pytest

import barcode

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
WEB_DIR = REPO_ROOT / "Sources" / "Gateway" / "Resources" / "web"
CI = os.environ.get("CI", "").lower() == "true"

# Selenium must never try to download a browser or driver (no such egress in CI): the Debian
# chromium/chromedriver pair is used, named explicitly below.
os.environ.setdefault("SE_OFFLINE", "true")


def missing(part: str) -> None:
    """A prerequisite is absent: fail under CI=true (real-peer tests must never silently vanish
    from CI, streaming.md §12), skip on a developer machine."""
    if CI:
        pytest.fail(f"missing: {part} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(f"missing: {part}")


def report(name: str, value: Any) -> None:
    """Figures the tests measure, printed in one greppable form (pytest -s, or the captured output
    shown for failures)."""
    print(f"E2E-REPORT {name} = {json.dumps(value, default=str)}", flush=True)


def check_sender_reports(summary: dict, what: str, min_reports: int) -> dict:
    """The viewer page's view of the SFU's RTCP sender reports (getStats `remote-outbound-rtp`,
    streaming.md §3.9): at least `min_reports` arrived, their packet count trails what was received
    by at most about a second of media, and their NTP time is this host's wallclock."""
    remote = ((summary.get("remoteOutbound") or {}).get("video")) or {}
    video = summary.get("video") or {}
    received = video.get("packets", 0) + video.get("packetsLost", 0)
    figures = {
        "reportsSent": remote.get("reportsSent"), "packetsSent": remote.get("packetsSent"),
        "packetsReceived": video.get("packets"), "packetsLost": video.get("packetsLost"),
        "remoteTimestampAgeMs": round(time.time() * 1000 - remote["remoteTimestamp"], 1)
        if remote.get("remoteTimestamp") else None,
    }
    report(what, figures)
    assert remote, f"no remote-outbound-rtp (no sender report reached the viewer): {summary}"
    assert remote["reportsSent"] >= min_reports, figures
    assert 0.5 * received <= remote["packetsSent"] <= received + 50, figures
    assert figures["remoteTimestampAgeMs"] is not None and -2000 < figures["remoteTimestampAgeMs"] < 5000, figures
    return figures


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---------------------------------------------------------------------------------------------
# Ports and the server process
# ---------------------------------------------------------------------------------------------


def free_port(udp_too: bool = False) -> int:
    """A loopback port free for TCP (and UDP when asked). The kernel picks it; there is a small
    race until the server binds it, which is why each port is checked just before use."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            if not udp_too:
                return port
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def server_command() -> list[str]:
    path = Path(os.environ.get("MARIONETTE_BIN", ".build/debug"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    if path.is_dir():
        path = path / "marionette-server"
    if not (path.is_file() and os.access(path, os.X_OK)):
        missing(f"marionette-server binary at {path} (build it, or set MARIONETTE_BIN)")
    return [str(path)]


@dataclass
class HTTPResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode() or "null")


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 30) -> HTTPResult:
    """One HTTP request; non-2xx statuses are returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HTTPResult(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as err:
        return HTTPResult(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


@dataclass
class StreamInfo:
    session_id: str
    stream_id: str
    viewer_token: str
    publish_token: str
    raw: dict = field(default_factory=dict)


def started_server(extra_env: dict[str, str] | None = None) -> Iterator["Server"]:
    """Body of a module-scoped pytest fixture: a started server, always stopped afterwards."""
    srv = Server(extra_env)
    try:
        srv.start()
    except RuntimeError:
        srv.stop()
        raise
    yield srv
    srv.stop()


class Server:
    """The real marionette-server on free loopback ports, in a throwaway data folder."""

    def __init__(self, extra_env: dict[str, str] | None = None) -> None:
        self.extra_env = extra_env or {}
        self.data_dir = tempfile.mkdtemp(prefix="marionette-e2e-")
        self.api_port = free_port()
        self.admin_port = free_port()
        self.grpc_port = free_port()
        self.data_port = free_port()
        self.media_port = free_port(udp_too=True)
        self.log_path = Path(self.data_dir + ".log")
        self.process: subprocess.Popen | None = None
        self._key: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self, timeout: float = 60) -> "Server":
        command = server_command() + [
            "--data-dir", self.data_dir,
            "--api-port", str(self.api_port),
            "--admin-port", str(self.admin_port),
            "--grpc-port", str(self.grpc_port),
            "--fabric-data-port", str(self.data_port),
            "--media-port", str(self.media_port),
        ]
        env = dict(os.environ)
        env.pop("MARIONETTE_DATABASE_URL", None)  # always the embedded SQLite in the data folder
        env["MARIONETTE_PROVIDERS_DEFAULT"] = "none"  # no local runners: webrtc streams need none
        env.update(self.extra_env)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env=env, cwd=self.data_dir, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if http("GET", self.base_url + "/health", timeout=2).status == 200 and self._key_file().exists():
                    return self
            time.sleep(0.1)
        raise RuntimeError(f"server not ready within {timeout} s:\n{self.log_tail()}")

    def _key_file(self) -> Path:
        return Path(self.data_dir) / "bootstrap-api-key"

    @property
    def api_key(self) -> str:
        if self._key is None:
            self._key = self._key_file().read_text().strip()
        return self._key

    def log_tail(self, lines: int = 80) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # Local runners outlive their server on purpose (a restarted server picks them up again);
        # a test is done with them: end every agent working under this data folder.
        subprocess.run(["pkill", "-9", "-f", self.data_dir + "/workspaces"], check=False)
        if os.environ.get("MARIONETTE_E2E_KEEP") != "1":
            shutil.rmtree(self.data_dir, ignore_errors=True)
            with contextlib.suppress(OSError):
                self.log_path.unlink()

    # -- REST ----------------------------------------------------------------------------------

    def api(self, method: str, path: str, payload: Any = None, token: str | None = None) -> HTTPResult:
        headers = {"Authorization": f"Bearer {token or self.api_key}"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        return http(method, self.base_url + path, body, headers)

    def create_webrtc_stream(self, **fields: Any) -> StreamInfo:
        """A session (agent "command"; no runner needed) and a `webrtc` stream in it; `fields` go
        into the create request (e.g. video_codec="h264")."""
        created = self.api("POST", "/api/v1/sessions", {"agent": "command"})
        assert created.status in (200, 201), f"create session: {created.status} {created.body[:300]!r}"
        session_id = created.json()["id"]
        stream = self.api("POST", f"/api/v1/sessions/{session_id}/streams", {"type": "webrtc", **fields})
        assert stream.status in (200, 201), f"create stream: {stream.status} {stream.body[:300]!r}"
        data = stream.json()
        return StreamInfo(session_id, data["id"], data["viewer_token"], data["publish_token"], data)

    def stream_stats(self, stream: StreamInfo) -> dict:
        """The SFU's view of a stream (`GET /api/v1/streams/{id}/stats`): counters and its viewers."""
        counted = self.api("GET", f"/api/v1/streams/{stream.stream_id}/stats")
        assert counted.status == 200, counted.body[:300]
        return counted.json()

    def viewer_url(self, stream: StreamInfo, query: str = "") -> str:
        extra = f"&{query}" if query else ""
        return f"{self.base_url}/streams/{stream.stream_id}/view?token={urllib.parse.quote(stream.viewer_token)}{extra}"

    def publisher_url(self, stream: StreamInfo, query: str = "") -> str:
        extra = f"&{query}" if query else ""
        return f"{self.base_url}/streams/{stream.stream_id}/publish?token={urllib.parse.quote(stream.publish_token)}{extra}"


# ---------------------------------------------------------------------------------------------
# Chromium via Selenium
# ---------------------------------------------------------------------------------------------


def chromium_paths() -> tuple[str, str]:
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if not browser:
        missing("chromium (apt-get install chromium)")
    if not driver:
        missing("chromedriver (apt-get install chromium-driver)")
    return browser, driver


def new_chromium(log_name: str = "chromium") -> Any:
    """Headless Chromium with the fake camera/microphone, autoplay allowed and console capture."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium (pip install -r Tests/e2e/requirements.txt)")
    browser, driver_path = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in (
        "--headless=new",
        "--use-fake-ui-for-media-stream",      # grant getUserMedia without a prompt
        "--use-fake-device-for-media-stream",  # built-in test camera and microphone
        "--autoplay-policy=no-user-gesture-required",
        "--disable-dev-shm-usage",             # containers often have a tiny /dev/shm
        # Real host candidates instead of random .local names: the ICE-lite SFU never resolves
        # mDNS (it learns the address from our checks anyway).
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        # Several browsers share two cores: keep timers and rendering of every page running.
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        "--mute-audio",
        "--window-size=1280,800",
    ):
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run its sandbox as root
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    log_dir = Path(tempfile.gettempdir()) / "marionette-e2e-chromedriver"
    log_dir.mkdir(exist_ok=True)
    service = Service(executable_path=driver_path, log_output=str(log_dir / f"{log_name}-{os.getpid()}.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_script_timeout(30)
    driver.set_page_load_timeout(30)
    return driver


def wait_js(driver: Any, script: str, predicate: Callable[[Any], bool], timeout: float, what: str,
            interval: float = 0.1) -> Any:
    """Evaluates `script` (a `return …` statement; Promises are awaited by WebDriver) until
    `predicate(value)` holds; fails with the page's console and last value on timeout."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if predicate(value):
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; last value {value!r}\n"
                         f"console:\n{format_console(console_entries(driver))}")


_console_cache: dict[int, list[dict]] = {}


def console_entries(driver: Any) -> list[dict]:
    """All console entries so far (get_log drains, so they are accumulated per driver)."""
    entries = _console_cache.setdefault(id(driver), [])
    with contextlib.suppress(Exception):
        entries.extend(driver.get_log("browser"))
    return entries


def format_console(entries: list[dict]) -> str:
    return "\n".join(f"  [{e.get('level')}] {e.get('message')}" for e in entries[-40:]) or "  (empty)"


def severe_errors(driver: Any) -> list[str]:
    """Console errors of the page (uncaught exceptions, failed loads), minus the favicon 404."""
    return [e["message"] for e in console_entries(driver)
            if e.get("level") == "SEVERE" and "favicon.ico" not in e.get("message", "")]


def quit_chromium(driver: Any) -> None:
    with contextlib.suppress(Exception):
        driver.quit()
    _console_cache.pop(id(driver), None)


def open_viewer(driver: Any, server: Server, stream: StreamInfo, query: str = "", timeout: float = 20) -> None:
    """Opens the viewer page and waits until it shows decoded video."""
    driver.get(server.viewer_url(stream, query))
    wait_js(driver, "return window.marionetteViewer ? window.marionetteViewer.framesDecoded() : -1",
            lambda n: n is not None and n > 0, timeout, "the viewer page to decode video")


def open_publisher(driver: Any, server: Server, stream: StreamInfo, query: str = "", timeout: float = 20) -> None:
    """Opens the WHIP test page and waits until it is connected and encoding."""
    driver.get(server.publisher_url(stream, query))
    wait_js(driver,
            "const p = window.marionettePublisher; if (!p) return null;"
            "return p.stats().then(s => ({state: p.state, detail: p.detail,"
            " encoded: s && s.video ? s.video.framesEncoded : 0}))",
            lambda v: v is not None and v["state"] == "connected" and v["encoded"] > 0,
            timeout, "the WHIP publisher page to connect and encode")


# ---------------------------------------------------------------------------------------------
# aiortc peers
# ---------------------------------------------------------------------------------------------


def require_aiortc() -> None:
    try:
        import aiortc  # noqa: F401
        import av  # noqa: F401
    except ImportError:
        missing("aiortc/av (pip install -r Tests/e2e/requirements.txt)")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def make_barcode_track(width: int = 640, height: int = 480, fps: int = 30) -> Any:
    """An aiortc video track: moving pattern with the capture-time bar code, stamped when the
    frame is produced (before encoding), like the runner's testsrc."""
    import av
    import numpy as np
    from aiortc import VideoStreamTrack

    class BarcodeVideoTrack(VideoStreamTrack):
        def __init__(self) -> None:
            super().__init__()
            self.frames = 0
            self._start = time.monotonic()

        async def recv(self) -> av.VideoFrame:
            # Pace at `fps` with our own clock (VideoStreamTrack.next_timestamp is fixed at 30 fps).
            due = self._start + self.frames / fps
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            rgb = np.empty((height, width, 3), dtype=np.uint8)
            rgb[:] = (32, 64, 96)
            x = int((self.frames * 6) % width)
            rgb[height // 3 : 2 * height // 3, x : x + width // 8] = (224, 192, 64)
            barcode.paint(rgb, now_ms())
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = int(self.frames * 90000 / fps)
            frame.time_base = fractions.Fraction(1, 90000)
            self.frames += 1
            return frame

    return BarcodeVideoTrack()


class _AiortcPeer:
    kind = ""

    def __init__(self, base_url: str, stream_id: str, token: str) -> None:
        self.endpoint = f"{base_url}/api/v1/streams/{stream_id}/{self.kind}"
        self.token = token
        self.pc: Any = None
        self.location: str | None = None
        self.answer_sdp = ""
        self.post_started: float | None = None  # time.monotonic() when the POST was sent

    async def _negotiate(self) -> None:
        from aiortc import RTCSessionDescription

        # aiortc gathers every candidate inside setLocalDescription: the offer is complete, so
        # nothing needs trickling (the server is ICE-lite and answers with its host candidates).
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self.post_started = time.monotonic()
        result = await asyncio.to_thread(
            http, "POST", self.endpoint, self.pc.localDescription.sdp.encode(),
            {"Content-Type": "application/sdp", "Authorization": f"Bearer {self.token}"})
        if result.status not in (200, 201):
            raise AssertionError(f"{self.kind.upper()} POST: {result.status} {result.body[:300]!r}")
        location = result.headers.get("location")
        self.location = urllib.parse.urljoin(self.endpoint, location) if location else None
        self.answer_sdp = result.body.decode()
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=self.answer_sdp, type="answer"))

    async def close(self) -> None:
        if self.location:
            await asyncio.to_thread(http, "DELETE", self.location, None, {"Authorization": f"Bearer {self.token}"})
            self.location = None
        if self.pc:
            await self.pc.close()


class AiortcWhepViewer(_AiortcPeer):
    """aiortc as a WHEP viewer: counts decoded frames, reads bar codes, times the first frame."""

    kind = "whep"

    def __init__(self, base_url: str, stream_id: str, token: str, audio: bool = False) -> None:
        super().__init__(base_url, stream_id, token)
        self.audio = audio
        self.frames = 0
        self.audio_frames = 0
        self.first_frame_ms: float | None = None  # POST → first decoded frame
        self.size: tuple[int, int] | None = None
        self.barcodes = 0
        self.latencies: list[float] = []  # now − bar-code capture time, ms (same host)
        self._tasks: list[asyncio.Task] = []
        self._last_capture: int | None = None

    async def start(self) -> "AiortcWhepViewer":
        from aiortc import RTCPeerConnection

        self.pc = RTCPeerConnection()
        self.pc.addTransceiver("video", direction="recvonly")
        if self.audio:
            self.pc.addTransceiver("audio", direction="recvonly")

        @self.pc.on("track")
        def on_track(track: Any) -> None:
            self._tasks.append(asyncio.ensure_future(self._consume(track)))

        await self._negotiate()
        return self

    async def _consume(self, track: Any) -> None:
        from aiortc.mediastreams import MediaStreamError

        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track.kind == "audio":
                self.audio_frames += 1
                continue
            self.frames += 1
            if self.first_frame_ms is None and self.post_started is not None:
                self.first_frame_ms = (time.monotonic() - self.post_started) * 1000
            self.size = (frame.width, frame.height)
            band = barcode.band_height(frame.width)
            luma = frame.to_ndarray(format="gray")[:band]
            captured = barcode.decode_luma(luma)
            if captured is not None and captured != self._last_capture:
                self._last_capture = captured
                self.barcodes += 1
                self.latencies.append(now_ms() - captured)

    async def wait_frames(self, count: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.frames < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.frames

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await super().close()


class AiortcWhipPublisher(_AiortcPeer):
    """aiortc as a WHIP publisher of the bar-code test pattern (plus silence when audio is on)."""

    kind = "whip"

    def __init__(self, base_url: str, stream_id: str, token: str, audio: bool = True,
                 width: int = 640, height: int = 480, fps: int = 30) -> None:
        super().__init__(base_url, stream_id, token)
        self.audio = audio
        self.track_args = (width, height, fps)
        self.video_track: Any = None

    async def start(self) -> "AiortcWhipPublisher":
        from aiortc import RTCPeerConnection
        from aiortc.mediastreams import AudioStreamTrack

        self.pc = RTCPeerConnection()
        self.video_track = make_barcode_track(*self.track_args)
        self.pc.addTransceiver(self.video_track, direction="sendonly")
        if self.audio:
            self.pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        await self._negotiate()
        return self

    async def wait_connected(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.pc.connectionState != "connected":
            if time.monotonic() > deadline or self.pc.connectionState in ("failed", "closed"):
                raise AssertionError(f"aiortc WHIP publisher not connected: {self.pc.connectionState}")
            await asyncio.sleep(0.05)


class AsyncLoop:
    """An asyncio loop on its own thread, so aiortc keeps sending and receiving media while the
    test's main thread blocks in Selenium calls. `run(coro)` waits for one coroutine."""

    def __init__(self) -> None:
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="aiortc-loop", daemon=True)
        self.thread.start()

    def run(self, coro: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.run(cancel_all(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
