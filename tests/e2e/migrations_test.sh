#!/usr/bin/env bash
# e2e: `kong migrations bootstrap|up|finish|list|status|reset` on SQLite, and on PostgreSQL
# (a fresh pg_schema per run) when KONG_TEST_PG_* is set.
# Usage: migrations_test.sh <kong>
set -euo pipefail
kong=$(realpath "$1")
pg_host=${KONG_TEST_PG_HOST:-} pg_port=${KONG_TEST_PG_PORT:-}
pg_user=${KONG_TEST_PG_USER:-} pg_database=${KONG_TEST_PG_DATABASE:-}
source "$(dirname "$0")/e2e_lib.sh"
cd "$work"

# run_backend NAME CONF_LINES: the whole lifecycle on one empty database.
run_backend() {
  local name=$1 conf="$work/$1.conf"
  printf '%s\n' "prefix = $work/$name-prefix" "$2" >"$conf"
  echo "# $name: list before bootstrap exits 3 with Kong's hint"
  run "$kong" migrations list -c "$conf"
  [ "$rc" -eq 3 ] || { describe migrations list; fail "$name: expected exit 3"; }
  expect_contains "$out" "Database needs bootstrapping or is older than Kong 1.0." "$name: list hint"
  expect_contains "$out" "run 'kong migrations bootstrap'" "$name: list hint"

  echo "# $name: up and finish refuse an empty database"
  run "$kong" migrations up -c "$conf"
  [ "$rc" -eq 1 ] || { describe migrations up; fail "$name: up before bootstrap: expected exit 1"; }
  expect_contains "$err" "Error: Cannot run migrations: Database needs bootstrapping" "$name: up"
  run "$kong" migrations finish -c "$conf"
  [ "$rc" -eq 1 ] || { describe migrations finish; fail "$name: finish before bootstrap: expected 1"; }

  echo "# $name: config commands refuse an empty database"
  printf '_format_version: "3.0"\nservices:\n- name: s\n  host: example.com\n' >"$work/one.yml"
  run "$kong" config db_import "$work/one.yml" -c "$conf"
  [ "$rc" -eq 1 ] || { describe config db_import; fail "$name: import before bootstrap: expected 1"; }
  expect_contains "$err" "kong migrations bootstrap" "$name: import before bootstrap"

  echo "# $name: bootstrap runs every step, then is a no-op"
  expect_ok "$kong" migrations bootstrap -c "$conf"
  expect_contains "$out" "Bootstrapping database..." "$name: bootstrap"
  expect_contains "$out" "core migrated up to: 000_base (executed)" "$name: bootstrap"
  expect_contains "$out" "Database is up-to-date" "$name: bootstrap"
  expect_ok "$kong" migrations bootstrap -c "$conf"
  expect_eq "$out" "Database already bootstrapped" "$name: second bootstrap"

  echo "# $name: list, up, finish and status on an up-to-date database"
  expect_ok "$kong" migrations list -c "$conf"
  expect_contains "$out" $'Executed migrations:\ncore: 000_base, ' "$name: list"
  [[ $out != *"New migrations"* ]] || fail "$name: list shows new migrations after bootstrap"
  expect_ok "$kong" migrations up -c "$conf"
  expect_eq "$out" "Database is already up-to-date" "$name: up"
  expect_ok "$kong" migrations finish -c "$conf"
  expect_eq "$out" "No pending migrations to finish" "$name: finish"
  expect_ok "$kong" migrations status -c "$conf"
  expect_contains "$out" '{"needs_bootstrap":false,"executed_migrations":{"core":["000_base",' "$name: status"
  expect_contains "$out" '"new_migrations":{"core":[]}' "$name: status"
  expect_ok "$kong" migrations list -q -c "$conf"
  expect_eq "$out" "" "$name: --quiet"

  echo "# $name: reset asks first; 'n' (or no answer) keeps the data"
  expect_ok "$kong" config db_import "$work/one.yml" -c "$conf"
  run "$kong" migrations reset -c "$conf" <<<"n"
  [ "$rc" -eq 0 ] || { describe migrations reset; fail "$name: declined reset: expected exit 0"; }
  expect_contains "$out" "> Are you sure? This operation is irreversible. [Y/n]" "$name: prompt"
  run "$kong" migrations reset -c "$conf" </dev/null
  [ "$rc" -eq 0 ] || { describe migrations reset; fail "$name: unanswered reset: expected exit 0"; }
  expect_ok "$kong" migrations list -c "$conf"
  expect_ok "$kong" config db_export "$work/$name-kept.yml" -c "$conf"
  expect_contains "$(cat "$work/$name-kept.yml")" "name: s" "$name: data kept after declined reset"

  echo "# $name: reset after 'y', and with --yes"
  run "$kong" migrations reset -c "$conf" <<<"y"
  [ "$rc" -eq 0 ] || { describe migrations reset; fail "$name: confirmed reset: expected exit 0"; }
  expect_contains "$out" "Database successfully reset" "$name: reset"
  run "$kong" migrations list -c "$conf"
  [ "$rc" -eq 3 ] || { describe migrations list; fail "$name: list after reset: expected exit 3"; }
  run "$kong" migrations reset --yes -c "$conf"
  [ "$rc" -eq 1 ] || { describe migrations reset --yes; fail "$name: reset of nothing: expected 1"; }
  expect_eq "$out" "Database not bootstrapped, nothing to reset" "$name: reset of nothing"
  expect_ok "$kong" migrations bootstrap -c "$conf"
  expect_ok "$kong" migrations reset -y -c "$conf"
  expect_contains "$out" $'Resetting database...\nDatabase successfully reset' "$name: reset -y"
  [[ $out != *"Are you sure"* ]] || fail "$name: --yes still prompted"
}

echo "# usage"
run "$kong" migrations
[ "$rc" -eq 1 ] || fail "no subcommand: expected exit 1"
expect_contains "$err" "Usage: kong migrations COMMAND [OPTIONS]" "usage"
expect_ok "$kong" migrations --help
expect_contains "$out" " -y,--yes" "help"
run "$kong" migrations frobnicate -c /nonexistent.conf
[ "$rc" -eq 1 ] || fail "unknown subcommand: expected exit 1"
printf 'database = off\n' >off.conf
expect_fail_one_line "$kong" migrations list -c off.conf
expect_eq "$err" "Error: cannot run migrations with database=off" "database=off"

run_backend sqlite "database = sqlite"$'\n'"sqlite_path = $work/kong.db"
if [ -n "$pg_host" ]; then
  run_backend postgres "$(printf '%s\n' "database = postgres" "pg_host = $pg_host" \
    "pg_port = $pg_port" "pg_user = $pg_user" "pg_database = $pg_database" \
    "pg_schema = kong_migrations_e2e_$$_$RANDOM")"
else
  echo "# postgres variant skipped: KONG_TEST_PG_* not set"
fi
echo "PASS"
