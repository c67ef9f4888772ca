#!/usr/bin/env bash
# Sets up and runs the SMSKit demo (no hardware needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product smskit >&2
exec .build/release/smskit demo "$@"
