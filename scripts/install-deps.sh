#!/usr/bin/env bash
# Installs the Debian packages Marionette's build, tests, run and benchmarks need, only those that are
# missing, and checks that the Swift toolchain is there. Idempotent: a second run installs nothing and
# does not touch the network. Runs as root (or with sudo available).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The one list of Debian packages. Add new ones here (one word each; a comment says why).
DEBIAN_PACKAGES=(
    postgresql          # PostgreSQL 15 server for the store tests (scripts/pg-cluster.sh)
    postgresql-client   # psql, pg_isready
    wrk                 # HTTP load generator (bench/api, bench/tunnels)
    iperf3              # TCP throughput through tunnels and their baselines (bench/tunnels)
    socat               # plain TCP relay, a baseline of bench/tunnels
    openssh-server      # sshd for the `ssh -R` baseline of bench/tunnels (a throwaway one per run)
    openssh-client      # ssh
    nginx-light         # HTTP origin of bench/tunnels
    janus               # Janus 1.1.2, the Streaming-plugin baseline of bench/sfu
    curl                # health checks and seeding in scripts and benchmarks
    jq                  # JSON on the command line
    python3             # free-port picking and the Python e2e drivers
    bubblewrap          # sandbox for runners started by the local provider
    openssl             # the TLS end-to-end tests make a throwaway CA with the command line
    pkg-config          # SwiftPM finds the system C libraries below through it
    libssl-dev          # OpenSSL 3: DTLS for the SFU (COpenSSL, CShims)
    libsrtp2-dev        # SRTP/SRTCP for the SFU (CSRTP)
    libvpx-dev          # VP8 encoder of the runner's capture pipelines, decoder in their tests (CVPX, CShims)
    libxcb-shm0-dev     # desktop capture: X11 MIT-SHM grab over XCB (CXCB)
    libxcb-damage0-dev  # desktop capture: skip unchanged frames (XDamage)
    libxcb-xfixes0-dev  # desktop capture: cursor shape and clipboard changes (XFixes)
    libxcb-randr0-dev   # desktop capture: follow resolution changes (RandR)
    libxcb-xtest0-dev   # desktop input: XTest injection
    libxcb-keysyms1-dev # desktop input: keysym -> keycode lookups
    libyuv-dev          # desktop capture: BGRX -> I420 conversion (CYUV)
    libopus-dev         # desktop audio: Opus encoder (COpus, CShims)
    libpulse-dev        # desktop audio: PulseAudio monitor capture (CPulse)
    pulseaudio          # desktop audio: the sound server a runner's desktop plays into; its tests start one with a null sink
    pulseaudio-utils    # pacat: the desktop audio tests play a tone into the null sink
    xvfb                # headless X server for desktop streams and their tests
    x11-xserver-utils   # xsetroot/xrandr: the desktop tests paint and resize the screen
    xdotool             # the desktop input tests read the pointer and focus a window
    x11-utils           # xev: the desktop input e2e test records the keys and clicks that arrive
    xclip               # the desktop clipboard e2e test sets and reads the X clipboard
    ffmpeg              # x11grab + libvpx: the baseline of bench/desktop; libx264/libopus clips of the scrcpy device simulator
    chromium            # real WebRTC peer for the SFU tests (Tests/e2e, driven by Selenium)
    chromium-driver     # chromedriver for Selenium
    firefox-esr         # the admin web UI's second browser (Tests/e2e/test_admin_ui_firefox.py, Marionette protocol)
    python3-pip         # installs Tests/e2e/requirements.txt (aiortc, selenium, pytest)
)

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
    log "installing missing Debian packages: ${missing[*]}"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install these by hand: ${missing[*]}"
        SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=300 >&2
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >&2
    for pkg in "${missing[@]}"; do
        is_installed "$pkg" || die "package $pkg is still not installed after apt-get install"
    done
else
    log "all Debian packages present (${#DEBIAN_PACKAGES[@]})"
fi

# Python packages of the real-peer drivers (Tests/e2e): only when one is missing.
if ! python3 -c 'import aiortc, av, selenium, numpy, pytest, marionette_driver' 2>/dev/null; then
    log "installing Python packages for Tests/e2e (requirements.txt)"
    python3 -m pip install --quiet --disable-pip-version-check -r "$MARIONETTE_ROOT/Tests/e2e/requirements.txt" >&2 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages \
            -r "$MARIONETTE_ROOT/Tests/e2e/requirements.txt" >&2
fi

# The official scrcpy server the agent pushes to Android devices (checksum verified).
"$MARIONETTE_ROOT/scripts/fetch-scrcpy-server.sh"

swift_was_on_path=yes
command -v swift >/dev/null 2>&1 || swift_was_on_path=no
if ! ensure_swift_on_path; then
    die "swift is not on PATH and not at /opt/swift/usr/bin/swift. Install the Swift 6.3 toolchain and add its usr/bin to PATH (e.g. export PATH=\$PATH:/opt/swift/usr/bin)."
fi
if [ "$swift_was_on_path" = no ]; then
    log "note: swift is not on your PATH; the scripts add /opt/swift/usr/bin themselves (export PATH=\$PATH:/opt/swift/usr/bin to use it by hand)"
fi
log "swift: $(command -v swift) ($(swift --version 2>/dev/null | head -n 1))"
