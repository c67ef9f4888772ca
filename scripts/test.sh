#!/usr/bin/env bash
# Sets up and runs the whole SMSKit test suite: unit tests, end-to-end tests over real PTYs
# against the emulator, the shared PDU vectors through the CLI, and udev tests under umockdev.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
swift test --skip-build --parallel 2>&1 | tee .build/test-output.txt
