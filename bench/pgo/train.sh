#!/usr/bin/env bash
# The training run of a profile-guided build (scripts/build-pgo): drives a kongd built with
# `-Db_pgo=generate` through a mix of proxied requests, then stops it cleanly so the profile
# (.gcda files in the build dir) is written. The mix covers the data plane's common paths, not
# one request: the plain proxy route, a route with key-auth + rate-limiting + cors +
# request-transformer (with and without a key, a CORS preflight), a host + regex route with
# GET and POST bodies (Content-Length and chunked), strip_path with a service path and a query,
# basic-auth + acl + ip-restriction + response-transformer + correlation-id +
# request-size-limiting (with and without credentials), and an upstream of two targets.
# Code the mix never runs (the Admin API, the cluster link, error paths) is optimized for size
# by GCC, as in any PGO build.
# Usage: bench/pgo/train.sh BUILD_DIR. Env: KONG_PGO_SECONDS (10, the load's length). Needs
# nginx (the upstream) and wrk (the load), like the benchmarks. Kills only what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: train.sh BUILD_DIR}" && pwd)
kongd=$build/daemons/kongd/kongd
seconds=${KONG_PGO_SECONDS:-10}
conns=16
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$root/bench/lib.sh"
[ -x "$kongd" ] || { echo "train.sh: $kongd not built" >&2; exit 1; }
for tool in nginx wrk taskset python3 curl; do
  command -v "$tool" >/dev/null || { echo "train.sh: $tool missing (apt-get install nginx-light wrk util-linux python3 curl)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/kong-pgo-train-XXXXXX)
started=()
trap 'kill_started; rm -rf "$work"' EXIT

up1=$(free_port)
up2=$(free_port)
cpu_up=$(($(nproc) > 1 ? 1 : 0))
nginx_start upstream "server { listen 127.0.0.1:$up1; listen 127.0.0.1:$up2; location / { return 200 'ok\n'; } }" "$cpu_up"
wait_port "$up1" || exit 1
wait_port "$up2" || exit 1

python3 - "$up1" "$up2" "$work/config.json" <<'PY'
import json, sys
up1, up2, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
url = f"http://127.0.0.1:{up1}"
config = {
    "_format_version": "3.0",
    "services": [
        {"name": "plain", "url": url + "/", "routes": [
            {"name": "bench", "paths": ["/"]},
            {"name": "regex", "hosts": ["api.example.com"], "paths": ["~/users/\\d+$"],
             "methods": ["GET", "POST"], "strip_path": False},
            {"name": "plugins", "paths": ["/p"], "plugins": [
                {"name": "key-auth"},
                {"name": "rate-limiting", "config": {"second": 1000000000, "policy": "local"}},
                {"name": "cors"},
                {"name": "request-transformer", "config": {"add": {"headers": ["x-added:yes"]}}}]},
            {"name": "auth", "paths": ["/auth"], "plugins": [
                {"name": "basic-auth"},
                {"name": "acl", "config": {"allow": ["trainers"]}},
                {"name": "ip-restriction", "config": {"allow": ["127.0.0.1", "::1"]}},
                {"name": "response-transformer", "config": {"add": {"headers": ["x-rt:1"]}}},
                {"name": "correlation-id"},
                {"name": "request-size-limiting", "config": {"allowed_payload_size": 1}}]}]},
        {"name": "based", "url": url + "/base", "routes": [
            {"name": "strip", "paths": ["/strip"], "strip_path": True}]},
        {"name": "balanced", "host": "trainers.upstream", "port": 80, "routes": [
            {"name": "lb", "paths": ["/lb"]}]},
    ],
    "upstreams": [{"name": "trainers.upstream", "targets": [
        {"target": f"127.0.0.1:{up1}", "weight": 100},
        {"target": f"127.0.0.1:{up2}", "weight": 50}]}],
    "consumers": [{"username": "trainer",
                   "keyauth_credentials": [{"key": "train-key"}],
                   "basicauth_credentials": [{"username": "u", "password": "p"}],
                   "acls": [{"group": "trainers"}]}],
}
with open(out, "w") as f:
    json.dump(config, f)
PY

kongd_start train "$work/config.json"
train_pid=$last_pid train_port=$last_port

cat >"$work/mix.lua" <<'LUA'
local reqs
init = function(args)
  local key = { ["apikey"] = "train-key", ["Origin"] = "http://client.example" }
  local api = { ["Host"] = "api.example.com" }
  local body = string.rep("0123456789abcdef", 256)
  reqs = {
    wrk.format("GET", "/", key),
    wrk.format("GET", "/p", key),
    wrk.format("GET", "/users/42", api),
    wrk.format("GET", "/", key),
    wrk.format("GET", "/p/x?q=1", key),
    wrk.format("GET", "/p"),
    wrk.format("OPTIONS", "/p", { ["Origin"] = "http://client.example",
                                  ["Access-Control-Request-Method"] = "GET" }),
    wrk.format("POST", "/users/7", { ["Host"] = "api.example.com",
                                     ["Content-Type"] = "application/octet-stream" }, body),
    -- by hand: wrk.format would add a Content-Length
    "POST / HTTP/1.1\r\nHost: trainer\r\nTransfer-Encoding: chunked\r\n\r\n" ..
      "10\r\n0123456789abcdef\r\n5\r\nhello\r\n0\r\n\r\n",
    wrk.format("GET", "/strip/a/b?x=1&y=2"),
    wrk.format("GET", "/auth", { ["Authorization"] = "Basic dTpw" }),
    wrk.format("GET", "/auth"),
    wrk.format("GET", "/lb/a"),
    wrk.format("GET", "/", key),
  }
end
local i = 0
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
LUA

# The routes must answer as configured, else the profile would train error paths.
check() {  # check WANT_STATUS CURL_ARGS...
  local want=$1 code; shift
  code=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  [ "$code" = "$want" ] || { echo "train.sh: $* answered $code, want $want" >&2; cat "$work/train.log" >&2; exit 1; }
}
base=http://127.0.0.1:$train_port
check 200 -H 'apikey: train-key' "$base/p"
check 401 "$base/p"
check 200 -H 'Host: api.example.com' "$base/users/42"
check 200 -u u:p "$base/auth"
check 200 "$base/lb/a"
check 200 "$base/strip/a"

taskset -c "$cpu_up" wrk -t1 -c"$conns" -d"${seconds}s" -s "$work/mix.lua" "$base/" >"$work/wrk.out"
grep -E 'requests in|Non-2xx' "$work/wrk.out" | sed 's/^ */train.sh: /'

# A clean exit writes the profile.
kill -TERM "$train_pid"
wait "$train_pid" || { echo "train.sh: kongd exited with $?" >&2; cat "$work/train.log" >&2; exit 1; }
n=$(find "$build" -name '*.gcda' | wc -l)
[ "$n" -gt 0 ] || { echo "train.sh: no profile written (is $build configured with -Db_pgo=generate?)" >&2; exit 1; }
echo "train.sh: profile in $n .gcda files under $build"
