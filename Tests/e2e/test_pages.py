"""The web pages on their own, without a media server: they load in Chromium under a
same-origin Content-Security-Policy without script errors, expose their test hooks, back off when
WHEP/WHIP fails, and the bar code reads the same in JavaScript and Python."""

from __future__ import annotations

import base64
import http.server
import threading
import time

import numpy as np
import pytest

import barcode
import common

CSP = "default-src 'self'; media-src 'self' blob: mediastream:; img-src 'self' data:"


class _PageHandler(http.server.BaseHTTPRequestHandler):
    """Serves the pages the way the server will: /streams/{id}/view|publish → the HTML, /web/* →
    the assets; WHEP/WHIP POSTs answer 503 so the pages exercise their retry path."""

    posts: list[tuple] = []  # (monotonic time, path, Authorization, Content-Type, body)

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        parts = [p for p in path.split("/") if p]
        if len(parts) == 3 and parts[0] == "streams" and parts[2] in ("view", "publish"):
            name = "viewer.html" if parts[2] == "view" else "whip-publisher.html"
            self._send(200, (common.WEB_DIR / name).read_bytes(), "text/html; charset=utf-8",
                       {"Content-Security-Policy": CSP})
        elif len(parts) == 2 and parts[0] == "web" and (common.WEB_DIR / parts[1]).is_file():
            ctype = {"js": "text/javascript", "css": "text/css", "html": "text/html"}[parts[1].rsplit(".", 1)[1]]
            self._send(200, (common.WEB_DIR / parts[1]).read_bytes(), ctype + "; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode(errors="replace")
        type(self).posts.append((time.monotonic(), self.path, self.headers.get("Authorization"),
                                 self.headers.get("Content-Type"), body))
        self._send(503, b'{"code":"service_unavailable","message":"no SFU here"}', "application/json")

    def do_DELETE(self) -> None:
        self._send(200, b"", "text/plain")


@pytest.fixture(scope="module")
def page_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def script_errors(driver) -> list[str]:
    """Console errors other than the 503s this test server gives on purpose and the failed input
    WebSocket upgrades (this plain HTTP server has no /input WebSocket; the page retries it)."""
    return [m for m in common.severe_errors(driver)
            if "status of 503" not in m and not ("WebSocket connection to" in m and "/input?" in m)]


def test_barcode_python_round_trip() -> None:
    for width, height in ((640, 480), (1280, 720), (1920, 1080), (320, 240)):
        rgb = np.zeros((height, width, 3), dtype=np.uint8)
        rgb[:] = 128
        ms = 1_767_000_000_123
        barcode.paint(rgb, ms)
        assert barcode.decode_rgb(rgb) == ms
        # One flipped data cell must be caught by the CRC.
        cell = 20
        a, b = barcode.cell_start(cell, width), barcode.cell_start(cell + 1, width)
        rgb[: barcode.band_height(width), a:b] = 255 - rgb[: barcode.band_height(width), a:b]
        assert barcode.decode_rgb(rgb) is None
    assert barcode.decode_rgb(np.zeros((480, 640, 3), dtype=np.uint8)) is None  # no contrast → none


def test_viewer_page_loads_and_retries(chromium, page_server) -> None:
    driver = chromium("viewer-static")
    driver.get(f"{page_server}/streams/str_0123456789abcdef/view?token=stok_test&stats=1")
    # The first POST fails with 503: the page must go to `reconnecting` with a 1 s backoff and
    # then try again (second POST), all without a script error.
    state = common.wait_js(driver, "return window.marionetteViewer && {state: marionetteViewer.state,"
                           " detail: marionetteViewer.detail, error: marionetteViewer.lastError}",
                           lambda v: v and v["state"] == "reconnecting", 10, "reconnecting state")
    assert "HTTP 503" in state["error"], state
    common.wait_js(driver, "return 1", lambda _: len([p for p in _PageHandler.posts if "/whep" in p[1]]) >= 2,
                   10, "a second WHEP POST after the backoff")
    posts = [p for p in _PageHandler.posts if "/whep" in p[1]]
    assert posts[0][1] == "/api/v1/streams/str_0123456789abcdef/whep"
    assert posts[0][2] == "Bearer stok_test"
    assert posts[0][3] == "application/sdp"
    offer = posts[0][4]
    assert "a=group:BUNDLE" in offer and "a=rtcp-mux" in offer and "a=recvonly" in offer
    assert "m=video" in offer and "m=audio" in offer
    gap = posts[1][0] - posts[0][0]
    assert 0.9 <= gap <= 3.5, f"first retry after {gap:.2f} s, expected ~1 s"
    hooks = driver.execute_script(
        "const v = window.marionetteViewer; return {latencies: Array.isArray(v.latencies),"
        " stats: typeof v.stats, frames: typeof v.framesDecoded, barcode: v.lastBarcode,"
        " overlay: !document.getElementById('stats').hidden,"
        " jbt: 'jitterBufferTarget' in RTCRtpReceiver.prototype,"
        " rvfc: 'requestVideoFrameCallback' in HTMLVideoElement.prototype}")
    common.report("viewer_static_hooks", hooks)
    assert hooks["latencies"] and hooks["stats"] == "function" and hooks["frames"] == "function"
    assert hooks["overlay"] and hooks["rvfc"], hooks
    # Ctrl+Alt+S toggles the overlay (a chord, so single keys stay free for remote input).
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).key_down(Keys.CONTROL).key_down(Keys.ALT).send_keys("s") \
        .key_up(Keys.ALT).key_up(Keys.CONTROL).perform()
    assert driver.execute_script("return document.getElementById('stats').hidden") is True
    errors = script_errors(driver)
    assert not errors, f"console errors: {errors}"


def test_viewer_page_asks_for_token(chromium, page_server) -> None:
    driver = chromium("viewer-token")
    driver.get(f"{page_server}/streams/str_0123456789abcdef/view")
    visible = common.wait_js(driver, "return window.marionetteViewer && marionetteViewer.state === 'needs-token'"
                             " && !document.getElementById('token-form').hidden", bool, 10, "token prompt")
    assert visible
    assert not script_errors(driver)


def test_publisher_page_loads_and_retries(chromium, page_server) -> None:
    driver = chromium("publisher-static")
    driver.get(f"{page_server}/streams/str_0123456789abcdef/publish?token=stok_pub")
    common.wait_js(driver, "return window.marionettePublisher && marionettePublisher.state",
                   lambda s: s == "reconnecting", 15, "publisher reconnecting after a failed POST")
    posts = [p for p in _PageHandler.posts if "/whip" in p[1]]
    assert posts and posts[0][2] == "Bearer stok_pub"
    offer = posts[0][4]
    assert "a=sendonly" in offer and "m=video" in offer and "m=audio" in offer
    assert not script_errors(driver), script_errors(driver)


def test_barcode_javascript_matches_python(chromium, page_server) -> None:
    driver = chromium("barcode")
    driver.get(f"{page_server}/streams/str_x/view?token=t")
    common.wait_js(driver, "return !!window.MarionetteBarcode", bool, 10, "barcode.js")
    ms = 1_767_000_000_456
    for width, height in ((640, 480), (1280, 720), (1366, 768)):
        # JavaScript paints and reads its own code.
        js_round = driver.execute_script(
            "const [w, h, ms] = arguments; const c = new OffscreenCanvas(w, h);"
            "const x = c.getContext('2d'); x.fillStyle = '#777'; x.fillRect(0, 0, w, h);"
            "MarionetteBarcode.paint(x, w, ms);"
            "const b = MarionetteBarcode.bandHeight(w);"
            "const d = x.getImageData(0, 0, w, h);"
            "return {decoded: MarionetteBarcode.decode(d.data, w),"
            " rgba: btoa(String.fromCharCode.apply(null, d.data.subarray(0, w * (b + 4) * 4)))}",
            width, height, ms)
        assert js_round["decoded"] == ms, (width, js_round["decoded"])
        # Python reads what JavaScript painted.
        rgba = np.frombuffer(base64.b64decode(js_round["rgba"]), dtype=np.uint8).reshape(-1, width, 4)
        assert barcode.decode_rgb(rgba) == ms
        # JavaScript reads what Python painted.
        rgb = np.full((height, width, 3), 90, dtype=np.uint8)
        barcode.paint(rgb, ms + 1)
        band = barcode.band_height(width)
        top = np.concatenate([rgb[:band], np.full((band, width, 1), 255, dtype=np.uint8)], axis=2)
        decoded = driver.execute_script(
            "const [b64, w] = arguments; const s = atob(b64); const a = new Uint8ClampedArray(s.length);"
            "for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);"
            "return MarionetteBarcode.decode(a, w)",
            base64.b64encode(top.tobytes()).decode(), width)
        assert decoded == ms + 1, (width, decoded)
    # Both implementations agree on the CRC.
    assert driver.execute_script("return MarionetteBarcode.crc8([1,2,3,4,5,6,7,8])") == barcode.crc8(bytes(range(1, 9)))
    assert not script_errors(driver)
