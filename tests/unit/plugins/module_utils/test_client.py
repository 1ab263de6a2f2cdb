# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client against a scripted transport: what it sends and how it reads answers."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ansible_collections.spectrocloud.palette.plugins.module_utils import _client, _failures
from ansible_collections.spectrocloud.palette.plugins.module_utils._client import PaletteClient
from ansible_collections.spectrocloud.palette.plugins.module_utils._errors import (
    PaletteApiError,
    PaletteConnectionError,
    PaletteResponseError,
)
from ansible_collections.spectrocloud.palette.plugins.module_utils._options import (
    ConnectionOptions,
)
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import (
    API_KEY,
    GOOD_BODY,
    reply,
)

HOST = "https://palette.example.test"


def client(api_key=API_KEY, retries=3, **params):
    """A client whose sleeps are recorded instead of slept, and whose warnings are kept."""
    values = {"host": HOST, "api_key": api_key, "validate_certs": True,
              "timeout": 5.0, "retries": retries, "use_proxy": False}
    values.update(params)
    made = PaletteClient(ConnectionOptions.from_params(values), sleep=None)
    made.slept, made.warnings = [], []
    made._sleep = made.slept.append
    made._warn = made.warnings.append
    return made


def sent_query(adapter, index=0):
    return parse_qs(urlsplit(adapter.sent[index]["request"].url).query, keep_blank_values=True)


def test_returns_the_validated_org(transport):
    adapter = transport(reply(body=GOOD_BODY))
    org = client().fetch_org("demo-org")
    assert org["redirect_url"] == "https://demo-org.sso.example.test/login"
    assert org["sso_logins"][0]["display_name"] == "Corp IdP"
    assert len(adapter.sent) == 1
    assert adapter.sent[0]["request"].method == "GET"


@pytest.mark.parametrize("org_name", ["R&D Ops", "Büro #1", "a+b/c", "ü漢字", " demo-org "])
def test_org_name_reaches_the_server_exactly_as_given(transport, org_name):
    adapter = transport(reply(body=GOOD_BODY))
    client().fetch_org(org_name)
    url = urlsplit(adapter.sent[0]["request"].url)
    assert url.path == "/v1/auth/org"
    assert sent_query(adapter) == {"orgName": [org_name]}


@pytest.mark.parametrize("org_name", [None, ""])
def test_no_org_name_sends_no_query(transport, org_name):
    adapter = transport(reply(body=GOOD_BODY))
    client().fetch_org(org_name)
    assert adapter.sent[0]["request"].url == HOST + "/v1/auth/org"


def test_api_key_goes_in_the_apikey_header_and_only_when_set(transport):
    adapter = transport(reply(body=GOOD_BODY))
    client().fetch_org("demo-org")
    client(api_key=None).fetch_org("demo-org")
    assert adapter.sent[0]["request"].headers["ApiKey"] == API_KEY
    assert "ApiKey" not in adapter.sent[1]["request"].headers


def test_timeout_and_verification_reach_every_request(transport):
    adapter = transport(reply(status=503), reply(body=GOOD_BODY))
    client(timeout=2.5).fetch_org("demo-org")
    assert [sent["kwargs"]["timeout"] for sent in adapter.sent] == [2.5, 2.5]
    assert [sent["kwargs"]["verify"] for sent in adapter.sent] == [True, True]


def test_forbidden_keeps_palettes_error_fields_in_result_and_message(transport):
    error = {"code": "Forbidden", "message": "organization access denied", "ref": "req-42",
             "details": {"reason": "tenant disabled"}}
    transport(reply(status=403, body=error))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert caught.value.status == 403
    assert caught.value.error == error
    for part in ("HTTP 403", "Forbidden", "organization access denied", "req-42"):
        assert part in caught.value.msg


@pytest.mark.parametrize(
    "status, lead",
    [
        (400, "Palette rejected the request for organisation 'demo-org'"),
        (401, "Palette did not accept the credentials for organisation 'demo-org'"),
        (404, "Organisation 'demo-org' at https://palette.example.test was not found"),
        (500, "Palette had a server error answering for organisation 'demo-org'"),
        (418, "Palette answered with an unexpected status for organisation 'demo-org'"),
    ],
)
def test_each_status_class_has_its_own_message(transport, status, lead):
    code = "ResourceNotFound" if status == 404 else "X"
    transport(reply(status=status, body={"code": code, "message": "m", "ref": "r1"}))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert caught.value.msg.startswith(lead)
    assert "(HTTP %d)" % status in caught.value.msg
    assert caught.value.status == status


def test_two_429s_with_retry_after_then_success(transport):
    limited = reply(status=429, headers={"Retry-After": "1"},
                    body={"code": "TooManyRequests", "message": "Too Many Requests"})
    adapter = transport(limited, limited, reply(body=GOOD_BODY))
    made = client()
    assert made.fetch_org("demo-org")["org_name"] == "demo-org"
    assert len(adapter.sent) == 3
    assert made.slept == [1.0, 1.0]
    assert len(made.warnings) == 2
    assert "answered HTTP 429; retrying in 1.0 s (attempt 2 of 4)" in made.warnings[0]


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", " \u00b9\u00b2 "])
def test_a_retry_after_of_non_ascii_digits_counts_as_absent(transport, value):
    # "²".isdigit() is true in Python, and float("²") raises.
    adapter = transport(reply(status=429, headers={"Retry-After": value}), reply(body=GOOD_BODY))
    made = client()
    assert made.fetch_org("demo-org")["org_name"] == "demo-org"
    assert len(adapter.sent) == 2
    assert made.slept and made.slept[0] <= 0.5


def test_a_content_length_of_non_ascii_digits_is_ignored(transport):
    transport(reply(body=GOOD_BODY, headers={"Content-Length": "\u00b2"}))
    assert client().fetch_org("demo-org")["org_name"] == "demo-org"


def test_always_429_gives_up_after_the_retries_naming_retry_after(transport):
    adapter = transport(reply(status=429, headers={"Retry-After": "2"}))
    made = client(retries=2)
    with pytest.raises(PaletteApiError) as caught:
        made.fetch_org("demo-org")
    assert len(adapter.sent) == 3
    assert made.slept == [2.0, 2.0]
    assert caught.value.status == 429
    assert "rate-limited" in caught.value.msg
    assert "HTTP 429, after 3 attempts, last Retry-After '2'" in caught.value.msg


def test_retry_after_longer_than_the_cap_ends_the_call_at_once(transport):
    adapter = transport(reply(status=429, headers={"Retry-After": "3600"}))
    made = client()
    with pytest.raises(PaletteApiError) as caught:
        made.fetch_org("demo-org")
    assert len(adapter.sent) == 1
    assert made.slept == []
    assert "last Retry-After '3600'" in caught.value.msg


def test_retry_after_as_an_http_date_is_understood():
    assert _client._parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _client._parse_retry_after("soon") is None
    assert _client._parse_retry_after("7") == 7.0


def test_waits_without_retry_after_grow_and_stay_capped(transport):
    transport(reply(status=503, raw=b"<html>busy</html>", headers={"Content-Type": "text/html"}))
    made = client(retries=10)
    with pytest.raises(PaletteApiError) as caught:
        made.fetch_org("demo-org")
    assert len(made.slept) == 10
    assert all(0 < wait <= _client.MAX_WAIT for wait in made.slept)
    assert made.slept[0] <= 0.5 < made.slept[-1]
    assert "The body was not a Palette error: '<html>busy</html>'" in caught.value.msg
    assert caught.value.error is None


def test_plain_500_is_not_retried(transport):
    adapter = transport(reply(status=500, body={"code": "InternalError", "message": "boom"}))
    with pytest.raises(PaletteApiError):
        client().fetch_org("demo-org")
    assert len(adapter.sent) == 1


def test_refused_connection_is_retried_then_reported(transport):
    refused = requests.exceptions.ConnectionError("[Errno 111] Connection refused")
    adapter = transport(refused)
    made = client(retries=2)
    with pytest.raises(PaletteConnectionError) as caught:
        made.fetch_org("demo-org")
    assert len(adapter.sent) == 3
    assert caught.value.msg == (
        "could not connect to Palette at https://palette.example.test: connection refused"
    )
    assert caught.value.status is None


def test_timeout_is_final_and_names_the_host_and_the_timeout(transport):
    adapter = transport(requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(PaletteConnectionError) as caught:
        client(timeout=2).fetch_org("demo-org")
    assert len(adapter.sent) == 1
    assert caught.value.msg == (
        "Palette at https://palette.example.test did not answer within the timeout of 2 seconds"
    )


def test_tls_verification_failure_suggests_ca_path(transport):
    transport(requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] self-signed"))
    with pytest.raises(PaletteConnectionError) as caught:
        client().fetch_org("demo-org")
    assert "TLS certificate verification failed for https://palette.example.test" in (
        caught.value.msg
    )
    assert "set ca_path" in caught.value.msg


@pytest.mark.parametrize("raw", [b"<html>login</html>", b'{"appEnv": "saas"', b"\xff\xfe"])
def test_a_2xx_body_that_is_not_json_is_a_clear_error(transport, raw):
    transport(reply(raw=raw, headers={"Content-Type": "text/html"}))
    with pytest.raises(PaletteResponseError) as caught:
        client().fetch_org("demo-org")
    assert "(HTTP 200, Content-Type 'text/html') is not JSON" in caught.value.msg


@pytest.mark.parametrize("raw", [b"", b" \r\n"])
def test_an_empty_2xx_body_is_called_empty(transport, raw):
    transport(reply(raw=raw, headers={"Content-Type": "application/json"}))
    with pytest.raises(PaletteResponseError) as caught:
        client().fetch_org("demo-org")
    assert caught.value.msg == (
        "Palette's response from https://palette.example.test (HTTP 200) is empty; "
        "expected a JSON organisation description"
    )


def test_deeply_nested_json_is_refused_without_a_recursion_error(transport):
    transport(reply(raw=b"[" * 100000 + b"]" * 100000))
    with pytest.raises(PaletteResponseError):
        client().fetch_org("demo-org")


def test_an_oversized_body_is_refused_by_its_length(transport):
    transport(reply(raw=b"{}", headers={"Content-Length": str(50 * 1024 * 1024)}))
    with pytest.raises(PaletteResponseError) as caught:
        client().fetch_org("demo-org")
    assert "larger than 1048576 bytes" in caught.value.msg


def test_an_oversized_body_without_a_length_is_cut_off(transport):
    padding = "x" * (2 * 1024 * 1024)
    transport(reply(raw=json.dumps(dict(GOOD_BODY, pad=padding)).encode()))
    with pytest.raises(PaletteResponseError) as caught:
        client().fetch_org("demo-org")
    assert "larger than 1048576 bytes" in caught.value.msg


def test_same_origin_redirect_is_followed_with_the_key(transport):
    adapter = transport(
        reply(status=302, headers={"Location": "/v1/auth/org/?orgName=demo-org"}),
        reply(body=GOOD_BODY),
    )
    assert client().fetch_org("demo-org")["org_name"] == "demo-org"
    assert adapter.sent[1]["request"].url == HOST + "/v1/auth/org/?orgName=demo-org"
    assert adapter.sent[1]["request"].headers["ApiKey"] == API_KEY


@pytest.mark.parametrize(
    "location",
    [
        "https://sink.example.test/v1/auth/org?orgName=demo-org",
        "http://palette.example.test/v1/auth/org",
        "https://palette.example.test:8443/v1/auth/org",
        "//sink.example.test/v1/auth/org",
    ],
)
def test_redirect_to_another_origin_is_refused_before_the_key_leaves(transport, location):
    adapter = transport(reply(status=307, headers={"Location": location}), reply(body=GOOD_BODY))
    with pytest.raises(PaletteConnectionError) as caught:
        client().fetch_org("demo-org")
    assert len(adapter.sent) == 1
    assert "the redirect was refused" in caught.value.msg


def test_redirect_loop_ends(transport):
    adapter = transport(reply(status=302, headers={"Location": "/v1/auth/org"}))
    with pytest.raises(PaletteConnectionError) as caught:
        client().fetch_org("demo-org")
    assert len(adapter.sent) == _client.MAX_REDIRECTS + 1
    assert "more than 5 times" in caught.value.msg
    assert caught.value.status == 302


@pytest.mark.parametrize(
    "echo",
    [API_KEY, API_KEY.replace("-", "%2D"), API_KEY.replace("-", "%2d").replace("A", "%41")],
)
def test_a_key_echoed_by_the_server_never_reaches_the_error(transport, echo):
    transport(reply(status=401, body={"code": "ResourceNotFound", "message": "bad key " + echo,
                                      "ref": echo, "details": {"key": [echo]}}))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    text = caught.value.msg + json.dumps(caught.value.error) + str(caught.value)
    assert "7f3a9c" not in text
    assert caught.value.error["ref"] == "********"
    assert "********" in caught.value.msg


# Where a shown value is cut, the key may be cut too: its first characters, from one
# to all, end right at each limit. No four of them in a row may be left.
KEY_CUT_AT = range(len(API_KEY) + 2)


def left_of_the_key(text):
    return [API_KEY[i : i + 4] for i in range(len(API_KEY) - 3) if API_KEY[i : i + 4] in text]


@pytest.mark.parametrize("kept", KEY_CUT_AT)
def test_a_key_cut_short_in_a_quoted_body_is_hidden(transport, kept):
    # The start of a body that is no Palette error is shown up to 120 characters.
    raw = "x" * (120 - 5 - 1 - kept) + API_KEY + " was rejected"
    transport(reply(status=502, raw=raw.encode(), headers={"Content-Type": "text/plain"}))
    with pytest.raises(PaletteApiError) as caught:
        client(retries=0).fetch_org("demo-org")
    assert left_of_the_key(caught.value.msg) == []


@pytest.mark.parametrize("kept", KEY_CUT_AT)
def test_a_key_cut_short_in_palettes_message_is_hidden(transport, kept):
    # Palette's message is shown up to 300 characters, and kept up to 2,000 in error.
    message = "y" * (300 - 3 - len("Unauthorized: ") - kept) + API_KEY
    long_message = "y" * (_failures.MAX_ERROR_TEXT - 3 - kept) + API_KEY
    transport(reply(status=401, body={"code": "Unauthorized", "message": message,
                                      "ref": long_message, "details": {long_message: 1}}))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert left_of_the_key(caught.value.msg) == []
    assert left_of_the_key(json.dumps(caught.value.error)) == []


@pytest.mark.parametrize("key", ["Quote'd-KEY-1234", 'Dbl"Quote-KEY-99', "Back\\slash-KEY-7"])
def test_a_key_with_quotes_or_backslashes_is_hidden_in_its_escaped_form(transport, key):
    transport(reply(status=502, raw=("key " + key).encode(), headers={"Content-Type": "text/plain"}),
              reply(status=401, body={"code": "Unauthorized", "message": "bad " + key}))
    for _attempt in range(2):
        with pytest.raises(PaletteApiError) as caught:
            client(api_key=key, retries=0).fetch_org("demo-org")
        text = caught.value.msg + json.dumps(caught.value.error)
        assert "KEY" not in text, text


@pytest.mark.parametrize("key", ["K" * 40 + "\\\\" + "S" * 60, "K" * 10 + "%25" + "S" * 90])
def test_a_key_whose_spelling_looks_escaped_or_encoded_is_hidden_when_cut(transport, key):
    # Two backslashes or "%25" in the key are not an escape or an encoding of one
    # character; a cut after them must still find the key's start.
    transport(reply(status=401, body={"code": "Unauthorized", "message": "bad " + key}))
    with pytest.raises(PaletteApiError) as caught:
        client(api_key=key).fetch_org("demo-org")
    assert "SSSS" not in caught.value.msg and "KKKK" not in caught.value.msg


@pytest.mark.parametrize("key", ['pa"ss-word-1', "pa\\ss-word-1"])
def test_a_key_escaped_twice_is_hidden(transport, key):
    # A JSON body that is no Palette error is quoted with repr(): JSON's escape, escaped.
    transport(reply(status=401, body={"error": "bad key", "key": key}))
    with pytest.raises(PaletteApiError) as caught:
        client(api_key=key).fetch_org("demo-org")
    assert "word" not in caught.value.msg


def test_a_proxy_password_is_hidden_as_written_and_as_decoded(transport):
    transport(reply(status=401, body={"code": "Unauthorized",
                                      "message": "proxy S3cr@t/pw, S3cr%40t/pw, S3cr%40t%2Fpw"}))
    with pytest.raises(PaletteApiError) as caught:
        client(use_proxy=True, proxy="http://user:S3cr%40t%2Fpw@proxy.example.test:3128").fetch_org(
            "demo-org"
        )
    assert "S3cr" not in caught.value.msg + json.dumps(caught.value.error)


def test_a_key_echoed_as_a_number_is_hidden(transport):
    transport(reply(status=401, body={"code": "InvalidApiKey", "message": "bad key",
                                      "details": {"apiKey": 7340219958812, "count": 3}}))
    with pytest.raises(PaletteApiError) as caught:
        client(api_key="7340219958812").fetch_org("demo-org")
    assert caught.value.error["details"] == {"apiKey": "********", "count": 3}


def test_an_answer_full_of_starts_of_the_key_is_left_out(transport):
    # Each place that starts like the key costs a walk along it; past a thousand, the
    # answer's text is not shown at all rather than checked for minutes.
    key = "Abcd" + "x" * 200
    starts = "Abcd " * 400
    transport(reply(status=401, body={"code": "Unauthorized", "message": starts,
                                      "ref": starts, "details": [starts, starts]}))
    with pytest.raises(PaletteApiError) as caught:
        client(api_key=key).fetch_org("demo-org")
    assert caught.value.msg == (
        "Palette's answer (HTTP 401) repeats the start of the API key or of a proxy password "
        "more than 1000 times; to keep the secret out of this message, the answer's text is "
        "left out"
    )
    assert caught.value.error is None
    assert caught.value.status == 401


def test_a_key_echoed_in_a_non_json_body_never_reaches_the_error(transport):
    transport(reply(status=502, raw=("<p>key " + API_KEY + "</p>").encode()))
    with pytest.raises(PaletteApiError) as caught:
        client(retries=0).fetch_org("demo-org")
    assert API_KEY not in caught.value.msg


def test_tls_failure_against_a_real_server_gives_the_short_cause(emulator):
    made = client(host=emulator.url, ca_path=emulator.wrong_ca_path, retries=0)
    with pytest.raises(PaletteConnectionError) as caught:
        made.fetch_org("acme")
    assert caught.value.msg.startswith(
        "TLS certificate verification failed for %s: certificate verify failed: " % emulator.url
    )
    assert "HTTPSConnectionPool" not in caught.value.msg


def test_the_emulators_ca_makes_the_same_call_succeed(emulator):
    made = client(host=emulator.url, ca_path=emulator.ca_path, retries=0)
    assert made.fetch_org("acme")["org_name"] == "acme"
    assert emulator.requests[0]["headers"]["ApiKey"] == API_KEY


@pytest.mark.parametrize("body", [None, {"code": "NotFound", "message": "no route"}])
def test_a_404_that_is_not_palettes_points_at_the_host_not_the_org(transport, body):
    raw = b"Path not found" if body is None else None
    transport(reply(status=404, body=body, raw=raw))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert caught.value.msg.startswith(
        "The API endpoint https://palette.example.test/v1/auth/org was not found; "
        "check that host is a Palette API (HTTP 404)"
    )


def test_server_text_in_a_message_cannot_drive_the_terminal(transport):
    transport(reply(status=403, body={"code": "X\u001b[31m",
                                      "message": "evil\nok: [localhost] => all good"}))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert "\x1b" not in caught.value.msg and "\n" not in caught.value.msg
    assert "Palette said: X\\x1b[31m: evil\\x0aok: [localhost] => all good." in caught.value.msg


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u200f", "\u2028"])
def test_server_text_cannot_reorder_or_break_the_line_it_is_shown_in(transport, mark):
    transport(reply(status=403, body={"code": "Denied", "message": "gro.%sevil" % mark}))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert mark not in caught.value.msg
    assert "Palette said: Denied: gro.\\u%04xevil." % ord(mark) in caught.value.msg
    # The error fields keep Palette's text as it was sent.
    assert caught.value.error["message"] == "gro.%sevil" % mark


def test_a_json_object_without_palettes_fields_is_no_error_body(transport):
    transport(reply(status=500, body={"status": "down", "detail": "maintenance"}))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert caught.value.error is None
    assert "The body was not a Palette error: " in caught.value.msg
    assert "maintenance" in caught.value.msg


def test_huge_and_deep_error_details_are_cut_down(transport):
    deep = "leaf"
    for _level in range(900):
        deep = [deep]
    transport(reply(status=404, body={"code": "ResourceNotFound", "message": "m" * 100000,
                                      "ref": "r", "details": {"nested": deep}}))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert len(caught.value.msg) < 1000
    assert len(caught.value.error["message"]) == _failures.MAX_ERROR_TEXT
    assert json.dumps(caught.value.error).count("[") <= _failures.MAX_ERROR_DEPTH
    assert "(nested too deeply; left out)" in json.dumps(caught.value.error)


def test_an_empty_location_is_reported_not_looped_on(transport):
    adapter = transport(reply(status=301, headers={"Location": ""}))
    with pytest.raises(PaletteConnectionError) as caught:
        client().fetch_org("demo-org")
    assert len(adapter.sent) == 1
    assert "answered HTTP 301 with an empty Location" in caught.value.msg


def test_a_past_retry_after_still_pauses_a_little(transport):
    limited = reply(status=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    transport(limited, reply(body=GOOD_BODY))
    made = client()
    made.fetch_org("demo-org")
    assert len(made.slept) == 1 and 0.25 <= made.slept[0] <= 0.5


def test_a_retry_after_over_the_cap_says_so(transport):
    transport(reply(status=429, headers={"Retry-After": "11"}))
    with pytest.raises(PaletteApiError) as caught:
        client().fetch_org("demo-org")
    assert "last Retry-After '11', longer than the 10 s a call waits" in caught.value.msg


def test_a_dns_failure_or_proxy_failure_is_not_retried(transport):
    for failure in (requests.exceptions.ConnectionError("NameResolutionError: x"),
                    requests.exceptions.ProxyError("Unable to connect to proxy")):
        adapter = transport(failure)
        with pytest.raises(PaletteConnectionError):
            client().fetch_org("demo-org")
        assert len(adapter.sent) == 1


def test_a_password_in_any_url_of_a_message_is_hidden(transport):
    transport(requests.exceptions.ConnectionError(
        "Failed to parse: http://someone:pa55word@[::1/x and https://a:b:c@h.test"))
    with pytest.raises(PaletteConnectionError) as caught:
        client().fetch_org("demo-org")
    assert "http://someone:********@[::1/x and https://a:********@h.test" in caught.value.msg


def test_a_setting_requests_rejects_at_send_time_is_our_error(transport):
    transport(OSError("Could not find a suitable TLS CA certificate bundle"))
    with pytest.raises(PaletteConnectionError) as caught:
        client().fetch_org("demo-org")
    assert caught.value.msg.startswith("could not send the request to https://palette.example.test")


def test_without_a_timeout_option_every_request_still_has_a_finite_one(transport):
    adapter = transport(reply(body=GOOD_BODY))
    options = ConnectionOptions.from_params({"host": HOST, "validate_certs": True,
                                             "use_proxy": False})
    PaletteClient(options).fetch_org("demo-org")
    assert options.timeout == 10.0
    assert adapter.sent[0]["kwargs"]["timeout"] == 10.0
