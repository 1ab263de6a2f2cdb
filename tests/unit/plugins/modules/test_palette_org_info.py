# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module end to end: its arguments in, its JSON result out."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.spectrocloud.palette.plugins.modules import palette_org_info
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import (
    API_KEY,
    GOOD_BODY,
    reply,
    run_module,
)


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Module warnings are process-wide; each test starts with none."""
    monkeypatch.setattr(ansible_warnings, "_global_warnings", {})
    monkeypatch.setattr(ansible_warnings, "_global_deprecations", {})


def emulator_args(emulator, **args):
    base = {"host": emulator.url, "ca_path": emulator.ca_path, "retries": 0}
    base.update(args)
    return base


def test_reads_a_fixture_org_from_the_emulator(capsys, emulator):
    result, _out = run_module(capsys, **emulator_args(emulator, org_name="corp-saml"))
    assert result["changed"] is False
    assert result["org"]["org_name"] == "corp-saml"
    assert result["org"]["auth_type"] == "sso"
    assert emulator.count == 1


def test_runs_in_check_mode_and_still_reads(capsys, emulator):
    args = emulator_args(emulator, org_name="acme", _ansible_check_mode=True)
    result, _out = run_module(capsys, **args)
    assert "skipped" not in result
    assert result["changed"] is False
    assert result["org"]["auth_type"] == "password"
    assert [entry["method"] for entry in emulator.requests] == ["GET"]


def test_unknown_org_fails_with_status_url_and_palettes_error(capsys, emulator):
    result, _out = run_module(capsys, **emulator_args(emulator, org_name="nope"))
    assert result["failed"] is True
    assert result["status"] == 404
    assert result["url"] == emulator.url + "/v1/auth/org?orgName=nope"
    assert result["error"]["code"] == "ResourceNotFound"
    assert result["msg"].startswith(
        "Organisation 'nope' at %s was not found (HTTP 404)" % emulator.url
    )


def test_the_key_is_absent_from_a_failure_even_when_the_server_echoes_it(capsys, transport):
    transport(
        reply(
            status=401,
            body={
                "code": "ResourceNotFound",
                "message": "no such api key " + API_KEY,
                "ref": "r-1",
            },
        )
    )
    # ansible-core 2.21 adds `invocation` only when the controller asks for it.
    asked = {"_ansible_inject_invocation": True} if "inject_invocation" in PASS_VARS else {}
    result, out = run_module(
        capsys, host="palette.example.test", api_key=API_KEY, org_name="demo-org", **asked
    )
    assert result["failed"] is True
    assert result["status"] == 401
    assert API_KEY not in out
    assert result["invocation"]["module_args"]["api_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_a_bad_option_value_fails_naming_the_option(capsys):
    result, _out = run_module(capsys, host="ftp://x")
    assert result["failed"] is True
    assert result["msg"] == (
        "host: the scheme 'ftp' of 'ftp://x' is not supported; expected https:// or http://"
    )
    assert result["status"] is None


def test_a_bad_body_fails_naming_the_field(capsys, transport):
    transport(reply(body=dict(GOOD_BODY, totalTenants="many")))
    result, _out = run_module(capsys, host="palette.example.test", org_name="demo-org")
    assert result["failed"] is True
    assert result["status"] == 200
    assert 'field totalTenants: expected a whole number or null, got "many"' in result["msg"]


def test_validate_certs_false_warns_once_and_skips_verification(capsys, emulator):
    args = emulator_args(emulator, org_name="acme", validate_certs=False, ca_path=None)
    result, out = run_module(capsys, **args)
    assert result["org"]["org_name"] == "acme"
    # ansible-core 2.19 wraps each warning in a structured summary.
    warnings = [w["event"]["msg"] if isinstance(w, dict) else w for w in result["warnings"]]
    assert warnings == [
        "validate_certs is false: the TLS certificate of the Palette API is not verified"
    ]
    assert "InsecureRequestWarning" not in out


def test_missing_library_fails_with_the_standard_message(capsys, monkeypatch):
    monkeypatch.setattr(palette_org_info, "missing_library", lambda: ("requests", "tb"))
    result, _out = run_module(capsys, org_name="acme")
    assert result["failed"] is True
    assert "Failed to import the required Python library (requests)" in result["msg"]


def run_python(lines, *args):
    """Run ``lines`` of Python in a process of their own that can import the collection."""
    collections_root = os.path.abspath(
        os.path.join(os.path.dirname(palette_org_info.__file__), *[".."] * 5)
    )
    code = "\n".join(["import sys", "sys.path.insert(0, %r)" % collections_root, *lines])
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "blocked, reported", [(["requests", "voluptuous"], "requests"), (["voluptuous"], "voluptuous")]
)
def test_the_module_imports_without_its_libraries_and_names_the_missing_one(blocked, reported):
    # ansible-doc and the import sanity test load the module where neither may exist.
    done = run_python([
        "for name in %r:" % blocked,
        "    sys.modules[name] = None",
        "from ansible_collections.spectrocloud.palette.plugins.modules import palette_org_info",
        "from ansible_collections.spectrocloud.palette.plugins.module_utils import _client",
        "print(_client.missing_library()[0])",
    ])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == reported


def test_run_as_a_script_it_answers_and_freezes_the_heap_at_exit(emulator):
    # As AnsiballZ runs it: the module as __main__, in a process of its own that ends
    # with exit_json. An atexit handler registered before the module's own runs after
    # it and reports what the last garbage collection will skip (docs/performance.md).
    done = run_python(
        [
            "import atexit, gc, json, runpy",
            "from ansible.module_utils.testing import patch_module_args",
            "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count(), file=sys.stderr))",
            "with patch_module_args(json.loads(sys.argv[1])):",
            "    runpy.run_module(%r, run_name='__main__', alter_sys=True)"
            % palette_org_info.__name__,
        ],
        json.dumps(emulator_args(emulator, org_name="acme")),
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["org"]["redirect_url"] == "https://acme.console.spectrocloud.com"
    frozen = [line for line in done.stderr.splitlines() if line.startswith("frozen at exit:")]
    assert len(frozen) == 1, done.stderr
    assert int(frozen[0].split(":")[1]) > 1000, frozen


def test_a_vaulted_key_with_a_trailing_newline_works(capsys, emulator):
    args = emulator_args(emulator, org_name="acme", api_key=API_KEY + "\n")
    result, _out = run_module(capsys, **args)
    assert result["org"]["org_name"] == "acme"
    assert emulator.requests[0]["headers"]["ApiKey"] == API_KEY


def test_a_key_with_control_characters_fails_without_showing_it(capsys, emulator):
    args = emulator_args(emulator, org_name="acme", api_key=API_KEY + "\r\nX-Evil: 1")
    result, out = run_module(capsys, **args)
    assert result["failed"] is True
    assert result["msg"].startswith("api_key: the value contains")
    assert "7f3a9c" not in out
    assert emulator.count == 0


def test_a_key_over_plain_http_is_warned_about(capsys, transport):
    transport(reply(body=GOOD_BODY))
    result, _out = run_module(
        capsys, host="http://palette.example.test", api_key=API_KEY, org_name="demo-org"
    )
    warnings = [w["event"]["msg"] if isinstance(w, dict) else w for w in result["warnings"]]
    assert warnings == [
        "api_key is sent unencrypted: host http://palette.example.test uses plain http"
    ]
