#!/usr/bin/env bash
# e2e: `kong hybrid gen_cert` writes Kong's pair (checked with openssl), refuses to overwrite,
# and rejects bad arguments with one stderr line and no files. Usage: gen_cert_test.sh <kong>
set -euo pipefail
kong=$(realpath "$1")
source "$(dirname "$0")/e2e_lib.sh"
command -v openssl >/dev/null || skip "openssl is not installed"

# validity_seconds CERT: notAfter - notBefore in seconds.
validity_seconds() {
  local start end
  start=$(openssl x509 -in "$1" -noout -startdate | sed 's/^notBefore=//')
  end=$(openssl x509 -in "$1" -noout -enddate | sed 's/^notAfter=//')
  echo $(( $(date -u -d "$end" +%s) - $(date -u -d "$start" +%s) ))
}

echo "# defaults: ./cluster.crt and ./cluster.key, made absolute"
mkdir "$work/defaults"
cd "$work/defaults"
expect_ok "$kong" hybrid gen_cert
expect_eq "$out" "Successfully generated certificate/key pairs, they have been written to: '$work/defaults/cluster.crt' and '$work/defaults/cluster.key'." "success line"
expect_eq "$(mode_of cluster.crt)" 644 "certificate mode"
expect_eq "$(mode_of cluster.key)" 600 "key mode"
expect_eq "$(ls -A | tr '\n' ' ')" "cluster.crt cluster.key " "folder contents"

names=$(openssl x509 -in cluster.crt -noout -subject -issuer -dates)
expect_contains "$names" "subject=CN = kong_clustering" "subject"
expect_contains "$names" "issuer=CN = kong_clustering" "issuer"
expect_eq "$(validity_seconds cluster.crt)" $((1095 * 86400)) "default validity"
text=$(openssl x509 -in cluster.crt -noout -text)
expect_contains "$text" "Version: 1 (0x0)" "certificate version"
expect_contains "$text" "Serial Number: 0 (0x0)" "serial"
expect_contains "$text" "Signature Algorithm: ecdsa-with-SHA256" "signature"
[[ $text != *"X509v3 extensions"* ]] || fail "certificate has extensions"
expect_eq "$(head -1 cluster.key)" "-----BEGIN PRIVATE KEY-----" "key PEM header (PKCS#8)"
keytext=$(openssl pkey -in cluster.key -noout -text)
expect_contains "$keytext" "384 bit" "key size"
[[ $keytext == *"secp384r1"* || $keytext == *"NIST CURVE: P-384"* ]] || fail "key curve: $keytext"
expect_eq "$(openssl pkey -in cluster.key -pubout)" "$(openssl x509 -in cluster.crt -noout -pubkey)" "key matches certificate"

echo "# a second run refuses to overwrite and touches neither file"
before=$(sha256sum cluster.crt cluster.key; stat -c '%y %a' cluster.crt cluster.key)
run "$kong" hybrid gen_cert
[ "$rc" -ne 0 ] || fail "second run succeeded"
expect_eq "$err" "Error: $work/defaults/cluster.crt already exists.
Will not overwrite it." "second run message"
expect_eq "$(sha256sum cluster.crt cluster.key; stat -c '%y %a' cluster.crt cluster.key)" "$before" "files after the second run"

echo "# only the key exists: named in the refusal, and no certificate is written"
mkdir "$work/keyonly"
echo "precious" >"$work/keyonly/c.key"
run "$kong" hybrid gen_cert "$work/keyonly/c.crt" "$work/keyonly/c.key"
[ "$rc" -ne 0 ] || fail "run over an existing key succeeded"
expect_eq "$err" "Error: $work/keyonly/c.key already exists.
Will not overwrite it." "existing key message"
expect_eq "$(ls -A "$work/keyonly")" "c.key" "keyonly folder"
expect_eq "$(cat "$work/keyonly/c.key")" "precious" "existing key content"

echo "# explicit paths and --days"
n=0
for days_arg in "--days 30" "-d 30" "--days=30"; do
  n=$((n + 1))
  dir=$work/days-$n
  mkdir "$dir"
  # shellcheck disable=SC2086 # the option and its value are two words on purpose
  expect_ok "$kong" hybrid gen_cert "$dir/a.crt" "$dir/a.key" $days_arg
  expect_eq "$(validity_seconds "$dir/a.crt")" $((30 * 86400)) "validity with $days_arg"
done
mkdir "$work/relative"
cd "$work/relative"
expect_ok "$kong" hybrid gen_cert sub.crt ./sub.key --days 1
expect_contains "$out" "'$work/relative/sub.crt' and '$work/relative/sub.key'" "relative paths made absolute"

echo "# bad arguments: one stderr line, non-zero exit, no files"
bad=$work/bad
mkdir "$bad"
cd "$bad"
check_bad() {  # expected stderr line, then the kong arguments
  local want=$1
  shift
  expect_fail_one_line "$kong" "$@"
  expect_eq "$err" "$want" "stderr of kong $*"
  expect_empty_dir "$bad"
}
check_bad "Error: invalid value for --days: '0' (expected a whole number of days, 1 or more)" hybrid gen_cert --days 0
check_bad "Error: invalid value for --days: 'abc' (expected a whole number of days, 1 or more)" hybrid gen_cert --days abc
check_bad "Error: invalid value for --days: '-5' (expected a whole number of days, 1 or more)" hybrid gen_cert --days -5
check_bad "Error: invalid value for --days: '1.5' (expected a whole number of days, 1 or more)" hybrid gen_cert -d 1.5
check_bad "Error: --days needs a value" hybrid gen_cert --days
check_bad "Error: --days needs a value" hybrid gen_cert a.crt a.key --days=
check_bad "Error: unrecognized parameter: --bogus" hybrid gen_cert --bogus
check_bad "Error: both cert and key path needs to be provided" hybrid gen_cert only.crt
check_bad "Error: both cert and key path needs to be provided" hybrid gen_cert a.crt a.key c.key
check_bad "No such command for hybrid: foo" hybrid foo
check_bad "No such command: nosuch" nosuch
expect_fail_one_line "$kong" hybrid gen_cert "$bad/missing/c.crt" "$bad/missing/c.key"
expect_contains "$err" "$bad/missing" "missing folder message"
expect_empty_dir "$bad"
expect_fail_one_line "$kong" hybrid gen_cert "$bad/c.crt" "$bad/missing/c.key"
expect_empty_dir "$bad"
touch "$bad/plainfile"
expect_fail_one_line "$kong" hybrid gen_cert "$bad/c.crt" "$bad/plainfile/c.key"
expect_eq "$(ls -A "$bad")" "plainfile" "folder after a key path under a file"
rm "$bad/plainfile"
if [ "$(id -u)" -ne 0 ]; then  # root writes anywhere, so this needs an ordinary user
  mkdir "$bad/readonly"
  chmod 555 "$bad/readonly"
  expect_fail_one_line "$kong" hybrid gen_cert "$bad/readonly/c.crt" "$bad/readonly/c.key"
  expect_empty_dir "$bad/readonly"
  rmdir "$bad/readonly"
fi

echo "# kong hybrid alone: usage on stderr, non-zero"
run "$kong" hybrid
[ "$rc" -ne 0 ] || fail "kong hybrid succeeded"
expect_contains "$err" "Usage: kong hybrid COMMAND" "kong hybrid usage"
[ -z "$out" ] || fail "kong hybrid wrote to stdout"
expect_empty_dir "$bad"
echo "PASS"
