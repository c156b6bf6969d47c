#!/usr/bin/env python3
"""Tunnel benchmark: a session's TCP and HTTP tunnels against direct access, socat and `ssh -R`.

Runs against a server started by run.sh (MARIONETTE_BENCH_API, _KEY, _WORK, _PIDFILE, _SERVER_PID
_MCTL and _PORTS: eight free ports for the origins, the baselines and mctl). Starts its own origins on loopback (iperf3,
nginx with /small of 100 bytes and a sparse 2 GiB /big) and baselines (socat relays; a throwaway
sshd with an `ssh -R` client), creates a session whose local runner carries an HTTP tunnel to
nginx and a TCP tunnel to iperf3, and measures, each path in turn on the same machine and run:

  tcp_<path>_p<streams>_<up|down>     iperf3 throughput, 1 and 4 streams; up = client -> origin,
                                      down = origin -> client (-R); paths direct, socat, ssh,
                                      marionette (the tunnel's public port), mctl (`mctl tunnels
                                      connect`: a local port, a WebSocket per connection to the
                                      server, then the same tunnel); RATIO ..._marionette_vs_{direct,ssh},
                                      ..._mctl_vs_ssh
  http_<path>_c<N>_<keepalive|close>  wrk on /small, N connections, rps (2xx/3xx answers only) and
                                      p50/p99; close = `Connection: close` on every request; paths
                                      direct, socat, ssh, marionette. _relay_cpu_us: CPU time the
                                      relay's processes spent per request (server and runner agent;
                                      socat and its children; sshd and ssh), machine load aside
  rate_<path>_{p50,p99}               wrk paced to BENCH_RATE req/s; added_p50 = tunnel - direct
  bulk_<path>_small_{p50,p99}         paced small requests while /big downloads in a loop over the
                                      same path (the same tunnel)
  soak_*                              iperf3 --bidir for BENCH_SOAK_SECONDS through the TCP tunnel
                                      plus paced HTTP requests through the HTTP tunnel; soak_ok is 1
                                      when iperf3 ended well with bytes both ways in every second,
                                      every request got 2xx and the runner's data connection stayed up
  runner_data_connection_drops        times the runner's data connection (the one that carries all
                                      tunnel connections) went down in the whole run, from its log

Prints `RESULT <name> <value> <unit>`, `RATIO <name> <value> x` and `TARGET ...` lines on stdout,
progress on stderr. Exits 1 when the soak failed or a measurement could not be taken or had errors.
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from procstat import tree_cpu_seconds  # noqa: E402

API = os.environ["MARIONETTE_BENCH_API"]
KEY = os.environ["MARIONETTE_BENCH_KEY"]
WORK = os.environ["MARIONETTE_BENCH_WORK"]
PIDFILE = os.environ["MARIONETTE_BENCH_PIDFILE"]
PORTS = [int(p) for p in os.environ["MARIONETTE_BENCH_PORTS"].split()]
DATA_DIR = os.environ.get("MARIONETTE_BENCH_DATA_DIR", "")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "60"))
RATE = int(os.environ.get("BENCH_RATE", "1000"))
BULK_RATE = int(os.environ.get("BENCH_BULK_RATE", "100"))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1 16 64 256").split()]
TCP_PATHS = os.environ.get("BENCH_TCP_PATHS", "direct socat ssh marionette mctl").split()
MCTL = os.environ.get("MARIONETTE_BENCH_MCTL", "")
HTTP_PATHS = os.environ.get("BENCH_HTTP_PATHS", "direct socat ssh marionette").split()
SERVER_PID = int(os.environ.get("MARIONETTE_BENCH_SERVER_PID", "0"))
BIG_BYTES = 2 << 30
GB = 1e9

FIGURES = {}    # name -> value of every RESULT and RATIO printed
FAILURES = []   # what went wrong, for the summary and the exit status


def log(*args):
    print("[bench/tunnels]", *args, file=sys.stderr, flush=True)


def fail(message):
    FAILURES.append(message)
    log("FAILED:", message)


def result(name, value, unit):
    FIGURES[name] = value
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    print(f"RESULT {name} {text} {unit}", flush=True)


def runner_drops():
    """How often the local runner's data connection (which carries every tunnel connection) went
    down so far, from the runner's own log in the server's data folder."""
    count = 0
    logs = os.path.join(DATA_DIR, "logs")
    for name in os.listdir(logs) if DATA_DIR and os.path.isdir(logs) else []:
        with open(os.path.join(logs, name), errors="replace") as f:
            count += sum(1 for line in f if "fabric data connection down" in line)
    return count


DROPS = {"seen": 0}


def check_drops(label):
    """Logs the data connection drops since the last check; returns how many there were."""
    now = runner_drops()
    new, DROPS["seen"] = now - DROPS["seen"], now
    if new:
        log(f"WARNING: during {label} the runner's data connection went down {new} time(s) "
            f"(its log: {os.path.join(DATA_DIR, 'logs')})")
    return new


TUNNEL_PROBE = {"url": None}  # a URL through the HTTP tunnel, set once the tunnel is up


def settle(label):
    """Before a measurement through a tunnel: waits (up to 15 s) until the HTTP tunnel answers 200,
    so that a data connection that went down in the previous measurement is back up again."""
    if TUNNEL_PROBE["url"] is None:
        return
    deadline = time.time() + 15
    while (code := get_status(TUNNEL_PROBE["url"])) != 200:
        if time.time() > deadline:
            log(f"WARNING: before {label} the HTTP tunnel still answers {code} after 15 s")
            return
        time.sleep(0.1)


def ratio(name, numerator, denominator):
    a, b = FIGURES.get(numerator), FIGURES.get(denominator)
    if a is None or not b:
        log(f"no RATIO {name}: {numerator}={a} {denominator}={b}")
        return
    FIGURES[name] = a / b
    print(f"RATIO {name} {a / b:.3f} x", flush=True)


# ---------------------------------------------------------------- relay CPU time

RELAYS = {}  # path -> root pids of the processes that relay its bytes


# ---------------------------------------------------------------- helper processes


def listening(port):
    """Whether something listens on TCP `port` (read from /proc: connecting would open a session
    through a relay to the origin, which an iperf3 server takes for a test)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


class Helpers:
    """The processes this benchmark runs, each in a process group of its own; their pids are kept
    in PIDFILE so that run.sh can stop them when this script cannot."""

    def __init__(self):
        self.running = {}  # name -> Popen

    def _write_pids(self):
        with open(PIDFILE + ".new", "w") as f:
            f.write("".join(f"{p.pid}\n" for p in self.running.values()))
        os.replace(PIDFILE + ".new", PIDFILE)

    def start(self, name, argv, port=None, timeout=15, env=None):
        """Starts `argv`, output to WORK/<name>.log; with `port`, waits until it listens there."""
        output = open(os.path.join(WORK, f"{name}.log"), "ab")
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=env)
        output.close()
        self.running[name] = process
        self._write_pids()
        if port is not None:
            deadline = time.time() + timeout
            while not listening(port):
                if process.poll() is not None or time.time() > deadline:
                    why = f"exited with {process.returncode}" if process.poll() is not None else f"not listening after {timeout} s"
                    self.stop(name)
                    raise RuntimeError(f"{name} ({' '.join(argv)}) {why}: {self.tail(name)}")
                time.sleep(0.05)
        return process

    def tail(self, name, size=600):
        try:
            with open(os.path.join(WORK, f"{name}.log"), "rb") as f:
                return f.read()[-size:].decode(errors="replace").strip()
        except OSError:
            return ""

    def stop(self, name):
        process = self.running.pop(name, None)
        if process is None:
            return
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # children of the group (socat forks, sshd sessions) that outlived the leader
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._write_pids()

    def stop_all(self):
        for name in reversed(list(self.running)):
            self.stop(name)


# ---------------------------------------------------------------- the API


def call(method, path, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(API + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {KEY}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return json.loads(text) if text else {}
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{method} {path} -> HTTP {error.code}: {error.read()[:500]!r}") from None


def get_status(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def marionette_session(nginx_port, iperf_port):
    """A session whose local runner is attached (a first task completed), with a public HTTP tunnel
    to nginx and a TCP tunnel to iperf3. Returns (session id, HTTP tunnel id, TCP tunnel id, TCP public port)."""
    sid = call("POST", "/api/v1/sessions", {"agent": "command"})["id"]
    for attempt in (1, 2, 3):
        tid = call("POST", f"/api/v1/sessions/{sid}/tasks", {"prompt": "true"})["id"]
        deadline = time.time() + 120
        while (task := call("GET", f"/api/v1/tasks/{tid}"))["status"] not in ("completed", "failed", "canceled"):
            if time.time() > deadline:
                raise RuntimeError(f"task {tid} still {task['status']} after 120 s")
            time.sleep(0.1)
        if task["status"] == "completed":
            break
        # Not what this benchmark measures, but worth knowing: say so and try another task.
        log(f"WARNING: task {tid} (`true`, attempt {attempt}) of session {sid} ended {task['status']}: "
            f"{json.dumps(task)[:600]}")
    else:
        raise RuntimeError(f"no task of session {sid} completed in three attempts")
    http = call("POST", f"/api/v1/sessions/{sid}/tunnels", {"local_port": nginx_port, "public": True})
    tcp = call("POST", f"/api/v1/sessions/{sid}/tunnels", {"local_port": iperf_port, "type": "tcp", "public": True})
    log(f"session {sid}: HTTP tunnel {http['id']} -> :{nginx_port}, TCP tunnel {tcp['id']} "
        f"{tcp.get('public_host')}:{tcp['public_port']} -> :{iperf_port}")
    url = f"{API}/tunnels/{http['id']}/small"
    deadline = time.time() + 30
    while (code := get_status(url)) != 200:
        if time.time() > deadline:
            raise RuntimeError(f"GET {url} still answers {code} after 30 s")
        time.sleep(0.2)
    return sid, http["id"], tcp["id"], int(tcp["public_port"])


# ---------------------------------------------------------------- origins and baselines


def start_nginx(helpers, port):
    root = os.path.join(WORK, "nginx")
    www = os.path.join(root, "www")
    os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "small"), "w") as f:
        f.write("x" * 99 + "\n")
    with open(os.path.join(www, "big"), "wb") as f:
        f.truncate(BIG_BYTES)  # sparse: no disk behind it
    temp = "\n".join(f"    {kind}_temp_path {root}/tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # Under mktemp's 0700 folder the worker must run as the caller (nginx would switch to nobody).
    user = "user root;" if os.geteuid() == 0 else ""
    with open(os.path.join(root, "nginx.conf"), "w") as f:
        f.write(f"""{user}
worker_processes 1;
worker_rlimit_nofile 16384;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 100000;
    keepalive_timeout 120s;
    default_type application/octet-stream;
{temp}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {www};
        location / {{ }}
    }}
}}
""")
    helpers.start("nginx", ["nginx", "-p", root, "-c", os.path.join(root, "nginx.conf"), "-e", os.path.join(root, "error.log"),
                            "-g", "daemon off;"], port=port)
    if get_status(f"http://127.0.0.1:{port}/small") != 200:
        raise RuntimeError(f"nginx does not serve /small: {helpers.tail('nginx')}")


def start_mctl(helpers, tunnel_id, port):
    """`mctl tunnels connect` to the TCP tunnel on `port` (its own config home: none of the user's)."""
    if not os.access(MCTL, os.X_OK):
        raise RuntimeError(f"no mctl binary at {MCTL!r} (MARIONETTE_BENCH_MCTL)")
    home = os.path.join(WORK, "mctl-home")
    os.makedirs(home, exist_ok=True)
    env = {**os.environ, "MARIONETTE_API_URL": API, "MARIONETTE_API_KEY": KEY, "HOME": home, "XDG_CONFIG_HOME": home}
    helpers.start("mctl", [MCTL, "tunnels", "connect", tunnel_id, "--local-port", str(port)], port=port, env=env)


def start_iperf3(helpers, port):
    # --idle-timeout: a server stuck in a test nobody finishes starts over by itself.
    helpers.start("iperf3", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port), "--idle-timeout", "20"], port=port)


def start_socat(helpers, name, listen, target):
    return helpers.start(name, ["socat", f"TCP-LISTEN:{listen},fork,reuseaddr,nodelay,bind=127.0.0.1,backlog=1024",
                         f"TCP:127.0.0.1:{target},nodelay"],
                  port=listen)


def start_ssh_reverse(helpers, sshd_port, forwards):
    """A throwaway sshd on loopback and one `ssh -R remote_port:127.0.0.1:target ...` into it, a
    forward for each (remote_port, target) pair."""
    root = os.path.join(WORK, "ssh")
    os.makedirs(root, exist_ok=True)
    for key in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(root, key)],
                       check=True, timeout=30, stdout=subprocess.DEVNULL)
    with open(os.path.join(root, "client_key.pub")) as f, open(os.path.join(root, "authorized_keys"), "w") as out:
        out.write(f.read())
    config = os.path.join(root, "sshd_config")
    with open(config, "w") as f:
        f.write(f"""Port {sshd_port}
ListenAddress 127.0.0.1
HostKey {root}/host_key
AuthorizedKeysFile {root}/authorized_keys
PidFile {root}/sshd.pid
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
LogLevel ERROR
""")
    os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation folder
    helpers.start("sshd", ["/usr/sbin/sshd", "-D", "-e", "-f", config], port=sshd_port)
    user = subprocess.run(["whoami"], capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    helpers.start("ssh", ["ssh", "-N", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                          "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                          "-o", "ConnectTimeout=10", "-i", os.path.join(root, "client_key"), "-p", str(sshd_port),
                          *[arg for remote, target in forwards for arg in ("-R", f"{remote}:127.0.0.1:{target}")],
                          f"{user}@127.0.0.1"], port=forwards[0][0], timeout=20)
    for remote, _ in forwards[1:]:
        deadline = time.time() + 10
        while not listening(remote):
            if time.time() > deadline:
                raise RuntimeError(f"ssh -R: port {remote} is not forwarded: {helpers.tail('ssh')}")
            time.sleep(0.05)
    cipher = subprocess.run(["ssh", "-G", "-F", "/dev/null", "127.0.0.1"], capture_output=True, text=True, timeout=10).stdout
    log("ssh -R up; cipher preference:", next((l.split()[1] for l in cipher.splitlines() if l.startswith("ciphers ")), "?"))


# ---------------------------------------------------------------- iperf3


def iperf(port, streams=1, reverse=False, bidir=False, seconds=None):
    """One iperf3 client run; returns (JSON report or None, error or None)."""
    seconds = seconds or SECONDS
    argv = ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds), "-O", "1", "-J", "--connect-timeout", "5000"]
    if streams > 1:
        argv += ["-P", str(streams)]
    if reverse:
        argv.append("-R")
    if bidir:
        argv.append("--bidir")
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 40)
    except subprocess.TimeoutExpired:
        return None, f"iperf3 did not finish within {seconds + 40} s"
    try:
        report = json.loads(out.stdout)
    except ValueError:
        return None, f"iperf3 exit {out.returncode}: {out.stdout[-300:]} {out.stderr[-300:]}".strip()
    if out.returncode != 0 or report.get("error"):
        return report, f"iperf3 exit {out.returncode}: {report.get('error')}"
    return report, None


def tcp_throughput(helpers, iperf_port, targets):
    """iperf3 per path (interleaved so that load changes hit every path alike), GB/s received."""
    for streams in (1, 4):
        for direction in ("up", "down"):
            for path, port in targets.items():
                name = f"tcp_{path}_p{streams}_{direction}"
                if path in ("marionette", "mctl"):
                    settle(name)
                for attempt in (1, 2):
                    time.sleep(0.5)  # the iperf3 server finishes the previous test (a relay may close late)
                    report, error = iperf(port, streams, reverse=direction == "down")
                    if error is None:
                        break
                    log(f"{name}: attempt {attempt}: {error}; restarting the iperf3 server")
                    helpers.stop("iperf3")
                    start_iperf3(helpers, iperf_port)
                if path in ("marionette", "mctl"):
                    check_drops(name)
                if error is not None:
                    fail(f"{name}: {error}")
                    continue
                rate = report["end"]["sum_received"]["bits_per_second"] / 8 / GB
                log(f"{name}: {rate:.3f} GB/s")
                result(name, rate, "GB/s")
            case = f"p{streams}_{direction}"
            ratio(f"tcp_{case}_marionette_vs_direct", f"tcp_marionette_{case}", f"tcp_direct_{case}")
            ratio(f"tcp_{case}_marionette_vs_ssh", f"tcp_marionette_{case}", f"tcp_ssh_{case}")
            ratio(f"tcp_{case}_mctl_vs_ssh", f"tcp_mctl_{case}", f"tcp_ssh_{case}")


# ---------------------------------------------------------------- wrk

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def to_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(text):
    """Requests/s, p50/p99 (ms), requests, socket errors and non-2xx/3xx responses of wrk --latency."""
    figures = {"socket_errors": 0, "non2xx": 0}
    for line in text.splitlines():
        line = line.strip()
        if m := re.match(r"(50|99)(?:\.0+)?%\s+(\S+)$", line):
            figures[f"p{m.group(1)}"] = to_ms(m.group(2))
        elif m := re.match(r"Requests/sec:\s+([\d.]+)", line):
            figures["rps"] = float(m.group(1))
        elif m := re.match(r"(\d+) requests in", line):
            figures["requests"] = int(m.group(1))
        elif line.startswith("Socket errors:"):
            figures["socket_errors"] = sum(int(n) for n in re.findall(r"\d+", line))
        elif m := re.match(r"Non-2xx or 3xx responses:\s+(\d+)", line):
            figures["non2xx"] = int(m.group(1))
    missing = {"rps", "p50", "p99", "requests"} - figures.keys()
    if missing:
        raise ValueError(f"wrk output without {sorted(missing)}")
    return figures


PACE_LUA = os.path.join(WORK, "pace.lua")


def wrk(url, connections, seconds=None, close=False, pace_ms=None, threads=None, tag="wrk"):
    """One wrk run; returns (figures or None, error or None). `pace_ms`: each connection waits that
    long between its requests (wrk's delay(); the wait is not part of the latency)."""
    seconds = seconds or SECONDS
    threads = threads or (1 if connections == 1 else 2)
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    env = dict(os.environ)
    if close:
        argv += ["-H", "Connection: close"]
    if pace_ms is not None:
        if not os.path.exists(PACE_LUA):
            with open(PACE_LUA, "w") as f:
                f.write('local pause = tonumber(os.getenv("BENCH_PACE_MS"))\nfunction delay() return pause end\n')
        argv += ["-s", PACE_LUA]
        env["BENCH_PACE_MS"] = str(pace_ms)
    argv.append(url)
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, env=env)
    except subprocess.TimeoutExpired:
        return None, f"wrk did not finish within {seconds + 30} s"
    with open(os.path.join(WORK, "wrk.log"), "a") as f:
        f.write(f"== {tag}: {' '.join(argv)}\n{out.stdout}{out.stderr}\n")
    if out.returncode != 0:
        return None, f"wrk exit {out.returncode}: {out.stderr[-300:]}"
    try:
        return parse_wrk(out.stdout), None
    except ValueError as error:
        return None, f"{error}: {out.stdout[-500:]}"


def report_wrk(prefix, figures, error, with_rps=True):
    """RESULT lines of one wrk run; errors in it are failures (its figures are then not valid)."""
    if error is not None:
        fail(f"{prefix}: {error}")
        return False
    log(f"{prefix}: {figures['rps']:.0f} req/s, p50 {figures['p50']:.3f} ms, p99 {figures['p99']:.3f} ms, "
        f"{figures['requests']} requests, {figures['socket_errors']} socket errors, {figures['non2xx']} non-2xx/3xx")
    if with_rps:  # answers other than 2xx/3xx (e.g. 503 while the tunnel has no runner) do not count
        good = figures["requests"] - figures["non2xx"]
        result(f"{prefix}_rps", figures["rps"] * good / figures["requests"] if figures["requests"] else 0.0, "req/s")
    result(f"{prefix}_p50", figures["p50"], "ms")
    result(f"{prefix}_p99", figures["p99"], "ms")
    errors = figures["socket_errors"] + figures["non2xx"]
    if errors or not figures["requests"]:
        result(f"{prefix}_errors", errors, "errors")
        fail(f"{prefix}: {figures['socket_errors']} socket errors, {figures['non2xx']} non-2xx/3xx responses in {figures['requests']} requests")
        return False
    return True


def pacing(rate, connections):
    """Per-connection pause (integer ms, wrk's delay()) for about `rate` req/s over `connections`."""
    return max(1, round(connections * 1000 / rate))


def http_requests(urls):
    for connections in CONNECTIONS:
        for mode in ("keepalive", "close"):
            for path, url in urls.items():
                if path == "marionette":
                    settle(f"http_{path}_c{connections}_{mode}")
                roots = RELAYS.get(path, [])
                before = tree_cpu_seconds(roots)
                figures, error = wrk(url, connections, close=mode == "close", tag=f"{path} c{connections} {mode}")
                time.sleep(0.2)  # socat and sshd children of closed connections are reaped
                cpu = tree_cpu_seconds(roots) - before
                if path == "marionette":
                    check_drops(f"http_{path}_c{connections}_{mode}")
                if report_wrk(f"http_{path}_c{connections}_{mode}", figures, error) and roots:
                    result(f"http_{path}_c{connections}_{mode}_relay_cpu_us", cpu / figures["requests"] * 1e6, "us/request")
            ratio(f"http_c{connections}_{mode}_marionette_vs_direct_rps", f"http_marionette_c{connections}_{mode}_rps",
                  f"http_direct_c{connections}_{mode}_rps")
            for other in ("socat", "ssh"):
                ratio(f"http_c{connections}_{mode}_marionette_vs_{other}_relay_cpu",
                      f"http_marionette_c{connections}_{mode}_relay_cpu_us", f"http_{other}_c{connections}_{mode}_relay_cpu_us")


def fixed_rate(urls):
    connections = max(1, RATE // 100)
    pause = pacing(RATE, connections)
    log(f"fixed rate: {connections} connections, {pause} ms between requests each (~{RATE} req/s)")
    for path, url in urls.items():
        if path == "marionette":
            settle(f"rate_{path}")
        figures, error = wrk(url, connections, pace_ms=pause, tag=f"{path} rate {RATE}")
        if path == "marionette":
            check_drops(f"rate_{path}")
        report_wrk(f"rate_{path}", figures, error)
    for quantile in ("p50", "p99"):
        tunnel, direct = FIGURES.get(f"rate_marionette_{quantile}"), FIGURES.get(f"rate_direct_{quantile}")
        if tunnel is not None and direct is not None:
            result(f"added_{quantile}", tunnel - direct, "ms")


def during_bulk(path, small_url, big_url):
    """Paced small requests while /big downloads in a loop over the same path; the downloads are
    cut when the small requests end."""
    connections = 4
    pause = pacing(BULK_RATE, connections)
    if path == "marionette":
        settle(f"bulk_{path}")
    stop_at = time.time() + SECONDS + 1.5
    downloaded = []
    problems = []

    def bulk():
        while (left := stop_at - time.time()) > 0.2:
            try:
                out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", f"{left:.2f}",
                                      "-w", "%{http_code} %{size_download}", big_url],
                                     capture_output=True, text=True, timeout=left + 10)
            except subprocess.TimeoutExpired:
                problems.append("curl did not stop")
                return
            fields = out.stdout.split()
            if len(fields) == 2:
                downloaded.append(int(fields[1]))
            # 28: cut by --max-time at the end of the measurement, as planned.
            if out.returncode not in (0, 28) or (fields and fields[0] != "200"):
                problems.append(f"curl exit {out.returncode}, {out.stdout.strip()}")
                time.sleep(0.2)

    started = time.time()
    thread = threading.Thread(target=bulk, daemon=True)
    thread.start()
    time.sleep(1)  # the bulk transfer is flowing before the first small request
    figures, error = wrk(small_url, connections, pace_ms=pause, tag=f"{path} small during bulk")
    thread.join(timeout=30)
    elapsed = time.time() - started
    prefix = f"bulk_{path}_small"
    if path == "marionette":
        check_drops(prefix)
    report_wrk(prefix, figures, error, with_rps=False)
    result(f"bulk_{path}_download", sum(downloaded) / elapsed / GB, "GB/s")
    if problems:
        fail(f"bulk download over {path}: {problems[:3]}")


def soak(tcp_port, small_url):
    """iperf3 --bidir through the TCP tunnel and paced requests through the HTTP tunnel at once."""
    connections = 4
    pause = pacing(BULK_RATE, connections)
    log(f"soak: iperf3 --bidir for {SOAK_SECONDS} s through the TCP tunnel, ~{BULK_RATE} req/s through the HTTP tunnel")
    settle("the soak")
    check_drops("the wait before the soak")
    box = {}
    thread = threading.Thread(target=lambda: box.update(iperf=iperf(tcp_port, bidir=True, seconds=SOAK_SECONDS)), daemon=True)
    thread.start()
    time.sleep(1.5)  # iperf3's start (and its omitted first second) before the requests
    figures, error = wrk(small_url, connections, seconds=SOAK_SECONDS, pace_ms=pause, tag="soak http")
    thread.join(timeout=SOAK_SECONDS + 60)
    drops = check_drops("the soak")
    result("soak_runner_data_connection_drops", drops, "drops")
    ok = report_wrk("soak_http", figures, error)
    if drops:
        fail(f"soak: the runner's data connection went down {drops} time(s)")
        ok = False
    if ok:
        result("soak_http_requests", figures["requests"], "requests")
    report, iperf_error = box.get("iperf", (None, "iperf3 did not finish"))
    if iperf_error is None:
        end = report["end"]
        up = end["sum_received"]["bits_per_second"] / 8 / GB
        down = end.get("sum_received_bidir_reverse", {}).get("bits_per_second", 0) / 8 / GB
        stalls = sum(1 for interval in report.get("intervals", [])
                     if interval.get("sum", {}).get("bytes", 0) == 0 or interval.get("sum_bidir_reverse", {}).get("bytes", 0) == 0)
        log(f"soak: {up:.3f} GB/s up, {down:.3f} GB/s down, {stalls} one-second intervals with no bytes one way")
        result("soak_tcp_up", up, "GB/s")
        result("soak_tcp_down", down, "GB/s")
        result("soak_tcp_stalled_intervals", stalls, "intervals")
        if not (up > 0 and down > 0) or stalls:
            iperf_error = f"up {up} GB/s, down {down} GB/s, {stalls} stalled intervals"
    if iperf_error is not None:
        fail(f"soak iperf3 --bidir: {iperf_error}")
        ok = False
    # The tunnels still answer afterwards.
    if get_status(small_url) != 200:
        fail("soak: the HTTP tunnel does not answer after the soak")
        ok = False
    result("soak_ok", 1 if ok else 0, "bool")
    return ok


def targets():
    checks = [
        ("tcp_p1_up_marionette_vs_ssh", ">=", 2, "x"),
        ("tcp_p1_down_marionette_vs_ssh", ">=", 2, "x"),
        ("tcp_p1_up_marionette_vs_direct", ">=", 0.25, "x"),
        ("tcp_p1_down_marionette_vs_direct", ">=", 0.25, "x"),
        ("http_c64_keepalive_marionette_vs_direct_rps", ">=", 0.6, "x"),
        ("http_c64_close_marionette_vs_direct_rps", ">=", 0.6, "x"),
        (f"added_p50 (at {RATE} req/s)", "<", 0.5, "ms"),
        ("bulk_marionette_small_p99", "<", 20, "ms"),
        ("soak_ok", "==", 1, ""),
    ]
    for name, op, goal, unit in checks:
        value = FIGURES.get(name.split()[0])
        if value is None:
            verdict = "not measured"
        else:
            met = value >= goal if op == ">=" else value < goal if op == "<" else value == goal
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            verdict = f"measured {shown}: {'met' if met else 'MISSED'}"
        print(f"TARGET {name} {op} {goal}{' ' + unit if unit else ''} ({verdict})", flush=True)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    iperf_port, nginx_port, socat_tcp, socat_http, sshd_port, ssh_tcp, ssh_http, mctl_port = PORTS[:8]
    helpers = Helpers()
    soak_ok = False
    started = time.time()
    try:
        start_iperf3(helpers, iperf_port)
        start_nginx(helpers, nginx_port)
        tcp_targets = {"direct": iperf_port}
        if "socat" in TCP_PATHS:
            start_socat(helpers, "socat-tcp", socat_tcp, iperf_port)
            tcp_targets["socat"] = socat_tcp
        http_urls = {"direct": f"http://127.0.0.1:{nginx_port}/small"}
        forwards = ([(ssh_tcp, iperf_port)] if "ssh" in TCP_PATHS else []) + ([(ssh_http, nginx_port)] if "ssh" in HTTP_PATHS else [])
        if forwards:
            try:
                start_ssh_reverse(helpers, sshd_port, forwards)
                if "ssh" in TCP_PATHS:
                    tcp_targets["ssh"] = ssh_tcp
                if "ssh" in HTTP_PATHS:
                    http_urls["ssh"] = f"http://127.0.0.1:{ssh_http}/small"
                    RELAYS["ssh"] = [helpers.running["sshd"].pid, helpers.running["ssh"].pid]
            except (RuntimeError, subprocess.SubprocessError) as error:
                fail(f"ssh -R baseline: {error}")
        if "socat" in HTTP_PATHS:
            RELAYS["socat"] = [start_socat(helpers, "socat-http", socat_http, nginx_port).pid]
            http_urls["socat"] = f"http://127.0.0.1:{socat_http}/small"
        if SERVER_PID:
            RELAYS["marionette"] = [SERVER_PID]
        _, http_id, tcp_id, tcp_port = marionette_session(nginx_port, iperf_port)
        check_drops("the set-up")
        tunnel = f"{API}/tunnels/{http_id}"
        if "marionette" in TCP_PATHS:
            tcp_targets["marionette"] = tcp_port
        if "mctl" in TCP_PATHS:
            start_mctl(helpers, tcp_id, mctl_port)
            tcp_targets["mctl"] = mctl_port
        http_urls["marionette"] = f"{tunnel}/small"
        TUNNEL_PROBE["url"] = f"{tunnel}/small"
        log(f"set up in {time.time() - started:.1f} s")

        tcp_throughput(helpers, iperf_port, tcp_targets)
        http_requests(http_urls)
        fixed_rate(http_urls)
        during_bulk("direct", http_urls["direct"], f"http://127.0.0.1:{nginx_port}/big")
        during_bulk("marionette", f"{tunnel}/small", f"{tunnel}/big")
        soak_ok = soak(tcp_port, f"{tunnel}/small")
    except (RuntimeError, OSError, ValueError, KeyError, subprocess.SubprocessError) as error:
        fail(f"aborted: {error!r}")
    finally:
        helpers.stop_all()
    check_drops("the end of the run")
    result("runner_data_connection_drops", DROPS["seen"], "drops")
    targets()
    log(f"benchmark took {time.time() - started:.0f} s")
    if FAILURES:
        log(f"{len(FAILURES)} failure(s):")
        for failure in FAILURES:
            log("  " + failure)
    return 0 if soak_ok and not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main())
