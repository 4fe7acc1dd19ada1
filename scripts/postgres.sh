#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server on 127.0.0.1 for the test suite.
#   eval "$(bash scripts/postgres.sh start)"   # exports AGENTLEDGER_TEST_POSTGRES and PGROOT
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
    "${as[@]}" "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $root -c fsync=off -c max_connections=300" start >&2
    echo "export PGROOT=$root AGENTLEDGER_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Include Error Detail=true'"
    ;;
  stop)
    root=${2:?usage: postgres.sh stop PGROOT}
    if [ -f "$root/data/postmaster.pid" ]; then
      kill -INT "$(head -1 "$root/data/postmaster.pid")" || true
      for _ in $(seq 50); do [ -f "$root/data/postmaster.pid" ] || break; sleep 0.2; done
    fi
    rm -rf "$root"
    ;;
  *) echo "usage: postgres.sh start | stop PGROOT" >&2; exit 2 ;;
esac
