#!/usr/bin/env bash
# Real-peer e2e drivers: installs what is missing (idempotent), then runs pytest.
#
#   Tests/e2e/run.sh                      all drivers against the real server (.build/debug)
#   Tests/e2e/run.sh test_late_join.py    one driver (any pytest arguments pass through)
#
# The server binary is not built here: build it first (make build / swift build) or point
# MARIONETTE_BIN at it. With CI=true every missing part fails its test instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")"

# Chromium, chromedriver and the Python packages come from the one install script (idempotent).
"$(cd ../.. && pwd)/scripts/install-deps.sh" >&2
PYTHON=${PYTHON:-python3}

# No .pytest_cache in the tree; -rA lists every outcome; E2E-REPORT lines carry the figures.
exec "$PYTHON" -m pytest -p no:cacheprovider -rA -s "$@"
