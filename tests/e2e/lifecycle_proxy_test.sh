#!/usr/bin/env bash
# e2e: `kong reload` of a data plane while a proxied request is in flight: the client's
# connection survives and gets its response, and the link to the control plane is kept.
# Usage: lifecycle_proxy_test.sh <kong> <kongd>
set -euo pipefail
kong=$(realpath "$1")
kongd=$(realpath "$2")
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
cd "$work"

cleanup() {
  [ -z "${upstream_pid:-}" ] || kill -TERM "$upstream_pid" 2>/dev/null || true
  kill_prefix_nodes
  rm -rf "$work"
}
trap cleanup EXIT
count_lines() { grep -c -- "$2" "$1" || true; }

expect_ok "$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key"
write_conf cp.conf "role = control_plane" "admin_listen = 127.0.0.1:0" \
  "cluster_listen = 127.0.0.1:0" "cluster_cert = $work/cluster.crt" \
  "cluster_cert_key = $work/cluster.key"
expect_ok "$kong" start -c cp.conf -p "$work/cp"
cp_log="$work/cp/logs/error.log"
admin_port=$(wait_log "$cp_log" 'admin API on 127\.0\.0\.1:[0-9]*'); admin_port=${admin_port##*:}
cluster_port=$(wait_log "$cp_log" 'cluster listener on 127\.0\.0\.1:[0-9]*')
cluster_port=${cluster_port##*:}
write_conf dp.conf "role = data_plane" "database = off" \
  "cluster_control_plane = 127.0.0.1:$cluster_port" "cluster_cert = $work/cluster.crt" \
  "cluster_cert_key = $work/cluster.key" "status_listen = 127.0.0.1:0" \
  "proxy_listen = 127.0.0.1:0" "log_level = info"
expect_ok "$kong" start -c dp.conf -p "$work/dp"
dp_log="$work/dp/logs/error.log"
wait_log "$dp_log" 'connected to control plane' >/dev/null
proxy_port=$(timeout 5 grep -m1 -o 'proxy listening on 127\.0\.0\.1:[0-9]*' "$dp_log" || true)
[ -n "$proxy_port" ] || skip "this kongd's data plane has no proxy"

proxy_port=${proxy_port##*:}
# An upstream that holds /slow/block until $work/release exists (announcing the request in
# $work/upstream.got), and answers anything else at once.
cat >upstream.py <<'PY'
import http.server, os, sys, time
work = sys.argv[1]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.endswith("/block"):
            open(os.path.join(work, "upstream.got"), "w").close()
            deadline = time.time() + 60
            while not os.path.exists(os.path.join(work, "release")) and time.time() < deadline:
                time.sleep(0.02)
        body = b"done"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
echo "# a service and a route to an upstream that holds /slow/block"
python3 upstream.py "$work" >upstream.port 2>upstream.log &
upstream_pid=$!
until_ok 30 test -s upstream.port || fail "the upstream did not start"
upstream_port=$(head -1 upstream.port)
http POST /services "{\"name\":\"slow\",\"url\":\"http://127.0.0.1:$upstream_port\"}"
expect_eq "$http_status" 201 "POST /services"
http POST /services/slow/routes '{"paths":["/slow"]}'
expect_eq "$http_status" 201 "POST /services/slow/routes"
until_ok 30 eval '[ "$(curl -s "http://127.0.0.1:$proxy_port/slow/quick")" = done ]' ||
  fail "the DP never proxied /slow/quick"
curl -s -m 60 "http://127.0.0.1:$proxy_port/slow/block" >slow.out 2>curl.err &
curl_pid=$!
until_ok 30 test -e upstream.got || fail "the slow request never reached the upstream"
reloads=$(count_lines "$dp_log" "reloaded $work/dp.conf")
expect_ok "$kong" reload -p "$work/dp"
until_ok 30 eval '[ "$(count_lines "$dp_log" "reloaded $work/dp.conf")" -gt "$reloads" ]' ||
  fail "the reload was not logged"
echo "# reload with the request in flight, then let the upstream answer"
touch release
set +e; wait "$curl_pid"; curl_rc=$?; set -e
kill -TERM "$upstream_pid" 2>/dev/null || true
expect_eq "$curl_rc" 0 "the proxied request across the reload"
expect_eq "$(cat slow.out)" "done" "the proxied response across the reload"
expect_eq "$(count_lines "$dp_log" 'connected to control plane')" 1 "no new link after the reload"
expect_ok "$kong" stop -p "$work/dp"
expect_ok "$kong" stop -p "$work/cp"
echo "PASS"
