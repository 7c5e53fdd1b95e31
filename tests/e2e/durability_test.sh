#!/usr/bin/env bash
# e2e durability (issue 3, "Done when"): kongd runs as a control plane; 1,000 concurrent Admin
# API writes (POST /services over 32 keep-alive connections) are cut by SIGKILL after 300 were
# acknowledged; kongd restarts on the same database and every write that got a 2xx must be
# there (GET /services/<id>, name checked). SQLite always; PostgreSQL when KONG_TEST_PG_* is set.
# Usage: durability_test.sh <kongd> <kong> <admin_load>
set -euo pipefail
kongd=$(realpath "$1")
kong=$(realpath "$2")
admin_load=$(realpath "$3")
pg_host=${KONG_TEST_PG_HOST:-} pg_port=${KONG_TEST_PG_PORT:-}
pg_user=${KONG_TEST_PG_USER:-} pg_database=${KONG_TEST_PG_DATABASE:-}
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
cd "$work"

writes=1000
kill_after=300
"$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key" >/dev/null

# run_backend NAME DATABASE_LINES...
run_backend() {
  local name=$1; shift
  echo "# $name: $writes concurrent writes, SIGKILL after $kill_after acknowledged"
  write_conf "$name.conf" "role = control_plane" "admin_listen = 127.0.0.1:0" \
    "cluster_listen = 127.0.0.1:0" "cluster_cert = $work/cluster.crt" \
    "cluster_cert_key = $work/cluster.key" "$@"
  local prefix="$work/$name-prefix"
  if [ "$name" = postgres ]; then
    "$kong" migrations bootstrap -c "$name.conf" >/dev/null \
      || fail "$name: kong migrations bootstrap failed"
  fi
  start_kongd "$name" -c "$name.conf" -p "$prefix"
  local pid=$kongd_pid
  "$admin_load" create --port "$admin_port" --connections 32 --requests "$writes" \
    --prefix "dur-$name" --acked "$work/$name.acked" --kill-pid "$pid" --kill-after "$kill_after" \
    >"$work/$name.load" 2>"$work/$name.load.err" \
    || { cat "$work/$name.load.err"; fail "$name: load client failed"; }
  set +e; wait "$pid"; rc=$?; set -e
  [ "$rc" -eq 137 ] || { cat "$work/$name.log"; fail "$name: expected kongd to die of SIGKILL (137), got $rc"; }
  local acked
  acked=$(wc -l <"$work/$name.acked")
  echo "  $(cat "$work/$name.load")"
  echo "  acknowledged before the kill took effect: $acked"
  [ "$acked" -ge "$kill_after" ] || fail "$name: only $acked writes acknowledged"
  [ "$acked" -lt "$writes" ] || fail "$name: every write succeeded: the kill came too late to test anything"

  start_kongd "$name-restart" -c "$name.conf" -p "$prefix"
  "$admin_load" verify --port "$admin_port" --connections 8 --acked "$work/$name.acked" \
    >"$work/$name.verify" 2>"$work/$name.verify.err" \
    || { cat "$work/$name.verify" "$work/$name.verify.err"; fail "$name: acknowledged writes lost"; }
  echo "  verify: $(cat "$work/$name.verify")"
  stop_kongd
  [ "$rc" -eq 0 ] || { cat "$work/$name-restart.log"; fail "$name: SIGTERM after restart: exit $rc"; }
}

run_backend sqlite
if [ -n "$pg_host" ]; then
  run_backend postgres "$(pg_conf_lines "kongd_durability_$$_$RANDOM")"
else
  echo "# postgres variant skipped: KONG_TEST_PG_* not set"
fi
echo "PASS"
