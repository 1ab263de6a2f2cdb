# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: nginx_string
short_description: Quote a value as one nginx configuration argument
version_added: 0.1.0
description:
  - Returns the value inside double quotes, with backslashes and double quotes escaped,
    so that nginx reads it as exactly one argument whatever it holds. C(;), C({), C(}),
    C(#) and spaces stay literal instead of ending the directive, opening a block or
    starting a comment.
  - nginx has no escape for C($) in arguments that take variables. With
    O(dollar_variable) each C($) is written as a reference to that variable, which the
    configuration must define as a literal C($), for example with a C(geo) block whose
    default is C($). Without it a C($) fails the filter.
  - Control characters (a newline among them) fail the filter; no value the collection
    writes needs one, and nginx would keep them in the argument.
author:
  - Palette collection maintainers (@spectrocloud)
options:
  _input:
    description: The value to quote. Numbers are converted to text.
    type: raw
    required: true
  dollar_variable:
    description: Name of an nginx variable, without C($), that holds a literal C($).
    type: str
"""

EXAMPLES = r"""
- name: Write a redirect whose URL comes from the API
  ansible.builtin.copy:
    dest: /etc/nginx/snippets/login.conf
    content: |
      geo $literal_dollar { default "$"; }
      location = /login { return 302 {{ url | spectrocloud.palette.nginx_string('literal_dollar') }}; }
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The quoted argument, for example V("https://a.example.test/x;y").
  type: str
"""

import re

from ansible.errors import AnsibleFilterError

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def nginx_string(value, dollar_variable=None):
    """Return value as one double-quoted nginx argument."""
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
        raise AnsibleFilterError("nginx_string: expected text, got %s" % type(value).__name__)
    text = str(value)

    if CONTROL.search(text):
        raise AnsibleFilterError("nginx_string: %r holds a control character" % text)
    if dollar_variable is not None and not VARIABLE_NAME.match(dollar_variable):
        raise AnsibleFilterError("nginx_string: %r is not an nginx variable name" % dollar_variable)
    if "$" in text and dollar_variable is None:
        raise AnsibleFilterError(
            "nginx_string: %r holds '$', which nginx would read as a variable;"
            " pass dollar_variable" % text
        )

    # Inside double quotes nginx only treats \ and " specially (and \n, \r, \t, which
    # escaping the backslash also covers).
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    if dollar_variable is not None:
        text = text.replace("$", "${%s}" % dollar_variable)
    return '"%s"' % text


class FilterModule:
    """The nginx_string filter."""

    def filters(self):
        return {"nginx_string": nginx_string}
