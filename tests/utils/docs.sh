#!/usr/bin/env bash
# make docs: an HTML docsite of COLLECTION (the synced copy under
# ansible_collections/spectrocloud/palette) in DEST (default build/docsite): the module,
# lookup, filter and role references that antsibull-docs writes from the plugins' own
# documentation, and the Markdown guides of docs/ next to them. Offline: no intersphinx.
#   docs.sh COLLECTION [DEST]          build DEST/html/index.html
#   docs.sh changelog COLLECTION OUT   write the changelog preview (see below) to OUT
set -euo pipefail
[ -z "${DOCS_TRACE:-}" ] || set -x

cd "$(dirname "$0")/../.."
root=$(pwd)
tests/utils/lint.sh venv
PATH=$root/${LINT_VENV:-.venv-lint}/bin:$PATH
export PATH NO_COLOR=1 ANSIBLE_NOCOLOR=1

mode=site
if [ "${1:-}" = changelog ]; then
  mode=changelog
  shift
fi
collection=$(cd "${1:?usage: docs.sh COLLECTION [DEST] | docs.sh changelog COLLECTION OUT}" && pwd)
ANSIBLE_COLLECTIONS_PATH=$(cd "$collection/../../.." && pwd)
export ANSIBLE_COLLECTIONS_PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The collection has not been released, so there is no changelogs/changelog.yaml and
# `antsibull-changelog release` must not run in the tree: it would record a release
# date, delete the fragments and claim a release that did not happen. The preview is
# that command run on a throwaway copy, for the version in galaxy.yml, with a note on
# top; on release day the real `antsibull-changelog release` replaces it.
if [ "$mode" = changelog ]; then
  out=${2:?usage: docs.sh changelog COLLECTION OUT}
  copy=$work/collection
  mkdir -p "$copy"
  cp -a "$collection/galaxy.yml" "$collection/changelogs" "$collection/plugins" "$copy/"
  [ ! -d "$collection/roles" ] || cp -a "$collection/roles" "$copy/"
  rm -f "$copy/changelogs/changelog.yaml" "$copy/changelogs/.plugin-cache.yaml"
  version=$(sed -n 's/^version: *//p' "$copy/galaxy.yml")
  (cd "$copy" && antsibull-changelog release --version "$version" --date 1970-01-01 >/dev/null)
  {
    sed -n '1p' "$copy/CHANGELOG.md"
    echo
    echo "> **Not released yet.** This is a preview of the $version notes, built from"
    echo "> \`changelogs/fragments/\` by \`make changelog\`. On release day"
    echo "> \`antsibull-changelog release\` writes \`changelogs/changelog.yaml\` and this file."
    sed -n '2,$p' "$copy/CHANGELOG.md"
  } >"$out"
  exit 0
fi

dest=${2:-$root/build/docsite}
site=$work/site
mkdir -m 0700 "$site"   # antsibull-docs insists that only its owner can write there

antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$site" \
  --project spectrocloud.palette --title "spectrocloud.palette" \
  --copyright "Spectro Cloud Palette collection contributors" \
  spectrocloud.palette >/dev/null
mkdir -m 0700 "$site/rst/collections"
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --use-current \
  --fail-on-error --cleanup everything --dest-dir "$site/rst" spectrocloud.palette >/dev/null

# The guides stay Markdown in docs/; myst-parser reads them as they are. Links that
# leave docs/ point at READMEs, which come along as guides too.
guides=$site/rst/guides
mkdir -p "$guides"
cp "$collection"/docs/*.md "$guides/"
[ ! -d "$collection/docs/images" ] || cp -a "$collection/docs/images" "$guides/"
cp "$collection/tests/emulator/README.md" "$guides/emulator.md"
for readme in "$collection"/roles/*/README.md; do
  [ -e "$readme" ] || continue
  role=$(basename "$(dirname "$readme")")
  cp "$readme" "$guides/role-$role.md"
  sed -i "s#](\.\./roles/$role/README\.md#](role-$role.md#g" "$guides"/*.md
done
sed -i 's#](\.\./tests/emulator/README\.md#](emulator.md#g' "$guides"/*.md

{
  echo "spectrocloud.palette"
  echo "===================="
  echo
  echo "Read a Spectro Cloud Palette organisation's login settings and build SSO-dependent"
  echo "infrastructure from them."
  echo
  echo ".. toctree::"
  echo "   :maxdepth: 1"
  echo "   :caption: Guides"
  echo
  # docs/ in reading order; any other page (a README a guide links to) is listed hidden.
  main="user-guide lookup role security performance api-definition development"
  for guide in $main; do
    [ ! -e "$guides/$guide.md" ] || echo "   guides/$guide"
  done
  echo
  echo ".. toctree::"
  echo "   :maxdepth: 2"
  echo "   :caption: Reference"
  echo
  echo "   collections/spectrocloud/palette/index"
  echo "   collections/environment_variables"
  echo
  echo ".. toctree::"
  echo "   :hidden:"
  echo "   :glob:"
  echo
  for page in "$guides"/*.md; do
    page=$(basename "$page" .md)
    case " $main " in *" $page "*) ;; *) echo "   guides/$page" ;; esac
  done
  echo "   collections/index"
  echo "   collections/index_*"
} >"$site/rst/index.rst"

# The references point into Ansible's own documentation (common return values, the
# configuration settings, ANSIBLE_* variables), which an offline build cannot fetch as an
# intersphinx inventory. One page holds those targets and links them to docs.ansible.com,
# so that -W still fails on any other broken reference.
ansible_docs=https://docs.ansible.com/projects/ansible/latest
{
  echo ":orphan:"
  echo
  echo "Ansible's own documentation"
  echo "==========================="
  echo
  echo ".. _common_return_values:"
  echo
  echo "Common return values"
  echo "--------------------"
  echo
  echo "$ansible_docs/reference_appendices/common_return_values.html"
  echo
  echo ".. _ansible_configuration_settings:"
  echo
  echo "Configuration settings"
  echo "----------------------"
  echo
  echo "$ansible_docs/reference_appendices/config.html"
  echo
  # shellcheck disable=SC2016  # the backquotes are reStructuredText, not the shell's
  grep -rhoE ':ansenvvarref:`[A-Z0-9\\_]+`' "$site/rst/collections" \
    | sed -e 's/.*`\(.*\)`/\1/' -e 's/\\//g' | grep '^ANSIBLE_' | sort -u \
    | while read -r variable; do
      echo ".. envvar:: $variable"
      echo
      echo "   An Ansible setting: $ansible_docs/reference_appendices/config.html"
      echo
    done
} >"$site/rst/ansible-docs.rst"

# Offline: no intersphinx inventories to download. Markdown through myst-parser, with
# anchors for the headings that the guides link to (user-guide.md#connection-options).
cat >>"$site/conf.py" <<'EOF'

intersphinx_mapping = {}
extensions.append('myst_parser')
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3
EOF

sphinx-build -q -b html -W --keep-going -c "$site" "$site/rst" "$work/html"
rm -rf "$dest"
mkdir -p "$dest"
mv "$work/html" "$dest/html"
pages=$(find "$dest/html" -name '*.html' | wc -l)
echo "docs: $pages pages in $dest/html (open $dest/html/index.html)"
