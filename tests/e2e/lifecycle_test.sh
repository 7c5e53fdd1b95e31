#!/usr/bin/env bash
# e2e: `kong start|stop|quit|reload|restart|health` and `kong config init` over real kongd
# processes in temp prefixes: a control plane and a data plane started in the background,
# Kong's messages and exit codes, double start refused, a stale pid file ignored, a reload that
# keeps the data plane's link to its control plane, a broken reload that keeps the running
# configuration, SIGQUIT, two `kong start` racing on one prefix. Usage: lifecycle_test.sh <kong> <kongd>
set -euo pipefail
kong=$(realpath "$1")
kongd=$(realpath "$2")
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
cd "$work"

cleanup() {
  kill_prefix_nodes
  rm -rf "$work"
}
trap cleanup EXIT

count_lines() { grep -c -- "$2" "$1" || true; }
pid_of() { cat "$work/$1/pids/nginx.pid"; }

echo "# bad flags: one line, non-zero"
for cmd in start stop quit reload restart health; do
  expect_fail_one_line "$kong" "$cmd" --bogus
  expect_eq "$err" "Error: unrecognized parameter: --bogus" "kong $cmd --bogus"
done
expect_fail_one_line "$kong" quit -p "$work" -t soon
expect_eq "$err" "Error: --timeout must be a number of seconds, got: soon" "quit -t soon"
expect_fail_one_line "$kong" quit -w
expect_eq "$err" "Error: --wait needs a value" "quit -w without a value"
expect_fail_one_line "$kong" stop extra
expect_eq "$err" "Error: unexpected argument: extra" "stop extra"

echo "# no node: Kong's messages"
expect_fail_one_line "$kong" stop -p "$work/nope"
expect_eq "$err" "Error: no such prefix: $work/nope" "stop, no prefix"
mkdir "$work/empty"
expect_fail_one_line "$kong" health -p "$work/empty"
expect_eq "$err" "Error: Kong is not running at $work/empty" "health, never started"
expect_fail_one_line "$kong" stop -p "$work/empty"
expect_eq "$err" "Error: nginx not running in prefix: $work/empty" "stop, not running"

echo "# bad configurations: kong start prints kongd's one line"
printf 'role = bogus\n' >bad.conf
expect_fail_one_line "$kong" start -c bad.conf -p "$work/bad"
expect_contains "$err" "Error: role has an invalid value: 'bogus'" "bad role"
expect_ok "$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key"
write_conf nocert.conf "role = control_plane" "cluster_cert = $work/missing.crt" \
  "cluster_cert_key = $work/cluster.key"
expect_fail_one_line "$kong" start -c nocert.conf -p "$work/nocert"
expect_contains "$err" "$work/missing.crt" "unreadable certificate"
# Nothing listens on port 1: PostgreSQL is unreachable (no server needed for this check).
write_conf nodb.conf "database = postgres" "pg_host = 127.0.0.1" "pg_port = 1" \
  "pg_timeout = 2000" "admin_listen = 127.0.0.1:0"
expect_fail_one_line "$kong" start -c nodb.conf -p "$work/nodb"
expect_contains "$err" "127.0.0.1" "unreachable database"
[ ! -e "$work/nodb/pids/nginx.pid" ] || fail "a failed start left a pid file"

echo "# control plane: kong start returns once it listens"
write_conf cp.conf "role = control_plane" "admin_listen = 127.0.0.1:0" \
  "cluster_listen = 127.0.0.1:0" "cluster_cert = $work/cluster.crt" \
  "cluster_cert_key = $work/cluster.key" "log_level = info"
expect_ok "$kong" start -c cp.conf -p "$work/cp"
expect_eq "$out" "Kong started" "kong start"
cp_log="$work/cp/logs/error.log"
admin_port=$(wait_log "$cp_log" 'admin API on 127\.0\.0\.1:[0-9]*'); admin_port=${admin_port##*:}
cluster_port=$(wait_log "$cp_log" 'cluster listener on 127\.0\.0\.1:[0-9]*')
cluster_port=${cluster_port##*:}
cp_pid=$(pid_of cp)
kill -0 "$cp_pid" || fail "the pid file does not name a live process"
http GET /status
expect_eq "$http_status" 200 "CP Admin API after kong start"
expect_eq "$(mode_of "$work/cp/.kong_env")" 600 ".kong_env mode"
kong_env=$(cat "$work/cp/.kong_env")
expect_contains "$kong_env" "# conf_path = $work/cp.conf" ".kong_env names the kong.conf"
expect_contains "$kong_env" "role = control_plane" ".kong_env holds the resolved config"
case $kong_env in *cluster_cert_key*|*"PRIVATE KEY"*) fail ".kong_env holds the key" ;; esac

expect_ok "$kong" health -p "$work/cp"
expect_eq "$out" $'nginx.......running\n\nKong is healthy at '"$work/cp" "kong health"

echo "# double start: refused by kong start and by kongd itself"
expect_fail_one_line "$kong" start -c cp.conf -p "$work/cp"
expect_eq "$err" "Error: Kong is already running in $work/cp" "double kong start"
expect_fail_one_line "$kongd" -c cp.conf -p "$work/cp"
expect_eq "$err" "Error: Kong is already running in $work/cp" "double kongd"

echo "# double start race: two kong start at once on one prefix leave one node running"
write_conf race.conf "database = off" "admin_listen = 127.0.0.1:0" "proxy_listen = off"
for round in 1 2 3; do
  "$kong" start -c race.conf -p "$work/race" >race1.out 2>race1.err & first=$!
  "$kong" start -c race.conf -p "$work/race" >race2.out 2>race2.err & second=$!
  set +e; wait "$first"; rc1=$?; wait "$second"; rc2=$?; set -e
  outcome="round $round: exit codes $rc1 and $rc2; stdout '$(cat race1.out)' '$(cat race2.out)'"
  outcome+="; stderr '$(cat race1.err)' '$(cat race2.err)'"
  if [ "$rc1" -eq 0 ] && [ "$rc2" -ne 0 ]; then loser=race2; elif [ "$rc1" -ne 0 ] && [ "$rc2" -eq 0 ]; then loser=race1
  else fail "exactly one start must succeed: $outcome"; fi
  expect_eq "$(cat $loser.err)" "Error: Kong is already running in $work/race" "$outcome"
  # The winner's kongd runs and the loser's exited (kong start reaps the kongd it spawned).
  running=$(pgrep -f -- "kongd -c .*race.conf -p $work/race\$" | wc -l)
  expect_eq "$running" 1 "kongd processes in the prefix, $outcome"
  expect_eq "$(pgrep -f -- "kongd -c .*race.conf -p $work/race\$")" "$(pid_of race)" "the pid file"
  expect_ok "$kong" stop -p "$work/race"
done

echo "# a port in use: one line"
write_conf busy.conf "admin_listen = 127.0.0.1:$admin_port" "proxy_listen = off"
expect_fail_one_line "$kong" start -c busy.conf -p "$work/busy"
expect_contains "$err" "127.0.0.1:$admin_port: address already in use" "busy port"

echo "# data plane: connects to the control plane"
write_conf dp.conf "role = data_plane" "database = off" \
  "cluster_control_plane = 127.0.0.1:$cluster_port" "cluster_cert = $work/cluster.crt" \
  "cluster_cert_key = $work/cluster.key" "status_listen = 127.0.0.1:0" \
  "proxy_listen = 127.0.0.1:0" "log_level = info"
cp dp.conf dp.conf.orig
expect_ok "$kong" start -c dp.conf -p "$work/dp"
dp_log="$work/dp/logs/error.log"
wait_log "$dp_log" 'connected to control plane' >/dev/null
dp_pid=$(pid_of dp)
dp_id=$(cat "$work/dp/kong.id")
until_ok 30 eval 'http GET /clustering/data-planes; [[ $http_body == *"$dp_id"* ]]' ||
  fail "the DP is not in /clustering/data-planes: $http_body"
expect_eq "$(count_lines "$dp_log" 'connected to control plane')" 1 "one link before reload"

echo "# reload: log level in place, the link kept, restart-only changes named"
printf 'log_level = debug\ncluster_dp_labels = deployment:e2e\n' >>dp.conf
expect_ok "$kong" reload -p "$work/dp"
expect_eq "$out" "Kong reloaded" "kong reload"
wait_log "$dp_log" "reloaded $work/dp.conf" >/dev/null
expect_contains "$(cat "$dp_log")" \
  "reload: cluster_dp_labels changed; it takes effect after a restart" "restart-only change"
expect_eq "$(pid_of dp)" "$dp_pid" "same process after reload"
expect_eq "$(count_lines "$dp_log" 'connected to control plane')" 1 "no new link after reload"
expect_eq "$(count_lines "$dp_log" 'link to control plane')" 0 "link never dropped"
http GET /clustering/data-planes
expect_contains "$http_body" "$dp_id" "DP still listed after reload"

echo "# reload with a broken kong.conf: kong reload refuses, kongd keeps running"
printf 'role = bogus\n' >>dp.conf
expect_fail_one_line "$kong" reload -p "$work/dp"
expect_contains "$err" "Error: role has an invalid value: 'bogus'" "broken reload"
kill -HUP "$dp_pid"  # kongd re-reads the broken file itself
wait_log "$dp_log" "reload failed, keeping the running configuration: role has an invalid value" >/dev/null
kill -0 "$dp_pid" || fail "a broken reload stopped the node"
cp dp.conf.orig dp.conf
expect_fail_one_line "$kong" reload -c cp.conf -p "$work/dp"
expect_contains "$err" "runs with $work/dp.conf" "reload with another file"

echo "# reload of the control plane keeps the DP's link"
expect_ok "$kong" reload -p "$work/cp"
wait_log "$cp_log" "reloaded $work/cp.conf" >/dev/null
http GET /status
expect_eq "$http_status" 200 "CP serves after reload"
expect_eq "$(count_lines "$dp_log" 'connected to control plane')" 1 "no new link after the CP reload"
expect_eq "$(count_lines "$dp_log" 'link to control plane')" 0 "link never dropped by the CP reload"

echo "# quit: SIGQUIT, graceful; the pid file goes"
expect_ok "$kong" quit -p "$work/dp" -t 20
expect_eq "$out" "Kong stopped (gracefully)" "kong quit"
gone "$dp_pid" || fail "kongd still runs after quit"
[ ! -e "$work/dp/pids/nginx.pid" ] || fail "quit left the pid file"
expect_contains "$(cat "$dp_log")" "graceful shutdown" "SIGQUIT logged"

echo "# a stale pid file does not prevent a start"
sh -c 'exit 0' & dead_pid=$!; wait "$dead_pid"
echo "$dead_pid" >"$work/dp/pids/nginx.pid"
run "$kong" health -p "$work/dp"
[ "$rc" -ne 0 ] || fail "health with a stale pid file: expected non-zero"
expect_contains "$err" "nginx.......not running" "health, stale pid"
expect_contains "$err" "Error: some services are not running" "health, stale pid"
expect_ok "$kong" start -c dp.conf -p "$work/dp"
dp_pid=$(pid_of dp)
[ "$dp_pid" != "$dead_pid" ] || fail "the stale pid file was kept"

echo "# restart: stop + start with the recorded kong.conf"
expect_ok "$kong" restart -p "$work/dp"
expect_eq "$out" "Kong started" "kong restart"
gone "$dp_pid" || fail "restart left the old process"
new_pid=$(pid_of dp)
[ "$new_pid" != "$dp_pid" ] || fail "restart kept the same process"

echo "# stop: SIGTERM and wait"
expect_ok "$kong" stop -p "$work/dp"
expect_eq "$out" "Kong stopped" "kong stop"
gone "$new_pid" || fail "kongd still runs after stop"
expect_fail_one_line "$kong" stop -p "$work/dp"
expect_eq "$err" "Error: nginx not running in prefix: $work/dp" "second stop"
expect_ok "$kong" stop -p "$work/cp"
gone "$cp_pid" || fail "the CP still runs after stop"

echo "# config init: an example that parses; never overwritten"
expect_ok "$kong" config init "$work/kong.yml"
expect_contains "$(cat "$work/kong.yml")" '_format_version: "3.0"' "init content"
expect_ok "$kong" config parse "$work/kong.yml"
expect_eq "$out" "parse successful" "the example parses"
run "$kong" config init "$work/kong.yml"
[ "$rc" -ne 0 ] || fail "init over an existing file: expected non-zero"
expect_eq "$err" $'Error: '"$work/kong.yml"$' already exists.\nWill not overwrite it.' "init refuses"

echo "PASS"
