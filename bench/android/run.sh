#!/usr/bin/env bash
# Android streaming benchmark (issue 7, streaming.md §12; bench/android/bench.py does the work): the scrcpy
# device simulator (Tests/AndroidSimulator, behind the `adb` stand-in) streams a 1080x1920 60 fps H.264
# clip at ~8 Mbit/s (libx264 Constrained Baseline, ultrafast, one 10 s GOP) into an `android` stream: the
# local provider's marionette-agent runs Marionette's scrcpy client, the server's SFU forwards to viewers.
# Every picture carries its frame index in the Marionette bar code; the simulator records when it writes
# each access unit to the video socket. Measured, each over BENCH_SECONDS after BENCH_WARMUP:
#  - one headless Chromium on the viewer page: decoded frames/s and glass-to-glass (display time of the
#    decoded frame − the instant the simulator sent it, p50/p95; split into send → last packet received by
#    Chromium and received → displayed);
#  - synthetic WHEP viewers (`marionette-sfu-bench frames`: real ICE/DTLS/SRTP, no decode), 1 then 50:
#    frames/s each viewer gets (mean and min over viewers), with the agent's and the server's CPU
#    (utime + stime, all threads, /proc) in % of one core, per stage;
#  - the Chromium page again with 49 synthetic viewers connected too (android_n50_… names): glass-to-glass
#    and decoding while the SFU fans out to 50;
#  - baseline: the same simulator and clip with its video socket drained by `socat` into /dev/null (the
#    floor any reader of this bitstream pays): RATIO of the agent's CPU to socat's. There is no baseline
#    for the server's forwarding here (bench/sfu compares it with Janus) nor for glass-to-glass (scrcpy's
#    own client needs a real device: 35-70 ms there, streaming.md §12).
# The simulator sends precomputed access units: glass-to-glass here leaves out a phone's capture and
# MediaCodec encode (~1 frame interval and a few ms on a real device). Everything shares this machine's
# cores with Chromium's software H.264 decode; `_other_cpu` says what the rest of the host took.
# Prints RESULT, RATIO and TARGET lines on stdout (the issue's target: glass-to-glass p50 <= 50 ms);
# progress on stderr. The clip is made once (ffmpeg, ~1 min) and cached in .build/bench-android/clips.
#
# Environment: BENCH_SECONDS (10, measured per stage), BENCH_WARMUP (3), BENCH_SIZE (1080x1920, the
# device's screen), BENCH_FPS (60), BENCH_KBPS (8000), BENCH_VIEWERS ("1,50", synthetic viewer steps),
# BENCH_STAGES ("chromium viewers loaded baseline"), BENCH_KEEP_WORK=1 (keep the work folder),
# MARIONETTE_BENCH_BIN=<dir with release binaries>.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$BENCH_DIR/../../scripts/lib.sh"
LOG_NAME=bench/android
cd "$MARIONETTE_ROOT"
"$MARIONETTE_ROOT/scripts/install-deps.sh"

if [ -n "${MARIONETTE_BENCH_BIN:-}" ]; then
    BIN="$(cd "$MARIONETTE_BENCH_BIN" && pwd)"   # absolute: the server starts in its data folder
else
    ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"
    for product in marionette-server marionette-agent marionette-sfu-bench; do
        log "swift build -c release --product $product"
        swift build -c release --product "$product" >&2
    done
    BIN="$(swift build -c release --show-bin-path)"
fi
for binary in marionette-server marionette-agent marionette-sfu-bench; do
    [ -x "$BIN/$binary" ] || die "no release $binary in $BIN"
done
for tool in ffmpeg socat python3 chromium chromedriver; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/install-deps.sh installs it)"
done

# The work folder is outside /tmp: the local runner's bwrap sandbox has a /tmp of its own, and the agent's
# `adb` stand-in must read the device config and the cached clip.
WORK_BASE="$MARIONETTE_ROOT/.build/bench-android"
mkdir -p "$WORK_BASE"
BENCH_PID=""
# SIGTERM makes bench.py stop what it started (the server in its own session, the session's runner,
# the baseline's simulator and socat), then its process group (Chromium and chromedriver) goes.
cleanup() { stop_group_of BENCH_PID; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bench.py in a process group of its own, so that an interrupted run stops it with everything it started.
MARIONETTE_BIN="$BIN" BENCH_WORK="$WORK_BASE" setsid python3 "$BENCH_DIR/bench.py" </dev/null &
BENCH_PID=$!
status=0
wait "$BENCH_PID" || status=$?
BENCH_PID=""
[ "$status" -eq 0 ] || die "bench/android/bench.py failed (status $status)"
