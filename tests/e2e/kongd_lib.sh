# Helpers for the scripts that run kongd as a server (sourced after e2e_lib.sh): start it in the
# background, learn its Admin API port from its log, talk HTTP with bash's /dev/tcp.

# start_kongd NAME ARGS...: runs kongd ARGS in the background, stderr in $work/NAME.log; sets
# $kongd_pid and $admin_port (read from the "admin API on 127.0.0.1:<port>" notice, so configs
# can use admin_listen = 127.0.0.1:0). Fails if kongd exits or says nothing within 30 s.
start_kongd() {
  local name=$1; shift
  : >"$work/$name.log"
  "$kongd" "$@" 2>"$work/$name.log" >"$work/$name.out" &
  kongd_pid=$!
  # tail ends with kongd (--pid); grep returns at the first match; timeout bounds the wait.
  local line
  line=$(timeout 30 grep -m1 -o 'admin API on 127\.0\.0\.1:[0-9]*' \
           < <(tail --pid="$kongd_pid" -n +1 -f "$work/$name.log") || true)
  admin_port=${line##*:}
  if [ -z "$admin_port" ]; then
    echo "kongd log:" >&2; cat "$work/$name.log" >&2
    kill -KILL "$kongd_pid" 2>/dev/null || true
    fail "kongd ($name) did not report its admin port"
  fi
}

# stop_kongd: SIGTERM, then expects exit 0 (sets $rc).
stop_kongd() {
  kill -TERM "$kongd_pid"
  set +e; wait "$kongd_pid"; rc=$?; set -e
}

# http METHOD PATH [JSON]: one request on a fresh connection to 127.0.0.1:$admin_port; sets
# $http_status and $http_body.
http() {
  local method=$1 path=$2 body=${3:-} response
  exec 3<>"/dev/tcp/127.0.0.1/$admin_port"
  if [ -n "$body" ]; then
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
      "$method" "$path" "${#body}" "$body" >&3
  else
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$method" "$path" >&3
  fi
  response=$(timeout 10 cat <&3 || true)
  exec 3<&-
  # No pipeline here: `printf | head` dies of SIGPIPE on a large body under pipefail.
  local status_line=${response%%$'\r\n'*}
  http_status=${status_line#* }
  http_status=${http_status%% *}
  http_body=${response#*$'\r\n\r\n'}
}

# write_conf FILE LINES...: one property per argument.
write_conf() { local f=$1; shift; printf '%s\n' "$@" >"$f"; }

# pg_conf_lines SCHEMA: the database lines for the throwaway PostgreSQL (needs $pg_host etc.).
pg_conf_lines() {
  printf '%s\n' "database = postgres" "pg_host = $pg_host" "pg_port = $pg_port" \
    "pg_user = $pg_user" "pg_database = $pg_database" "pg_schema = $1"
}

# wait_log FILE PATTERN: the first match of PATTERN (grep -o) in FILE within 30 s, or fails.
wait_log() {
  local found
  found=$(timeout 30 grep -m1 -o "$2" < <(tail -n +1 -f "$1") || true)
  [ -n "$found" ] || { cat "$1" >&2; fail "'$2' not logged in $1"; }
  echo "$found"
}

# on_port PORT CMD...: runs an http helper against another port than the CP's Admin API.
on_port() {
  local saved=$admin_port
  admin_port=$1; shift
  "$@"
  admin_port=$saved
}

# json_field JSON KEY: the string value of the first "KEY":"value" in JSON.
json_field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1"; }

# until_ok SECONDS CMD...: re-runs CMD (quietly) until it succeeds or SECONDS pass.
until_ok() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# kill_prefix_nodes: SIGKILL the node of every $work/*/pids/nginx.pid (nodes started by
# `kong start` are not children of the script; a failed test must not leave them running).
kill_prefix_nodes() {
  local pidfile
  for pidfile in "$work"/*/pids/nginx.pid; do
    [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
  done
}

# gone PID: the process exited (a zombie waiting for a reaper that is not ours counts).
gone() {
  local state
  state=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null || true)
  [ -z "$state" ] || [ "$state" = Z ]
}

# kong_start_cp: `kong start`s a control plane in $work/cp (its cluster certificate made in
# $work/cluster.crt/.key, every listener on a free port); sets $cp_log, $admin_port (for the
# http helper) and $cluster_port. Needs $kong.
kong_start_cp() {
  expect_ok "$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key"
  write_conf "$work/cp.conf" "role = control_plane" "admin_listen = 127.0.0.1:0" \
    "cluster_listen = 127.0.0.1:0" "cluster_cert = $work/cluster.crt" \
    "cluster_cert_key = $work/cluster.key"
  expect_ok "$kong" start -c "$work/cp.conf" -p "$work/cp"
  cp_log="$work/cp/logs/error.log"
  admin_port=$(wait_log "$cp_log" 'admin API on 127\.0\.0\.1:[0-9]*'); admin_port=${admin_port##*:}
  cluster_port=$(wait_log "$cp_log" 'cluster listener on 127\.0\.0\.1:[0-9]*')
  cluster_port=${cluster_port##*:}
}

# dp_conf_lines: the kong.conf lines of a data plane of that control plane, proxying on a free
# port (add status_listen, log_level... after them).
dp_conf_lines() {
  printf '%s\n' "role = data_plane" "database = off" \
    "cluster_control_plane = 127.0.0.1:$cluster_port" "cluster_cert = $work/cluster.crt" \
    "cluster_cert_key = $work/cluster.key" "proxy_listen = 127.0.0.1:0"
}
