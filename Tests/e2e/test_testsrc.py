"""The runner-generated test pattern end to end (issue: testsrc; streaming.md §5.1): the local
provider starts a real marionette-agent, a `testsrc` stream makes it encode a moving pattern with
the capture time as a bar code (libvpx VP8, or VP9 on request), the frames ride the agent's `Media` RPC, the SFU
packetizes each frame once, and aiortc as a WHEP viewer decodes them and reads the bar codes;
a Chromium viewer page measures glass-to-glass latency (display time − capture time)."""

from __future__ import annotations

import time

import pytest

import common

MIN_FRAMES = 60


@pytest.fixture(scope="module")
def server():
    # The local provider (not "none"): the session's runner is a real agent started by the server.
    yield from common.started_server({"MARIONETTE_PROVIDERS_DEFAULT": "local"})


def new_testsrc_stream(server: common.Server, width: int = 1280, height: int = 720, codec: str | None = None) -> common.StreamInfo:
    created = server.api("POST", "/api/v1/sessions", {"agent": "command"})
    assert created.status == 201, created.body[:300]
    session_id = created.json()["id"]
    # A long task makes the server start the session's runner (the local provider spawns on work).
    task = server.api("POST", f"/api/v1/sessions/{session_id}/tasks", {"prompt": "sleep 600"})
    assert task.status == 201, task.body[:300]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.api("GET", f"/api/v1/sessions/{session_id}").json().get("status") == "active":
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"session never became active:\n{server.log_tail()}")
    body = {"type": "testsrc", "width": width, "height": height, "fps": 30}
    if codec:
        body["video_codec"] = codec
    stream = server.api("POST", f"/api/v1/sessions/{session_id}/streams", body)
    assert stream.status == 201, stream.body[:300]
    data = stream.json()
    return common.StreamInfo(session_id, data["id"], data["viewer_token"], None, data)


def wait_state(server: common.Server, stream_id: str, state: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    current = ""
    while time.monotonic() < deadline:
        current = server.api("GET", f"/api/v1/streams/{stream_id}").json().get("state", "")
        if current == state:
            break
        time.sleep(0.1)
    return current


def test_aiortc_decodes_testsrc_and_reads_its_bar_codes(server, aio) -> None:
    stream = new_testsrc_stream(server)
    viewer = common.AiortcWhepViewer(server.base_url, stream.stream_id, stream.viewer_token)
    aio.run(viewer.start())
    try:
        frames = aio.run(viewer.wait_frames(MIN_FRAMES, 40), timeout=50)
        state = wait_state(server, stream.stream_id, "active", 5)
        common.report("testsrc_to_aiortc", {
            "frames": frames, "size": viewer.size, "barcodes": viewer.barcodes,
            "first_frame_ms": viewer.first_frame_ms,
            "glass_to_glass_p50_ms": common.percentile(viewer.latencies, 0.5),
            "glass_to_glass_p95_ms": common.percentile(viewer.latencies, 0.95),
        })
        assert frames >= MIN_FRAMES, f"only {frames} frames decoded:\n{server.log_tail()}"
        assert viewer.size == (1280, 720)
        assert viewer.barcodes >= MIN_FRAMES // 2, f"only {viewer.barcodes} bar codes read in {frames} frames"
        assert state == "active", f"stream state {state}"
        # The SFU's sender reports for the runner source (mapping from the capture clock) reach aiortc.
        reports = [s for s in aio.run(viewer.pc.getStats()).values()
                   if s.type == "remote-outbound-rtp" and s.kind == "video"]
        common.report("testsrc_to_aiortc_sender_report", [
            {"packetsSent": s.packetsSent, "bytesSent": s.bytesSent, "remoteTimestamp": str(s.remoteTimestamp)}
            for s in reports])
        assert reports and reports[0].packetsSent > 0, "aiortc saw no sender report"
        age = time.time() - reports[0].remoteTimestamp.timestamp()
        assert -2 < age < 5, f"sender report NTP time {age:.3f} s from now"
    finally:
        aio.run(viewer.close())
    stopped = server.api("DELETE", f"/api/v1/streams/{stream.stream_id}")
    assert stopped.status == 204


def test_chromium_viewer_glass_to_glass(server, chromium) -> None:
    stream = new_testsrc_stream(server)
    viewer = chromium("viewer")
    common.open_viewer(viewer, server, stream)
    time.sleep(8)
    latencies = viewer.execute_script("return window.marionetteViewer.latencies") or []
    frames = viewer.execute_script("return window.marionetteViewer.framesDecoded()")
    first = viewer.execute_script("return window.marionetteViewer.timeToFirstFrameMs")
    common.report("testsrc_chromium_glass_to_glass_ms", {
        "n": len(latencies), "p50": common.percentile(latencies, 0.5), "p95": common.percentile(latencies, 0.95),
        "frames": frames, "first_frame_ms": first})
    stats = viewer.execute_script("return window.marionetteViewer.stats()")
    common.check_sender_reports(stats, "testsrc_chromium_sender_reports", min_reports=5)
    assert frames >= 100, f"only {frames} frames decoded in 8 s"
    assert len(latencies) >= 20, "the viewer page read too few bar codes"


def test_chromium_decodes_a_vp9_testsrc_and_reads_its_bar_codes(server, chromium) -> None:
    """`video_codec: vp9`: libvpx VP9 on the runner, RFC 9628 packets from the SFU, Chromium decodes
    them and the page reads the capture-time bar codes back (a picture that decodes but is wrong
    would not give bar codes)."""
    stream = new_testsrc_stream(server, 640, 360, codec="vp9")
    viewer = chromium("viewer-vp9")
    common.open_viewer(viewer, server, stream)
    time.sleep(4)
    stats = viewer.execute_script("return window.marionetteViewer.stats()")
    latencies = viewer.execute_script("return window.marionetteViewer.latencies") or []
    frames = viewer.execute_script("return window.marionetteViewer.framesDecoded()")
    common.report("testsrc_vp9_chromium", {
        "codec": stats["video"].get("codec"), "frames": frames, "bar_codes": len(latencies),
        "p50_ms": common.percentile(latencies, 0.5)})
    assert "vp9" in (stats["video"].get("codec") or "").lower(), f"viewer decodes {stats['video'].get('codec')}"
    assert frames >= 60, f"only {frames} VP9 frames decoded in 4 s"
    assert len(latencies) >= 10, "the viewer page read too few bar codes from the VP9 picture"
