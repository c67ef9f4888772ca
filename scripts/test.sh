#!/usr/bin/env bash
# Sets up and runs the whole SMSKit test suite: unit tests, end-to-end tests over real PTYs
# against the emulator, the shared PDU vectors through the CLI, udev tests under umockdev, and
# the README's demo as a smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
# A throwaway PostgreSQL (initdb + pg_ctl in a temp dir, stopped on exit) for the PostgreSQL store
# and cluster tests; it exports SMSKIT_TEST_POSTGRES_URL. Without the server binaries those tests skip.
source scripts/pg-throwaway.sh
# In parallel (swift-testing's default), in three phases. Suites that time a modem's answers (the
# driver and emulator over in-process PTYs, 5 s AT timeouts) run apart from the CPU-heavy unit,
# property and store suites, and the end-to-end suites that drive real `smskit gateway` and
# `smskit emulator` processes at full speed run last: beside either, the timeouts would measure
# the machine's load, not the code. Inside each phase every suite runs in parallel; no test blocks
# a cooperative thread (Tests/SMSKitTestSupport).
PTY_SUITES='^(ATModemTests|ModemEmulatorTests|ModemDiscoveryTests)\.'
GATEWAY_E2E='^SMSGatewayTests\.(Gateway[A-Za-z]*Tests|Webhook[A-Za-z]*EndToEndTests|KannelEndToEndTests)'
echo "== phase 1: unit, property, store and API suites"
swift test --skip-build --skip "$PTY_SUITES" --skip "$GATEWAY_E2E" 2>&1 | tee .build/test-output-1.txt
echo "== phase 2: the driver, the emulator and discovery over PTYs"
swift test --skip-build --filter "$PTY_SUITES" 2>&1 | tee .build/test-output-2.txt
echo "== phase 3: end-to-end suites with the real binaries"
swift test --skip-build --filter "$GATEWAY_E2E" 2>&1 | tee .build/test-output-3.txt
echo "== docs: DocC for every library target, warnings as errors (scripts/docs.sh)"
scripts/docs.sh
echo "== smoke: the gateway demo (the README's main command, on the emulator)"
timeout 300 scripts/gateway-demo.sh .build/debug/smskit > .build/demo-output.txt 2>&1 || { cat .build/demo-output.txt; exit 1; }
tail -1 .build/demo-output.txt
echo "== smoke: smskit demo (the secure exchange, ./scripts/demo.sh --secure)"
timeout 120 .build/debug/smskit demo > .build/secure-demo-output.txt || { cat .build/secure-demo-output.txt; exit 1; }
tail -1 .build/secure-demo-output.txt
tests=0
for f in .build/test-output-1.txt .build/test-output-2.txt .build/test-output-3.txt; do
  n=$(grep -oE 'Test run with [0-9]+ tests' "$f" | grep -oE '[0-9]+' | tail -1 || true)
  tests=$((tests + ${n:-0}))
done
echo "$((tests + 2)) passed, 0 failed"
