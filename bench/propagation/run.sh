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
writes=${KONG_BENCH_WRITES:-200}
bench_name=propagation
source "$root/bench/propagation/common.sh"

# run_case DPS GAP_MS: GAP_MS 0 writes back to back (each lands inside the previous push's
# coalescing window); 100 spaces them out (each is the first change after a quiet period).
run_case() {
  local dps=$1 gap=$2
  start_cp "cp$1-$2"
  local out
  out=$(run_propagation "$cp_admin" "$cp_cluster" "$dps" "$gap" "dps$dps-$gap" "$cp_pid")
  stop_cps
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

machine_line
echo "writes: $writes sequential POST /services, each waited for on every DP; pinning: $pinning"
for gap in 100 0; do
  run_case 1 "$gap"
  run_case 100 "$gap"
done
