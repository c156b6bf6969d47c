#!/usr/bin/env bash
# Builds the release binaries (marionette-server, marionette-agent, mctl) and runs the server in the
# foreground on its embedded default: SQLite in ./.marionette, local provider, loopback listeners.
# Arguments go to marionette-server (e.g. scripts/run.sh --api-port 9000).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MARIONETTE_ROOT"

"$MARIONETTE_ROOT/scripts/install-deps.sh"
ensure_swift_on_path || die "swift not found (see scripts/install-deps.sh)"

log "swift build -c release"
swift build -c release
bin="$(swift build -c release --show-bin-path)"
[ -x "$bin/marionette-server" ] || die "no $bin/marionette-server after the build"
# The local provider starts marionette-agent from the same folder as the server.
exec "$bin/marionette-server" "$@"
