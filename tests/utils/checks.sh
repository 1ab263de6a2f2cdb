# Sourced by the scripts that run a list of small checks (lint.sh, release-check.sh):
# `check WHAT COMMAND...` runs the command quietly, prints "ok: WHAT (N s)" or
# "FAILED: WHAT (N s)" with its output, and counts both in $passed and $failed. The
# caller provides $work, a scratch directory.
# shellcheck shell=bash

passed=0 failed=0
check() {
  local what=$1 start=$SECONDS
  shift
  : "${work:?checks.sh: the caller must set work to a scratch directory}"
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    echo "ok: $what ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "FAILED: $what ($((SECONDS - start)) s)"
    sed 's/^/    /' "$work/out"
  fi
}
