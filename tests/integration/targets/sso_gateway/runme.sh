#!/usr/bin/env bash
# Integration tests of the sso_gateway role: real nginx instances under private prefixes
# on 127.0.0.1, the collection's Palette emulator, inventories of 1, 5 and 40 local hosts.
#
# The sections whose hosts only render (D05, one org per play, C24: no nginx started,
# nothing listening) run in the background, against an emulator of their own so that
# their request counts are theirs, while the sections that drive the live gateway on
# 18080 run in the foreground. A playbook run of one host keeps about one core busy;
# the render-only runs use the other. Their log is printed when they are joined.
set -eux -o pipefail

python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
collection=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/spectrocloud/palette
emulator=$collection/tests/emulator/palette_emulator.py
here=$(pwd)

work=$(mktemp -d)
chmod 0755 "$work"   # nginx workers run as nobody and must reach the landing page
export GW_WORK=$work/gw ANSIBLE_LOCAL_TEMP=$work/tmp ANSIBLE_REMOTE_TMP=$work/tmp
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=false
# Every host is local; pipelining saves a temporary file per task and host (40 hosts below).
export ANSIBLE_PIPELINING=true

# Wall time per section, printed when the target ends (pass or fail), to keep its cost
# visible: it runs twice in make test (the oldest and the newest ansible-core).
timings=()
section_name=setup
section_start=${EPOCHREALTIME/./}   # microseconds
section() {
  local tenths=$(( (${EPOCHREALTIME/./} - section_start) / 100000 ))
  timings+=("$(printf '%4d.%d s  %s' $((tenths / 10)) $((tenths % 10)) "$section_name")")
  section_name=$1
  section_start=${EPOCHREALTIME/./}
}

stop_all() {
  { set +x; } 2>/dev/null
  section end
  printf 'sso_gateway section time: %s\n' "${timings[@]}" >&2
  if [ -n "${render_only_pid:-}" ] && kill -0 "$render_only_pid" 2>/dev/null; then
    kill -- -"$render_only_pid" 2>/dev/null || true   # its own process group, see below
    wait "$render_only_pid" 2>/dev/null || true
    tail -n 40 "$work/render-only.out" >&2
  fi
  for pid_file in "$GW_WORK"/*/logs/nginx.pid; do
    if [ -s "$pid_file" ]; then kill "$(cat "$pid_file")" 2>/dev/null || true; fi
  done
  for ready in "$work"/ready*.json; do
    "$python" "$emulator" --stop --ready-file "$ready" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap stop_all EXIT

refute() {  # run a command that must fail (`! cmd` would not stop `set -e`)
  if "$@"; then echo "expected to fail: $*" >&2; return 1; fi
}

ansible-playbook install_nginx.yml

for name in ready ready-render; do
  "$python" "$emulator" --background --tls --lifetime 1200 --state-dir "$work/emulator-$name" \
    --ready-file "$work/$name.json" >/dev/null
done
field() { "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/$1.json" "$2"; }
PALETTE_EMULATOR_URL=$(field ready url)
PALETTE_EMULATOR_CA=$(field ready ca_path)
export PALETTE_EMULATOR_URL PALETTE_EMULATOR_CA

emu() { curl -sf --cacert "$PALETTE_EMULATOR_CA" -X "$1" "$PALETTE_EMULATOR_URL/_emulator/$2" ${3:+--data-binary "$3"}; }
emu_count() { emu GET count | "$python" -c 'import json, sys; print(json.load(sys.stdin)["count"])'; }
org_json() { curl -sf --cacert "$PALETTE_EMULATOR_CA" "$PALETTE_EMULATOR_URL/v1/auth/org?orgName=$1" > "$work/$1.json"; }
# The emulator's demo-org fixture is handed-2's base body.
fixtures=$collection/tests/emulator/fixtures/orgs.json
demo_org() {  # demo-org: the base body with the fields given as a JSON object replaced
  local body=$work/demo-org.json   # check reads it too
  [ "$BASHPID" = $$ ] || body=$work/demo-org.$BASHPID.json   # the background's own
  "$python" -c 'import json, sys
body = json.load(open(sys.argv[2]))["orgs"]["demo-org"]
body.update(json.loads(sys.argv[1]))
print(json.dumps(body))' "$1" "$fixtures" > "$body"
  emu PUT orgs/demo-org "@$body"
}

# One host, gw, on port 18080.
echo "gw ansible_connection=local ansible_python_interpreter=$python gw_port=18080" > "$work/one"
play() { ansible-playbook -i "$work/one" "$here/site.yml" "$@" 2>&1 | tee "$work/last.log"; }
changed() { sed -n 's/^gw .*changed=\([0-9]*\).*/\1/p' "$work/last.log"; }
check() {  # the gateway on 18080 serves org $1; a reload may take a moment
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    "$python" "$here/check_gateway.py" 18080 "$work/$1.json" && return 0
    sleep 0.3
  done
  return 1
}
site=$GW_WORK/gw/conf/sites-available/sso_gateway.conf
tree_sum() { (cd "$GW_WORK/gw" && find conf html -type f -o -type l | sort | xargs sha256sum); }
location() { curl -sI http://127.0.0.1:18080/login | tr -d '\r' | sed -n 's/^Location: //p'; }
wait_location() {  # /login redirects to $1, once nginx's workers have reloaded
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ "$(location)" = "$1" ] && return 0
    sleep 0.3
  done
  return 1
}
login_return() {  # the live configuration, as nginx reads it, returns 302 $1 at /login
  nginx -T -p "$GW_WORK/gw/" -e "$GW_WORK/gw/logs/error.log" -c "$GW_WORK/gw/conf/nginx.conf" 2>/dev/null \
    | "$python" "$here/check_login_return.py" "$1"
}
# The hosts of the task's result lines under TASK [$1] in the log $2, sorted, one a line.
task_hosts() {
  awk -v task="TASK [$1]" -v status="$3" '
    index($0, task) == 1 { inside = 1; next }
    /^(TASK|PLAY|RUNNING HANDLER) / { inside = 0 }
    inside && $1 == status ":" { gsub(/[][]/, "", $2); print $2 }' "$2" | sort
}

# --- Render-only hosts, in the background (see the top). Each step says which case it is.
render_only() {
  section 'D05 (render-only)'
  timings=()   # the foreground reports its own
  local log=$work/render.log
  PALETTE_EMULATOR_URL=$(field ready-render url)
  PALETTE_EMULATOR_CA=$(field ready-render ca_path)
  demo_org '{}'

  # --- D05: five hosts, the fact on each whichever host runs the fetch. localhost is
  # not in the inventory: the fetch is delegated to it, and it must record no change
  # and get no files; every host whose play continued must have run the post_tasks
  # assert on sso_gateway_org.redirect_url.
  { echo '[web]'; for i in 01 02 03 04 05; do echo "web$i ansible_connection=local ansible_python_interpreter=$python gw_start=false"; done; } > "$work/five"
  logged() { "$@" 2>&1 | tee "$log"; }
  d05() {
    emu DELETE requests
    logged ansible-playbook -i "$work/five" "$here/site.yml" -e org=demo-org \
      -e expected_redirect_url=https://demo-org.sso.example.test/login "$@"
  }
  d05_fetch='spectrocloud.palette.sso_gateway : Read the org from Palette once for the play'
  d05_no_localhost() {
    [ ! -e "$GW_WORK/localhost" ]
    refute grep -q '^localhost ' "$log"
    refute grep -q '^changed: .*localhost' "$log"
    [ "$(task_hosts "$d05_fetch" "$log" ok | wc -l)" = 1 ]
    grep -q '^ok: \[web0[1-5] -> localhost\]' "$log"
  }
  asserted() { task_hosts 'Check every host has the org the play fetched' "$log" ok | tr '\n' ' '; }

  d05
  [ "$(emu_count)" = 1 ]
  d05_no_localhost
  [ "$(asserted)" = 'web01 web02 web03 web04 web05 ' ]
  for i in 02 03 04 05; do
    diff <(sed "s/web$i/HOST/g" "$GW_WORK/web$i/conf/sites-available/sso_gateway.conf") \
         <(sed "s/web01/HOST/g" "$GW_WORK/web01/conf/sites-available/sso_gateway.conf")
  done
  refute d05 -e fail_first=true
  [ "$(emu_count)" = 1 ]
  d05_no_localhost
  grep -Eq '^web01 .* failed=1' "$log"
  for i in 02 03 04 05; do grep -Eq "^web$i .* failed=0" "$log"; done
  [ "$(asserted)" = 'web02 web03 web04 web05 ' ]
  d05 --limit web03
  [ "$(emu_count)" = 1 ]
  d05_no_localhost
  grep -Eq '^web03 .* failed=0' "$log"
  [ "$(asserted)" = 'web03 ' ]

  # --- One org per play: hosts that name another org than the one fetched fail before
  # anything is written for them; the host whose org was fetched is configured with it.
  section 'one org per play (render-only)'
  { echo '[mixed]'
    for org in acme corp-saml corp-oidc; do
      echo "mixed-$org org=$org ansible_connection=local ansible_python_interpreter=$python gw_start=false"
    done; } > "$work/mixed"
  emu DELETE requests
  refute logged ansible-playbook -i "$work/mixed" "$here/site.yml"
  grep -q 'the role serves one org per play' "$log"
  [ "$(emu_count)" = 1 ]
  [ "$(find "$GW_WORK" -maxdepth 1 -name 'mixed-*' -printf '%f\n')" = mixed-acme ]
  grep -qF 'return 302 "https://acme.console.spectrocloud.com";' \
    "$GW_WORK/mixed-acme/conf/sites-available/sso_gateway.conf"

  # --- C24: forty hosts, ten forks, one API request.
  section 'C24 40 hosts (render-only)'
  { echo '[web]'; for i in $(seq -w 1 40); do echo "many$i ansible_connection=local ansible_python_interpreter=$python gw_start=false"; done; } > "$work/forty"
  emu DELETE requests
  ANSIBLE_FORKS=10 logged ansible-playbook -i "$work/forty" "$here/site.yml" -e org=corp-oidc
  [ "$(emu_count)" = 1 ]
  [ "$(grep -h '^ *return 302 ' "$GW_WORK"/many*/conf/sites-available/sso_gateway.conf | sort -u | wc -l)" = 1 ]
  [ "$(find "$GW_WORK" -maxdepth 1 -name 'many*' | wc -l)" = 40 ]

  section end
  printf 'sso_gateway section time: %s\n' "${timings[@]}"
}
# Monitor mode gives the background job a process group of its own, so that stop_all
# can end it, ansible-playbook and its workers included, if the foreground fails first.
set -m
render_only > "$work/render-only.out" 2>&1 &
render_only_pid=$!
set +m

section 'fixture orgs'
# --- The fixture orgs: 302 to the exact redirectUrl, the providers listed. A second run
# changes nothing: checked once, with acme, the one whose page lists providers (each run
# costs seconds, and this target runs on two ansible-core versions).
for org in corp-saml corp-oidc acme; do
  org_json "$org"
  play -e "org=$org"
  check "$org"
done
play -e org=acme
[ "$(changed)" = 0 ]

section 'chromium dump-dom + screenshot'
# --- The landing page as a browser renders it (headless Chromium, no network beyond
# 127.0.0.1: no host name resolves and the proxy is a dead port): both of acme's
# providers are links, and a screenshot is kept under tests/output for docs/role.md
# (docs/images/sso_gateway-landing.png is a copy).
chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-quic \
    --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' --proxy-server=http://127.0.0.1:9 \
    --user-data-dir="$work/chrome" "$@" http://127.0.0.1:18080/ 2>/dev/null
}
chrome --dump-dom > "$work/dom.html"
"$python" - "$work/dom.html" <<'PY'
import sys
from html.parser import HTMLParser

class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.scripts, self._href = [], 0, None

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href and data.strip():
            self.links.append((data.strip(), self._href))
            self._href = None

page = Links()
page.feed(open(sys.argv[1], encoding="utf-8").read())
names = [name for name, href in page.links if href.startswith("https://")]
assert names == ["GitHub", "Google"], page.links
assert page.scripts == 0
PY
screenshots=$collection/tests/output/screenshots
mkdir -p "$screenshots"
chrome --window-size=900,600 --screenshot="$screenshots/sso_gateway-landing.png" >/dev/null
[ -s "$screenshots/sso_gateway-landing.png" ]

section 'canary/D09'
# --- API text that looks like nginx syntax, HTML or Jinja stays text (D09 canary too).
export D09_CANARY=TEMPLATED-D09
demo_org '{"ssoLogins": [
  {"name": "inj", "displayName": "\"; return 200 \"x", "logo": "", "redirectUri": "https://idp.example.test/a"},
  {"name": "xss", "displayName": "<script>alert(1)</script>", "logo": "", "redirectUri": "https://idp.example.test/b"},
  {"name": "jinja", "displayName": "{{ lookup(\"env\", \"D09_CANARY\") }}", "logo": "", "redirectUri": "https://idp.example.test/c"}]}'
# This run also carries an API key through module_defaults, at -vvvv: the key must reach
# the emulator and appear nowhere in the output (make integration greps that too).
set +x   # xtrace would print the key as it is exported
key_prefix=PLACEHOLDER-APIKEY
export GW_API_KEY=$key_prefix-7f3a9c
set -x
emu DELETE requests
play -e org=demo-org -vvvv
unset GW_API_KEY
check demo-org
curl -s http://127.0.0.1:18080/ | grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;'
curl -s http://127.0.0.1:18080/ | grep -qF '&#34;; return 200 &#34;x'
refute grep -rqF TEMPLATED-D09 "$work/last.log" "$GW_WORK/gw"
set +x
refute grep -qF "$key_prefix-7f3a9c" "$work/last.log"
set -x
emu GET requests | "$python" -c 'import json, sys
sent = [entry["headers"].get("ApiKey") for entry in json.load(sys.stdin)]
assert sent == ["PLACEHOLDER-APIKEY" + "-7f3a9c"], "the key did not reach the emulator once"'


section 'D01'
# --- D01: redirectUrl values that are nginx syntax. A good run first: the refused
# values below must leave its site and its redirect as they are.
demo_org '{}'
org_json demo-org
play -e org=demo-org
check demo-org
login_return https://demo-org.sso.example.test/login
good_sum=$(sha256sum "$site")
for url in 'https://demo-org.sso.example.test/x"; return 200 "owned' \
           $'https://demo-org.sso.example.test/login;\n}\nserver { listen 127.0.0.1:18081; return 200 "owned"; }\n#' \
           '' 'http://demo-org.sso.example.test/login' 'javascript:alert(1)'; do
  demo_org "$("$python" -c 'import json, sys; print(json.dumps({"redirectUrl": sys.argv[1]}))' "$url")"
  refute play -e org=demo-org
  grep -q "Org 'demo-org': redirectUrl " "$work/last.log"
  [ "$(sha256sum "$site")" = "$good_sum" ]
  [ "$(location)" = https://demo-org.sso.example.test/login ]
  case $url in
    *$'\n'*) grep -qF '/login;\n}\nserver {' "$work/last.log" ;;  # control characters shown escaped
  esac
done
refute sh -c 'ss -ltn | grep -q 127.0.0.1:18081'
demo_org '{"authType": null}'
refute play -e org=demo-org
grep -q 'authType null is not one the role knows' "$work/last.log"
[ "$(sha256sum "$site")" = "$good_sum" ]
# Accepted values: Location is byte-equal to the input, and nginx -T of the result has
# exactly one return in /login, with the arguments 302 and the URL (read as nginx reads
# its configuration, not by matching lines). The $ signs are part of the URLs.
# shellcheck disable=SC2016
for url in 'https://demo-org.sso.example.test/acs;jsessionid=a1' \
           'https://demo-org.sso.example.test/login#top' \
           'https://demo-org.sso.example.test/a}b{c' \
           'https://demo-org.sso.example.test/login?host=$host&x=${y}'; do
  demo_org "$("$python" -c 'import json, sys; print(json.dumps({"redirectUrl": sys.argv[1]}))' "$url")"
  org_json demo-org
  play -e org=demo-org
  check demo-org
  login_return "$url"
done

section 'D03'
# --- D03: provider links and logos with script URLs or attribute breakers.
demo_org '{"ssoLogins": [
  {"name": "js", "displayName": "Click me", "logo": "", "redirectUri": "javascript:alert(document.domain)"},
  {"name": "js2", "displayName": "Tab trick", "logo": "", "redirectUri": " JaVa\tScRiPt:alert(1)"},
  {"name": "attr", "displayName": "Attr", "logo": "", "redirectUri": "https://idp.example.test/auth\" onmouseover=\"alert(1)"},
  {"name": "img", "displayName": "Logo", "logo": "javascript:alert(2)", "redirectUri": "https://idp.example.test/ok"},
  {"name": "svg", "displayName": "Svg", "logo": "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMykiLz4=", "redirectUri": "https://idp.example.test/ok2"},
  {"name": "bidi", "displayName": "\u202eevil", "logo": "", "redirectUri": "https://idp.example.test/bidi"},
  {"name": "good", "displayName": "Corp & <Co>", "logo": "https://cdn.example.test/corp.png", "redirectUri": "https://idp.example.test/auth?a=1&b=2"}]}'
org_json demo-org
play -e org=demo-org
check demo-org
for warned in "'js': redirect_uri" "'js2': redirect_uri" "'attr': redirect_uri" "'img': logo" "'svg': logo"; do
  grep -q "SSO login $warned dropped" "$work/last.log"
done
page=$(curl -s http://127.0.0.1:18080/)
grep -qF '<a href="https://idp.example.test/auth?a=1&amp;b=2"><img src="https://cdn.example.test/corp.png" alt=""><bdi>Corp &amp; &lt;Co&gt;</bdi></a>' <<<"$page"
# A right-to-left override in a name stays inside the name's own <bdi>: it cannot
# reorder the rest of the page.
"$python" -c 'import sys; assert "<bdi>\u202eevil</bdi>" in sys.stdin.read()' <<<"$page"
# In a real browser: every link clicked with mouse events (mouseover included) raises
# no dialog. Requests to other hosts than 127.0.0.1 are refused before they leave;
# timeout ends a browser that hangs.
timeout 90 "$python" "$here/click_links.py" --timeout 60 http://127.0.0.1:18080/ | tee "$work/clicks.log"
grep -q ' links clicked, 0 dialogs, ' "$work/clicks.log"

section 'string booleans'
# --- Booleans given as strings, as -e and INI inventories give them, keep their meaning.
demo_org '{"ssoLogins": [
  {"name": "plain", "displayName": "Plain", "logo": "http://cdn.example.test/plain.png", "redirectUri": "http://idp.example.test/plain"}]}'
csp() { curl -sI http://127.0.0.1:18080/ | tr -d '\r' | sed -n 's/^Content-Security-Policy: //p'; }
play -e org=demo-org -e sso_gateway_allow_http=false
refute grep -qF 'href="http://idp.example.test/plain"' <<<"$(curl -s http://127.0.0.1:18080/)"
csp | grep -qF "img-src https:;"
play -e org=demo-org -e sso_gateway_allow_http=yes
grep -qF 'href="http://idp.example.test/plain"><img src="http://cdn.example.test/plain.png"' \
  <<<"$(curl -s http://127.0.0.1:18080/)"
# The http logo the option lets through is one the page's policy lets the browser load.
csp | grep -qF "img-src https: http:;"

section 'D07'
# --- D07: the whole configuration is validated before the site goes live.
demo_org '{}'
org_json demo-org
play -e org=demo-org -e gw_default_server=true
good_sum=$(sha256sum "$site")
pid=$(cat "$GW_WORK/gw/logs/nginx.pid")
pid_stat=$(stat -c '%i %a %U' "$GW_WORK/gw/logs/nginx.pid")
printf 'server { listen 127.0.0.1:18080 default_server; return 204; }\n' > "$GW_WORK/gw/conf/sites-enabled/other.conf"
demo_org '{"redirectUrl": "https://demo-org.sso.example.test/login2"}'
refute play -e org=demo-org -e gw_default_server=true
grep -q 'emerg.*duplicate default server' "$work/last.log"
[ "$(sha256sum "$site")" = "$good_sum" ]
[ "$(cat "$GW_WORK/gw/logs/nginx.pid")" = "$pid" ]
[ "$(stat -c '%i %a %U' "$GW_WORK/gw/logs/nginx.pid")" = "$pid_stat" ]
[ "$(location)" = https://demo-org.sso.example.test/login ]
[ -z "$(find "$GW_WORK/gw/conf" -name '.sso_gateway*')" ]
rm "$GW_WORK/gw/conf/sites-enabled/other.conf"
play -e org=demo-org -e gw_default_server=true
[ "$(grep -c 'RUNNING HANDLER \[spectrocloud.palette.sso_gateway : Reload the private nginx\]' "$work/last.log")" = 1 ]
wait_location https://demo-org.sso.example.test/login2
[ "$(stat -c '%i %a %U' "$GW_WORK/gw/logs/nginx.pid")" = "$pid_stat" ]
# Run 4 is also the check-mode test: it shows the site's diff and runs the fetch
# (one request), and writes and reloads nothing.
demo_org '{}'
written=$(tree_sum)
emu DELETE requests
play -e org=demo-org -e gw_default_server=true --check --diff
grep -q '^-        return 302 "https://demo-org.sso.example.test/login2";' "$work/last.log"
grep -q '^+        return 302 "https://demo-org.sso.example.test/login";' "$work/last.log"
[ "$(emu_count)" = 1 ]
[ "$(tree_sum)" = "$written" ]
[ "$(cat "$GW_WORK/gw/logs/nginx.pid")" = "$pid" ]
[ "$(location)" = https://demo-org.sso.example.test/login2 ]

section 'first run in check mode'
# --- A first dry run on a host the role never configured: it reports what it would
# create (the link to a site file that does not exist yet included) and writes nothing.
echo "fresh ansible_connection=local ansible_python_interpreter=$python gw_port=18082" > "$work/fresh"
ansible-playbook -i "$work/fresh" "$here/site.yml" -e org=acme --check --diff > "$work/last.log" 2>&1 \
  || { cat "$work/last.log"; exit 1; }
grep -Eq '^fresh .* changed=[1-9][0-9]* .* failed=0 ' "$work/last.log"
grep -q '^+        return 302 "https://acme.console.spectrocloud.com";' "$work/last.log"
[ ! -e "$GW_WORK/fresh" ]

section 'empty org name'
refute ansible-playbook -i "$work/one" "$here/site.yml" -e org= > "$work/last.log"
grep -q 'sso_gateway_org_name is empty' "$work/last.log"

# --- C24: the role never puts the lookup where it would be templated once per use.
refute grep -rq palette_redirect_url "$collection/roles/sso_gateway/tasks" "$collection/roles/sso_gateway/defaults" \
  "$collection/roles/sso_gateway/vars" "$collection/roles/sso_gateway/templates"

# --- The render-only sections: their output, and their result.
section 'waiting for the render-only sections'
render_status=0
wait "$render_only_pid" || render_status=$?
render_only_pid=
cat "$work/render-only.out"
[ "$render_status" = 0 ]
