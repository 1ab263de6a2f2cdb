#!/usr/bin/env bash
# Copy the collection's files (what git tracks, plus new files it does not ignore) to
# DEST, which ends in ansible_collections/spectrocloud/palette: ansible-test needs that
# layout and the clone can be anywhere. DEST/tests/output is kept: ansible-test's warm
# state and results live there.
set -euo pipefail

dest=${1:?usage: sync-collection.sh DEST}
cd "$(dirname "$0")/../.."

mkdir -p "$dest"
# DEST is emptied below: refuse this tree itself or a directory holding it (a link can hide that).
case "$(pwd -P)/" in
  "$(cd "$dest" && pwd -P)/"*) echo "sync-collection.sh: $dest holds the source tree" >&2; exit 2 ;;
esac
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests ! -name .git -exec rm -rf {} +
if [ -d "$dest/tests" ]; then
  find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
fi

git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done \
  | tar --null --files-from=- -cf - \
  | tar -xf - -C "$dest"

# The copy is its own git work tree, so that ansible-test lists its files with git
# (honouring its .gitignore) instead of seeing them ignored by the clone's /build/.
[ -d "$dest/.git" ] || git -C "$dest" init --quiet
