#!/usr/bin/env python3
"""Agent pipeline benchmark (issue 8): events/s through the Claude executor (the Claude Code
test double emitting assistant events as fast as it can) into the store and a live follower,
beside the same number of plain lines through the `command` agent as the baseline; and the
permission round trip: the CLI asks (control_request can_use_tool) -> the request is visible in
the API -> an operator bot approves -> the CLI gets allow.

Runs against a server started by run.sh (MARIONETTE_BENCH_API, _KEY) whose environment sets
MARIONETTE_CLAUDE_BIN to the double. Prints `RESULT <name> <value> <unit>` lines.
"""
import json
import os
import re
import statistics
import sys
import time
import urllib.request

API = os.environ["MARIONETTE_BENCH_API"]
KEY = os.environ["MARIONETTE_BENCH_KEY"]
EVENTS = int(os.environ.get("BENCH_AGENT_EVENTS", "100000"))
ROUND_TRIPS = int(os.environ.get("BENCH_PERMISSION_ROUND_TRIPS", "50"))
SEQUENCE = re.compile(rb'"sequence":(\d+)')


def log(*args):
    print("[bench/agents]", *args, file=sys.stderr, flush=True)


def result(name, value, unit):
    print(f"RESULT {name} {value:.3f} {unit}" if isinstance(value, float) else f"RESULT {name} {value} {unit}", flush=True)


def call(method, path, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(API + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {KEY}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
        return json.loads(text) if text else None


def session(agent, policy="ask"):
    return call("POST", "/api/v1/sessions", {"agent": agent, "permission_policy": policy})["id"]


def task(session_id, prompt):
    return call("POST", f"/api/v1/sessions/{session_id}/tasks", {"prompt": prompt})["id"]


def follow(task_id, on_block=None):
    """Reads the NDJSON follow stream to its end record: (log lines, seconds, in order)."""
    started = time.time()
    request = urllib.request.Request(f"{API}/api/v1/tasks/{task_id}/logs?follow=true")
    request.add_header("Authorization", f"Bearer {KEY}")
    lines, last, in_order, ended, rest = 0, 0, True, False, b""
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
            if on_block:
                on_block(block)
            lines += block.count(b'"type":"log"')
            sequences = list(map(int, SEQUENCE.findall(block)))
            if sequences and sequences != list(range(last + 1, last + 1 + len(sequences))):
                in_order = False
            if sequences:
                last = sequences[-1]
    return lines, time.time() - started, in_order and ended


def wait_running(task_id):
    for _ in range(3000):
        if call("GET", f"/api/v1/tasks/{task_id}")["status"] != "pending":
            return
        time.sleep(0.01)


def events_per_second():
    # Warm up: the session's runner starts (not part of the measurement).
    claude = session("claude")
    warm = task(claude, "say warm")
    follow(warm)
    measured = task(claude, f"burst {EVENTS}")
    wait_running(measured)
    lines, seconds, ok = follow(measured)
    events = lines
    rate = events / seconds if seconds > 0 else 0.0
    log(f"claude: {events} lines in {seconds:.2f} s, in order: {ok}")
    result("claude_events_per_s", rate, "events/s")
    run = call("GET", f"/api/v1/tasks/{measured}/runs")["items"][0]
    if run["status"] != "completed" or not ok or events < EVENTS:
        log(f"claude run: {run['status']} {run.get('error')}; lines {events}")
        return False

    # Baseline: the same number of JSON lines, printed by a command task (no parsing).
    command = session("command")
    follow(task(command, "true"))
    script = f"python3 {os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lines.py')} {EVENTS}"
    baseline = task(command, script)
    wait_running(baseline)
    base_lines, base_seconds, base_ok = follow(baseline)
    base_rate = base_lines / base_seconds if base_seconds > 0 else 0.0
    log(f"command baseline: {base_lines} lines in {base_seconds:.2f} s, in order: {base_ok}")
    result("command_lines_per_s_baseline", base_rate, "lines/s")
    if base_rate > 0:
        result("claude_vs_command_ratio", rate / base_rate, "x")
    return True


def permission_round_trips():
    """Each step is a Bash call the CLI must get approved. The bot approves a request as soon as
    the API lists it. Round trip = agent timestamp of the CLI's control_request line -> agent
    timestamp of the 'permission allowed' line (written just before the allow goes to stdin)."""
    claude = session("claude")
    follow(task(claude, "say warm"))
    prompt = "\n".join(f"bash true {n}" for n in range(ROUND_TRIPS))
    measured = task(claude, prompt)
    approved = 0
    visible = []
    deadline = time.time() + 300
    while approved < ROUND_TRIPS and time.time() < deadline:
        started = time.time()
        items = call("GET", f"/api/v1/permissions?session_id={claude}&status=pending")["items"]
        if not items:
            time.sleep(0.001)
            continue
        for item in items:
            call("POST", f"/api/v1/permissions/{item['id']}/approve")
            approved += 1
        visible.append(time.time() - started)
    records = []

    def collect(block):
        for raw in block.split(b"\n"):
            if b'"type":"log"' in raw:
                records.append(json.loads(raw))

    follow(measured, collect)
    asks, answers = [], []
    for record in records:
        content = record.get("content", "")
        stamp = record.get("timestamp")
        if not stamp:
            continue
        t = parse_time(stamp)
        if '"subtype":"can_use_tool"' in content:
            asks.append(t)
        elif content.startswith("permission allowed: Bash"):
            answers.append(t)
    trips = [(b - a) * 1000 for a, b in zip(asks, answers)]
    if len(trips) < ROUND_TRIPS:
        log(f"only {len(trips)} round trips measured ({len(asks)} asks, {len(answers)} answers)")
        return False
    trips.sort()
    result("permission_round_trip_p50", statistics.median(trips), "ms")
    result("permission_round_trip_p95", trips[int(len(trips) * 0.95) - 1], "ms")
    return True


def parse_time(text):
    # RFC 3339 with milliseconds, UTC: 2026-11-30T11:49:08.123Z
    from datetime import datetime
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def main():
    ok = events_per_second()
    ok = permission_round_trips() and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
