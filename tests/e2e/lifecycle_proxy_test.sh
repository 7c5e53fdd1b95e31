#!/usr/bin/env bash
# e2e: `kong reload` of a data plane while a proxied request is in flight: the client's
# connection survives and gets its response, and the link to the control plane is kept.
# `kong quit` (SIGQUIT) with a request in flight: new connections are refused at once, the
# request completes, then the node exits; with a request that outlasts `quit -t`, the node is
# stopped forcefully.
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

kong_start_cp
{ dp_conf_lines; printf '%s\n' "status_listen = 127.0.0.1:0" "log_level = info"; } >dp.conf
expect_ok "$kong" start -c dp.conf -p "$work/dp"
dp_log="$work/dp/logs/error.log"
wait_log "$dp_log" 'connected to control plane' >/dev/null
proxy_port=$(timeout 5 grep -m1 -o 'proxy listening on 127\.0\.0\.1:[0-9]*' "$dp_log" || true)
[ -n "$proxy_port" ] || skip "this kongd's data plane has no proxy"

proxy_port=${proxy_port##*:}
# An upstream that holds /slow/block/NAME until $work/release-NAME exists (announcing the
# request in $work/got-NAME), and answers anything else at once.
cat >upstream.py <<'PY'
import http.server, os, sys, time
work = sys.argv[1]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if "/block/" in self.path:
            name = self.path.rsplit("/", 1)[1]
            open(os.path.join(work, "got-" + name), "w").close()
            release = os.path.join(work, "release-" + name)
            deadline = time.time() + 60
            while not os.path.exists(release) and time.time() < deadline:
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
curl -s -m 60 "http://127.0.0.1:$proxy_port/slow/block/reload" >slow.out 2>curl.err &
curl_pid=$!
until_ok 30 test -e got-reload || fail "the slow request never reached the upstream"
reloads=$(count_lines "$dp_log" "reloaded $work/dp.conf")
expect_ok "$kong" reload -p "$work/dp"
until_ok 30 eval '[ "$(count_lines "$dp_log" "reloaded $work/dp.conf")" -gt "$reloads" ]' ||
  fail "the reload was not logged"
echo "# reload with the request in flight, then let the upstream answer"
touch release-reload
set +e; wait "$curl_pid"; curl_rc=$?; set -e
expect_eq "$curl_rc" 0 "the proxied request across the reload"
expect_eq "$(cat slow.out)" "done" "the proxied response across the reload"
expect_eq "$(count_lines "$dp_log" 'connected to control plane')" 1 "no new link after the reload"

# refused PORT: a new connection to the proxy is refused (curl's exit code 7).
refused() {
  local rc=0
  curl -s -o /dev/null -m 5 "http://127.0.0.1:$1/slow/quick" || rc=$?
  [ "$rc" -eq 7 ]
}
# slow_request NAME: GET /slow/block/NAME in the background ($curl_pid, output in NAME.out),
# returning once the upstream holds it.
slow_request() {
  curl -s -m 60 "http://127.0.0.1:$proxy_port/slow/block/$1" >"$1.out" 2>"$1.err" &
  curl_pid=$!
  until_ok 30 test -e "got-$1" || fail "the slow request $1 never reached the upstream"
}

echo "# kong quit with a request in flight: refuses new connections, lets the request finish"
dp_pid=$(cat "$work/dp/pids/nginx.pid")
slow_request quit
"$kong" quit -p "$work/dp" -t 60 >quit.stdout 2>quit.stderr &
quit_pid=$!
until_ok 30 refused "$proxy_port" || fail "the proxy still accepts connections after SIGQUIT"
kill -0 "$dp_pid" 2>/dev/null || fail "the node exited with a request in flight"
kill -0 "$curl_pid" 2>/dev/null || fail "the request in flight ended before its upstream answered"
touch release-quit
set +e; wait "$curl_pid"; curl_rc=$?; wait "$quit_pid"; quit_rc=$?; set -e
expect_eq "$curl_rc" 0 "the request in flight during kong quit"
expect_eq "$(cat quit.out)" "done" "the response of the request in flight during kong quit"
expect_eq "$quit_rc" 0 "kong quit's exit code"
expect_eq "$(cat quit.stdout)" "Kong stopped (gracefully)" "kong quit's message"
expect_contains "$(cat "$dp_log")" "stopping data plane node gracefully" "the graceful stop logged"

echo "# kong quit -t 1 with a request that outlasts it: stopped forcefully"
expect_ok "$kong" start -c dp.conf -p "$work/dp"
proxy_port=$(grep -o 'proxy listening on 127\.0\.0\.1:[0-9]*' "$dp_log" | tail -1)
proxy_port=${proxy_port##*:}
dp_pid=$(cat "$work/dp/pids/nginx.pid")
until_ok 30 eval '[ "$(curl -s "http://127.0.0.1:$proxy_port/slow/quick")" = done ]' ||
  fail "the restarted DP never proxied /slow/quick"
slow_request forced
expect_ok "$kong" quit -p "$work/dp" -t 1
expect_eq "$out" "Timeout, Kong stopped forcefully" "kong quit past its timeout"
set +e; wait "$curl_pid"; curl_rc=$?; set -e
[ "$curl_rc" -ne 0 ] || fail "the request cut by the forced stop got a complete response"
gone "$dp_pid" || fail "the node still runs after a forced quit"
touch release-forced
kill -TERM "$upstream_pid" 2>/dev/null || true
expect_ok "$kong" stop -p "$work/cp"
echo "PASS"
