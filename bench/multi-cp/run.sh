#!/usr/bin/env bash
# Multi-node propagation benchmark (issue 8): three kongd control planes (A, B, C) on one
# PostgreSQL database; the Admin API writes go to A while the data planes are attached to B
# and C (alternately), so every change travels A -> PostgreSQL NOTIFY -> B and C -> DPs.
# Baseline, same script and database server: one control plane taking the writes with the DPs
# attached to it. Prints p50/p99 from each write's 2xx until the first and the last DP
# installed it, for both, and the ratio of the multi-node p99 to the single-node one (the
# issue's target: within 2x). CPs on cpu 0, DPs and writer on cpu 1, PostgreSQL unpinned.
# Usage: bench/multi-cp/run.sh [BUILD_DIR] (default: build). PostgreSQL: KONG_TEST_PG_* when
# set, else a throwaway server (scripts/pg-throwaway). KONG_BENCH_WRITES=M (200),
# KONG_BENCH_DPS=N (10), KONG_BENCH_GAP_MS=MS (100: each write is the first change after a
# quiet period).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
writes=${KONG_BENCH_WRITES:-200}
dps=${KONG_BENCH_DPS:-10}
gap=${KONG_BENCH_GAP_MS:-100}
bench_name=multi-cp
source "$root/bench/propagation/common.sh"

pg_started=
if [ -z "${KONG_TEST_PG_HOST:-}" ]; then
  eval "$("$root/scripts/pg-throwaway" start)"
  pg_started=1
fi
cleanup() {
  bench_cleanup
  [ -n "$pg_started" ] && "$root/scripts/pg-throwaway" stop "$KONG_TEST_PG_DIR" || true
}
trap cleanup EXIT

# bootstrap SCHEMA: a fresh Kong schema; prints the database lines for it.
bootstrap() {
  printf '%s\n' "database = postgres" "pg_host = $KONG_TEST_PG_HOST" "pg_port = $KONG_TEST_PG_PORT" \
    "pg_user = $KONG_TEST_PG_USER" "pg_database = $KONG_TEST_PG_DATABASE" "pg_schema = $1" \
    >"$work/$1.db"
  "$kong" migrations bootstrap -c "$work/$1.db" >/dev/null
  cat "$work/$1.db"
}

# report LABEL OUTPUT
report() {
  printf '%-34s write->first DP p50 %6.2f ms p99 %6.2f ms | ->all DPs p50 %6.2f ms p99 %6.2f ms\n' \
    "$1" "$(field "$2" first_dp_p50_ms)" "$(field "$2" first_dp_p99_ms)" \
    "$(field "$2" all_dps_p50_ms)" "$(field "$2" all_dps_p99_ms)"
  printf '%-34s the Admin API write itself p50 %s ms p99 %s ms\n' "" \
    "$(field "$2" write_p50_ms)" "$(field "$2" write_p99_ms)"
}

machine_line
echo "postgres: $("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/postgres" --version)"
echo "writes: $writes sequential POST /services, $gap ms apart, each waited for on all $dps DPs; pinning: $pinning"

mapfile -t single_db < <(bootstrap "bench_single_$$")
start_cp single "${single_db[@]}"
single=$(run_propagation "$cp_admin" "$cp_cluster" "$dps" "$gap" single-dps)
stop_cps
report "1 CP (writes and DPs on it):" "$single"

mapfile -t multi_db < <(bootstrap "bench_multi_$$")
start_cp a "${multi_db[@]}"
a_admin=$cp_admin
start_cp b "${multi_db[@]}"
b_cluster=$cp_cluster
start_cp c "${multi_db[@]}"
c_cluster=$cp_cluster
multi=$(run_propagation "$a_admin" "$b_cluster,$c_cluster" "$dps" "$gap" multi-dps)
stop_cps
report "3 CPs (writes on A, DPs on B, C):" "$multi"

ratio() { awk -v m="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.2f", m / s; else print "n/a" }'; }
echo "ratio multi/single p99: first DP $(ratio "$(field "$multi" first_dp_p99_ms)" "$(field "$single" first_dp_p99_ms)")x," \
  "all DPs $(ratio "$(field "$multi" all_dps_p99_ms)" "$(field "$single" all_dps_p99_ms)")x (target: <= 2x)"
