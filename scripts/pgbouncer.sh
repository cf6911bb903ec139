#!/usr/bin/env bash
# PgBouncer in transaction pooling mode in front of the local PostgreSQL, for the pooler tests
# (tests/pooler.rs) and for trying learndb behind a pooler by hand.
#
#   scripts/pgbouncer.sh start   # listen on 127.0.0.1:${PGBOUNCER_PORT:-6432}, every database
#   scripts/pgbouncer.sh stop
#
# The configuration is written to a fresh temporary folder (printed), PgBouncer runs as the
# `postgres` user when started as root (it refuses to run as root), and every database name is
# forwarded to PostgreSQL at ${PGBOUNCER_UPSTREAM:-127.0.0.1:5432} with trust authentication, so the
# tests' throwaway databases are reachable through it. Installs the Debian package if missing.
set -euo pipefail

port=${PGBOUNCER_PORT:-6432}
upstream=${PGBOUNCER_UPSTREAM:-127.0.0.1:5432}
state=${PGBOUNCER_STATE:-/tmp/learndb-pgbouncer}   # where `stop` finds the pid file

port_open() { timeout 1 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }

as_runner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  if port_open "$port"; then
    # Ours from an earlier start, or something else (the Debian package's own pgbouncer service
    # listens on 6432 too, in session mode, with no databases): only ours will do.
    if [ -f "$state/pgbouncer.pid" ] && kill -0 "$(cat "$state/pgbouncer.pid")" 2>/dev/null; then
      echo "PgBouncer started by this script is running on 127.0.0.1:$port (config in $(readlink "$state"))"
      return
    fi
    echo "error: 127.0.0.1:$port is taken by another process (Debian's pgbouncer service? stop it with 'service pgbouncer stop'), or set PGBOUNCER_PORT and TEST_PGBOUNCER_URL to another port" >&2
    exit 1
  fi
  if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "installing pgbouncer (Debian package)"
      apt-get install -y pgbouncer >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y pgbouncer >/dev/null; }
    else
      echo "error: pgbouncer is not installed; run 'sudo apt-get install -y pgbouncer'" >&2; exit 1
    fi
  fi
  local bin; bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  local dir; dir=$(mktemp -d /tmp/learndb-pgbouncer.XXXXXX)
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=${upstream%:*} port=${upstream##*:}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 5
max_client_conn = 500
; sqlx sends it at startup; PgBouncer would refuse the connection otherwise.
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  printf '"postgres" ""\n"root" ""\n' >"$dir/userlist.txt"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
  as_runner "$bin" -d "$dir/pgbouncer.ini"
  for _ in $(seq 1 30); do
    port_open "$port" && break
    sleep 0.2
  done
  port_open "$port" || { echo "error: PgBouncer did not start; see $dir/pgbouncer.log" >&2; exit 1; }
  ln -sfn "$dir" "$state"
  echo "PgBouncer $("$bin" --version | head -n1 | awk '{print $2}') (transaction pooling) on 127.0.0.1:$port in front of $upstream; config in $dir"
}

stop() {
  if [ -f "$state/pgbouncer.pid" ]; then
    kill "$(cat "$state/pgbouncer.pid")" 2>/dev/null || true
    rm -f "$state"
    echo "PgBouncer stopped"
  else
    echo "no PgBouncer started by this script ($state/pgbouncer.pid is missing)"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
