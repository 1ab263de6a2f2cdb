# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the unit tests: a scripted HTTP transport and the emulator."""

from __future__ import annotations

import pytest

from ansible_collections.spectrocloud.palette.plugins.module_utils import _client
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import ScriptedAdapter


@pytest.fixture
def transport(monkeypatch):
    """Return a function that scripts the replies every new client session gets."""
    adapters = []

    def script(*steps):
        adapter = ScriptedAdapter(steps)
        adapters.append(adapter)
        return adapter

    original = _client._new_session

    def new_session(options):
        session = original(options)
        if adapters:
            session.mount("https://", adapters[-1])
            session.mount("http://", adapters[-1])
        return session

    monkeypatch.setattr(_client, "_new_session", new_session)
    return script


@pytest.fixture
def emulator(tmp_path):
    """A TLS emulator of its own for each test.

    ansible-test runs every unit test in a fork that never tears fixtures down, so a
    wider scope would not share anything; a per-test server is also independent.
    """
    # Imported here so that a broken emulator fails only the tests that use it.
    from ansible_collections.spectrocloud.palette.tests.emulator.palette_emulator import Emulator

    with Emulator(port=0, tls=True, state_dir=str(tmp_path / "emulator"), lifetime=300) as emu:
        yield emu


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Keep the machine's proxy, CA bundle and SPECTROCLOUD_* settings out of the tests."""
    for name in (
        "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE",
        "http_proxy", "https_proxy", "all_proxy", "no_proxy",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
        "SPECTROCLOUD_HOST", "SPECTROCLOUD_APIKEY", "SPECTROCLOUD_VALIDATE_CERTS",
        "SPECTROCLOUD_CA_PATH", "SPECTROCLOUD_TIMEOUT", "SPECTROCLOUD_RETRIES",
        "SPECTROCLOUD_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
