#!/usr/bin/env bash
# e2e (issue 8): three kongd control planes (A, B, C) on one PostgreSQL database and two kongd
# data planes: DP1 with cluster_control_plane = "A,B", DP2 with "C". A write through A reaches
# DP2 (its /status hash is what every node's /clustering/status lists); B lists both DPs;
# A killed (SIGKILL) -> DP1 fails over to B and keeps serving (/status/ready, and a route
# through its proxy when the DP has one, answer 200 throughout); a write through B reaches
# both DPs. Needs KONG_TEST_PG_* (scripts/test starts a throwaway server); skipped without.
# Usage: multi_cp_test.sh <kongd> <kong>
set -euo pipefail
kongd=$(realpath "$1")
kong=$(realpath "$2")
pg_host=${KONG_TEST_PG_HOST:-} pg_port=${KONG_TEST_PG_PORT:-}
pg_user=${KONG_TEST_PG_USER:-} pg_database=${KONG_TEST_PG_DATABASE:-}
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
[ -n "$pg_host" ] || skip "several control planes need PostgreSQL: KONG_TEST_PG_* not set" \
  "(scripts/test sets them from scripts/pg-throwaway)"
cd "$work"

# Every kongd this script started and did not reap yet is killed on the way out.
pids=()
monitor_pid=
cleanup() {
  [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key" >/dev/null
schema="kongd_multi_cp_$$_$RANDOM"

# start_cp NAME: a control plane on the shared database; sets NAME_pid, NAME_admin,
# NAME_cluster (its cluster listener's port).
start_cp() {
  write_conf "$1.conf" "role = control_plane" "admin_listen = 127.0.0.1:0" \
    "cluster_listen = 127.0.0.1:0" "cluster_cert = $work/cluster.crt" \
    "cluster_cert_key = $work/cluster.key" "$(pg_conf_lines "$schema")"
  start_kongd "$1" -c "$1.conf" -p "$work/$1"
  pids+=("$kongd_pid")
  local cluster
  cluster=$(wait_log "$work/$1.log" 'cluster listener on 127\.0\.0\.1:[0-9]*')
  printf -v "$1_pid" %s "$kongd_pid"
  printf -v "$1_admin" %s "$admin_port"
  printf -v "$1_cluster" %s "${cluster##*:}"
}

# start_dp NAME CONTROL_PLANES: a data plane from KONG_* variables; sets NAME_pid,
# NAME_status, NAME_proxy (empty when this kongd has no proxy yet), NAME_id.
start_dp() {
  : >"$work/$1.log"
  KONG_ROLE=data_plane KONG_DATABASE=off KONG_PREFIX="$work/$1" \
    KONG_CLUSTER_CERT="$work/cluster.crt" KONG_CLUSTER_CERT_KEY="$work/cluster.key" \
    KONG_CLUSTER_CONTROL_PLANE="$2" KONG_STATUS_LISTEN=127.0.0.1:0 \
    KONG_PROXY_LISTEN=127.0.0.1:0 "$kongd" 2>"$work/$1.log" &
  local pid=$!
  pids+=("$pid")
  local status proxy
  status=$(wait_log "$work/$1.log" 'status API on 127\.0\.0\.1:[0-9]*')
  # Logged right after the status API line by a kongd that has a proxy.
  proxy=$(timeout 5 grep -m1 -o 'proxy listening on 127\.0\.0\.1:[0-9]*' \
            < <(tail --pid="$pid" -n +1 -f "$work/$1.log") || true)
  printf -v "$1_pid" %s "$pid"
  printf -v "$1_status" %s "${status##*:}"
  printf -v "$1_proxy" %s "${proxy##*:}"
  printf -v "$1_id" %s "$(cat "$work/$1/kong.id")"
}

# dp_field PORT KEY: a string field of the DP's /status.
dp_field() { on_port "$1" http GET /status; json_field "$http_body" "$2"; }
dp_has() {  # PORT SERVICE_NAME: the DP's config cache holds the service
  local prefix=$1
  [ -f "$work/$prefix/config.cache.json.gz" ] && zcat "$work/$prefix/config.cache.json.gz" | grep -q "\"$2\""
}
# cp_sees ADMIN_PORT DP_ID HASH: that node's /clustering/status lists DP_ID with HASH.
cp_sees() {
  on_port "$1" http GET /clustering/status
  [ "$(sed -n "s/.*\"$2\":{[^}]*\"config_hash\":\"\([^\"]*\)\".*/\1/p" <<<"$http_body")" = "$3" ]
}
dp_follows() { [ "$(dp_field "$1" connected_control_plane)" = "$2" ]; }
same_hash() { [ "$(dp_field "$1" configuration_hash)" = "$(dp_field "$2" configuration_hash)" ]; }
proxy_ok() { on_port "$1" http GET /probe; [ "$http_status" = 200 ]; }

echo "# one database, three control planes"
write_conf bootstrap.conf "$(pg_conf_lines "$schema")"
"$kong" migrations bootstrap -c bootstrap.conf >/dev/null || fail "kong migrations bootstrap failed"
start_cp a
start_cp b
start_cp c

echo "# DP1 -> A,B and DP2 -> C"
start_dp dp1 "127.0.0.1:$a_cluster,127.0.0.1:$b_cluster"
start_dp dp2 "127.0.0.1:$c_cluster"
until_ok 30 dp_follows "$dp1_status" "127.0.0.1:$a_cluster" ||
  fail "DP1 is not on its first control plane A: $(dp_field "$dp1_status" connected_control_plane)"
until_ok 30 dp_follows "$dp2_status" "127.0.0.1:$c_cluster" || fail "DP2 never connected to C"

echo "# a write through A reaches DP2 (attached to C)"
on_port "$a_admin" http POST /services \
  "{\"name\":\"svc1\",\"url\":\"http://127.0.0.1:$dp2_status/status\"}"
expect_eq "$http_status" 201 "POST /services through A"
if [ -n "$dp1_proxy" ]; then
  on_port "$a_admin" http POST /services/svc1/routes '{"name":"probe","paths":["/probe"]}'
  expect_eq "$http_status" 201 "POST a route through A"
fi
until_ok 30 dp_has dp2 svc1 || fail "svc1, written through A, never reached DP2 through C"
until_ok 30 dp_has dp1 svc1 || fail "svc1 never reached DP1"
if [ -n "$dp1_proxy" ]; then
  # The route is a second write: the hash compared below must be the one after it.
  until_ok 30 dp_has dp2 probe || fail "the probe route never reached DP2"
  until_ok 30 dp_has dp1 probe || fail "the probe route never reached DP1"
fi
hash1=$(dp_field "$dp2_status" configuration_hash)
[[ $hash1 =~ ^[0-9a-f]{32}$ ]] || fail "DP2 configuration_hash: $hash1"
for node in a b c; do
  admin_var=${node}_admin
  until_ok 40 cp_sees "${!admin_var}" "$dp2_id" "$hash1" ||
    fail "/clustering/status on $node does not list DP2 with $hash1: $http_body"
done
on_port "$b_admin" http GET /clustering/data-planes
expect_eq "$http_status" 200 "GET /clustering/data-planes on B"
expect_contains "$http_body" "\"id\":\"$dp1_id\"" "B lists DP1 (attached to A)"
expect_contains "$http_body" "\"id\":\"$dp2_id\"" "B lists DP2 (attached to C)"

if [ -n "$dp1_proxy" ]; then
  echo "# DP1 proxies /probe (to DP2's status API)"
  until_ok 30 proxy_ok "$dp1_proxy" || fail "GET /probe through DP1: $http_status $http_body"
else
  echo "# DP1 has no proxy in this build: only /status/ready is watched"
fi

# Watches DP1 every 50 ms until $work/stop exists: every answer but 200 is recorded.
watch_dp1() {
  set +e  # an unanswered request is recorded, not fatal
  while [ ! -e "$work/stop" ]; do
    on_port "$dp1_status" http GET /status/ready
    [ "$http_status" = 200 ] || echo "/status/ready: $http_status $http_body" >>"$work/watch.err"
    if [ -n "$dp1_proxy" ]; then
      on_port "$dp1_proxy" http GET /probe
      [ "$http_status" = 200 ] || echo "/probe: $http_status $http_body" >>"$work/watch.err"
    fi
    echo . >>"$work/watch.count"
    sleep 0.05
  done
}
watch_dp1 &
monitor_pid=$!

echo "# A killed: DP1 fails over to B and keeps serving"
kill -KILL "$a_pid"
set +e; wait "$a_pid"; set -e
pids=("$dp1_pid" "$dp2_pid" "$b_pid" "$c_pid")
until_ok 30 dp_follows "$dp1_status" "127.0.0.1:$b_cluster" ||
  { cat "$work/dp1.log" >&2; fail "DP1 did not fail over to B"; }
expect_contains "$(cat "$work/dp1.log")" "failing over to control plane wss://127.0.0.1:$b_cluster" \
  "DP1 logs the failover"
expect_eq "$(dp_field "$dp1_status" configuration_hash)" "$hash1" "DP1's config after the failover"

echo "# a write through B reaches DP1 (now on B) and DP2 (on C)"
on_port "$b_admin" http POST /services '{"name":"svc2","url":"http://127.0.0.1:9/two"}'
expect_eq "$http_status" 201 "POST /services through B"
until_ok 30 dp_has dp1 svc2 || fail "svc2, written through B, never reached DP1"
until_ok 30 dp_has dp2 svc2 || fail "svc2, written through B, never reached DP2"
until_ok 10 same_hash "$dp1_status" "$dp2_status" || fail "DP1 and DP2 disagree on the hash"
hash2=$(dp_field "$dp1_status" configuration_hash)
[ "$hash2" != "$hash1" ] || fail "the hash did not change after svc2"
until_ok 40 cp_sees "$b_admin" "$dp1_id" "$hash2" || fail "B does not list DP1 with $hash2"

touch "$work/stop"
wait "$monitor_pid" || true
monitor_pid=
[ -s "$work/watch.count" ] || fail "the watcher never ran"
[ ! -s "$work/watch.err" ] || fail "DP1 stopped serving during the failover: $(sort "$work/watch.err" | uniq -c | head -n 5)"
echo "  DP1 answered 200 to all $(wc -l <"$work/watch.count") watch rounds$([ -n "$dp1_proxy" ] && echo " (status and proxy)")"

for pid in "$dp1_pid" "$dp2_pid" "$b_pid" "$c_pid"; do
  kill -TERM "$pid"
  set +e; wait "$pid"; rc=$?; set -e
  [ "$rc" -eq 0 ] || fail "kongd $pid: SIGTERM exit $rc"
done
pids=()
echo "PASS"
