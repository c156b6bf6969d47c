#!/usr/bin/env python3
"""The device side of scrcpy 3.3.4 (and 4.1), byte for byte (scrcpy.md §9): what
`adb shell CLASSPATH=/data/local/tmp/scrcpy-server.jar app_process / com.genymobile.scrcpy.Server
VERSION key=value…` runs on a phone, for tests. The `adb` stand-in next to this file starts it in
place of that command, with the tunnel the real adb would have set up:

  scrcpy_device.py --device-json '{…}' --jar PATH (--connect PORT | --listen PORT) [--record DEST] -- VERSION ARGS…

- Arguments are parsed as the server does (§3.2): exact version match, key=value split at the first
  `=`, hex scid, Java booleans, unknown keys warned, malformed values fatal (exit 1).
- Sockets in order video → audio → control (each omitted when disabled); reverse mode connects,
  forward mode listens and writes the dummy byte on the first socket; the 64-byte device meta goes
  on the first socket once all are connected; each socket is written by its own thread.
- Video: codec id, the 3.3.4 size header (4.1: a session packet), the config packet (SPS/PPS), then
  one access unit per packet with PTS from the monotonic clock in µs, looping a real libx264 clip
  (bitstreams.py). A device with `"screen": "static"` shows a still picture: a P-frame of the
  unchanged picture every 100 ms (MediaCodec's KEY_REPEAT_PREVIOUS_FRAME_AFTER). A device with
  `"barcode": "frame-index"` (bench/android; off by default) streams bitstreams.h264_barcode_clip at the
  asked video_bit_rate (no 4 Mbit/s cap) and records `{"event": "frame", "index": i, "sent": wall time}`
  as each access unit is written, so a viewer's decoded bar code can be matched to its send time. RESET_VIDEO and ROTATE_DEVICE restart the encoder session (new config + IDR;
  4.1: a session packet first).
- Audio: codec id `opus`, the OpusHead config packet, 20 ms Opus packets on the same clock; or codec
  id 0 when the device config says `"audio": "disabled"` (Android < 11).
- Control: every message parsed strictly (§6) and recorded; touch/scroll with a screen size other
  than the current video size dropped (recorded with `"dropped": true`); at most 10 pointers; an
  unknown type ends the server (3.3.4: silently, exit 0); SET_CLIPBOARD with a sequence is ACKed;
  GET_CLIPBOARD answers only with autosync off; a device clipboard change is sent with autosync on.
- Recording (`--record`): JSON lines, to a file or `tcp:HOST:PORT`. Over TCP the test may send
  commands back, one JSON object per line: `{"clipboard": "text"}` (the device's clipboard changes),
  `{"rotate": true}`, `{"disconnect": true}` (the USB cable is pulled: every socket is reset and the
  process dies at once).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bitstreams  # noqa: E402

VERSIONS = ("3.3.4", "4.1")
CODEC_IDS = {"h264": 0x68323634, "h265": 0x68323635, "av1": 0x00617631, "vp8": 0x00767038, "vp9": 0x00767039,
             "opus": 0x6F707573, "aac": 0x00616163, "flac": 0x666C6163, "raw": 0x00726177}
LOG_LEVELS = ("VERBOSE", "DEBUG", "INFO", "WARN", "ERROR")
MAX_POINTERS = 10
CONTROL_TYPE_NAMES = [
    "INJECT_KEYCODE", "INJECT_TEXT", "INJECT_TOUCH_EVENT", "INJECT_SCROLL_EVENT", "BACK_OR_SCREEN_ON",
    "EXPAND_NOTIFICATION_PANEL", "EXPAND_SETTINGS_PANEL", "COLLAPSE_PANELS", "GET_CLIPBOARD", "SET_CLIPBOARD",
    "SET_DISPLAY_POWER", "ROTATE_DEVICE", "UHID_CREATE", "UHID_INPUT", "UHID_DESTROY", "OPEN_HARD_KEYBOARD_SETTINGS",
    "START_APP", "RESET_VIDEO", "CAMERA_SET_TORCH", "CAMERA_ZOOM_IN", "CAMERA_ZOOM_OUT", "RESIZE_DISPLAY", "SCAN_FILE",
]


class ServerExit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class Options:
    """Server options with the server's defaults (§3.3); only what the simulator uses is typed."""

    BOOLEANS = {"video": True, "audio": True, "control": True, "tunnel_forward": False, "clipboard_autosync": True,
                "cleanup": True, "power_on": True, "send_device_meta": True, "send_frame_meta": True,
                "send_dummy_byte": True, "send_codec_meta": True, "send_stream_meta": True, "raw_stream": False,
                "show_touches": False, "stay_awake": False, "power_off_on_close": False, "downsize_on_error": True,
                "audio_dup": False, "list_encoders": False, "list_displays": False, "list_cameras": False,
                "list_camera_sizes": False, "list_apps": False, "camera_high_speed": False,
                "vd_destroy_content": True, "vd_system_decorations": True, "flex_display": False,
                "keep_active": False, "camera_torch": False, "ignore_video_encoder_constraints": False}
    INTS = {"max_size": 0, "video_bit_rate": 8_000_000, "audio_bit_rate": 128_000, "display_id": 0,
            "screen_off_timeout": -1, "camera_fps": 0, "min_size_alignment": 1}
    FLOATS = {"max_fps": 0.0, "angle": 0.0, "camera_zoom": 1.0}
    ENUMS = {"video_codec": ("h264", "h265", "av1"), "audio_codec": ("opus", "aac", "flac", "raw"),
             "video_source": ("display", "camera"),
             "audio_source": ("output", "mic", "playback", "mic-unprocessed", "mic-camcorder",
                              "mic-voice-recognition", "mic-voice-communication", "voice-call", "voice-call-uplink",
                              "voice-call-downlink", "voice-performance")}
    STRINGS = ("crop", "video_codec_options", "audio_codec_options", "video_encoder", "audio_encoder", "camera_id",
               "camera_size", "camera_facing", "camera_ar", "new_display", "capture_orientation", "display_ime_policy")
    ONLY_4X = ("min_size_alignment", "camera_zoom", "camera_torch", "flex_display", "keep_active",
               "ignore_video_encoder_constraints", "send_stream_meta")
    ONLY_3X = ("send_codec_meta",)

    def __init__(self, version: str, args: list[str], log: "Log") -> None:
        self.values: dict = {}
        self.values.update(self.BOOLEANS)
        self.values.update(self.INTS)
        self.values.update(self.FLOATS)
        self.values.update({"video_codec": "h264", "audio_codec": "opus", "video_source": "display",
                            "audio_source": "output"})
        self.values["scid"] = -1
        self.values["log_level"] = "DEBUG"
        enums = dict(self.ENUMS)
        if version == "4.1":
            enums["video_codec"] = ("h264", "h265", "av1", "vp8", "vp9")
        for arg in args:
            if "=" not in arg:
                raise ValueError(f"Invalid key=value pair: \"{arg}\"")
            key, value = arg.split("=", 1)
            known = version == "4.1" and key not in self.ONLY_3X or version != "4.1" and key not in self.ONLY_4X
            if key == "scid":
                scid = int(value, 16)  # Integer.parseInt(value, 16)
                if scid < -1:
                    raise ValueError("scid may not be negative (except -1 for 'none'): " + value)
                self.values["scid"] = scid
            elif key == "log_level":
                if value.upper() not in LOG_LEVELS:
                    raise ValueError("Invalid log level: " + value)
                self.values["log_level"] = value.upper()
            elif key in self.BOOLEANS and known:
                self.values[key] = value.lower() == "true"  # Boolean.parseBoolean
            elif key in self.INTS and known:
                number = int(value)
                if number < -1 or number > 2**31 - 1:
                    raise ValueError(f"Invalid {key}: {value}")
                self.values[key] = number
            elif key in self.FLOATS and known:
                self.values[key] = float(value)
            elif key in enums:
                if value not in enums[key]:
                    raise ValueError(f"Unsupported {key.replace('_', ' ')}: {value}")
                self.values[key] = value
            elif key in self.STRINGS:
                self.values[key] = value
            else:
                log.warn(f"Unknown server option: {key}")
        if self.values["raw_stream"]:
            for key in ("send_device_meta", "send_frame_meta", "send_dummy_byte", "send_codec_meta", "send_stream_meta"):
                self.values[key] = False

    def __getitem__(self, key: str):
        return self.values[key]

    def codec_options(self) -> dict[str, str]:
        text = self.values.get("video_codec_options") or ""
        options = {}
        for item in filter(None, text.split(",")):
            key, _, value = item.partition("=")
            options[key.split(":")[0]] = value
        return options


class Log:
    """`[server] LEVEL: ` lines, VERBOSE..INFO on stdout, WARN/ERROR on stderr (§3.5)."""

    def __init__(self) -> None:
        self.level = LOG_LEVELS.index("DEBUG")
        self.lock = threading.Lock()

    def _line(self, level: str, message: str) -> None:
        if LOG_LEVELS.index(level) < self.level:
            return
        stream = sys.stderr if level in ("WARN", "ERROR") else sys.stdout
        with self.lock:
            stream.write(f"[server] {level}: {message}\n")
            stream.flush()

    def verbose(self, m: str) -> None: self._line("VERBOSE", m)
    def debug(self, m: str) -> None: self._line("DEBUG", m)
    def info(self, m: str) -> None: self._line("INFO", m)
    def warn(self, m: str) -> None: self._line("WARN", m)
    def error(self, m: str) -> None: self._line("ERROR", m)


class Recorder:
    """JSON lines of what the device received, to a file or a TCP peer that may send commands back."""

    def __init__(self, destination: str | None) -> None:
        self.lock = threading.Lock()
        self.file = None
        self.sock: socket.socket | None = None
        if not destination:
            return
        if destination.startswith("tcp:"):
            host, port = destination[4:].rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)), timeout=5)
            self.sock.settimeout(None)
        else:
            self.file = open(destination, "a", buffering=1)

    def record(self, entry: dict) -> None:
        entry = {"t": round(time.time(), 6), **entry}
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self.lock:
            try:
                if self.file:
                    self.file.write(line)
                if self.sock:
                    self.sock.sendall(line.encode())
            except OSError:
                pass

    def commands(self):
        if not self.sock:
            return
        buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.strip():
                    yield json.loads(line)


def now_us() -> int:
    return time.monotonic_ns() // 1000


def video_size_334(display: tuple[int, int], max_size: int) -> tuple[int, int]:
    """scrcpy 3.3.4's ScreenInfo size: scale the larger side to max_size (& ~7), then both multiples of 8."""
    w, h = display
    portrait = h > w
    major, minor = (h, w) if portrait else (w, h)
    max_size &= ~7
    if max_size > 0 and major > max_size:
        minor = minor * max_size // major
        major = max_size
    major &= ~7
    minor = min((minor + 4) & ~7, major)
    return (minor, major) if portrait else (major, minor)


def video_size_41(display: tuple[int, int], max_size: int, alignment: int) -> tuple[int, int]:
    w, h = display
    if max_size > 0 and max(w, h) > max_size:
        if w > h:
            w, h = max_size, h * max_size // w
        else:
            w, h = w * max_size // h, max_size
    return max(alignment, w - w % alignment), max(alignment, h - h % alignment)


class Device:
    def __init__(self, spec: dict, version: str, options: Options, log: Log, recorder: Recorder, jar: str) -> None:
        self.spec = spec
        self.version = version
        self.options = options
        self.log = log
        self.recorder = recorder
        self.jar = jar
        self.display = (int(spec.get("width", 1080)), int(spec.get("height", 2400)))
        self.fps = int(spec.get("fps", 60))
        self.cache_dir = spec.get("cache_dir")
        self.clipboard = ""
        self.clipboard_lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.video_sock = self.audio_sock = self.control_sock = None
        self.control_write_lock = threading.Lock()
        self.reset = threading.Event()
        self.stopping = threading.Event()
        self.exit_status = 0
        self.pointers: set[int] = set()
        self.session_lock = threading.Lock()
        self.clip: bitstreams.H264Clip | None = None
        self.video_size = (0, 0)

    # -- sizes and media -------------------------------------------------------------------------

    def compute_size(self) -> tuple[int, int]:
        if self.version == "3.3.4":
            return video_size_334(self.display, self.options["max_size"])
        return video_size_41(self.display, self.options["max_size"], max(16, self.options["min_size_alignment"]))

    @property
    def static(self) -> bool:
        return self.spec.get("screen") == "static"

    @property
    def barcode(self) -> bool:
        return self.spec.get("barcode") == "frame-index" and not self.static

    def encoder_fps(self) -> int:
        if self.static:
            return 10  # nothing changes: only the encoder's repeat of the last frame, every 100 ms
        max_fps = self.options["max_fps"]
        return int(min(self.fps, max_fps)) if max_fps > 0 else self.fps

    def load_clip(self) -> bitstreams.H264Clip:
        width, height = self.compute_size()
        interval = int(float(self.options.codec_options().get("i-frame-interval", "10")))
        seconds = max(1, min(interval, 10))
        if self.barcode:
            # bench/android: the asked bitrate as is (8 Mbit/s at 1080p60), frames numbered in a bar code.
            return bitstreams.h264_barcode_clip(width, height, self.encoder_fps(), seconds, self.options["video_bit_rate"],
                                                self.cache_dir)
        bitrate = min(self.options["video_bit_rate"], 4_000_000)
        return bitstreams.h264_clip(width, height, self.encoder_fps(), seconds, bitrate, self.cache_dir, static=self.static)

    # -- sockets ---------------------------------------------------------------------------------

    def connect(self, mode: str, port: int) -> None:
        wanted = [name for name in ("video", "audio", "control") if self.options[name]]
        if not wanted:
            raise ValueError("At least one of video, audio or control must be enabled")
        socks: dict[str, socket.socket] = {}
        if mode == "connect":
            for name in wanted:
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=5)
                except OSError as error:
                    self.log.error(f"Could not connect to socket: {error}")
                    raise ServerExit(1)
                s.settimeout(None)
                socks[name] = s
        else:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", port))
            listener.listen(1)
            for index, name in enumerate(wanted):
                s, _ = listener.accept()
                if index == 0 and self.options["send_dummy_byte"]:
                    s.sendall(b"\x00")
                socks[name] = s
            listener.close()
        self.video_sock = socks.get("video")
        self.audio_sock = socks.get("audio")
        self.control_sock = socks.get("control")
        self.sockets = list(socks.values())
        first = socks[wanted[0]]
        if self.options["send_device_meta"]:
            name = self.spec.get("model", "Pixel 7").encode()[:63]
            first.sendall(name + b"\x00" * (64 - len(name)))

    def shutdown(self) -> None:
        self.stopping.set()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # -- video -----------------------------------------------------------------------------------

    def frame_header(self, pts: int | None, key: bool, size: int) -> bytes:
        if self.version == "3.3.4":
            config_flag, key_flag = 1 << 63, 1 << 62
        else:
            config_flag, key_flag = 1 << 62, 1 << 61
        value = config_flag if pts is None else (pts | (key_flag if key else 0))
        return struct.pack(">QI", value, size)

    def video_loop(self) -> None:
        s = self.video_sock
        try:
            self.clip = self.load_clip()
            self.video_size = (self.clip.width, self.clip.height)
            if self.options["send_codec_meta"] if self.version == "3.3.4" else self.options["send_stream_meta"]:
                s.sendall(struct.pack(">I", CODEC_IDS[self.options["video_codec"]]))
                if self.version == "3.3.4":
                    s.sendall(struct.pack(">II", *self.video_size))
            first_session = True
            while not self.stopping.is_set():
                clip = self.clip
                if self.version == "4.1":
                    s.sendall(struct.pack(">BBBBII", 0x80, 0, 0, 0, clip.width, clip.height))
                if not first_session:
                    self.log.info("Video capture reset")
                first_session = False
                self.recorder.record({"event": "video_session", "width": clip.width, "height": clip.height})
                s.sendall(self.frame_header(None, False, len(clip.config)) + clip.config)
                interval = 1.0 / clip.fps
                next_at = time.monotonic()
                index = 0
                self.reset.clear()
                while not self.stopping.is_set() and not self.reset.is_set():
                    unit = clip.access_units[index]
                    key = clip.keyframes[index]
                    sent = time.time()
                    s.sendall(self.frame_header(now_us(), key, len(unit)) + unit)
                    if self.barcode:
                        self.recorder.record({"event": "frame", "index": index, "sent": round(sent, 6)})
                    index = (index + 1) % len(clip.access_units)
                    next_at += interval
                    delay = next_at - time.monotonic()
                    if delay > 0:
                        self.reset.wait(delay)
                    else:
                        next_at = time.monotonic()
        except (BrokenPipeError, ConnectionResetError, OSError) as error:
            # The client closed the video socket: the normal way the server stops.
            if not self.stopping.is_set():
                self.log.debug(f"Video stream ended: {error}")
        self.shutdown()

    def restart_session(self, rotate: bool = False) -> None:
        with self.session_lock:
            if rotate:
                self.display = (self.display[1], self.display[0])
                clip = self.load_clip()
                self.clip = clip
                self.video_size = (clip.width, clip.height)
            self.reset.set()

    # -- audio -----------------------------------------------------------------------------------

    def audio_loop(self) -> None:
        s = self.audio_sock
        try:
            if self.spec.get("audio", "opus") == "disabled":
                s.sendall(struct.pack(">I", 0))
                self.log.warn("Audio disabled: it is not supported before Android 11")
                return  # not fatal: video and control go on
            if self.options["audio_codec"] != "opus":
                s.sendall(struct.pack(">I", 1))
                self.log.error(f"Simulator: audio codec {self.options['audio_codec']} not simulated")
                self.shutdown()
                return
            clip = bitstreams.opus_clip(4, self.cache_dir)
            s.sendall(struct.pack(">I", CODEC_IDS["opus"]))
            s.sendall(self.frame_header(None, False, len(clip.head)) + clip.head)
            next_at = time.monotonic()
            index = 0
            while not self.stopping.is_set():
                packet = clip.packets[index]
                s.sendall(self.frame_header(now_us(), False, len(packet)) + packet)
                index = (index + 1) % len(clip.packets)
                next_at += 0.020
                delay = next_at - time.monotonic()
                if delay > 0:
                    self.stopping.wait(delay)
        except OSError:
            pass

    # -- control ---------------------------------------------------------------------------------

    def read_exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.control_sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def send_device_message(self, payload: bytes) -> None:
        with self.control_write_lock:
            try:
                self.control_sock.sendall(payload)
            except OSError:
                pass

    def stale(self, width: int, height: int) -> bool:
        current = self.video_size
        if (width, height) != current:
            self.log.verbose(f"Ignore positional event generated for size {width}x{height} "
                             f"(current size is {current[0]}x{current[1]})")
            return True
        return False

    def control_loop(self) -> None:
        try:
            while not self.stopping.is_set():
                kind = self.read_exact(1)[0]
                supported = 17 if self.version == "3.3.4" else 22
                if kind > supported or self.version == "4.1" and kind in (18, 19, 20, 21):
                    # 3.3.4: unknown type → the controller stops silently; 4.1: a protocol error, and the
                    # camera/resize messages fail on a display source without a flex display.
                    if self.version == "4.1":
                        self.log.error("Control protocol error")
                    self.recorder.record({"event": "control_terminated", "type_code": kind})
                    break
                self.handle(kind)
        except EOFError:
            pass  # control socket EOF is fatal: the server ends
        except OSError:
            pass
        self.shutdown()

    def handle(self, kind: int) -> None:
        r = self.read_exact
        entry: dict = {"type": CONTROL_TYPE_NAMES[kind], "type_code": kind}
        if kind == 0:
            action, keycode, repeat, meta = struct.unpack(">BIII", r(13))
            entry.update(action=action, keycode=keycode, repeat=repeat, meta_state=meta)
        elif kind == 1:
            (n,) = struct.unpack(">I", r(4))
            entry["text"] = r(n).decode("utf-8", "replace")
        elif kind == 2:
            action, pointer, x, y, w, h, pressure, action_button, buttons = struct.unpack(">BQiiHHHII", r(31))
            entry.update(action=action, pointer_id=pointer, x=x, y=y, screen_width=w, screen_height=h,
                         pressure=1.0 if pressure == 0xFFFF else pressure / 65536, action_button=action_button,
                         buttons=buttons)
            entry["dropped"] = self.stale(w, h)
            if not entry["dropped"]:
                if pointer not in self.pointers and len(self.pointers) >= MAX_POINTERS:
                    self.log.warn("Too many pointers for touch event")
                    entry["dropped"] = True
                elif action == 1 or action == 3:
                    self.pointers.discard(pointer)
                elif action in (0, 2):
                    self.pointers.add(pointer)
        elif kind == 3:
            x, y, w, h, hs, vs, buttons = struct.unpack(">iiHHhhI", r(20))
            decode = lambda v: 1.0 if v == 0x7FFF else v / 32768  # noqa: E731
            entry.update(x=x, y=y, screen_width=w, screen_height=h, hscroll=decode(hs) * 16, vscroll=decode(vs) * 16,
                         buttons=buttons, dropped=self.stale(w, h))
        elif kind == 4:
            entry["action"] = r(1)[0]
        elif kind == 8:
            entry["copy_key"] = r(1)[0]
            if not self.options["clipboard_autosync"]:
                with self.clipboard_lock:
                    text = self.clipboard.encode()[: (1 << 18) - 5]
                self.send_device_message(struct.pack(">BI", 0, len(text)) + text)
        elif kind == 9:
            sequence, paste, n = struct.unpack(">QBI", r(13))
            text = r(n).decode("utf-8", "replace")
            entry.update(sequence=sequence, paste=paste != 0, text=text)
            with self.clipboard_lock:
                self.clipboard = text  # the server's own change: no CLIPBOARD echo
            if sequence != 0:
                self.send_device_message(struct.pack(">BQ", 1, sequence))
        elif kind == 10:
            entry["on"] = r(1)[0] != 0
            self.log.info("Device display turned " + ("on" if entry["on"] else "off"))
        elif kind == 11:
            self.recorder.record(entry)
            threading.Thread(target=self.restart_session, kwargs={"rotate": True}, daemon=True).start()
            return
        elif kind == 12:
            ident, vendor, product, m = struct.unpack(">HHHB", r(7))
            name = r(m).decode("utf-8", "replace")
            (d,) = struct.unpack(">H", r(2))
            entry.update(id=ident, vendor_id=vendor, product_id=product, name=name, report_descriptor=r(d).hex())
        elif kind == 13:
            ident, k = struct.unpack(">HH", r(4))
            entry.update(id=ident, data=r(k).hex())
        elif kind == 14:
            (entry["id"],) = struct.unpack(">H", r(2))
        elif kind == 16:
            n = r(1)[0]
            entry["name"] = r(n).decode("utf-8", "replace")
        elif kind == 17:
            self.recorder.record(entry)
            self.restart_session()
            return
        elif kind == 22:
            (n,) = struct.unpack(">I", r(4))
            entry["path"] = r(n).decode("utf-8", "replace")
        self.recorder.record(entry)

    # -- commands from the test ------------------------------------------------------------------

    def command_loop(self) -> None:
        for command in self.recorder.commands():
            if "clipboard" in command:
                text = str(command["clipboard"])
                with self.clipboard_lock:
                    self.clipboard = text
                if self.options["clipboard_autosync"] and self.control_sock is not None:
                    data = text.encode()[: (1 << 18) - 5]
                    self.send_device_message(struct.pack(">BI", 0, len(data)) + data)
            if command.get("rotate"):
                self.restart_session(rotate=True)
            if command.get("disconnect"):
                # The cable is pulled: connections are reset, nothing is flushed, the adb shell dies.
                for s in self.sockets:
                    try:
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        s.close()
                    except OSError:
                        pass
                os._exit(255)

    def run(self, mode: str, port: int) -> int:
        self.connect(mode, port)
        self.recorder.record({"event": "connected", "version": self.version, "mode": mode, "pid": os.getpid(),
                              "options": {k: v for k, v in self.options.values.items() if not isinstance(v, float)}})
        threading.Thread(target=self.command_loop, daemon=True).start()
        threads = []
        if self.video_sock:
            threads.append(threading.Thread(target=self.video_loop, daemon=True))
        if self.audio_sock:
            threads.append(threading.Thread(target=self.audio_loop, daemon=True))
        if self.control_sock:
            self.control_sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threads.append(threading.Thread(target=self.control_loop, daemon=True))
        for t in threads:
            t.start()
        self.stopping.wait()
        self.shutdown()
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass
        if self.options["cleanup"]:
            try:
                os.unlink(self.jar)  # the CleanUp process deletes the pushed jar
            except OSError:
                pass
        self.recorder.record({"event": "exit", "status": 0})
        return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device-json", required=True)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--jar-version", required=True, help="the version of the server binary that was pushed")
    parser.add_argument("--connect", type=int)
    parser.add_argument("--listen", type=int)
    parser.add_argument("--record")
    parser.add_argument("server_args", nargs="*")
    ns = parser.parse_args(argv)
    log = Log()
    spec = json.loads(ns.device_json)
    if not ns.server_args:
        log.error("Missing client version")
        return 1
    client_version, args = ns.server_args[0], ns.server_args[1:]
    if client_version != ns.jar_version:
        log.error(f"The server version ({ns.jar_version}) does not match the client ({client_version})")
        return 1
    try:
        options = Options(client_version, args, log)
    except ValueError as error:
        log.error(f"Exception on thread Thread[main,5,main]\njava.lang.IllegalArgumentException: {error}")
        return 1
    log.level = LOG_LEVELS.index(options["log_level"])
    log.info(f"Device: [{spec.get('manufacturer', 'Google')}] {spec.get('brand', 'google')} "
             f"{spec.get('model', 'Pixel 7')} (Android {spec.get('release', '14')})")
    if any(options[k] for k in ("list_encoders", "list_displays", "list_cameras", "list_camera_sizes", "list_apps")):
        log.info("List of video encoders:\n    --video-codec=h264 --video-encoder=c2.android.avc.encoder")
        return 0
    forward = options["tunnel_forward"]
    if forward and ns.listen is None or not forward and ns.connect is None:
        log.error("Could not connect to socket: java.io.IOException: Connection refused")
        return 1
    recorder = Recorder(ns.record)
    device = Device(spec, client_version, options, log, recorder, ns.jar)
    try:
        return device.run("listen" if forward else "connect", ns.listen if forward else ns.connect)
    except ServerExit as exit_:
        return exit_.status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
