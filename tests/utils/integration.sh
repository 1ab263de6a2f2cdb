#!/usr/bin/env bash
# make integration: run every integration target once, at -vvvv, where Ansible prints
# every task result and module invocation. The run must pass, and the API key the
# targets use must appear nowhere in its output or in the files ansible-test wrote;
# the targets assert separately that Palette (the emulator) did receive that key.
# The full log is kept in tests/output/integration-vvvv.log; the console gets the
# outline, and the log's tail when something fails.
set -euo pipefail

collection=${1:?usage: integration.sh COLLECTION}
key=PLACEHOLDER-APIKEY-7f3a9c

cd "$collection"
log=tests/output/integration-vvvv.log
mkdir -p tests/output
rm -rf tests/output/results tests/output/junit

status=0
ansible-test integration --venv --python "${ANSIBLE_TEST_PYTHON:-3.11}" --requirements \
  --color no -vvvv >"$log" 2>&1 || status=$?
grep -E '^Running [a-z_]+ integration test (role|script)|^(PLAY RECAP|[a-z0-9_.-]+ +: ok=)|^FATAL' "$log" || true
if [ "$status" -ne 0 ]; then
  tail -n 120 "$log"
  echo "integration: the run failed (exit $status); full log: $collection/$log"
  exit 1
fi

targets=$(grep -cE '^Running [a-z_]+ integration test (role|script)' "$log" || true)
hits=$(grep -cF "$key" "$log" || true)
files=$(grep -rlF "$key" tests/output/results tests/output/junit 2>/dev/null || true)
if [ "$hits" -ne 0 ] || [ -n "$files" ]; then
  grep -nF "$key" "$log" | head -n 20
  echo "leak-check: the API key appears $hits times in the -vvvv output; files: ${files:-none}"
  exit 1
fi
echo "leak-check: key absent from $(wc -l <"$log") lines of -vvvv output of $targets targets"
