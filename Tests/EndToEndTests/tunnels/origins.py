# Tunnel test origins (stdlib only): HTTP with SSE, upload echo, downloads and a WebSocket echo
# on argv[1]; a TCP echo on argv[2] that also tells a connection its accept number. Runs until killed.
import base64, hashlib, http.server, json, socket, socketserver, struct, sys, threading, time

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass

    def send_text(self, status, text, ctype="text/plain", extra=()):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra: self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path.startswith("/headers"):
            self.send_text(200, json.dumps({"path": path, "headers": {k.lower(): v for k, v in self.headers.items()}}), "application/json")
        elif path == "/peer":
            # Which origin connection served this request (keep-alive reuses one).
            self.send_text(200, json.dumps({"port": self.client_address[1]}), "application/json")
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-Sum")
            self.end_headers()
            for part in (b"alpha-", b"beta-", b"gamma"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part)); self.wfile.flush()
            self.wfile.write(b"0\r\nX-Sum: 3\r\n\r\n")
        elif path == "/redirect":
            self.send_text(302, "", extra=[("Location", "/hello")])
        elif path == "/sse" or path.startswith("/sse/"):
            count = int(path.split("/")[2]) if path.startswith("/sse/") else 5
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            for i in range(count):
                self.wfile.write(f"data: event {i}\n\n".encode()); self.wfile.flush()
                time.sleep(0.3)
            self.close_connection = True
        elif path.startswith("/bytes/"):
            n = int(path.split("/")[2])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            chunk = b"x" * 65536
            while n > 0:
                part = chunk[:min(n, len(chunk))]
                self.wfile.write(part); n -= len(part)
        elif path == "/ws":
            self.websocket()
        elif path == "/hang":
            # Never answers in time (the server's response-header and upgrade timeouts are shorter).
            time.sleep(60)
            self.send_text(200, "too late")
        else:
            self.send_text(200, "hello from origin " + path)

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "999")
        self.end_headers()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        digest = hashlib.sha256(); left = n
        while left > 0:
            data = self.rfile.read(min(left, 1 << 20))
            if not data: break
            digest.update(data); left -= len(data)
        self.send_text(200, json.dumps({"length": n - left, "sha256": digest.hexdigest()}), "application/json")

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers(); self.wfile.flush()
        rf, wf = self.rfile, self.wfile
        def readn(n):
            out = b""
            while len(out) < n:
                d = rf.read(n - len(out))
                if not d: raise EOFError
                out += d
            return out
        try:
            while True:
                b1, b2 = readn(2)
                op = b1 & 15; ln = b2 & 127
                if ln == 126: ln = struct.unpack(">H", readn(2))[0]
                elif ln == 127: ln = struct.unpack(">Q", readn(8))[0]
                mask = readn(4) if b2 & 128 else b"\0\0\0\0"
                data = bytearray(readn(ln))
                for i in range(len(data)): data[i] ^= mask[i % 4]
                if op == 8:
                    wf.write(b"\x88\x00"); wf.flush(); return
                hdr = bytes([0x80 | op])
                if ln < 126: hdr += bytes([ln])
                elif ln < 65536: hdr += bytes([126]) + struct.pack(">H", ln)
                else: hdr += bytes([127]) + struct.pack(">Q", ln)
                wf.write(hdr + bytes(data)); wf.flush()
        except EOFError:
            return
        finally:
            self.close_connection = True

def echo(s, number):
    """Echoes until EOF, then half-closes. A connection whose first bytes are "order?\\n" is told its
    accept number instead: a TCP tunnel must reach the origin in the order its clients connected."""
    try:
        d = s.recv(1 << 16)
        if d == b"order?\n":
            s.sendall(b"%d\n" % number)
            return
        while d:
            s.sendall(d)
            d = s.recv(1 << 16)
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        s.close()

def tcp_origin(listener):
    accepted = 0
    while True:
        conn, _ = listener.accept()
        accepted += 1
        threading.Thread(target=echo, args=(conn, accepted), daemon=True).start()

class Threading(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

http_server = Threading(("127.0.0.1", int(sys.argv[1])), Handler)
tcp_listener = socket.create_server(("127.0.0.1", int(sys.argv[2])), backlog=512)
threading.Thread(target=tcp_origin, args=(tcp_listener,), daemon=True).start()
print("origins up", flush=True)
http_server.serve_forever()
