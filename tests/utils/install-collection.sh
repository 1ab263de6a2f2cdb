#!/usr/bin/env bash
# Build the collection tarball from SOURCE and install it under DEST/ansible_collections,
# as a user would with ansible-galaxy. Prints the tarball's path.
set -euo pipefail

source_dir=${1:?usage: install-collection.sh SOURCE DEST}
dest=${2:?usage: install-collection.sh SOURCE DEST}

mkdir -p "$dest/dist"
ansible-galaxy collection build "$source_dir" --output-path "$dest/dist" --force >/dev/null
tarball=$(ls "$dest"/dist/spectrocloud-palette-*.tar.gz)
# With dest among the configured paths, galaxy does not warn that it is not.
ANSIBLE_COLLECTIONS_PATH=$dest ansible-galaxy collection install --offline --force "$tarball" -p "$dest" >/dev/null
echo "$tarball"
