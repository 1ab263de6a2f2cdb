#!/usr/bin/env bash
# make release-check: build the tarball from COLLECTION as a release would, install it
# into an empty directory with ansible-galaxy, and check that the installed copy works
# on its own: every plugin and role it holds has documentation that ansible-doc reads,
# and the example playbook it ships runs against the Palette emulator. The plugins are
# listed from the installed copy, so a new one is checked without editing this script.
set -euo pipefail

collection=${1:?usage: release-check.sh COLLECTION}
cd "$(dirname "$0")/../.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=tests/utils/checks.sh
. "$root/tests/utils/checks.sh"

tarball=$(tests/utils/install-collection.sh "$collection" "$work/collections")
installed=$work/collections/ansible_collections/spectrocloud/palette
# Only the installed copy is visible: no ~/.ansible/collections, no clone.
export ANSIBLE_COLLECTIONS_PATH=$work/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_LOCAL_TEMP=$work/tmp ANSIBLE_REMOTE_TMP=$work/tmp ANSIBLE_NOCOLOR=1

no_dev_files() {
  ! tar -tzf "$tarball" \
    | grep -E '(^|/)(tests/output|\.venv[^/]*|build|\.git|__pycache__)/|(^|/)Makefile$'
}
tarball_is_small() { [ "$(stat -c %s "$tarball")" -lt 1048576 ]; }
version_matches() {
  local built
  built=$(basename "$tarball" .tar.gz)
  [ "${built#spectrocloud-palette-}" = "$(sed -n 's/^version: *//p' galaxy.yml)" ]
}
only_installed_copy() {
  ansible-galaxy collection list spectrocloud.palette 2>/dev/null | tee "$work/list"
  [ "$(grep -c '^spectrocloud\.palette ' "$work/list")" -eq 1 ] \
    && grep -qF "# $work/collections/ansible_collections" "$work/list"
}

# Every plugin file and role of the installed copy, as TYPE NAME lines. The file names
# are the plugin names here (one filter per file); module_utils and doc_fragments are
# not plugins that ansible-doc shows.
list_contents() {
  local dir type file
  for dir in modules lookup filter test inventory callback connection become cache vars; do
    type=${dir%s}
    [ "$dir" = modules ] && type=module
    for file in "$installed/plugins/$dir"/*.py; do
      [ -e "$file" ] && [ "$(basename "$file")" != __init__.py ] \
        && echo "$type $(basename "$file" .py)"
    done
  done
  for file in "$installed"/roles/*/meta/argument_specs.yml; do
    [ -e "$file" ] && echo "role $(basename "$(dirname "$(dirname "$file")")")"
  done
  return 0
}
list_contents >"$work/contents"

# ansible-doc must list the plugin (a plugin whose DOCUMENTATION does not parse drops
# out of the list with only a warning) and show its page without a warning.
documented() {
  local type=$1 name=spectrocloud.palette.$2
  ansible-doc -t "$type" -l spectrocloud.palette 2>&1 | tee "$work/doc-list"
  # Plugins are listed as "NAME  description", roles as "NAME:" with their entry points.
  grep -Eq "^$name( |:)" "$work/doc-list" || { echo "ansible-doc -t $type -l does not list $name"; return 1; }
  ansible-doc -t "$type" "$name" >"$work/doc" 2>&1 || { cat "$work/doc"; return 1; }
  if grep -E '\[(WARNING|ERROR|DEPRECATION WARNING)\]' "$work/doc"; then return 1; fi
  [ "$(grep -c . "$work/doc")" -gt 5 ]
}

# What ansible-builder would add to an execution environment: the floors of
# meta/ee-requirements.txt, except voluptuous, which it leaves out of any collection's
# list (the user guide tells users to name it in their own definition).
ee_requirements() {
  "$root/tests/utils/lint.sh" venv
  "$root/${LINT_VENV:-.venv-lint}/bin/ansible-builder" introspect "$work/collections" \
    2>/dev/null | tee "$work/ee"
  grep -q "^- 'requests>=" "$work/ee" && grep -q "^- 'urllib3>=" "$work/ee"
}

# The playbook the installed copy ships, run from there (the tarball carries docs/).
example_playbook() {
  [ -f "$installed/docs/examples/org_info.yml" ] || { echo "docs/examples/org_info.yml not installed"; return 1; }
  (cd "$work" && PYTHON=${PYTHON:-python3} "$root/tests/utils/with-emulator.sh" \
    ansible-playbook "$installed/docs/examples/org_info.yml")
}

check "the tarball carries no development files" no_dev_files
check "the tarball is under 1 MiB" tarball_is_small
check "the tarball's version is galaxy.yml's ($(basename "$tarball"))" version_matches
check "ansible-galaxy sees only the installed copy" only_installed_copy
[ -s "$work/contents" ] || check "the installed copy holds plugins" false
while read -r type name; do
  check "ansible-doc -t $type spectrocloud.palette.$name from the installed copy" documented "$type" "$name"
done <"$work/contents"
check "ansible-builder introspect reads the installed meta/execution-environment.yml" ee_requirements
check "docs/examples/org_info.yml from the installed copy runs against the emulator" example_playbook

echo "release-check: $passed passed, $failed failed ($(wc -l <"$work/contents") plugins and roles documented)"
[ "$failed" -eq 0 ]
