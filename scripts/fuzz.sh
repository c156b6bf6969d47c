#!/usr/bin/env bash
# libFuzzer runs of the SFU's wire parsers and the scrcpy protocol parsers (fuzz/): builds the targets
# with -sanitize=fuzzer,address in their own scratch folder, replays each corpus (fuzz/corpus/<name>),
# then fuzzes each for FUZZ_SECONDS (default 60). New crashes are saved under fuzz/artifacts/ and fail
# the run.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_NAME=fuzz
cd "$MARIONETTE_ROOT"
"$MARIONETTE_ROOT/scripts/install-deps.sh"
ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
SCRATCH="$MARIONETTE_ROOT/fuzz/.build-fuzz"
log "building the fuzz targets (scratch $SCRATCH)"
swift build --package-path fuzz --scratch-path "$SCRATCH" -c debug \
    -Xswiftc -sanitize=fuzzer,address >&2
BIN="$(swift build --package-path fuzz --scratch-path "$SCRATCH" -c debug --show-bin-path)"
mkdir -p fuzz/artifacts
status=0
# target suffix:corpus folder
for pair in STUN:stun RTP:rtp RTCP:rtcp SDP:sdp ScrcpyStream:scrcpy-stream ScrcpyDevice:scrcpy-device; do
    name="${pair%%:*}"
    corpus="fuzz/corpus/${pair#*:}"
    work="$(mktemp -d)"
    cp "$corpus"/* "$work"/
    log "Fuzz$name: replay $(ls "$corpus" | wc -l) seeds, then ${SECONDS_EACH}s"
    if ! "$BIN/Fuzz$name" -max_total_time="$SECONDS_EACH" -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$name-" "$work" 2>"fuzz/artifacts/$name.log"; then
        log "Fuzz$name FOUND A CRASH: see fuzz/artifacts/$name-* and fuzz/artifacts/$name.log"
        status=1
    else
        log "Fuzz$name: $(grep -E 'stat::number_of_executed_units' "fuzz/artifacts/$name.log" | awk '{print $2}') runs, no crash"
    fi
    rm -rf "$work"
done
exit "$status"
