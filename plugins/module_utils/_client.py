# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal to this collection: the one HTTP client its plugins use to call Palette.

It never calls fail_json and imports nothing from ansible.plugins, so the module and
the lookup share it unchanged. Every failure is one of the errors in _errors.py, and
no message it builds can carry the API key.
"""

from __future__ import annotations

import json
import random
import re
import ssl
import time
import traceback
import warnings
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.request import getproxies

from ._errors import (
    PaletteApiError,
    PaletteConnectionError,
    PaletteError,
    PaletteResponseError,
    origin,
    show_value,
)

try:
    import requests
    from urllib3.exceptions import InsecureRequestWarning
except ImportError:
    requests = None  # type: ignore[assignment]
    REQUESTS_IMPORT_ERROR: str | None = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

from ._options import ENVIRONMENT_PROXY, check_proxy_url
from ._schema import VOLUPTUOUS_IMPORT_ERROR, validate_org

ORG_PATH = "/v1/auth/org"
USER_AGENT = "ansible-collection-spectrocloud.palette"

# Statuses worth another attempt: rate limiting and the gateway errors of a busy or
# restarting server. A plain 500 is Palette's "operational error" and is not retried.
RETRY_STATUSES = frozenset((429, 502, 503, 504))

# Every wait between attempts is at most MAX_WAIT seconds. A Retry-After longer than
# that ends the call at once, with the value in the error, rather than ignoring it.
MAX_WAIT = 10.0
BACKOFF_BASE = 0.5

# An organisation description is a few kilobytes; anything past 1 MiB is not one.
MAX_BODY_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
REDACTED = "********"
# The password of any scheme://user:password@ in a message, whatever the URL is for.
URL_PASSWORD = re.compile(r"(?<=://)(?P<keep>[^\s/@:]*:)[^\s/@]+(?=@)")

# Limits on what of Palette's error body is kept: enough to explain any real error.
MAX_ERROR_TEXT = 2000
MAX_ERROR_DEPTH = 8
MAX_ERROR_ITEMS = 50
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def missing_library():
    """Return (name, traceback) of a required library that cannot be imported, or None."""
    if REQUESTS_IMPORT_ERROR:
        return "requests", REQUESTS_IMPORT_ERROR
    if VOLUPTUOUS_IMPORT_ERROR:
        return "voluptuous", VOLUPTUOUS_IMPORT_ERROR
    return None


class PaletteClient:
    """Reads a Palette organisation's login description over one requests session."""

    def __init__(self, options, warn=None, sleep=time.sleep):
        self.options = options
        self._warn = warn or (lambda message: None)
        self._sleep = sleep
        self._session = _new_session(options)

    def org_url(self, org_name=None):
        """Return the request URL for ``org_name`` (None or "" asks for the default)."""
        url = self.options.base_url + ORG_PATH
        if org_name:
            url += "?" + urlencode({"orgName": org_name})
        return url

    def fetch_org(self, org_name=None):
        """GET /v1/auth/org and return the checked ``org`` result (snake_case keys)."""
        url = self.org_url(org_name)
        try:
            response, attempts = self._get(url)
            with response:
                if not 200 <= response.status_code < 300:
                    raise _api_error(response, url, org_name, attempts, self.options.timeout)
                body = _read_json(response, url, self.options.timeout)
            return validate_org(body, url, org_name)
        except PaletteError as exc:
            # from None: the unredacted original must not ride along as __context__.
            raise self._redact(exc) from None

    def _get(self, url):
        """Send the GET, retrying where it may help; return (response, attempts made)."""
        retries = self.options.retries
        for attempt in range(1, retries + 2):
            try:
                response = self._send(url)
            except requests.exceptions.RequestException as exc:
                failure = _connection_error(exc, url, self.options)
                if attempt > retries or not _is_retryable_failure(exc):
                    raise failure from exc
                wait = _backoff(attempt)
                self._warn_retry(failure.msg, wait, attempt)
                self._sleep(wait)
                continue
            except (ValueError, OSError) as exc:
                # requests checks some settings only when it sends: a CA bundle it
                # cannot load, a header it cannot encode.
                raise PaletteConnectionError(
                    "could not send the request to %s: %s" % (origin(url), _reason(exc)),
                    url=url,
                ) from exc

            if response.status_code not in RETRY_STATUSES or attempt > retries:
                return response, attempt

            wait = _retry_wait(response, attempt)
            if wait is None:
                # The server asked for a longer pause than a call may wait: report it
                # now, with its Retry-After, instead of asking again too early.
                return response, attempt
            response.close()
            self._warn_retry(
                "Palette at %s answered HTTP %d" % (origin(url), response.status_code),
                wait,
                attempt,
            )
            self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _send(self, url):
        """Send one GET, following redirects only within the configured origin."""
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if self.options.api_key:
            headers["ApiKey"] = self.options.api_key

        target = url
        for _hop in range(MAX_REDIRECTS + 1):
            with warnings.catch_warnings():
                if self.options.verify is False:
                    # The user turned verification off and the plugin warned once;
                    # urllib3 would otherwise add a raw warning for every request.
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                response = self._session.get(
                    target,
                    headers=headers,
                    timeout=self.options.timeout,
                    allow_redirects=False,
                    stream=True,
                    proxies=self._proxies_for(target),
                )
            if not response.is_redirect:
                return response

            # requests would forward a custom header such as ApiKey to any host;
            # following by hand keeps the key inside the configured origin.
            written = response.headers["Location"].strip()
            response.close()
            if not written:
                raise PaletteConnectionError(
                    "Palette at %s answered HTTP %d with an empty Location; cannot follow it"
                    % (origin(url), response.status_code),
                    status=response.status_code,
                    url=url,
                )
            location = urljoin(target, written)
            if origin(location) != origin(self.options.base_url):
                raise PaletteConnectionError(
                    "Palette at %s redirected the request to %s; the redirect was refused "
                    "so that the API key is never sent to another host. If the API lives "
                    "there, set host to it." % (origin(url), origin(location)),
                    status=response.status_code,
                    url=url,
                )
            target = location

        raise PaletteConnectionError(
            "Palette at %s redirected the request more than %d times; giving up"
            % (origin(url), MAX_REDIRECTS),
            url=url,
        )

    def _proxies_for(self, url):
        if self.options.proxies is not None:
            return self.options.proxies
        # The session ignores the environment (no .netrc, no stray CA bundle), so the
        # proxy variables, no_proxy included, are read here for each URL, and checked
        # as the proxy option is.
        proxies = requests.utils.get_environ_proxies(url)
        for proxy in set(proxies.values()):
            check_proxy_url(proxy, ENVIRONMENT_PROXY)
        return proxies

    def _warn_retry(self, what, wait, attempt):
        self._warn(
            "%s; retrying in %.1f s (attempt %d of %d)"
            % (what, wait, attempt + 1, self.options.retries + 1)
        )

    def _redact(self, exc):
        """Remove every form of the secrets from the error's text fields."""
        secrets = _secret_patterns(self.options) + [URL_PASSWORD]
        exc.msg = _scrub(exc.msg, secrets)
        exc.args = (exc.msg,)
        exc.error = _scrub(exc.error, secrets)
        return exc


def _new_session(options):
    session = requests.Session()
    # trust_env would let .netrc add an Authorization header and the environment swap
    # the CA bundle or proxies behind the options' back; _options.py and
    # _proxies_for() read the few variables that are meant to apply.
    session.trust_env = False
    session.verify = options.verify
    return session


def _backoff(attempt):
    """Exponential backoff with jitter: half to all of 0.5, 1, 2, ... seconds, capped."""
    return min(MAX_WAIT, BACKOFF_BASE * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def _retry_wait(response, attempt):
    """Seconds to wait before the next attempt; None when Retry-After exceeds MAX_WAIT."""
    retry_after = _parse_retry_after(response.headers.get("Retry-After"))
    if retry_after is None:
        return _backoff(attempt)
    if retry_after > MAX_WAIT:
        return None
    # A Retry-After of 0 or a date in the past still gets the usual short pause, so
    # that the retries do not all arrive at once.
    return max(retry_after, _backoff(attempt))


def _parse_retry_after(value):
    """Return Retry-After in seconds (delta or HTTP date), or None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²".isdigit() is true, float("²") fails
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - time.time())


def _is_retryable_failure(exc):
    # A timeout is final: an unresponsive server is not asked again, which keeps the
    # worst-case time of a call near one timeout. TLS failures do not fix themselves.
    # Nor are a proxy's failures or a name that does not resolve: only a refused or
    # reset connection to Palette itself is worth another try.
    errors = requests.exceptions
    if isinstance(exc, (errors.Timeout, errors.SSLError, errors.ProxyError)):
        return False
    return isinstance(exc, errors.ConnectionError) and _reason(exc) in (
        "connection refused",
        "connection reset",
        "the server closed the connection without answering",
    )


def _reason(exc):
    """A short, readable cause for a requests exception."""
    root = _root_cause(exc)
    if isinstance(root, ssl.SSLCertVerificationError):
        return "certificate verify failed: %s" % (root.verify_message or root.reason)

    text = str(exc)
    for marker, reason in (
        ("Name or service not known", "the host name could not be resolved"),
        ("NameResolutionError", "the host name could not be resolved"),
        ("nodename nor servname", "the host name could not be resolved"),
        ("Connection refused", "connection refused"),
        ("Connection reset", "connection reset"),
        ("RemoteDisconnected", "the server closed the connection without answering"),
    ):
        if marker in text:
            return reason
    text = str(root) or text
    return text if len(text) <= 300 else text[:297] + "..."


def _root_cause(exc):
    """Follow requests' and urllib3's wrapping down to the error that started it."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException) and exc.args:
            inner = exc.args[0]
        if not isinstance(inner, BaseException):
            inner = exc.__cause__ or exc.__context__
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def _connection_error(exc, url, options):
    errors = requests.exceptions
    host = origin(url)
    if isinstance(exc, errors.SSLError):
        message = _tls_error(exc, host, options)
    elif isinstance(exc, errors.Timeout):
        message = "Palette at %s did not answer within the timeout of %g seconds" % (
            host,
            options.timeout,
        )
    elif isinstance(exc, errors.ProxyError):
        message = "could not reach Palette at %s through the proxy: %s" % (host, _reason(exc))
    elif isinstance(exc, errors.ContentDecodingError):
        message = "could not decode the response from %s: %s" % (host, _reason(exc))
    else:
        message = "could not connect to Palette at %s: %s" % (host, _reason(exc))
    return PaletteConnectionError(message, url=url)


def _tls_error(exc, host, options):
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" not in text and "certificate verify failed" not in text:
        return "TLS handshake with %s failed: %s" % (host, _reason(exc))
    message = "TLS certificate verification failed for %s: %s. " % (host, _reason(exc))
    if options.ca_source == "ca_path":
        return message + (
            "The CA file of ca_path, %s, does not hold the CA that signed the server's "
            "certificate." % show_value(options.verify, limit=1000)
        )
    if options.ca_source:
        return message + (
            "The CA file of %s, %s, does not hold the CA that signed the server's "
            "certificate; if this Palette uses a private CA, set ca_path to its PEM file."
            % (options.ca_source, show_value(options.verify, limit=1000))
        )
    return message + (
        "If this Palette uses a private CA, set ca_path to its PEM file; "
        "validate_certs: false skips the check, which is insecure."
    )


def _read_body(response, url, timeout):
    """Read the whole body, refusing one over MAX_BODY_BYTES or slower than ``timeout``."""
    too_large = PaletteResponseError(
        "Palette's response from %s is larger than %d bytes; refused"
        % (origin(url), MAX_BODY_BYTES),
        status=response.status_code,
        url=url,
    )
    length = response.headers.get("Content-Length", "")
    if length.isascii() and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise too_large

    # requests' timeout applies to each read; the deadline bounds the body as a whole.
    deadline = time.monotonic() + timeout
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise too_large
            if time.monotonic() > deadline:
                raise requests.exceptions.ReadTimeout("body not complete in time")
            chunks.append(chunk)
    except requests.exceptions.ContentDecodingError as exc:
        raise PaletteResponseError(
            "Palette's response from %s could not be decoded (Content-Encoding %s): %s"
            % (origin(url), show_value(response.headers.get("Content-Encoding")), _reason(exc)),
            status=response.status_code,
            url=url,
        ) from exc
    except requests.exceptions.RequestException as exc:
        if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc):
            raise PaletteConnectionError(
                "Palette at %s did not send the whole response within the timeout of %g "
                "seconds" % (origin(url), timeout),
                status=response.status_code,
                url=url,
            ) from exc
        raise PaletteConnectionError(
            "the connection to %s broke before the whole response arrived: %s"
            % (origin(url), _reason(exc)),
            status=response.status_code,
            url=url,
        ) from exc
    return b"".join(chunks)


def _read_json(response, url, timeout):
    raw = _read_body(response, url, timeout)
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise PaletteResponseError(
            "Palette's response from %s (HTTP %d, Content-Type %s) is not JSON: %s"
            % (
                origin(url),
                response.status_code,
                show_value(response.headers.get("Content-Type")),
                _snippet(raw),
            ),
            status=response.status_code,
            url=url,
        ) from exc


def _snippet(raw):
    return show_value(raw[:200].decode("utf-8", "replace"), limit=120)


def _error_fields(response, url, timeout):
    """Return (Palette's error fields or None, a snippet of a body that is not one)."""
    try:
        raw = _read_body(response, url, timeout)
    except PaletteError:
        return None, "(body not readable)"
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None, _snippet(raw) if raw.strip() else None
    if not isinstance(body, dict):
        return None, _snippet(raw)
    return {
        field: _bounded(body.get(field)) for field in ("code", "message", "ref", "details")
    }, None


def _bounded(value, depth=0):
    """Keep a server-sent value small and shallow enough to print and to log safely."""
    if isinstance(value, str):
        return value if len(value) <= MAX_ERROR_TEXT else value[:MAX_ERROR_TEXT] + "..."
    if depth >= MAX_ERROR_DEPTH and isinstance(value, (dict, list)):
        return "(nested too deeply; left out)"
    if isinstance(value, dict):
        items = list(value.items())[:MAX_ERROR_ITEMS]
        return {str(key)[:MAX_ERROR_TEXT]: _bounded(item, depth + 1) for key, item in items}
    if isinstance(value, list):
        return [_bounded(item, depth + 1) for item in value[:MAX_ERROR_ITEMS]]
    return value


def _said(error):
    """Palette's code, message and ref as one line of text for a message."""

    def text(value):
        if not isinstance(value, str):
            value = json.dumps(value)
        # Escape what a terminal would act on, and keep the line short.
        value = _CONTROL.sub(lambda match: "\\x%02x" % ord(match.group()), value)
        return value if len(value) <= 300 else value[:297] + "..."

    said = ": ".join(text(error[field]) for field in ("code", "message") if error[field])
    if error.get("ref"):
        said += " (ref %s)" % text(error["ref"])
    return said


_STATUS_LEADS = {
    400: "Palette rejected the request for {what}",
    401: "Palette did not accept the credentials for {what}; check api_key",
    403: "Palette refused access to {what}",
    404: "{what} was not found",
    429: "Palette rate-limited the request for {what}",
}


def _api_error(response, url, org_name, attempts, timeout):
    status = response.status_code
    error, snippet = _error_fields(response, url, timeout)
    what = (
        "organisation %s at %s" % (show_value(org_name), origin(url))
        if org_name
        else "the default organisation at %s" % origin(url)
    )
    if status == 404 and not (error and error.get("code") == "ResourceNotFound"):
        # A 404 that is not Palette's own "not found" comes from a wrong path or from
        # something in front of Palette, not from an unknown organisation.
        lead = "the API endpoint %s was not found; check that host is a Palette API" % (
            origin(url) + ORG_PATH
        )
    elif status in _STATUS_LEADS:
        lead = _STATUS_LEADS[status].format(what=what)
    elif status >= 500:
        lead = "Palette had a server error answering for %s" % what
    else:
        lead = "Palette answered with an unexpected status for %s" % what
    lead = lead[0].upper() + lead[1:] + " (HTTP %d" % status
    if attempts > 1:
        lead += ", after %d attempts" % attempts
    retry_after = response.headers.get("Retry-After")
    if status == 429 and retry_after:
        lead += ", last Retry-After %s" % show_value(retry_after)
        if _retry_wait(response, attempts) is None:
            lead += ", longer than the %g s a call waits" % MAX_WAIT
    lead += ")"

    if error and any(error[field] for field in ("code", "message", "ref")):
        lead += ". Palette said: " + _said(error)
    elif snippet:
        lead += ". The body was not a Palette error: " + snippet
    return PaletteApiError(lead + ".", status=status, url=url, error=error)


def _secret_patterns(options):
    """Return a regex for each secret that also matches its percent-encoded forms."""
    patterns = []
    for secret in [options.api_key] + _proxy_passwords(options):
        if secret:
            patterns.append(re.compile("".join(_char_pattern(char) for char in secret)))
    return patterns


def _char_pattern(char):
    # A server may echo the key as it is or percent-encoded, wholly or in part, so each
    # character matches itself or its %XX spelling in either case (and "+" for a space).
    encoded = "".join(
        "%%[%s%s][%s%s]" % (pair[0].upper(), pair[0].lower(), pair[1].upper(), pair[1].lower())
        for pair in ("%02x" % byte for byte in char.encode("utf-8"))
    )
    alternatives = [re.escape(char), encoded] + ([r"\+"] if char == " " else [])
    return "(?:%s)" % "|".join(alternatives)


def _proxy_passwords(options):
    """The passwords of the proxies in use: the option's, or the environment's."""
    proxies = options.proxies
    if proxies is None:
        proxies = getproxies()
    passwords = []
    for proxy in proxies.values():
        try:
            password = urlsplit(proxy).password
        except ValueError:  # a malformed URL: URL_PASSWORD still hides its password
            continue
        if password:
            passwords.append(password)
    return passwords


def _redacted(match):
    """REDACTED in place of a secret, keeping the part the pattern names ``keep``."""
    return (match.groupdict().get("keep") or "") + REDACTED


def _scrub(value, secrets):
    """Replace the secrets in every string inside ``value`` (str, list or dict)."""
    if isinstance(value, str):
        for secret in secrets:
            value = secret.sub(_redacted, value)
        return value
    if isinstance(value, dict):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value
