# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: url_problem
short_description: Say why a URL from the Palette API is not safe to use as a link or redirect
version_added: 0.1.0
description:
  - Checks that a value is an absolute URL whose scheme is in O(schemes) and that has a host.
  - Returns an empty string when the URL is usable, otherwise one sentence saying why not,
    with the value shown as a JSON string so that control characters are visible.
  - Refuses whitespace, control characters, quotes, backslashes, backticks and angle
    brackets anywhere in the value, even where a browser would forgive them; a URL that
    needs them must percent-encode them.
  - The scheme is compared after lower-casing, and a value with leading spaces or tabs in
    the scheme is refused, as browsers strip them and would still run a C(javascript:) URL.
author:
  - Palette collection maintainers (@spectrocloud)
options:
  _input:
    description: The URL to check.
    type: raw
    required: true
  schemes:
    description: The schemes that are allowed, in lower case.
    type: list
    elements: str
    default: [https]
seealso:
  - plugin: spectrocloud.palette.safe_sso_logins
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse an org whose redirect URL is not a plain https URL
  ansible.builtin.assert:
    that: org.redirect_url | spectrocloud.palette.url_problem == ''
    fail_msg: "redirectUrl: {{ org.redirect_url | spectrocloud.palette.url_problem }}"

- name: Allow http links too
  ansible.builtin.debug:
    msg: "{{ 'http://intranet.example.test/' | spectrocloud.palette.url_problem(schemes=['https', 'http']) }}"
"""

RETURN = r"""
_value:
  description: An empty string when the URL is usable, otherwise the reason it is not.
  type: str
"""

import json
import re
import unicodedata
from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError

# Characters that are syntax in HTML attributes or nginx strings, or that browsers strip
# or reinterpret; none of them has a place in a URL as sent over the wire.
FORBIDDEN = set("\"'<>\\`")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _shown(value):
    return json.dumps(value, ensure_ascii=False)


def url_problem(value, schemes=None):
    """Return why value is not an absolute URL with an allowed scheme, or ''."""
    allowed = [s.lower() for s in (schemes or ["https"])]
    if value is None or value == "":
        return "the URL is empty"
    if not isinstance(value, str):
        return "expected a URL string, got %s" % type(value).__name__

    for char in value:
        if char in FORBIDDEN:
            return "%s contains the character %s, which is not allowed" % (
                _shown(value),
                _shown(char),
            )
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            return "%s contains whitespace or a control character" % _shown(value)

    match = SCHEME.match(value)
    if not match:
        return "%s is not an absolute URL (no scheme)" % _shown(value)
    scheme = match.group(1).lower()
    if scheme not in allowed:
        return "%s has the scheme %r; allowed: %s" % (_shown(value), scheme, ", ".join(allowed))

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  # pylint: disable=pointless-statement  # raises on a bad port
    except ValueError as exc:
        return "%s is not a valid URL: %s" % (_shown(value), exc)
    if not value[len(scheme) + 1 :].startswith("//") or not parts.hostname:
        return "%s has no host" % _shown(value)
    return ""


def _filter(value, schemes=None):
    if schemes is not None and not isinstance(schemes, (list, tuple)):
        raise AnsibleFilterError("url_problem: schemes must be a list, got %r" % (schemes,))
    return url_problem(value, schemes)


class FilterModule:
    """The url_problem filter."""

    def filters(self):
        return {"url_problem": _filter}
