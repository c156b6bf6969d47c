"""Chromium publishes its fake camera with WHIP; a second Chromium watches through the viewer
page (WHEP). Proves the whole browser path through the SFU: SDP, ICE-lite, DTLS-SRTP, RTP
forwarding and keyframes — frames keep decoding for 10 s without a freeze over 500 ms
(streaming.md §10.1, §12) — and reports the SRTP profile Chromium negotiated (§3.2)."""

from __future__ import annotations

import time

import common

WATCH_SECONDS = 10.0
MAX_FREEZE_MS = 500.0
SAMPLE_INTERVAL = 0.1
# The fake camera runs at 30 fps; half of that over 10 s still proves steady decoding on a busy
# two-core machine while catching a stream that trickles.
MIN_FRAMES = int(WATCH_SECONDS * 15)


def test_chromium_whip_to_chromium_whep(server, chromium) -> None:
    stream = server.create_webrtc_stream()
    publisher = chromium("publisher")
    common.open_publisher(publisher, server, stream)
    viewer = chromium("viewer")
    common.open_viewer(viewer, server, stream)

    viewer.execute_script("window.marionetteViewer.resetFrameGap()")
    start = time.monotonic()
    first = last = viewer.execute_script("return window.marionetteViewer.framesDecoded()")
    last_rise = start
    worst_gap = 0.0
    while (now := time.monotonic()) - start < WATCH_SECONDS:
        frames = viewer.execute_script("return window.marionetteViewer.framesDecoded()")
        if frames > last:
            worst_gap = max(worst_gap, (now - last_rise) * 1000)
            last, last_rise = frames, now
        time.sleep(SAMPLE_INTERVAL)
    worst_gap = max(worst_gap, (time.monotonic() - last_rise) * 1000)  # a freeze at the very end counts

    stats = viewer.execute_script("return window.marionetteViewer.stats()")
    page_gap = viewer.execute_script("return window.marionetteViewer.maxFrameGapMs")
    pub_stats = publisher.execute_script("return window.marionettePublisher.stats()")
    video, transport = stats["video"], stats["transport"] or {}
    common.report("whip_whep_frames_decoded_in_10s", last - first)
    common.report("whip_whep_max_decode_gap_ms", round(worst_gap, 1))
    common.report("whip_whep_max_presented_gap_ms", round(page_gap, 1))
    common.report("whip_whep_viewer_video", {k: video.get(k) for k in (
        "codec", "width", "height", "fps", "framesDropped", "freezeCount", "packetsLost", "nackCount",
        "jitterBufferDelayMs", "keyFramesDecoded", "pliCount")})
    common.report("whip_whep_rtt_ms", (stats.get("candidatePair") or {}).get("rttMs"))
    common.report("whip_whep_srtp_cipher_viewer", transport.get("srtpCipher"))
    common.report("whip_whep_srtp_cipher_publisher", (pub_stats.get("transport") or {}).get("srtpCipher"))
    # The publisher's send side: its bandwidth estimate (driven by the SFU's REMB and, when
    # negotiated, transport-cc feedback) and what it sends.
    pub_video = pub_stats.get("video") or {}
    common.report("whip_whep_publisher_send", {
        "availableOutgoingKbps": (pub_stats.get("candidatePair") or {}).get("availableOutgoingKbps"),
        "bitrateKbps": pub_video.get("bitrateKbps"), "fps": pub_video.get("fps"),
        "width": pub_video.get("width"), "height": pub_video.get("height"),
        "qualityLimitationReason": pub_video.get("qualityLimitationReason")})

    assert last - first >= MIN_FRAMES, f"only {last - first} frames decoded in {WATCH_SECONDS} s"
    assert worst_gap <= MAX_FREEZE_MS, f"framesDecoded stalled for {worst_gap:.0f} ms (limit {MAX_FREEZE_MS})"
    # The SFU prefers AEAD_AES_128_GCM and Chromium offers it (streaming.md §3.2). Chromium
    # names the profile as BoringSSL does ("SRTP_AEAD_AES_128_GCM"; CM is reported as
    # "SRTP_AES128_CM_HMAC_SHA1_80"), older builds without the prefix.
    for side, t in (("viewer", transport), ("publisher", pub_stats.get("transport") or {})):
        assert "AEAD_AES_128_GCM" in (t.get("srtpCipher") or ""), f"{side} negotiated {t}"
    # The SFU's sender reports reach Chromium (remote-outbound-rtp), once a second for 10 s and more.
    common.check_sender_reports(stats, "whip_whep_viewer_sender_reports", min_reports=8)
    # The same stream as the SFU counts it (GET /api/v1/streams/{id}/stats): a publisher, the viewer
    # with its round trip from Chromium's receiver reports, frames in, packets out.
    sfu = server.stream_stats(stream)
    viewers = sfu.get("viewers") or []
    common.report("whip_whep_sfu_stats", {k: sfu.get(k) for k in (
        "viewer_count", "frames_received", "keyframes_received", "bitrate_in_kbps", "bitrate_out_kbps",
        "packets_out", "nacks_received", "rtx_sent", "plis_received", "keyframe_requests_sent",
        "sender_reports_sent", "target_bitrate_kbps")} | {"viewer_rtt_ms": viewers[0].get("rtt_ms") if viewers else None})
    assert sfu["publisher_connected"] and sfu["viewer_count"] == 1 and len(viewers) == 1, sfu
    assert sfu["frames_received"] >= MIN_FRAMES and sfu["packets_out"] >= video.get("packets", 0), sfu
    assert sfu["sender_reports_sent"] >= 8 and viewers[0]["receiver_reports_received"] >= 5, sfu
    assert viewers[0].get("rtt_ms") is not None and viewers[0]["rtt_ms"] < 100, viewers[0]
    errors = common.severe_errors(viewer) + common.severe_errors(publisher)
    assert not errors, f"console errors: {errors}"
