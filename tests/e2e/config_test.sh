#!/usr/bin/env bash
# e2e: `kong config parse|db_import|db_export` with nested kong.yml files: the round trip
# export -> import into an empty database -> export is byte-identical (updated_at aside, which
# Kong's import stamps anew), and a refused import leaves the database as it was. SQLite
# always; PostgreSQL (a fresh pg_schema per run) when KONG_TEST_PG_* is set.
# Usage: config_test.sh <kong>
set -euo pipefail
kong=$(realpath "$1")
pg_host=${KONG_TEST_PG_HOST:-} pg_port=${KONG_TEST_PG_PORT:-}
pg_user=${KONG_TEST_PG_USER:-} pg_database=${KONG_TEST_PG_DATABASE:-}
source "$(dirname "$0")/e2e_lib.sh"
cd "$work"

cat >nested.yml <<'YAML'
# services with nested routes, consumers, upstreams with nested targets
_format_version: "3.0"
_comment: billing team
services:
- name: billing
  url: https://billing.internal:8443/v1
  tags: [team-a, "2024"]
  routes:
  - name: invoices
    paths: ["~/invoices/\\d+$", /invoices]
    strip_path: false
  - hosts: [pay.example.com]
- &svc
  name: ledger
  host: ledger.internal
  port: 8080
consumers:
- username: alice
  custom_id: "0042"
upstreams:
- name: billing-up
  targets:
  - target: 10.0.0.1:8443
    weight: 50
  - target: 10.0.0.2:8443
routes:
- name: ledger-route
  service: ledger
  paths: [/ledger]
YAML
cat >nested.json <<'JSON'
{"_format_version": "2.1", "services": [{"name": "j", "host": "j.internal",
  "routes": [{"name": "legacy", "paths": ["/users/\\d+"]}]}]}
JSON
cat >bad.yml <<'YAML'
_format_version: "3.0"
services:
- name: fine
  host: fine.internal
- name: broken
  port: 99999
  routes:
  - name: r
    service: fine
    paths: [/x]
YAML
cat >badref.yml <<'YAML'
_format_version: "3.0"
routes:
- name: lost
  service: nowhere
  paths: [/lost]
YAML
# Valid as a file (distinct ids), refused by the database: a target twice in one upstream.
cat >refused.yml <<'YAML'
_format_version: "3.0"
services:
- name: replacement
  host: replacement.internal
upstreams:
- name: u
  targets:
  - {id: 0b6c6f0e-4f7e-4a4c-8c5f-3d2a1b0c9d8e, target: "10.0.0.9:80"}
  - {id: 1b6c6f0e-4f7e-4a4c-8c5f-3d2a1b0c9d8e, target: "10.0.0.9:80"}
YAML

echo "# parse: valid YAML and JSON (format by extension), no database needed"
printf 'database = off\n' >off.conf
expect_ok "$kong" config parse nested.yml -c off.conf
expect_eq "$out" "parse successful" "parse yml"
expect_ok "$kong" config parse nested.json -c off.conf
expect_eq "$out" "parse successful" "parse json"

echo "# parse: Kong's pretty errors, nested where the entity was written"
run "$kong" config parse bad.yml -c off.conf
[ "$rc" -eq 1 ] || { describe config parse bad.yml; fail "bad.yml: expected exit 1"; }
expect_eq "$err" "Error: Failed parsing:
in 'services':
  - in entry 2 of 'services':
    in 'host': required field missing
    in 'port': value should be between 0 and 65535
    in 'routes':
      - in entry 1 of 'routes':
        in 'service': value must be null" "bad.yml errors"
run "$kong" config parse badref.yml -c off.conf
[ "$rc" -eq 1 ] || fail "badref.yml: expected exit 1"
expect_contains "$err" "invalid reference 'service: nowhere' (no such entry in 'services')" "badref"
printf '_format_version: 3.0\n' >number.yml
run "$kong" config parse number.yml -c off.conf
expect_contains "$err" "in '_format_version': expected a string" "YAML number version"
printf 'services: [\n' >syntax.yml
run "$kong" config parse syntax.yml -c off.conf
[ "$rc" -eq 1 ] || fail "syntax.yml: expected exit 1"
expect_contains "$err" "failed parsing declarative configuration: invalid YAML at line 2, column 1" "syntax"
expect_fail_one_line "$kong" config parse missing.yml -c off.conf

echo "# database=off: db_import and db_export refuse with Kong's text"
run "$kong" config db_import nested.yml -c off.conf
[ "$rc" -eq 1 ] || fail "db_import with database=off: expected exit 1"
expect_contains "$err" "'kong config db_import' only works with a database." "dbless import"
expect_contains "$err" "using the /config endpoint." "dbless import"

# round_trip NAME CONF_LINES_A CONF_LINES_B: two empty databases of one backend.
round_trip() {
  local name=$1 a="$work/$1-a.conf" b="$work/$1-b.conf"
  printf '%s\n' "prefix = $work/$name-a" "$2" >"$a"
  printf '%s\n' "prefix = $work/$name-b" "$3" >"$b"
  expect_ok "$kong" migrations bootstrap -c "$a"
  expect_ok "$kong" migrations bootstrap -c "$b"

  echo "# $name: db_import of the nested file, db_export to kong.yml by default"
  expect_ok "$kong" config db_import nested.yml -c "$a"
  expect_eq "$out" $'parse successful, beginning import\nimport successful' "$name: import output"
  mkdir "$name-cwd"
  (cd "$name-cwd" && expect_ok "$kong" config db_export -c "$a")
  local first="$name-cwd/kong.yml"
  [ -f "$first" ] || fail "$name: db_export wrote no ./kong.yml"
  expect_eq "$(mode_of "$first")" 644 "$name: export file mode"
  expect_eq "$(head -2 "$first")" $'_format_version: "3.0"\n_transform: false' "$name: export header"
  expect_contains "$(cat "$first")" "custom_id: \"0042\"" "$name: quoted numeric string"
  expect_contains "$(cat "$first")" "service: " "$name: flattened foreign keys"
  [ "$(grep -c '^- id: ' "$first")" -eq 9 ] || fail "$name: expected 9 entities in $(cat "$first")"

  echo "# $name: db_export never overwrites"
  cp "$first" "$name-copy.yml"
  run "$kong" config db_export "$name-copy.yml" -c "$a"
  [ "$rc" -eq 1 ] || fail "$name: export over an existing file: expected exit 1"
  expect_eq "$err" $'Error: '"$name-copy.yml"$' already exists.\nWill not overwrite it.' "$name: no overwrite"
  cmp -s "$first" "$name-copy.yml" || fail "$name: the existing file was changed"

  echo "# $name: export -> import into an empty database -> export is byte-identical"
  expect_ok "$kong" config db_import "$first" -c "$b"
  expect_ok "$kong" config db_export "$work/$name-second.yml" -c "$b"
  diff <(grep -v 'updated_at: ' "$first") <(grep -v 'updated_at: ' "$work/$name-second.yml") \
    || fail "$name: round trip changed the export"
  [ "$(grep -c 'updated_at: ' "$first")" -eq 9 ] || fail "$name: updated_at missing from the export"

  echo "# $name: a refused import and an invalid file leave the database unchanged"
  run "$kong" config db_import refused.yml -c "$b"
  [ "$rc" -eq 1 ] || { describe config db_import refused.yml; fail "$name: expected refusal"; }
  expect_contains "$err" "Error: Failed importing:" "$name: refusal message"
  run "$kong" config db_import bad.yml -c "$b"
  [ "$rc" -eq 1 ] || fail "$name: invalid file imported"
  expect_ok "$kong" config db_export "$work/$name-after.yml" -c "$b"
  cmp -s "$work/$name-second.yml" "$work/$name-after.yml" \
    || { diff "$work/$name-second.yml" "$work/$name-after.yml" || true; fail "$name: database changed"; }

  echo "# $name: importing replaces everything; ids are stable across imports"
  expect_ok "$kong" config db_import nested.json -c "$b"
  expect_ok "$kong" config db_export "$work/$name-json.yml" -c "$b"
  [ "$(grep -c '^- id: ' "$work/$name-json.yml")" -eq 2 ] || fail "$name: import did not replace"
  expect_contains "$(cat "$work/$name-json.yml")" '- ~/users/\d+' "$name: 2.1 regex path upgraded"
  expect_ok "$kong" config db_import nested.yml -c "$b"
  expect_ok "$kong" config db_export "$work/$name-again.yml" -c "$b"
  named_ids() { awk '/^- id: /{id=$3} /^  (name|username|target): /{print id, $2}' "$1"; }
  [ "$(named_ids "$first" | wc -l)" -eq 8 ] || fail "$name: expected 8 named entities"
  expect_eq "$(named_ids "$work/$name-again.yml")" "$(named_ids "$first")" "$name: ids on re-import"
}

round_trip sqlite "database = sqlite"$'\n'"sqlite_path = $work/a.db" \
  "database = sqlite"$'\n'"sqlite_path = $work/b.db"
if [ -n "$pg_host" ]; then
  pg_lines() {
    printf '%s\n' "database = postgres" "pg_host = $pg_host" "pg_port = $pg_port" \
      "pg_user = $pg_user" "pg_database = $pg_database" "pg_schema = $1"
  }
  suffix="$$_$RANDOM"
  round_trip postgres "$(pg_lines "kong_config_e2e_a_$suffix")" "$(pg_lines "kong_config_e2e_b_$suffix")"
  # The schemas are dropped so runs do not pile up in the shared server.
  printf '%s\n' "prefix = $work/pg-a" "$(pg_lines "kong_config_e2e_a_$suffix")" >pga.conf
  printf '%s\n' "prefix = $work/pg-b" "$(pg_lines "kong_config_e2e_b_$suffix")" >pgb.conf
  "$kong" migrations reset --yes -c pga.conf >/dev/null
  "$kong" migrations reset --yes -c pgb.conf >/dev/null
else
  echo "# postgres variant skipped: KONG_TEST_PG_* not set"
fi
echo "PASS"
