# shellcheck shell=bash disable=SC2154
# Shared helpers of the proxy-side benchmark scripts (sourced, not run). The caller sets
# `work` (a temp dir), `seconds` and `conns`, and declares `started=()`: every PID a helper
# starts is appended there, and the caller's EXIT trap kills only those.

# The upstream's cpu: its own (cpu 2) when the machine has one, else wrk's (cpu 1). On 2 cpus
# wrk and the upstream share cpu 1, which then does part of each proxy's per-request work
# (reading what the proxy sends them) and is a co-bottleneck.
upstream_cpu=$(($(nproc) >= 3 ? 2 : 1))

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # wait_port PORT: until something accepts on it (10 s)
  local _
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench: nothing listening on port $1" >&2; return 1
}

# cpu_ticks PID...: utime + stime of the processes (all threads), in clock ticks.
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# cpu_stat: "total steal" clock ticks of the cpus the benches use (0, 1 and the upstream's).
# Steal is time a virtual cpu was ready to run but the host ran something else (waking a
# halted one counts too). On the shared VM of docs/benchmarks.md the runs with more of it had
# the long p99s, so every run records it (0 on bare metal).
cpu_stat() {
  awk -v last="$upstream_cpu" '$1 ~ /^cpu[0-9]+$/ && substr($1, 4) + 0 <= last {
    for (i = 2; i <= 9; i++) t += $i; s += $9 } END { print t, s }' /proc/stat
}

# kill_started: TERM then reap every PID in `started` (for the caller's EXIT trap).
kill_started() {
  local pid
  for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
}

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

# nginx_proxy_start NAME UPSTREAM_PORT [DIRECTIVES]: the nginx baseline, proxy_pass to
# UPSTREAM_PORT with upstream keepalive (plus DIRECTIVES in its location), one worker on cpu 0;
# sets last_port and last_pids (the master, then its worker: the processes whose CPU counts).
nginx_proxy_start() {
  local port
  port=$(free_port)
  nginx_start "$1" "upstream u { server 127.0.0.1:$2; keepalive 512; }
  server { listen 127.0.0.1:$port reuseport; location / {
    proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection \"\";
    ${3:-} } }" 0
  wait_port "$port" || exit 1
  sleep 0.2  # the master forks its worker
  mapfile -t last_pids < <(echo "$last_pid"; pgrep -P "$last_pid")
  last_port=$port
}

# kongd_start NAME CONFIG_JSON: a DB-less traditional kongd ($kongd) with one worker on cpu 0,
# serving the declarative config CONFIG_JSON; sets last_pid and last_port.
kongd_start() {
  local name=$1 config=$2 port
  port=$(free_port)
  printf '%s\n' "role = traditional" "database = off" "declarative_config = $config" \
    "proxy_listen = 127.0.0.1:$port reuseport" "admin_listen = off" "status_listen = off" \
    "nginx_worker_processes = 1" "log_level = warn" "proxy_access_log = off" >"$work/$name.conf"
  taskset -c 0 "$kongd" -c "$work/$name.conf" -p "$work/$name" >"$work/$name.log" 2>&1 &
  last_pid=$!
  started+=("$last_pid")
  wait_port "$port" || { cat "$work/$name.log" >&2; exit 1; }
  last_port=$port
}

# run_rounds ROUNDS FN...: calls the FNs in order, then in reverse order, alternately, ROUNDS
# times: a drift in the machine's speed favours none of them, and each round's runs are
# neighbours in time (compared pairwise by pair_ratios).
run_rounds() {
  local rounds=$1 r i; shift
  local fns=("$@")
  for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) = 1 ]; then
      for ((i = 0; i < ${#fns[@]}; i++)); do "${fns[i]}"; done
    else
      for ((i = ${#fns[@]} - 1; i >= 0; i--)); do "${fns[i]}"; done
    fi
  done
}

# load NAME URL PIDS... [-- WRK_ARGS...]: one wrk run pinned to cpu 1; appends
# "rps p50_ms p99_ms cpu_us steal_pct" to $work/result-NAME. CPU is that of PIDS during the
# run; steal is the host's share of the used cpus' time during it (cpu_stat).
load() {
  local name=$1 url=$2; shift 2
  local pids=() extra=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do pids+=("$1"); shift; done
  [ $# -gt 0 ] && shift && extra=("$@")
  local before after out rps p50 p99 total hz stat0 stat1
  before=$(cpu_ticks "${pids[@]}")
  stat0=$(cpu_stat)
  out=$(taskset -c 1 wrk -t1 -c"$conns" -d"${seconds}s" --latency "${extra[@]}" "$url")
  stat1=$(cpu_stat)
  after=$(cpu_ticks "${pids[@]}")
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    echo "bench: $name had errors:" >&2; echo "$out" >&2
  fi
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  hz=$(getconf CLK_TCK)
  echo "$rps $p50 $p99 $(awk -v t=$((after - before)) -v n="$total" -v hz="$hz" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }') $(echo "$stat0 $stat1" | awk '{ printf "%.1f", ($3 > $1) ? 100 * ($4 - $2) / ($3 - $1) : 0 }')" >>"$work/result-$name"
}
to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.3f", n }'; }
median() { sort -n | awk '{ v[NR]=$1 } END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }
col() { awk -v c="$2" '{print $c}' "$work/result-$1" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# pair_ratios A B COLUMN: the ratio A/B of each round's runs (neighbours in time, so a slow
# or fast phase of a shared machine hits both), as "median M (min..max)".
pair_ratios() {
  paste -d' ' <(awk -v c="$3" '{print $c}' "$work/result-$1") <(awk -v c="$3" '{print $c}' "$work/result-$2") |
    awk '{printf "%.3f\n", $1 / $2}' | sort -n |
    awk '{ v[NR]=$1 } END { m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
                            printf "median %.3f (%.3f..%.3f)", m, v[1], v[NR] }'
}

# ratio_ci A B COLUMN: the 95% bootstrap interval of median(A)/median(B) over the rounds
# (bench/ratio_ci.py), "95% CI LO..HI".
ratio_ci() { python3 "$(dirname "${BASH_SOURCE[0]}")/ratio_ci.py" "$work/result-$1" "$work/result-$2" "$3"; }

# steal_summary NAME...: the host's steal during the named runs, "median M% (max X%)".
steal_summary() {
  local n all
  all=$(for n in "$@"; do awk '{print $5}' "$work/result-$n"; done)
  echo "median $(median <<<"$all")% (max $(sort -n <<<"$all" | tail -1)%)"
}

# print_setup NAME...: the lines every proxy bench's report starts with: the machine and cpu
# layout, the build ($build, $buildtype), wrk's settings, and the steal during the named runs.
print_setup() {
  echo "machine: $(nproc) cpus, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); proxy on cpu 0, wrk on cpu 1, upstream on cpu $upstream_cpu"
  echo "kongd: $buildtype build ($build)"
  echo "wrk: 1 thread, $conns connections, ${seconds}s per run, $rounds interleaved rounds, medians"
  echo "host steal during the runs (time the VM's cpus waited for the host): $(steal_summary "$@")"
}

# build_type BUILD_DIR: meson's buildtype of the build dir ("unknown" when unreadable).
build_type() {
  python3 -c 'import json, sys
print(next(o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "buildtype"))' \
    "$1/meson-info/intro-buildoptions.json" 2>/dev/null || echo unknown
}
