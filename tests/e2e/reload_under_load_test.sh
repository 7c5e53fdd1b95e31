#!/usr/bin/env bash
# e2e (issue 6's acceptance check): `kong reload` of a data plane, twice, during a 10-second wrk
# run against its proxy completes with zero failed requests: no connect/read/write/timeout
# error and no response outside 2xx/3xx. Each reload changes log_level, so it is a real reload.
# The node is a `kong start`ed data plane fed by a control plane; the upstream is
# stream_upstream.py. Skipped (77) when wrk is not installed (scripts/install-deps has it).
# Usage: reload_under_load_test.sh <kong> <kongd>
set -euo pipefail
kong=$(realpath "$1")
kongd=$(realpath "$2")
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
command -v wrk >/dev/null || skip "wrk is not installed (apt-get install wrk)"
command -v curl >/dev/null || skip "curl is not installed"
upstream_py=$(realpath "$(dirname "$0")/stream_upstream.py")
cd "$work"

cleanup() {
  [ -z "${wrk_pid:-}" ] || kill -TERM "$wrk_pid" 2>/dev/null || true
  [ -z "${upstream_pid:-}" ] || kill -TERM "$upstream_pid" 2>/dev/null || true
  kill_prefix_nodes
  rm -rf "$work"
}
trap cleanup EXIT
count_lines() { grep -c -- "$2" "$1" || true; }

kong_start_cp
# write_dp_conf LEVEL
write_dp_conf() {
  { dp_conf_lines; printf '%s\n' "status_listen = off" "nginx_worker_processes = 2" "log_level = $1"; } >dp.conf
}
write_dp_conf info
expect_ok "$kong" start -c dp.conf -p "$work/dp"
dp_log="$work/dp/logs/error.log"
access_log="$work/dp/logs/access.log"
wait_log "$dp_log" 'connected to control plane' >/dev/null
proxy_port=$(wait_log "$dp_log" 'proxy listening on 127\.0\.0\.1:[0-9]*'); proxy_port=${proxy_port##*:}

python3 "$upstream_py" >upstream.port 2>upstream.log &
upstream_pid=$!
until_ok 30 test -s upstream.port || fail "the upstream did not start: $(cat upstream.log)"
upstream_port=$(head -1 upstream.port)
http POST /services "{\"name\":\"bulk\",\"url\":\"http://127.0.0.1:$upstream_port\"}"
expect_eq "$http_status" 201 "POST /services"
http POST /services/bulk/routes '{"paths":["/"],"strip_path":false}'
expect_eq "$http_status" 201 "POST /services/bulk/routes"
url="http://127.0.0.1:$proxy_port/download/64"
until_ok 30 eval '[ "$(curl -s -o /dev/null -w "%{http_code}" "$url")" = 200 ]' ||
  fail "the DP never proxied $url"

echo "# wrk for 10 s; two reloads while it runs"
wrk -t1 -c8 -d10s "$url" >wrk.out 2>&1 &
wrk_pid=$!
# reload_during_traffic LEVEL: waits until 50 more requests were logged (the load runs), then
# rewrites log_level, reloads and waits for the node to log it.
reload_during_traffic() {
  local seen=$(($(wc -l <"$access_log") + 50)) reloads
  until_ok 30 eval '[ "$(wc -l <"$access_log")" -ge "$seen" ]' || fail "no traffic through the DP"
  write_dp_conf "$1"
  reloads=$(count_lines "$dp_log" "reloaded $work/dp.conf")
  expect_ok "$kong" reload -p "$work/dp"
  until_ok 30 eval '[ "$(count_lines "$dp_log" "reloaded $work/dp.conf")" -gt "$reloads" ]' ||
    fail "the reload was not logged"
}
reload_during_traffic debug
reload_during_traffic info
kill -0 "$wrk_pid" 2>/dev/null ||
  fail "wrk ended before both reloads were done (a slow machine?): $(cat wrk.out)"
set +e; wait "$wrk_pid"; wrk_rc=$?; set -e
wrk_pid=
cat wrk.out
expect_eq "$wrk_rc" 0 "wrk's exit code"
requests=$(sed -n 's/^ *\([0-9][0-9]*\) requests in .*/\1/p' wrk.out)
[ -n "$requests" ] || fail "no request count in wrk's output"
[ "$requests" -ge 200 ] || fail "only $requests requests in 10 s"
if grep -q 'Socket errors' wrk.out; then
  fail "socket errors during the reloads: $(grep 'Socket errors' wrk.out)"
fi
if grep -q 'Non-2xx or 3xx' wrk.out; then
  fail "failed responses during the reloads: $(grep 'Non-2xx or 3xx' wrk.out)"
fi
expect_eq "$(count_lines "$dp_log" 'connected to control plane')" 1 "the cluster link survived"
expect_ok "$kong" stop -p "$work/dp"
expect_ok "$kong" stop -p "$work/cp"
echo "PASS: $requests requests, two reloads, no error"
