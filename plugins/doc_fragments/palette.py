# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options shared by every plugin of the collection.

DOCUMENTATION lists them once for modules and lookups alike; PLUGINS adds the
configuration sources (environment, ansible.cfg, variables) that only non-module
plugins read. The module argspec in module_utils/_options.py mirrors DOCUMENTATION.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  host:
    description:
      - The Palette API endpoint.
      - A bare host name (V(api.spectrocloud.com)), C(host:port), or a URL.
        Without a scheme, C(https) is used; C(http://) is used only when written out.
      - A path, query, fragment or user name in the value is an error, so that the
        request can only ever go to C(<host>/v1/auth/org).
      - Self-hosted Palette and VerteX serve the API on the console host.
      - If not set, the environment variable E(SPECTROCLOUD_HOST) is used.
    type: str
    default: api.spectrocloud.com
  api_key:
    description:
      - A Palette API key, sent in the C(ApiKey) header.
      - The organisation endpoint answers before login, so the key is optional.
      - The key is only ever sent to the configured O(host). A redirect to another
        scheme, host or port is refused rather than followed.
      - If not set, the environment variable E(SPECTROCLOUD_APIKEY) is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
      - Setting it to V(false) is insecure and produces a warning.
      - If not set, the environment variable E(SPECTROCLOUD_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to trust instead of the system store, for
        example the private CA of a self-hosted Palette.
      - Takes precedence over E(REQUESTS_CA_BUNDLE). Ignored when O(validate_certs=false).
      - If not set, the environment variable E(SPECTROCLOUD_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each step of one attempt, connecting and reading alike.
      - A timeout ends the call; it is not retried.
      - If not set, the environment variable E(SPECTROCLOUD_TIMEOUT) is used.
    type: float
    default: 10
  retries:
    description:
      - How many more attempts to make after a response of 429, 502, 503 or 504, or a
        refused or reset connection.
      - Waits grow exponentially with jitter. A C(Retry-After) header is honoured up
        to 10 seconds; a longer one ends the call at once with its value in the error.
      - If not set, the environment variable E(SPECTROCLOUD_RETRIES) is used.
    type: int
    default: 3
  use_proxy:
    description:
      - Whether to use the proxy named by O(proxy) or by the C(https_proxy),
        C(http_proxy) and C(no_proxy) environment variables.
      - V(false) ignores every proxy setting, including the environment.
    type: bool
    default: true
  proxy:
    description:
      - A proxy URL, such as V(http://proxy.example.com:3128), for every request.
      - Takes precedence over the proxy environment variables.
      - If not set, the environment variable E(SPECTROCLOUD_PROXY) is used.
    type: str
requirements:
  - requests >= 2.30
  - urllib3 >= 2.0.2
  - voluptuous >= 0.13
notes:
  - The Python packages listed under requirements must be installed where the plugin
    runs, that is on the managed host for a module and on the controller for a lookup.
"""

    PLUGINS = r"""
options:
  host:
    env:
      - name: SPECTROCLOUD_HOST
    ini:
      - section: spectrocloud_palette
        key: host
    vars:
      - name: palette_host
  api_key:
    env:
      - name: SPECTROCLOUD_APIKEY
    ini:
      - section: spectrocloud_palette
        key: api_key
    vars:
      - name: palette_api_key
  validate_certs:
    env:
      - name: SPECTROCLOUD_VALIDATE_CERTS
    ini:
      - section: spectrocloud_palette
        key: validate_certs
    vars:
      - name: palette_validate_certs
  ca_path:
    env:
      - name: SPECTROCLOUD_CA_PATH
    ini:
      - section: spectrocloud_palette
        key: ca_path
    vars:
      - name: palette_ca_path
  timeout:
    env:
      - name: SPECTROCLOUD_TIMEOUT
    ini:
      - section: spectrocloud_palette
        key: timeout
    vars:
      - name: palette_timeout
  retries:
    env:
      - name: SPECTROCLOUD_RETRIES
    ini:
      - section: spectrocloud_palette
        key: retries
    vars:
      - name: palette_retries
  use_proxy:
    ini:
      - section: spectrocloud_palette
        key: use_proxy
    vars:
      - name: palette_use_proxy
  proxy:
    env:
      - name: SPECTROCLOUD_PROXY
    ini:
      - section: spectrocloud_palette
        key: proxy
    vars:
      - name: palette_proxy
"""
