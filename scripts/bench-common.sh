# Shared by the benchmark scripts (sourced): a private PostgreSQL in
# $work/pg on $pg_port, and stopping processes by pid.
pg_bin=/usr/lib/postgresql/15/bin

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Stops a process by pid: SIGTERM, up to 5 s, then SIGKILL.
stop_pid() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

stop_bench_pg() {
  [ ! -f "$work/pg/postmaster.pid" ] || as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null || true
}

# Starts a fresh cluster; sets db_pid.
start_bench_pg() {
  rm -rf "$work/pg"
  [ "$(id -u)" != 0 ] || chown postgres "$work"
  as_postgres "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
  as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work -c fsync=off -c max_connections=60" >/dev/null
  db_pid=$(head -n 1 "$work/pg/postmaster.pid")
}

psql() { command psql -q -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }

# Waits up to 10 s for GET /health on 127.0.0.1:$1.
wait_health() {
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}
