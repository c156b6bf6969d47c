#!/usr/bin/env bash
# Tunnel benchmark (bench/tunnels/bench.py): a session's HTTP and TCP tunnels into its local runner
# against direct access to the origin, a `socat` relay and an OpenSSH reverse tunnel (`ssh -R`), all
# on this machine in one run. Origins (iperf3 and nginx) listen on loopback on the host, which the
# local runner shares. Prints RESULT, RATIO and TARGET lines on stdout; progress on stderr.
#
# Environment: BENCH_SECONDS (5) per measurement, BENCH_SOAK_SECONDS (60), BENCH_RATE (1000 req/s,
# the fixed-rate latency run), BENCH_BULK_RATE (100 req/s, small requests beside a bulk download),
# BENCH_CONNECTIONS ("1 16 64 256"), BENCH_TCP_PATHS ("direct socat ssh marionette"),
# BENCH_HTTP_PATHS ("direct socat ssh marionette"), BENCH_KEEP_WORK=1 (keep the work folder and its
# logs), MARIONETTE_BENCH_BIN=<dir with release binaries>.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$BENCH_DIR/../../scripts/lib.sh"
LOG_NAME=bench/tunnels
cd "$MARIONETTE_ROOT"
"$MARIONETTE_ROOT/scripts/install-deps.sh"

if [ -n "${MARIONETTE_BENCH_BIN:-}" ]; then
    BIN="$MARIONETTE_BENCH_BIN"
else
    ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"
    log "swift build -c release"
    swift build -c release >&2
    BIN="$(swift build -c release --show-bin-path)"
fi
[ -x "$BIN/marionette-server" ] && [ -x "$BIN/marionette-agent" ] && [ -x "$BIN/mctl" ] || die "no release binaries in $BIN"
for tool in iperf3 socat wrk nginx ssh ssh-keygen curl /usr/sbin/sshd timeout; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/install-deps.sh installs it)"
done

WORK="$(mktemp -d -t marionette-tunnels.XXXXXX)"
HELPER_PIDS="$WORK/helper-pids"   # bench.py keeps here the pids of the helpers it runs right now
SERVER_PID=""
stop_server() { stop_group_of SERVER_PID; }
# The helpers bench.py started (iperf3, nginx, socat, sshd, ssh), each the leader of its own process
# group (socat's and sshd's per-connection children are in it), if bench.py could not stop them.
stop_helpers() {
    local pid pids
    pids="$(cat "$HELPER_PIDS" 2>/dev/null || true)"
    [ -n "$pids" ] || return 0
    for pid in $pids; do
        if leads_own_group "$pid"; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
    done
    sleep 0.5
    for pid in $pids; do
        if leads_own_group "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
    done
}
stop_agents() { stop_local_runners "$WORK"/*.log; }
cleanup() {
    stop_helpers
    stop_server
    stop_agents
    if [ -n "${BENCH_KEEP_WORK:-}" ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port_range N: the first port of N consecutive ports free on 127.0.0.1, below the ephemeral
# range (so that no client connection takes one of them while the run lasts).
free_port_range() {
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
top = low - n if low > 20000 + 2 * n else 65535 - n
for _ in range(200):
    base = random.randrange(20000 if top > 20000 else 10000, top)
    held = []
    try:
        for port in range(base, base + n):
            s = socket.socket(); s.bind(("127.0.0.1", port)); held.append(s)
    except OSError:
        continue
    finally:
        for s in held: s.close()
    print(base); break
else:
    sys.exit("no free port range")
PY
}

data="$WORK/data"
mkdir -p "$data"
mapfile -t ports < <(free_ports 13)   # 5 for the server, 8 for origins, baselines and mctl
tcp_base="$(free_port_range 10)"
log "starting server (TCP tunnel ports $tcp_base-$((tcp_base + 9)))"
(cd "$data" && exec env -u MARIONETTE_DATABASE_URL -u MARIONETTE_CONFIG \
    MARIONETTE_TUNNELS_TCP_PORT_RANGE="$tcp_base-$((tcp_base + 9))" \
    setsid "$BIN/marionette-server" --data-dir "$data" \
    --api-port "${ports[0]}" --admin-port "${ports[1]}" --grpc-port "${ports[2]}" \
    --fabric-data-port "${ports[3]}" --media-port "${ports[4]}" </dev/null >"$WORK/server.log" 2>&1) &
SERVER_PID=$!
for i in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 40 "$WORK/server.log" >&2; SERVER_PID=""; die "server exited during start-up"; }
    curl -fs --max-time 1 "http://127.0.0.1:${ports[0]}/health" >/dev/null 2>&1 && break
    [ "$i" -lt 300 ] || { tail -n 40 "$WORK/server.log" >&2; die "/health did not answer within 30 s"; }
    sleep 0.1
done
for i in $(seq 1 100); do
    [ -s "$data/bootstrap-api-key" ] && break
    [ "$i" -lt 100 ] || die "no $data/bootstrap-api-key"
    sleep 0.1
done

# Every step of bench.py has its own timeout; this one bounds the whole run.
budget=$(( 600 + 2 * ${BENCH_SOAK_SECONDS:-60} + 40 * ${BENCH_SECONDS:-5} ))
status=0
MARIONETTE_BENCH_API="http://127.0.0.1:${ports[0]}" \
MARIONETTE_BENCH_KEY="$(tr -d '[:space:]' <"$data/bootstrap-api-key")" \
MARIONETTE_BENCH_WORK="$WORK" MARIONETTE_BENCH_PIDFILE="$HELPER_PIDS" MARIONETTE_BENCH_DATA_DIR="$data" \
MARIONETTE_BENCH_SERVER_PID="$SERVER_PID" MARIONETTE_BENCH_MCTL="$BIN/mctl" \
MARIONETTE_BENCH_PORTS="${ports[*]:5}" \
    timeout --kill-after=15 "$budget" python3 "$BENCH_DIR/bench.py" || status=$?
if [ "$status" -ne 0 ]; then
    log "bench.py exited with status $status; the server log's last lines:"
    tail -n 40 "$WORK/server.log" >&2 || true
fi
exit "$status"
