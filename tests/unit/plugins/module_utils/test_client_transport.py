# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client over real sockets: redirects, proxies and TLS settings on every path."""

from __future__ import annotations

import socket
import warnings

import pytest

from ansible_collections.spectrocloud.palette.plugins.module_utils._client import PaletteClient
from ansible_collections.spectrocloud.palette.plugins.module_utils._errors import (
    PaletteConnectionError,
    PaletteOptionError,
    PaletteResponseError,
)
from ansible_collections.spectrocloud.palette.plugins.module_utils._options import (
    ConnectionOptions,
)
from ansible_collections.spectrocloud.palette.tests.emulator.palette_emulator import Emulator
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import API_KEY


def client(host, **params):
    values = {"host": host, "api_key": API_KEY, "validate_certs": True, "timeout": 5.0,
              "retries": 2, "use_proxy": True}
    values.update(params)
    return PaletteClient(ConnectionOptions.from_params(values), sleep=lambda seconds: None)


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sink(emulator, tmp_path):
    """A second emulator, another origin, trusting the same CA as the first."""
    with Emulator(port=0, tls=True, state_dir=str(tmp_path / "sink"),
                  ca_dir=emulator.ca_dir, lifetime=300) as other:
        yield other


def headers_seen(server):
    return [{name.lower(): value for name, value in entry["headers"].items()}
            for entry in server.requests]


@pytest.mark.parametrize("make_location", [
    lambda sink: sink.url + "/v1/auth/org?orgName=demo-org",
    lambda sink: "https://localhost:%d/v1/auth/org?orgName=demo-org" % sink.port,
])
def test_the_key_never_reaches_a_redirect_target_on_another_origin(emulator, sink, make_location):
    emulator.set_faults(default={"redirect": make_location(sink)})
    with pytest.raises(PaletteConnectionError) as caught:
        client(emulator.url, ca_path=emulator.ca_path).fetch_org("demo-org")
    assert "the redirect was refused" in caught.value.msg
    assert sink.count == 0
    assert all(API_KEY not in str(seen) for seen in headers_seen(sink))


def test_a_same_origin_redirect_keeps_the_key_and_succeeds(emulator):
    emulator.set_faults(sequence=[{"redirect": "/v1/auth/org/?orgName=acme"}])
    org = client(emulator.url, ca_path=emulator.ca_path).fetch_org("acme")
    assert org["org_name"] == "acme"
    assert [seen.get("apikey") for seen in headers_seen(emulator)] == [API_KEY, API_KEY]


def test_use_proxy_false_ignores_proxy_variables(emulator, monkeypatch):
    dead = "http://127.0.0.1:%d" % closed_port()
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, dead)
    made = client(emulator.url, ca_path=emulator.ca_path, use_proxy=False)
    assert made.fetch_org("acme")["org_name"] == "acme"
    assert emulator.count == 1


def test_proxy_variables_are_used_by_default(emulator, tmp_path, monkeypatch):
    with Emulator(port=0, lifetime=300) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with pytest.raises(PaletteConnectionError):
            client(emulator.url, ca_path=emulator.ca_path, retries=0).fetch_org("acme")
        connects = [entry for entry in proxy.requests if entry["method"] == "CONNECT"]
    assert [entry["path"] for entry in connects] == [emulator.host_port]
    assert emulator.count == 0


def test_explicit_proxy_wins_over_the_environment(emulator, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:%d" % closed_port())
    with Emulator(port=0, lifetime=300) as proxy:
        with pytest.raises(PaletteConnectionError):
            client(emulator.url, ca_path=emulator.ca_path, retries=0,
                   proxy=proxy.url).fetch_org("acme")
        assert [entry["method"] for entry in proxy.requests] == ["CONNECT"]


# The paths a request can take: straight, through a retry, through a same-origin redirect.
EVERY_PATH = pytest.mark.parametrize("faults", [
    None,
    {"sequence": [{"status": 429, "headers": {"Retry-After": "0"}}]},
    {"sequence": [{"redirect": "/v1/auth/org/?orgName=acme"}]},
], ids=["plain", "after-a-retry", "after-a-redirect"])


@EVERY_PATH
def test_validate_certs_false_applies_to_every_path_without_raw_warnings(emulator, faults):
    if faults:
        emulator.set_faults(**faults)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        org = client(emulator.url, validate_certs=False).fetch_org("acme")
    assert org["org_name"] == "acme"
    assert [str(w.message) for w in caught if "Unverified HTTPS" in str(w.message)] == []


@EVERY_PATH
def test_validate_certs_true_fails_on_every_path_without_the_ca(emulator, faults):
    if faults:
        emulator.set_faults(**faults)
    with pytest.raises(PaletteConnectionError) as caught:
        client(emulator.url).fetch_org("acme")
    assert caught.value.msg.startswith("TLS certificate verification failed for %s" % emulator.url)


def test_a_stalled_server_ends_the_call_after_one_attempt(emulator):
    emulator.set_faults(default={"stall": 60})
    with pytest.raises(PaletteConnectionError) as caught:
        client(emulator.url, ca_path=emulator.ca_path, timeout=1, retries=3).fetch_org("acme")
    assert caught.value.msg.endswith("did not answer within the timeout of 1 second")
    assert emulator.count == 1


def test_a_truncated_body_is_a_connection_error(emulator):
    emulator.set_faults(default={"truncate": True})
    with pytest.raises(PaletteConnectionError) as caught:
        client(emulator.url, ca_path=emulator.ca_path).fetch_org("acme")
    assert "broke before the whole response arrived" in caught.value.msg


def test_a_body_that_cannot_be_decoded_is_named_as_such(emulator):
    emulator.set_faults(default={"headers": {"Content-Encoding": "gzip"}, "body": "not gzip"})
    with pytest.raises(PaletteResponseError) as caught:
        client(emulator.url, ca_path=emulator.ca_path).fetch_org("acme")
    assert "could not be decoded (Content-Encoding 'gzip')" in caught.value.msg


PROXY_PASSWORD = "PROXYPASS-SECRET"


@pytest.mark.parametrize("variable", ["https_proxy", "HTTPS_PROXY", "all_proxy"])
def test_an_unusable_environment_proxy_is_named_and_its_password_hidden(
        emulator, monkeypatch, variable):
    monkeypatch.setenv(variable, "http://user:%s@127.0.0.1:99999" % PROXY_PASSWORD)
    with pytest.raises(PaletteOptionError) as caught:
        client(emulator.url, ca_path=emulator.ca_path, retries=0).fetch_org("acme")
    assert caught.value.msg.startswith("the proxy from the environment (https_proxy, ")
    assert PROXY_PASSWORD not in str(caught.value.to_result())
    assert emulator.count == 0


def test_a_dead_environment_proxy_never_shows_its_password(emulator, monkeypatch):
    monkeypatch.setenv("https_proxy", "http://user:%s@127.0.0.1:%d" % (PROXY_PASSWORD, closed_port()))
    with pytest.raises(PaletteConnectionError) as caught:
        client(emulator.url, ca_path=emulator.ca_path, retries=0).fetch_org("acme")
    assert "through the proxy" in caught.value.msg
    assert PROXY_PASSWORD not in str(caught.value.to_result())


def test_a_wrong_ca_from_requests_ca_bundle_is_named_with_the_way_out(emulator, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.wrong_ca_path)
    with pytest.raises(PaletteConnectionError) as caught:
        client(emulator.url, retries=0).fetch_org("acme")
    assert caught.value.msg.endswith(
        "The CA file of environment variable REQUESTS_CA_BUNDLE, %r, does not hold the CA that "
        "signed the server's certificate; if this Palette uses a private CA, set ca_path to its "
        "PEM file." % emulator.wrong_ca_path
    )
