"""Loss recovery (streaming.md §3.5, issue "Loss"): the server drops 5 % of the SFU's outgoing media
packets on purpose (`sfu.test_drop_egress_percent`, honoured by debug builds only). A Chromium viewer
must keep decoding: it NACKs the holes, the SFU answers from its retransmission cache (RTX), and no
decode stall exceeds 500 ms."""

from __future__ import annotations

import time

import pytest

import common

WATCH_SECONDS = 10.0
MAX_FREEZE_MS = 500.0
MIN_FRAMES = int(WATCH_SECONDS * 12)


@pytest.fixture(scope="module")
def server():
    yield from common.started_server({"MARIONETTE_SFU_TEST_DROP_EGRESS_PERCENT": "5"})


def test_chromium_viewer_recovers_from_five_percent_loss(server, chromium) -> None:
    stream = server.create_webrtc_stream()
    publisher = chromium("publisher")
    common.open_publisher(publisher, server, stream)
    viewer = chromium("viewer")
    common.open_viewer(viewer, server, stream)

    viewer.execute_script("window.marionetteViewer.resetFrameGap()")
    start = last_rise = time.monotonic()
    first = last = viewer.execute_script("return window.marionetteViewer.framesDecoded()")
    worst_gap = 0.0
    while (now := time.monotonic()) - start < WATCH_SECONDS:
        frames = viewer.execute_script("return window.marionetteViewer.framesDecoded()")
        if frames > last:
            worst_gap = max(worst_gap, (now - last_rise) * 1000)
            last, last_rise = frames, now
        time.sleep(0.1)
    worst_gap = max(worst_gap, (time.monotonic() - last_rise) * 1000)
    video = viewer.execute_script("return window.marionetteViewer.stats()")["video"]
    common.report("loss5_frames_decoded_in_10s", last - first)
    common.report("loss5_max_decode_gap_ms", round(worst_gap, 1))
    common.report("loss5_viewer_video", {k: video.get(k) for k in (
        "packetsLost", "nackCount", "pliCount", "freezeCount", "framesDropped", "keyFramesDecoded", "fps")})

    assert (video.get("nackCount") or 0) > 0, "the viewer sent no NACKs: were packets dropped at all?"
    assert last - first >= MIN_FRAMES, f"only {last - first} frames decoded in {WATCH_SECONDS} s"
    assert worst_gap <= MAX_FREEZE_MS, f"framesDecoded stalled for {worst_gap:.0f} ms (limit {MAX_FREEZE_MS})"
