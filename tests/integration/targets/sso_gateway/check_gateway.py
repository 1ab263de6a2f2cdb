"""Check a running gateway against the org the emulator serves.

usage: check_gateway.py PORT ORG_JSON_FILE [--refused-links NAME...]
Exits non-zero with a message on the first mismatch.
"""

import http.client
import json
import re
import sys
from html.parser import HTMLParser

SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []
        self.links = []          # (href, text)
        self.tags = []
        self.attr_names = []
        self._href = None
        self._text = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attr_names.extend(pair[0] for pair in attrs)
        for name, value in attrs:
            if name in ("href", "src"):
                self.urls.append(value)
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_endtag(self, tag):
        if tag == "a":
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None

    def handle_data(self, data):
        self.text.append(data)
        if self._href is not None:
            self._text.append(data)


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.getheaders(), resp.read().decode("utf-8")


def fail(msg):
    sys.exit("check_gateway: " + msg)


def main():
    port = int(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as handle:
        org = json.load(handle)

    status, headers = get(port, "/login")[:2]
    locations = [value for name, value in headers if name.lower() == "location"]
    if status != 302 or locations != [org["redirectUrl"]]:
        fail("/login answered %s %r, expected 302 %r" % (status, locations, org["redirectUrl"]))

    status, body = get(port, "/")[::2]
    if status != 200:
        fail("/ answered %s" % status)
    page = Page()
    page.feed(body)

    for url in page.urls:
        # What a browser does before it looks at the scheme.
        cleaned = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(33)))))
        match = SCHEME.match(cleaned)
        if cleaned != "/login" and (not match or match.group(1).lower() != "https"):
            fail("unsafe URL in the page: %r" % url)
    if "script" in page.tags:
        fail("the page has a <script> element")
    if any(name.lower().startswith("on") for name in page.attr_names):
        fail("the page has an event-handler attribute")

    expected_text = "Sign in with single sign-on" if org["authType"] == "sso" else "Sign in with password"
    if ("/login", expected_text) not in page.links:
        fail("no %r link to /login in %r" % (expected_text, page.links))

    text = "".join(page.text)
    for login in org.get("ssoLogins") or []:
        name = login.get("displayName") or login["name"]
        if name not in text:
            fail("provider %r is not listed" % name)
        uri = login.get("redirectUri") or ""
        if uri.startswith("https://") and not re.search(r"[\s\"'<>\\`]", uri):
            if (uri, name) not in page.links:
                fail("provider %r does not link to %r: %r" % (name, uri, page.links))
        elif any(link[0] == uri for link in page.links):
            fail("provider %r links to its unsafe URL %r" % (name, uri))
    print("check_gateway: port %d serves %s correctly" % (port, org.get("orgName")))


if __name__ == "__main__":
    main()
