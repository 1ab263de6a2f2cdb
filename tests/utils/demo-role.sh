#!/usr/bin/env bash
# make demo (role part): run docs/examples/sso_gateway.yml against the Palette emulator
# with a private nginx on 127.0.0.1, show what /login answers, then stop that nginx.
# It uses the collection demo.sh installed under build/demo-collections; nginx must be
# installed.
set -euo pipefail

cd "$(dirname "$0")/../.."
installed=$(pwd)/build/demo-collections

command -v nginx >/dev/null || {
  echo "demo-role: nginx is not installed (apt-get install nginx-light)" >&2
  exit 1
}
[ -d "$installed/ansible_collections/spectrocloud/palette" ] || {
  echo "demo-role: the collection is not installed in $installed; run make demo" >&2
  exit 1
}

prefix=$(mktemp -d)
chmod 0755 "$prefix"   # nginx's workers may run as another user and must read the page
stop() {
  if [ -s "$prefix/logs/nginx.pid" ]; then
    kill "$(cat "$prefix/logs/nginx.pid")" && echo "Stopped the demo nginx"
  fi
  rm -rf "$prefix"
}
trap stop EXIT

export ANSIBLE_COLLECTIONS_PATH=$installed SSO_GATEWAY_PREFIX=$prefix
export SSO_GATEWAY_PORT=${SSO_GATEWAY_PORT:-18080} SSO_GATEWAY_ORG=${SSO_GATEWAY_ORG:-corp-oidc}
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
tests/utils/with-emulator.sh ansible-playbook docs/examples/sso_gateway.yml

sleep 0.3   # nginx has just started or reloaded
echo "--- curl -sI http://127.0.0.1:$SSO_GATEWAY_PORT/login"
curl -sI "http://127.0.0.1:$SSO_GATEWAY_PORT/login" | grep -Ei '^(HTTP/|Location:)'
echo "--- the links of the landing page, http://127.0.0.1:$SSO_GATEWAY_PORT/"
curl -s "http://127.0.0.1:$SSO_GATEWAY_PORT/" | grep -E '<a '
