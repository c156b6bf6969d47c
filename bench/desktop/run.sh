#!/usr/bin/env bash
# Desktop capture benchmark (capture.md §9, streaming.md §5.2): Marionette's desktop pipeline
# (DesktopSourceRunner: XCB MIT-SHM grab -> libyuv -> libvpx VP8 on one thread) against
# `ffmpeg -f x11grab ... -c:v libvpx` with the same size, frame rate, bitrate and VP8 settings, side by
# side in one run, on a busy screen. Per size an Xvfb (-screen 0 WxHx24); per scene a
# `marionette-desktop-bench scene` process draws on it (text: lines of glyphs scrolling up; video:
# full-screen motion with grain); then ours and ffmpeg alternate (ours, ffmpeg, ours, ffmpeg, ...) so
# that drift in the machine's load hits both. Each measurement has a warm-up that is not counted.
# Counted: the capturing process's CPU (all its threads: ours from getrusage inside, ffmpeg's from
# /proc/<pid>/stat utime+stime) over the window, frames encoded per second and the encoded bitrate
# (ffmpeg's from -vstats_file: per-frame sizes and capture times). The scene and Xvfb are not counted
# for either; `other_core` says how much CPU everything else on the host took in the window.
# Prints RESULT (means over the repeats), RATIO and TARGET lines on stdout; progress on stderr.
#
# Environment: BENCH_SECONDS (15, measured per run), BENCH_WARMUP (2), BENCH_REPEATS (2 pairs of
# ours+ffmpeg per size and scene), BENCH_SIZES ("1920x1080 1280x720"), BENCH_SCENES ("text video"),
# BENCH_FPS (30, capture), BENCH_KBPS (default by size: 2500 for 1080 rows and more, else 1500),
# BENCH_SCENE_FPS (60: twice the capture rate, so that every capture tick finds a new picture; at
# the same rate the two beat and some ticks find none), BENCH_SCROLL (2 pixels per picture, 4 per
# captured frame at 60/30: what the text scene scrolls), BENCH_FFMPEG_CPU_USED (-6, as ours:
# negative = fixed speed; positive = libvpx picks the speed), BENCH_KEEP_WORK=1 (keep the work folder
# and its logs), BENCH_CODEC (vp8; vp9 runs ours with VP9 and ffmpeg with libvpx-vp9 at the same
# speed, row-mt, AQ 3 and screen tuning), MARIONETTE_BENCH_BIN=<dir with release binaries>, BENCH_GLASS=0 (skip the
# glass-to-glass part: bench/desktop/glass.py, server + agent + SFU + Chromium on the bar-code clock;
# its own knobs BENCH_GLASS_SECONDS, BENCH_GLASS_SIZE are listed there).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$BENCH_DIR/../../scripts/lib.sh"
LOG_NAME=bench/desktop
cd "$MARIONETTE_ROOT"
"$MARIONETTE_ROOT/scripts/install-deps.sh"

MEASURE_SECONDS="${BENCH_SECONDS:-15}"
WARMUP="${BENCH_WARMUP:-2}"
REPEATS="${BENCH_REPEATS:-2}"
SIZES="${BENCH_SIZES:-1920x1080 1280x720}"
SCENES="${BENCH_SCENES:-text video}"
FPS="${BENCH_FPS:-30}"
SCENE_FPS="${BENCH_SCENE_FPS:-60}"
SCROLL="${BENCH_SCROLL:-2}"
CPU_USED="${BENCH_FFMPEG_CPU_USED:--6}"
CODEC="${BENCH_CODEC:-vp8}"
case "$CODEC" in vp8|vp9) ;; *) die "BENCH_CODEC must be vp8 or vp9" ;; esac

if [ -n "${MARIONETTE_BENCH_BIN:-}" ]; then
    BIN="$(cd "$MARIONETTE_BENCH_BIN" && pwd)"
else
    ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"
    for product in marionette-desktop-bench marionette-server marionette-agent; do
        log "swift build -c release --product $product"
        swift build -c release --product "$product" >&2
    done
    BIN="$(swift build -c release --show-bin-path)"
fi
[ -x "$BIN/marionette-desktop-bench" ] || die "no release marionette-desktop-bench in $BIN"
for tool in Xvfb ffmpeg xdotool python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/install-deps.sh installs it)"
done
CLK_TCK="$(getconf CLK_TCK)"

WORK="$(mktemp -d -t marionette-desktop.XXXXXX)"
SUMMARY="$WORK/runs.txt"
: >"$SUMMARY"
XVFB_PID=""
SCENE_PID=""
ENCODE_PID=""
FFMPEG_PID=""
cleanup() {
    stop_group_of ENCODE_PID
    stop_group_of FFMPEG_PID
    stop_group_of SCENE_PID
    stop_group_of XVFB_PID
    if [ -n "${BENCH_KEEP_WORK:-}" ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The VP8 CBR target for a size: capture.md §4.2's examples (2,500 kbit/s at 1080p30, 1,500 at 720p30).
kbps_for() {
    if [ -n "${BENCH_KBPS:-}" ]; then echo "$BENCH_KBPS"; elif [ "${1#*x}" -ge 1080 ]; then echo 2500; else echo 1500; fi
}

# start_xvfb WxH: a fresh Xvfb on a free display (-displayfd: it picks the number and writes it once
# clients can connect); sets DISPLAY_NAME.
start_xvfb() {
    local size="$1"
    rm -f "$WORK/display"
    setsid Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp -noreset \
        3>"$WORK/display" </dev/null >"$WORK/xvfb-$size.log" 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 1 100); do
        [ -s "$WORK/display" ] && break
        kill -0 "$XVFB_PID" 2>/dev/null || { XVFB_PID=""; die "Xvfb exited: $(tail -n 5 "$WORK/xvfb-$size.log")"; }
        sleep 0.1
    done
    [ -s "$WORK/display" ] || die "Xvfb did not start within 10 s"
    DISPLAY_NAME=":$(tr -d '[:space:]' <"$WORK/display")"
    DISPLAY="$DISPLAY_NAME" xdotool getdisplaygeometry >/dev/null || die "cannot reach Xvfb on $DISPLAY_NAME"
    log "Xvfb $size on $DISPLAY_NAME"
}

start_scene() {
    local kind="$1"
    setsid "$BIN/marionette-desktop-bench" scene --display "$DISPLAY_NAME" --kind "$kind" --fps "$SCENE_FPS" \
        --scroll-pixels "$SCROLL" </dev/null >"$WORK/scene-$kind.log" 2>&1 &
    SCENE_PID=$!
    sleep 1
    kill -0 "$SCENE_PID" 2>/dev/null || { SCENE_PID=""; cat "$WORK/scene-$kind.log" >&2; die "the $kind scene exited"; }
}

# Busy CPU ticks of the whole host (user nice system irq softirq steal) and of one process (utime + stime).
host_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
process_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# run_marionette SIZE SCENE REPEAT: one measurement of `marionette-desktop-bench encode`.
run_marionette() {
    local size="$1" scene="$2" repeat="$3" out="$WORK/encode.out"
    setsid "$BIN/marionette-desktop-bench" encode --display "$DISPLAY_NAME" --seconds "$MEASURE_SECONDS" \
        --warmup "$WARMUP" --fps "$FPS" --bitrate-kbps "$(kbps_for "$size")" --codec "$CODEC" </dev/null >"$out" 2>"$WORK/encode.log" &
    ENCODE_PID=$!
    if ! wait "$ENCODE_PID"; then
        ENCODE_PID=""
        cat "$WORK/encode.log" >&2
        die "marionette-desktop-bench encode failed"
    fi
    ENCODE_PID=""
    local -A v
    while read -r key value; do v[$key]="$value"; done <"$out"
    record "$size" "$scene" marionette "$repeat" "fps=${v[fps]} cpu_core=${v[process_cpu_core]}" \
        "cpu_ms_per_frame=${v[process_cpu_ms_per_frame]} kbps=${v[kbps]} other_core=${v[other_cpu_core]:-nan}" \
        "capture_thread_core=${v[thread_cpu_core]} encode_ms_p50=${v[encode_ms_p50]} keyframes=${v[keyframes]}"
}

# run_ffmpeg SIZE SCENE REPEAT: the baseline, measured over a window like ours. -copyts keeps
# x11grab's timestamps (the wall-clock time of each grab), so -vstats_file's per-frame `time=` says
# which frames were captured within the window. Flags mirror VP8Encoder (capture.md §4.2/4.3) as far
# as ffmpeg 5.1's libvpx wrapper can set them: CBR (minrate = maxrate = b), fixed speed, one thread,
# no lag, quantizer 12-56, undershoot 100 / overshoot 15, buffer 1000 ms with 500 ms initial,
# static threshold 100, max intra 900 %, no periodic key frames, no cursor (ours sends it apart).
# -enc_time_base 1:90000 (ours' time base): with 1/30 a late grab and its catch-up landed in one slot,
# which gave duplicate timestamps and skewed ffmpeg's rate control.
run_ffmpeg() {
    local size="$1" scene="$2" repeat="$3" kbps vstats="$WORK/vstats"
    kbps="$(kbps_for "$size")"
    local codec_args
    if [ "$CODEC" = vp9 ]; then
        # As VPXEncoder's VP9: speed 8 up to 720p and 9 above, row-mt, cyclic-refresh AQ, screen tuning.
        local speed=8
        [ "${size#*x}" -gt 720 ] && speed=9
        codec_args=(-c:v libvpx-vp9 -deadline realtime -cpu-used "${BENCH_FFMPEG_CPU_USED:-$speed}" -threads 1
            -row-mt 1 -aq-mode 3 -tune-content screen)
    else
        codec_args=(-c:v libvpx -deadline realtime -cpu-used "$CPU_USED" -threads 1 -static-thresh 100)
    fi
    rm -f "$vstats"
    setsid ffmpeg -hide_banner -nostdin -loglevel warning \
        -f x11grab -draw_mouse 0 -framerate "$FPS" -video_size "$size" -i "$DISPLAY_NAME" \
        "${codec_args[@]}" \
        -b:v "${kbps}k" -minrate "${kbps}k" -maxrate "${kbps}k" -bufsize "${kbps}k" -rc_init_occupancy "$((kbps / 2))k" \
        -undershoot-pct 100 -overshoot-pct 15 -qmin 12 -qmax 56 -max-intra-rate 900 \
        -lag-in-frames 0 -g 1000000000 -enc_time_base 1:90000 \
        -vstats_file "$vstats" -copyts -an -f null - </dev/null >"$WORK/ffmpeg.log" 2>&1 &
    FFMPEG_PID=$!
    for _ in $(seq 1 100); do
        [ -s "$vstats" ] && break
        kill -0 "$FFMPEG_PID" 2>/dev/null || { FFMPEG_PID=""; cat "$WORK/ffmpeg.log" >&2; die "ffmpeg exited"; }
        sleep 0.1
    done
    [ -s "$vstats" ] || die "ffmpeg encoded nothing within 10 s"
    sleep "$WARMUP"
    local t0 c0 h0 t1 c1 h1
    t0="$EPOCHREALTIME" c0="$(process_ticks "$FFMPEG_PID")" h0="$(host_ticks)"
    sleep "$MEASURE_SECONDS"
    t1="$EPOCHREALTIME" c1="$(process_ticks "$FFMPEG_PID")" h1="$(host_ticks)"
    kill -0 "$FFMPEG_PID" 2>/dev/null || { cat "$WORK/ffmpeg.log" >&2; die "ffmpeg exited during the window"; }
    stop_group_of FFMPEG_PID  # SIGTERM: ffmpeg finishes and flushes the stats file
    local figures
    figures="$(awk -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v h="$((h1 - h0))" -v hz="$CLK_TCK" '
        { gsub(/= +/, "="); time = ""; size = ""
          for (i = 1; i <= NF; i++) { if ($i ~ /^time=/) time = substr($i, 6); if ($i ~ /^f_size=/) size = substr($i, 8) }
          if (time != "" && time + 0 >= t0 + 0 && time + 0 < t1 + 0) { frames++; bytes += size } }
        END { wall = t1 - t0; cpu = c / hz
              printf "fps=%.2f cpu_core=%.3f cpu_ms_per_frame=%.3f kbps=%.1f other_core=%.3f",
                  frames / wall, cpu / wall, frames ? cpu * 1000 / frames : 0, bytes * 8 / wall / 1000, (h - c) / hz / wall }' "$vstats")"
    record "$size" "$scene" ffmpeg "$repeat" "$figures"
}

record() {
    local size="$1" scene="$2" system="$3" repeat="$4"
    shift 4
    echo "RUN $size $scene $system $repeat $* target_kbps=$(kbps_for "$size")" >>"$SUMMARY"
    log "$size $scene $system #$repeat: $*"
}

for size in $SIZES; do
    [[ "$size" =~ ^[0-9]+x[0-9]+$ ]] || die "BENCH_SIZES: $size is not WxH"
    start_xvfb "$size"
    for scene in $SCENES; do
        log "$size $scene: $REPEATS x (marionette, ffmpeg), ${MEASURE_SECONDS} s each after ${WARMUP} s of warm-up"
        start_scene "$scene"
        for repeat in $(seq 1 "$REPEATS"); do
            run_marionette "$size" "$scene" "$repeat"
            run_ffmpeg "$size" "$scene" "$repeat"
        done
        stop_group_of SCENE_PID
        sed 's/^/    scene: /' "$WORK/scene-$scene.log" >&2
    done
    stop_group_of XVFB_PID
done

# Means over the repeats; the CPU ratio (whole process against whole process, same window length);
# the issue's 1080p30 targets. fps >= 29 of 30 (at most one tick in 30 missed) counts as "at 30 fps".
python3 - "$SUMMARY" "$FPS" "$CODEC" <<'PY'
import sys
# VP9 lines are named desktop_vp9; the issue's 1080p targets are VP8's (VP9 1080p30 does not fit one core).
name = "desktop" if sys.argv[3] == "vp8" else "desktop_" + sys.argv[3]
runs = {}
for line in open(sys.argv[1]):
    parts = line.split()
    size, scene, system = parts[1], parts[2], parts[3]
    row = {k: float(v) for k, v in (p.split("=", 1) for p in parts[5:])}
    runs.setdefault((size, scene), {}).setdefault(system, []).append(row)
fps_goal = int(sys.argv[2]) - 1
def mean(rows, key):
    values = [r[key] for r in rows if key in r]
    return sum(values) / len(values) if values else float("nan")
figures = {}
for (size, scene), systems in runs.items():
    for system in ("marionette", "ffmpeg"):
        rows = systems.get(system, [])
        if not rows:
            continue
        m = {k: mean(rows, k) for k in rows[0]}
        figures[(size, scene, system)] = m
        extra = "".join(f" {k}={m[k]:.3f}" for k in ("capture_thread_core", "encode_ms_p50") if k in m)
        extra += f" target_kbps={m['target_kbps']:.0f}"
        print(f"RESULT {name} {size} {scene} {system} fps={m['fps']:.2f} cpu_core={m['cpu_core']:.3f} "
              f"cpu_ms_per_frame={m['cpu_ms_per_frame']:.2f} kbps={m['kbps']:.0f} other_core={m['other_core']:.2f}"
              f"{extra} runs={len(rows)}", flush=True)
    a, b = figures.get((size, scene, "marionette")), figures.get((size, scene, "ffmpeg"))
    if a and b and b["cpu_core"] > 0 and b["cpu_ms_per_frame"] > 0:
        print(f"RATIO {name} {size} {scene} cpu marionette/ffmpeg={a['cpu_core'] / b['cpu_core']:.3f}", flush=True)
        print(f"RATIO {name} {size} {scene} cpu_per_frame marionette/ffmpeg={a['cpu_ms_per_frame'] / b['cpu_ms_per_frame']:.3f}", flush=True)
def target(name, goal, value, met):
    verdict = "not measured" if value is None else f"measured {value:.3f}: {'met' if met(value) else 'MISSED'}"
    print(f"TARGET {name} {goal} ({verdict})", flush=True)
for (size, scene) in runs:
    if size != "1920x1080" or name != "desktop":
        continue
    a, b = figures.get((size, scene, "marionette")), figures.get((size, scene, "ffmpeg"))
    prefix = f"desktop {size} {scene}"
    target(f"{prefix} marionette fps", f">= {fps_goal}", a and a["fps"], lambda v: v >= fps_goal)
    target(f"{prefix} marionette cpu_core", "<= 0.6", a and a["cpu_core"], lambda v: v <= 0.6)
    ratio = a["cpu_core"] / b["cpu_core"] if a and b and b["cpu_core"] > 0 else None
    target(f"{prefix} cpu marionette/ffmpeg", "<= 1.0", ratio, lambda v: v <= 1.0)
    goal = a["target_kbps"] if a else 2500
    target(f"{prefix} marionette kbps", f"within {goal * 0.8:.0f}..{goal * 1.2:.0f} ({goal:.0f} +- 20 %)", a and a["kbps"],
           lambda v: goal * 0.8 <= v <= goal * 1.2)
PY

# Glass-to-glass: the bar-code clock on Xvfb through the whole path to a Chromium viewer page.
if [ "${BENCH_GLASS:-1}" != 0 ]; then
    log "glass-to-glass (bench/desktop/glass.py)"
    MARIONETTE_BIN="$BIN" python3 "$BENCH_DIR/glass.py"
fi
