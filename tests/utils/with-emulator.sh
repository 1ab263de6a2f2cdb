#!/usr/bin/env bash
# Run a command with the collection's Palette emulator up: HTTPS on 127.0.0.1 with a
# generated CA. The command sees SPECTROCLOUD_HOST and SPECTROCLOUD_CA_PATH (the
# collection's own settings) and PALETTE_EMULATOR_URL; the emulator stops afterwards,
# or by itself after 15 minutes whatever happens.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
state=$(mktemp -d)
ready="$state/ready.json"

stop() {
  "$python" "$here/../emulator/palette_emulator.py" --stop --ready-file "$ready" >/dev/null || true
  rm -rf "$state"
}
trap stop EXIT

"$python" "$here/../emulator/palette_emulator.py" --background --tls --lifetime 900 \
  --state-dir "$state/emulator" --ready-file "$ready" >/dev/null

field() { "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$ready" "$1"; }
SPECTROCLOUD_HOST=$(field url)
SPECTROCLOUD_CA_PATH=$(field ca_path)
PALETTE_EMULATOR_URL=$SPECTROCLOUD_HOST
export SPECTROCLOUD_HOST SPECTROCLOUD_CA_PATH PALETTE_EMULATOR_URL
echo "Palette emulator: $SPECTROCLOUD_HOST (CA $SPECTROCLOUD_CA_PATH)"

"$@"
