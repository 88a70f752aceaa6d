#!/usr/bin/env bash
# Start and stop a throwaway PostgreSQL cluster on a free local port, as an unprivileged user.
pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

pg_install() {
  if pg_bin >/dev/null; then return 0; fi
  (debian_install postgresql PostgreSQL) || true  # a failure here: the run says it was skipped
  pg_bin >/dev/null
}

pg_start() {
  pg_install || return 1
  local bin; bin=$(pg_bin)
  PG_DIR=$(mktemp -d /tmp/skewer-pg.XXXXXX)
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local run_as=()
  if [ "$(id -u)" = "0" ]; then
    id -u skewerpg >/dev/null 2>&1 || useradd --system --no-create-home skewerpg
    chown skewerpg "$PG_DIR"
    run_as=(runuser -u skewerpg --)
  fi
  "${run_as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U skewer --auth=trust -E UTF8 >/dev/null || return 1
  "${run_as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || return 1
  "${run_as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U skewer skewer_test || return 1
  export SKEWER_TEST_POSTGRES_URL="postgresql+asyncpg://skewer@127.0.0.1:$PG_PORT/skewer_test"
  export PG_DIR PG_PORT
  PG_RUN_AS="${run_as[*]}"
  export PG_RUN_AS
  return 0
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  local bin; bin=$(pg_bin)
  # shellcheck disable=SC2086
  $PG_RUN_AS "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
