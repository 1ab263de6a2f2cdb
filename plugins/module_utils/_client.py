# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal to this collection: the one HTTP client its plugins use to call Palette.

It never calls fail_json and imports nothing from ansible.plugins, so the module and
the lookup share it unchanged. Every failure is one of the errors in _errors.py, and
no message it builds can carry the API key. The messages of a failed call are built
in _failures.py, which is imported only when a call fails (see its docstring).
"""

from __future__ import annotations

import json
import random
import time
import traceback
import warnings
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urljoin

from ._errors import (
    PaletteConnectionError,
    PaletteError,
    PaletteResponseError,
    origin,
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
                    raise self._api_error(response, url, org_name, attempts)
                body = _read_json(response, url, self.options.timeout)
            return validate_org(body, url, org_name)
        except PaletteError as exc:
            from . import _failures

            # from None: the unredacted original must not ride along as __context__.
            raise _failures.redact(exc, self.options) from None

    def _get(self, url):
        """Send the GET, retrying where it may help; return (response, attempts made)."""
        retries = self.options.retries
        for attempt in range(1, retries + 2):
            try:
                response = self._send(url)
            except requests.exceptions.RequestException as exc:
                from . import _failures

                failure = _failures.connection_error(exc, url, self.options)
                if attempt > retries or not _failures.is_retryable(exc):
                    raise failure from exc
                wait = _backoff(attempt)
                self._warn_retry(failure.msg, wait, attempt)
                self._sleep(wait)
                continue
            except (ValueError, OSError) as exc:
                from . import _failures

                # requests checks some settings only when it sends: a CA bundle it
                # cannot load, a header it cannot encode.
                raise PaletteConnectionError(
                    "could not send the request to %s: %s" % (origin(url), _failures.reason(exc)),
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
            status=response.status_code,
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

    def _api_error(self, response, url, org_name, attempts):
        """The PaletteApiError for an error status, with what Palette said about it."""
        from . import _failures

        try:
            raw = _read_body(response, url, self.options.timeout)
        except PaletteError:
            raw = None
        too_long = response.status_code == 429 and _retry_wait(response, attempts) is None
        return _failures.api_error(
            response, raw, url, org_name, attempts, max_wait=MAX_WAIT if too_long else None
        )


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


def _read_body(response, url, timeout):
    """Read the whole body, refusing one over MAX_BODY_BYTES or slower than ``timeout``."""
    length = response.headers.get("Content-Length", "")
    if length.isascii() and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise _too_large(response, url)

    # requests' timeout applies to each read; the deadline bounds the body as a whole.
    deadline = time.monotonic() + timeout
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _too_large(response, url)
            if time.monotonic() > deadline:
                raise requests.exceptions.ReadTimeout("body not complete in time")
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        from . import _failures

        raise _failures.body_error(exc, response, url, timeout) from exc
    return b"".join(chunks)


def _too_large(response, url):
    return PaletteResponseError(
        "Palette's response from %s is larger than %d bytes; refused"
        % (origin(url), MAX_BODY_BYTES),
        status=response.status_code,
        url=url,
    )


def _read_json(response, url, timeout):
    raw = _read_body(response, url, timeout)
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        from . import _failures

        raise _failures.not_json(response, raw, url) from exc
