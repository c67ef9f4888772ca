#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks: initdb + pg_ctl into a temp dir,
# listening on 127.0.0.1 only, trust auth, fsync on (the store's durability is what is tested).
#   source scripts/pg-throwaway.sh   # starts it, exports SMSKIT_TEST_POSTGRES_URL, stops it on exit
# Needs Debian's `postgresql` (scripts/setup.sh installs it). As root the server runs as the
# `postgres` user (initdb refuses root).
pg_throwaway_start() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "pg-throwaway: no PostgreSQL server binaries (apt-get install postgresql); PostgreSQL tests will be skipped" >&2
    return 0
  fi
  PG_THROWAWAY_DIR=$(mktemp -d /tmp/smskit-pg.XXXXXX)
  PG_THROWAWAY_PORT=${PG_THROWAWAY_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
  local run=()
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$PG_THROWAWAY_DIR"
    run=(su postgres -s /bin/sh -c)
  else
    run=(sh -c)
  fi
  "${run[@]}" "$bin/initdb -D $PG_THROWAWAY_DIR/data -A trust -U postgres >$PG_THROWAWAY_DIR/initdb.log 2>&1" || {
    cat "$PG_THROWAWAY_DIR/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl -D $PG_THROWAWAY_DIR/data -o '-p $PG_THROWAWAY_PORT -k $PG_THROWAWAY_DIR -c listen_addresses=127.0.0.1 -c max_connections=200' -l $PG_THROWAWAY_DIR/log -w start >/dev/null" || {
    cat "$PG_THROWAWAY_DIR/log" >&2; return 1; }
  PG_THROWAWAY_BIN=$bin
  PG_THROWAWAY_RUN=("${run[@]}")
  export SMSKIT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_THROWAWAY_PORT/postgres"
  echo "pg-throwaway: PostgreSQL on $SMSKIT_TEST_POSTGRES_URL ($PG_THROWAWAY_DIR)" >&2
}

pg_throwaway_stop() {
  [[ -n "${PG_THROWAWAY_DIR:-}" && -d "$PG_THROWAWAY_DIR/data" ]] || return 0
  "${PG_THROWAWAY_RUN[@]}" "$PG_THROWAWAY_BIN/pg_ctl -D $PG_THROWAWAY_DIR/data -m fast stop >/dev/null" || true
  rm -rf "$PG_THROWAWAY_DIR"
  PG_THROWAWAY_DIR=""
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  # Run directly: start, print the URL, and stay up until interrupted.
  set -euo pipefail
  trap pg_throwaway_stop EXIT
  pg_throwaway_start
  echo "$SMSKIT_TEST_POSTGRES_URL"
  trap 'exit 0' TERM INT   # then the EXIT trap stops the server
  while :; do sleep 1 & wait $!; done
else
  trap pg_throwaway_stop EXIT
  pg_throwaway_start
fi
