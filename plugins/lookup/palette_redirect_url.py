# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: palette_redirect_url
short_description: Look up where a Palette organisation's users sign in
version_added: 0.1.0
description:
  - Returns the C(redirectUrl) of each Palette organisation named in the terms, read
    with C(GET /v1/auth/org) through the same client, options and error messages as the
    M(spectrocloud.palette.palette_org_info) module.
  - One URL per term, in the order of the terms. C(lookup) with one term gives the URL
    itself; C(query), or C(lookup) with C(wantlist=true), always gives a list, and no
    terms give an empty list.
  - The same organisation asked with the same options within 5 seconds is fetched once
    per process, so a template that names the lookup many times makes one request, and
    each attempt of an C(until) loop with the default delay asks again. Across hosts,
    forks and runs, O(cache_ttl) lets the answer be shared through files as well.
author:
  - Palette collection maintainers (@spectrocloud)
options:
  _terms:
    description:
      - The organisation (tenant) names, sent as the C(orgName) query parameter.
      - Each is sent exactly as given and URL-encoded, like the module's
        O(spectrocloud.palette.palette_org_info#module:org_name).
      - An empty name, a name of only spaces, or a value that is not a string is an
        error that names it; the module's "default organisation" has no place here.
    type: list
    elements: str
  cache_ttl:
    description:
      - How many seconds an answer stays in the file cache, shared by every host, fork
        and run of Ansible on this controller that asks the same question.
      - V(0) turns the file cache off; each task on each host then asks Palette again.
      - Only successful answers are kept. See the collection's C(docs/lookup.md) for
        how many requests a run makes either way.
    type: int
    default: 0
    env:
      - name: SPECTROCLOUD_CACHE_TTL
    ini:
      - section: spectrocloud_palette
        key: cache_ttl
    vars:
      - name: palette_cache_ttl
  cache_dir:
    description:
      - The directory of the file cache, used only when O(cache_ttl) is above 0.
      - When not set, C(spectrocloud_palette_lookup) in the directory that holds
        Ansible's local temporary directories, normally
        C(~/.ansible/tmp/spectrocloud_palette_lookup) (see E(ANSIBLE_LOCAL_TEMP)).
      - It is created with mode C(0700). If it belongs to another user or others can
        write to it, the cache is not used and a warning says why.
    type: path
    env:
      - name: SPECTROCLOUD_CACHE_DIR
    ini:
      - section: spectrocloud_palette
        key: cache_dir
    vars:
      - name: palette_cache_dir
extends_documentation_fragment:
  - spectrocloud.palette.palette
  - spectrocloud.palette.palette.plugins
notes:
  - Lookups run on the controller. Options come from the lookup's keyword arguments,
    then C(palette_*) variables, then C(SPECTROCLOUD_*) environment variables of the
    controller, then the C([spectrocloud_palette]) section of C(ansible.cfg). A task's
    C(environment) keyword does not reach lookups.
  - O(validate_certs) and O(use_proxy) accept the usual booleans (V(true), V(false),
    V(yes), V(no), V(1), V(0), ...) from every source; any other value is an error, so
    that a typo never turns certificate checks off.
  - An organisation whose C(redirectUrl) is an empty string gives an empty string. One
    whose C(redirectUrl) is C(null) or absent fails, naming the organisation and the
    field.
  - The answer is returned as Palette sent it and is never templated, so braces in it
    stay literal.
  - A lookup in C(group_vars) or C(host_vars) runs again on every reference; prefer the
    module with C(run_once) and C(set_fact) when many hosts or tasks need the URL.
  - The cache files hold the URL and a digest of the options; the API key is never
    written, neither in clear nor as part of a file name.
seealso:
  - module: spectrocloud.palette.palette_org_info
"""

EXAMPLES = r"""
- name: Show where users of acme sign in
  ansible.builtin.debug:
    msg: "{{ lookup('spectrocloud.palette.palette_redirect_url', 'acme') }}"

- name: Get the URLs of two organisations, in order, as a list
  ansible.builtin.set_fact:
    sign_in_urls: >-
      {{ query('spectrocloud.palette.palette_redirect_url', 'acme', 'corp-saml') }}

- name: Ask a self-hosted Palette with a private CA and an API key
  ansible.builtin.debug:
    msg: >-
      {{ lookup('spectrocloud.palette.palette_redirect_url', 'corp-oidc',
                host='palette.example.com', ca_path='/etc/pki/palette-ca.pem',
                api_key=vault_palette_api_key) }}
  no_log: true

- name: Share one answer across every host of the run for five minutes
  ansible.builtin.template:
    src: login.conf.j2
    dest: /etc/nginx/conf.d/login.conf
    mode: "0644"
  vars:
    login_url: >-
      {{ lookup('spectrocloud.palette.palette_redirect_url', 'acme', cache_ttl=300) }}
"""

RETURN = r"""
_raw:
  description:
    - The C(redirectUrl) of each organisation, in the order of the terms.
    - An empty string for an organisation whose C(redirectUrl) is empty.
  type: list
  elements: str
  sample:
    - https://acme.console.spectrocloud.com
"""

import configparser
import os
import time

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ..module_utils._cache import FileCache, answer_key, digest
from ..module_utils._errors import PaletteError, PaletteResponseError, show_value
from ..module_utils._options import (
    ConnectionOptions,
    connection_warnings,
    palette_argument_spec,
)

display = Display()

# The connection options are the module's, defined once in _options.py.
CONNECTION_OPTIONS = tuple(palette_argument_spec())
BOOL_OPTIONS = tuple(
    name for name, spec in palette_argument_spec().items() if spec["type"] == "bool"
)

# Waiting workers give up on the cache lock this long after one attempt's timeout and
# ask Palette themselves, so a stuck holder costs them little.
LOCK_MARGIN_SECONDS = 2.0

DEFAULT_CACHE_NAME = "spectrocloud_palette_lookup"

# Answers already fetched by this process, by a digest of the options and the org, with
# the monotonic time they were fetched. A worker process serves one task for one host;
# the answers are kept MEMO_SECONDS, long enough for a template that names the lookup
# many times, short enough that each attempt of an `until` loop (default delay 5 s)
# asks again.
_ANSWERS: dict[str, tuple[float, str]] = {}
_MAX_ANSWERS = 256
MEMO_SECONDS = 5.0
_now = time.monotonic

# Warnings this process has given; Display also drops repeats across workers.
_WARNED: set[str] = set()


class LookupModule(LookupBase):
    """Return the redirectUrl of each Palette organisation named in the terms."""

    def run(self, terms, variables=None, **kwargs):
        self._check_option_names(kwargs)
        variables = self._option_variables(variables)
        self.set_options(var_options=variables, direct=kwargs)
        org_names = [_check_term(term) for term in terms]
        if not org_names:
            return []

        options = self._connection_options(variables, kwargs)
        cache = FileCache(
            self._cache_dir(variables, kwargs),
            self._cache_ttl(),
            wait=options.timeout + LOCK_MARGIN_SECONDS,
            warn=display.warning,
        )
        self._client = None
        return [self._redirect_url(options, cache, org_name) for org_name in org_names]

    def _check_option_names(self, kwargs):
        """Refuse a keyword argument that is no option, such as a misspelt ``hots=``."""
        known = sorted(name for name in self.option_definitions if not name.startswith("_"))
        unknown = sorted(name for name in kwargs if name not in known)
        if unknown:
            raise AnsibleLookupError(
                "unknown option %s for spectrocloud.palette.palette_redirect_url; expected "
                "one of %s" % (", ".join(map(show_value, unknown)), ", ".join(known))
            )

    def _option_variables(self, variables):
        """Return the variables the options read (palette_*), rendered."""
        # Ansible hands a lookup the variables unrendered: palette_host set to
        # "{{ url }}" would arrive as that text. Render only those the options name.
        names = {
            entry["name"]
            for definition in self.option_definitions.values()
            for entry in definition.get("vars", [])
        }
        variables = variables or {}
        found = {name: variables[name] for name in names if name in variables}
        if self._templar is None:
            return found
        return {name: self._templar.template(value) for name, value in found.items()}

    def _connection_options(self, variables, kwargs):
        """Read the shared options through Ansible's configuration and check them."""
        params = {name: self.get_option(name) for name in CONNECTION_OPTIONS}
        # Ansible reads a null host as "not set", which would mean Palette SaaS; like the
        # module, only a host left out does. And its path type turns "" into the current
        # directory: an empty ca_path is unset, as it is for the module.
        if self._set_to_null("host", variables, kwargs):
            params["host"] = ""
        if self._given_empty("ca_path", variables, kwargs):
            params["ca_path"] = None
        for name in BOOL_OPTIONS:
            self._check_strict_bool(name, variables, kwargs)

        try:
            options = ConnectionOptions.from_params(params)
        except PaletteError as exc:
            raise AnsibleLookupError(exc.msg) from None

        for warning in connection_warnings(options):
            if warning not in _WARNED:
                _WARNED.add(warning)
                display.warning(warning)
        return options

    def _check_strict_bool(self, name, variables, kwargs):
        """Refuse a value that Ansible's lenient conversion would read as false."""
        value, origin = self.get_option_and_origin(name)
        raw = _raw_value(name, origin, value, variables, kwargs)
        try:
            boolean(raw, strict=True)
        except TypeError:
            raise AnsibleLookupError(
                "%s: %s (from %s) is not a boolean; expected true or false, yes or no, "
                "on or off, 1 or 0" % (name, show_value(raw), _describe_origin(origin))
            ) from None

    def _cache_ttl(self):
        ttl = self.get_option("cache_ttl")
        if ttl < 0:
            raise AnsibleLookupError(
                "cache_ttl: %s is not valid; expected 0 (no file cache) or a number of "
                "seconds" % show_value(ttl)
            )
        return ttl

    def _set_to_null(self, name, variables, kwargs):
        """Whether the option's value is its default because a null was skipped over."""
        if self.get_option_and_origin(name)[1] != "default":
            return False
        if name in kwargs:
            return kwargs[name] is None
        variables = variables or {}
        return any(
            entry["name"] in variables and variables[entry["name"]] is None
            for entry in self.option_definitions[name].get("vars", [])
        )

    def _given_empty(self, name, variables, kwargs):
        """Whether a path option was set to "" (or spaces), which Ansible makes the cwd."""
        value, origin = self.get_option_and_origin(name)
        raw = _raw_value(name, origin, value, variables, kwargs)
        return isinstance(raw, str) and not raw.strip()

    def _cache_dir(self, variables, kwargs):
        configured = self.get_option("cache_dir")
        if configured and not self._given_empty("cache_dir", variables, kwargs):
            return configured
        # DEFAULT_LOCAL_TMP is this process's own directory, removed when Ansible
        # exits; its parent (~/.ansible/tmp by default) outlives the run and is 0700.
        # ansible.constants sets DEFAULT_LOCAL_TMP at import time, out of mypy's sight.
        local_tmp = C.DEFAULT_LOCAL_TMP  # type: ignore[attr-defined]
        return os.path.join(os.path.dirname(local_tmp), DEFAULT_CACHE_NAME)

    def _redirect_url(self, options, cache, org_name):
        """Return one org's redirectUrl: from this process, the file cache or Palette."""
        memo_key = digest(repr((options.key(), org_name)))
        fetched_at, url = _ANSWERS.get(memo_key, (None, None))
        if fetched_at is not None and 0 <= _now() - fetched_at < MEMO_SECONDS:
            return url

        try:
            url = cache.get_or_fetch(
                answer_key(options, org_name), lambda: self._fetch(options, org_name)
            )
        except PaletteError as exc:
            raise AnsibleLookupError(exc.msg) from None

        if len(_ANSWERS) >= _MAX_ANSWERS:
            _ANSWERS.clear()
        _ANSWERS[memo_key] = (_now(), url)
        return url

    def _fetch(self, options, org_name):
        """Ask Palette; the answer must carry a redirectUrl, possibly empty."""
        if self._client is None:
            missing = missing_library()
            if missing:
                raise AnsibleLookupError(missing_required_lib(missing[0]))
            from ..module_utils._client import PaletteClient

            self._client = PaletteClient(options, warn=display.warning)
        url = self._client.org_url(org_name)
        display.vvv("palette_redirect_url: GET %s" % url)

        org = self._client.fetch_org(org_name)
        if org["redirect_url"] is None:
            raise PaletteResponseError(
                "Palette's answer for organisation %s at %s has no redirectUrl "
                "(the field is null or absent), so there is no URL to return"
                % (show_value(org_name), options.base_url),
                status=200,
                url=url,
            )
        return org["redirect_url"]


def missing_library():
    """Return (name, traceback) of a library the client cannot import, or None."""
    # The client is imported only when a lookup asks Palette: requests, urllib3 and
    # voluptuous cost each worker about 0.1 s of CPU, and an answer this process or the
    # file cache already holds needs none of them (docs/performance.md).
    from ..module_utils._client import missing_library as client_missing_library

    return client_missing_library()


def _check_term(term):
    if not isinstance(term, str) or not term.strip():
        raise AnsibleLookupError(
            "the term %s is not an organisation name; expected a non-empty string"
            % show_value(term)
        )
    return term


def _describe_origin(origin):
    """Say where an option's value came from, in the words the documentation uses."""
    if origin == "Direct":
        return "the lookup's keyword argument"
    for prefix, source in (("var: ", "variable"), ("env: ", "environment variable")):
        if origin.startswith(prefix):
            return "%s %s" % (source, origin[len(prefix) :])
    return "section [spectrocloud_palette] of %s" % origin


def _raw_value(name, origin, value, variables, kwargs):
    """Return an option's value as its source gave it, before Ansible converted it."""
    if origin == "Direct":
        return kwargs.get(name)
    if origin.startswith("var: "):
        return (variables or {}).get(origin[len("var: ") :])
    if origin.startswith("env: "):
        return os.environ.get(origin[len("env: ") :])
    if origin == "default":
        return value

    # Any other origin is the path of the ansible.cfg that set the value.
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
    parser.read(origin)
    return parser.get("spectrocloud_palette", name, raw=True, fallback=value)
