#!/usr/bin/env bash
# Builds the DocC documentation of every library target with swift-docc-plugin: one archive per
# target in .build/docs/<Target>, transformed for static hosting. Any DocC warning (an unresolved
# symbol link, a malformed Topics section) fails the script, except for the doc-comment warnings
# of the targets in LENIENT below; a warning in a catalog (Sources/<Target>/<Target>.docc) fails
# every target. Prints one line per target; each target's full output is in .build/docs/<Target>.log.
#
#   scripts/docs.sh                 # every library target
#   scripts/docs.sh SMSPDU ATModem  # only these
#
# To read an archive: python3 -m http.server -d .build/docs/SMSPDU, then open
# http://127.0.0.1:8000/documentation/smspdu/
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi

TARGETS=(SMSPDU SerialPort ATModem ModemDiscovery SecureSMS SecureTransport SecureStateSQLite ModemEmulator SMSGateway)
if [ $# -gt 0 ]; then TARGETS=("$@"); fi

# Targets built without --warnings-as-errors because their doc comments (in .swift files, not in
# the catalogs) have DocC warnings. Empty: every target is clean, and scripts/test.sh keeps it so.
LENIENT=()

mkdir -p .build/docs
start=$SECONDS
for target in "${TARGETS[@]}"; do
  strict=(--warnings-as-errors)
  for lenient in "${LENIENT[@]}"; do
    if [ "$lenient" = "$target" ]; then strict=(); fi
  done
  log=".build/docs/$target.log"
  t0=$SECONDS
  status=0
  swift package --allow-writing-to-directory .build/docs \
    generate-documentation --target "$target" --output-path ".build/docs/$target" \
    --transform-for-static-hosting "${strict[@]}" > "$log" 2>&1 || status=$?
  # DocC prints "warning: TEXT" and then "  --> FILE:LINE:COL"; catalog files end in .md.
  diagnostics=$(grep -E -A1 '^(warning|error): ' "$log" | grep -E '^ *--> ' || true)
  in_catalog=$(grep -cE '^ *--> [^ ]*\.md:' <<<"$diagnostics" || true)
  in_sources=$(grep -cE '^ *--> [^ ]*\.swift:' <<<"$diagnostics" || true)
  took=$((SECONDS - t0))
  if [ "$status" -ne 0 ] || [ "$in_catalog" -ne 0 ]; then
    echo "FAIL  $target (${took} s): $in_catalog catalog and $in_sources doc-comment diagnostics, see $log:"
    grep -E -A1 '^(warning|error): ' "$log" | grep -v '^--$' | head -40 || true
    tail -5 "$log"
    exit 1
  fi
  mode=${strict[*]:-"doc-comment warnings allowed"}
  echo "ok    $target (${took} s, $in_sources doc-comment warnings, $mode) -> .build/docs/$target"
done
echo "documentation for ${#TARGETS[@]} targets in .build/docs ($((SECONDS - start)) s)"
