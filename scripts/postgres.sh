#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server on 127.0.0.1 for the test suite.
#   eval "$(bash scripts/postgres.sh start)"   # exports AGENTLEDGER_TEST_POSTGRES and PGROOT
#   bash scripts/postgres.sh pause|resume "$PGROOT"   # stop and restart it, keeping its data
#   bash scripts/postgres.sh stop "$PGROOT"
set -euo pipefail
port=${AGENTLEDGER_PG_PORT:-55432}

case "${1:-}" in
  start)
    if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
      if [ "$(id -u)" -ne 0 ]; then echo "install PostgreSQL (apt-get install postgresql) first" >&2; exit 1; fi
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
    fi
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    root=$(mktemp -d)
    if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); chown postgres:postgres "$root"; else as=(); fi
    chmod 700 "$root"
    "${as[@]}" "$bin/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >&2
    # In the data folder, so a pause/resume restarts it on the same address. fsync is off: this
    # server is thrown away after the tests, and the tests that matter do not power-cut the machine.
    cat >> "$root/data/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$root'
fsync = off
max_connections = 300
CONF
    if ! "${as[@]}" "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 start >&2; then
      cat "$root/server.log" >&2 || true
      rm -rf "$root"
      exit 1
    fi
    echo "export PGROOT=$root AGENTLEDGER_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Include Error Detail=true'"
    ;;
  pause|resume)
    # Stops (or restarts) the server but keeps its data: the outage tests use this.
    root=${2:?usage: postgres.sh pause|resume PGROOT}
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); else as=(); fi
    if [ "$1" = pause ]; then
      "${as[@]}" "$bin/pg_ctl" -D "$root/data" -m fast -w -t 30 stop >&2
    else
      "${as[@]}" "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 start >&2
    fi
    ;;
  stop)
    root=${2:?usage: postgres.sh stop PGROOT}
    if [ -f "$root/data/postmaster.pid" ]; then
      kill -INT "$(head -1 "$root/data/postmaster.pid")" || true
      for _ in $(seq 50); do [ -f "$root/data/postmaster.pid" ] || break; sleep 0.2; done
    fi
    rm -rf "$root"
    ;;
  *) echo "usage: postgres.sh start | pause PGROOT | resume PGROOT | stop PGROOT" >&2; exit 2 ;;
esac
