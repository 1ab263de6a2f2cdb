#!/usr/bin/env bash
# Run each named check (a make target), go on after a failure, and end with one line
# that counts them. A check that ran no test counts as failed, never as passed.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# What a check's output must show to prove it ran something.
declare -A proof=(
  [sanity]='^Running sanity test '
  [units]='[0-9]+ passed'
  [integration]='^leak-check: key absent from [0-9]+ lines of -vvvv output of [1-9][0-9]* targets'
  [release-check]='^release-check: [0-9]+ passed, 0 failed \([1-9][0-9]* plugins'
  [lint]='^lint: [1-9][0-9]* passed, 0 failed'
  [docs]='^docs: [1-9][0-9]* pages in '
  [bench-smoke]='^bench: [1-9][0-9]* figures measured, [0-6] of 6 goals met'
  [matrix]='^matrix: (ansible-core [0-9.]+ on Python 3\.12: sanity ok.*units ok.*integration ok|SKIPPED)'
)

passed=0 failed=0 skipped=0 failures=()
for check in "$@"; do
  echo "=== make $check"
  start=$SECONDS
  make --no-print-directory "$check" 2>&1 | tee "$logs/$check.log"
  status=${PIPESTATUS[0]}

  if [ "$status" -eq 0 ] && [ -n "${proof[$check]:-}" ] \
      && ! grep -Eq "${proof[$check]}" "$logs/$check.log"; then
    echo "make $check: exited 0 but ran no test; counted as a failure"
    status=1
  fi
  if [ "$status" -eq 0 ] && grep -Eq "^$check: SKIPPED" "$logs/$check.log"; then
    if [ -n "${CI:-}" ]; then
      # A developer's machine may lack what a check needs; CI's must have it.
      echo "make $check: skipped under CI, where it must run; counted as a failure"
      status=1
    fi
  fi
  if [ "$status" -eq 0 ] && grep -Eq "^$check: SKIPPED" "$logs/$check.log"; then
    skipped=$((skipped + 1))
  elif [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$check")
  fi
  echo "=== make $check: $([ "$status" -eq 0 ] && echo ok || echo FAILED) in $((SECONDS - start)) s"
done

[ "$failed" -eq 0 ] || echo "failed checks: ${failures[*]}"
echo "checks: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
