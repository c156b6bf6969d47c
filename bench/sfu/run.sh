#!/usr/bin/env bash
# SFU benchmark (issue 5, streaming.md §12 "SFU load"): synthetic viewers doing real ICE, DTLS, SRTP and
# receiver reports (no decode) join a 4 Mbit/s VP8 stream, stepping the count up until forwarding p99
# delay exceeds 10 ms or loss exceeds 0.1 %. The same ramp runs against Marionette's SFU (WHIP source,
# WHEP viewers) and Janus's Streaming plugin (plain RTP into an rtp mountpoint, viewers over Janus's HTTP
# API), one after the other in this run, each server alone on the machine while measured. Source and
# viewers are separate processes (marionette-sfu-bench), so their CPU is not counted against the server.
# Prints RESULT lines per step and overall, then RATIO and TARGET lines, on stdout; progress on stderr.
#
# Environment: BENCH_STEPS ("25,50,100,150,200,300,400"), BENCH_STEP_SECONDS (10), BENCH_BITRATE (4000000),
# BENCH_TARGETS ("marionette janus"), BENCH_PACING (2.5, the source's pacing rate over its bitrate; 0
# sends each frame in one burst), BENCH_VIEWER_THREADS (1, event loops driving the viewers),
# BENCH_DECRYPT_EVERY (8, one delay sample per this many packets a viewer gets), BENCH_KEEP_WORK=1 (keep
# the work folder and its logs), MARIONETTE_BENCH_BIN=<dir with release binaries>.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$BENCH_DIR/../../scripts/lib.sh"
LOG_NAME=bench/sfu
cd "$MARIONETTE_ROOT"
"$MARIONETTE_ROOT/scripts/install-deps.sh"

STEPS="${BENCH_STEPS:-25,50,100,150,200,300,400}"
STEP_SECONDS="${BENCH_STEP_SECONDS:-10}"
BITRATE="${BENCH_BITRATE:-4000000}"
TARGETS="${BENCH_TARGETS:-marionette janus}"
VIEWER_THREADS="${BENCH_VIEWER_THREADS:-1}"
DECRYPT_EVERY="${BENCH_DECRYPT_EVERY:-8}"
PACING="${BENCH_PACING:-2.5}"

if [ -n "${MARIONETTE_BENCH_BIN:-}" ]; then
    BIN="$(cd "$MARIONETTE_BENCH_BIN" && pwd)"   # absolute: the server starts in its data folder
else
    ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"
    for product in marionette-server marionette-sfu-bench; do
        log "swift build -c release --product $product"
        swift build -c release --product "$product" >&2
    done
    BIN="$(swift build -c release --show-bin-path)"
fi
[ -x "$BIN/marionette-server" ] && [ -x "$BIN/marionette-sfu-bench" ] || die "no release binaries in $BIN"
for tool in curl jq python3 janus; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/install-deps.sh installs it)"
done
JANUS_LIB=/usr/lib/x86_64-linux-gnu/janus
[ -d "$JANUS_LIB" ] || JANUS_LIB="$(dirname "$(dpkg -L janus | grep '/plugins/libjanus_streaming.so$' | head -n 1)")/.."

WORK="$(mktemp -d -t marionette-sfu.XXXXXX)"
SUMMARY="$WORK/steps.txt"
: >"$SUMMARY"
SERVER_PID=""
SOURCE_PID=""
stop_source() { stop_group_of SOURCE_PID; }
stop_server() { stop_group_of SERVER_PID; }
cleanup() {
    stop_source
    stop_server
    if [ -n "${BENCH_KEEP_WORK:-}" ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.1 s while the server lives.
wait_for() {
    local what="$1" seconds="$2"
    shift 2
    for _ in $(seq 1 $((seconds * 10))); do
        [ -n "$SERVER_PID" ] && ! kill -0 "$SERVER_PID" 2>/dev/null && die "the server exited while waiting for $what"
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "no $what within $seconds s"
}

# start_source LOG ARGS...: the synthetic publisher, in its own process group; waits until media flows.
start_source() {
    local log_file="$1"
    shift
    rm -f "$WORK/source-ready"
    setsid "$BIN/marionette-sfu-bench" source --bitrate "$BITRATE" --pacing "$PACING" --ready-file "$WORK/source-ready" "$@" \
        </dev/null >"$log_file" 2>&1 &
    SOURCE_PID=$!
    for _ in $(seq 1 150); do
        [ -e "$WORK/source-ready" ] && return 0
        kill -0 "$SOURCE_PID" 2>/dev/null || { cat "$log_file" >&2; SOURCE_PID=""; die "the source exited"; }
        sleep 0.1
    done
    cat "$log_file" >&2
    die "the source did not start within 15 s"
}

# ramp NAME ARGS...: the viewers' ramp against the server in SERVER_PID (RESULT lines go to stdout).
ramp() {
    local name="$1"
    shift
    # The server's packet caches fill in the first seconds (a 2,048-packet NACK buffer takes 4.4 s at
    # 4 Mbit/s): the memory baseline is taken once they are full, so they are not counted per viewer.
    sleep 6
    "$BIN/marionette-sfu-bench" viewers --label "$name" --server-pid "$SERVER_PID" --steps "$STEPS" \
        --step-seconds "$STEP_SECONDS" --threads "$VIEWER_THREADS" --decrypt-every "$DECRYPT_EVERY" \
        --summary-file "$SUMMARY" "$@" || log "$name: the viewers' ramp exited with status $?"
}

run_marionette() {
    local data="$WORK/marionette" ports api key session stream
    mkdir -p "$data"
    mapfile -t ports < <(free_ports 5)
    api="http://127.0.0.1:${ports[0]}"
    log "marionette: starting the server (API ${ports[0]}, media UDP ${ports[4]})"
    (cd "$data" && exec env -u MARIONETTE_DATABASE_URL -u MARIONETTE_CONFIG MARIONETTE_PROVIDERS_DEFAULT=none \
        MARIONETTE_SFU_MAX_VIEWERS_PER_STREAM=100000 MARIONETTE_SFU_MAX_VIEWERS_TOTAL=100000 \
        setsid "$BIN/marionette-server" --data-dir "$data" \
        --api-port "${ports[0]}" --admin-port "${ports[1]}" --grpc-port "${ports[2]}" \
        --fabric-data-port "${ports[3]}" --media-port "${ports[4]}" </dev/null >"$WORK/marionette.log" 2>&1) &
    SERVER_PID=$!
    wait_for "/health" 60 curl -fs --max-time 1 "$api/health"
    wait_for "bootstrap-api-key" 10 test -s "$data/bootstrap-api-key"
    key="$(tr -d '[:space:]' <"$data/bootstrap-api-key")"
    session="$(curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"agent":"command"}' "$api/api/v1/sessions" | jq -r .id)"
    stream="$(curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"type":"webrtc"}' "$api/api/v1/sessions/$session/streams" | jq -r .id)"
    log "marionette: stream $stream; starting the WHIP source"
    start_source "$WORK/marionette-source.log" --target marionette --api "$api" --token "$key" --stream-id "$stream"
    ramp marionette --target marionette --url "$api" --token "$key" --stream-id "$stream"
    # Every viewer left with a WHEP DELETE: none may be left behind.
    local left
    left="$(curl -fsS -H "Authorization: Bearer $key" "$api/api/v1/streams/$stream/stats" | jq '.viewers | length' || echo '?')"
    echo "RESULT sfu_marionette_viewers_left_after_delete $left viewers"
    stop_source
    stop_server
}

run_janus() {
    local dir="$WORK/janus" ports rtp_base
    mkdir -p "$dir"
    mapfile -t ports < <(free_ports 2)   # HTTP API, the mountpoint's video RTP port
    rtp_base=$(( 30000 + RANDOM % 20000 ))
    # Janus as shipped, but: ICE-lite (our SFU is ICE-lite too), no session timeout (viewers only
    # long-poll once), only the HTTP transport and the Streaming plugin loaded, warnings-only logging.
    # libnice gathers no loopback candidates, so Janus's media sockets are on the host's own address
    # (which Linux carries over the loopback device all the same); the viewers bind that address too.
    cat >"$dir/janus.jcfg" <<JCFG
general: {
	configs_folder = "$dir"
	plugins_folder = "$JANUS_LIB/plugins"
	transports_folder = "$JANUS_LIB/transports"
	events_folder = "$JANUS_LIB/events"
	loggers_folder = "$JANUS_LIB/loggers"
	debug_level = 3
	log_to_stdout = true
	session_timeout = 0
}
certificates: {
}
media: {
	ipv6 = false
	rtp_port_range = "$rtp_base-$((rtp_base + 9999))"
}
nat: {
	ice_lite = true
	ignore_mdns = true
}
plugins: {
	disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_videoroom.so,libjanus_voicemail.so"
}
transports: {
	disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so"
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
events: {
	broadcast = false
}
JCFG
    cat >"$dir/janus.transport.http.jcfg" <<JCFG
general: {
	base_path = "/janus"
	http = true
	port = ${ports[0]}
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_http = false
}
JCFG
    cat >"$dir/janus.plugin.streaming.jcfg" <<JCFG
general: {
}
bench: {
	type = "rtp"
	id = 1
	description = "bench/sfu synthetic VP8"
	audio = false
	video = true
	videoport = ${ports[1]}
	videoiface = "127.0.0.1"
	videopt = 96
	videocodec = "vp8"
	videobufferkf = true
}
JCFG
    log "janus: starting Janus $(janus --version 2>/dev/null | head -n 1 | tr -d '\n') (HTTP ${ports[0]}, RTP in ${ports[1]})"
    setsid janus -F "$dir" -C "$dir/janus.jcfg" -o </dev/null >"$WORK/janus.log" 2>&1 &
    SERVER_PID=$!
    wait_for "Janus's HTTP API" 30 curl -fs --max-time 1 "http://127.0.0.1:${ports[0]}/janus/info"
    local media_host
    media_host="$(curl -fsS "http://127.0.0.1:${ports[0]}/janus/info" | jq -r '."local-ip" // "127.0.0.1"')"
    log "janus: media on $media_host"
    start_source "$WORK/janus-source.log" --target janus --rtp-port "${ports[1]}"
    ramp janus --target janus --url "http://127.0.0.1:${ports[0]}" --mountpoint 1 --bind-host "$media_host"
    stop_source
    stop_server
}

for target in $TARGETS; do
    case "$target" in
        marionette) run_marionette ;;
        janus) run_janus ;;
        *) die "unknown target $target (BENCH_TARGETS: marionette janus)" ;;
    esac
done

# Ratios at the largest viewer count both servers carried within the limits (per-viewer costs
# change with the count, so they are compared at the same one; when no count kept both within the
# limits, at the largest both were measured at, named _over_limits), and the issue's targets.
python3 - "$SUMMARY" <<'PY'
import sys
steps = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 3 or parts[0] != "STEP":
        continue
    row = dict(p.split("=", 1) for p in parts[2:])
    steps.setdefault(parts[1], {})[int(row["n"])] = {k: float(v) for k, v in row.items()}
def within(rows):  # the steps up to the first one over the limits
    out = {}
    for n in sorted(rows):
        if rows[n]["pass"] != 1:
            break
        out[n] = rows[n]
    return out
m_all, j_all = steps.get("marionette", {}), steps.get("janus", {})
m, j = within(m_all), within(j_all)
figures = {}
if m:
    best = m[max(m)]
    figures["egress"] = best["pps"] / best["cores"] if best["cores"] > 0 else None
    figures["mem"] = best["mem_kib"]
# Memory per viewer as the least-squares slope of RSS growth over all measured steps: what one more
# viewer costs, without what the first ones cost once (allocator arenas, buffers sized on first use).
for name, rows in sorted(steps.items()):
    points = [(n, r["mem_kib"] * n) for n, r in rows.items()]
    if len(points) >= 2:
        mean_n = sum(p[0] for p in points) / len(points)
        mean_r = sum(p[1] for p in points) / len(points)
        var = sum((p[0] - mean_n) ** 2 for p in points)
        if var > 0:
            slope = sum((p[0] - mean_n) * (p[1] - mean_r) for p in points) / var
            figures[f"slope_{name}"] = slope
            print(f"RESULT sfu_{name}_mem_per_viewer_slope {slope:.3f} KiB", flush=True)
if figures.get("slope_marionette") and figures.get("slope_janus"):
    print(f"RATIO sfu_mem_per_viewer_slope_marionette_vs_janus {figures['slope_marionette'] / figures['slope_janus']:.3f} x", flush=True)
common, suffix = sorted(set(m) & set(j)), ""
if not common:
    common, suffix = sorted(set(m_all) & set(j_all)), "_over_limits"
if common:
    n = common[-1]
    a, b = m_all[n], j_all[n]
    if b["cores"] > 0:
        figures["cpu_ratio"] = a["cores"] / b["cores"]
        print(f"RATIO sfu_cpu_per_viewer_marionette_vs_janus_n{n}{suffix} {figures['cpu_ratio']:.3f} x", flush=True)
    if b["mem_kib"] > 0:
        print(f"RATIO sfu_mem_per_viewer_marionette_vs_janus_n{n}{suffix} {a['mem_kib'] / b['mem_kib']:.3f} x", flush=True)
    if a["cores"] > 0 and b["cores"] > 0:
        print(f"RATIO sfu_egress_pps_per_core_marionette_vs_janus_n{n}{suffix} {(a['pps'] / a['cores']) / (b['pps'] / b['cores']):.3f} x", flush=True)
if m_all and j_all:
    print(f"RATIO sfu_max_viewers_marionette_vs_janus {max(m or {0: 0}) / max(j or {0: 0}) if j else float('inf'):.3f} x", flush=True)
def target(name, op, goal, unit, value):
    if value is None:
        verdict = "not measured"
    else:
        met = value >= goal if op == ">=" else value <= goal if op == "<=" else value < goal
        verdict = f"measured {value:.3f}: {'met' if met else 'MISSED'}"
    print(f"TARGET {name} {op} {goal}{' ' + unit if unit else ''} ({verdict})", flush=True)
target("sfu_marionette_egress_pps_per_core", ">=", 150000, "packets/s/core", figures.get("egress"))
target("sfu_cpu_per_viewer_marionette_vs_janus", "<=", 0.5, "x", figures.get("cpu_ratio"))
target("sfu_marionette_mem_per_viewer", "<", 200, "KiB", figures.get("mem"))
PY
