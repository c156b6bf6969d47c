"""Media the scrcpy device simulator streams: a real H.264 bitstream made by Debian's ffmpeg/libx264
and an Opus stream made by ffmpeg/libopus, cut the way an Android device's MediaCodec hands them to
the scrcpy server (scrcpy.md §5.5, §5.6, §9).

H.264: Annex B, Constrained Baseline, no B-frames, one slice per picture, one IDR at the start of
the clip (the clip is one GOP long, so every loop of it starts with an IDR). Like MediaCodec, the
SPS and PPS come once, as the session's config packet, and are stripped from every access unit
(x264's version SEI too). libx264 flags its Baseline SPS `42c0` (constraint_set0+1); the set2 bit is
set as well (`42e0`, what an encoder asked for Constrained Baseline writes and what browsers offer):
a stream without FMO/ASO/redundant slices conforms to Baseline, Main and Extended alike, so the flag
is true of this bitstream.

Opus: 48 kHz stereo, 20 ms packets, read out of ffmpeg's Ogg output (RFC 7845): the 19-byte
OpusHead is the config packet, then one packet per Ogg segment run.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

NAL_SLICE = 1
NAL_IDR = 5
NAL_SEI = 6
NAL_SPS = 7
NAL_PPS = 8
NAL_AUD = 9


def split_nals(data: bytes) -> list[bytes]:
    """NAL units of an Annex B byte stream, start codes removed (3- and 4-byte start codes)."""
    nals: list[bytes] = []
    starts: list[tuple[int, int]] = []  # (start code offset, payload offset)
    i = 0
    n = len(data)
    while True:
        j = data.find(b"\x00\x00\x01", i)
        if j < 0:
            break
        code = j - 1 if j > 0 and data[j - 1] == 0 else j
        starts.append((code, j + 3))
        i = j + 3
    for index, (_, payload) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else n
        nal = data[payload:end]
        if nal:
            nals.append(nal)
    return nals


def annex_b(nals: list[bytes]) -> bytes:
    return b"".join(b"\x00\x00\x00\x01" + nal for nal in nals)


@dataclass
class H264Clip:
    width: int
    height: int
    fps: int
    config: bytes                    # Annex B SPS + PPS (the config packet)
    access_units: list[bytes]        # Annex B, SPS/PPS/SEI stripped
    keyframes: list[bool] = field(default_factory=list)

    @property
    def sps(self) -> bytes:
        return split_nals(self.config)[0]


def _ffmpeg() -> str:
    for candidate in ("/usr/bin/ffmpeg", "ffmpeg"):
        if os.path.sep not in candidate or os.path.exists(candidate):
            return candidate
    return "ffmpeg"


def _candidates(cache_dir: str | None) -> list[str]:
    return ([cache_dir] if cache_dir else []) + [os.environ.get("TMPDIR", "/tmp") + "/marionette-scrcpy-sim"]


def _cached(name: str, cache_dir: str | None) -> Path | None:
    """A clip made earlier, possibly in a folder this process may only read (a test prepares clips
    outside the runner's sandbox)."""
    for candidate in _candidates(cache_dir):
        path = Path(candidate) / name
        if path.exists():
            return path
    return None


def _cache_dir(cache_dir: str | None) -> Path:
    for candidate in _candidates(cache_dir):
        path = Path(candidate)
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
            return path
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix="marionette-scrcpy-sim-"))


def _generate(argv: list[str], out: Path) -> None:
    tmp = out.with_suffix(out.suffix + f".{os.getpid()}.part")
    result = subprocess.run(argv + [str(tmp)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({result.returncode}): {result.stderr[-2000:]}")
    os.replace(tmp, out)


def h264_clip(width: int, height: int, fps: int, seconds: int, bitrate: int, cache_dir: str | None = None,
              static: bool = False) -> H264Clip:
    """A `seconds`-long clip (one GOP) of ffmpeg's moving testsrc2 pattern, cached by its parameters.
    `static`: one still picture repeated, encoded as genuine P-frames of an unchanged picture (what
    MediaCodec emits for a static screen with KEY_REPEAT_PREVIOUS_FRAME_AFTER)."""
    name = f"h264-{width}x{height}-{fps}fps-{seconds}s-{bitrate}bps{'-static' if static else ''}.h264"
    source = f"testsrc2=size={width}x{height}:rate={fps}"
    if static:
        source += f",trim=end_frame=1,loop=loop=-1:size=1:start=0,setpts=N/{fps}/TB"
    path = _cached(name, cache_dir)
    if path is None:
        path = _cache_dir(cache_dir) / name
        _generate([
            _ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", source, "-t", str(seconds), "-r", str(fps),
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline",
            "-level", "3.1", "-bf", "0", "-g", str(fps * seconds), "-x264-params", "scenecut=0",
            # One slice per picture (zerolatency would slice per thread), one access unit per packet.
            "-threads", "1", "-pix_fmt", "yuv420p", "-b:v", str(bitrate), "-f", "h264",
        ], path)
    return parse_h264(path.read_bytes(), width, height, fps)


def h264_barcode_clip(width: int, height: int, fps: int, seconds: int, bitrate: int, cache_dir: str | None = None) -> H264Clip:
    """bench/android's clip: the moving testsrc2 pattern with frame i carrying the value i in the
    Marionette bar code (Sources/Gateway/Resources/web/viewer.js, version 1; the 64-bit field normally
    holds a capture time), so a viewer that reads the bar code of a decoded frame knows which access
    unit it was and can look up when the simulator sent it. Encoded like `h264_clip` (libx264
    Constrained Baseline, ultrafast, zerolatency, one GOP, one slice per picture) at `bitrate` with no
    cap, level 4.2 (1080p60). Generated once per parameter set (testsrc2 → raw I420 → the band painted
    into each picture here → libx264) and cached like the other clips."""
    name = f"h264-barcode-{width}x{height}-{fps}fps-{seconds}s-{bitrate}bps.h264"
    path = _cached(name, cache_dir)
    if path is None:
        path = _cache_dir(cache_dir) / name
        tmp = path.with_suffix(path.suffix + f".{os.getpid()}.part")
        frames = fps * seconds
        source = subprocess.Popen([
            _ffmpeg(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}",
            "-frames:v", str(frames), "-pix_fmt", "yuv420p", "-f", "rawvideo", "-"], stdout=subprocess.PIPE)
        encoder = subprocess.Popen([
            _ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline",
            "-level", "4.2", "-bf", "0", "-g", str(frames), "-x264-params", "scenecut=0",
            "-threads", "1", "-pix_fmt", "yuv420p", "-b:v", str(bitrate), "-f", "h264", str(tmp)],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        luma, chroma = width * height, (width // 2) * (height // 2)
        band = max(4, width // 80)
        quiet = band // 2
        chroma_rows = min(height // 2, (band + quiet + 1) // 2)
        grey = bytes([128]) * ((width // 2) * chroma_rows)
        try:
            for index in range(frames):
                picture = bytearray(source.stdout.read(luma + 2 * chroma))
                if len(picture) < luma + 2 * chroma:
                    raise RuntimeError(f"testsrc2 ended after {index} of {frames} pictures")
                row = bytearray(width)
                for cell, bit in enumerate(_barcode_cells(index)):
                    a, b = cell * width // 80, (cell + 1) * width // 80
                    row[a:b] = bytes([235 if bit else 16]) * (b - a)
                picture[: band * width] = bytes(row) * band
                picture[band * width: (band + quiet) * width] = bytes([16]) * (quiet * width)
                picture[luma: luma + len(grey)] = grey
                picture[luma + chroma: luma + chroma + len(grey)] = grey
                encoder.stdin.write(picture)
            encoder.stdin.close()
            error = encoder.stderr.read().decode(errors="replace")
            if encoder.wait() != 0:
                raise RuntimeError(f"ffmpeg (libx264) failed: {error[-2000:]}")
            os.replace(tmp, path)
        finally:
            for process in (source, encoder):
                if process.poll() is None:
                    process.kill()
                    process.wait()
            if tmp.exists():
                tmp.unlink()
    return parse_h264(path.read_bytes(), width, height, fps)


def _barcode_cells(value: int) -> list[int]:
    """The 80 cells of the bar code carrying `value`: start guard 1010, 64 bits MSB first, CRC-8
    (poly 0x07, init 0) of the 8 bytes, stop guard 0101 (same as Tests/e2e/barcode.py)."""
    data = int(value).to_bytes(8, "big")
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    bits = [1, 0, 1, 0]
    for byte in data + bytes([crc]):
        bits.extend((byte >> k) & 1 for k in range(7, -1, -1))
    return bits + [0, 1, 0, 1]


def parse_h264(data: bytes, width: int, height: int, fps: int) -> H264Clip:
    sps = pps = None
    units: list[bytes] = []
    keys: list[bool] = []
    pending: list[bytes] = []
    for nal in split_nals(data):
        kind = nal[0] & 0x1F
        if kind == NAL_SPS:
            sps = sps or nal
        elif kind == NAL_PPS:
            pps = pps or nal
        elif kind in (NAL_SEI, NAL_AUD):
            continue  # MediaCodec writes neither
        elif kind in (NAL_SLICE, NAL_IDR):
            pending.append(nal)
            units.append(annex_b(pending))
            keys.append(kind == NAL_IDR)
            pending = []
        else:
            pending.append(nal)
    if sps is None or pps is None or not units or not keys[0]:
        raise RuntimeError("the generated H.264 stream lacks SPS/PPS or does not start with an IDR")
    patched = bytearray(sps)
    if patched[1] == 0x42:
        patched[2] |= 0x20  # constraint_set2: see the module comment
    return H264Clip(width, height, fps, annex_b([bytes(patched), pps]), units, keys)


@dataclass
class OpusClip:
    head: bytes              # 19-byte OpusHead (the config packet)
    packets: list[bytes]     # 20 ms each


def opus_clip(seconds: int, cache_dir: str | None = None) -> OpusClip:
    path = _cached(f"opus-{seconds}s.ogg", cache_dir)
    if path is None:
        path = _cache_dir(cache_dir) / f"opus-{seconds}s.ogg"
        _generate([
            _ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(seconds), "-ac", "2",
            "-c:a", "libopus", "-b:a", "128k", "-frame_duration", "20", "-application", "lowdelay", "-f", "ogg",
        ], path)
    return parse_ogg_opus(path.read_bytes())


def parse_ogg_opus(data: bytes) -> OpusClip:
    """Ogg pages (RFC 3533) → packets; the first is OpusHead, the second OpusTags."""
    packets: list[bytes] = []
    partial = b""
    offset = 0
    while offset + 27 <= len(data):
        if data[offset:offset + 4] != b"OggS":
            raise RuntimeError(f"not an Ogg page at {offset}")
        segments = data[offset + 26]
        table = data[offset + 27:offset + 27 + segments]
        body = offset + 27 + segments
        for size in table:
            partial += data[body:body + size]
            body += size
            if size < 255:
                packets.append(partial)
                partial = b""
        offset = body
    if len(packets) < 3 or not packets[0].startswith(b"OpusHead"):
        raise RuntimeError("no Opus stream in the Ogg data")
    head = packets[0][:19]
    return OpusClip(head, packets[2:])
