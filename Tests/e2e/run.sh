#!/usr/bin/env bash
# Real-peer e2e drivers: installs what is missing (idempotent), then runs pytest.
#
#   Tests/e2e/run.sh                      all drivers against the real server (.build/debug)
#   Tests/e2e/run.sh test_late_join.py    one driver (any pytest arguments pass through)
#   Tests/e2e/run.sh --stub               against stub_server.py (checks drivers and pages only)
#
# The server binary is not built here: build it first (make build / swift build) or point
# MARIONETTE_BIN at it. With CI=true every missing part fails its test instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")"

if [[ "${1:-}" == "--stub" ]]; then
  export MARIONETTE_E2E_STUB=1
  shift
fi

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# Chromium and its WebDriver from Debian (never a downloaded browser build).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "e2e: installing chromium chromium-driver" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import aiortc, av, selenium, numpy, pytest' 2>/dev/null; then
  echo "e2e: installing Python packages from requirements.txt" >&2
  "$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements.txt
fi

# No .pytest_cache in the tree; -rA lists every outcome; E2E-REPORT lines carry the figures.
exec "$PYTHON" -m pytest -p no:cacheprovider -rA -s "$@"
