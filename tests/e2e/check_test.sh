#!/usr/bin/env bash
# e2e: `kong check` on data-plane configurations, with and without KONG_DATABASE=off.
# Usage: check_test.sh <kong>
set -euo pipefail
kong=$(realpath "$1")
source "$(dirname "$0")/e2e_lib.sh"
cd "$work"

expect_ok "$kong" hybrid gen_cert "$work/cluster.crt" "$work/cluster.key"
cat >dp.conf <<CONF
role = data_plane
database = postgres
cluster_cert = $work/cluster.crt
cluster_cert_key = $work/cluster.key
cluster_control_plane = 127.0.0.1:8005
CONF

echo "# database = postgres on a data plane is Kong's error, exit 1"
run "$kong" check dp.conf
[ "$rc" -eq 1 ] || { describe kong check dp.conf; fail "expected exit 1"; }
expect_contains "$err" 'only in-memory storage can be used when role = "data_plane"' "data plane database error"
[[ $out != *"is valid"* ]] || fail "an invalid configuration was reported valid"

echo "# KONG_DATABASE=off in the environment overrides the file"
KONG_DATABASE=off expect_ok "$kong" check dp.conf
expect_eq "$out" "configuration at dp.conf is valid" "valid message"
KONG_DATABASE=off expect_ok "$kong" check "$work/dp.conf"
expect_eq "$out" "configuration at $work/dp.conf is valid" "valid message (absolute path)"

echo "# every error is printed, one per line"
cat >many.conf <<CONF
role = data_plane
database = postgres
cluster_cert = $work/cluster.crt
cluster_cert_key = $work/cluster.key
cluster_mtls = pki_check_cn
CONF
run "$kong" check many.conf
[ "$rc" -eq 1 ] || fail "many.conf: expected exit 1"
expect_contains "$err" "cluster_mtls has an invalid value: 'pki_check_cn' (shared, pki)" "enum error"
expect_contains "$err" 'only in-memory storage can be used when role = "data_plane"' "second error"
[ "$(grep -c '\[error\]' "$work/.stderr")" -ge 2 ] || fail "expected at least two [error] lines: $err"

echo "# a missing file is one error line"
expect_fail_one_line "$kong" check "$work/nope.conf"
expect_contains "$err" "$work/nope.conf" "missing file"
expect_fail_one_line "$kong" check a.conf b.conf
expect_eq "$err" "Error: unexpected argument: b.conf" "two files"
echo "PASS"
