# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filters that make API text safe for nginx and for the landing page."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.spectrocloud.palette.plugins.filter import safe_sso_logins as logins_module
from ansible_collections.spectrocloud.palette.plugins.filter.nginx_string import nginx_string
from ansible_collections.spectrocloud.palette.plugins.filter.safe_sso_logins import safe_sso_logins
from ansible_collections.spectrocloud.palette.plugins.filter.url_problem import url_problem


def nginx_tokens(text):
    """Split one nginx argument list the way nginx's parser does for quoted strings."""
    tokens, i = [], 0
    while i < len(text):
        if text[i] == " ":
            i += 1
            continue
        assert text[i] == '"', text
        i += 1
        token = []
        while text[i] != '"':
            if text[i] == "\\" and text[i + 1] in '"\\':
                i += 1
            token.append(text[i])
            i += 1
        tokens.append("".join(token))
        i += 1
    return tokens


@pytest.mark.parametrize("value", [
    'https://a.example.test/x"; return 200 "owned',
    "https://a.example.test/acs;jsessionid=a1",
    "https://a.example.test/login#top",
    "https://a.example.test/a}b{c",
    "back\\slash\\\" end",
    "'single' quotes",
])
def test_nginx_string_is_one_argument_equal_to_the_input(value):
    quoted = nginx_string(value)

    assert quoted.startswith('"') and quoted.endswith('"')
    assert nginx_tokens(quoted) == [value]


def test_nginx_string_escapes_quotes_and_backslashes():
    assert nginx_string('a"b\\c') == '"a\\"b\\\\c"'


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\x00b", "a\x1bb", "a\x7fb", "tab\there"])
def test_nginx_string_refuses_control_characters(value):
    with pytest.raises(AnsibleFilterError, match="control character"):
        nginx_string(value)


def test_nginx_string_refuses_a_dollar_without_a_variable():
    with pytest.raises(AnsibleFilterError, match="dollar_variable"):
        nginx_string("https://a.example.test/?h=$host")


def test_nginx_string_writes_a_dollar_as_the_given_variable():
    assert nginx_string("a$host${x}", "d") == '"a${d}host${d}{x}"'


@pytest.mark.parametrize("name", ["", "1x", "a-b", "a b", "a}"])
def test_nginx_string_refuses_a_bad_variable_name(name):
    with pytest.raises(AnsibleFilterError, match="not an nginx variable name"):
        nginx_string("a$b", name)


@pytest.mark.parametrize("value", [None, True, ["a"], {"a": 1}])
def test_nginx_string_refuses_values_that_are_not_text(value):
    with pytest.raises(AnsibleFilterError, match="expected text"):
        nginx_string(value)


def test_nginx_string_accepts_numbers():
    assert nginx_string(18080) == '"18080"'


@pytest.mark.parametrize("url", [
    "https://demo-org.sso.example.test/login",
    "https://demo-org.sso.example.test/acs;jsessionid=a1",
    "https://demo-org.sso.example.test/login#top",
    "https://demo-org.sso.example.test/a}b{c",
    "HTTPS://IDP.EXAMPLE.TEST/auth?a=1&b=2",
    "https://idp.example.test:8443/x?y=$z",
])
def test_url_problem_accepts_absolute_https_urls(url):
    assert url_problem(url) == ""


@pytest.mark.parametrize("url, reason", [
    ("javascript:alert(document.domain)", "has the scheme 'javascript'"),
    ("JaVaScRiPt:alert(1)", "has the scheme 'javascript'"),
    (" JaVa\tScRiPt:alert(1)", "whitespace or a control character"),
    ("java\nscript:alert(1)", "whitespace or a control character"),
    ("\x01javascript:alert(1)", "whitespace or a control character"),
    ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=", "has the scheme 'data'"),
    ("vbscript:msgbox(1)", "has the scheme 'vbscript'"),
    ("http://idp.example.test/", "has the scheme 'http'"),
    ('https://idp.example.test/auth" onmouseover="alert(1)', "the character \"\\\"\""),
    ("https://idp.example.test/auth' onmouseover='alert(1)", "the character \"'\""),
    ("https://idp.example.test/<script>", "the character \"<\""),
    ("https://idp.example.test/a\\b", "the character \"\\\\\""),
    ('https://a.example.test/x"; return 200 "owned', "the character"),
    ("https://a.example.test/login;\n}\nserver { listen 127.0.0.1:18081; }\n#", "control character"),
    ("https://a.example.test/\u2028x", "control character"),
    ("https://a.example.test/\u00a0x", "control character"),
    ("https://a.example.test/\u200bx", "control character"),
    ("//idp.example.test/x", "not an absolute URL"),
    ("/assets/logo.svg", "not an absolute URL"),
    ("https:idp.example.test", "has no host"),
    ("https:///path", "has no host"),
    ("https://a.example.test:99999/", "not a valid URL"),
    ("", "empty"),
    (None, "empty"),
    (42, "expected a URL string"),
])
def test_url_problem_names_the_reason(url, reason):
    assert reason in url_problem(url)


def test_url_problem_shows_control_characters_escaped():
    problem = url_problem("https://a.example.test/login;\n}\x1b")

    assert "\n" not in problem and "\x1b" not in problem
    assert '"https://a.example.test/login;\\n}\\u001b"' in problem


def test_url_problem_allows_http_when_asked():
    assert url_problem("http://idp.example.test/", ["https", "http"]) == ""
    assert "scheme 'ftp'" in url_problem("ftp://idp.example.test/", ["https", "http"])


D03_LOGINS = [
    {"name": "js", "display_name": "Click me", "logo": "", "redirect_uri": "javascript:alert(document.domain)"},
    {"name": "js2", "display_name": "Tab trick", "logo": "", "redirect_uri": " JaVa\tScRiPt:alert(1)"},
    {"name": "attr", "display_name": "Attr", "logo": "",
     "redirect_uri": 'https://idp.example.test/auth" onmouseover="alert(1)'},
    {"name": "img", "display_name": "Logo", "logo": "javascript:alert(2)",
     "redirect_uri": "https://idp.example.test/ok"},
    {"name": "svg", "display_name": "Svg",
     "logo": "data:image/svg+xml;base64,"
             "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMykiLz4=",
     "redirect_uri": "https://idp.example.test/ok2"},
    {"name": "good", "display_name": "Corp & <Co>", "logo": "https://cdn.example.test/corp.png",
     "redirect_uri": "https://idp.example.test/auth?a=1&b=2"},
]


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(logins_module.display, "warning", seen.append)
    return seen


def test_safe_sso_logins_drops_every_unsafe_url_and_warns(warnings):
    safe = safe_sso_logins(D03_LOGINS)

    assert [(s["name"], s["href"], s["logo"]) for s in safe] == [
        ("js", "", ""),
        ("js2", "", ""),
        ("attr", "", ""),
        ("img", "https://idp.example.test/ok", ""),
        ("svg", "https://idp.example.test/ok2", ""),
        ("good", "https://idp.example.test/auth?a=1&b=2", "https://cdn.example.test/corp.png"),
    ]
    assert safe[-1]["display_name"] == "Corp & <Co>"
    assert [w.split(" dropped")[0] for w in warnings] == [
        "SSO login 'js': redirect_uri",
        "SSO login 'js2': redirect_uri",
        "SSO login 'attr': redirect_uri",
        "SSO login 'img': logo",
        "SSO login 'svg': logo",
    ]


def test_safe_sso_logins_joins_logo_paths_to_the_base_url(warnings):
    login = {"name": "github", "display_name": "GitHub", "logo": "/assets/sso/github.svg",
             "redirect_uri": "https://github.example.test/login"}

    assert safe_sso_logins([login])[0]["logo"] == ""
    assert safe_sso_logins([login], logo_base_url="https://console.example.test/")[0]["logo"] == (
        "https://console.example.test/assets/sso/github.svg")
    assert warnings == []


def test_safe_sso_logins_fills_missing_fields():
    assert safe_sso_logins([{"name": "x", "display_name": None, "logo": None, "redirect_uri": None}]) == [
        {"name": "x", "display_name": "x", "href": "", "logo": ""}]
    assert safe_sso_logins(None) == []


def test_safe_sso_logins_refuses_a_list_of_strings():
    with pytest.raises(AnsibleFilterError, match="item 0 is not a dict"):
        safe_sso_logins(["github"])
