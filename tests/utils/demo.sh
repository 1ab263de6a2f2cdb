#!/usr/bin/env bash
# make demo: build and install the collection, start the emulator, run the example
# playbook against it. COLLECTION is the synced copy from the Makefile.
set -euo pipefail

collection=${1:?usage: demo.sh COLLECTION}
cd "$(dirname "$0")/../.."
installed=$(pwd)/build/demo-collections

tarball=$(tests/utils/install-collection.sh "$collection" "$installed")
echo "Installed $(basename "$tarball") into $installed"

export ANSIBLE_COLLECTIONS_PATH=$installed
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
tests/utils/with-emulator.sh ansible-playbook docs/examples/org_info.yml
