#!/usr/bin/env python3
"""Fabric benchmark: log throughput, dispatch latency over 20 runners, session start.

Runs against a server started by run.sh (MARIONETTE_BENCH_API, _ADMIN, _GRPC, _DATA, _KEY,
_ADMIN_PASSWORD, _AGENT) and prints `RESULT <name> <value> <unit>` lines, each with the
baseline measured in the same run and the ratio.
"""
import base64
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from procstat import process_table  # noqa: E402

API = os.environ["MARIONETTE_BENCH_API"]
ADMIN = os.environ["MARIONETTE_BENCH_ADMIN"]
KEY = os.environ["MARIONETTE_BENCH_KEY"]
ADMIN_PASSWORD = os.environ["MARIONETTE_BENCH_ADMIN_PASSWORD"]
GRPC = os.environ["MARIONETTE_BENCH_GRPC"]
DATA_PORT = os.environ["MARIONETTE_BENCH_DATA"]
AGENT = os.environ["MARIONETTE_BENCH_AGENT"]
STORE = os.environ.get("MARIONETTE_BENCH_STORE", "sqlite")
LOG_LINES = int(os.environ.get("BENCH_LOG_LINES", "1000000"))
DISPATCH_TASKS = int(os.environ.get("BENCH_DISPATCH_TASKS", "500"))
DISPATCH_RATE = float(os.environ.get("BENCH_DISPATCH_RATE", "20"))  # tasks/s of the paced phase
RUNNERS = int(os.environ.get("BENCH_RUNNERS", "20"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "50"))
PIDFILE = os.environ.get("MARIONETTE_BENCH_PIDFILE")
SERVER_PID = os.environ.get("MARIONETTE_BENCH_SERVER_PID")
SERVER_LOG = os.environ.get("MARIONETTE_BENCH_SERVER_LOG")
PG_DATA = os.environ.get("MARIONETTE_BENCH_PG_DATA")  # the cluster's data folder, for its CPU


def process_cpu(table, pid):
    return table[pid].cpu if pid in table else 0.0


def group_cpu(table, groups):
    """CPU seconds of every process in the given process groups."""
    return sum(process.cpu for process in table.values() if process.group in groups)


def postgres_cpu(table):
    """CPU seconds per pid of the PostgreSQL cluster's postmaster and its children (backends,
    writers)."""
    if not PG_DATA:
        return {}
    with open(os.path.join(PG_DATA, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    return {pid: process.cpu for pid, process in table.items() if pid == postmaster or process.parent == postmaster}


def local_runner_groups():
    """Process groups of the local runners the server logged (each leads its own group)."""
    if not SERVER_LOG:
        return set()
    with open(SERVER_LOG) as f:
        return {int(pid) for pid in re.findall(r'"msg":"started local runner","pid":"(\d+)"', f.read())}


def log(*args):
    print("[bench/fabric]", *args, file=sys.stderr, flush=True)


def result(name, value, unit):
    print(f"RESULT {STORE}_{name} {value:.3f} {unit}" if isinstance(value, float) else f"RESULT {STORE}_{name} {value} {unit}", flush=True)


def call(method, url, body=None, admin=False, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if admin:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode())
    else:
        request.add_header("Authorization", f"Bearer {KEY}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
        return json.loads(text) if text else {}


def session(agent="command"):
    return call("POST", f"{API}/api/v1/sessions", {"agent": agent})["id"]


def task(session_id, prompt):
    return call("POST", f"{API}/api/v1/sessions/{session_id}/tasks", {"prompt": prompt})["id"]


def wait_terminal(task_id, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = call("GET", f"{API}/api/v1/tasks/{task_id}")["status"]
        if status in ("completed", "failed", "canceled"):
            return status
        time.sleep(0.02)
    raise RuntimeError(f"task {task_id} did not finish")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


SEQUENCE = re.compile(rb'"sequence":(\d+)')


def follow_count(task_id):
    """Reads the NDJSON follow stream to its end record; returns (log lines, seconds, complete).

    Reads blocks and scans them with C-level searches, so this reader stays well above the
    server's rate. A record is a log line when it has the key "type" with value "log" anywhere
    (JSON does not fix key order; inside a string value the quotes would be escaped). Lines must
    come in order: their "sequence" values must rise by one (a single run here)."""
    started = time.time()
    request = urllib.request.Request(f"{API}/api/v1/tasks/{task_id}/logs?follow=true")
    request.add_header("Authorization", f"Bearer {KEY}")
    lines = 0
    last = 0
    in_order = True
    ended = False
    rest = b""
    with urllib.request.urlopen(request, timeout=600) as response:
        while not ended:
            block = response.read1(1 << 20)
            if not block:
                break
            block = rest + block
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            if b'"type":"end"' in block:
                ended = True
                block = block[:block.index(b'"type":"end"')]
            lines += block.count(b'"type":"log"')
            sequences = list(map(int, SEQUENCE.findall(block)))
            if sequences and sequences != list(range(last + 1, last + 1 + len(sequences))):
                in_order = False
            if sequences:
                last = sequences[-1]
    if not ended:
        log("follow stream ended without an end record")
    return lines, time.time() - started, in_order and ended


def first_stdout_line(task_id, to_end=False):
    """The task's first stdout line, read with follow=true: the stream ends only once the run's
    lines are stored (a snapshot right after the task turned terminal may precede the upload).
    With to_end, reads on to the end record, so the task is over when this returns."""
    request = urllib.request.Request(f"{API}/api/v1/tasks/{task_id}/logs?follow=true&stream=stdout")
    request.add_header("Authorization", f"Bearer {KEY}")
    first = None
    with urllib.request.urlopen(request, timeout=60) as response:
        for raw in response:
            record = json.loads(raw)
            if record.get("type") == "log" and first is None:
                first = record["content"]
                if not to_end:
                    return first
            if record.get("type") == "end":
                break
    if first is None:
        raise RuntimeError(f"task {task_id} has no stdout line")
    return first


def log_throughput():
    prompt = f"yes {'x' * 99} | head -n {LOG_LINES}"
    # Baseline: the same command into a pipe that counts lines, no fabric.
    t0 = time.time()
    out = subprocess.run(["sh", "-c", prompt + " | wc -l"], capture_output=True, text=True, check=True)
    baseline = LOG_LINES / (time.time() - t0)
    assert int(out.stdout.strip()) == LOG_LINES
    sid = session()
    warm = task(sid, "true")  # starts the local agent: not part of the measurement
    wait_terminal(warm)
    groups = local_runner_groups()
    server = int(SERVER_PID) if SERVER_PID else -1
    table = process_table()
    before = (process_cpu(table, server), group_cpu(table, groups))
    tid = task(sid, prompt)
    counted, seconds, in_order = follow_count(tid)
    table = process_table()
    after = (process_cpu(table, server), group_cpu(table, groups))
    stored = call("GET", f"{API}/api/v1/tasks/{tid}/logs?limit=1")["total_count"]
    rate = counted / seconds
    log(f"log throughput: {counted} lines followed in {seconds:.2f} s (in order: {in_order}), {stored} stored")
    result("log_lines_per_s", rate, "lines/s")
    result("log_baseline_pipe_lines_per_s", baseline, "lines/s")
    result("log_vs_pipe_ratio", rate / baseline, "x")
    # CPU per line does not drift with the machine's other load as lines/s does.
    if SERVER_PID:
        result("log_server_cpu_us_per_line", (after[0] - before[0]) / counted * 1e6, "us")
    if groups:
        result("log_runner_cpu_us_per_line", (after[1] - before[1]) / counted * 1e6, "us")
    call("DELETE", f"{API}/api/v1/sessions/{sid}")
    # The command's LOG_LINES lines plus the executor's two system lines before them.
    return counted == stored and counted >= LOG_LINES and in_order


def start_runners(count):
    token = call("POST", f"{ADMIN}/admin/api/v1/runner-tokens", {"pool_name": "bench"}, admin=True)
    processes = []
    base = tempfile.mkdtemp(prefix="bench-runners-")
    for i in range(count):
        # One token per runner: a token binds to the first runner that registers with it.
        raw = call("POST", f"{ADMIN}/admin/api/v1/runner-tokens", {"pool_name": "bench"}, admin=True)["raw_token"] if i else token["raw_token"]
        env = dict(os.environ, MARIONETTE_HEARTBEAT_INTERVAL="5s")
        processes.append(subprocess.Popen(
            [AGENT, "--server", GRPC, "--data-port", DATA_PORT, "--token", raw, "--name", f"bench-{i}", "--pool", "bench",
             "--workspace", os.path.join(base, str(i))],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(base, f"{i}.log"), "w")))
        if PIDFILE:  # so run.sh can stop exactly these agents if this script dies
            with open(PIDFILE, "a") as f:
                f.write(f"{processes[-1].pid}\n")
    deadline = time.time() + 60
    while time.time() < deadline:
        items = call("GET", f"{API}/api/v1/runners?pool_name=bench&status=idle&limit=200")["items"]
        if len(items) >= count:
            return processes
        time.sleep(0.2)
    raise RuntimeError(f"only {len(items)} of {count} runners connected")


def dispatch_latency():
    runners = start_runners(RUNNERS)
    try:
        sessions = [session() for _ in range(RUNNERS)]
        for sid in sessions:  # attaches each session to an idle external runner
            wait_terminal(task(sid, "true"))
        trace = []  # per task, for BENCH_TRACE (compare with the store's task_runs timestamps)
        lock = threading.Lock()
        per_session = DISPATCH_TASKS // RUNNERS

        def run_phase(rate):
            """Each session's worker posts its tasks one after another and follows each to its
            end. rate None: back to back (closed loop: all 20 runners busy at once, so latency
            includes the queueing of a saturated machine). rate R: task k of session i is posted
            at start + (k * sessions + i) / R (open loop at R tasks/s, the latency of a machine
            that is not saturated); a worker that falls behind posts at once."""
            latencies = []
            start = time.time() + 0.5

            def worker(index, sid):
                for k in range(per_session):
                    if rate:
                        delay = start + (k * len(sessions) + index) / rate - time.time()
                        if delay > 0:
                            time.sleep(delay)
                    t0 = time.time_ns()
                    tid = task(sid, "echo START $(date +%s%N)")
                    # The follow stream ends with the task (no polling: 20 clients polling every
                    # 20 ms were a good part of the load on a 2-core machine).
                    line = first_stdout_line(tid, to_end=True)
                    with lock:
                        latencies.append((int(line.split()[1]) - t0) / 1e6)
                        trace.append({"task_id": tid, "posted_ns": t0, "started_ns": int(line.split()[1])})

            threads = [threading.Thread(target=worker, args=(i, sid)) for i, sid in enumerate(sessions)]
            began = time.time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return latencies, time.time() - began

        server = int(SERVER_PID) if SERVER_PID else -1
        # Backends come and go with the pool; those alive at the end did nearly all the work.
        table = process_table()
        cpu_before, pg_before = process_cpu(table, server), postgres_cpu(table)
        latencies, seconds = run_phase(None)
        table = process_table()
        server_ms = (process_cpu(table, server) - cpu_before) * 1000
        pg_after = postgres_cpu(table)
        pg_ms = sum(after - pg_before.get(pid, 0) for pid, after in pg_after.items()) * 1000
        paced, _ = run_phase(DISPATCH_RATE)
        # Baseline: starting the same shell command directly (fork + exec, no fabric).
        direct = []
        for _ in range(50):
            t0 = time.time_ns()
            out = subprocess.run(["sh", "-c", "echo START $(date +%s%N)"], capture_output=True, text=True)
            direct.append((int(out.stdout.split()[1]) - t0) / 1e6)
        if os.environ.get("BENCH_TRACE"):
            with open(os.environ["BENCH_TRACE"], "w") as f:
                json.dump(trace, f)
        p50, p99 = statistics.median(latencies), percentile(latencies, 99)
        result("dispatch_p50", p50, "ms")
        result("dispatch_p99", p99, "ms")
        result("dispatch_tasks", len(latencies), "tasks")
        result("dispatch_saturated_tasks_per_s", len(latencies) / seconds, "tasks/s")
        result(f"dispatch_at_{DISPATCH_RATE:g}_per_s_p50", statistics.median(paced), "ms")
        result(f"dispatch_at_{DISPATCH_RATE:g}_per_s_p99", percentile(paced, 99), "ms")
        # CPU per task does not drift with the machine's other load as latency does.
        if SERVER_PID:
            result("dispatch_server_cpu_ms_per_task", server_ms / len(latencies), "ms")
        if PG_DATA:
            result("dispatch_postgres_cpu_ms_per_task", pg_ms / len(latencies), "ms")
        result("dispatch_baseline_direct_exec_p50", statistics.median(direct), "ms")
        result("dispatch_vs_direct_exec_ratio", p50 / statistics.median(direct), "x")
        for sid in sessions:
            call("DELETE", f"{API}/api/v1/sessions/{sid}")
    finally:
        for p in runners:
            p.terminate()
        for p in runners:
            p.wait(timeout=15)


def session_start():
    durations = []
    for _ in range(SESSIONS):
        t0 = time.time_ns()
        sid = session()
        tid = task(sid, "echo START $(date +%s%N)")
        wait_terminal(tid)
        line = first_stdout_line(tid)
        durations.append((int(line.split()[1]) - t0) / 1e6)
        call("DELETE", f"{API}/api/v1/sessions/{sid}")
    # Baseline: starting the agent binary itself (`version`), the floor of any local runner start.
    direct = []
    for _ in range(10):
        t0 = time.time()
        subprocess.run([AGENT, "version"], capture_output=True)
        direct.append((time.time() - t0) * 1000)
    p50 = statistics.median(durations)
    result("session_start_p50", p50, "ms")
    result("session_start_p99", percentile(durations, 99), "ms")
    result("session_start_baseline_agent_exec_p50", statistics.median(direct), "ms")
    result("session_start_vs_agent_exec_ratio", p50 / statistics.median(direct), "x")


if __name__ == "__main__":
    which = sys.argv[1:] or ["logs", "dispatch", "session"]
    ok = True
    if "logs" in which:
        ok = log_throughput() and ok
    if "dispatch" in which:
        dispatch_latency()
    if "session" in which:
        session_start()
    sys.exit(0 if ok else 1)
