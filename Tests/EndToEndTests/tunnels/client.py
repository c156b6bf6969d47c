# Tunnel test clients (stdlib only). Prints one JSON line.
import asyncio, base64, collections, json, os, socket, struct, sys, threading, time, urllib.parse, urllib.request

def connect(host, port):
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def read_head(s):
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(65536)
        if not d: break
        data += d
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin1"), rest

def ws(host, port, host_header, path, sizes, extra):
    s = connect(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    req = f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    for h in extra: req += h + "\r\n"
    s.sendall((req + "\r\n").encode())
    head, buf = read_head(s)
    status = head.split(" ")[1] if head else "0"
    if status != "101":
        return {"status": int(status), "head": head}
    buf = bytearray(buf)
    def readn(n):
        nonlocal buf
        while len(buf) < n:
            d = s.recv(1 << 20)
            if not d: raise EOFError
            buf += d
        out = bytes(buf[:n]); del buf[:n]; return out
    results = []
    for size in sizes:
        payload = os.urandom(size)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if size < 100000 else bytes(
            (int.from_bytes(payload, "big") ^ int.from_bytes((mask * (size // 4 + 1))[:size], "big")).to_bytes(size, "big"))
        hdr = bytes([0x82])
        if size < 126: hdr += bytes([0x80 | size])
        elif size < 65536: hdr += bytes([0x80 | 126]) + struct.pack(">H", size)
        else: hdr += bytes([0x80 | 127]) + struct.pack(">Q", size)
        s.sendall(hdr + mask + masked)
        b1, b2 = readn(2)
        ln = b2 & 127
        if ln == 126: ln = struct.unpack(">H", readn(2))[0]
        elif ln == 127: ln = struct.unpack(">Q", readn(8))[0]
        echoed = readn(ln)
        results.append(echoed == payload)
    s.sendall(bytes([0x88, 0x80]) + os.urandom(4))
    s.close()
    return {"status": 101, "echoed": results}

def sse(host, port, host_header, path, extra):
    s = connect(host, port)
    req = f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nAccept: text/event-stream\r\n"
    for h in extra: req += h + "\r\n"
    s.sendall((req + "\r\n").encode())
    start = time.monotonic()
    head, rest = read_head(s)
    data = rest.decode(); times = []
    def scan():
        nonlocal data
        while "\n\n" in data:
            event, _, data = data.partition("\n\n")
            if event.startswith("data:"): times.append(round(time.monotonic() - start, 3))
    scan()
    while True:
        d = s.recv(65536)
        if not d: break
        data += d.decode(); scan()
    return {"head": head, "times": times}

def parallel(url, n, extra):
    """n connections open at once: all connect first, then one request is answered (the server now
    knows the tunnel), then every other request goes out in one pass, so the server asks the runner
    for n - 1 connections in a burst; then all answers are read."""
    u = urllib.parse.urlparse(url)
    async def run():
        opened = await asyncio.gather(*[asyncio.open_connection(u.hostname, u.port) for _ in range(n)])
        head = f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\n" + "".join(h + "\r\n" for h in extra) + "Connection: close\r\n\r\n"
        opened[0][1].write(head.encode())
        first = await answer(*opened[0])
        nonlocal burst
        burst = time.monotonic()
        for _, writer in opened[1:]:
            writer.write(head.encode())
        return [first] + await asyncio.gather(*[answer(r, w) for r, w in opened[1:]], return_exceptions=True)
    async def answer(reader, writer):
        data = await asyncio.wait_for(reader.read(), 60)
        writer.close()
        status_line, _, rest = data.partition(b"\r\n")
        body = rest.partition(b"\r\n\r\n")[2]
        ok = status_line.split(b" ")[1:2] == [b"200"] and body.startswith(b"hello from origin")
        # A failure is told by its status line and the start of its body (Marionette's {code, message}).
        return ok, (status_line + b" " + body[:160]).decode(errors="replace"), time.monotonic()
    burst = 0.0
    results = asyncio.run(run())
    failures = collections.Counter(repr(r)[:200] if isinstance(r, BaseException) else r[1] for r in results if isinstance(r, BaseException) or not r[0])
    # When the burst's answers came (seconds after its requests went out), to tell a slow runner
    # from a stall: every tenth of them in order, and the last.
    times = sorted(round(r[2] - burst, 3) for r in results[1:] if not isinstance(r, BaseException))
    return {"ok": sum(1 for r in results if not isinstance(r, BaseException) and r[0]), "total": n, "failures": dict(failures),
            "answered_at": times[::max(1, len(times) // 10)] + times[-1:]}

def tcp(host, port, size):
    s = connect(host, port)
    payload = os.urandom(size)
    def send():
        s.sendall(payload); s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send); t.start()
    got = bytearray()
    while True:
        d = s.recv(1 << 20)
        if not d: break
        got += d
    t.join()
    return {"equal": bytes(got) == payload, "length": len(got)}

def tcp_exact(host, port, size):
    """Echo without a half-close: send, read back exactly size bytes, close."""
    s = connect(host, port)
    payload = os.urandom(size)
    t = threading.Thread(target=lambda: s.sendall(payload)); t.start()
    got = bytearray()
    while len(got) < size:
        d = s.recv(1 << 20)
        if not d: break
        got += d
    t.join(); s.close()
    return {"equal": bytes(got) == payload, "length": len(got)}

def tcp_idle(host, port):
    """One echoed byte, then silence: how long until the connection is ended for us."""
    s = connect(host, port)
    s.sendall(b"x")
    first = s.recv(1)
    start = time.time()
    try:
        rest = s.recv(10)
    except Exception as e:
        rest = type(e).__name__.encode()
    return {"first": first.decode("latin1"), "rest": rest.decode("latin1"), "elapsed": time.time() - start}

def tcp_order(host, port, n):
    """n connections opened one after another (each connect done before the next starts), then each
    asks the origin for its accept number: the numbers must rise in connect order."""
    socks = [connect(host, port) for _ in range(n)]
    numbers = []
    for s in socks:
        s.sendall(b"order?\n")
        line = b""
        while not line.endswith(b"\n"):
            d = s.recv(64)
            if not d: break
            line += d
        numbers.append(int(line) if line.strip().isdigit() else line.decode("latin1"))
        s.close()
    return {"numbers": numbers}

def tcp_refused(host, port):
    try:
        s = connect(host, port)
        s.sendall(b"hi")
        d = s.recv(10)
        return {"data": d.decode("latin1")}
    except Exception as e:
        return {"error": type(e).__name__}

def read_response(s, buf, method):
    """One response from socket s (buffered bytes in buf): (status, headers, body, buf)."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d: raise EOFError("closed before a response head")
        buf += d
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":"); headers[k.strip().lower()] = v.strip()
    def need(n):
        nonlocal buf
        while len(buf) < n:
            d = s.recv(65536)
            if not d: raise EOFError("closed inside a body")
            buf += d
    body = b""
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        pass
    elif headers.get("transfer-encoding", "").endswith("chunked"):
        while True:
            while b"\r\n" not in buf:
                need(len(buf) + 1)
            line, _, buf = buf.partition(b"\r\n")
            size = int(line.split(b";")[0], 16)
            if size == 0:
                while not buf.startswith(b"\r\n"):  # trailers
                    while b"\r\n" not in buf: need(len(buf) + 1)
                    _, _, buf = buf.partition(b"\r\n")
                buf = buf[2:]; break
            need(size + 2); body += buf[:size]; buf = buf[size + 2:]
    else:
        n = int(headers.get("content-length", "0")); need(n); body, buf = buf[:n], buf[n:]
    return status, headers, body, buf

def keepalive(host, port, host_header, prefix, extra):
    """Requests of every framing on ONE client connection, some pipelined; reports what came back."""
    s = connect(host, port)
    hdrs = "".join(h + "\r\n" for h in extra)
    def req(method, path, body=b"", more=""):
        return (f"{method} {prefix}{path} HTTP/1.1\r\nHost: {host_header}\r\n{hdrs}{more}"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body if body else \
               f"{method} {prefix}{path} HTTP/1.1\r\nHost: {host_header}\r\n{hdrs}{more}\r\n".encode()
    out = {"steps": []}; buf = b""
    def step(name, method, status, headers, body):
        out["steps"].append({"name": name, "status": status, "connection": headers.get("connection", ""),
                             "body": body.decode("latin1")[:200]})
    for name, method, path, body in [("peer1", "GET", "/peer", b""), ("head", "HEAD", "/hello", b""),
                                     ("chunked", "GET", "/chunked", b""), ("post", "POST", "/upload", b"x" * 100000)]:
        s.sendall(req(method, path, body))
        status, headers, rbody, buf = read_response(s, buf, method)
        step(name, method, status, headers, rbody)
    # Two pipelined requests in one write, then one that asks to close.
    s.sendall(req("GET", "/peer") + req("GET", "/hello"))
    for name, method in [("peer2", "GET"), ("hello", "GET")]:
        status, headers, rbody, buf = read_response(s, buf, method)
        step(name, method, status, headers, rbody)
    s.sendall(req("GET", "/peer", more="Connection: close\r\n"))
    status, headers, rbody, buf = read_response(s, buf, "GET")
    step("last", "GET", status, headers, rbody)
    s.settimeout(10)
    try:
        out["closed_after_last"] = s.recv(1) == b""
    except Exception as e:
        out["closed_after_last"] = type(e).__name__
    return out

def halfclose(host, port, host_header, prefix, extra):
    """Two pipelined keep-alive requests, then a half-close (shutdown SHUT_WR): both are answered
    and the server then closes (as nginx would)."""
    s = connect(host, port)
    hdrs = "".join(h + "\r\n" for h in extra)
    req = f"GET {prefix}/hello HTTP/1.1\r\nHost: {host_header}\r\n{hdrs}\r\n".encode()
    s.sendall(req + req)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(10)
    out = {"statuses": []}; buf = b""
    try:
        for _ in range(2):
            status, _, _, buf = read_response(s, buf, "GET")
            out["statuses"].append(status)
        out["closed"] = buf == b"" and s.recv(1) == b""
    except Exception as e:
        out["error"] = type(e).__name__ + ": " + str(e)
    return out

cmd = sys.argv[1]
args = sys.argv[2:]
extra = [a for a in args if ": " in a]
args = [a for a in args if ": " not in a]
if cmd == "ws": out = ws(args[0], int(args[1]), args[2], args[3], [int(x) for x in args[4].split(",")], extra)
elif cmd == "sse": out = sse(args[0], int(args[1]), args[2], args[3], extra)
elif cmd == "keepalive": out = keepalive(args[0], int(args[1]), args[2], args[3], extra)
elif cmd == "halfclose": out = halfclose(args[0], int(args[1]), args[2], args[3], extra)
elif cmd == "parallel": out = parallel(args[0], int(args[1]), extra)
elif cmd == "tcp": out = tcp(args[0], int(args[1]), int(args[2]))
elif cmd == "tcp-exact": out = tcp_exact(args[0], int(args[1]), int(args[2]))
elif cmd == "tcp-idle": out = tcp_idle(args[0], int(args[1]))
elif cmd == "tcp-order": out = tcp_order(args[0], int(args[1]), int(args[2]))
elif cmd == "tcp-refused": out = tcp_refused(args[0], int(args[1]))
print(json.dumps(out))
