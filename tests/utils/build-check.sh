#!/usr/bin/env bash
# make build-check: build the tarball from COLLECTION, install it into an empty
# directory as a user would, and check the installed copy works on its own.
set -euo pipefail

collection=${1:?usage: build-check.sh COLLECTION}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0
check() {
  local what=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    echo "ok: $what"
  else
    failed=$((failed + 1))
    echo "FAILED: $what"
    sed 's/^/    /' "$work/out"
  fi
}

tarball=$(tests/utils/install-collection.sh "$collection" "$work/collections")
installed=$work/collections/ansible_collections/spectrocloud/palette
export ANSIBLE_COLLECTIONS_PATH=$work/collections
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

no_dev_files() {
  ! tar -tzf "$tarball" | grep -E '(^|/)(tests/output|\.venv|build|\.git|__pycache__)/|(^|/)Makefile$'
}
tarball_is_small() { [ "$(stat -c %s "$tarball")" -lt 1048576 ]; }
installed_files() {
  for path in MANIFEST.json FILES.json meta/runtime.yml README.md \
      plugins/modules/palette_org_info.py plugins/lookup/palette_redirect_url.py \
      plugins/doc_fragments/palette.py \
      plugins/module_utils/_client.py; do
    [ -f "$installed/$path" ] || { echo "missing: $path"; return 1; }
  done
}
module_doc() {
  ansible-doc spectrocloud.palette.palette_org_info | grep -q 'ca_path'
}
lookup_doc() {
  ansible-doc -t lookup spectrocloud.palette.palette_redirect_url | grep -q 'cache_ttl'
}
example_playbook() {
  tests/utils/with-emulator.sh ansible-playbook docs/examples/org_info.yml
}

check "the tarball carries no development files" no_dev_files
check "the tarball is under 1 MiB" tarball_is_small
check "the installed collection has its files" installed_files
check "ansible-doc reads the module's documentation from the installed copy" module_doc
check "ansible-doc reads the lookup's documentation from the installed copy" lookup_doc
check "the example playbook runs against the emulator from the installed copy" example_playbook

echo "build-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
