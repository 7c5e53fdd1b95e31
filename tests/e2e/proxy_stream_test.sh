#!/usr/bin/env bash
# Issue 5: a 1 GiB upload (Content-Length and chunked) and a 1 GiB download stream through the
# proxy of a kongd node whose peak RSS (VmHWM) stays under 64 MiB. The node is a DB-less
# traditional kongd (the data plane's proxy code); the upstream counts bytes without keeping
# them. Usage: proxy_stream_test.sh KONGD
set -euo pipefail
kongd=$1
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
command -v curl >/dev/null || skip "curl missing"
gib=1073741824

python3 "$(dirname "$0")/stream_upstream.py" >"$work/upstream.port" 2>"$work/upstream.log" &
upstream_pid=$!
trap 'kill -TERM "$upstream_pid" 2>/dev/null || true; kill -KILL "${kongd_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/upstream.port" ] && break; sleep 0.05; done
upstream_port=$(head -1 "$work/upstream.port")
[ -n "$upstream_port" ] || fail "upstream did not start: $(cat "$work/upstream.log")"

cat >"$work/kong.yml" <<YML
_format_version: "3.0"
services:
- name: bulk
  url: http://127.0.0.1:$upstream_port
  routes:
  - name: bulk
    paths: ["/"]
    strip_path: false
YML
write_conf "$work/kong.conf" "role = traditional" "database = off" \
  "declarative_config = $work/kong.yml" "admin_listen = 127.0.0.1:0" \
  "proxy_listen = 127.0.0.1:0" "status_listen = off" "nginx_worker_processes = 2"
start_kongd node -c "$work/kong.conf" -p "$work/prefix"
line=$(timeout 30 grep -m1 -o 'proxy listening on 127\.0\.0\.1:[0-9]*' \
         < <(tail --pid="$kongd_pid" -n +1 -f "$work/node.log") || true)
proxy_port=${line##*:}
[ -n "$proxy_port" ] || fail "kongd did not report its proxy port: $(cat "$work/node.log")"
url=http://127.0.0.1:$proxy_port

truncate -s "$gib" "$work/big.bin"
got=$(curl -sS --max-time 120 -X POST -T "$work/big.bin" "$url/upload")
expect_eq "$got" "$gib" "bytes the upstream received from a Content-Length upload"
got=$(head -c "$gib" /dev/zero | curl -sS --max-time 120 -X POST -T - "$url/upload")
expect_eq "$got" "$gib" "bytes the upstream received from a chunked upload"
got=$(curl -sS --max-time 120 -o /dev/null -w '%{http_code} %{size_download}' "$url/download/$gib")
expect_eq "$got" "200 $gib" "status and bytes of the download"

hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$kongd_pid/status")
echo "kongd peak RSS after 3 GiB streamed: $hwm KiB"
[ "$hwm" -lt 65536 ] || fail "kongd peak RSS $hwm KiB is not under 64 MiB"
stop_kongd
expect_eq "$rc" 0 "kongd exit status after SIGTERM"
echo "PASS"
