#!/usr/bin/python
# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: palette_org_info
short_description: Read a Palette organisation's login settings
version_added: 0.1.0
description:
  - Calls C(GET /v1/auth/org) of a Spectro Cloud Palette API and returns the
    organisation's login description as O(ignore:org) with snake_case keys.
  - The call only reads, so the module runs in check mode too and never reports a change.
author:
  - Palette collection maintainers (@spectrocloud)
options:
  org_name:
    description:
      - The organisation (tenant) name, sent as the C(orgName) query parameter.
      - Sent exactly as given, surrounding spaces included; it is URL-encoded, so
        names such as V(R&D Ops) or V(a+b/c) are safe.
      - Omitted or empty asks for the endpoint's default, which describes the
        environment rather than one organisation.
    type: str
extends_documentation_fragment:
  - spectrocloud.palette.palette
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
  action_group:
    support: full
    membership:
      - spectrocloud.palette.palette
notes:
  - The C(authType) value is checked against the API definition's enum
    (V(password), V(sso)) as sent, so V(SSO) or a new value fails the task with the
    value named, rather than letting later tasks guess.
  - Fields that Palette omits or sends as C(null) are returned as C(null)
    (O(ignore:org.sso_logins) as an empty list). Fields the API adds later are ignored.
seealso:
  - name: Palette API reference
    description: Spectro Cloud's API documentation.
    link: https://docs.spectrocloud.com/api/
"""

EXAMPLES = r"""
- name: Read the login settings of an organisation
  spectrocloud.palette.palette_org_info:
    org_name: acme
  register: palette

- name: Show where its users sign in
  ansible.builtin.debug:
    msg: "{{ palette.org.org_name }} signs in with {{ palette.org.auth_type }} at {{ palette.org.redirect_url }}"

- name: Read an organisation on a self-hosted Palette with a private CA
  spectrocloud.palette.palette_org_info:
    host: palette.example.com
    ca_path: /etc/pki/palette-ca.pem
    api_key: "{{ vault_palette_api_key }}"
    org_name: corp-saml
  register: palette

- name: Set the connection once for every Palette task of a play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/spectrocloud.palette.palette:
      host: palette.example.com
      ca_path: /etc/pki/palette-ca.pem
  tasks:
    - name: Read the organisation
      spectrocloud.palette.palette_org_info:
        org_name: corp-oidc
      register: palette
"""

RETURN = r"""
org:
  description: The organisation's login description. Every key is always present.
  returned: success
  type: dict
  contains:
    app_env:
      description: The kind of Palette environment (C(appEnv)), for example V(saas) or V(self-hosted).
      type: str
      returned: success
      sample: saas
    auth_type:
      description: The default way of signing in (C(authType)), V(password) or V(sso).
      type: str
      returned: success
      sample: password
    org_name:
      description: The organisation's name as Palette spells it (C(orgName)).
      type: str
      returned: success
      sample: acme
    redirect_url:
      description:
        - Where users of the organisation sign in (C(redirectUrl)); for V(sso) the
          identity provider's URL, otherwise the organisation's console URL.
        - An empty string when Palette sends one.
      type: str
      returned: success
      sample: https://acme.console.spectrocloud.com
    root_domain:
      description: The domain the Palette console is served on (C(rootDomain)).
      type: str
      returned: success
      sample: spectrocloud.com
    security_mode:
      description: The security mode enabled on the environment (C(securityMode)).
      type: str
      returned: success
      sample: noAccess
    sso_logins:
      description: The social and SSO logins the organisation allows (C(ssoLogins)); empty when none.
      type: list
      elements: dict
      returned: success
      contains:
        display_name:
          description: The provider's name for people (C(displayName)).
          type: str
          returned: success
          sample: GitHub
        logo:
          description: URL or path of the provider's logo (C(logo)).
          type: str
          returned: success
          sample: /assets/sso/github.svg
        name:
          description: The provider's identifier (C(name)).
          type: str
          returned: success
          sample: github
        redirect_uri:
          description: Where signing in with this provider starts (C(redirectUri)).
          type: str
          returned: success
          # A backslash at the end of a line joins the next without a space.
          sample: "https://github.idp.example.test/login/oauth/authorize?\
            client_id=Iv1.emu0acme0github&redirect_uri=https%3A%2F%2Facme.console\
            .spectrocloud.com%2Fv1%2Fauth%2Fsso%2Fgithub%2Fcallback&scope=read%3Auser\
            +user%3Aemail&state=acme-gh-4e1b"
    total_tenants:
      description: The number of tenants in the environment (C(totalTenants)).
      type: int
      returned: success
      sample: 3
status:
  description: The HTTP status of the failed call, or null when no response arrived.
  returned: failure
  type: int
  sample: 404
url:
  description: The URL that was requested (it never holds the API key).
  returned: failure
  type: str
  sample: https://api.spectrocloud.com/v1/auth/org?orgName=acme
error:
  description: The fields of Palette's error body, when it sent one.
  returned: failure, when Palette sent an error body
  type: dict
  contains:
    code:
      description: Palette's error code.
      type: str
      returned: always
      sample: ResourceNotFound
    message:
      description: Palette's error message.
      type: str
      returned: always
      sample: Organization 'nope' not found
    ref:
      description: Palette's reference for the error, useful to its support.
      type: str
      returned: always
      sample: 0b7c6a0e-5d4c-4f63-9f65-2f1d3c1e8a11
    details:
      description: Further details, as Palette sent them.
      type: raw
      returned: always
"""

import atexit
import gc

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ..module_utils._client import PaletteClient, missing_library
from ..module_utils._errors import PaletteError
from ..module_utils._options import (
    ConnectionOptions,
    connection_warnings,
    palette_argument_spec,
)


def main():
    module = AnsibleModule(
        argument_spec=palette_argument_spec(org_name={"type": "str"}),
        supports_check_mode=True,
    )

    missing = missing_library()
    if missing:
        module.fail_json(msg=missing_required_lib(missing[0]), exception=missing[1])

    try:
        options = ConnectionOptions.from_params(module.params)
        for warning in connection_warnings(options):
            module.warn(warning)

        client = PaletteClient(options, warn=module.warn)
        org = client.fetch_org(module.params["org_name"])
    except PaletteError as exc:
        module.fail_json(**exc.to_result())

    module.exit_json(changed=False, org=org)


if __name__ == "__main__":
    # The process ends once the result is printed. Freezing the heap at exit spares
    # the interpreter's last garbage collection a walk over every object the imports
    # built (basic, requests, voluptuous): about 25 ms of each task, without which the
    # module is slower than ansible.builtin.uri (docs/performance.md). atexit handlers,
    # AnsibleModule's clean-up among them, and the flushing of output still run.
    atexit.register(gc.freeze)
    main()
