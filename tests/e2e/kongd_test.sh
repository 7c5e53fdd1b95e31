#!/usr/bin/env bash
# e2e: kongd refuses a bad configuration with one line and exit 1, and for now refuses a valid
# one with exit 2 (the roles arrive in later issues). Usage: kongd_test.sh <kongd>
set -euo pipefail
kongd=$(realpath "$1")
source "$(dirname "$0")/e2e_lib.sh"
cd "$work"

echo "# bad configuration: one line, exit 1"
printf 'role = bogus\n' >bad.conf
expect_fail_one_line "$kongd" -c bad.conf
[ "$rc" -eq 1 ] || fail "bad config: expected exit 1, got $rc"
expect_contains "$err" "Error: role has an invalid value: 'bogus'" "bad role"
expect_fail_one_line "$kongd" -c "$work/missing.conf"
[ "$rc" -eq 1 ] || fail "missing config: expected exit 1, got $rc"
expect_contains "$err" "$work/missing.conf" "missing config"
printf 'role = control_plane\n' >cp.conf
expect_fail_one_line "$kongd" --conf cp.conf
expect_eq "$err" "Error: cluster certificate and key must be provided to use Hybrid mode" "cp without a certificate"

echo "# bad arguments: one line, exit 1"
expect_fail_one_line "$kongd" --bogus
expect_eq "$err" "Error: unrecognized parameter: --bogus" "unknown option"
expect_fail_one_line "$kongd" -c
expect_eq "$err" "Error: --conf needs a value" "missing value"

echo "# a valid configuration is refused honestly: exit 2"
: >empty.conf
run "$kongd" -c empty.conf -p "$work/prefix"
[ "$rc" -eq 2 ] || { describe kongd -c empty.conf; fail "expected exit 2"; }
expect_eq "$err" "kongd: role traditional is not available in this build yet" "role refusal"
[ -z "$out" ] || fail "kongd wrote to stdout: $out"

expect_ok "$kongd" --help
expect_contains "$out" "Usage: kongd" "kongd --help"
echo "PASS"
