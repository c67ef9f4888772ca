#!/usr/bin/env bash
# PDU decode benchmark: SMSKit against Gammu's C decoder (libgammu), same corpus, same run.
# Builds `smskit` in release mode and the tiny C harness in Benchmarks/peer/, runs both over
# Benchmarks/pdu-corpus.txt, prints both figures and the ratio, and appends them to
# bench-results/pdu.jsonl.
#   usage: scripts/bench-pdu.sh [ITERATIONS]   (default 2000 passes over the corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
dpkg-query -W -f='${Status}' libgammu-dev 2>/dev/null | grep -q "install ok installed" || {
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libgammu-dev >/dev/null
}
ITER=${1:-2000}
CORPUS=Benchmarks/pdu-corpus.txt
swift build -c release --product smskit >&2
mkdir -p .build/peer bench-results
gcc -O2 -o .build/peer/gammu-decode Benchmarks/peer/gammu-decode.c $(pkg-config --cflags --libs gammu)

ours=$(.build/release/smskit bench pdu --corpus "$CORPUS" --iterations "$ITER" --json)
peer=$(.build/peer/gammu-decode "$CORPUS" "$ITER")
python3 - "$ours" "$peer" <<'PY'
import json, sys, datetime
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ratio = peer["ns_per_pdu"] / ours["decode_ns_per_pdu"]
row = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "smskit": ours, "gammu": peer,
       "decode_speedup_vs_gammu": round(ratio, 2)}
print(f"corpus: {ours['pdus']} PDUs x {ours['iterations']} passes")
print(f"smskit decode: {ours['decode_pdus_per_second']:>12,.0f} PDUs/s  ({ours['decode_ns_per_pdu']:.0f} ns/PDU)")
print(f"smskit encode: {ours['encode_pdus_per_second']:>12,.0f} PDUs/s  ({ours['encode_ns_per_pdu']:.0f} ns/PDU)")
print(f"gammu  decode: {peer['pdus_per_second']:>12,.0f} PDUs/s  ({peer['ns_per_pdu']:.0f} ns/PDU)")
print(f"ratio: smskit decodes {ratio:.2f}x as fast as gammu per PDU")
open("bench-results/pdu.jsonl", "a").write(json.dumps(row) + "\n")
PY
