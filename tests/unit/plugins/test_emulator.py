# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the Palette emulator itself: every behaviour the other tests rely on."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import pytest

from ansible_collections.spectrocloud.palette.tests.emulator import palette_emulator
from ansible_collections.spectrocloud.palette.tests.emulator.palette_emulator import Emulator

SCRIPT = palette_emulator.__file__
with open(palette_emulator.DEFAULT_ORGS_FILE, encoding="utf-8") as _handle:
    FIXTURES = json.load(_handle)

DEFAULT_BODY = {
    "appEnv": "saas",
    "authType": "password",
    "redirectUrl": "",
    "rootDomain": "spectrocloud.com",
    "securityMode": "noAccess",
    "totalTenants": 3,
}
TRICKY_NAMES = ["R&D Ops", "a+b/c", "Büro #1", "ü漢字", " demo-org "]


# Each test gets its own emulator: ansible-test runs every test in a fork that ends with
# os._exit, so a module- or session-scoped fixture would be set up again in each test
# and never torn down. A plain-HTTP emulator starts in about a millisecond.


@pytest.fixture
def emu():
    """A plain-HTTP emulator with the fixture orgs, no faults and an empty log."""
    with Emulator(lifetime=60) as emulator:
        yield emulator


@pytest.fixture
def tls_emu(tmp_path):
    """An HTTPS emulator whose CA files live in the test's own temporary directory."""
    pytest.importorskip("cryptography")
    with Emulator(tls=True, state_dir=str(tmp_path), lifetime=60) as emulator:
        yield emulator


def org_path(name=None):
    """The request target for an org name, percent-encoded like a careful client."""
    if name is None:
        return palette_emulator.ENDPOINT
    return palette_emulator.ENDPOINT + "?" + urllib.parse.urlencode({"orgName": name})


def connect(emu, timeout=5, cafile=None, host=None):
    """A fresh connection to the emulator (TLS verified against ``cafile`` or its CA)."""
    host = host or emu.bind
    if not emu.tls:
        return http.client.HTTPConnection(host, emu.port, timeout=timeout)
    context = ssl.create_default_context(cafile=cafile or emu.ca_path)
    return http.client.HTTPSConnection(host, emu.port, timeout=timeout, context=context)


def fetch(emu, target, method="GET", headers=None, body=None, **kwargs):
    """Send one request; return (status, headers, body bytes)."""
    connection = connect(emu, **kwargs)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def fetch_json(emu, target, **kwargs):
    """Send one request; return (status, decoded JSON body)."""
    status, dummy, body = fetch(emu, target, **kwargs)
    return status, json.loads(body)


# -- normal answers -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXTURES["orgs"]))
def test_fixture_orgs_are_served_as_json(emu, name):
    status, headers, body = fetch(emu, org_path(name))

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == FIXTURES["orgs"][name]


def test_password_org_lists_github_and_google_logins(emu):
    org = fetch_json(emu, org_path("acme"))[1]

    assert org["authType"] == "password"
    assert org["redirectUrl"] == "https://acme.console.spectrocloud.com"
    assert [login["name"] for login in org["ssoLogins"]] == ["github", "google"]
    for login in org["ssoLogins"]:
        assert sorted(login) == ["displayName", "logo", "name", "redirectUri"]


def test_sso_orgs_point_at_their_identity_providers(emu):
    saml = fetch_json(emu, org_path("corp-saml"))[1]
    oidc = fetch_json(emu, org_path("corp-oidc"))[1]

    saml_query = urllib.parse.parse_qs(urllib.parse.urlsplit(saml["redirectUrl"]).query)
    assert saml["authType"] == "sso"
    assert sorted(saml_query) == ["RelayState", "SAMLRequest"]
    assert saml["ssoLogins"] == []

    oidc_query = urllib.parse.parse_qs(urllib.parse.urlsplit(oidc["redirectUrl"]).query)
    assert oidc["authType"] == "sso"
    assert oidc_query["redirect_uri"] == [
        "https://console.spectrocloud.com/v1/auth/org/corp-oidc/oidc/callback"]
    assert "ssoLogins" not in oidc


def test_org_name_matches_any_case_and_answers_the_canonical_body(emu):
    status, org = fetch_json(emu, org_path("ACME"))

    assert status == 200
    assert org == FIXTURES["orgs"]["acme"]


def test_case_sensitive_mode_rejects_another_case():
    with Emulator(case_sensitive=True, lifetime=30) as emulator:
        status, error = fetch_json(emulator, org_path("ACME"))
        assert fetch_json(emulator, org_path("acme"))[0] == 200

    assert status == 404
    assert error["code"] == "ResourceNotFound"


@pytest.mark.parametrize("target", [
    "/v1/auth/org",
    "/v1/auth/org?orgName=",
    "/v1/auth/org?orgname=acme",
    "/v1/auth/org?ORGNAME=acme&other=1",
])
def test_missing_or_empty_org_name_gives_the_environment_default(emu, target):
    status, body = fetch_json(emu, target)

    assert status == 200
    assert body == DEFAULT_BODY


def test_unknown_org_is_404_resource_not_found(emu):
    status, headers, body = fetch(emu, org_path("nope"))
    error = json.loads(body)

    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert error["code"] == "ResourceNotFound"
    assert error["message"] == "Organization 'nope' not found"
    assert "details" not in error
    assert uuid.UUID(error["ref"]).version == 4


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_org_name_is_decoded_exactly_from_the_query(emu, name):
    encoded = urllib.parse.urlencode({"orgName": name})
    emu.set_org(name, {"orgName": name})

    status, body = fetch_json(emu, "/v1/auth/org?" + encoded)
    entry = emu.requests[-1]

    assert status == 200
    assert body == {"orgName": name}
    assert entry["path"] == "/v1/auth/org"
    assert entry["raw_query"] == encoded
    assert entry["query"] == {"orgName": [name]}


def test_other_methods_on_the_endpoint_are_405(emu):
    status, headers, body = fetch(emu, org_path("acme"), method="POST", body=b"{}")

    assert status == 405
    assert headers["Allow"] == "GET"
    assert json.loads(body)["code"] == "MethodNotAllowed"


@pytest.mark.parametrize("target", ["/v1/auth/orgs", "/", "/v1/auth/org/acme"])
def test_other_paths_are_404(emu, target):
    status, error = fetch_json(emu, target)

    assert status == 404
    assert error["code"] == "ResourceNotFound"


def test_connect_is_recorded_so_the_emulator_can_pose_as_a_proxy(emu):
    with socket.create_connection((emu.bind, emu.port), timeout=5) as sock:
        sock.sendall(b"CONNECT palette.example.test:443 HTTP/1.1\r\n"
                     b"Host: palette.example.test:443\r\n\r\n")
        answer = sock.recv(65536)
    entry = emu.requests[-1]

    assert answer.startswith(b"HTTP/1.1 404 ")
    assert (entry["method"], entry["path"]) == ("CONNECT", "palette.example.test:443")


def test_trailing_slash_reaches_the_endpoint(emu):
    assert fetch_json(emu, "/v1/auth/org/?orgName=acme") == (200, FIXTURES["orgs"]["acme"])


def test_keep_alive_answers_have_no_delayed_ack_stall(emu):
    connection = connect(emu)
    started = time.monotonic()
    for dummy in range(20):
        connection.request("GET", org_path("acme"))
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    elapsed = time.monotonic() - started
    connection.close()

    # One Nagle/delayed-ACK stall is ~40 ms; twenty of them would take 0.8 s.
    assert elapsed < 0.5
    assert len({entry["client"] for entry in emu.requests}) == 1


# -- authentication -------------------------------------------------------------------


def test_require_auth_rejects_a_missing_or_wrong_key():
    with Emulator(require_auth=True, api_key="good-key", lifetime=30) as emulator:
        missing = fetch_json(emulator, org_path("acme"))
        wrong = fetch_json(emulator, org_path("acme"), headers={"ApiKey": "bad-key"})
        right = fetch_json(emulator, org_path("acme"), headers={"apikey": "good-key"})

    assert missing[0] == wrong[0] == 401
    assert missing[1]["code"] == wrong[1]["code"] == "Unauthorized"
    assert "bad-key" not in wrong[1]["message"]
    assert right == (200, FIXTURES["orgs"]["acme"])


def test_echo_key_in_errors_repeats_the_received_key():
    key = "PLACEHOLDER-APIKEY-7f3a9c"
    emulator = Emulator(require_auth=True, api_key=key, echo_key_in_errors=True, lifetime=30)
    with emulator:
        unauthorized = fetch_json(emulator, org_path("acme"), headers={"ApiKey": key + "x"})
        not_found = fetch_json(emulator, org_path("nope"), headers={"ApiKey": key})

    assert unauthorized[0] == 401
    assert key + "x" in unauthorized[1]["message"]
    assert not_found[0] == 404
    assert not_found[1]["message"] == "Organization 'nope' not found (ApiKey '%s')" % key


# -- request log ----------------------------------------------------------------------


def test_every_request_is_logged_with_its_headers(emu):
    before = time.monotonic()
    fetch(emu, org_path("acme"), headers={"ApiKey": "k-1", "X-Probe": "one"})
    fetch(emu, "/elsewhere", method="DELETE")
    entries = emu.requests

    assert emu.count == 2
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/v1/auth/org", 200), ("DELETE", "/elsewhere", 404)]
    assert entries[0]["headers"]["ApiKey"] == "k-1"
    assert entries[0]["headers"]["X-Probe"] == "one"
    assert entries[0]["headers"]["Host"] == emu.host_port
    assert entries[0]["client"].startswith("127.0.0.1:")
    assert before <= entries[0]["time"] <= entries[1]["time"] <= time.monotonic()

    emu.clear_requests()
    assert (emu.count, emu.requests) == (0, [])


# -- faults ---------------------------------------------------------------------------


def test_sequence_of_two_429_then_the_normal_answer(emu):
    emu.set_faults(sequence=[{"status": 429, "headers": {"Retry-After": "1"}}] * 2)

    answers = [fetch(emu, org_path("acme")) for dummy in range(3)]

    assert [answer[0] for answer in answers] == [429, 429, 200]
    assert [answer[1]["Retry-After"] for answer in answers[:2]] == ["1", "1"]
    assert json.loads(answers[0][2])["code"] == "TooManyRequests"
    assert json.loads(answers[0][2])["message"] == "Too Many Requests"
    assert json.loads(answers[2][2]) == FIXTURES["orgs"]["acme"]
    assert emu.faults == {"default": None, "sequence": []}


def test_default_override_applies_until_cleared(emu):
    emu.set_faults(default={"status": 500}, sequence=[None, {"status": 503}])

    statuses = [fetch(emu, org_path("acme"))[0] for dummy in range(4)]
    emu.set_faults()

    # None in a sequence is one normal answer; the default fills in after the sequence.
    assert statuses == [200, 503, 500, 500]
    assert fetch(emu, org_path("acme"))[0] == 200


@pytest.mark.parametrize("status, code", [
    (401, "Unauthorized"), (403, "Forbidden"), (404, "ResourceNotFound"),
    (429, "TooManyRequests"), (500, "InternalError"),
])
def test_status_only_overrides_send_a_v1_error(emu, status, code):
    emu.set_faults(default={"status": status})

    got, headers, body = fetch(emu, org_path("acme"))

    assert got == status
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["code"] == code


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_statuses_send_an_html_page(emu, status):
    emu.set_faults(default={"status": status})

    got, headers, body = fetch(emu, org_path("acme"))

    assert got == status
    assert headers["Content-Type"].startswith("text/html")
    assert body.startswith(b"<!DOCTYPE html>")


def test_json_and_body_overrides_are_sent_verbatim(emu):
    error = {"code": "Forbidden", "ref": "req-42", "details": {"reason": "tenant disabled"}}
    emu.set_faults(sequence=[
        {"status": 403, "json": error},
        {"body": "not json {", "headers": {"Content-Type": "text/plain"}},
    ])

    forbidden = fetch(emu, org_path("acme"))
    plain = fetch(emu, org_path("acme"))

    assert (forbidden[0], json.loads(forbidden[2])) == (403, error)
    assert (plain[0], plain[1]["Content-Type"]) == (200, "text/plain")
    assert plain[2] == b"not json {"


def test_latency_delays_the_answer(emu):
    emu.set_faults(default={"latency": 0.3})

    started = time.monotonic()
    status, body = fetch_json(emu, org_path("acme"))

    assert time.monotonic() - started >= 0.3
    assert (status, body) == (200, FIXTURES["orgs"]["acme"])


def test_stall_times_out_a_client(emu):
    emu.set_faults(default={"stall": 5})

    started = time.monotonic()
    with pytest.raises(socket.timeout):
        fetch(emu, org_path("acme"), timeout=1)

    assert 0.9 <= time.monotonic() - started < 3
    assert emu.count == 1


def test_redirect_answers_302_with_the_location(emu):
    sink = "https://sink.example.test/v1/auth/org?orgName=demo-org"
    same_host = {"redirect": "/v1/auth/org/", "status": 307}
    emu.set_faults(sequence=[{"redirect": sink}, same_host])

    first = fetch(emu, org_path("acme"))
    second = fetch(emu, org_path("acme"))

    assert (first[0], first[1]["Location"], first[2]) == (302, sink, b"")
    assert (second[0], second[1]["Location"]) == (307, "/v1/auth/org/")


def test_html_override_sends_an_html_page(emu):
    emu.set_faults(default={"html": True})

    status, headers, body = fetch(emu, org_path("acme"))

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<html>" in body


def test_oversize_sends_valid_json_of_the_asked_size(emu):
    emu.set_faults(default={"oversize": 3000000})

    status, headers, body = fetch(emu, org_path("acme"))
    org = json.loads(body)

    assert status == 200
    assert len(body) == int(headers["Content-Length"]) == 3000000
    assert org["orgName"] == "acme"


def test_truncate_sends_half_the_promised_body(emu):
    emu.set_faults(default={"truncate": True})
    full_length = len(palette_emulator.encode_json(FIXTURES["orgs"]["acme"]))

    connection = connect(emu)
    connection.request("GET", org_path("acme"))
    response = connection.getresponse()
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    connection.close()

    assert int(response.headers["Content-Length"]) == full_length
    assert len(caught.value.partial) == full_length // 2


def test_invalid_overrides_are_refused(emu):
    for bad in ({"stauts": 429}, {"status": "429"}, {"latency": True},
                {"body": "x", "json": {}}, {"headers": {"X": "a\r\nInjected: 1"}}):
        with pytest.raises(ValueError):
            emu.set_faults(default=bad)

    assert emu.faults == {"default": None, "sequence": []}


# -- per-org bodies -------------------------------------------------------------------


def test_set_org_serves_raw_text_and_json_until_cleared(emu):
    raw = '{"orgName": null, "totalTenants": "many", "x": "</script>'
    emu.set_org("demo-org", raw)
    status, headers, body = fetch(emu, org_path("Demo-Org"))

    assert (status, headers["Content-Type"]) == (200, "application/json")
    assert body == raw.encode()

    emu.set_org("acme", {"redirectUrl": None})
    assert fetch_json(emu, org_path("acme")) == (200, {"redirectUrl": None})
    emu.clear_org("acme")
    assert fetch_json(emu, org_path("acme")) == (200, FIXTURES["orgs"]["acme"])


def test_set_org_with_an_empty_name_replaces_the_default(emu):
    emu.set_org("", {"appEnv": "self-hosted"})

    assert fetch_json(emu, org_path()) == (200, {"appEnv": "self-hosted"})


# -- admin API ------------------------------------------------------------------------


def test_admin_api_drives_the_emulator_and_is_not_logged(emu):
    faults = json.dumps({"sequence": [{"status": 429}]}).encode()
    org_url = "/_emulator/orgs/" + urllib.parse.quote("R&D Ops", safe="")

    assert fetch(emu, "/_emulator/faults", method="PUT", body=faults)[0] == 200
    assert fetch(emu, org_url, method="PUT", body=b'{"orgName":"R&D Ops"}')[0] == 204
    assert fetch(emu, org_path("acme"))[0] == 429
    assert fetch_json(emu, org_path("R&D Ops")) == (200, {"orgName": "R&D Ops"})

    assert fetch_json(emu, "/_emulator/count") == (200, {"count": 2})
    status, log = fetch_json(emu, "/_emulator/requests")
    assert (status, [entry["status"] for entry in log]) == (200, [429, 200])

    assert fetch(emu, org_url, method="DELETE")[0] == 204
    assert fetch(emu, "/_emulator/requests", method="DELETE")[0] == 204
    assert fetch_json(emu, org_path("R&D Ops"))[0] == 404
    assert emu.count == 1


def test_admin_api_ignores_faults_and_refuses_bad_overrides(emu):
    emu.set_faults(default={"status": 503})
    bad = json.dumps({"default": {"status": "soon"}}).encode()

    status, error = fetch_json(emu, "/_emulator/faults", method="PUT", body=bad)

    assert status == 400
    assert error["code"] == "BadRequest"
    assert fetch(emu, "/_emulator/faults", method="DELETE")[0] == 204
    assert fetch(emu, org_path("acme"))[0] == 200


def test_admin_shutdown_stops_the_server():
    emulator = Emulator(lifetime=30).start()

    answer = fetch_json(emulator, "/_emulator/shutdown", method="POST")

    assert answer == (200, {"stopping": True})
    assert emulator.wait(5)
    with pytest.raises(ConnectionRefusedError):
        fetch(emulator, org_path("acme"))


# -- life cycle -----------------------------------------------------------------------


def test_stop_is_prompt_during_a_stall():
    emulator = Emulator(lifetime=30).start()
    emulator.set_faults(default={"stall": 30})
    errors = []

    def client():
        try:
            fetch(emulator, org_path("acme"), timeout=20)
        except (OSError, http.client.HTTPException) as error:
            errors.append(error)

    thread = threading.Thread(target=client)
    thread.start()
    deadline = time.monotonic() + 5
    while emulator.count == 0 and time.monotonic() < deadline:
        time.sleep(0.01)

    started = time.monotonic()
    emulator.stop()
    stop_time = time.monotonic() - started
    thread.join(5)

    assert stop_time < 1
    assert not thread.is_alive()
    assert len(errors) == 1


def test_lifetime_stops_the_server_by_itself():
    emulator = Emulator(lifetime=0.3).start()

    assert emulator.wait(5)
    with pytest.raises(ConnectionRefusedError):
        fetch(emulator, org_path("acme"))


def test_state_dir_is_made_only_for_tls_and_removed_on_stop(tmp_path):
    pytest.importorskip("cryptography")
    with Emulator(lifetime=30) as plain:
        assert plain.state_dir is None
    with Emulator(tls=True, lifetime=30) as owned:
        owned_dir = owned.state_dir
        assert os.path.isfile(os.path.join(owned_dir, "ca.pem"))
    with Emulator(tls=True, state_dir=str(tmp_path), lifetime=30):
        pass

    assert not os.path.exists(owned_dir)
    assert (tmp_path / "ca.pem").is_file()


@pytest.mark.parametrize("address", ["0.0.0.0", "192.0.2.1", "::", "localhost"])
def test_only_loopback_addresses_are_accepted(address):
    with pytest.raises(ValueError):
        Emulator(bind=address)


def test_ipv6_loopback_is_served():
    try:
        emulator = Emulator(bind="::1", lifetime=30).start()
    except OSError:
        pytest.skip("no IPv6 loopback on this host")
    with emulator:
        status, org = fetch_json(emulator, org_path("acme"))

    assert emulator.url == "http://[::1]:%d" % emulator.port
    assert (status, org) == (200, FIXTURES["orgs"]["acme"])


# -- TLS ------------------------------------------------------------------------------


def test_tls_verifies_with_ca_path_for_every_loopback_name(tls_emu, tmp_path):
    assert tls_emu.url == "https://127.0.0.1:%d" % tls_emu.port
    assert tls_emu.ca_path == str(tmp_path / "ca.pem")
    assert tls_emu.wrong_ca_path == str(tmp_path / "wrong-ca.pem")
    for host in ("127.0.0.1", "localhost"):
        assert fetch_json(tls_emu, org_path("acme"), host=host)[0] == 200

    with open(tls_emu.ca_path, encoding="utf-8") as handle:
        pem = handle.read()
    assert pem.count("BEGIN CERTIFICATE") == 1
    assert "PRIVATE KEY" not in pem
    for key in ("ca-key.pem", "wrong-ca-key.pem", "server-key.pem"):
        assert stat.S_IMODE(os.stat(str(tmp_path / key)).st_mode) == 0o600


def test_tls_fails_verification_with_the_wrong_ca(tls_emu):
    with pytest.raises(ssl.SSLCertVerificationError):
        fetch(tls_emu, org_path("acme"), cafile=tls_emu.wrong_ca_path)

    # The refused handshake is not a request: nothing reached the endpoint.
    assert tls_emu.count == 0


def test_emulators_sharing_a_ca_dir_share_the_ca(tmp_path):
    pytest.importorskip("cryptography")
    ca_dir = str(tmp_path)
    with Emulator(tls=True, ca_dir=ca_dir, lifetime=30) as first:
        second = Emulator(tls=True, ca_dir=ca_dir, bind="127.0.0.2", lifetime=30)
        try:
            second.start()
        except OSError:
            pytest.skip("only 127.0.0.1 is routed to loopback on this host")
        with second:
            second_status = fetch(second, org_path("acme"), cafile=first.ca_path)[0]
            first_status = fetch(first, org_path("acme"), cafile=second.ca_path)[0]

    assert first.ca_path == second.ca_path
    assert first_status == second_status == 200


# -- command line ---------------------------------------------------------------------


def run_cli(*args):
    return subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True,
                          text=True, timeout=30, check=False)


def test_cli_background_start_and_stop_round_trip(tmp_path):
    pytest.importorskip("cryptography")
    ready_file = tmp_path / "ready.json"
    state_dir = tmp_path / "state"

    started = run_cli("--background", "--tls", "--lifetime", "30", "--latency", "0.01",
                      "--state-dir", str(state_dir), "--ready-file", str(ready_file))
    try:
        assert started.returncode == 0, started.stderr
        ready = json.loads(started.stdout)
        assert ready == json.loads(ready_file.read_text(encoding="utf-8"))
        assert ready["url"] == "https://127.0.0.1:%d" % ready["port"]
        assert ready["host_port"] == "127.0.0.1:%d" % ready["port"]
        assert ready["ca_path"] == str(state_dir / "ca.pem")
        assert ready["wrong_ca_path"] == str(state_dir / "wrong-ca.pem")
        assert ready["state_dir"] == str(state_dir)

        context = ssl.create_default_context(cafile=ready["ca_path"])
        connection = http.client.HTTPSConnection(
            "127.0.0.1", ready["port"], context=context, timeout=5)
        connection.request("GET", org_path("acme"))
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        stopped = run_cli("--stop", "--ready-file", str(ready_file))

    assert stopped.returncode == 0, stopped.stderr
    assert not ready_file.exists()
    assert not palette_emulator.process_alive(ready["pid"])
    log = (state_dir / "emulator.log").read_text(encoding="utf-8")
    assert "GET /v1/auth/org?orgName=acme -> 200" in log
    assert run_cli("--stop", "--ready-file", str(ready_file)).returncode == 0


def test_cli_background_reports_a_child_that_fails(tmp_path):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    try:
        result = run_cli("--background", "--port", str(blocker.getsockname()[1]),
                         "--state-dir", str(tmp_path), "--lifetime", "5")
    finally:
        blocker.close()

    assert result.returncode == 1
    assert "did not start" in result.stderr
    assert "Address already in use" in result.stderr
