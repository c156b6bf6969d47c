# Shared helpers for the scripts in this folder. Source it; it sets no shell options.
# shellcheck shell=bash

# Repository root (the folder that holds Package.swift).
MARIONETTE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '%s %s\n' "[${LOG_NAME:-$(basename "$0")}]" "$*" >&2; }
die() { printf '%s ERROR: %s\n' "[${LOG_NAME:-$(basename "$0")}]" "$*" >&2; exit 1; }

# Put the Swift toolchain on PATH when it is installed at its usual place but not on PATH yet.
ensure_swift_on_path() {
    if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="$PATH:/opt/swift/usr/bin"
    fi
    command -v swift >/dev/null 2>&1
}

# Print N (default 1) distinct ports that are free for both TCP and UDP on 127.0.0.1, one a line.
# All sockets are held open until every port is chosen, so the ports differ from each other.
free_ports() {
    python3 - "${1:-1}" <<'PY'
import socket, sys
n = int(sys.argv[1]); held = []; ports = []
while len(ports) < n:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        held.append(t); u.close(); continue
    held += [t, u]; ports.append(port)
print("\n".join(map(str, ports)))
for s in held: s.close()
PY
}

# Seconds since the epoch with millisecond precision, and elapsed seconds since a start value.
now_s() { date +%s.%N; }
elapsed_s() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

# True when PID leads its own process group (it was started with setsid, or is bwrap's).
leads_own_group() { [ "$(ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ')" = "$1" ]; }

# Stops a process started with setsid and everything in its group: SIGTERM, up to 10 s, then
# SIGKILL (the group too: children that outlived it). Waits for it when it is this shell's child.
stop_process_group() {
    local pid="$1" target="$1"
    leads_own_group "$pid" && target="-$pid"
    kill -TERM -- "$target" 2>/dev/null || return 0
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then log "process $pid did not stop in 10 s; killing it"; fi
    kill -KILL -- "$target" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# stop_process_group on the pid held in the variable named $1 (e.g. SERVER_PID), once: the variable
# is cleared first, so a second call (an EXIT trap after an explicit stop) does nothing.
stop_group_of() {
    local name="$1" pid="${!1:-}"
    [ -n "$pid" ] || return 0
    printf -v "$name" '%s' ""
    stop_process_group "$pid"
}

# SIGTERM to the local runners a server logged in the given log files (they outlive their server on
# purpose). The logged pid is bwrap's, which leads a session of its own and does not pass SIGTERM on
# to the agent inside: its process group is signalled when it leads one.
stop_local_runners() {
    local pid
    for pid in $(sed -n 's/.*"msg":"started local runner","pid":"\([0-9]*\)".*/\1/p' "$@" 2>/dev/null || true); do
        if leads_own_group "$pid"; then kill -TERM -- "-$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
    done
}
