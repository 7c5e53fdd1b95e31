#!/usr/bin/env bash
# Propagation benchmark: a kongd control plane (SQLite) and first 1, then 100 data planes (one
# process, one loop) on loopback. Prints p50/p99 from an Admin API write's 2xx until the first
# and the last DP installed it, the bytes of one push, and the CP's CPU time and memory per
# connected DP (from /proc). The CP is pinned to cpu 0, the DPs and the writer to cpu 1.
# Baseline, same script: the Admin API write itself (its 2xx latency is what a DP adds to).
# Usage: bench/propagation/run.sh [BUILD_DIR] (default: build). KONG_BENCH_WRITES=M (200).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
kongd=$build/daemons/kongd/kongd
kong=$build/daemons/kong/kong
propagation=$build/bench/propagation/propagation
writes=${KONG_BENCH_WRITES:-200}
for bin in "$kongd" "$kong" "$propagation"; do
  [ -x "$bin" ] || { echo "run.sh: $bin not built (ninja -C $build)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/kong-bench-propagation-XXXXXX)
cleanup() {
  [ -n "${kongd_pid:-}" ] && kill -KILL "$kongd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$(nproc)" -ge 2 ]; then
  pin_cp=(taskset -c 0) pin_dp=(taskset -c 1) pinning="CP on cpu 0, DPs and writer on cpu 1"
else
  pin_cp=() pin_dp=() pinning="none (1 cpu)"
fi
"$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key" >/dev/null

field() { sed -n "s/^$2 //p" <<<"$1"; }

# run_case DPS GAP_MS: GAP_MS 0 writes back to back (each lands inside the previous push's
# coalescing window); 100 spaces them out (each is the first change after a quiet period).
run_case() {
  local dps=$1 gap=$2 name=cp$1-$2
  printf '%s\n' "role = control_plane" "admin_listen = 127.0.0.1:0" "cluster_listen = 127.0.0.1:0" \
    "cluster_cert = $work/cluster.crt" "cluster_cert_key = $work/cluster.key" >"$work/$name.conf"
  : >"$work/$name.log"
  "${pin_cp[@]}" "$kongd" -c "$work/$name.conf" -p "$work/$name" 2>"$work/$name.log" &
  kongd_pid=$!
  local admin cluster
  admin=$(timeout 30 grep -m1 -o 'admin API on 127\.0\.0\.1:[0-9]*' \
            < <(tail --pid="$kongd_pid" -n +1 -f "$work/$name.log") || true)
  cluster=$(timeout 30 grep -m1 -o 'cluster listener on 127\.0\.0\.1:[0-9]*' \
              < <(tail --pid="$kongd_pid" -n +1 -f "$work/$name.log") || true)
  [ -n "$admin" ] && [ -n "$cluster" ] || { cat "$work/$name.log" >&2; exit 1; }
  local out
  out=$("${pin_dp[@]}" "$propagation" --admin "${admin##*:}" --cluster "${cluster##*:}" \
          --cert "$work/cluster.crt" --key "$work/cluster.key" --dps "$dps" --writes "$writes" \
          --prefix "$work/dps$dps-$gap" --cp-pid "$kongd_pid" --gap-ms "$gap")
  kill -TERM "$kongd_pid"; wait "$kongd_pid"; kongd_pid=
  printf '%3d DP(s), %3d ms between writes: write->first DP p50 %6.2f ms p99 %6.2f ms | ->all DPs p50 %6.2f ms p99 %6.2f ms\n' \
    "$dps" "$gap" "$(field "$out" first_dp_p50_ms)" "$(field "$out" first_dp_p99_ms)" \
    "$(field "$out" all_dps_p50_ms)" "$(field "$out" all_dps_p99_ms)"
  printf '           baseline: the Admin API write itself p50 %s ms p99 %s ms\n' \
    "$(field "$out" write_p50_ms)" "$(field "$out" write_p99_ms)"
  printf '           push %s bytes gzipped | all connected and configured in %s ms\n' \
    "$(field "$out" payload_bytes)" "$(field "$out" connect_all_ms)"
  printf '           CP per DP: %s KiB RSS, %s ms CPU to connect, %s us CPU per push\n' \
    "$(field "$out" cp_rss_kb_per_dp)" "$(field "$out" cp_connect_cpu_ms_per_dp)" \
    "$(field "$out" cp_cpu_us_per_push_per_dp)"
}

echo "machine: $(nproc) cpus, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(date -u +%F)"
echo "writes: $writes sequential POST /services, each waited for on every DP; pinning: $pinning"
for gap in 100 0; do
  run_case 1 "$gap"
  run_case 100 "$gap"
done
