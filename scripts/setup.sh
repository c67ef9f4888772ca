#!/usr/bin/env bash
# Installs the system packages SMSKit needs on Debian 12 (run as root, or with sudo available).
# Idempotent: skips apt when everything is already installed.
set -euo pipefail

PACKAGES=(
  pkg-config libsodium-dev libudev-dev      # system library targets CSodium, CUDev
  umockdev gir1.2-umockdev-1.0 python3-gi   # fake udev devices for ModemDiscovery tests
  python3 python3-venv curl                 # test scripts, the gateway demo, the schemathesis venv
  openssl                                   # self-signed certificates for the gateway's TLS tests
  gammu                                     # a real third-party client, tested against the emulator
  postgresql                                # the shared store for many gateway hosts (a throwaway cluster per test run)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  for d in /opt/swift/usr/bin /opt/swift/bin; do [[ -x $d/swift ]] && export PATH="$d:$PATH"; done
fi
command -v swift >/dev/null 2>&1 || {
  echo "setup: no Swift toolchain on PATH. Install Swift 6.x (https://www.swift.org/install/linux/debian/12/) and retry." >&2
  exit 1
}

# schemathesis (PyPI), the outside client of the gateway's OpenAPI document (GatewaySchemathesisTests),
# in its own venv; exported as SMSKIT_SCHEMATHESIS. Without it (no network) that test skips.
SCHEMATHESIS_VERSION=4.32.5
SMSKIT_VENV=${SMSKIT_VENV:-$HOME/.cache/smskit/venv}
if [[ ! -x $SMSKIT_VENV/bin/schemathesis ]] || [[ $("$SMSKIT_VENV/bin/schemathesis" --version 2>/dev/null) != *"$SCHEMATHESIS_VERSION"* ]]; then
  echo "setup: installing schemathesis $SCHEMATHESIS_VERSION into $SMSKIT_VENV" >&2
  { python3 -m venv "$SMSKIT_VENV" && "$SMSKIT_VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"; } >&2 \
    || echo "setup: could not install schemathesis; GatewaySchemathesisTests will skip" >&2
fi
if [[ -x $SMSKIT_VENV/bin/schemathesis ]]; then export SMSKIT_SCHEMATHESIS=$SMSKIT_VENV/bin/schemathesis; fi
