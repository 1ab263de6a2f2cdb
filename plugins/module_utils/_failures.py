# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal to this collection: how _client.py explains a Palette call that failed.

_client.py imports this only when a call fails. A module compiles its module_utils
from the AnsiballZ zip on every run, so what only a failure needs stays out of the
successful run (docs/performance.md). Each function returns a message or an error
from _errors.py; none of them sends anything.
"""

from __future__ import annotations

import json
import re
import ssl
from urllib.parse import urlsplit
from urllib.request import getproxies

try:
    import requests
except ImportError:  # _client.py reports it; without requests no call is made to fail
    requests = None  # type: ignore[assignment]

from ._errors import (
    PaletteApiError,
    PaletteConnectionError,
    PaletteResponseError,
    origin,
    show_value,
)

REDACTED = "********"
# The password of any scheme://user:password@ in a message, whatever the URL is for.
URL_PASSWORD = re.compile(r"(?<=://)(?P<keep>[^\s/@:]*:)[^\s/@]+(?=@)")

# Limits on what of Palette's error body is kept: enough to explain any real error.
MAX_ERROR_TEXT = 2000
MAX_ERROR_DEPTH = 8
MAX_ERROR_ITEMS = 50
# A response can break the schema in many places; a message names the first few.
MAX_SCHEMA_PROBLEMS = 10
# What a terminal would act on or reorder: C0 and C1 controls, the line and paragraph
# separators, and the bidirectional marks, embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# Every cut made in a shown value ends in CUT_MARK (show_value() and _cut()), so a
# secret split by a cut is a start of it right before the mark. A start shorter than
# MIN_CUT_PART characters is left alone: it tells nobody the rest, and hiding it would
# garble ordinary text that happens to share it.
CUT_MARK = "..."
MIN_CUT_PART = 4

# A connection failure worth another attempt: one to Palette itself that may pass.
_RETRYABLE_REASONS = (
    "connection refused",
    "connection reset",
    "the server closed the connection without answering",
)


def _seconds(value):
    return "1 second" if value == 1 else "%g seconds" % value


def _cut(text, limit):
    """``text``, or its start and CUT_MARK when it is longer than ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK


def is_retryable(exc):
    """Whether a requests exception is worth another attempt.

    A timeout is final: an unresponsive server is not asked again, which keeps the
    worst-case time of a call near one timeout. TLS failures do not fix themselves.
    Nor are a proxy's failures or a name that does not resolve: only a refused or
    reset connection to Palette itself is worth another try.
    """
    errors = requests.exceptions
    if isinstance(exc, (errors.Timeout, errors.SSLError, errors.ProxyError)):
        return False
    return isinstance(exc, errors.ConnectionError) and reason(exc) in _RETRYABLE_REASONS


def reason(exc):
    """A short, readable cause for a requests exception."""
    root = _root_cause(exc)
    if isinstance(root, ssl.SSLCertVerificationError):
        return "certificate verify failed: %s" % (root.verify_message or root.reason)

    text = str(exc)
    for marker, cause in (
        ("Name or service not known", "the host name could not be resolved"),
        ("NameResolutionError", "the host name could not be resolved"),
        ("nodename nor servname", "the host name could not be resolved"),
        ("Connection refused", "connection refused"),
        ("Connection reset", "connection reset"),
        ("RemoteDisconnected", "the server closed the connection without answering"),
    ):
        if marker in text:
            return cause
    text = str(root) or text
    return _cut(text, 300)


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


def connection_error(exc, url, options):
    """The PaletteConnectionError for a requests exception raised while sending."""
    errors = requests.exceptions
    host = origin(url)
    if isinstance(exc, errors.SSLError):
        message = _tls_error(exc, host, options)
    elif isinstance(exc, errors.Timeout):
        message = "Palette at %s did not answer within the timeout of %s" % (
            host,
            _seconds(options.timeout),
        )
    elif isinstance(exc, errors.ProxyError):
        message = "could not reach Palette at %s through the proxy: %s" % (host, reason(exc))
    elif isinstance(exc, errors.ContentDecodingError):
        message = "could not decode the response from %s: %s" % (host, reason(exc))
    else:
        message = "could not connect to Palette at %s: %s" % (host, reason(exc))
    return PaletteConnectionError(message, url=url)


def _tls_error(exc, host, options):
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" not in text and "certificate verify failed" not in text:
        return "TLS handshake with %s failed: %s" % (host, reason(exc))
    message = "TLS certificate verification failed for %s: %s. " % (host, reason(exc))
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


def body_error(exc, response, url, timeout):
    """The error for a requests exception raised while the body was being read."""
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return PaletteResponseError(
            "Palette's response from %s could not be decoded (Content-Encoding %s): %s"
            % (origin(url), show_value(response.headers.get("Content-Encoding")), reason(exc)),
            status=response.status_code,
            url=url,
        )
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc):
        return PaletteConnectionError(
            "Palette at %s did not send the whole response within the timeout of %s"
            % (origin(url), _seconds(timeout)),
            status=response.status_code,
            url=url,
        )
    return PaletteConnectionError(
        "the connection to %s broke before the whole response arrived: %s"
        % (origin(url), reason(exc)),
        status=response.status_code,
        url=url,
    )


def not_json(response, raw, url):
    """The error for a 2xx body that does not decode as JSON."""
    if not raw.strip():
        return PaletteResponseError(
            "Palette's response from %s (HTTP %d) is empty; expected a JSON organisation "
            "description" % (origin(url), response.status_code),
            status=response.status_code,
            url=url,
        )
    return PaletteResponseError(
        "Palette's response from %s (HTTP %d, Content-Type %s) is not JSON: %s"
        % (
            origin(url),
            response.status_code,
            show_value(response.headers.get("Content-Type")),
            snippet(raw),
        ),
        status=response.status_code,
        url=url,
    )


def not_an_org(body, url):
    """The error for a 2xx JSON body that is not an object."""
    return PaletteResponseError(
        "Palette's response%s is not an organisation description: expected a JSON "
        "object, got %s" % (" from " + origin(url) if url else "", _json_type(body)),
        status=200,
        url=url,
    )


def schema_mismatch(exc, body, url, org_name):
    """The error for a body that voluptuous refused: each field, its value, what was expected."""
    return PaletteResponseError(
        "Palette's response%s does not match the organisation schema: %s"
        % (_whose(url, org_name), _describe(exc, body)),
        status=200,
        url=url,
    )


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
    errors = sorted(exc.errors, key=lambda error: [_path_order(part) for part in error.path])
    for error in errors[:MAX_SCHEMA_PROBLEMS]:
        path = _format_path(error.path)
        value = _value_at(body, error.path)
        problems.append("field %s: %s, got %s" % (path, error.error_message, _show_json(value)))
    if len(errors) > MAX_SCHEMA_PROBLEMS:
        problems.append("and %d more" % (len(errors) - MAX_SCHEMA_PROBLEMS))
    return "; ".join(problems)


def _path_order(part):
    # Field names in alphabetical order, list indexes in numerical order.
    return (0, part, "") if isinstance(part, int) else (1, 0, str(part))


def _whose(url, org_name):
    """Name the organisation and the origin a response came for, as far as they are known."""
    text = " for organisation %s" % show_value(org_name) if org_name else ""
    return text + (" from " + origin(url) if url else "")


def _show_json(value, limit=80):
    """Render a value from the response as JSON spells it, escaped and short."""
    text = json.dumps(value, ensure_ascii=False)
    # json.dumps escapes C0 controls; escape what else would not print (bidi, U+2028).
    text = "".join(c if c.isprintable() else "\\u%04x" % ord(c) for c in text)
    return _cut(text, limit)


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


def snippet(raw):
    """The start of a body that is not what was expected, quoted and short."""
    # 1 KiB decodes to more than 120 characters: show_value() makes the cut, with its mark.
    return show_value(raw[:1024].decode("utf-8", "replace"), limit=120)


_STATUS_LEADS = {
    400: "Palette rejected the request for {what}",
    401: "Palette did not accept the credentials for {what}; check api_key",
    403: "Palette refused access to {what}",
    404: "{what} was not found",
    429: "Palette rate-limited the request for {what}",
}


def api_error(response, raw, url, org_name, attempts, max_wait=None):
    """The PaletteApiError for an error status.

    ``raw`` is the body, or None when it could not be read; ``max_wait`` is set when
    the last Retry-After asked for a longer pause than a call waits.
    """
    status = response.status_code
    error, unexpected = _error_fields(raw)
    what = (
        "organisation %s at %s" % (show_value(org_name), origin(url))
        if org_name
        else "the default organisation at %s" % origin(url)
    )
    if status == 404 and not (error and error.get("code") == "ResourceNotFound"):
        # A 404 that is not Palette's own "not found" comes from a wrong path or from
        # something in front of Palette, not from an unknown organisation.
        lead = "the API endpoint %s was not found; check that host is a Palette API" % (
            origin(url) + urlsplit(url).path
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
        if max_wait is not None:
            lead += ", longer than the %g s a call waits" % max_wait
    lead += ")"

    if error and any(error[field] for field in ("code", "message", "ref")):
        lead += ". Palette said: " + _said(error)
    elif unexpected:
        lead += ". The body was not a Palette error: " + unexpected
    return PaletteApiError(lead + ".", status=status, url=url, error=error)


def _error_fields(raw):
    """Return (Palette's error fields or None, a snippet of a body that is not one)."""
    if raw is None:
        return None, "(body not readable)"
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None, snippet(raw) if raw.strip() else None
    fields = ("code", "message", "ref", "details")
    if not isinstance(body, dict) or all(body.get(field) is None for field in fields):
        return None, snippet(raw)
    return {field: _bounded(body.get(field)) for field in fields}, None


def _bounded(value, depth=0):
    """Keep a server-sent value small and shallow enough to print and to log safely."""
    if isinstance(value, str):
        return _cut(value, MAX_ERROR_TEXT)
    if depth >= MAX_ERROR_DEPTH and isinstance(value, (dict, list)):
        return "(nested too deeply; left out)"
    if isinstance(value, dict):
        items = list(value.items())[:MAX_ERROR_ITEMS]
        return {_cut(str(key), MAX_ERROR_TEXT): _bounded(item, depth + 1) for key, item in items}
    if isinstance(value, list):
        return [_bounded(item, depth + 1) for item in value[:MAX_ERROR_ITEMS]]
    return value


def _said(error):
    """Palette's code, message and ref as one line of text for a message."""

    def text(value):
        if not isinstance(value, str):
            value = json.dumps(value)
        # Escape what a terminal would act on, and keep the line short.
        value = _CONTROL.sub(_escaped, value)
        return _cut(value, 300)

    said = ": ".join(text(error[field]) for field in ("code", "message") if error[field])
    if error.get("ref"):
        said += " (ref %s)" % text(error["ref"])
    return said


def _escaped(match):
    code = ord(match.group())
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


def redact(exc, options):
    """Remove the secrets from the error's text fields, in every form; return the error.

    A secret is found as it is, percent-encoded (wholly or in part, in either case),
    with the backslash that repr() and JSON put before a quote or a backslash, and cut
    short by a limit on a shown value.
    """
    secrets = [_Secret(text) for text in [options.api_key] + _proxy_passwords(options) if text]
    budget = [MAX_SECRET_STARTS]

    def hide(text):
        for secret in secrets:
            text = secret.hide(text, budget)
        return URL_PASSWORD.sub(_kept_and_redacted, text)

    try:
        exc.msg = _map_strings(exc.msg, hide)
        exc.error = _map_strings(exc.error, hide)
    except _TooManyStarts:
        # Only an answer built to repeat the key gets here; checking it all would take
        # minutes, so none of its text is shown.
        exc.msg = (
            "Palette's answer%s repeats the start of the API key or of a proxy password "
            "more than %d times; to keep the secret out of this message, the answer's "
            "text is left out"
            % (" (HTTP %d)" % exc.status if exc.status else "", MAX_SECRET_STARTS)
        )
        exc.error = None
    exc.args = (exc.msg,)
    return exc


# How many places that start like a secret one failure's text may hold: each one costs
# a walk along the secret, and real answers hold none or a few.
MAX_SECRET_STARTS = 1000


class _TooManyStarts(Exception):
    """The text holds more starts of a secret than MAX_SECRET_STARTS."""


# Half of a spelling, where a cut fell inside %XX or after an escaping backslash.
_HALF_FORM = re.compile(r"%[0-9A-Fa-f]?|\\")


class _Secret:
    """One secret, and how to find it in a message however it was written or cut."""

    def __init__(self, text):
        self._chars = [re.compile(_char_pattern(char)) for char in text]
        self._whole = re.compile("".join(char.pattern for char in self._chars))
        # Where a cut start of the secret can begin: its first MIN_CUT_PART characters.
        self._head = re.compile("".join(char.pattern for char in self._chars[:MIN_CUT_PART]))

    def hide(self, text, budget):
        """``text`` without the secret; ``budget`` counts down the starts looked at."""
        text = self._whole.sub(REDACTED, text)
        if len(self._chars) <= MIN_CUT_PART:
            return text
        kept: list[str] = []
        done = position = 0
        # Searched at each place, not match after match: "aaaab..." holds the cut start
        # "aaaab" of a secret "aaaabc" one place after a first "aaaa" that leads nowhere.
        while True:
            head = self._head.search(text, position)
            if head is None:
                return "".join(kept) + text[done:]
            budget[0] -= 1
            if budget[0] < 0:
                raise _TooManyStarts()
            end = self._cut_end(text, head.end())
            if end is None:
                position = head.start() + 1
            else:
                kept += [text[done : head.start()], REDACTED]
                done = position = end

    def _cut_end(self, text, position):
        """Where a start of the secret, spelt up to ``position``, meets a cut mark, if it does.

        The start is followed one character at a time, so its end is the last place
        where a cut mark follows (a secret may hold "." itself).
        """
        end = None
        for char in [None, *self._chars[MIN_CUT_PART:]]:
            if char is not None:
                found = char.match(text, position)
                if found is None:
                    break
                position = found.end()
            half = _HALF_FORM.match(text, position)
            for stop in (position, half.end() if half else None):
                if stop is not None and text.startswith(CUT_MARK, stop):
                    end = stop
        return end


def _char_pattern(char):
    # A server may echo the key as it is or percent-encoded, wholly or in part, so each
    # character matches itself or its %XX spelling in either case (and "+" for a space).
    # repr() and JSON show a quote or a backslash with a backslash before it.
    encoded = "".join(
        "%%[%s%s][%s%s]" % (pair[0].upper(), pair[0].lower(), pair[1].upper(), pair[1].lower())
        for pair in ("%02x" % byte for byte in char.encode("utf-8"))
    )
    alternatives = [encoded]
    if char in "\\\"'":
        alternatives.append(re.escape("\\" + char))
    alternatives.append(re.escape(char))
    if char == " ":
        alternatives.append(r"\+")
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


def _kept_and_redacted(match):
    """REDACTED in place of a URL's password, keeping the user name before it."""
    return match.group("keep") + REDACTED


def _map_strings(value, change):
    """Apply ``change`` to every string inside ``value`` (str, list or dict, keys too)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {_map_strings(k, change): _map_strings(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value
