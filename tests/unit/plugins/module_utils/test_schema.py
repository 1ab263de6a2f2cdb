# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy

import pytest

from ansible_collections.spectrocloud.palette.plugins.module_utils._errors import (
    PaletteResponseError,
)
from ansible_collections.spectrocloud.palette.plugins.module_utils._schema import (
    snake_case,
    validate_org,
)
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import GOOD_BODY

ORG_KEYS = {
    "app_env", "auth_type", "org_name", "redirect_url",
    "root_domain", "security_mode", "sso_logins", "total_tenants",
}


def body(**changes):
    result = copy.deepcopy(GOOD_BODY)
    result.update(changes)
    return result


def rejected(data):
    with pytest.raises(PaletteResponseError) as caught:
        validate_org(data, url="https://palette.example.test/v1/auth/org")
    return caught.value.msg


def test_good_body_becomes_the_snake_case_org():
    assert validate_org(body()) == {
        "app_env": "saas",
        "auth_type": "sso",
        "org_name": "demo-org",
        "redirect_url": "https://demo-org.sso.example.test/login",
        "root_domain": "example.test",
        "security_mode": "noAccess",
        "sso_logins": [
            {
                "display_name": "Corp IdP",
                "logo": "",
                "name": "corp-idp",
                "redirect_uri": "https://idp.example.test/auth",
            }
        ],
        "total_tenants": 1,
    }


def test_empty_body_gives_every_key_as_null_and_an_empty_login_list():
    org = validate_org({})
    assert set(org) == ORG_KEYS
    assert org["sso_logins"] == []
    assert all(org[key] is None for key in ORG_KEYS - {"sso_logins"})


def test_nulls_are_treated_like_absent_fields():
    org = validate_org(body(orgName=None, totalTenants=None, ssoLogins=None))
    assert org["org_name"] is None
    assert org["total_tenants"] is None
    assert org["sso_logins"] == []


def test_password_org_with_empty_redirect_url_keeps_the_empty_string():
    org = validate_org(body(authType="password", ssoLogins=None, redirectUrl=""))
    assert org["auth_type"] == "password"
    assert org["redirect_url"] == ""


def test_unknown_fields_are_ignored_at_every_level():
    data = body(tenantId="t-1", loginBanner={"enabled": False})
    data["ssoLogins"][0]["iconColor"] = "#fff"
    org = validate_org(data)
    assert set(org) == ORG_KEYS
    assert set(org["sso_logins"][0]) == {"display_name", "logo", "name", "redirect_uri"}


def test_missing_login_fields_become_null():
    org = validate_org(body(ssoLogins=[{"name": "github"}]))
    assert org["sso_logins"] == [
        {"display_name": None, "logo": None, "name": "github", "redirect_uri": None}
    ]


def test_large_and_float_whole_tenant_counts_are_integers():
    assert validate_org(body(totalTenants=2 ** 62))["total_tenants"] == 2 ** 62
    result = validate_org(body(totalTenants=3.0))["total_tenants"]
    assert result == 3 and isinstance(result, int)


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"totalTenants": "many"},
         "field totalTenants: expected a whole number or null, got \"many\""),
        ({"totalTenants": 2.5}, "field totalTenants: expected a whole number or null, got 2.5"),
        ({"totalTenants": True}, "field totalTenants: expected a whole number or null, got true"),
        ({"ssoLogins": "x"}, "field ssoLogins: expected an array or null, got \"x\""),
        ({"ssoLogins": ["x"]}, "field ssoLogins[0]: expected an object, got \"x\""),
        ({"ssoLogins": [{"displayName": 5}]},
         "field ssoLogins[0].displayName: expected a string or null, got 5"),
        ({"orgName": ["a"]}, "field orgName: expected a string or null, got [\"a\"]"),
        ({"authType": "saml"},
         "field authType: expected one of: password, sso (or null), got \"saml\""),
        ({"authType": "SSO"},
         "field authType: expected one of: password, sso (or null), got \"SSO\""),
    ],
)
def test_wrong_types_name_the_field_path_the_value_and_the_expectation(changes, expected):
    assert expected in rejected(body(**changes))


@pytest.mark.parametrize("value, shown", [
    (False, "false"),
    ({"a": [1, None]}, '{"a": [1, null]}'),
    ("bad\u202eline\n", '"bad\\u202eline\\n"'),
    ("x" * 200, '"' + "x" * 76 + "..."),
])
def test_a_wrong_value_is_shown_as_json_spells_it_escaped_and_short(value, shown):
    message = rejected(body(totalTenants=value))
    assert "field totalTenants: expected a whole number or null, got %s" % shown in message


def test_a_null_item_is_shown_as_null():
    assert "field ssoLogins[0]: expected an object, got null" in rejected(body(ssoLogins=[None]))


def test_the_message_names_the_organisation_and_the_origin():
    with pytest.raises(PaletteResponseError) as caught:
        validate_org(body(authType="SSO"), url="https://palette.example.test:8443/v1/auth/org",
                     org_name="acme")
    assert caught.value.msg.startswith(
        "Palette's response for organisation 'acme' from https://palette.example.test:8443 does "
        "not match the organisation schema: field authType: "
    )


def test_every_wrong_field_is_reported_at_once():
    message = rejected(body(orgName=1, totalTenants="x"))
    assert "field orgName:" in message
    assert "field totalTenants:" in message


@pytest.mark.parametrize("data", [[], "text", 3, None])
def test_a_body_that_is_not_an_object_is_refused(data):
    assert "expected a JSON object" in rejected(data)


def test_control_characters_in_values_are_escaped_in_messages():
    message = rejected(body(totalTenants="1\n}\nserver {"))
    assert "\n" not in message
    assert '"1\\n}\\nserver {"' in message


@pytest.mark.parametrize(
    "name, expected",
    [("appEnv", "app_env"), ("redirectUrl", "redirect_url"), ("ssoLogins", "sso_logins"),
     ("redirectUri", "redirect_uri"), ("logo", "logo")],
)
def test_snake_case(name, expected):
    assert snake_case(name) == expected


def test_a_body_broken_in_many_places_names_the_first_ten_in_order():
    msg = rejected(body(ssoLogins=[1] * 300000, appEnv=5))
    assert msg.count("field ") == 10
    assert "field appEnv: expected a string or null, got 5; field ssoLogins[0]:" in msg
    assert "field ssoLogins[8]: expected an object, got 1; and 299991 more" in msg
    assert len(msg) < 1000


def test_a_value_too_deep_to_show_is_named_without_a_traceback():
    deep = []
    for _level in range(100000):
        deep = [deep]
    msg = rejected(body(appEnv=deep))
    assert "field appEnv: expected a string or null, got (a value nested too deeply to show)" in msg
