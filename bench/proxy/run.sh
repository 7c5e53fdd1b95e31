#!/usr/bin/env bash
# Proxy benchmark: our data plane against nginx's proxy_pass on the same machine, in one script.
# A small upstream (nginx `return 200`), then each proxy with ONE worker pinned to cpu 0 and
# wrk pinned to cpu 1 (the upstream shares cpu 1 with wrk, the same for both proxies). Runs are
# interleaved (nginx, ours, nginx, ours, ...) and medians quoted. Then our proxy again with
# 10,000 routes (mixed exact hosts, wildcard hosts + prefixes, regexes; the request matches
# the last route), and the peak RSS (VmHWM) of our process with 1 and 10,000 routes.
# Our proxy is kongd as a DB-less traditional node (database = off, declarative_config), the
# same proxy code a data plane runs.
# BUILD_DIR must be an optimized build (`meson setup build-release --buildtype=release`: -O3,
# no DCHECKs); the default debugoptimized build is not the one to quote.
# Usage: bench/proxy/run.sh [BUILD_DIR] (default: build). Env: KONG_BENCH_SECONDS (10),
# KONG_BENCH_ROUNDS (3), KONG_BENCH_CONNECTIONS (64).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
kongd=$build/daemons/kongd/kongd
seconds=${KONG_BENCH_SECONDS:-10}
rounds=${KONG_BENCH_ROUNDS:-3}
conns=${KONG_BENCH_CONNECTIONS:-64}
[ -x "$kongd" ] || { echo "run.sh: $kongd not built (ninja -C $build)" >&2; exit 1; }
buildtype=$(python3 -c 'import json, sys
print(next(o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "buildtype"))' \
  "$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo unknown)
[ "$buildtype" = release ] || echo "run.sh: warning: $build is a '$buildtype' build; quote figures from a release build" >&2
for tool in nginx wrk taskset python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool missing (apt-get install nginx-light wrk util-linux python3)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "run.sh: needs 2 cpus (proxy and load generator pinned apart)" >&2; exit 1; }

work=$(mktemp -d /tmp/kong-bench-proxy-XXXXXX)
started=()  # PIDs this script started; only these are ever killed
cleanup() {
  local pid
  for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # wait_port PORT: until something accepts on it (10 s)
  local i
  for i in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "run.sh: nothing listening on port $1" >&2; return 1
}
# cpu_ticks PID...: utime + stime of the processes (all threads), in clock ticks.
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# nginx_start NAME CONF_BODY CPU: a foreground nginx (master + 1 worker) pinned to CPU; sets
# last_pid. (No command substitution around starters: the PIDs must reach `started`.)
nginx_start() {
  local dir=$work/$1
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir; proxy_temp_path $dir;
  fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  keepalive_requests 100000;
  $2
}
CONF
  taskset -c "$3" nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/logs/stdout" 2>&1 &
  last_pid=$!
  started+=("$last_pid")
}

upstream_port=$(free_port)
nginx_start upstream "server { listen 127.0.0.1:$upstream_port; location / { return 200 'hello from upstream\n'; } }" 1
wait_port "$upstream_port" || exit 1

nginx_port=$(free_port)
nginx_start proxy "upstream u { server 127.0.0.1:$upstream_port; keepalive 512; }
  server { listen 127.0.0.1:$nginx_port reuseport; location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }" 0
nginx_pid=$last_pid
wait_port "$nginx_port" || exit 1
sleep 0.2
nginx_pids=("$nginx_pid" $(pgrep -P "$nginx_pid"))

# kongd_start NAME ROUTES: a DB-less traditional kongd with one worker on cpu 0; sets
# last_pid and last_port.
kongd_start() {
  local name=$1 routes=$2 port
  port=$(free_port)
  python3 "$root/bench/proxy/gen_config.py" "$routes" "$upstream_port" "$work/$name.json"
  printf '%s\n' "role = traditional" "database = off" "declarative_config = $work/$name.json" \
    "proxy_listen = 127.0.0.1:$port reuseport" "admin_listen = off" "status_listen = off" \
    "nginx_worker_processes = 1" "log_level = warn" "proxy_access_log = off" >"$work/$name.conf"
  taskset -c 0 "$kongd" -c "$work/$name.conf" -p "$work/$name" >"$work/$name.log" 2>&1 &
  last_pid=$!
  started+=("$last_pid")
  wait_port "$port" || { cat "$work/$name.log" >&2; exit 1; }
  last_port=$port
}
kongd_start ours1 1
ours_pid=$last_pid ours_port=$last_port
kongd_start ours10k 10000
many_pid=$last_pid many_port=$last_port

# load NAME URL HOST PIDS...: one wrk run pinned to cpu 1; appends "rps p50_ms p99_ms cpu_us" to $work/NAME.
load() {
  local name=$1 url=$2 host=$3; shift 3
  local before after out rps p50 p99 total
  before=$(cpu_ticks "$@")
  out=$(taskset -c 1 wrk -t1 -c"$conns" -d"${seconds}s" --latency -H "Host: $host" "$url")
  after=$(cpu_ticks "$@")
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    echo "run.sh: $name had errors:" >&2; echo "$out" >&2
  fi
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.3f", n }'; }
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  local hz; hz=$(getconf CLK_TCK)
  echo "$rps $p50 $p99 $(awk -v t=$((after - before)) -v n="$total" -v hz="$hz" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')" >>"$work/result-$name"
}
median() { sort -n | awk '{ v[NR]=$1 } END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }
col() { awk -v c="$2" '{print $c}' "$work/result-$1" | median; }

# Warm-up (connections, caches), not counted.
taskset -c 1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$nginx_port/" >/dev/null
taskset -c 1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$ours_port/" >/dev/null
taskset -c 1 wrk -t1 -c"$conns" -d2s -H "Host: bench.example.com" "http://127.0.0.1:$many_port/bench/x" >/dev/null
for _ in $(seq 1 "$rounds"); do
  load nginx "http://127.0.0.1:$nginx_port/" localhost "${nginx_pids[@]}"
  load ours "http://127.0.0.1:$ours_port/" localhost "$ours_pid"
  load ours10k "http://127.0.0.1:$many_port/bench/x" bench.example.com "$many_pid"
done

echo "machine: $(nproc) cpus, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); proxy on cpu 0, wrk + upstream on cpu 1"
echo "kongd: $buildtype build ($build)"
echo "wrk: 1 thread, $conns connections, ${seconds}s per run, $rounds interleaved rounds, medians"
printf '%-22s %12s %10s %10s %14s\n' proxy "requests/s" "p50 ms" "p99 ms" "CPU-us/req"
for n in nginx ours ours10k; do
  label=$n; [ $n = nginx ] && label="nginx proxy_pass"; [ $n = ours ] && label="ours, 1 route"; [ $n = ours10k ] && label="ours, 10000 routes"
  printf '%-22s %12.0f %10.3f %10.3f %14.1f\n' "$label" "$(col $n 1)" "$(col $n 2)" "$(col $n 3)" "$(col $n 4)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "ours/nginx requests/s: $(ratio "$(col ours 1)" "$(col nginx 1)")   p99 ours/nginx: $(ratio "$(col ours 3)" "$(col nginx 3)")"
echo "10000 routes / 1 route requests/s: $(ratio "$(col ours10k 1)" "$(col ours 1)")"
echo "peak RSS (VmHWM): ours 1 route $(hwm_kib "$ours_pid") KiB, 10000 routes $(hwm_kib "$many_pid") KiB; nginx worker $(hwm_kib "${nginx_pids[1]:-$nginx_pid}") KiB"
