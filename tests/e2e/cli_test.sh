#!/usr/bin/env bash
# e2e: kong's help, usage and version output and its global --v/--vv flags.
# Usage: cli_test.sh <kong>
set -euo pipefail
kong=$(realpath "$1")
source "$(dirname "$0")/e2e_lib.sh"
cd "$work"

echo "# help goes to stdout with exit 0"
for args in "help" "--help" "-h"; do
  # shellcheck disable=SC2086
  expect_ok "$kong" $args
  expect_contains "$out" "Usage: kong COMMAND [OPTIONS]" "kong $args"
  expect_contains "$out" " hybrid" "kong $args lists hybrid"
done
check_help() {  # expected usage line, then the kong arguments
  local want=$1
  shift
  expect_ok "$kong" "$@"
  expect_contains "$out" "$want" "kong $*"
  expect_contains "$out" "--vv" "kong $* lists the global options"
}
check_help "Usage: kong hybrid COMMAND [OPTIONS]" hybrid --help
check_help "Usage: kong hybrid COMMAND [OPTIONS]" hybrid gen_cert --help
check_help "Usage: kong hybrid COMMAND [OPTIONS]" hybrid -h
check_help "Usage: kong hybrid COMMAND [OPTIONS]" help hybrid
check_help "Usage: kong check <conf>" check --help
check_help "Usage: kong version [OPTIONS]" version --help
[ ! -e cluster.crt ] || fail "gen_cert --help wrote a certificate"

echo "# version"
expect_ok "$kong" version
[[ $out =~ ^Kong\ [0-9]+\.[0-9]+\.[0-9]+\ \(libkonghybrid\ [0-9]+\.[0-9]+\.[0-9]+\)$ ]] || fail "version line: $out"
expect_ok "$kong" version --all
expect_contains "$out" "libkonghybrid: " "version --all"
expect_ok "$kong" --v version
expect_contains "$out" "(libkonghybrid " "kong --v version"
expect_ok "$kong" version --vv
expect_fail_one_line "$kong" version extra
expect_eq "$err" "Error: unexpected argument: extra" "version with an extra argument"

echo "# usage errors"
run "$kong"
[ "$rc" -ne 0 ] || fail "kong with no command succeeded"
expect_contains "$err" "Usage: kong COMMAND" "kong alone"
[ -z "$out" ] || fail "kong alone wrote to stdout"
expect_fail_one_line "$kong" drain
expect_eq "$err" "No such command: drain" "unknown command"
expect_fail_one_line "$kong" help nosuch
expect_eq "$err" "No such command: nosuch" "help for an unknown command"
echo "PASS"
