# Marionette: `make run` builds and starts the server, `make test` runs every test (what CI runs).
# Each target is a script under scripts/ or bench/; errors pass through as make's exit status.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(PATH):/opt/swift/usr/bin

ARGS ?=

.PHONY: fuzz all run test build bench bench-fabric bench-agents bench-tunnels bench-sfu bench-desktop bench-android deps clean

all: build

## run: build release binaries and start marionette-server (make run ARGS="--api-port 9000")
run:
	scripts/run.sh $(ARGS)

## test: install deps, start a throwaway PostgreSQL, build and run all tests (make test ARGS="--filter Core")
test:
	scripts/test.sh $(ARGS)

## build: debug build of everything, tests included
build: deps
	swift build --build-tests

## bench: REST API benchmark on SQLite and PostgreSQL (prints RESULT lines)
bench:
	bench/api/run.sh

## bench-fabric: fabric benchmark (log throughput, dispatch latency, session start)
bench-fabric:
	bench/fabric/run.sh

## bench-agents: Claude executor event pipeline (events/s vs plain command lines) and permission round trip (RESULT/TARGET lines)
bench-agents:
	bench/agents/run.sh

## bench-tunnels: TCP and HTTP tunnels against direct, socat and ssh -R (prints RESULT/RATIO lines)
bench-tunnels:
	bench/tunnels/run.sh

## bench-sfu: SFU viewer ramp (real ICE/DTLS/SRTP viewers) against Janus's Streaming plugin (RESULT/RATIO lines)
bench-sfu:
	bench/sfu/run.sh

## bench-desktop: desktop capture (grab + convert + VP8) on a busy Xvfb screen against ffmpeg x11grab + libvpx (RESULT/RATIO/TARGET lines)
bench-desktop:
	bench/desktop/run.sh

## bench-android: scrcpy simulator 1080p60 8 Mbit/s H.264 through agent and SFU: frames/s to 1 and 50 viewers, CPU, glass-to-glass in Chromium (RESULT/RATIO/TARGET lines)
bench-android:
	bench/android/run.sh

## fuzz: libFuzzer on the SFU's STUN/RTP/RTCP/SDP and the scrcpy stream/device parsers, 60 s each (FUZZ_SECONDS)
fuzz:
	scripts/fuzz.sh

## deps: install missing Debian packages, check the Swift toolchain
deps:
	scripts/install-deps.sh

## clean: remove build products and benchmark output (keeps fetched package checkouts)
clean:
	if command -v swift >/dev/null; then swift package clean; fi
	rm -rf bench/out
