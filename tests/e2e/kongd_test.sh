#!/usr/bin/env bash
# e2e: kongd refuses bad configurations and startup failures with one line and a non-zero exit,
# runs a traditional node and a control plane in the foreground (Admin API on a real socket),
# and stops with exit 0 on SIGTERM and SIGINT. Usage: kongd_test.sh <kongd> <kong>
set -euo pipefail
kongd=$(realpath "$1")
kong=$(realpath "$2")
# e2e_lib.sh clears every KONG_* variable: keep the throwaway PostgreSQL's address first.
pg_host=${KONG_TEST_PG_HOST:-} pg_port=${KONG_TEST_PG_PORT:-}
pg_user=${KONG_TEST_PG_USER:-} pg_database=${KONG_TEST_PG_DATABASE:-}
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
cd "$work"

echo "# bad configuration: one line, exit 1"
printf 'role = bogus\n' >bad.conf
expect_fail_one_line "$kongd" -c bad.conf
[ "$rc" -eq 1 ] || fail "bad config: expected exit 1, got $rc"
expect_contains "$err" "Error: role has an invalid value: 'bogus'" "bad role"
expect_fail_one_line "$kongd" -c "$work/missing.conf"
[ "$rc" -eq 1 ] || fail "missing config: expected exit 1, got $rc"
expect_contains "$err" "$work/missing.conf" "missing config"
printf 'role = control_plane\n' >cp.conf
expect_fail_one_line "$kongd" --conf cp.conf
expect_eq "$err" "Error: cluster certificate and key must be provided to use Hybrid mode" "cp without a certificate"

echo "# bad arguments: one line, exit 1"
expect_fail_one_line "$kongd" --bogus
expect_eq "$err" "Error: unrecognized parameter: --bogus" "unknown option"
expect_fail_one_line "$kongd" -c
expect_eq "$err" "Error: --conf needs a value" "missing value"

echo "# data plane: a bad setting is one line, exit 1 (cluster_test.sh runs a working one)"
expect_ok "$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key"
write_conf dp.conf "role = data_plane" "database = off" "cluster_control_plane = 127.0.0.1:8005"
expect_fail_one_line "$kongd" -c dp.conf -p "$work/dp"
[ "$rc" -eq 1 ] || { describe kongd -c dp.conf; fail "data_plane without cert: expected exit 1"; }
expect_eq "$err" "Error: cluster certificate and key must be provided to use Hybrid mode" "dp without a certificate"

echo "# traditional node: creates its prefix, serves the Admin API, SIGTERM -> exit 0"
write_conf trad.conf "admin_listen = 127.0.0.1:0" "proxy_listen = 127.0.0.1:0"
start_kongd trad -c trad.conf -p "$work/new/prefix"
[ -d "$work/new/prefix" ] || fail "prefix folder not created"
node_id=$(cat "$work/new/prefix/kong.id")
[[ $node_id =~ ^[0-9a-f-]{36}$ ]] || fail "kong.id does not hold a uuid: $node_id"
http GET /status
expect_eq "$http_status" 200 "GET /status"
http POST /services '{"name":"e2e","url":"http://httpbin.internal:8080/anything"}'
expect_eq "$http_status" 201 "POST /services"
http GET /
expect_eq "$http_status" 200 "GET /"
expect_contains "$http_body" "$node_id" "GET / node id"
expect_contains "$http_body" '"traditional"' "GET / role"

echo "# a second node on the same admin port: one line, exit 1"
write_conf busy.conf "admin_listen = 127.0.0.1:$admin_port" "proxy_listen = off"
expect_fail_one_line "$kongd" -c busy.conf -p "$work/busy"
[ "$rc" -eq 1 ] || fail "busy port: expected exit 1, got $rc"
expect_contains "$err" "127.0.0.1:$admin_port: address already in use" "busy port"

stop_kongd
[ "$rc" -eq 0 ] || { cat "$work/trad.log"; fail "SIGTERM: expected exit 0, got $rc"; }
[ -z "$(cat "$work/trad.out")" ] || fail "kongd wrote to stdout: $(cat "$work/trad.out")"
expect_contains "$(cat "$work/trad.log")" "[notice]" "log lines on stderr"

echo "# restart on the same prefix: same node id, same data; SIGINT -> exit 0"
start_kongd trad2 -c trad.conf -p "$work/new/prefix"
expect_eq "$(cat "$work/new/prefix/kong.id")" "$node_id" "kong.id reused"
http GET /services/e2e
expect_eq "$http_status" 200 "service kept across restarts"
expect_contains "$http_body" '"host":"httpbin.internal"' "url shorthand stored"
kill -INT "$kongd_pid"
set +e; wait "$kongd_pid"; rc=$?; set -e
[ "$rc" -eq 0 ] || fail "SIGINT: expected exit 0, got $rc"

echo "# control plane: runs with its cluster certificate"
write_conf cp_ok.conf "role = control_plane" "admin_listen = 127.0.0.1:0" \
  "cluster_listen = 127.0.0.1:0" "cluster_cert = $work/cluster.crt" "cluster_cert_key = $work/cluster.key"
start_kongd cp -c cp_ok.conf -p "$work/cp"
http GET /
expect_eq "$http_status" 200 "control plane GET /"
expect_contains "$http_body" '"control_plane"' "GET / role"
stop_kongd
[ "$rc" -eq 0 ] || { cat "$work/cp.log"; fail "control plane SIGTERM: expected exit 0, got $rc"; }

echo "# database unreachable: one line, exit 1"
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
write_conf nodb.conf "admin_listen = 127.0.0.1:0" "database = postgres" "pg_host = 127.0.0.1" \
  "pg_port = $closed_port" "pg_timeout = 2000"
expect_fail_one_line "$kongd" -c nodb.conf -p "$work/nodb"
[ "$rc" -eq 1 ] || fail "unreachable database: expected exit 1, got $rc"

if [ -n "$pg_host" ]; then
  echo "# postgres schema that was never bootstrapped: Kong's hint on one line, exit 1"
  write_conf pg.conf "admin_listen = 127.0.0.1:0" "$(pg_conf_lines "kongd_e2e_$$_$RANDOM")"
  expect_fail_one_line "$kongd" -c pg.conf -p "$work/pg"
  [ "$rc" -eq 1 ] || fail "needs migrations: expected exit 1, got $rc"
  expect_contains "$err" "Database needs bootstrapping" "needs migrations"
  expect_contains "$err" "kong migrations bootstrap" "needs migrations hint"
else
  echo "# postgres variant skipped: KONG_TEST_PG_* not set"
fi

expect_ok "$kongd" --help
expect_contains "$out" "Usage: kongd" "kongd --help"
echo "PASS"
