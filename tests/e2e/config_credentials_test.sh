#!/usr/bin/env bash
# e2e: consumers' credentials through `kong config db_import|db_export` (SQLite): nested
# under consumers on import, top-level on export, the basic-auth password stored hashed and
# kept as is when the export is imported again; `plugins` without key-auth refuses them.
# Usage: config_credentials_test.sh <kong>
set -euo pipefail
kong=$(realpath "$1")
source "$(dirname "$0")/e2e_lib.sh"
cd "$work"

cat >creds.yml <<'YAML'
_format_version: "3.0"
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-key
  basicauth_credentials:
  - username: alice
    password: plain-secret
  acls:
  - group: admins
plugins:
- name: key-auth
- name: acl
  config:
    allow: [admins]
YAML

printf '%s\n' "prefix = $work/a" "database = sqlite" "sqlite_path = $work/a.db" >a.conf
printf '%s\n' "prefix = $work/b" "database = sqlite" "sqlite_path = $work/b.db" >b.conf
expect_ok "$kong" migrations bootstrap -c a.conf
expect_ok "$kong" migrations bootstrap -c b.conf

echo "# db_import of nested credentials, db_export writes them top-level"
expect_ok "$kong" config db_import creds.yml -c a.conf
expect_ok "$kong" config db_export "$work/first.yml" -c a.conf
first=$(cat first.yml)
for key in keyauth_credentials basicauth_credentials acls; do
  expect_contains "$first" "$key:" "export lists $key"
done
expect_contains "$first" "key: alice-key" "key exported"
expect_contains "$first" "group: admins" "group exported"
case "$first" in *plain-secret*) fail "the plain password was exported";; esac
hash=$(awk '/^  password: /{print $2}' first.yml)
[ "${#hash}" -eq 40 ] || fail "expected a 40-hex password hash, got '$hash'"
if grep -q plain-secret a.db; then fail "the plain password is in the database"; fi

echo "# the export imports again with the same hash"
expect_ok "$kong" config db_import first.yml -c b.conf
expect_ok "$kong" config db_export "$work/second.yml" -c b.conf
expect_eq "$(awk '/^  password: /{print $2}' second.yml)" "$hash" "hash after re-import"
diff <(grep -v 'updated_at: ' first.yml) <(grep -v 'updated_at: ' second.yml) \
  || fail "round trip changed the export"

echo "# plugins = acl: key-auth and its credentials are unknown"
printf '%s\n' "prefix = $work/c" "database = off" "plugins = acl" >c.conf
run "$kong" config parse creds.yml -c c.conf
[ "$rc" -eq 1 ] || fail "parse with plugins = acl: expected exit 1"
printf '%s\n' "prefix = $work/d" "database = off" "plugins = bundled,nope" >d.conf
run "$kong" config parse creds.yml -c d.conf
[ "$rc" -ne 0 ] || fail "an unknown plugin in plugins: expected a failure"
expect_contains "$err" "plugin 'nope' is enabled but not installed" "unknown plugin"
echo "PASS"
