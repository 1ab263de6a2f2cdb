# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: safe_sso_logins
short_description: Keep only the sign-in links and logos of an org that are safe to show
version_added: 0.1.0
description:
  - Takes the O(ignore:sso_logins) list returned by M(spectrocloud.palette.palette_org_info)
    and returns one entry per provider with the URLs that passed
    P(spectrocloud.palette.url_problem#filter).
  - A C(redirectUri) or C(logo) that fails the check is replaced by an empty string and a
    warning names the provider and the field, so a C(javascript:) or C(data:) URL is never
    rendered. The provider itself stays, so its name can still be shown as text.
  - The values are not escaped; escape them for their context where they are written.
author:
  - Palette collection maintainers (@spectrocloud)
options:
  _input:
    description: The org's C(sso_logins) list (snake_case keys). V(null) is an empty list.
    type: list
    elements: dict
    required: true
  schemes:
    description: The URL schemes that are allowed, in lower case.
    type: list
    elements: str
    default: [https]
  logo_base_url:
    description:
      - Palette sends some logos as paths (V(/assets/sso/github.svg)). A logo that is a
        path starting with one C(/) is joined to this URL and then checked.
      - When empty such logos are left out quietly (they are not unsafe, only unresolved).
    type: str
    default: ''
  warn:
    description: Whether to warn about each dropped URL.
    type: bool
    default: true
seealso:
  - plugin: spectrocloud.palette.url_problem
    plugin_type: filter
"""

EXAMPLES = r"""
- name: List the providers a landing page may link to
  ansible.builtin.debug:
    msg: "{{ org.sso_logins | spectrocloud.palette.safe_sso_logins | selectattr('href') | map(attribute='name') }}"
"""

RETURN = r"""
_value:
  description:
    - One dict per provider, in the API's order, with the keys C(name) and
      C(display_name) (text, never null; the display name falls back to the name) and
      C(href) and C(logo) (a checked URL or an empty string).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.spectrocloud.palette.plugins.filter.url_problem import url_problem

display = Display()


def _text(value):
    return value if isinstance(value, str) else ""


def safe_sso_logins(logins, schemes=None, logo_base_url="", warn=True):
    """Return the logins with every unsafe URL replaced by ''."""
    if logins is None:
        return []
    if not isinstance(logins, list):
        raise AnsibleFilterError("safe_sso_logins: expected a list, got %s" % type(logins).__name__)

    safe = []
    for index, login in enumerate(logins):
        if not isinstance(login, dict):
            raise AnsibleFilterError("safe_sso_logins: item %d is not a dict" % index)
        name = _text(login.get("name"))
        entry = {"name": name, "display_name": _text(login.get("display_name")) or name}

        for key, field in (("href", "redirect_uri"), ("logo", "logo")):
            url = _text(login.get(field))
            if field == "logo" and url.startswith("/") and not url.startswith("//"):
                if not logo_base_url:
                    display.vvv(
                        "SSO login %r: logo path %r left out: no logo base URL" % (name, url)
                    )
                    url = ""
                else:
                    url = logo_base_url.rstrip("/") + url
            problem = url_problem(url, schemes) if url else ""
            if problem and warn:
                display.warning("SSO login %r: %s dropped: %s" % (name, field, problem))
            entry[key] = "" if problem else url
        safe.append(entry)
    return safe


class FilterModule:
    """The safe_sso_logins filter."""

    def filters(self):
        return {"safe_sso_logins": safe_sso_logins}
