#!/usr/bin/env bash
# Install the Debian packages the checks and the demo use when they are missing: the
# linter that ansible-test's shell sanity test runs, nginx for the sso_gateway role (its
# integration target and make demo), and Chromium, which renders the role's landing
# page in that target. Without root it only says what is missing.
# usage: system-packages.sh [all|nginx]
set -euo pipefail

# With the argument "nginx" (make demo) only nginx is looked for.
missing=()
if [ "${1:-all}" = all ]; then
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v chromium >/dev/null || missing+=(chromium)
fi
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
