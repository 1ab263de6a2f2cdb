#!/usr/bin/env bash
# make bench / make bench-smoke: install the collection privately, run bench.py against
# the Palette emulator, then plot the task times with matplotlib from .venv-bench.
#   bench.sh COLLECTION OUT [bench.py options...]
# COLLECTION is the synced copy from the Makefile; the built tarball is installed under
# build/bench-collections, never into ~/.ansible/collections.
set -euo pipefail

collection=${1:?usage: bench.sh COLLECTION OUT [bench.py options]}
out=${2:?usage: bench.sh COLLECTION OUT [bench.py options]}
shift 2
cd "$(dirname "$0")/../.."
case " $* " in
  *" -h "* | *" --help "*) exec python tests/bench/bench.py --help ;;
esac
root=$(pwd)
venv=$root/${BENCH_VENV:-.venv-bench}
installed=$root/build/bench-collections

# matplotlib lives in its own venv, rebuilt when the pinned list changes; the project's
# .venv (ansible-core, requests, voluptuous) runs the playbooks.
stamp=$venv/.installed
if [ ! -e "$stamp" ] || [ tests/bench/requirements.txt -nt "$stamp" ]; then
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r tests/bench/requirements.txt
  touch "$stamp"
fi

rm -rf "$installed"
# Naming the private path keeps ansible-galaxy from warning that it is not configured.
ANSIBLE_COLLECTIONS_PATH=$installed tests/utils/install-collection.sh "$collection" "$installed" >/dev/null

mkdir -p "$out"
# The Makefile puts .venv/bin first in PATH: its Python runs ansible-playbook.
python -u tests/bench/bench.py --collections "$installed" --out "$out" "$@"
"$venv/bin/python" tests/bench/plot.py "$out/results.json" "$out/task-time.png"
