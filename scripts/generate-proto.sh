#!/usr/bin/env bash
# Regenerates the committed Swift code of the runner protocol (runner-protocol.md §1):
#   proto/marionette/runner/v1/runner.proto      -> Sources/Fabric/Generated/runner.{pb,grpc}.swift
#   proto/marionette/internal/v1/internal.proto  -> Sources/Fabric/Generated/internal.{pb,grpc}.swift
# and writes Sources/Fabric/Generated/PROTO_SHA256 (sha256sum format, paths relative to the repo
# root, sorted), which GeneratedCodeTests compares with the .proto files to catch drift.
#
# Usage:
#   scripts/generate-proto.sh            build the generators if missing, then regenerate
#   scripts/generate-proto.sh --check    cheap drift check only: do the .proto files still match
#                                        PROTO_SHA256? (no build, no protoc; exit 1 on drift)
#
# Generators (built once into .build-protoc/, which git ignores; the first build takes minutes):
#   protoc                  Debian's protobuf-compiler (installed with apt-get when missing)
#   protoc-gen-swift        apple/swift-protobuf 1.39.0
#   protoc-gen-grpc-swift-2 grpc/grpc-swift-protobuf 2.4.1
# They are built from a throwaway package in .build-protoc/tools/ that this script writes.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MARIONETTE_ROOT"

PROTO_ROOT=proto
PROTOS=(
    proto/marionette/internal/v1/internal.proto
    proto/marionette/runner/v1/runner.proto
)
OUT_DIR=Sources/Fabric/Generated
SHA_FILE="$OUT_DIR/PROTO_SHA256"
TOOLS_DIR=.build-protoc/tools
SCRATCH="$TOOLS_DIR/.build"
SWIFT_OPTS="Visibility=Public,FileNaming=DropPath"
GRPC_OPTS="Visibility=Public,Client=true,Server=true,FileNaming=DropPath"

# The expected PROTO_SHA256 content: one `<sha256>  <path>` line per proto, sorted by path.
proto_checksums() {
    printf '%s\n' "${PROTOS[@]}" | LC_ALL=C sort | while IFS= read -r p; do sha256sum "$p"; done
}

if [ "${1:-}" = "--check" ]; then
    [ -f "$SHA_FILE" ] || die "$SHA_FILE missing: run scripts/generate-proto.sh and commit the output"
    if ! diff -u "$SHA_FILE" <(proto_checksums) >&2; then
        die "proto changed: run scripts/generate-proto.sh and commit the output"
    fi
    log "generated code is up to date with ${PROTOS[*]}"
    exit 0
elif [ $# -gt 0 ]; then
    die "unknown argument: $1 (usage: $0 [--check])"
fi

ensure_protoc() {
    if ! command -v protoc >/dev/null 2>&1; then
        log "installing protobuf-compiler"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get install -y protobuf-compiler >/dev/null || {
            $sudo apt-get update >/dev/null && $sudo apt-get install -y protobuf-compiler >/dev/null
        } || die "could not install protobuf-compiler"
    fi
    log "using $(protoc --version)"
}

# Writes the throwaway tools package (only when its content changed, so SwiftPM keeps its cache).
write_tools_package() {
    mkdir -p "$TOOLS_DIR/Sources/Dummy"
    local manifest
    manifest="$(cat <<'EOF'
// swift-tools-version:6.1
// Throwaway package that only exists to build the protoc plugins used by
// scripts/generate-proto.sh. Lives under .build-protoc/ (git-ignored); the script rewrites it.
import PackageDescription

let package = Package(
    name: "ProtocTools",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "Dummy",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
    ]
)
EOF
)"
    if [ "$(cat "$TOOLS_DIR/Package.swift" 2>/dev/null)" != "$manifest" ]; then
        printf '%s\n' "$manifest" > "$TOOLS_DIR/Package.swift"
    fi
    [ -f "$TOOLS_DIR/Sources/Dummy/Dummy.swift" ] || echo '// placeholder' > "$TOOLS_DIR/Sources/Dummy/Dummy.swift"
}

# Builds one plugin product when its binary is missing; prints nothing.
build_plugin() {
    local product="$1" bin_dir="$2"
    if [ -x "$bin_dir/$product" ]; then
        return 0
    fi
    log "building $product (release; takes several minutes the first time)"
    local start=$SECONDS
    swift build -c release --package-path "$TOOLS_DIR" --scratch-path "$SCRATCH" --product "$product" >&2 \
        || die "building $product failed"
    log "built $product in $((SECONDS - start)) s"
}

ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"
ensure_protoc
write_tools_package
BIN_DIR="$(swift build -c release --package-path "$TOOLS_DIR" --scratch-path "$SCRATCH" --show-bin-path)"
build_plugin protoc-gen-swift "$BIN_DIR"
build_plugin protoc-gen-grpc-swift-2 "$BIN_DIR"

mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR"/*.pb.swift "$OUT_DIR"/*.grpc.swift
protoc \
    --proto_path="$PROTO_ROOT" \
    --plugin=protoc-gen-swift="$BIN_DIR/protoc-gen-swift" \
    --plugin=protoc-gen-grpc-swift-2="$BIN_DIR/protoc-gen-grpc-swift-2" \
    --swift_out="$OUT_DIR" --swift_opt="$SWIFT_OPTS" \
    --grpc-swift-2_out="$OUT_DIR" --grpc-swift-2_opt="$GRPC_OPTS" \
    "${PROTOS[@]}"
proto_checksums > "$SHA_FILE"

log "generated into $OUT_DIR:"
( cd "$OUT_DIR" && ls -l -- *.swift PROTO_SHA256 >&2 )
