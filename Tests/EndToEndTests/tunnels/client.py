# Tunnel test clients (stdlib only). Prints one JSON line.
import base64, json, os, socket, struct, sys, threading, time, urllib.request

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
    ok = []; lock = threading.Lock(); start = threading.Barrier(n)
    def one():
        req = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in extra))
        try:
            start.wait()
            with urllib.request.urlopen(req, timeout=60) as r:
                body = r.read()
                good = r.status == 200 and body.startswith(b"hello from origin")
        except Exception as e:
            good = False
        with lock: ok.append(good)
    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    return {"ok": sum(ok), "total": n}

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

def tcp_refused(host, port):
    try:
        s = connect(host, port)
        s.sendall(b"hi")
        d = s.recv(10)
        return {"data": d.decode("latin1")}
    except Exception as e:
        return {"error": type(e).__name__}

cmd = sys.argv[1]
args = sys.argv[2:]
extra = [a for a in args if ": " in a]
args = [a for a in args if ": " not in a]
if cmd == "ws": out = ws(args[0], int(args[1]), args[2], args[3], [int(x) for x in args[4].split(",")], extra)
elif cmd == "sse": out = sse(args[0], int(args[1]), args[2], args[3], extra)
elif cmd == "parallel": out = parallel(args[0], int(args[1]), extra)
elif cmd == "tcp": out = tcp(args[0], int(args[1]), int(args[2]))
elif cmd == "tcp-refused": out = tcp_refused(args[0], int(args[1]))
print(json.dumps(out))
