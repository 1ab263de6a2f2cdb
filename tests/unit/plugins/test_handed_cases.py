# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Faults reported against similar tools, each run through the module and the lookup.

Every test drives a real emulator over TLS and checks that palette_org_info and
palette_redirect_url behave the same way: both succeed with the same answer, or both
fail with the same message. The shared cases file names each fault; the tests are named
after the behaviour.
"""

from __future__ import annotations

import json
import socket

import pytest
from ansible.errors import AnsibleLookupError
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.plugins.loader import lookup_loader

from ansible_collections.spectrocloud.palette.plugins.lookup import (
    palette_redirect_url as lookup_plugin,
)
from ansible_collections.spectrocloud.palette.tests.emulator.palette_emulator import Emulator
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import (
    API_KEY,
    GOOD_BODY,
    run_module,
)

DEMO_URL = GOOD_BODY["redirectUrl"]


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    """No answers remembered by the lookup, no warnings kept by the module."""
    monkeypatch.setattr(lookup_plugin, "_ANSWERS", {})
    monkeypatch.setattr(lookup_plugin, "_WARNED", set())
    monkeypatch.setattr(ansible_warnings, "_global_warnings", {})


def lookup(*terms, **options):
    """Run palette_redirect_url as Ansible loads it; return its list of URLs."""
    return lookup_loader.get("spectrocloud.palette.palette_redirect_url").run(
        list(terms), variables={}, **options
    )


def both_fail(capsys, org, **options):
    """Run both; both must fail with the same message. Return (module result, output)."""
    result, out = run_module(capsys, org_name=org, **options)
    assert result.get("failed") is True, result
    with pytest.raises(AnsibleLookupError) as caught:
        lookup(org, **options)
    assert caught.value.message == result["msg"]
    assert API_KEY not in out + str(caught.value)
    return result, out


def both_succeed(capsys, org, **options):
    """Run both; both must return the same redirect URL. Return the module result."""
    result, out = run_module(capsys, org_name=org, **options)
    assert "failed" not in result, result
    assert lookup(org, **options) == [result["org"]["redirect_url"]]
    assert API_KEY not in out
    return result


def tls(emulator, **options):
    values = {"host": emulator.url, "ca_path": emulator.ca_path, "api_key": API_KEY,
              "retries": 0, "timeout": 5}
    values.update(options)
    # An option given as None counts as set for a module; leave it out instead, so
    # that its environment fallback applies.
    return {name: value for name, value in values.items() if value is not None}


@pytest.fixture
def sink(emulator, tmp_path):
    """Another origin (another port, same CA) that records whatever reaches it."""
    with Emulator(port=0, tls=True, state_dir=str(tmp_path / "sink"),
                  ca_dir=emulator.ca_dir, lifetime=300) as other:
        yield other


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sent_keys(server):
    return [value for entry in server.requests for name, value in entry["headers"].items()
            if name.lower() == "apikey" or API_KEY in value]


# C01: credentials must not follow a redirect to another origin.
def test_no_plugin_sends_the_key_to_a_redirect_target_elsewhere(capsys, emulator, sink):
    emulator.set_faults(default={"redirect": sink.url + "/v1/auth/org?orgName=demo-org"})
    result, _out = both_fail(capsys, "demo-org", **tls(emulator))
    assert "the redirect was refused" in result["msg"]
    assert sink.count == 0 and sent_keys(sink) == []


def test_a_same_host_redirect_still_carries_the_key_for_both(capsys, emulator):
    hop = {"redirect": "/v1/auth/org/?orgName=demo-org"}
    emulator.set_faults(sequence=[hop, None, hop])
    both_succeed(capsys, "demo-org", **tls(emulator))
    assert sent_keys(emulator) == [API_KEY] * 4


# C03: use_proxy false must beat proxy variables in the environment.
def test_use_proxy_false_ignores_a_dead_environment_proxy_for_both(capsys, emulator, monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:%d" % closed_port())
    both_succeed(capsys, "demo-org", **tls(emulator, use_proxy=False))
    assert emulator.count == 2


def test_by_default_both_go_through_the_environment_proxy(capsys, emulator, monkeypatch):
    with Emulator(port=0, lifetime=300) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        both_fail(capsys, "demo-org", **tls(emulator))
        assert [entry["method"] for entry in proxy.requests] == ["CONNECT", "CONNECT"]
        assert sent_keys(proxy) == []
    assert emulator.count == 0


# C05 and C07: validate_certs false on every path; string booleans in the lookup.
@pytest.mark.parametrize("faults", [
    {},
    {"sequence": [{"status": 429, "headers": {"Retry-After": "0"}}, None] * 2},
    {"sequence": [{"redirect": "/v1/auth/org/?orgName=demo-org"}, None] * 2},
], ids=["first call", "retry", "redirect"])
def test_validate_certs_false_reaches_every_path_of_both(capsys, emulator, faults):
    emulator.set_faults(**faults)
    options = tls(emulator, validate_certs=False, ca_path=None, retries=1)
    result = both_succeed(capsys, "demo-org", **options)
    assert "InsecureRequestWarning" not in json.dumps(result)


@pytest.mark.parametrize("value", ["no", "false", "False", "0", 0, False])
def test_false_like_strings_turn_lookup_verification_off(emulator, value):
    assert lookup("demo-org", host=emulator.url, validate_certs=value) == [DEMO_URL]


@pytest.mark.parametrize("value", ["yes", "true", "True", "1", 1, True])
def test_true_like_strings_keep_lookup_verification_on(emulator, value):
    with pytest.raises(AnsibleLookupError, match="TLS certificate verification failed"):
        lookup("demo-org", host=emulator.url, validate_certs=value)
    assert lookup("demo-org", host=emulator.url, validate_certs=value,
                  ca_path=emulator.ca_path) == [DEMO_URL]


def test_a_maybe_boolean_fails_naming_the_option(emulator):
    with pytest.raises(AnsibleLookupError, match="validate_certs: 'maybe'"):
        lookup("demo-org", host=emulator.url, validate_certs="maybe")


# C08: one custom CA setting, the same in module and lookup, by option or environment.
def test_a_private_ca_works_the_same_for_both(capsys, emulator, monkeypatch):
    both_succeed(capsys, "demo-org", **tls(emulator))
    monkeypatch.setenv("SPECTROCLOUD_CA_PATH", emulator.ca_path)
    both_succeed(capsys, "demo-org", **tls(emulator, ca_path=None))


def test_a_wrong_or_missing_ca_fails_the_same_for_both(capsys, emulator):
    result, _out = both_fail(capsys, "demo-org", **tls(emulator, ca_path=emulator.wrong_ca_path))
    assert result["msg"].startswith("TLS certificate verification failed")
    result, _out = both_fail(capsys, "demo-org", **tls(emulator, ca_path="/nonexistent/ca.pem"))
    assert result["msg"].startswith("ca_path: file not found: ")


# C12: Palette's structured error is kept.
def test_palettes_error_fields_survive_in_both(capsys, emulator):
    error = {"code": "Forbidden", "message": "organization access denied", "ref": "req-42",
             "details": {"reason": "tenant disabled"}}
    emulator.set_faults(default={"status": 403, "json": error})
    result, _out = both_fail(capsys, "demo-org", **tls(emulator))
    assert result["status"] == 403
    assert result["error"] == error
    for part in ("HTTP 403", "Forbidden", "organization access denied", "req-42"):
        assert part in result["msg"]


def test_a_key_echoed_in_an_error_reaches_neither(capsys, emulator):
    emulator.set_faults(default={"status": 401, "json": {
        "code": "ResourceNotFound", "message": "api key %s not found" % API_KEY}})
    result, _out = both_fail(capsys, "demo-org", **tls(emulator))
    assert "api key ******** not found" in result["msg"]


# C14: 429 is retried, honouring Retry-After, within a bound.
def test_two_429s_then_success_for_both(capsys, emulator):
    limited = {"status": 429, "headers": {"Retry-After": "1"}}
    emulator.set_faults(sequence=[limited, limited])
    result, _out = run_module(capsys, org_name="demo-org", **tls(emulator, retries=3))
    assert result["org"]["redirect_url"] == DEMO_URL
    emulator.set_faults(sequence=[limited, limited])
    assert lookup("demo-org", **tls(emulator, retries=3)) == [DEMO_URL]

    # Each run: 429, 429, 200, with the server's one-second pauses in between.
    assert [entry["status"] for entry in emulator.requests] == [429, 429, 200] * 2
    times = [entry["time"] for entry in emulator.requests]
    assert all(times[i + 1] - times[i] >= 0.9 for i in (0, 1, 3, 4))


def test_always_429_gives_up_after_the_retries_for_both(capsys, emulator):
    emulator.set_faults(default={"status": 429, "headers": {"Retry-After": "1"}, "json": {
        "code": "TooManyRequests", "message": "Too Many Requests", "ref": "r-429"}})
    result, _out = both_fail(capsys, "demo-org", **tls(emulator, retries=2))
    assert result["status"] == 429
    assert "HTTP 429, after 3 attempts, last Retry-After '1'" in result["msg"]
    assert emulator.count == 6


# C16: the timeout reaches every request and a stall ends after one attempt.
def test_a_stalled_server_times_out_once_for_both(capsys, emulator):
    emulator.set_faults(default={"stall": 60})
    result, _out = both_fail(capsys, "demo-org", **tls(emulator, timeout=1, retries=3))
    assert "did not answer within the timeout of 1 second" in result["msg"]
    assert emulator.count == 2


# C17: the org name is one query value, byte for byte.
@pytest.mark.parametrize("org", ["R&D Ops", "Büro #1", "a+b/c", "ü漢字", " demo-org "])
def test_org_names_reach_the_server_exactly_from_both(capsys, emulator, org):
    emulator.set_org(org, dict(GOOD_BODY, orgName=org))
    both_succeed(capsys, org, **tls(emulator))
    assert [entry["query"] for entry in emulator.requests] == [{"orgName": [org]}] * 2
    assert {entry["path"] for entry in emulator.requests} == {"/v1/auth/org"}


# C18, C20, C21: unknown fields, nulls and unknown enum values in the answer.
def test_unknown_fields_are_ignored_by_both(capsys, emulator):
    emulator.set_org("demo-org", dict(GOOD_BODY, tenantId="t-1", loginBanner={"enabled": False}))
    result = both_succeed(capsys, "demo-org", **tls(emulator))
    assert "tenant_id" not in result["org"] and result["org"]["total_tenants"] == 1


def test_nulls_become_none_and_an_empty_url_stays_empty(capsys, emulator):
    emulator.set_org("demo-org", dict(GOOD_BODY, authType="password", ssoLogins=None,
                                      redirectUrl="", orgName=None, totalTenants=None))
    result = both_succeed(capsys, "demo-org", **tls(emulator))
    assert result["org"]["sso_logins"] == [] and result["org"]["redirect_url"] == ""
    assert result["org"]["org_name"] is None and result["org"]["total_tenants"] is None


@pytest.mark.parametrize("field, value", [("totalTenants", "many"), ("ssoLogins", "x")])
def test_a_wrong_type_fails_both_naming_the_field(capsys, emulator, field, value):
    emulator.set_org("demo-org", dict(GOOD_BODY, **{field: value}))
    result, _out = both_fail(capsys, "demo-org", **tls(emulator))
    assert "field %s: " % field in result["msg"] and json.dumps(value) in result["msg"]
    assert "TypeError" not in result["msg"]


@pytest.mark.parametrize("auth_type", ["saml", "SSO"])
def test_an_unknown_auth_type_fails_both_with_the_allowed_values(capsys, emulator, auth_type):
    emulator.set_org("demo-org", dict(GOOD_BODY, authType=auth_type))
    result, _out = both_fail(capsys, "demo-org", **tls(emulator))
    assert ("field authType: expected one of: password, sso (or null), got \"%s\"" % auth_type
            in result["msg"])
