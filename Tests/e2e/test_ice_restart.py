"""ICE restart (streaming.md §2, §12; RFC 9725 §4.3): a Chromium viewer restarts ICE on its live
connection through the viewer page: new ICE credentials go to the SFU in a WHEP PATCH, the SFU
answers with its own; the same RTCPeerConnection (DTLS and SRTP kept) keeps decoding frames, with
no reconnect."""

from __future__ import annotations

import time

import common


def frames(viewer) -> int:
    return viewer.execute_script("return window.marionetteViewer.framesDecoded()")


def wait_for_frames(viewer, above: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        count = frames(viewer)
        if count > above:
            return count
        time.sleep(0.1)
    return frames(viewer)


def test_chromium_viewer_restarts_ice_without_reconnecting(server, chromium) -> None:
    stream = server.create_webrtc_stream()
    publisher = chromium("publisher")
    common.open_publisher(publisher, server, stream)
    viewer = chromium("viewer")
    common.open_viewer(viewer, server, stream)
    before = wait_for_frames(viewer, 0, 10)
    assert before > 0, "no frames before the restart"
    old_ufrag = viewer.execute_script("return window.marionetteViewer.remoteIceUfrag")

    started = time.monotonic()
    assert viewer.execute_script("return window.marionetteViewer.restartIce()") is True, \
        viewer.execute_script("return window.marionetteViewer.lastError")
    new_ufrag = viewer.execute_script("return window.marionetteViewer.remoteIceUfrag")
    assert new_ufrag and new_ufrag != old_ufrag, (old_ufrag, new_ufrag)

    # Frames keep coming on the same connection: no reconnect, no new WHEP POST.
    after = wait_for_frames(viewer, before + 30, 10)
    state = viewer.execute_script("return window.marionetteViewer.state")
    connects = viewer.execute_script("return window.marionetteViewer.connects")
    restarts = viewer.execute_script("return window.marionetteViewer.iceRestarts")
    common.report("ice_restart", {
        "frames_before": before, "frames_after": after, "seconds": round(time.monotonic() - started, 2),
        "state": state, "connects": connects})
    assert after > before + 30, f"frames stalled after the restart: {before} -> {after}"
    assert state == "connected" and connects == 1 and restarts == 1, (state, connects, restarts)

    # The transport moved to the new ICE generation: the SFU answered Chromium's checks made with
    # the new credentials (with the old ones only, the old generation would stay selected).
    local_ufrag = viewer.execute_script("return window.marionetteViewer.localIceUfrag")
    deadline = time.monotonic() + 10
    transport_ufrag = None
    while time.monotonic() < deadline:
        transport_ufrag = viewer.execute_script("return window.marionetteViewer.transportIceUfrag()")
        if transport_ufrag == local_ufrag:
            break
        time.sleep(0.2)
    assert transport_ufrag == local_ufrag, f"transport still on ufrag {transport_ufrag}, new local {local_ufrag}"
