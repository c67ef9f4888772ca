#!/usr/bin/env bash
# Installs the system packages SMSKit needs on Debian 12 (run as root, or with sudo available).
# Idempotent: skips apt when everything is already installed.
set -euo pipefail

PACKAGES=(
  pkg-config libsodium-dev libudev-dev      # system library targets CSodium, CUDev
  umockdev gir1.2-umockdev-1.0 python3-gi   # fake udev devices for ModemDiscovery tests
  python3 curl                              # test scripts, the gateway demo
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
