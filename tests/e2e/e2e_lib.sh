# Shared helpers for the e2e scripts (sourced, not run): a temp folder, command capture, checks.
# Each script takes the binary under test as $1 and exits 0 (pass), 77 (skip) or 1 (fail).

work=$(mktemp -d "${TMPDIR:-/tmp}/konghybrid-e2e-XXXXXX")
work=$(cd "$work" && pwd -P)
trap 'rm -rf "$work"' EXIT

# The caller's KONG_* variables must not leak into the configurations under test.
for var in $(compgen -e); do
  case $var in KONG_*) unset "$var" ;; esac
done

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# run CMD...: runs it, leaving the exit code in $rc and its output in $out / $err.
run() {
  set +e
  "$@" >"$work/.stdout" 2>"$work/.stderr"
  rc=$?
  set -e
  out=$(cat "$work/.stdout")
  err=$(cat "$work/.stderr")
}

describe() { echo "  command: $*"; echo "  exit: $rc"; echo "  stdout: $out"; echo "  stderr: $err"; }

# expect_fail_one_line CMD...: non-zero exit, nothing on stdout, exactly one line on stderr.
expect_fail_one_line() {
  run "$@"
  [ "$rc" -ne 0 ] || { describe "$@"; fail "expected a non-zero exit"; }
  [ -z "$out" ] || { describe "$@"; fail "expected nothing on stdout"; }
  [ "$(wc -l <"$work/.stderr")" -eq 1 ] || { describe "$@"; fail "expected exactly one stderr line"; }
}

# expect_ok CMD...: exit 0 and nothing on stderr.
expect_ok() {
  run "$@"
  [ "$rc" -eq 0 ] || { describe "$@"; fail "expected exit 0"; }
  [ -z "$err" ] || { describe "$@"; fail "expected nothing on stderr"; }
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }

# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() {
  case $1 in *"$2"*) ;; *) fail "$3: '$2' not found in: $1" ;; esac
}

# expect_empty_dir DIR
expect_empty_dir() {
  [ -z "$(ls -A "$1")" ] || fail "expected $1 to stay empty, found: $(ls -A "$1" | tr '\n' ' ')"
}

mode_of() { stat -c %a "$1"; }
