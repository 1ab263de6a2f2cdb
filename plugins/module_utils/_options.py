# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal to this collection: the connection options, their argspec and their checks.

The options are documented once, in doc_fragments/palette.py. The module reads them
through palette_argument_spec(), the lookup through its documented configuration;
both hand the values to ConnectionOptions.from_params(), so every plugin interprets
them the same way.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from typing import Any
from urllib.parse import urlsplit

from ansible.module_utils.common.parameters import env_fallback

from ._errors import PaletteOptionError, show_value

DEFAULT_HOST = "api.spectrocloud.com"

# Environment variables read for each option; doc_fragments/palette.py names the same.
ENV_VARS = {
    "host": "SPECTROCLOUD_HOST",
    "api_key": "SPECTROCLOUD_APIKEY",
    "validate_certs": "SPECTROCLOUD_VALIDATE_CERTS",
    "ca_path": "SPECTROCLOUD_CA_PATH",
    "timeout": "SPECTROCLOUD_TIMEOUT",
    "retries": "SPECTROCLOUD_RETRIES",
    "proxy": "SPECTROCLOUD_PROXY",
}

# Bounds on retries and timeout keep the documented worst-case time of a call meaningful.
MAX_RETRIES = 10
MAX_TIMEOUT = 3600.0

# What an HTTP header value can carry: visible ASCII, no spaces or control characters.
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")

_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$")


def palette_argument_spec(**extra):
    """Return the module argspec for the connection options, plus ``extra`` options."""
    spec: dict[str, dict[str, Any]] = {
        "host": {"type": "str", "default": DEFAULT_HOST},
        "api_key": {"type": "str", "no_log": True},
        "validate_certs": {"type": "bool", "default": True},
        "ca_path": {"type": "path"},
        "timeout": {"type": "float", "default": 10.0},
        "retries": {"type": "int", "default": 3},
        "use_proxy": {"type": "bool", "default": True},
        "proxy": {"type": "str", "no_log": True},
    }
    for name, variable in ENV_VARS.items():
        spec[name]["fallback"] = (env_fallback, [variable])
    spec.update(extra)
    return spec


class ConnectionOptions:
    """The connection options, checked and turned into what requests needs."""

    __slots__ = ("base_url", "api_key", "verify", "ca_source", "timeout", "retries", "proxies")

    def __init__(self, base_url, api_key, verify, timeout, retries, proxies, ca_source=None):
        self.base_url = base_url
        self.api_key = api_key
        self.verify = verify
        # Where a CA file in verify came from, for messages: "ca_path" or a variable.
        self.ca_source = ca_source
        self.timeout = timeout
        self.retries = retries
        self.proxies = proxies

    @classmethod
    def from_params(cls, params):
        """Build the options from a mapping of option name to value (module or lookup)."""
        # Only an absent host means Palette SaaS: an empty one (an unset variable, say)
        # must not send a self-hosted key to api.spectrocloud.com.
        host = params.get("host")
        base_url = parse_host(DEFAULT_HOST if host is None else host)
        validate_certs = _check_bool("validate_certs", params.get("validate_certs", True))
        use_proxy = _check_bool("use_proxy", params.get("use_proxy", True))
        verify, ca_source = _verify(validate_certs, params.get("ca_path"))

        return cls(
            base_url=base_url,
            api_key=_check_api_key(params.get("api_key")),
            verify=verify,
            ca_source=ca_source,
            timeout=_check_timeout(params.get("timeout", 10.0)),
            retries=_check_retries(params.get("retries", 3)),
            proxies=_proxies(use_proxy, params.get("proxy")),
        )

    def key(self):
        """Return a tuple that identifies these options; the API key only as a digest."""
        proxies = tuple(sorted(self.proxies.items())) if self.proxies is not None else None
        api_key = hashlib.sha256(self.api_key.encode()).hexdigest() if self.api_key else None
        return (self.base_url, api_key, self.verify, self.timeout, self.retries, proxies)


def connection_warnings(options):
    """Warnings a plugin shows once per task for these options."""
    warnings = []
    if options.verify is False:
        warnings.append(
            "validate_certs is false: the TLS certificate of the Palette API is not verified"
        )
    if options.api_key and options.base_url.startswith("http://"):
        warnings.append("api_key is sent unencrypted: host %s uses plain http" % options.base_url)
    return warnings


def parse_host(value):
    """Return ``scheme://host[:port]`` for a bare host, ``host:port`` or a URL."""
    if not isinstance(value, str) or not value.strip():
        raise PaletteOptionError(
            "host: %s is not a host; expected a host name, host:port or an https:// URL"
            % show_value(value)
        )
    text = value.strip()
    if "://" not in text:
        text = "https://" + text

    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        hint = "; write an IPv6 address in brackets, e.g. [::1]:8443" if text.count(":") > 2 else ""
        raise PaletteOptionError(
            "host: %s is not a valid URL (%s)%s" % (show_value(value), exc, hint)
        ) from exc

    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise PaletteOptionError(
            "host: the scheme %s of %s is not supported; expected https:// or http://"
            % (show_value(parts.scheme), show_value(value))
        )
    if "@" in parts.netloc:
        # Do not echo the value: it may hold a password.
        raise PaletteOptionError(
            "host: a user name or password in the URL is not supported; give the API key in api_key"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise PaletteOptionError(
            "host: %s has a path, query or fragment; give only the scheme, host and port, "
            "for example https://palette.example.com:8443" % show_value(value)
        )
    if port == 0:
        raise PaletteOptionError("host: port 0 in %s is not a usable port" % show_value(value))

    hostname = _check_hostname(value, parts.hostname)
    netloc = "[%s]" % hostname if ":" in hostname else hostname
    if port is not None:
        netloc += ":%d" % port
    return "%s://%s" % (scheme, netloc)


def _check_hostname(value, hostname):
    if not hostname:
        raise PaletteOptionError("host: %s has no host name" % show_value(value))
    try:
        return str(ipaddress.ip_address(hostname))
    except ValueError:
        pass
    try:
        ascii_name = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_name = ""
    if not _HOSTNAME.match(ascii_name):
        raise PaletteOptionError("host: %s is not a valid host name" % show_value(hostname))
    return ascii_name.lower()


def _check_bool(name, value):
    # The module and the lookup convert strings such as "no" to booleans before they
    # get here; a string at this point would make requests read verify="no" as a path.
    if not isinstance(value, bool):
        raise PaletteOptionError(
            "%s: %s is not a boolean; expected true or false" % (name, show_value(value))
        )
    return value


def _check_timeout(value):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = None
    if isinstance(value, bool) or seconds is None or not 0 < seconds <= MAX_TIMEOUT:
        raise PaletteOptionError(
            "timeout: %s is not valid; expected a number of seconds greater than 0 and at "
            "most %g" % (show_value(value), MAX_TIMEOUT)
        )
    return seconds


def _check_retries(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RETRIES:
        raise PaletteOptionError(
            "retries: %s is not valid; expected a whole number from 0 to %d"
            % (show_value(value), MAX_RETRIES)
        )
    return value


def _check_api_key(value):
    """Return the key without surrounding whitespace, or None; refuse what a header can't carry."""
    if value is None:
        return None
    # A key stored with `echo ... | ansible-vault encrypt_string` ends in a newline.
    key = value.strip() if isinstance(value, str) else value
    if not key:
        return None
    if not isinstance(key, str) or not _HEADER_SAFE.match(key):
        # Never echo the value, not even escaped: it is the secret.
        raise PaletteOptionError(
            "api_key: the value contains spaces, control or non-ASCII characters, which an "
            "HTTP header cannot carry; check how the key was stored"
        )
    return key


def _check_ca_file(option, path):
    """Return the absolute path of a readable PEM file, or raise naming ``option``."""
    shown = show_value(path, limit=1000)
    if os.path.isdir(path):
        raise PaletteOptionError("%s: %s is a directory; expected a PEM file" % (option, shown))
    if not os.path.isfile(path):
        raise PaletteOptionError(
            "%s: file not found: %s; expected a PEM file of CA certificates" % (option, shown)
        )
    try:
        with open(path, "rb") as handle:
            pem = handle.read()
    except OSError as exc:
        raise PaletteOptionError("%s: cannot read %s: %s" % (option, shown, exc.strerror)) from exc
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise PaletteOptionError(
            "%s: %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)" % (option, shown)
        )
    return os.path.abspath(path)


def _verify(validate_certs, ca_path):
    """Merge validate_certs and ca_path into requests' verify, and say where a CA file came from."""
    if not validate_certs:
        return False, None
    if ca_path:
        return _check_ca_file("ca_path", os.path.expanduser(ca_path)), "ca_path"

    # The session does not read the environment itself (see _client.py), so the
    # usual requests variables are honoured here, after ca_path.
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if os.environ.get(variable):
            source = "environment variable " + variable
            return _check_ca_file(source, os.environ[variable]), source
    return True, None


def _proxies(use_proxy, proxy):
    """Return the proxies mapping to use, or None to take them from the environment."""
    if not use_proxy:
        return {}
    if not proxy:
        return None
    check_proxy_url(proxy, "proxy")
    return {"http": proxy, "https": proxy}


# How messages name a proxy that came from the environment rather than the proxy option.
ENVIRONMENT_PROXY = (
    "the proxy from the environment (https_proxy, http_proxy or all_proxy; "
    "use_proxy: false ignores them)"
)


def check_proxy_url(proxy, where):
    """Refuse a proxy URL requests could not use, naming ``where`` but never the value."""
    try:
        parts = urlsplit(proxy)
        parts.port  # noqa: B018  # pylint: disable=pointless-statement  # raises on a bad port
    except ValueError:
        parts = None
    # SOCKS would need PySocks, which the collection does not require.
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        # Do not echo the value: a proxy URL may carry a password.
        raise PaletteOptionError(
            "%s: the value is not an http:// or https:// proxy URL with a valid host and "
            "port, such as http://proxy.example.com:3128" % where
        )
