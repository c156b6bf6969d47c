"""H.264 and VP9 through the SFU (streaming.md §3.1, §12: "VP8, H.264, Opus"): Chromium publishes
its fake camera and microphone with WHIP in the stream's codec, Chromium viewers decode it through
the viewer page, with Opus audio beside it; a late joiner gets its first frame from the cached
key frame (which needs the SFU to see where the codec's key frames start)."""

from __future__ import annotations

import time

import pytest

import common

LATE_JOIN_P50_MS = 300.0


@pytest.mark.parametrize("codec", ["H264", "VP9"])
def test_chromium_codec_through_the_sfu(server, chromium, codec) -> None:
    stream = server.create_webrtc_stream(video_codec=codec.lower(), audio=True)
    publisher = chromium("publisher")
    common.open_publisher(publisher, server, stream, query=f"codec={codec}")
    viewer = chromium("viewer")
    common.open_viewer(viewer, server, stream, query=f"codec={codec}")
    start = viewer.execute_script("return window.marionetteViewer.framesDecoded()")
    time.sleep(3)
    stats = viewer.execute_script("return window.marionetteViewer.stats()")
    video, audio = stats["video"], stats.get("audio") or {}
    decoded = video["framesDecoded"] - start
    assert codec.lower() in (video.get("codec") or "").lower(), f"viewer decodes {video.get('codec')}, not {codec}"
    assert decoded >= 30, f"{decoded} {codec} frames in 3 s"
    assert "opus" in (audio.get("codec") or "").lower(), f"audio codec {audio.get('codec')}"

    # Late joiners: Chromium sends key frames only when asked, and the last one is seconds old now.
    late = chromium("viewer-late")
    figures = []
    for _ in range(5):
        late.get("about:blank")
        late.get(server.viewer_url(stream, f"codec={codec}"))
        ms = common.wait_js(late, "return window.marionetteViewer && window.marionetteViewer.timeToFirstFrameMs",
                            lambda v: v is not None, 15, f"the late {codec} viewer's first frame")
        figures.append(round(ms, 1))
    p50 = common.percentile(figures, 0.5)
    common.report(f"codec_{codec.lower()}", {
        "frames_in_3s": decoded, "video_codec": video.get("codec"), "audio_codec": audio.get("codec"),
        "late_join_ms": figures})
    assert p50 <= LATE_JOIN_P50_MS, f"{codec} late join p50 {p50} ms (samples {figures})"
