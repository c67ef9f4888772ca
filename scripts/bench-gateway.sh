#!/usr/bin/env bash
# SMSGateway benchmark: `smskit gateway --emulate N` on loopback, driven from a second process.
# One run measures, each phase on a fresh gateway and data directory:
#   accept   accepted (202) POST /v1/messages per second: scripts/gateway-load.py, closed loop,
#            C keep-alive connections, N requests, 1 emulated modem; then wrk (Lua POST) as a cross-check
#   e2e      messages per second from the API to the virtual phone through 32 emulated modems:
#            M posted as fast as possible, then polled until all are `delivered`
#   latency  p50/p99 of POST at a fixed 500 requests/s, open loop (from the scheduled send time),
#            on 1 and on 32 emulated modems
#   memory   VmRSS of --emulate 256 minus --emulate 1, per extra modem (includes the emulated
#            modems themselves: they run in the gateway's process)
#   durable  fsync/fdatasync calls (strace) for 20 sequential POSTs: a durable 202 needs one each;
#            and what one fdatasync costs on the data directory's filesystem
# Every phase is bounded in count and time; the script stops its gateways (SIGTERM, then SIGKILL)
# and removes its temp directory on exit. It records, per phase, the CPU seconds of the gateway,
# of the load generator, and of everything else on the machine (other builds skew the figures).
# Prints a results table, a Markdown row for docs/benchmarks.md, and appends JSON to
# bench-results/gateway.jsonl.
#
# usage: scripts/bench-gateway.sh [--profile]
#   --profile   also record `perf` call graphs of the accept and e2e phases (slower; the figures of a
#               profiled run are not comparable) into bench-results/gateway-perf-*.txt
# environment (defaults): SMSKIT=<binary> (else builds release) ACCEPT_N=20000 ACCEPT_C=64
#   WRK_SECONDS=10 (0 skips wrk) E2E_M=5000 E2E_MODEMS=32 E2E_TIMEOUT=120 E2E_STALL=20 LAT_RATE=500 LAT_SECONDS=10
#   LAT_MODEMS="1 32" MEM_MODEMS=256 QUIET_WAIT=0 (seconds to wait for the machine to be idle first)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PROFILE=0
for arg in "$@"; do
  case $arg in
    --profile) PROFILE=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

ACCEPT_N=${ACCEPT_N:-20000}; ACCEPT_C=${ACCEPT_C:-64}; WRK_SECONDS=${WRK_SECONDS:-10}
E2E_M=${E2E_M:-5000}; E2E_MODEMS=${E2E_MODEMS:-32}; E2E_TIMEOUT=${E2E_TIMEOUT:-120}; E2E_STALL=${E2E_STALL:-20}
LAT_RATE=${LAT_RATE:-500}; LAT_SECONDS=${LAT_SECONDS:-10}; LAT_MODEMS=${LAT_MODEMS:-"1 32"}
MEM_MODEMS=${MEM_MODEMS:-256}; QUIET_WAIT=${QUIET_WAIT:-0}
READY_TIMEOUT=120
LOAD=$ROOT/scripts/gateway-load.py

WORK=$(mktemp -d /tmp/smskit-bench-gateway.XXXXXX)
GW_PID=""
PERF_PID=""
ST_PID=""
stop_gateway() {
  if [[ -n $ST_PID ]]; then kill -INT "$ST_PID" 2>/dev/null || true; wait "$ST_PID" 2>/dev/null || true; ST_PID=""; fi
  if [[ -n $PERF_PID ]]; then kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; PERF_PID=""; fi
  [[ -n $GW_PID ]] || return 0
  kill -TERM "$GW_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$GW_PID" 2>/dev/null; then
    echo "bench: gateway $GW_PID ignored SIGTERM for 10 s; killing it" >&2
    kill -KILL "$GW_PID" 2>/dev/null || true
  fi
  wait "$GW_PID" 2>/dev/null || true
  GW_PID=""
}
cleanup() { stop_gateway; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }

# --- binary ---------------------------------------------------------------------------------
if [[ -z ${SMSKIT:-} ]]; then
  export PATH="/opt/swift/usr/bin:$PATH"
  log "building smskit (release; waits for the .build lock if another build holds it)"
  swift build -c release --product smskit >&2
  SMSKIT="$(swift build -c release --show-bin-path)/smskit"
fi
# A private copy: a concurrent rebuild must not swap the binary in the middle of a run.
cp "$SMSKIT" "$WORK/smskit"
BIN=$WORK/smskit

if ! command -v wrk >/dev/null 2>&1 && [[ $WRK_SECONDS != 0 ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  log "installing wrk (apt)"
  { $SUDO apt-get install -y -qq wrk || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk; }; } \
    >/dev/null 2>&1 || log "wrk not available; skipping the wrk cross-check"
fi
HAVE_WRK=0; command -v wrk >/dev/null 2>&1 && [[ $WRK_SECONDS != 0 ]] && HAVE_WRK=1
HAVE_PERF=0; [[ $PROFILE == 1 ]] && command -v perf >/dev/null 2>&1 && HAVE_PERF=1
mkdir -p bench-results

# --- CPU accounting -------------------------------------------------------------------------
HZ=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }          # all CPUs, not idle/iowait
proc_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }  # utime+stime
# `times` must run in this shell (a $(…) subshell has no children): user+sys of reaped children.
child_secs() { awk 'NR==2{split($1,u,"m");split($2,s,"m"); print u[1]*60+u[2]+s[1]*60+s[2]}' "$WORK/.times"; }

# Waits (up to QUIET_WAIT s) until everything else uses under 20 % of one CPU over a second.
wait_quiet() {
  local deadline=$((SECONDS + QUIET_WAIT)) b0 b1
  while :; do
    b0=$(busy_ticks); sleep 1; b1=$(busy_ticks)
    local pct=$(( (b1 - b0) * 100 / HZ ))
    if (( pct < 20 )); then return 0; fi
    if (( SECONDS >= deadline )); then
      ((QUIET_WAIT > 0)) && log "machine still busy (${pct}% of a CPU used by others); measuring anyway"
      return 0
    fi
    sleep 4
  done
}

# measure NAME CMD… : runs CMD (stdout → $WORK/NAME.json) and writes $WORK/NAME.cpu.json with the
# wall time and CPU seconds of the gateway, the client, and the rest of the machine meanwhile.
measure() {
  local name=$1; shift
  local b0 g0 c0 t0 b1 g1 c1 t1
  times > "$WORK/.times"; c0=$(child_secs)
  b0=$(busy_ticks); g0=$(proc_ticks "$GW_PID"); t0=$(date +%s.%N)
  "$@" > "$WORK/$name.json"
  t1=$(date +%s.%N); b1=$(busy_ticks); g1=$(proc_ticks "$GW_PID")
  times > "$WORK/.times"; c1=$(child_secs)
  python3 - "$WORK/$name.cpu.json" "$t0" "$t1" "$b0" "$b1" "$g0" "$g1" "$c0" "$c1" "$HZ" <<'PY'
import json, sys
out, t0, t1, b0, b1, g0, g1, c0, c1, hz = sys.argv[1], *map(float, sys.argv[2:])
wall, busy, gw, client = t1 - t0, (b1 - b0) / hz, (g1 - g0) / hz, c1 - c0
json.dump({"wall_s": round(wall, 3), "gateway_cpu_s": round(gw, 2), "client_cpu_s": round(client, 2),
           "other_cpu_s": round(max(0.0, busy - gw - client), 2),
           "machine_busy_pct": round(100 * busy / (wall * __import__("os").cpu_count()), 1)}, open(out, "w"))
PY
}

# start_gateway NAME MODEMS : a fresh data dir and token; sets GW_PID, GW_URL, TOKEN, GW_DIR.
start_gateway() {
  local name=$1 modems=$2
  GW_DIR=$WORK/$name
  TOKEN=$("$BIN" gateway token create --data-dir "$GW_DIR/data" --name bench 2>"$GW_DIR.token.err") \
    || { cat "$GW_DIR.token.err" >&2; exit 1; }
  local t0; t0=$(date +%s.%N)
  "$BIN" gateway --data-dir "$GW_DIR/data" --emulate "$modems" --listen 127.0.0.1:0 --log-level warning \
    > "$GW_DIR/gateway.out" 2> "$GW_DIR/gateway.err" &
  GW_PID=$!
  for _ in $(seq 1 $((READY_TIMEOUT * 10))); do
    grep -q '"event":"ready"' "$GW_DIR/gateway.out" 2>/dev/null && break
    kill -0 "$GW_PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '"event":"ready"' "$GW_DIR/gateway.out"; then
    log "gateway ($name, --emulate $modems) did not become ready:"; tail -20 "$GW_DIR/gateway.err" >&2; exit 1
  fi
  READY_S=$(python3 -c 'import sys,time; print(round(time.time() - float(sys.argv[1]), 2))' "$t0")
  GW_URL=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["url"])' "$GW_DIR/gateway.out")
  local up; up=$(python3 -c 'import json,sys; print(len(json.loads(open(sys.argv[1]).readline())["modems"]))' "$GW_DIR/gateway.out")
  [[ $up == "$modems" ]] || log "warning: ready line lists $up of $modems modems"
  if [[ $HAVE_PERF == 1 && ${3:-} == profile ]]; then
    perf record -q -F 499 -g -p "$GW_PID" -o "$WORK/$name.perf" >/dev/null 2>&1 &
    PERF_PID=$!
  fi
}

# count_rows NAME : messages in the gateway's database (read-only, WAL), by status.
count_rows() {
  python3 - "$GW_DIR/data/gateway.sqlite" > "$WORK/$1.db.json" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=10)
rows = dict(db.execute("SELECT status, COUNT(*) FROM messages GROUP BY status").fetchall())
events = dict(db.execute("SELECT type, COUNT(*) FROM events GROUP BY type").fetchall())
print(json.dumps({"messages": sum(rows.values()), "by_status": rows, "events": events}))
PY
}

perf_report() {  # perf_report NAME : top symbols (self and with callees) of the profiled phase
  [[ $HAVE_PERF == 1 && -f $WORK/$1.perf ]] || return 0
  local out=bench-results/gateway-perf-$1.txt demangle=cat
  command -v swift-demangle >/dev/null 2>&1 && demangle="swift-demangle --simplified"
  [[ -x /opt/swift/usr/bin/swift-demangle ]] && demangle="/opt/swift/usr/bin/swift-demangle --simplified"
  perf report -i "$WORK/$1.perf" --no-children --sort dso,symbol --stdio -g none > "$WORK/$1.self.txt" 2>/dev/null || true
  perf report -i "$WORK/$1.perf" --children --sort symbol --stdio -g none > "$WORK/$1.children.txt" 2>/dev/null || true
  { echo "== self"; grep -v '^#' "$WORK/$1.self.txt" | grep -v '^$' | sed -n '1,60p'
    echo; echo "== with callees"; grep -v '^#' "$WORK/$1.children.txt" | grep -v '^$' | sed -n '1,150p'
  } | $demangle | cut -c1-220 > "$out" || true
  log "perf profile of $1: $out"
}

# --- phases ---------------------------------------------------------------------------------
wait_quiet

log "accept: $ACCEPT_N POSTs over $ACCEPT_C connections (gateway --emulate 1)"
start_gateway accept 1 profile
measure accept python3 "$LOAD" accept --url "$GW_URL" --token "$TOKEN" -n "$ACCEPT_N" -c "$ACCEPT_C"
count_rows accept
stop_gateway; perf_report accept

if [[ $HAVE_WRK == 1 ]]; then
  log "accept (wrk): ${WRK_SECONDS}s over $ACCEPT_C connections (gateway --emulate 1)"
  start_gateway wrk 1
  cat > "$WORK/post.lua" <<'LUA'
-- POST /v1/messages with a new recipient each request; prints a JSON summary at the end.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SMSKIT_TOKEN")
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/v1/messages", nil,
    string.format('{"to":"+1999%06d","text":"Your one-time code is 482913. It expires in 5 minutes."}', i % 1000000))
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_s":%.3f,"non_2xx":%d,"socket_errors":%d,"p50_ms":%.3f,"p99_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
  measure wrk.raw env SMSKIT_TOKEN="$TOKEN" wrk -t1 -c"$ACCEPT_C" -d"${WRK_SECONDS}s" --timeout 10s -s "$WORK/post.lua" "$GW_URL"
  grep '^{' "$WORK/wrk.raw.json" | tail -1 > "$WORK/wrk.json"; mv "$WORK/wrk.raw.cpu.json" "$WORK/wrk.cpu.json"
  count_rows wrk
  stop_gateway
fi

log "e2e: $E2E_M messages through $E2E_MODEMS emulated modems to virtual phones"
start_gateway e2e "$E2E_MODEMS" profile
measure e2e python3 "$LOAD" e2e --url "$GW_URL" --token "$TOKEN" -m "$E2E_M" -c 32 --timeout "$E2E_TIMEOUT" --stall "$E2E_STALL" --pid "$GW_PID"
count_rows e2e
stop_gateway; perf_report e2e

for n in $LAT_MODEMS; do
  log "latency: ${LAT_RATE} POST/s open loop for ${LAT_SECONDS}s (gateway --emulate $n)"
  start_gateway "lat$n" "$n"
  measure "lat$n" python3 "$LOAD" latency --url "$GW_URL" --token "$TOKEN" --rate "$LAT_RATE" --duration "$LAT_SECONDS" -c 32
  stop_gateway
done

# Durability probe: 20 sequential POSTs (each waits for its own commit) under strace; with
# synchronous=FULL every one of them needs an fsync/fdatasync of the WAL before its 202.
if command -v strace >/dev/null 2>&1; then
  log "durability: fsync/fdatasync calls for 20 sequential POSTs (strace)"
  start_gateway durable 1
  strace -f -qq -p "$GW_PID" -e trace=fsync,fdatasync,sync_file_range -o "$WORK/durable.strace" 2>/dev/null &
  ST_PID=$!
  sleep 1
  python3 "$LOAD" accept --url "$GW_URL" --token "$TOKEN" -n 20 -c 1 > "$WORK/durable.load.json"
  sleep 0.5
  kill -INT "$ST_PID" 2>/dev/null || true; wait "$ST_PID" 2>/dev/null || true; ST_PID=""
  python3 - "$WORK/durable.strace" "$WORK/durable.load.json" > "$WORK/durable.json" <<'PY'
import json, re, sys
calls = [l for l in open(sys.argv[1]) if re.search(r"\b(fsync|fdatasync|sync_file_range)\(", l)]
print(json.dumps({"posts": json.load(open(sys.argv[2]))["accepted"], "sync_calls": len(calls)}))
PY
  stop_gateway
fi
# What one fsync costs on the data directory's filesystem (what synchronous=FULL adds per group commit).
python3 - "$WORK" > "$WORK/fsync.json" <<'PY'
import json, os, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
ts = []
for i in range(300):
    os.pwrite(fd, b"x" * 4120, i * 4120)
    t = time.perf_counter(); os.fdatasync(fd); ts.append(time.perf_counter() - t)
os.close(fd); os.unlink(path); ts.sort()
print(json.dumps({"fdatasync_p50_ms": round(ts[150] * 1e3, 3), "fdatasync_p99_ms": round(ts[296] * 1e3, 3)}))
PY

mem_sample() {  # mem_sample NAME MODEMS : VmRSS etc. 2 s after ready
  start_gateway "$1" "$2"
  sleep 2
  local i0 i1; i0=$(proc_ticks "$GW_PID"); sleep 3; i1=$(proc_ticks "$GW_PID")
  python3 - "$GW_PID" "$2" "$READY_S" "$(( i1 - i0 ))" "$HZ" > "$WORK/$1.json" <<'PY'
import json, os, sys
pid, modems, ready, idle_ticks, hz = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
st = {l.split(":")[0]: l.split(":")[1].strip() for l in open(f"/proc/{pid}/status")}
kb = lambda k: int(st[k].split()[0]) if k in st else None
print(json.dumps({"modems": modems, "ready_s": ready, "vmrss_kb": kb("VmRSS"), "rss_anon_kb": kb("RssAnon"),
                  "rss_file_kb": kb("RssFile"), "vmhwm_kb": kb("VmHWM"), "threads": int(st["Threads"]),
                  "fds": len(os.listdir(f"/proc/{pid}/fd")), "idle_cpu_pct": round(100 * idle_ticks / hz / 3, 1)}))
PY
  stop_gateway
}
log "memory: gateway --emulate 1, then --emulate $MEM_MODEMS"
mem_sample mem1 1
mem_sample "mem$MEM_MODEMS" "$MEM_MODEMS"

# --- results --------------------------------------------------------------------------------
E2E_MODEMS=$E2E_MODEMS python3 - "$WORK" "$MEM_MODEMS" "$LAT_MODEMS" "$HAVE_WRK" "$PROFILE" <<'PY'
import datetime, json, os, platform, subprocess, sys
work, mem_n, lat_modems, have_wrk, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4] == "1", sys.argv[5] == "1"
def load(name):
    p = os.path.join(work, name)
    return json.load(open(p)) if os.path.exists(p) and os.path.getsize(p) else None
cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
swift = subprocess.run(["bash", "-c", "PATH=/opt/swift/usr/bin:$PATH swift --version 2>/dev/null | head -1"],
                       capture_output=True, text=True).stdout.strip()
acc, acc_cpu, acc_db = load("accept.json"), load("accept.cpu.json"), load("accept.db.json")
wrk, wrk_cpu, wrk_db = load("wrk.json"), load("wrk.cpu.json"), load("wrk.db.json")
e2e, e2e_cpu, e2e_db = load("e2e.json"), load("e2e.cpu.json"), load("e2e.db.json")
lat = {n: (load(f"lat{n}.json"), load(f"lat{n}.cpu.json")) for n in lat_modems}
m1, mN = load("mem1.json"), load(f"mem{mem_n}.json")
durable, fsync = load("durable.json"), load("fsync.json")
per_modem_kb = (mN["vmrss_kb"] - m1["vmrss_kb"]) / (mN["modems"] - m1["modems"])
commit = subprocess.run(["bash", "-c", "git rev-parse --short HEAD 2>/dev/null; git status --porcelain -- Sources Package.swift 2>/dev/null | head -1"],
                        capture_output=True, text=True).stdout.split("\n")
commit = commit[0] + ("+local changes" if len(commit) > 1 and commit[1].strip() else "")
row = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "commit": commit, "nproc": os.cpu_count(), "cpu": cpu_model,
       "kernel": platform.release(), "swift": swift, "profiled": profile,
       "accept": {**acc, "cpu": acc_cpu, "db": acc_db},
       "wrk": {**wrk, "cpu": wrk_cpu, "db": wrk_db} if wrk else None,
       "e2e": {**e2e, "cpu": e2e_cpu, "db": e2e_db},
       "latency": {n: {**l, "cpu": c} for n, (l, c) in lat.items()},
       "memory": {"base": m1, "many": mN, "per_modem_kb": round(per_modem_kb, 1)},
       "durability": durable, "fsync": fsync}
open("bench-results/gateway.jsonl", "a").write(json.dumps(row) + "\n")

def cpu(c):
    return f"gw {c['gateway_cpu_s']:.1f}s / client {c['client_cpu_s']:.1f}s / other {c['other_cpu_s']:.1f}s CPU in {c['wall_s']:.1f}s"
def verdict(ok):
    return "meets" if ok else "MISSES"
lines = []
add = lines.append
add(f"machine: {os.cpu_count()} CPUs, {cpu_model}; {swift}; sources {commit}")
add(f"{'measure':<44} {'result':>22}  {'target':<14} CPU (gateway / load generator / rest of machine)")
ok = acc["accepted_per_s"] >= 2000
add(f"{'accepted POST/s (python, c=%d, n=%d)' % (acc['connections'], acc['requests']):<44} {acc['accepted_per_s']:>16,.0f} req/s  ≥2,000 {verdict(ok):<7} {cpu(acc_cpu)}")
add(f"{'  202s / rows in the store; gateway CPU/202':<44} {acc['accepted']:>10,} / {acc_db['messages']:<10,} {1000 * acc_cpu['gateway_cpu_s'] / max(1, acc['accepted']):.2f} ms CPU each; statuses {acc['statuses']}")
add(f"{'  closed-loop latency p50 / p99':<44} {acc['latency']['p50_ms']:>9.1f} / {acc['latency']['p99_ms']:.1f} ms")
if wrk:
    wrk_ok = wrk["requests"] - wrk["non_2xx"] - wrk["socket_errors"]
    rate = wrk_ok / wrk["duration_s"]
    add(f"{'accepted POST/s (wrk -t1 -c%d, %gs)' % (acc['connections'], wrk['duration_s']):<44} {rate:>16,.0f} req/s  ≥2,000 {verdict(rate >= 2000):<7} {cpu(wrk_cpu)}")
    add(f"{'  2xx / rows in the store':<44} {wrk_ok:>10,} / {wrk_db['messages']:<10,} non-2xx {wrk['non_2xx']}, socket errors {wrk['socket_errors']}, p50 {wrk['p50_ms']:.1f} ms, p99 {wrk['p99_ms']:.1f} ms")
ok = e2e["delivered_per_s"] >= 1000 and e2e["undelivered"] == 0
add(f"{'end to end msg/s (%d modems, M=%d)' % (int(os.environ.get('E2E_MODEMS', '32')), e2e['messages']):<44} {e2e['delivered_per_s']:>16,.0f} msg/s  ≥1,000 {verdict(ok):<7} {cpu(e2e_cpu)}")
s = e2e.get("server") or {}
per_msg = e2e.get("gateway_cpu_ms_per_delivered") or 1000 * e2e_cpu['gateway_cpu_s'] / max(1, e2e['delivered'])
add(f"{'  gateway CPU per delivered message':<44} {per_msg:>9.2f} ms, first POST to last delivery (2 CPUs at 1,000 msg/s allow 2.0 ms for everything)")
add(f"{'  delivered / posted; post phase; total':<44} {e2e['delivered']:>10,} / {e2e['accepted']:<10,} posted in {e2e['post_phase_s']:.1f}s ({e2e['post']['accepted_per_s']:,.0f}/s), last delivered after {e2e['first_post_to_last_delivered_s']}s")
if s:
    add(f"{'  gateway clock: created→delivered span':<44} {s['first_created_to_last_delivered_s']:>9.2f} s = {s['delivered_per_s']:,.0f} msg/s; queue wait p50 {s['queue_wait']['p50_ms']:.0f} ms p99 {s['queue_wait']['p99_ms']:.0f} ms; sent→delivered p50 {s['sent_to_delivered']['p50_ms']:.0f} ms")
if e2e["undelivered"]:
    why = f"gave up after {e2e['stalled_after_s']:g} s without a delivery" if e2e.get("stalled_after_s") else "timeout"
    add(f"{'  NOT delivered':<44} {e2e['undelivered']:>10,}  ({why}) sample of their status: {e2e['undelivered_status_sample']}")
    for m in e2e.get("undelivered_examples", []):
        add(f"{'    e.g.':<44} {json.dumps(m)[:400]}")
ev = e2e_db.get("events", {})
add(f"{'  store events (e2e)':<44} " + ", ".join(f"{k} {v:,}" for k, v in sorted(ev.items())))
for n, (l, c) in lat.items():
    ok = l["p99_ms"] <= 10
    add(f"{'POST latency at %g/s open loop (%s modem%s)' % (l['rate_per_s'], n, '' if n == '1' else 's'):<44} {'p50 %.1f / p99 %.1f ms' % (l['p50_ms'], l['p99_ms']):>22}  p99≤10ms {verdict(ok):<7} {cpu(c)}")
    add(f"{'  p90 / p99.9 / max; achieved; client lag p99':<44} {l['p90_ms']:>6.1f} / {l['p99_9_ms']:.1f} / {l['max_ms']:.1f} ms; {l['achieved_per_s']:,.0f}/s; {l['accepted']:,} × 202; lag p99 {l['client_send_lag']['p99_ms']:.1f} ms; {l['connections_opened']} connections")
    if "first_fifth" in l:
        add(f"{'  p50 / p99 in the first and the last fifth':<44} {l['first_fifth']['p50_ms']:>6.1f} / {l['first_fifth']['p99_ms']:.1f} ms, then {l['last_fifth']['p50_ms']:.1f} / {l['last_fifth']['p99_ms']:.1f} ms")
ok = per_modem_kb <= 2048
add(f"{'RSS per modem ((%d − 1 modems) / %d)' % (mem_n, mem_n - 1):<44} {per_modem_kb / 1024:>17.2f} MiB  ≤2 MB  {verdict(ok):<7} includes the emulated modems (same process)")
add(f"{'  VmRSS 1 / %d modems; threads; fds; ready' % mem_n:<44} {m1['vmrss_kb'] / 1024:>6.1f} / {mN['vmrss_kb'] / 1024:.1f} MiB; {m1['threads']} / {mN['threads']} threads; {m1['fds']} / {mN['fds']} fds; ready in {m1['ready_s']} / {mN['ready_s']} s")
add(f"{'  idle CPU of the %d-modem gateway' % mem_n:<44} {mN.get('idle_cpu_pct', 0):>8.1f} % of a CPU (1 modem: {m1.get('idle_cpu_pct', 0):.1f} %)")
if durable:
    ok = durable["sync_calls"] >= durable["posts"]
    add(f"{'durable 202s: fsync+fdatasync / sequential 202':<44} {durable['sync_calls']:>10} / {durable['posts']:<10} {'ok' if ok else 'NOT DURABLE: 202 answered without an fsync (synchronous is not FULL)'}")
if fsync:
    add(f"{'  fdatasync of 4 KiB on the data dir fs':<44} {'p50 %.2f / p99 %.2f ms' % (fsync['fdatasync_p50_ms'], fsync['fdatasync_p99_ms']):>22}")
print("\n".join(lines))
l500 = lat.get("1") or next(iter(lat.values()))
l500 = l500[0]
l32 = (lat.get("32") or (None,))[0]
md = (f"| {row['date'][:16].replace('T', ' ')} | {acc['accepted_per_s']:,.0f}"
      + (f" (wrk {rate:,.0f})" if wrk else "")
      + f" | {e2e['delivered_per_s']:,.0f} ({e2e['delivered']:,}/{e2e['messages']:,}) | {l500['p50_ms']:.1f} / {l500['p99_ms']:.1f}"
      + (f" | {l32['p50_ms']:.1f} / {l32['p99_ms']:.1f}" if l32 else " | –")
      + f" | {per_modem_kb / 1024:.2f} MiB | {acc_cpu['other_cpu_s'] + e2e_cpu['other_cpu_s']:.0f} s |")
print("\nmarkdown row (docs/benchmarks.md, SMSGateway):")
print("| run | accepted/s | end to end msg/s | p50 / p99 ms @1 modem | p50 / p99 ms @32 | RSS per modem | other CPU (accept+e2e) |")
print(md)
print("\nappended to bench-results/gateway.jsonl")
PY
