#!/usr/bin/env bash
# Admin API benchmark: creates N services + N routes (default 10,000 each) through kongd's Admin
# API on SQLite and on PostgreSQL, then reads them back, and prints writes/s, reads/s, p99
# latencies and the GET /config export time and size. kongd and the load client are pinned to
# different cores. Baseline: GET /status on the same kongd (HTTP + loop, no database work).
# Usage: bench/admin/run.sh [BUILD_DIR] (default: build). PostgreSQL: KONG_TEST_PG_* when set,
# else a throwaway server (scripts/pg-throwaway). KONG_BENCH_SERVICES=N changes the count.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
kongd=$build/daemons/kongd/kongd
kong=$build/daemons/kong/kong
admin_load=$build/bench/admin/admin_load
services=${KONG_BENCH_SERVICES:-10000}
connections=${KONG_BENCH_CONNECTIONS:-16}
for bin in "$kongd" "$kong" "$admin_load"; do
  [ -x "$bin" ] || { echo "run.sh: $bin not built (ninja -C $build)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/kong-bench-admin-XXXXXX)
pg_started=
cleanup() {
  [ -n "${kongd_pid:-}" ] && kill -KILL "$kongd_pid" 2>/dev/null || true
  [ -n "$pg_started" ] && "$root/scripts/pg-throwaway" stop "$KONG_TEST_PG_DIR" || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "${KONG_TEST_PG_HOST:-}" ]; then
  eval "$("$root/scripts/pg-throwaway" start)"
  pg_started=1
fi

# Two cores or more: kongd on CPU 0, the client on CPU 1. With one, no pinning (said below).
if [ "$(nproc)" -ge 2 ]; then
  pin_server=(taskset -c 0) pin_client=(taskset -c 1) pinning="kongd on cpu 0, client on cpu 1"
else
  pin_server=() pin_client=() pinning="none (1 cpu)"
fi
"$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key" >/dev/null

field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

bench_backend() {
  local name=$1; shift
  local conf=$work/$name.conf prefix=$work/$name
  printf '%s\n' "role = control_plane" "admin_listen = 127.0.0.1:0" "cluster_listen = 127.0.0.1:0" \
    "cluster_cert = $work/cluster.crt" "cluster_cert_key = $work/cluster.key" "$@" >"$conf"
  [ "$name" = postgres ] && "$kong" migrations bootstrap -c "$conf" >/dev/null
  "${pin_server[@]}" "$kongd" -c "$conf" -p "$prefix" 2>"$work/$name.log" &
  kongd_pid=$!
  local line
  line=$(timeout 30 grep -m1 -o 'admin API on 127\.0\.0\.1:[0-9]*' \
           < <(tail --pid="$kongd_pid" -n +1 -f "$work/$name.log") || true)
  local port=${line##*:}
  [ -n "$port" ] || { cat "$work/$name.log" >&2; exit 1; }

  local status writes reads
  load() { "${pin_client[@]}" "$admin_load" "$@" --port "$port" --connections "$connections"; }
  status=$(load status --requests "$((services * 2))")
  writes=$(load create --routes --requests "$services" --prefix bench)
  reads=$(load read --routes --requests "$((services * 2))" --prefix bench)
  [ "$(field "$writes" failed)" = 0 ] || { echo "$name: failed writes: $writes" >&2; exit 1; }
  [ "$(field "$reads" failed)" = 0 ] || { echo "$name: failed reads: $reads" >&2; exit 1; }
  local export
  export=$(curl -sS -o "$work/$name.export" -w '%{http_code} %{time_total} %{size_download}' \
             "http://127.0.0.1:$port/config")
  kill -TERM "$kongd_pid"; wait "$kongd_pid"; kongd_pid=

  printf '%-8s writes/s %8.0f  p99 %6.2f ms | reads/s %8.0f  p99 %6.2f ms | ' \
    "$name" "$(field "$writes" per_second)" "$(field "$writes" p99_ms)" \
    "$(field "$reads" per_second)" "$(field "$reads" p99_ms)"
  printf 'GET /status %8.0f/s  p99 %6.2f ms | ' "$(field "$status" per_second)" "$(field "$status" p99_ms)"
  read -r code seconds bytes <<<"$export"
  if [ "$code" = 200 ]; then
    printf 'export %.3f s, %d bytes\n' "$seconds" "$bytes"
  else
    printf 'export: GET /config answered %s\n' "$code"
  fi
  awk -v w="$(field "$writes" per_second)" -v r="$(field "$reads" per_second)" \
    -v s="$(field "$status" per_second)" \
    'BEGIN { printf "         writes/s / status/s = %.3f, reads/s / status/s = %.3f\n", w / s, r / s }'
  echo "         raw: $writes"
  echo "         raw: $reads"
}

echo "machine: $(nproc) cpus, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(date -u +%F)"
echo "load: $services services + $services routes, $connections keep-alive connections; pinning: $pinning"
bench_backend sqlite
bench_backend postgres "database = postgres" "pg_host = $KONG_TEST_PG_HOST" \
  "pg_port = $KONG_TEST_PG_PORT" "pg_user = $KONG_TEST_PG_USER" \
  "pg_database = $KONG_TEST_PG_DATABASE" "pg_schema = bench_$$"
