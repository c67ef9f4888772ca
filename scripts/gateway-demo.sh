#!/usr/bin/env bash
# The gateway demo: `smskit gateway --emulate 2` (two virtual modems, virtual phones at +1999…),
# driven over its HTTP API with curl. Every request is printed as you would type it.
# Usage: scripts/gateway-demo.sh [SMSKIT_BINARY]
set -euo pipefail
SMSKIT=${1:-.build/release/smskit}
WORK=$(mktemp -d /tmp/smskit-demo.XXXXXX)
GW_PID=""
cleanup() { [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
typed() {  # prints a command as a person would type it, with the token as $TOKEN
  python3 -c 'import shlex,sys; print("$ " + shlex.join(sys.argv[2:]).replace(sys.argv[1], "$TOKEN"))' "$TOKEN" "$@"
}
pretty() { python3 -c 'import json,sys; d=sys.stdin.read(); print(json.dumps(json.loads(d), indent=2, ensure_ascii=False) if d.strip() else "")'; }
show() { typed "$@"; "$@" | pretty; }  # print, run, pretty-print the JSON reply
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

say "Create an API token (stored as a digest; shown once)"
echo "\$ smskit gateway token create --data-dir $WORK/data --name demo"
TOKEN=$("$SMSKIT" gateway token create --data-dir "$WORK/data" --name demo 2>/dev/null)
echo "${TOKEN:0:12}…   (export TOKEN=…)"

say "Start the gateway on two emulated modems"
echo "\$ smskit gateway --data-dir $WORK/data --emulate 2 --listen 127.0.0.1:0"
"$SMSKIT" gateway --data-dir "$WORK/data" --emulate 2 --listen 127.0.0.1:0 --log-level warning \
  > "$WORK/gateway.out" 2> "$WORK/gateway.err" &
GW_PID=$!
for _ in $(seq 1 600); do grep -q '"event":"ready"' "$WORK/gateway.out" 2>/dev/null && break; sleep 0.1; done
grep -q '"event":"ready"' "$WORK/gateway.out" || { echo "gateway did not start:"; cat "$WORK/gateway.err"; exit 1; }
cat "$WORK/gateway.out"
URL=$(field '["url"]' < "$WORK/gateway.out")
AUTH="Authorization: Bearer $TOKEN"

say "Send an SMS through the API (202: committed to the store before this answer)"
SEND=(curl -s -X POST "$URL/v1/messages" -H "$AUTH" -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1'
      -d '{"to":"+19990001","text":"Your one-time code is 482913. It expires in 5 minutes."}')
typed "${SEND[@]}"
REPLY=$("${SEND[@]}")
echo "$REPLY" | pretty
ID=$(echo "$REPLY" | field '["id"]')

say "The same request again (a client retry): the same message, nothing sent twice"
show "${SEND[@]}"

say "Its delivery report (the phone's network confirms delivery)"
for _ in $(seq 1 100); do
  STATUS=$(curl -s "$URL/v1/messages/$ID" -H "$AUTH" | field '["status"]')
  [[ $STATUS == delivered ]] && break; sleep 0.1
done
show curl -s "$URL/v1/messages/$ID" -H "$AUTH"

say "The customer replies from the phone (emulator only)"
show curl -s -X POST "$URL/v1/emulator/phones/send" -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"from":"+19990001","to":"+15550001","text":"Thanks, got it 👍"}'

say "The reply arrives in the inbox (long poll: answers as soon as it is committed)"
show curl -s "$URL/v1/inbox?after=0&wait=10" -H "$AUTH"

say "The modems"
show curl -s "$URL/v1/modems" -H "$AUTH"

say "Errors are RFC 9457 problem+json"
show curl -s -X POST "$URL/v1/messages" -H "$AUTH" -H 'Content-Type: application/json' -d '{"to":"not a number","text":"x"}'

INBOX=$(curl -s "$URL/v1/inbox?after=0" -H "$AUTH" | field '["messages"][0]["text"]')
[[ $STATUS == delivered && -n $INBOX ]] || { echo "demo failed: status=$STATUS inbox=$INBOX"; exit 1; }
echo
echo "demo ok: message $ID delivered, reply \"$INBOX\" in the inbox"
