#!/usr/bin/env bash
# Sets up and runs the SMSKit demo (no hardware needed): the SMS gateway on two emulated modems,
# driven over its HTTP API with curl. `./scripts/demo.sh --secure [smskit demo options]` runs the
# end-to-end encrypted exchange instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product smskit >&2
if [[ ${1:-} == --secure ]]; then shift; exec .build/release/smskit demo "$@"; fi
exec scripts/gateway-demo.sh .build/release/smskit
