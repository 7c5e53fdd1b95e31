#!/usr/bin/env bash
# Plugin benchmark (issue 7): the cost of the issue's plugin set on one route. Three proxies
# on the same machine, one worker each pinned to cpu 0, wrk pinned to cpu 1 (with the
# upstream, nginx `return 200`, unless there is a cpu 2 for it): nginx proxy_pass (upstream
# keepalive), our proxy without plugins, and our proxy with key-auth + rate-limiting (policy local, a per-second limit never
# reached) + cors + request-transformer (adds a header) on the route; wrk sends the apikey
# header and an Origin to every one of them. Runs are interleaved and medians quoted, with
# CPU-µs per request and the ratios plugins/no-plugins (target >= 0.90) and plugins/nginx.
# Our proxy is kongd as a DB-less traditional node (database = off, declarative_config): the
# same gateway and plugin code a data plane runs. Before measuring, the script checks that
# each plugin is active (a 401 without the key, the CORS and rate-limit response headers, the
# added header reaching the upstream) and stops with the name of the one that is not.
# BUILD_DIR must be an optimized build (`meson setup build-release --buildtype=release`).
# Usage: bench/plugins/run.sh [BUILD_DIR] (default: build). Env: KONG_BENCH_SECONDS (5),
# KONG_BENCH_ROUNDS (15: many short runs pair better on a noisy machine), KONG_BENCH_CONNECTIONS (64).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
kongd=$build/daemons/kongd/kongd
seconds=${KONG_BENCH_SECONDS:-5}
rounds=${KONG_BENCH_ROUNDS:-15}
conns=${KONG_BENCH_CONNECTIONS:-64}
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$root/bench/lib.sh"
[ -x "$kongd" ] || { echo "run.sh: $kongd not built (ninja -C $build daemons/kongd/kongd)" >&2; exit 1; }
buildtype=$(build_type "$build")
[ "$buildtype" = release ] || echo "run.sh: warning: $build is a '$buildtype' build; quote figures from a release build" >&2
for tool in nginx wrk taskset python3 curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool missing (apt-get install nginx-light wrk util-linux python3 curl)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "run.sh: needs 2 cpus (proxy and load generator pinned apart)" >&2; exit 1; }

work=$(mktemp -d /tmp/kong-bench-plugins-XXXXXX)
started=()  # PIDs this script started; only these are ever killed
trap 'kill_started; rm -rf "$work"' EXIT

apikey=bench-key
origin=http://client.example
wrk_headers=(-H "apikey: $apikey" -H "Origin: $origin")

# The upstream echoes the header request-transformer adds, so the check below sees it.
upstream_port=$(free_port)
nginx_start upstream "server { listen 127.0.0.1:$upstream_port; location / { return 200 'added=\$http_x_bench_added\n'; } }" "$upstream_cpu"
wait_port "$upstream_port" || exit 1

nginx_proxy_start proxy "$upstream_port"
nginx_port=$last_port nginx_pids=("${last_pids[@]}")

# gen_config WITH_PLUGINS OUT: one service and route `/`; with plugins, the issue's four on the
# route and one consumer holding the key.
gen_config() {
  python3 - "$1" "$upstream_port" "$apikey" "$2" <<'PY'
import json, sys
with_plugins, port, key, out = sys.argv[1] == "1", int(sys.argv[2]), sys.argv[3], sys.argv[4]
route = {"name": "r0", "paths": ["/"]}
config = {"_format_version": "3.0",
          "services": [{"name": "s0", "url": f"http://127.0.0.1:{port}/", "routes": [route]}]}
if with_plugins:
    route["plugins"] = [
        {"name": "key-auth"},
        {"name": "rate-limiting", "config": {"second": 1000000000, "policy": "local"}},
        {"name": "cors"},
        {"name": "request-transformer", "config": {"add": {"headers": ["x-bench-added:yes"]}}},
    ]
    config["consumers"] = [{"username": "bench", "keyauth_credentials": [{"key": key}]}]
with open(out, "w") as f:
    json.dump(config, f)
PY
}

gen_config 0 "$work/bare.json"
kongd_start bare "$work/bare.json"
bare_pid=$last_pid bare_port=$last_port
gen_config 1 "$work/plugins.json"
kongd_start plugins "$work/plugins.json"
plugins_pid=$last_pid plugins_port=$last_port

# Each plugin must be running, else the figures would measure less than the issue asks.
missing() { echo "run.sh: plugin $1 is not active on the route ($2); is its runtime registered (lib/plugins/bundled.cc)?" >&2; cat "$work/plugins.log" >&2; exit 1; }
url=http://127.0.0.1:$plugins_port/
code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 401 ] || missing key-auth "no apikey: status $code, want 401"
head=$(curl -s -D - -o "$work/body" -H "apikey: $apikey" -H "Origin: $origin" "$url")
grep -q '^HTTP/1.1 200' <<<"$head" || missing key-auth "with the apikey: $(head -1 <<<"$head")"
grep -qi '^X-RateLimit-Limit-Second: 1000000000' <<<"$head" || missing rate-limiting "no X-RateLimit-Limit-Second header"
grep -qi '^Access-Control-Allow-Origin: ' <<<"$head" || missing cors "no Access-Control-Allow-Origin header"
grep -q 'added=yes' "$work/body" || missing request-transformer "the upstream did not get X-Bench-Added"

# Warm-up (connections, caches), not counted.
for port in "$nginx_port" "$bare_port" "$plugins_port"; do
  taskset -c 1 wrk -t1 -c"$conns" -d2s "${wrk_headers[@]}" "http://127.0.0.1:$port/" >/dev/null
done
run_nginx() { load nginx "http://127.0.0.1:$nginx_port/" "${nginx_pids[@]}" -- "${wrk_headers[@]}"; }
run_bare() { load bare "http://127.0.0.1:$bare_port/" "$bare_pid" -- "${wrk_headers[@]}"; }
run_plugins() { load plugins "http://127.0.0.1:$plugins_port/" "$plugins_pid" -- "${wrk_headers[@]}"; }
run_rounds "$rounds" run_nginx run_bare run_plugins

print_setup nginx bare plugins
echo "plugins: key-auth, rate-limiting (local, 1e9/second), cors, request-transformer (add header)"
printf '%-26s %12s %10s %10s %14s\n' proxy "requests/s" "p50 ms" "p99 ms" "CPU-us/req"
for n in nginx bare plugins; do
  case $n in
    nginx) label="nginx proxy_pass" ;;
    bare) label="ours, no plugins" ;;
    plugins) label="ours, 4 plugins" ;;
  esac
  printf '%-26s %12.0f %10.3f %10.3f %14.1f\n' "$label" "$(col $n 1)" "$(col $n 2)" "$(col $n 3)" "$(col $n 4)"
done
echo "plugins/no-plugins requests/s: $(ratio "$(col plugins 1)" "$(col bare 1)") (target >= 0.90)   p99: $(ratio "$(col plugins 3)" "$(col bare 3)")   CPU-us/req: $(ratio "$(col plugins 4)" "$(col bare 4)")"
echo "  per round, plugins/no-plugins requests/s: $(pair_ratios plugins bare 1)   CPU-us/req: $(pair_ratios plugins bare 4)"
echo "  bootstrap over the rounds, plugins/no-plugins requests/s: $(ratio_ci plugins bare 1)"
echo "plugins/nginx requests/s: $(ratio "$(col plugins 1)" "$(col nginx 1)")   p99: $(ratio "$(col plugins 3)" "$(col nginx 3)")"
