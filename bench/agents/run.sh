#!/usr/bin/env bash
# Agent pipeline benchmark (bench/agents/bench.py) on the embedded SQLite store: events/s through
# the Claude executor (the Claude Code test double) into the store and a follower, with the same
# number of plain `command` lines as the baseline, and the permission round trip.
#
# Environment: BENCH_AGENT_EVENTS (100000), BENCH_PERMISSION_ROUND_TRIPS (50),
# MARIONETTE_BENCH_BIN=<dir with binaries> (default: a release build).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$BENCH_DIR/../../scripts/lib.sh"
LOG_NAME=bench/agents
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
[ -x "$BIN/marionette-server" ] && [ -x "$BIN/marionette-agent" ] || die "no binaries in $BIN"

WORK="$(mktemp -d -t marionette-agents.XXXXXX)"
SERVER_PID=""
cleanup() {
    stop_group_of SERVER_PID
    stop_local_runners "$WORK"/*.log
    rm -rf "$WORK"
}
trap cleanup EXIT

data="$WORK/sqlite"
mkdir -p "$data"
mapfile -t ports < <(free_ports 5)
log "starting server"
(cd "$data" && exec env -u MARIONETTE_DATABASE_URL -u MARIONETTE_CONFIG \
    MARIONETTE_CLAUDE_BIN="$MARIONETTE_ROOT/Tests/Doubles/claude/claude" setsid "$BIN/marionette-server" --data-dir "$data" \
    --api-port "${ports[0]}" --admin-port "${ports[1]}" --grpc-port "${ports[2]}" \
    --fabric-data-port "${ports[3]}" --media-port "${ports[4]}" </dev/null >"$WORK/server.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:${ports[0]}/health" >/dev/null 2>&1 && break
    sleep 0.1
done
status=0
MARIONETTE_BENCH_API="http://127.0.0.1:${ports[0]}" MARIONETTE_BENCH_KEY="$(cat "$data/bootstrap-api-key")" \
    python3 "$BENCH_DIR/bench.py" || { status=1; tail -40 "$WORK/server.log" >&2; }
echo "TARGET claude_events_per_s >= 50000 events/s"
echo "TARGET permission_round_trip_p50 < 50 ms"
exit $status
