#!/usr/bin/env bash
# make lint: the ecosystem's linters on COLLECTION (the synced copy under
# ansible_collections/spectrocloud/palette), each reported on its own, then one line
# that counts them. The tools live in .venv-lint, installed from tests/requirements-lint.txt.
#   lint.sh COLLECTION   run every linter
#   lint.sh venv         only create or refresh .venv-lint (docs.sh uses this)
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$(pwd)
venv=$root/${LINT_VENV:-.venv-lint}

# The venv is rebuilt when a file it was installed from changes.
ensure_venv() {
  local stamp=$venv/.installed
  if [ ! -e "$stamp" ] || [ -n "$(find requirements.txt tests/requirements-lint.txt \
      tests/constraints.txt -newer "$stamp")" ]; then
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r tests/requirements-lint.txt
    touch "$stamp"
  fi
}
ensure_venv
[ "${1:?usage: lint.sh COLLECTION | lint.sh venv}" = venv ] && exit 0

collection=$(cd "$1" && pwd)
collections_root=$(cd "$collection/../../.." && pwd)
[ "$(basename "$(dirname "$(dirname "$collection")")")" = ansible_collections ] || {
  echo "lint: $collection is not under ansible_collections/<namespace>/<name>" >&2
  exit 1
}
PATH=$venv/bin:$PATH
export PATH ANSIBLE_COLLECTIONS_PATH=$collections_root ANSIBLE_LINT_SKIP_SCHEMA_UPDATE=1
export NO_COLOR=1 ANSIBLE_NOCOLOR=1
# Caches go with ansible-test's own state, which the copy keeps between runs.
export RUFF_CACHE_DIR=$collection/tests/output/.ruff_cache
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$collection"

# shellcheck source=tests/utils/checks.sh
. "$root/tests/utils/checks.sh"

python_paths=(plugins tests/emulator tests/bench)
ruff_format() { ruff format --check --diff --config tests/ruff.toml "${python_paths[@]}"; }
ruff_check() { ruff check --config tests/ruff.toml --output-format concise "${python_paths[@]}"; }
# mypy runs from the folder above ansible_collections, so that the collection's
# absolute imports (ansible_collections.spectrocloud.palette...) resolve to this copy.
mypy_check() {
  local here=ansible_collections/spectrocloud/palette
  (cd "$collections_root" && mypy --config-file "$here/tests/mypy.ini" \
    --cache-dir "$collection/tests/output/.mypy_cache" "${python_paths[@]/#/$here/}")
}
lint_playbooks() { ansible-lint --offline --nocolor --format pep8; }
lint_plugin_docs() { antsibull-docs lint-collection-docs --plugin-docs .; }
lint_changelog() { antsibull-changelog lint; }
changelog_current() {
  "$root/tests/utils/docs.sh" changelog "$collection" "$work/CHANGELOG.md"
  diff -u CHANGELOG.md "$work/CHANGELOG.md" || {
    echo "CHANGELOG.md is not the preview of changelogs/fragments; run: make changelog"
    return 1
  }
}

check "ruff format: plugins/, tests/emulator/ and tests/bench/ are formatted" ruff_format
check "ruff check: plugins/, tests/emulator/ and tests/bench/" ruff_check
check "mypy: plugins/, tests/emulator/ and tests/bench/" mypy_check
check "ansible-lint, production profile: roles, playbooks, galaxy.yml, meta/" lint_playbooks
check "antsibull-docs lint-collection-docs --plugin-docs" lint_plugin_docs
check "antsibull-changelog lint: changelogs/" lint_changelog
check "CHANGELOG.md is the preview of changelogs/fragments" changelog_current

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
