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
import json
import re
import traceback

from ._errors import PaletteResponseError, origin, show_value

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
        raise PaletteResponseError(
            "Palette's response%s is not an organisation description: expected a JSON "
            "object, got %s" % (" from " + origin(url) if url else "", _json_type(body)),
            status=200,
            url=url,
        )

    try:
        checked = _schemas()["login_response"](body)
    except MultipleInvalid as exc:
        raise PaletteResponseError(
            "Palette's response%s does not match the organisation schema: %s"
            % (_whose(url, org_name), _describe(exc, body)),
            status=200,
            url=url,
        ) from exc

    org = {snake_case(field): checked.get(field) for field in ORG_FIELDS}
    org["sso_logins"] = [
        {snake_case(field): login.get(field) for field in SSO_LOGIN_FIELDS}
        for login in (checked.get("ssoLogins") or [])
    ]
    return org


def _json_type(value):
    """The JSON name of a decoded value's type."""
    for kind, name in (
        (bool, "a boolean"),
        ((int, float), "a number"),
        (str, "a string"),
        (list, "an array"),
        (dict, "an object"),
    ):
        if isinstance(value, kind):
            return name
    return "null"


def _describe(exc, body):
    """Turn voluptuous errors into one sentence per field: path, value, expectation."""
    problems = []
    for error in sorted(exc.errors, key=lambda e: [str(p) for p in e.path]):
        path = _format_path(error.path)
        value = _value_at(body, error.path)
        problems.append("field %s: %s, got %s" % (path, error.error_message, _show_json(value)))
    return "; ".join(problems)


def _whose(url, org_name):
    """Name the organisation and the origin a response came for, as far as they are known."""
    text = " for organisation %s" % show_value(org_name) if org_name else ""
    return text + (" from " + origin(url) if url else "")


def _show_json(value, limit=80):
    """Render a value from the response as JSON spells it, escaped and short."""
    text = json.dumps(value, ensure_ascii=False)
    # json.dumps escapes C0 controls; escape what else would not print (bidi, U+2028).
    text = "".join(c if c.isprintable() else "\\u%04x" % ord(c) for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_path(path):
    text = ""
    for part in path:
        text += "[%d]" % part if isinstance(part, int) else ("." if text else "") + str(part)
    return text or "(body)"


def _value_at(body, path):
    value = body
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value
