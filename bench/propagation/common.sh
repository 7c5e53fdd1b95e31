# Helpers for the propagation benchmarks (sourced by bench/propagation/run.sh and
# bench/multi-cp/run.sh after they set $root, $build and $bench_name): the binaries, a work
# folder removed on exit, the cluster certificate, CPU pinning, kongd control planes and the
# propagation client's output.
kongd=$build/daemons/kongd/kongd
kong=$build/daemons/kong/kong
propagation=$build/bench/propagation/propagation
for bin in "$kongd" "$kong" "$propagation"; do
  [ -x "$bin" ] || { echo "$bench_name: $bin not built (ninja -C $build)" >&2; exit 1; }
done
work=$(mktemp -d "/tmp/kong-bench-$bench_name-XXXXXX")
cp_pids=()  # kongd control planes still running
bench_cleanup() {
  for pid in "${cp_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap bench_cleanup EXIT
if [ "$(nproc)" -ge 2 ]; then
  pin_cp=(taskset -c 0) pin_dp=(taskset -c 1) pinning="CPs on cpu 0, DPs and writer on cpu 1"
else
  pin_cp=() pin_dp=() pinning="none (1 cpu)"
fi
"$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key" >/dev/null

machine_line() {
  echo "machine: $(nproc) cpus, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(date -u +%F)"
}

# field OUTPUT KEY: a "key value" line's value from the propagation client.
field() { sed -n "s/^$2 //p" <<<"$1"; }

# start_cp NAME [CONF_LINES...]: a kongd control plane (pinned) with the bench certificate and
# CONF_LINES; sets $cp_pid, $cp_admin and $cp_cluster (ports read from its log).
start_cp() {
  local name=$1; shift
  printf '%s\n' "role = control_plane" "admin_listen = 127.0.0.1:0" "cluster_listen = 127.0.0.1:0" \
    "cluster_cert = $work/cluster.crt" "cluster_cert_key = $work/cluster.key" "$@" >"$work/$name.conf"
  : >"$work/$name.log"
  "${pin_cp[@]}" "$kongd" -c "$work/$name.conf" -p "$work/$name" 2>"$work/$name.log" &
  cp_pid=$!
  cp_pids+=("$cp_pid")
  local admin cluster
  admin=$(timeout 30 grep -m1 -o 'admin API on 127\.0\.0\.1:[0-9]*' \
            < <(tail --pid="$cp_pid" -n +1 -f "$work/$name.log") || true)
  cluster=$(timeout 30 grep -m1 -o 'cluster listener on 127\.0\.0\.1:[0-9]*' \
              < <(tail --pid="$cp_pid" -n +1 -f "$work/$name.log") || true)
  [ -n "$admin" ] && [ -n "$cluster" ] || { cat "$work/$name.log" >&2; exit 1; }
  cp_admin=${admin##*:} cp_cluster=${cluster##*:}
}

# stop_cps: SIGTERM to every running control plane, waiting for each.
stop_cps() {
  for pid in "${cp_pids[@]}"; do kill -TERM "$pid"; wait "$pid" || true; done
  cp_pids=()
}

# run_propagation ADMIN_PORT CLUSTER_PORTS DPS GAP_MS PREFIX [CP_PID]: the propagation client
# (pinned); prints its "key value" lines.
run_propagation() {
  local cp_pid_args=()
  [ -n "${6:-}" ] && cp_pid_args=(--cp-pid "$6")
  "${pin_dp[@]}" "$propagation" --admin "$1" --cluster "$2" --cert "$work/cluster.crt" \
    --key "$work/cluster.key" --dps "$3" --writes "$writes" --prefix "$work/$5" --gap-ms "$4" \
    "${cp_pid_args[@]}"
}
