"""Desktop audio end to end (streaming.md §5.2 Audio, capture.md §3): a throwaway PulseAudio with a
null sink (what a headless runner has) and a tone playing into it, a `desktop` stream with
`"audio": true` whose runner records the sink's monitor (libpulse) and encodes Opus, the SFU, and
Chromium on the viewer page: the audio track is Opus, it carries the tone's energy (silence would
not), and the stream shares the video's clock. Without a PulseAudio server the stream fails with
`audio_unavailable`."""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

import common
from test_desktop import Display, _sessions, desktop_stream, end_sessions  # noqa: F401 (the fixture ends each test's session)
from test_testsrc import wait_state


class Pulse:
    """PulseAudio in its own folder under /tmp (the runner's sandbox binds it back), null sink."""

    def __init__(self) -> None:
        for tool in ("pulseaudio", "pacat"):
            if not shutil.which(tool):
                common.missing(f"{tool} (scripts/install-deps.sh installs pulseaudio, pulseaudio-utils)")
        self.dir = tempfile.mkdtemp(prefix="marionette-pulse-", dir="/tmp")
        self.server = f"unix:{self.dir}/native"
        self.env = dict(os.environ, HOME=self.dir, XDG_RUNTIME_DIR=self.dir, PULSE_RUNTIME_PATH=self.dir,
                        PULSE_STATE_PATH=self.dir, XDG_CONFIG_HOME=self.dir)
        self.env.pop("PULSE_SERVER", None)
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
             "-L", f"module-native-protocol-unix socket={self.dir}/native auth-anonymous=1",
             "-L", "module-null-sink sink_name=marionette_e2e"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.player: subprocess.Popen | None = None
        deadline = time.monotonic() + 10
        while not Path(f"{self.dir}/native").exists():
            assert self.process.poll() is None, f"pulseaudio exited with {self.process.returncode}"
            assert time.monotonic() < deadline, "pulseaudio did not create its socket within 10 s"
            time.sleep(0.02)

    def play_tone(self, frequency: float = 440.0, seconds: float = 60.0) -> None:
        """A sine into the null sink, at low latency (the sink then renders in small blocks)."""
        self.player = subprocess.Popen(
            ["pacat", "--playback", "--raw", "--format=s16le", "--rate=48000", "--channels=2", "--latency-msec=20"],
            env=dict(self.env, PULSE_SERVER=self.server), stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        frames = b"".join(struct.pack("<hh", v, v) for v in (
            int(16000 * math.sin(2 * math.pi * frequency * n / 48000)) for n in range(48000)))
        stdin = self.player.stdin

        def feed() -> None:
            try:
                for _ in range(int(seconds)):
                    stdin.write(frames)
                stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass

        threading.Thread(target=feed, daemon=True).start()

    def stop(self) -> None:
        for process in (self.player, self.process):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def pulse() -> Iterator[Pulse]:
    p = Pulse()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def server(pulse):
    # The local provider passes PULSE_SERVER to the runners it starts.
    yield from common.started_server({"MARIONETTE_PROVIDERS_DEFAULT": "local", "PULSE_SERVER": pulse.server})


@pytest.fixture
def display() -> Iterator[Display]:
    d = Display()
    yield d
    d.stop()


def audio_stats(page):
    stats = page.execute_script("return window.marionetteViewer.stats()")
    return (stats or {}).get("audio") or {}


def test_desktop_audio_reaches_the_viewer_with_the_tone(server, pulse, display, chromium) -> None:
    pulse.play_tone(440)
    display.paint("#336699")
    stream = desktop_stream(server, display, audio=True)
    assert stream.raw.get("audio") is True, stream.raw
    assert wait_state(server, stream.stream_id, "active", 30) == "active", server.log_tail()
    page = chromium("desktop-audio")
    # audio=1: unmuted playback (autoplay is allowed in the test browser); a muted element's audio
    # is not played out, so Chromium would report no energy for it.
    common.open_viewer(page, server, stream, query="audio=1")
    common.wait_js(page, "return window.marionetteViewer.framesDecoded()", lambda n: n and n > 10, 15, "video frames")
    first = common.wait_js(
        page, "const s = window.marionetteViewer.stats(); return s", lambda s: s and s.get("audio") and s["audio"].get("packets", 0) > 25,
        15, "audio packets")["audio"]
    time.sleep(2)
    later = audio_stats(page)
    packets = later.get("packets", 0) - first.get("packets", 0)
    energy = later.get("totalAudioEnergy", 0) - first.get("totalAudioEnergy", 0)
    samples = later.get("totalSamplesReceived", 0) - first.get("totalSamplesReceived", 0)
    concealed = later.get("concealedSamples", 0) - first.get("concealedSamples", 0)
    common.report("desktop_audio", {"codec": later.get("codec"), "packets_2s": packets, "energy_2s": energy,
                                    "samples_2s": samples, "concealed_2s": concealed, "lost": later.get("packetsLost")})
    assert "opus" in (later.get("codec") or "").lower(), f"audio codec {later.get('codec')}"
    assert packets >= 80, f"{packets} Opus packets in 2 s (50 a second expected)"
    # A 440 Hz sine at half scale: energy well above silence's 0 (Chromium integrates level² over time).
    assert energy > 0.01, f"audio energy {energy} over 2 s: silence, not the tone"


def test_no_pulseaudio_fails_the_stream_with_audio_unavailable(display) -> None:
    # A server whose runners see no PulseAudio at all.
    srv = common.Server({"MARIONETTE_PROVIDERS_DEFAULT": "local", "PULSE_SERVER": "unix:/nonexistent/pulse/native"})
    try:
        srv.start()
        stream = desktop_stream(srv, display, audio=True)
        state = wait_state(srv, stream.stream_id, "failed", 30)
        detail = srv.api("GET", f"/api/v1/streams/{stream.stream_id}").json()
        assert state == "failed", detail
        assert detail.get("error_code") == "audio_unavailable", detail
        assert "PULSE_SERVER" in (detail.get("error") or ""), detail
    finally:
        while _sessions and _sessions[-1][0] is srv:
            srv.api("DELETE", f"/api/v1/sessions/{_sessions.pop()[1]}")
        srv.stop()
