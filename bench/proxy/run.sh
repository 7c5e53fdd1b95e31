#!/usr/bin/env bash
# Proxy benchmark: our data plane against nginx's proxy_pass on the same machine, in one script.
# A small upstream (nginx `return 200`), then each proxy with ONE worker pinned to cpu 0 and
# wrk pinned to cpu 1, the upstream on cpu 2 if there is one (on 2 cpus it shares cpu 1 with
# wrk, the same for every proxy: see bench/lib.sh). Runs are
# interleaved (the order flips every round) and medians quoted, with the median of the
# per-round ratios (each round's runs are neighbours in time). Then our proxy again with
# 10,000 routes (mixed exact hosts, wildcard hosts + prefixes, regexes; the request matches
# the last route), and the peak RSS (VmHWM) of our process with 1 and 10,000 routes. A second
# nginx, configured to add the upstream and response fields Kong adds, runs in the same
# rounds: the target is set against plain proxy_pass; that row shows the header work's share.
# Our proxy is kongd as a DB-less traditional node (database = off, declarative_config), the
# same proxy code a data plane runs.
# BUILD_DIR must be an optimized build (`meson setup build-release --buildtype=release`: -O3,
# no DCHECKs, or the profile-guided `scripts/build-pgo`); the default debugoptimized build is
# not the one to quote.
# Usage: bench/proxy/run.sh [BUILD_DIR] (default: build). Env: KONG_BENCH_SECONDS (5),
# KONG_BENCH_ROUNDS (15: many short runs pair better on a noisy machine), KONG_BENCH_CONNECTIONS (64).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
kongd=$build/daemons/kongd/kongd
seconds=${KONG_BENCH_SECONDS:-5}
rounds=${KONG_BENCH_ROUNDS:-15}
conns=${KONG_BENCH_CONNECTIONS:-64}
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$root/bench/lib.sh"  # free_port, wait_port, nginx_start, kongd_start, load, run_rounds, ...
[ -x "$kongd" ] || { echo "run.sh: $kongd not built (ninja -C $build)" >&2; exit 1; }
buildtype=$(build_type "$build")
[ "$buildtype" = release ] || echo "run.sh: warning: $build is a '$buildtype' build; quote figures from a release build" >&2
for tool in nginx wrk taskset python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool missing (apt-get install nginx-light wrk util-linux python3)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "run.sh: needs 2 cpus (proxy and load generator pinned apart)" >&2; exit 1; }

work=$(mktemp -d /tmp/kong-bench-proxy-XXXXXX)
started=()  # PIDs this script started; only these are ever killed
cleanup() {
  kill_started
  rm -rf "$work"
}
trap cleanup EXIT

hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

upstream_port=$(free_port)
nginx_start upstream "server { listen 127.0.0.1:$upstream_port; location / { return 200 'hello from upstream\n'; } }" "$upstream_cpu"
wait_port "$upstream_port" || exit 1

nginx_proxy_start proxy "$upstream_port"
nginx_port=$last_port nginx_pids=("${last_pids[@]}")

# A second baseline doing the header work Kong's proxy does (kong-entities.md §4.7-4.8): the
# same upstream request fields (Host as Kong sends it, Via, X-Forwarded-*, X-Real-IP,
# X-Kong-Request-Id) and response fields (latencies, Via, X-Kong-Request-Id): ~260 bytes more
# to the upstream and ~130 more to wrk per request than plain proxy_pass sends, as ours does.
nginx_proxy_start kong-headers "$upstream_port" "
    proxy_set_header Host 127.0.0.1:$upstream_port; proxy_set_header Via \"1.1 kong/3.10.0\";
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto \$scheme; proxy_set_header X-Forwarded-Host \$host;
    proxy_set_header X-Forwarded-Port \$server_port; proxy_set_header X-Forwarded-Path \$uri;
    proxy_set_header X-Real-IP \$remote_addr; proxy_set_header X-Kong-Request-Id \$request_id;
    add_header X-Kong-Upstream-Latency \$upstream_connect_time; add_header X-Kong-Proxy-Latency 0;
    add_header Via \"1.1 kong/3.10.0\"; add_header X-Kong-Request-Id \$request_id;"
kngx_port=$last_port kngx_pids=("${last_pids[@]}")

python3 "$root/bench/proxy/gen_config.py" 1 "$upstream_port" "$work/ours1.json"
kongd_start ours1 "$work/ours1.json"
ours_pid=$last_pid ours_port=$last_port
python3 "$root/bench/proxy/gen_config.py" 10000 "$upstream_port" "$work/ours10k.json"
kongd_start ours10k "$work/ours10k.json"
many_pid=$last_pid many_port=$last_port

# Warm-up (connections, caches), not counted.
taskset -c 1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$nginx_port/" >/dev/null
taskset -c 1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$kngx_port/" >/dev/null
taskset -c 1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$ours_port/" >/dev/null
taskset -c 1 wrk -t1 -c"$conns" -d2s -H "Host: bench.example.com" "http://127.0.0.1:$many_port/bench/x" >/dev/null
run_nginx() { load nginx "http://127.0.0.1:$nginx_port/" "${nginx_pids[@]}" -- -H "Host: localhost"; }
run_kngx() { load kngx "http://127.0.0.1:$kngx_port/" "${kngx_pids[@]}" -- -H "Host: localhost"; }
run_ours() { load ours "http://127.0.0.1:$ours_port/" "$ours_pid" -- -H "Host: localhost"; }
run_many() { load ours10k "http://127.0.0.1:$many_port/bench/x" "$many_pid" -- -H "Host: bench.example.com"; }
run_rounds "$rounds" run_nginx run_ours run_many run_kngx

print_setup nginx ours ours10k kngx
printf '%-30s %12s %10s %10s %14s\n' proxy "requests/s" "p50 ms" "p99 ms" "CPU-us/req"
for n in nginx ours ours10k kngx; do
  label=$n; [ $n = nginx ] && label="nginx proxy_pass"; [ $n = ours ] && label="ours, 1 route"; [ $n = ours10k ] && label="ours, 10000 routes"
  [ $n = kngx ] && label="nginx with Kong's headers"
  printf '%-30s %12.0f %10.3f %10.3f %14.1f\n' "$label" "$(col $n 1)" "$(col $n 2)" "$(col $n 3)" "$(col $n 4)"
done
echo "ours/nginx requests/s: $(ratio "$(col ours 1)" "$(col nginx 1)")   p99 ours/nginx: $(ratio "$(col ours 3)" "$(col nginx 3)")   (ratio of the medians)"
echo "  per round, ours/nginx requests/s: $(pair_ratios ours nginx 1)   p99: $(pair_ratios ours nginx 3)"
echo "  bootstrap over the rounds, ours/nginx requests/s: $(ratio_ci ours nginx 1)   p99: $(ratio_ci ours nginx 3)"
echo "ours/(nginx with Kong's headers) requests/s: $(ratio "$(col ours 1)" "$(col kngx 1)")   p99: $(ratio "$(col ours 3)" "$(col kngx 3)")   per round: $(pair_ratios ours kngx 1)"
echo "10000 routes / 1 route requests/s: $(ratio "$(col ours10k 1)" "$(col ours 1)")   per round: $(pair_ratios ours10k ours 1)"
echo "peak RSS (VmHWM): ours 1 route $(hwm_kib "$ours_pid") KiB, 10000 routes $(hwm_kib "$many_pid") KiB; nginx worker $(hwm_kib "${nginx_pids[1]:-${nginx_pids[0]}}") KiB"
