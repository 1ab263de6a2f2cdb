# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal to this collection: checks a v1LoginResponse body and returns the ``org`` result.

The published definition marks no field as required and Palette omits empty fields,
so an absent field and a JSON null both become None (ssoLogins becomes []). Unknown
fields are ignored. A value of the wrong type, or an authType outside the spec's enum,
is an error that names the field path, the value and what was expected.
"""

from __future__ import annotations

import functools
import re
import traceback

try:
    from voluptuous import ALLOW_EXTRA, Any, In, Invalid, MultipleInvalid, Optional, Schema
except ImportError:
    # The module reports the missing library with missing_required_lib().
    VOLUPTUOUS_IMPORT_ERROR: str | None = traceback.format_exc()
else:
    VOLUPTUOUS_IMPORT_ERROR = None

# authType is an enum in the spec; values are compared as sent (case-sensitive), since
# the role's nginx setup depends on the value and must not guess at a new one.
AUTH_TYPES = ("password", "sso")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _whole_number(value):
    # totalTenants is "number", format int64: accept 3 and 3.0, refuse 3.5, "3" and true.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid("expected a whole number or null")
    if isinstance(value, float):
        if not value.is_integer():
            raise Invalid("expected a whole number or null")
        value = int(value)
    if not INT64_MIN <= value <= INT64_MAX:
        raise Invalid("expected a whole number in the int64 range or null")
    return value


def _sso_logins(value):
    """Check the list item by item, so that an error names the item's index."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid("expected an array or null")

    logins, errors = [], []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            errors.append(Invalid("expected an object", path=[index]))
            continue
        try:
            logins.append(_schemas()["sso_login"](item))
        except MultipleInvalid as exc:
            errors.extend(Invalid(e.error_message, path=[index] + e.path) for e in exc.errors)
    if errors:
        raise MultipleInvalid(errors)
    return logins


@functools.lru_cache(maxsize=None)
def _schemas():
    """Build the schemas once, on first use, so that importing needs no voluptuous."""
    string = Any(None, str, msg="expected a string or null")
    sso_login = Schema(
        {
            Optional("displayName"): string,
            Optional("logo"): string,
            Optional("name"): string,
            Optional("redirectUri"): string,
        },
        extra=ALLOW_EXTRA,
    )
    login_response = Schema(
        {
            Optional("appEnv"): string,
            Optional("authType"): Any(
                None, In(AUTH_TYPES), msg="expected one of: %s (or null)" % ", ".join(AUTH_TYPES)
            ),
            Optional("orgName"): string,
            Optional("redirectUrl"): string,
            Optional("rootDomain"): string,
            Optional("securityMode"): string,
            Optional("ssoLogins"): _sso_logins,
            Optional("totalTenants"): Any(
                None, _whole_number, msg="expected a whole number or null"
            ),
        },
        extra=ALLOW_EXTRA,
    )
    return {"sso_login": sso_login, "login_response": login_response}


# The org result: each API field under its snake_case name, always present.
ORG_FIELDS = (
    "appEnv",
    "authType",
    "orgName",
    "redirectUrl",
    "rootDomain",
    "securityMode",
    "ssoLogins",
    "totalTenants",
)
SSO_LOGIN_FIELDS = ("displayName", "logo", "name", "redirectUri")


def snake_case(name):
    """Return the snake_case form of a camelCase API field name."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def validate_org(body, url=None, org_name=None):
    """Check a decoded 200 body and return the ``org`` result, or raise PaletteResponseError."""
    if not isinstance(body, dict):
        from . import _failures

        raise _failures.not_an_org(body, url)

    try:
        checked = _schemas()["login_response"](body)
    except MultipleInvalid as exc:
        from . import _failures

        raise _failures.schema_mismatch(exc, body, url, org_name) from exc

    org = {snake_case(field): checked.get(field) for field in ORG_FIELDS}
    org["sso_logins"] = [
        {snake_case(field): login.get(field) for field in SSO_LOGIN_FIELDS}
        for login in (checked.get("ssoLogins") or [])
    ]
    return org
