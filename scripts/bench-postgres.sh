#!/usr/bin/env bash
# Many gateway hosts on PostgreSQL: throughput with 1, 2 and 3 `smskit gateway` processes on one
# database, beside the SQLite figure from the same run, and the claim path's latency under contention.
#   accept   accepted (202) POST /v1/messages per second: one scripts/gateway-load.py per gateway at
#            once (closed loop, ACCEPT_C connections in all), summed over the longest of them
#   e2e      messages per second from the API to the virtual phones: E2E_M posted through the first
#            gateway, sent by every gateway's emulated modems (--emulate MODEMS each, distinct ranges),
#            polled until all are delivered
#   claims   `smskit bench claims`: H stores × MODEMS workers taking CLAIM_M messages through
#            claim → sending → sent → done; claim() p50/p99 while they contend for the same rows
# A throwaway PostgreSQL (scripts/pg-throwaway.sh) unless SMSKIT_BENCH_POSTGRES_URL is given; each
# phase gets its own schema. Prints a table and a Markdown block; appends JSON to bench-results/postgres.jsonl.
#
# usage: scripts/bench-postgres.sh
# environment (defaults): SMSKIT=<binary> (else builds release) HOSTS="1 2 3" MODEMS=8 ACCEPT_N=6000
#   ACCEPT_C=48 E2E_M=3000 E2E_TIMEOUT=120 CLAIM_M=3000
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
HOSTS=${HOSTS:-"1 2 3"}; MODEMS=${MODEMS:-8}; ACCEPT_N=${ACCEPT_N:-6000}; ACCEPT_C=${ACCEPT_C:-48}
E2E_M=${E2E_M:-3000}; E2E_TIMEOUT=${E2E_TIMEOUT:-120}; CLAIM_M=${CLAIM_M:-3000}
LOAD=$ROOT/scripts/gateway-load.py
WORK=$(mktemp -d /tmp/smskit-bench-pg.XXXXXX)
PIDS=()
log() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }

stop_all() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  PIDS=()
}
cleanup() { stop_all; rm -rf "$WORK"; }
trap 'cleanup; pg_throwaway_stop 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

if [[ -z ${SMSKIT:-} ]]; then
  export PATH="/opt/swift/usr/bin:$PATH"
  log "building smskit (release)"
  swift build -c release --product smskit >&2
  SMSKIT="$(swift build -c release --show-bin-path)/smskit"
fi
cp "$SMSKIT" "$WORK/smskit"; BIN=$WORK/smskit
mkdir -p bench-results

if [[ -n ${SMSKIT_BENCH_POSTGRES_URL:-} ]]; then
  PG=$SMSKIT_BENCH_POSTGRES_URL
else
  source scripts/pg-throwaway.sh
  trap 'cleanup; pg_throwaway_stop' EXIT
  PG=${SMSKIT_TEST_POSTGRES_URL:?no PostgreSQL: install postgresql (scripts/setup.sh) or set SMSKIT_BENCH_POSTGRES_URL}
fi

# start_gateway DIR URL_OR_EMPTY INDEX : one gateway (--emulate MODEMS, range by INDEX); sets GW_URL.
start_gateway() {
  local dir=$1 db=$2 i=$3 args=()
  mkdir -p "$dir"
  if [[ -n $db ]]; then args=(--database "$db" --node "bench-$i"); else args=(--data-dir "$dir/data"); fi
  "$BIN" gateway "${args[@]}" --emulate "$MODEMS" --emulate-first $((1 + i * MODEMS)) --listen 127.0.0.1:0 --log-level warning \
    > "$dir/out" 2> "$dir/err" &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 1200); do
    grep -q '"event":"ready"' "$dir/out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '"event":"ready"' "$dir/out" || { log "gateway $dir did not start:"; tail -20 "$dir/err" >&2; exit 1; }
  GW_URL=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["url"])' "$dir/out")
}

# run_phase NAME HOSTCOUNT DB_URL_OR_EMPTY : accept then e2e with HOSTCOUNT gateways.
run_phase() {
  local name=$1 n=$2 db=$3 urls=() token
  if [[ -n $db ]]; then
    token=$("$BIN" gateway token create --database "$db" --name bench)
  else
    token=$("$BIN" gateway token create --data-dir "$WORK/$name/0/data" --name bench)
  fi
  for i in $(seq 0 $((n - 1))); do
    start_gateway "$WORK/$name/$i" "$db" "$i"
    urls+=("$GW_URL")
  done
  log "$name: accept, $ACCEPT_N POSTs over $n gateway(s)"
  local t0; t0=$(date +%s.%N)
  local per=$((ACCEPT_N / n)) conns=$((ACCEPT_C / n)) lp=()
  for i in $(seq 0 $((n - 1))); do
    python3 "$LOAD" accept --url "${urls[$i]}" --token "$token" -n "$per" -c "$conns" --prefix "+1999$((i + 1))" \
      > "$WORK/$name.accept.$i.json" &
    lp+=($!)
  done
  for p in "${lp[@]}"; do wait "$p"; done
  local t1; t1=$(date +%s.%N)
  # e2e on fresh gateways and an empty store: the accept phase's backlog must not queue in front.
  stop_all
  urls=()
  if [[ -n $db ]]; then db="${db}_e2e"; token=$("$BIN" gateway token create --database "$db" --name bench); else
    token=$("$BIN" gateway token create --data-dir "$WORK/$name-e2e/0/data" --name bench); fi
  for i in $(seq 0 $((n - 1))); do
    start_gateway "$WORK/$name-e2e/$i" "$db" "$i"
    urls+=("$GW_URL")
  done
  log "$name: e2e, $E2E_M messages posted through the first gateway, sent by all"
  python3 "$LOAD" e2e --url "${urls[0]}" --token "$token" -m "$E2E_M" -c 32 --timeout "$E2E_TIMEOUT" --stall 20 \
    > "$WORK/$name.e2e.json"
  python3 - "$WORK" "$name" "$n" "$t0" "$t1" > "$WORK/$name.json" <<'PY'
import glob, json, sys
work, name, n, t0, t1 = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
acc = [json.load(open(p)) for p in sorted(glob.glob(f"{work}/{name}.accept.*.json"))]
e2e = json.load(open(f"{work}/{name}.e2e.json"))
accepted = sum(a["accepted"] for a in acc)
print(json.dumps({"name": name, "gateways": n, "accepted": accepted, "accept_wall_s": round(t1 - t0, 2),
                  "accepted_per_s": round(accepted / max(a["elapsed_s"] for a in acc), 1),
                  "accept_p99_ms": max(a["latency"]["p99_ms"] for a in acc),
                  "e2e_delivered": e2e["delivered"], "e2e_messages": e2e["messages"], "e2e_per_s": e2e["delivered_per_s"]}))
PY
  stop_all
}

log "SQLite (one gateway, the default store)"
run_phase sqlite 1 ""
for n in $HOSTS; do
  log "PostgreSQL with $n gateway(s)"
  run_phase "pg$n" "$n" "$PG?schema=bench_pg${n}_$RANDOM"
done
for n in $HOSTS; do
  log "claims: $n store(s) × $MODEMS workers, $CLAIM_M messages"
  "$BIN" bench claims --database "$PG" --hosts "$n" --workers "$MODEMS" --messages "$CLAIM_M" --json > "$WORK/claims$n.json"
done

python3 - "$WORK" "$HOSTS" "$MODEMS" <<'PY'
import datetime, json, os, subprocess, sys
work, hosts, modems = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])
load = lambda n: json.load(open(os.path.join(work, n)))
rows = [load("sqlite.json")] + [load(f"pg{n}.json") for n in hosts]
claims = [load(f"claims{n}.json") for n in hosts]
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
pgv = subprocess.run(["bash", "-c", "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/postgres --version"],
                     capture_output=True, text=True).stdout.strip()
record = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "commit": commit, "nproc": os.cpu_count(), "cpu": cpu,
          "postgres": pgv, "modems_per_gateway": modems, "phases": rows, "claims": claims}
open("bench-results/postgres.jsonl", "a").write(json.dumps(record) + "\n")
print(f"machine: {os.cpu_count()} CPUs, {cpu}; {pgv}; {modems} emulated modems per gateway; commit {commit}")
print("| store | gateways | accepted/s (p99 ms) | end to end msg/s (delivered/posted) |")
print("|---|---|---|---|")
for r in rows:
    store = "SQLite" if r["name"] == "sqlite" else "PostgreSQL"
    print(f"| {store} | {r['gateways']} | {r['accepted_per_s']:,.0f} ({r['accept_p99_ms']:.1f}) | {r['e2e_per_s'] or 0:,.0f} ({r['e2e_delivered']:,}/{r['e2e_messages']:,}) |")
print()
print("| claim path (smskit bench claims) | workers | accept/s | claimed → done msg/s | claim p50 / p99 / max ms |")
print("|---|---|---|---|---|")
for c in claims:
    print(f"| {c['hosts']} store(s) | {c['hosts'] * c['workers_per_host']} | {c['accept_per_s']:,.0f} | {c['sent_per_s']:,.0f} | "
          f"{c['claim_p50_ms']:.2f} / {c['claim_p99_ms']:.2f} / {c['claim_max_ms']:.1f} |")
print("\nappended to bench-results/postgres.jsonl")
PY
