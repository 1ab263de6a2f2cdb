# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whatever a server sends back, the client ends in an org or in one of our errors."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.spectrocloud.palette.plugins.module_utils._client import PaletteClient
from ansible_collections.spectrocloud.palette.plugins.module_utils._errors import PaletteError
from ansible_collections.spectrocloud.palette.plugins.module_utils._options import (
    ConnectionOptions,
)
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import (
    API_KEY,
    ScriptedAdapter,
    reply,
)

EXAMPLES = settings(
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

FIELDS = ["appEnv", "authType", "orgName", "redirectUrl", "rootDomain", "securityMode",
          "ssoLogins", "totalTenants", "displayName", "logo", "name", "redirectUri",
          "code", "message", "ref", "details"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.sampled_from(["password", "sso", "", API_KEY]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=6),
    max_leaves=25,
)


def fetch(status, raw, content_type):
    """Run one fetch against a single scripted answer; return the org or our error."""
    options = ConnectionOptions.from_params(
        {"host": "palette.example.test", "api_key": API_KEY, "validate_certs": True,
         "timeout": 5.0, "retries": 0, "use_proxy": False}
    )
    client = PaletteClient(options)
    adapter = ScriptedAdapter([reply(status=status, raw=raw,
                                     headers={"Content-Type": content_type})])
    client._session.mount("https://", adapter)
    try:
        return client.fetch_org("demo-org")
    except PaletteError as exc:
        assert exc.msg and isinstance(exc.msg, str)
        assert API_KEY not in exc.msg + json.dumps(exc.error)
        return exc


@EXAMPLES
@given(body=json_values, status=st.sampled_from([200, 201, 400, 401, 403, 404, 429, 500, 503]))
def test_any_json_value_ends_in_an_org_or_our_error(body, status):
    outcome = fetch(status, json.dumps(body).encode(), "application/json")
    if isinstance(outcome, dict):
        assert status < 300
        assert isinstance(outcome["sso_logins"], list)
        assert outcome["auth_type"] in (None, "password", "sso")
        assert outcome["total_tenants"] is None or isinstance(outcome["total_tenants"], int)


@EXAMPLES
@given(raw=st.binary(max_size=300), status=st.sampled_from([200, 302, 404, 502]),
       content_type=st.sampled_from(["application/json", "text/html", ""]))
def test_any_bytes_end_in_an_org_or_our_error(raw, status, content_type):
    outcome = fetch(status, raw, content_type)
    assert isinstance(outcome, (dict, PaletteError))
