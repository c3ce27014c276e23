#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 for the test suite on a loopback port.
#   eval "$(bash scripts/pg-test-server.sh start)"   # exports ACCORD_TEST_DATABASE_URL
#   bash scripts/pg-test-server.sh stop
set -euo pipefail
DIR=${ACCORD_PG_DIR:-/tmp/accord-test-pg}
PORT=${ACCORD_PG_PORT:-54329}
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

case "${1:-}" in
  start)
    if [ ! -x "$BIN/initdb" ]; then
      echo "PostgreSQL binaries not found in $BIN (apt-get install -y postgresql)" >&2
      exit 1
    fi
    if [ ! -f "$DIR/PG_VERSION" ]; then
      rm -rf "$DIR" && mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
      as_pg "$BIN/initdb -D $DIR -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    fi
    if ! as_pg "$BIN/pg_ctl -D $DIR status" >/dev/null 2>&1; then
      as_pg "$BIN/pg_ctl -D $DIR -l $DIR/server.log -o \"-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -w start" >&2
    fi
    echo "export ACCORD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_pg "$BIN/pg_ctl -D $DIR -m fast stop" >&2 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
