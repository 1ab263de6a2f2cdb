#!/usr/bin/env bash
# make leak-check: run the integration targets at -vvvv, where Ansible prints every
# task result and module invocation, and fail if the API key the tests use appears in
# any output or in any file ansible-test wrote. The targets assert separately that the
# emulator did receive that key, so a run that never used it cannot pass unnoticed.
set -euo pipefail

collection=${1:?usage: leak-check.sh COLLECTION}
key=PLACEHOLDER-APIKEY-7f3a9c
log=$(mktemp)
trap 'rm -f "$log"' EXIT

cd "$collection"
rm -rf tests/output/results tests/output/junit
status=0
ansible-test integration --venv --python "${ANSIBLE_TEST_PYTHON:-3.11}" --requirements \
  --color no -vvvv >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  tail -n 60 "$log"
  echo "leak-check: the integration run at -vvvv failed (exit $status)"
  exit 1
fi

targets=$(grep -cE '^Running [a-z_]+ integration test role' "$log" || true)
hits=$(grep -cF "$key" "$log" || true)
files=$(grep -rlF "$key" tests/output/results tests/output/junit 2>/dev/null || true)
if [ "$hits" -ne 0 ] || [ -n "$files" ]; then
  grep -nF "$key" "$log" | head -n 20
  echo "leak-check: the API key appears $hits times in the -vvvv output; files: ${files:-none}"
  exit 1
fi
echo "leak-check: key absent from $(wc -l <"$log") lines of -vvvv output of $targets targets"
