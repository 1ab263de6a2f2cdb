# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test data and a scripted requests transport, shared by the unit tests."""

from __future__ import annotations

import io
import json
import os

import pytest
import requests
from ansible.module_utils.testing import patch_module_args
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ansible_collections.spectrocloud.palette.plugins.modules import palette_org_info

API_KEY = "PLACEHOLDER-APIKEY-7f3a9c"

FIXTURES_FILE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "emulator", "fixtures", "orgs.json"
)


def fixture_orgs():
    """The emulator's fixture org bodies: the one source of test data for orgs."""
    with open(FIXTURES_FILE, encoding="utf-8") as handle:
        return json.load(handle)["orgs"]


# The good body of the shared bug-report cases, served by the emulator as "demo-org".
GOOD_BODY = fixture_orgs()["demo-org"]


def reply(status=200, body=None, headers=None, raw=None):
    """Describe one scripted response: a JSON ``body`` or ``raw`` bytes."""
    if raw is None:
        raw = b"" if body is None else json.dumps(body).encode()
    merged = {"Content-Type": "application/json"}
    merged.update(headers or {})
    return {"status": status, "raw": raw, "headers": merged}


class ScriptedAdapter(BaseAdapter):
    """A requests transport that answers from a script and records what was sent.

    Each item of the script is a reply() dict or an exception instance to raise.
    The last item answers every request after the script runs out.
    """

    def __init__(self, script):
        super().__init__()
        self.script = list(script)
        self.sent = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        self.sent.append({"request": request, "kwargs": kwargs})
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step

        response = requests.Response()
        response.status_code = step["status"]
        response.headers = CaseInsensitiveDict(step["headers"])
        response.raw = io.BytesIO(step["raw"])
        response.url = request.url
        response.request = request
        response.reason = "scripted"
        return response

    def close(self):
        pass


def run_module(capsys, **args):
    """Run palette_org_info with ``args``; return (its parsed result, everything it printed)."""
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            palette_org_info.main()
    out = capsys.readouterr().out
    return json.loads(out), out
