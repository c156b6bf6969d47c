#!/usr/bin/env bash
# Fabric benchmark (bench/fabric/bench.py) against the embedded SQLite store and PostgreSQL, in
# one run. Prints RESULT lines (with the baseline of each measurement and the ratio) and TARGETs.
#
# Environment: BENCH_STORES="sqlite postgres", BENCH_SECTIONS="logs dispatch session" (all),
# BENCH_LOG_LINES (1000000), BENCH_DISPATCH_TASKS (500), BENCH_DISPATCH_RATE (20 tasks/s, the paced phase),
# BENCH_RUNNERS (20), BENCH_SESSIONS (50), MARIONETTE_BENCH_BIN=<dir with release binaries>.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$BENCH_DIR/../../scripts/lib.sh"
LOG_NAME=bench/fabric
cd "$MARIONETTE_ROOT"
STORES="${BENCH_STORES:-sqlite postgres}"
"$MARIONETTE_ROOT/scripts/install-deps.sh"

if [ -n "${MARIONETTE_BENCH_BIN:-}" ]; then
    BIN="$MARIONETTE_BENCH_BIN"
else
    ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"
    log "swift build -c release"
    swift build -c release >&2
    BIN="$(swift build -c release --show-bin-path)"
fi
[ -x "$BIN/marionette-server" ] && [ -x "$BIN/marionette-agent" ] || die "no release binaries in $BIN"

WORK="$(mktemp -d -t marionette-fabric.XXXXXX)"
PG_DIR=""
SERVER_PID=""
stop_server() { stop_group_of SERVER_PID; }
# Agents this run started, by pid: the external runners bench.py lists in $WORK/runner-pids and
# the local runners the server logged. Nobody else's agents.
stop_agents() {
    local pid
    for pid in $(cat "$WORK/runner-pids" 2>/dev/null || true); do kill -TERM "$pid" 2>/dev/null || true; done
    stop_local_runners "$WORK"/*.log
}
cleanup() {
    stop_server
    stop_agents
    if [ -n "$PG_DIR" ]; then "$MARIONETTE_ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

status=0
for store in $STORES; do
    data="$WORK/$store"
    mkdir -p "$data"
    mapfile -t ports < <(free_ports 5)
    envs=(-u MARIONETTE_DATABASE_URL -u MARIONETTE_CONFIG)
    if [ "$store" = postgres ]; then
        # A folder of its own: $WORK is mktemp's 0700 folder, which the cluster's owner (user
        # postgres when we run as root) cannot enter. pg-cluster.sh stop removes it.
        PG_DIR="$(mktemp -d -t marionette-fabric-pg.XXXXXX)"
        url="$("$MARIONETTE_ROOT/scripts/pg-cluster.sh" start "$PG_DIR")"
        envs+=(MARIONETTE_DATABASE_URL="$url")
    fi
    log "[$store] starting server"
    (cd "$data" && exec env "${envs[@]}" setsid "$BIN/marionette-server" --data-dir "$data" \
        --api-port "${ports[0]}" --admin-port "${ports[1]}" --grpc-port "${ports[2]}" \
        --fabric-data-port "${ports[3]}" --media-port "${ports[4]}" </dev/null >"$WORK/$store.log" 2>&1) &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        curl -fs "http://127.0.0.1:${ports[0]}/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    MARIONETTE_BENCH_API="http://127.0.0.1:${ports[0]}" MARIONETTE_BENCH_ADMIN="http://127.0.0.1:${ports[1]}" \
    MARIONETTE_BENCH_GRPC="127.0.0.1:${ports[2]}" MARIONETTE_BENCH_DATA="${ports[3]}" \
    MARIONETTE_BENCH_KEY="$(cat "$data/bootstrap-api-key")" \
    MARIONETTE_BENCH_ADMIN_PASSWORD="$(cat "$data/admin-password")" \
    MARIONETTE_BENCH_AGENT="$BIN/marionette-agent" MARIONETTE_BENCH_STORE="$store" \
    MARIONETTE_BENCH_PIDFILE="$WORK/runner-pids" MARIONETTE_BENCH_SERVER_PID="$SERVER_PID" \
    MARIONETTE_BENCH_SERVER_LOG="$WORK/$store.log" MARIONETTE_BENCH_PG_DATA="${PG_DIR:+$PG_DIR/data}" \
        python3 "$BENCH_DIR/bench.py" ${BENCH_SECTIONS:-} || { status=1; tail -40 "$WORK/$store.log" >&2; }
    stop_server
    stop_agents
    if [ -n "$PG_DIR" ]; then "$MARIONETTE_ROOT/scripts/pg-cluster.sh" stop "$PG_DIR"; PG_DIR=""; fi
done
echo "TARGET sqlite_log_lines_per_s >= 100000 lines/s"
echo "TARGET postgres_dispatch_p50 < 20 ms, postgres_dispatch_p99 < 100 ms (reference design: p50 289 ms with 50 runners);"
echo "       dispatch_p50/p99 keep all 20 runners busy at once (a saturated 2-core machine), dispatch_at_<rate>_per_s_* post at a fixed rate"
echo "TARGET sqlite_session_start_p50 < 300 ms"
exit $status
