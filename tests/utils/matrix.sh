#!/usr/bin/env bash
# make matrix: the newest leg of the version matrix. `make sanity units integration` test
# the oldest supported ansible-core (2.19, the project venv) on Python 3.11; this script
# runs the same three checks with the newest ansible-core (2.21.x, which needs Python
# 3.12) from its own venv, against its own copy of the collection. A machine without
# Python 3.12 skips this leg and says so on the last line.
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$(pwd)
core=${MATRIX_ANSIBLE_CORE:-2.21.5}
venv=$root/${MATRIX_VENV:-.venv-2.21}
collection=$root/${MATRIX_BUILD:-build/matrix}/ansible_collections/spectrocloud/palette
leg="ansible-core $core on Python 3.12"

# python3.12 from PYTHON312, PATH or pyenv; a pyenv shim for a version that is not
# selected exists on PATH but fails, so each candidate has to run.
find_python() {
  local candidate pyenv_root
  pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for candidate in "${PYTHON312:-}" "$(command -v python3.12 || true)" \
      $(find "$pyenv_root/versions" -maxdepth 3 -path '*/3.12.*/bin/python3.12' 2>/dev/null \
        | sort -V -r); do
    [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' \
      2>/dev/null && { echo "$candidate"; return 0; }
  done
  return 1
}
if ! python=$(find_python); then
  echo "matrix: SKIPPED $leg: no working python3.12 here (set PYTHON312 or install it with pyenv)"
  exit 0
fi

# ansible-test makes its venvs from the python3.12 it finds on PATH.
PATH=$venv/bin:$(dirname "$python"):$PATH
export PATH

# The venv holds what .venv holds (tests/requirements-dev.txt, the pins of
# tests/constraints.txt) with the newest ansible-core instead of the oldest.
stamp=$venv/.installed-$core
if [ ! -e "$stamp" ] || [ -n "$(find requirements.txt tests/requirements-dev.txt \
    tests/constraints.txt -newer "$stamp")" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  grep -v '^ansible-core==' tests/constraints.txt >"$venv/constraints.txt"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r tests/requirements-dev.txt -c "$venv/constraints.txt" "ansible-core==$core"
  touch "$stamp"
fi
[ -e "$HOME/.ansible/test/cache/get_pip_25_2.py" ] || {
  echo "matrix: ~/.ansible/test/cache/get_pip_25_2.py is missing; run it through make matrix" >&2
  exit 1
}

tests/utils/sync-collection.sh "$collection"
cd "$collection"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Each check must show that it ran something, as tests/utils/run-checks.sh asks.
results=() failed=0
run() {
  local name=$1 proof=$2 start=$SECONDS status=0
  shift 2
  echo "--- $leg: ansible-test $name"
  ansible-test "$name" --venv --python 3.12 --color no "$@" 2>&1 | tee "$log" || status=$?
  if [ "$status" -eq 0 ] && ! grep -Eq "$proof" "$log"; then
    echo "matrix: ansible-test $name exited 0 but ran no test"
    status=1
  fi
  [ "$status" -eq 0 ] || failed=$((failed + 1))
  results+=("$name $([ "$status" -eq 0 ] && echo ok || echo FAILED) ($((SECONDS - start)) s)")
}
run sanity '^Running sanity test '
run units '[0-9]+ passed' --requirements
run integration '^Running [a-z_]+ integration test role' --requirements

summary=$(IFS=,; echo "${results[*]}")
echo "matrix: $leg: ${summary//,/, }"
[ "$failed" -eq 0 ]
