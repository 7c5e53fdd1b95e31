#!/usr/bin/env bash
# e2e Admin API acceptance (issue 3, "Done when"), through the real kongd running as a control
# plane: the url shorthand, a route with no matching field, a duplicate service name, paging 250
# routes by 100, and deleting a service that still has routes. SQLite always; PostgreSQL when
# KONG_TEST_PG_* is set. Usage: admin_api_test.sh <kongd> <kong>
set -euo pipefail
kongd=$(realpath "$1")
kong=$(realpath "$2")
pg_host=${KONG_TEST_PG_HOST:-} pg_port=${KONG_TEST_PG_PORT:-}
pg_user=${KONG_TEST_PG_USER:-} pg_database=${KONG_TEST_PG_DATABASE:-}
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/kongd_lib.sh"
cd "$work"
"$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key" >/dev/null

# count_names PREFIX: how many "name":"<PREFIX><digits>" members $http_body holds.
count_names() { { printf '%s' "$http_body" | grep -o "\"name\":\"$1[0-9]*\"" || true; } | wc -l; }
# json_string KEY: the first string value of KEY in $http_body ("" when absent or null).
json_string() {
  local re="\"$1\":\"([^\"]*)\""
  if [[ $http_body =~ $re ]]; then printf '%s' "${BASH_REMATCH[1]}"; fi
}

# page_through PATH NAME: follows `next` from PATH, checking the page sizes 100, 100, 50.
page_through() {
  local path=$1 name=$2 sizes=()
  while [ -n "$path" ]; do
    http GET "$path"
    expect_eq "$http_status" 200 "$name: GET $path"
    sizes+=("$(count_names r)")
    path=$(json_string next | sed 's/\\\//\//g')
    if [ -z "$path" ]; then
      expect_contains "$http_body" '"next":null' "$name: last page has next null"
      case "$http_body" in *'"offset":'*) fail "$name: last page carries an offset" ;; esac
    fi
    [ "${#sizes[@]}" -le 3 ] || fail "$name: more than 3 pages"
  done
  expect_eq "${sizes[*]}" "100 100 50" "$name: page sizes"
}

run_backend() {
  local name=$1; shift
  echo "# $name"
  write_conf "$name.conf" "role = control_plane" "admin_listen = 127.0.0.1:0" \
    "cluster_listen = 127.0.0.1:0" "cluster_cert = $work/cluster.crt" \
    "cluster_cert_key = $work/cluster.key" "$@"
  if [ "$name" = postgres ]; then
    "$kong" migrations bootstrap -c "$name.conf" >/dev/null || fail "$name: bootstrap failed"
  fi
  start_kongd "$name" -c "$name.conf" -p "$work/$name-prefix"

  http POST /services '{"name":"httpbin","url":"http://httpbin.internal:8080/anything"}'
  expect_eq "$http_status" 201 "$name: POST /services with url"
  for field in '"protocol":"http"' '"host":"httpbin.internal"' '"port":8080' '"path":"/anything"'; do
    expect_contains "$http_body" "$field" "$name: url shorthand stores $field"
  done

  http POST /services/httpbin/routes '{"name":"bare"}'
  expect_eq "$http_status" 400 "$name: route without methods/hosts/headers/paths"
  # Kong's message for the default protocols (http, https): https also accepts snis.
  expect_contains "$http_body" "\"@entity\":[\"must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'\"]" "$name: @entity message"
  expect_contains "$http_body" '"name":"schema violation"' "$name: schema violation"

  http POST /services '{"name":"httpbin","host":"other.internal"}'
  expect_eq "$http_status" 409 "$name: duplicate service name"
  expect_contains "$http_body" '"code":5' "$name: unique violation code"
  expect_contains "$http_body" '"name":"unique constraint violation"' "$name: unique violation name"
  expect_contains "$http_body" 'UNIQUE violation detected on '"'"'{name=\"httpbin\"}'"'"'' "$name: unique violation message"

  for i in $(seq 1 250); do
    http POST /services/httpbin/routes "{\"name\":\"r$i\",\"paths\":[\"/r$i\"]}"
    [ "$http_status" = 201 ] || fail "$name: POST route r$i: $http_status $http_body"
  done
  page_through "/routes?size=100" "$name /routes"
  page_through "/services/httpbin/routes?size=100" "$name /services/httpbin/routes"

  http DELETE /services/httpbin
  expect_eq "$http_status" 400 "$name: delete a service that has routes"
  expect_contains "$http_body" '"name":"foreign key violation"' "$name: foreign key violation"
  expect_contains "$http_body" '"@referenced_by":"routes"' "$name: referenced by routes"
  http GET /services/httpbin
  expect_eq "$http_status" 200 "$name: the service is still there"

  stop_kongd
  [ "$rc" -eq 0 ] || { cat "$work/$name.log"; fail "$name: SIGTERM: exit $rc"; }
}

run_backend sqlite
if [ -n "$pg_host" ]; then
  run_backend postgres "$(pg_conf_lines "kongd_admin_$$_$RANDOM")"
else
  echo "# postgres variant skipped: KONG_TEST_PG_* not set"
fi
echo "PASS"
