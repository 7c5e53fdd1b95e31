#!/usr/bin/env bash
# e2e: hybrid mode with two kongd processes. A control plane from a kong.conf file and a data
# plane from KONG_* variables only (Kong's Docker way) connect over mTLS; the DP reports on its
# /status the config_hash the CP lists on /clustering/status; an Admin API change reaches the
# DP; the DP proxies a request to a loopback upstream (python3 http.server) through a service
# and route made on the CP's Admin API, with Kong's headers; a DP restarted while the CP is
# down serves (and proxies) its cached config at once; a corrupted cache is reported and
# ignored. Usage: cluster_test.sh <kongd> <kong>
set -euo pipefail
kongd=$(realpath "$1")
kong=$(realpath "$2")
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
cd "$work"
command -v curl >/dev/null || skip "curl missing"

# The upstream: python3's http.server on a loopback port the OS picks, serving $work/www.
mkdir -p "$work/www"
echo "hello from upstream" >"$work/www/hello.txt"
python3 -c 'import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
server.serve_forever()' "$work/www" >"$work/upstream.port" 2>"$work/upstream.log" &
upstream_pid=$!
trap 'kill -TERM "$upstream_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
upstream_port=$(wait_log "$work/upstream.port" '^[0-9][0-9]*$')

expect_ok "$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key"

echo "# control plane from kong.conf"
write_conf cp.conf "role = control_plane" "admin_listen = 127.0.0.1:0" \
  "cluster_listen = 127.0.0.1:0" "cluster_cert = $work/cluster.crt" \
  "cluster_cert_key = $work/cluster.key"
start_kongd cp -c cp.conf -p "$work/cp"
cp_pid=$kongd_pid cp_admin=$admin_port
cluster_port=$(wait_log "$work/cp.log" 'cluster listener on 127\.0\.0\.1:[0-9]*')
cluster_port=${cluster_port##*:}
http POST /services '{"name":"svc1","url":"http://127.0.0.1:9/one"}'
expect_eq "$http_status" 201 "POST /services on the CP"

# start_dp NAME: a data plane configured by KONG_* variables only; sets $dp_pid, $status_port,
# $proxy_port.
start_dp() {
  : >"$work/$1.log"
  KONG_ROLE=data_plane KONG_DATABASE=off KONG_PREFIX="$work/dp" \
    KONG_CLUSTER_CERT="$work/cluster.crt" KONG_CLUSTER_CERT_KEY="$work/cluster.key" \
    KONG_CLUSTER_CONTROL_PLANE="127.0.0.1:$cluster_port" KONG_STATUS_LISTEN=127.0.0.1:0 \
    KONG_PROXY_LISTEN=127.0.0.1:0 KONG_NGINX_WORKER_PROCESSES=2 \
    "$kongd" 2>"$work/$1.log" &
  dp_pid=$!
  status_port=$(wait_log "$work/$1.log" 'status API on 127\.0\.0\.1:[0-9]*')
  status_port=${status_port##*:}
  proxy_port=$(wait_log "$work/$1.log" 'proxy listening on 127\.0\.0\.1:[0-9]*')
  proxy_port=${proxy_port##*:}
}
# proxied PATH: the body the DP's proxy answers for PATH (fails on a non-2xx status).
proxied() { curl -sS --fail --max-time 5 "http://127.0.0.1:$proxy_port$1"; }
proxied_is() { [ "$(proxied "$1")" = "$2" ]; }

# dp_hash: the configuration_hash on the DP's /status.
dp_hash() { on_port "$status_port" http GET /status; json_field "$http_body" configuration_hash; }
# cp_hash_of ID: the config_hash /clustering/status lists for node ID.
cp_hash_of() {
  http GET /clustering/status
  sed -n "s/.*\"$1\":{[^}]*\"config_hash\":\"\([^\"]*\)\".*/\1/p" <<<"$http_body"
}
dp_has_hash() { [ "$(dp_hash)" = "$1" ]; }
cp_sees_hash() { [ "$(cp_hash_of "$1")" = "$2" ]; }
dp_ready_is() { on_port "$status_port" http GET /status/ready; [ "$http_status" = "$1" ]; }
dp_config_has() {
  on_port "$status_port" http GET /status
  [ -f "$work/dp/config.cache.json.gz" ] && zcat "$work/dp/config.cache.json.gz" | grep -q "$1"
}

echo "# data plane from KONG_* variables connects and gets the config"
start_dp dp
until_ok 30 dp_ready_is 200 || fail "DP never became ready"
dp_id=$(cat "$work/dp/kong.id")
[[ $dp_id =~ ^[0-9a-f-]{36}$ ]] || fail "DP kong.id does not hold a uuid: $dp_id"
hash1=$(dp_hash)
[[ $hash1 =~ ^[0-9a-f]{32}$ ]] && [ "$hash1" != 00000000000000000000000000000000 ] ||
  fail "DP /status configuration_hash: $hash1"
until_ok 30 cp_sees_hash "$dp_id" "$hash1" ||
  fail "/clustering/status does not show DP $dp_id with $hash1: $http_body"
http GET /clustering/status
expect_contains "$http_body" '"hostname":' "/clustering/status hostname"
http GET /clustering/data-planes
expect_eq "$http_status" 200 "GET /clustering/data-planes"
expect_contains "$http_body" "\"id\":\"$dp_id\"" "data-planes lists the DP"
expect_contains "$http_body" '"sync_status":"normal"' "data-planes sync_status"

echo "# the DP proxies a service and route made on the CP's Admin API"
http POST /services "{\"name\":\"web\",\"url\":\"http://127.0.0.1:$upstream_port\"}"
expect_eq "$http_status" 201 "POST /services web"
http POST /services/web/routes '{"name":"web","paths":["/web"]}'
expect_eq "$http_status" 201 "POST /services/web/routes"
until_ok 10 proxied_is /web/hello.txt "hello from upstream" ||
  fail "the DP's proxy never served /web/hello.txt: $(curl -sS -i "http://127.0.0.1:$proxy_port/web/hello.txt" || true)"
headers=$(curl -sS -D - -o /dev/null "http://127.0.0.1:$proxy_port/web/hello.txt")
expect_contains "$headers" "HTTP/1.1 200" "proxied status"
expect_contains "$headers" "kong/3.10.0" "Via names kong"
expect_contains "$(grep -i '^via:' <<<"$headers")" "kong/" "Via header"
grep -qi '^x-kong-upstream-latency: [0-9]' <<<"$headers" || fail "no X-Kong-Upstream-Latency: $headers"
grep -qi '^x-kong-proxy-latency: [0-9]' <<<"$headers" || fail "no X-Kong-Proxy-Latency: $headers"
missing=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$proxy_port/nowhere")
expect_eq "$missing" 404 "no route matched"
hash1=$(dp_hash)

echo "# an Admin API change reaches the DP"
http POST /services '{"name":"svc2","url":"http://127.0.0.1:9/two"}'
expect_eq "$http_status" 201 "POST /services svc2"
until_ok 10 dp_config_has '"svc2"' || fail "svc2 never reached the DP's cache"
hash2=$(dp_hash)
[ "$hash2" != "$hash1" ] || fail "DP hash did not change after the write"
until_ok 35 cp_sees_hash "$dp_id" "$hash2" || fail "CP does not report the DP's new hash $hash2"
[ "$(stat -c %a "$work/dp/config.cache.json.gz")" = 600 ] || fail "cache file is not 0600"

echo "# CP down, DP restarted: serves the cached config at once"
kill -TERM "$cp_pid"; wait "$cp_pid" || fail "CP SIGTERM exit $?"
kill -TERM "$dp_pid"; wait "$dp_pid" || fail "DP SIGTERM exit $?"
start_dp dp2
dp_ready_is 200 || fail "restarted DP not ready from its cache: $http_status $http_body"
expect_eq "$(dp_hash)" "$hash2" "hash served from the cache"
expect_eq "$(proxied /web/hello.txt)" "hello from upstream" "cached config proxied at once"
kill -TERM "$dp_pid"; wait "$dp_pid" || fail "DP SIGTERM exit $?"

echo "# a corrupted cache is reported and ignored"
printf 'not gzip at all' >"$work/dp/config.cache.json.gz"
start_dp dp3
dp_ready_is 503 || fail "DP with a corrupted cache claims ready: $http_status"
expect_contains "$(cat "$work/dp3.log")" "config.cache.json.gz" "corrupted cache reported"
kill -TERM "$dp_pid"; wait "$dp_pid" || fail "DP SIGTERM exit $?"
echo "PASS"
