#!/usr/bin/env bash
# REST API benchmark: the same scenarios against the embedded SQLite store and against PostgreSQL
# (a throwaway cluster from scripts/pg-cluster.sh), in one run. Prints on stdout:
#   RESULT <store>_<scenario>_{rps,p50,p99} <value> <unit>     store: sqlite | postgres
#   TARGET ...                                                 the goals to compare with
# Everything else (progress, wrk's own report, server logs on failure) goes to stderr.
#
# Scenarios, each measured twice with wrk (2 threads, BENCH_DURATION each): once with ONE connection
# for latency (p50/p99 of a request that does not wait behind others) and once with 8 connections
# for requests/s (and the loaded p50/p99, which on 2 cores is mostly queueing). Per store, in order:
#   health           GET /health: the baseline (same listener and HTTP stack, no auth, no store);
#                    each scenario's RATIO line is its p50 over this p50 in the same run
#   session_list     seed 60 sessions, then GET /api/v1/sessions?limit=50 (first, so that the list
#                    sees the 60-session store it is meant for, not the sessions made below)
#   session_create   POST /api/v1/sessions {"agent":"command","name":"bench"}
#   task_create_get  one session made with curl, then alternately POST /sessions/{sid}/tasks and
#                    GET /tasks/{id} of the last task created (last, because the tasks it queues
#                    keep the server and its agents busy dispatching them afterwards)
# Output per scenario: RESULT <store>_<scenario>_{p50,p99} (1 connection), _rps, _loaded_{p50,p99}
# (8 connections), and RATIO <store>_<scenario>_p50_vs_health.
#
# Environment:
#   BENCH_DURATION=10s          wrk duration per scenario
#   BENCH_STORES="sqlite postgres"
#   MARIONETTE_BENCH_SERVER=... use this server binary instead of building (release) one
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$BENCH_DIR/../../scripts/lib.sh"
LOG_NAME=bench/api
cd "$MARIONETTE_ROOT"

DURATION="${BENCH_DURATION:-10s}"
STORES="${BENCH_STORES:-sqlite postgres}"
THREADS=2
CONNECTIONS=8           # the throughput run; the latency run uses one connection (and one thread)
SEED_SESSIONS=60

"$MARIONETTE_ROOT/scripts/install-deps.sh"

if [ -n "${MARIONETTE_BENCH_SERVER:-}" ]; then
    SERVER="$MARIONETTE_BENCH_SERVER"
else
    ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"
    t0="$(now_s)"
    log "swift build -c release"
    swift build -c release >&2
    SERVER="$(swift build -c release --show-bin-path)/marionette-server"
    log "release build: $(elapsed_s "$t0") s"
fi
[ -x "$SERVER" ] || die "no server binary at $SERVER"

WORK="$(mktemp -d -t marionette-bench.XXXXXX)"
PG_DIR=""           # set once a cluster is started
SERVER_PID=""
OUT_DIR="$MARIONETTE_ROOT/bench/out"
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/api-results.txt"
: >"$RESULTS"

# The server was started with setsid: its process group holds it and the agents it started.
stop_server() { stop_group_of SERVER_PID; }

cleanup() {
    stop_server
    if [ -n "$PG_DIR" ]; then "$MARIONETTE_ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

emit() { echo "$*" | tee -a "$RESULTS"; }

# Flags the server binary understands (the fabric data port flag may not exist in every build).
SERVER_HELP="$("$SERVER" serve --help 2>&1 || true) $("$SERVER" --help 2>&1 || true)"
has_flag() { grep -q -- "$1" <<<"$SERVER_HELP"; }

# start_server STORE [DATABASE_URL]: starts the server on free ports with a fresh data dir; sets
# SERVER_PID, API_BASE, API_KEY.
start_server() {
    local store="$1" db_url="${2:-}"
    local data="$WORK/$store-data" logf="$WORK/$store-server.log"
    mkdir -p "$data"
    local ports; mapfile -t ports < <(free_ports 5)
    local args=(--data-dir "$data" --api-port "${ports[0]}" --admin-port "${ports[1]}"
                --grpc-port "${ports[2]}" --media-port "${ports[4]}")
    if has_flag --fabric-data-port; then
        args+=(--fabric-data-port "${ports[3]}")
    else
        log "WARNING: $SERVER has no --fabric-data-port flag; leaving the fabric data port at its default"
    fi
    # providers.default=none: this benchmark measures the REST API and the store, so the tasks it
    # queues stay queued instead of starting local agents that would compete for the 2 cores.
    local envs=(-u MARIONETTE_DATABASE_URL -u MARIONETTE_CONFIG MARIONETTE_PROVIDERS_DEFAULT=none)
    [ -z "$db_url" ] || envs+=(MARIONETTE_DATABASE_URL="$db_url")
    API_BASE="http://127.0.0.1:${ports[0]}"
    log "[$store] starting $SERVER ${args[*]}"
    # Its own process group (setsid) so that stopping it also stops the agents it starts; cwd is the
    # data dir so that no configs/local.yaml of the caller's folder is picked up.
    (cd "$data" && exec env "${envs[@]}" setsid "$SERVER" "${args[@]}" </dev/null >"$logf" 2>&1) &
    SERVER_PID=$!

    local i code
    for i in $(seq 1 600); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 40 "$logf" >&2 || true
            SERVER_PID=""
            die "[$store] server exited during start-up (log above)"
        fi
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$API_BASE/health" || true)"
        [ "$code" = 200 ] && break
        [ "$i" -lt 600 ] || { tail -n 40 "$logf" >&2; die "[$store] /health did not answer 200 within 60 s"; }
        sleep 0.1
    done
    for i in $(seq 1 100); do
        [ -s "$data/bootstrap-api-key" ] && break
        [ "$i" -lt 100 ] || die "[$store] no $data/bootstrap-api-key"
        sleep 0.1
    done
    API_KEY="$(tr -d '[:space:]' <"$data/bootstrap-api-key")"
    log "[$store] server up at $API_BASE after $((i / 10)).$((i % 10)) s"
}

# api METHOD PATH [BODY]: one authenticated call; prints the body, fails on a non-2xx status.
api() {
    local method="$1" path="$2" body="${3:-}" out code
    out="$WORK/curl.out"
    code="$(curl -s -o "$out" -w '%{http_code}' -X "$method" \
        -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
        ${body:+--data "$body"} "$API_BASE$path")" || die "curl $method $path failed"
    case "$code" in
        2??) cat "$out" ;;
        *) die "$method $path -> HTTP $code: $(head -c 500 "$out")" ;;
    esac
}

# wrk_once CONNECTIONS THREADS STORE SCENARIO LUA [ENV=VALUE...]: runs wrk, prints its BENCH line's
# fields as "rps p50 p99"; a run with error statuses or socket errors fails the benchmark.
FAILED=0
wrk_once() {
    local connections="$1" threads="$2" store="$3" scenario="$4" lua="$5"; shift 5
    local raw="$WORK/$store-$scenario-c$connections.wrk"
    log "[$store] $scenario: wrk -t$threads -c$connections -d$DURATION"
    env BENCH_LUA_DIR="$BENCH_DIR" BENCH_API_KEY="$API_KEY" "$@" \
        wrk -t"$threads" -c"$connections" -d"$DURATION" --latency --timeout 5s \
        -s "$BENCH_DIR/$lua" "$API_BASE" >"$raw" 2>&1 || { cat "$raw" >&2; die "wrk failed"; }
    cat "$raw" >&2
    local line; line="$(grep '^BENCH ' "$raw" | tail -n 1)"
    [ -n "$line" ] || die "no BENCH line in wrk's output"
    local field requests bad sock
    requests="$(sed -n 's/.* requests=\([^ ]*\).*/\1/p' <<<"$line")"
    bad="$(sed -n 's/.* non2xx3xx=\([^ ]*\).*/\1/p' <<<"$line")"
    sock="$(sed -n 's/.* socket_errors=\([^ ]*\).*/\1/p' <<<"$line")"
    if [ "$bad" != 0 ] || [ "$sock" != 0 ] || [ "$requests" = 0 ]; then
        emit "RESULT ${store}_${scenario}_c${connections}_errors $((bad + sock)) requests"
        log "[$store] WARNING: $scenario had $bad error statuses and $sock socket errors in $requests requests; its figures are not valid"
        FAILED=1
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        die "[$store] the server died during $scenario"
    fi
    for field in rps p50_ms p99_ms; do
        printf '%s ' "$(sed -n "s/.* $field=\([^ ]*\).*/\1/p" <<<"$line")"
    done
}

# run_wrk STORE SCENARIO LUA [ENV=VALUE...]: the latency run, then the throughput run; RESULT lines,
# and the RATIO against the health baseline of this store (HEALTH_P50, set by the health scenario).
HEALTH_P50=""
run_wrk() {
    local store="$1" scenario="$2" lua="$3"; shift 3
    local p50 p99 rps lp50 lp99
    read -r _ p50 p99 <<<"$(wrk_once 1 1 "$store" "$scenario" "$lua" "$@")"
    read -r rps lp50 lp99 <<<"$(wrk_once "$CONNECTIONS" "$THREADS" "$store" "$scenario" "$lua" "$@")"
    emit "RESULT ${store}_${scenario}_p50 $p50 ms"
    emit "RESULT ${store}_${scenario}_p99 $p99 ms"
    emit "RESULT ${store}_${scenario}_rps $rps req/s"
    emit "RESULT ${store}_${scenario}_loaded_p50 $lp50 ms"
    emit "RESULT ${store}_${scenario}_loaded_p99 $lp99 ms"
    if [ "$scenario" = health ]; then
        HEALTH_P50="$p50"
    elif [ -n "$HEALTH_P50" ]; then
        emit "RATIO ${store}_${scenario}_p50_vs_health $(awk -v a="$p50" -v b="$HEALTH_P50" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
    fi
}

bench_store() {
    local store="$1" db_url="${2:-}"
    start_server "$store" "$db_url"
    run_wrk "$store" health health.lua

    log "[$store] seeding $SEED_SESSIONS sessions"
    local i
    for i in $(seq 1 "$SEED_SESSIONS"); do
        api POST /api/v1/sessions "{\"agent\":\"command\",\"name\":\"seed-$i\"}" >/dev/null
    done
    run_wrk "$store" session_list session_list.lua

    run_wrk "$store" session_create session_create.lua

    local sid
    sid="$(api POST /api/v1/sessions '{"agent":"command","name":"bench-tasks"}' \
        | grep -o '"id" *: *"sess_[A-Za-z0-9]*"' | head -n 1 | sed 's/.*"\(sess_[A-Za-z0-9]*\)"/\1/' || true)"
    [ -n "$sid" ] || die "[$store] no session id in the create response"
    run_wrk "$store" task_create_get task_create_get.lua BENCH_SESSION_ID="$sid"

    stop_server
}

t_all="$(now_s)"
for store in $STORES; do
    case "$store" in
        sqlite)
            bench_store sqlite ;;
        postgres)
            PG_DIR="$(mktemp -d -t marionette-bench-pg.XXXXXX)"
            pg_url="$("$MARIONETTE_ROOT/scripts/pg-cluster.sh" start "$PG_DIR")" || die "PostgreSQL did not start"
            bench_store postgres "$pg_url"
            "$MARIONETTE_ROOT/scripts/pg-cluster.sh" stop "$PG_DIR"
            PG_DIR="" ;;
        *) die "unknown store $store (sqlite | postgres)" ;;
    esac
done

emit "TARGET task_create_p50 < 2 ms"
emit "TARGET session_list_p50 < 3 ms"
# Compare the SQLite figures with the targets (task_create is measured as the create+get mix).
if [ -s "$RESULTS" ] && grep -q '^RESULT sqlite_' "$RESULTS"; then
    awk '
        $1 == "RESULT" && $2 == "sqlite_task_create_get_p50" { v = $3; t = 2;
            printf "CHECK task_create_p50 sqlite %s ms < %s ms: %s\n", v, t, (v + 0 < t ? "met" : "MISSED") }
        $1 == "RESULT" && $2 == "sqlite_session_list_p50" { v = $3; t = 3;
            printf "CHECK session_list_p50 sqlite %s ms < %s ms: %s\n", v, t, (v + 0 < t ? "met" : "MISSED") }
    ' "$RESULTS" | tee -a "$RESULTS"
fi
log "benchmark took $(elapsed_s "$t_all") s; results also in ${RESULTS#"$MARIONETTE_ROOT"/}"
exit "$FAILED"
