"""A stand-in for marionette-server, for checking the drivers and web pages while the real SFU
is not there (MARIONETTE_E2E_STUB=1). Not an SFU: aiortc decodes the WHIP publisher and
re-encodes for each WHEP viewer, and it is a full ICE agent rather than ICE-lite.

It speaks the same contract the tests use: the server's command-line flags, /health,
<data-dir>/bootstrap-api-key, POST /api/v1/sessions, POST /api/v1/sessions/{id}/streams
{"type":"webrtc"}, WHEP/WHIP POST (201 + Location) and DELETE, /streams/{id}/view and
/streams/{id}/publish (with a Content-Security-Policy limited to the page's own origin, as api.md
§10.5 asks), and /web/* for the page assets. A WHEP viewer of a stream without a publisher gets
the bar-code test pattern (like a testsrc stream).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import mimetypes
import secrets
import sys
import urllib.parse
from pathlib import Path

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import WEB_DIR, make_barcode_track  # noqa: E402

CSP = "default-src 'self'; media-src 'self' blob: mediastream:; img-src 'self' data:"


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


class Stream:
    def __init__(self, stream_id: str) -> None:
        self.id = stream_id
        self.viewer_token = "stok_" + secrets.token_urlsafe(32)
        self.publish_token = "stok_" + secrets.token_urlsafe(32)
        self.publisher: RTCPeerConnection | None = None
        self.publisher_id: str | None = None
        self.relay = MediaRelay()
        self.video = None  # the publisher's incoming video track
        self.viewers: dict[str, RTCPeerConnection] = {}


class Stub:
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.streams: dict[str, Stream] = {}

    # -- HTTP plumbing -------------------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    h = (await reader.readline()).decode("latin-1").rstrip("\r\n")
                    if not h:
                        break
                    name, _, value = h.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                status, out_headers, out_body = await self.route(method, target, headers, body)
                reason = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
                          404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 415: "Unsupported Media Type",
                          500: "Internal Server Error"}.get(status, "Status")
                head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(out_body)}"]
                head += [f"{k}: {v}" for k, v in out_headers.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + out_body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    @staticmethod
    def json_response(status: int, payload: object) -> tuple[int, dict, bytes]:
        return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()

    def error(self, status: int, code: str, message: str) -> tuple[int, dict, bytes]:
        return self.json_response(status, {"code": code, "message": message})

    def credential(self, headers: dict[str, str], query: dict[str, list[str]]) -> str:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        return query.get("token", [""])[0]

    async def route(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        url = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(url.query)
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        try:
            if method == "GET" and url.path in ("/health", "/healthz"):
                return self.json_response(200, {"status": "ok"})
            if parts[:1] == ["web"] and method == "GET" and len(parts) == 2:
                return self.static(parts[1])
            if len(parts) == 3 and parts[0] == "streams" and method == "GET" and parts[2] in ("view", "publish"):
                page = "viewer.html" if parts[2] == "view" else "whip-publisher.html"
                status, h, data = self.static(page)
                h["Content-Security-Policy"] = CSP
                return status, h, data
            if parts[:2] != ["api", "v1"]:
                return self.error(404, "not_found", "no such route")
            rest = parts[2:]
            if method == "OPTIONS":
                return 204, {"Accept-Post": "application/sdp"}, b""
            token = self.credential(headers, query)
            if rest == ["sessions"] and method == "POST":
                if token != self.api_key:
                    return self.error(401, "invalid_token", "bad key")
                return self.json_response(201, {"id": new_id("sess"), "agent": "command", "status": "pending"})
            if len(rest) == 3 and rest[0] == "sessions" and rest[2] == "streams" and method == "POST":
                if token != self.api_key:
                    return self.error(401, "invalid_token", "bad key")
                stream = Stream(new_id("str"))
                self.streams[stream.id] = stream
                return self.json_response(201, {"id": stream.id, "type": "webrtc", "state": "starting",
                                                "viewer_token": stream.viewer_token,
                                                "publish_token": stream.publish_token})
            if len(rest) >= 3 and rest[0] == "streams" and rest[2] in ("whep", "whip"):
                stream = self.streams.get(rest[1])
                if stream is None:
                    return self.error(404, "not_found", "no such stream")
                allowed = {self.api_key, stream.publish_token if rest[2] == "whip" else stream.viewer_token}
                if token not in allowed:
                    return self.error(401, "invalid_token", "bad credential")
                if len(rest) == 3 and method == "POST":
                    if headers.get("content-type", "").split(";")[0].strip() != "application/sdp":
                        return self.error(415, "unsupported_media_type", "expected application/sdp")
                    return await (self.whep(stream, body) if rest[2] == "whep" else self.whip(stream, body))
                if len(rest) == 4 and method == "DELETE":
                    await self.leave(stream, rest[2], rest[3])
                    return 200, {}, b""
                return self.error(405, "method_not_allowed", "method not allowed")
            return self.error(404, "not_found", "no such route")
        except Exception as err:  # a stub: say what broke
            logging.exception("request failed")
            return self.error(500, "internal_error", str(err))

    @staticmethod
    def static(name: str) -> tuple[int, dict, bytes]:
        path = (WEB_DIR / name).resolve()
        if path.parent != WEB_DIR.resolve() or not path.is_file():
            return 404, {"Content-Type": "text/plain"}, b"not found"
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        return 200, {"Content-Type": ctype, "Cache-Control": "no-store"}, path.read_bytes()

    # -- WHEP / WHIP ---------------------------------------------------------------------------

    async def whep(self, stream: Stream, offer: bytes) -> tuple[int, dict, bytes]:
        pc = RTCPeerConnection()
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.decode(), type="offer"))
        track = stream.relay.subscribe(stream.video, buffered=False) if stream.video else make_barcode_track()
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "video":
                transceiver.sender.replaceTrack(track)
                transceiver.direction = "sendonly"
                break
        await pc.setLocalDescription(await pc.createAnswer())
        viewer_id = new_id("vwr")
        stream.viewers[viewer_id] = pc
        return 201, {"Content-Type": "application/sdp",
                     "Location": f"/api/v1/streams/{stream.id}/whep/{viewer_id}"}, pc.localDescription.sdp.encode()

    async def whip(self, stream: Stream, offer: bytes) -> tuple[int, dict, bytes]:
        if stream.publisher is not None:
            return self.error(409, "publisher_exists", "stream already has a publisher")
        pc = RTCPeerConnection()

        @pc.on("track")
        def on_track(track) -> None:
            if track.kind == "video":
                stream.video = track
                # Keep the incoming track drained even with no viewers.
                asyncio.ensure_future(self.drain(stream.relay.subscribe(track, buffered=False)))
            else:
                asyncio.ensure_future(self.drain(track))

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.decode(), type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        stream.publisher = pc
        stream.publisher_id = new_id("pub")
        return 201, {"Content-Type": "application/sdp",
                     "Location": f"/api/v1/streams/{stream.id}/whip/{stream.publisher_id}"}, pc.localDescription.sdp.encode()

    @staticmethod
    async def drain(track) -> None:
        try:
            while True:
                await track.recv()
        except Exception:
            return

    async def leave(self, stream: Stream, kind: str, resource_id: str) -> None:
        if kind == "whep":
            pc = stream.viewers.pop(resource_id, None)
        elif resource_id == stream.publisher_id:
            pc, stream.publisher, stream.publisher_id, stream.video = stream.publisher, None, None, None
        else:
            pc = None
        if pc:
            await pc.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--api-port", type=int, required=True)
    for ignored in ("--admin-port", "--grpc-port", "--fabric-data-port", "--media-port"):
        parser.add_argument(ignored, type=int)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    api_key = "mk_" + secrets.token_hex(24)
    key_file = data_dir / "bootstrap-api-key"
    key_file.write_text(api_key + "\n")
    key_file.chmod(0o600)
    stub = Stub(api_key)
    server = await asyncio.start_server(stub.handle, "127.0.0.1", args.api_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
