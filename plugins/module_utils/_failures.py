# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal to this collection: how _client.py explains a Palette call that failed.

_client.py imports this only when a call fails. A module compiles its module_utils
from the AnsiballZ zip on every run, so what only a failure needs stays out of the
successful run (docs/performance.md). Each function returns a message or an error
from _errors.py; none of them sends anything.
"""

from __future__ import annotations

import heapq
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
    first = heapq.nsmallest(
        MAX_SCHEMA_PROBLEMS,
        exc.errors,
        key=lambda error: [_path_order(part) for part in error.path],
    )
    for error in first:
        path = _format_path(error.path)
        value = _value_at(body, error.path)
        problems.append("field %s: %s, got %s" % (path, error.error_message, _show_json(value)))
    if len(exc.errors) > MAX_SCHEMA_PROBLEMS:
        problems.append("and %d more" % (len(exc.errors) - MAX_SCHEMA_PROBLEMS))
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
    try:
        text = json.dumps(value, ensure_ascii=False)
    except RecursionError:
        # json.loads read it with the stack it had; json.dumps runs deeper in the stack.
        return "(a value nested too deeply to show)"
    return _cut(_printable(text), limit)


def _printable(text):
    """``text`` with every character that would not print escaped (\\x1b, \\u202e).

    That is what a terminal would act on or reorder: C0 and C1 controls, the line and
    paragraph separators, and the bidirectional marks, embeddings, overrides and
    isolates, among the other characters str.isprintable() refuses.
    """
    return "".join(
        char if char.isprintable() else ("\\x%02x" if ord(char) < 0x100 else "\\u%04x") % ord(char)
        for char in text
    )


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
        return _cut(_printable(value), 300)

    said = ": ".join(text(error[field]) for field in ("code", "message") if error[field])
    if error.get("ref"):
        said += " (ref %s)" % text(error["ref"])
    return said


def redact(exc, options):
    """Remove the secrets from the error's fields, in every form; return the error.

    A secret is found as it is, percent-encoded (wholly or in part, in either case),
    with the backslashes that repr() and JSON, once or more, put before a quote or a
    backslash, and cut short by a limit on a shown value.
    """
    secrets = [_Secret(text) for text in [options.api_key] + _proxy_passwords(options) if text]
    budget = [MAX_SECRET_STARTS]

    def hide(value):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return value
        text = str(value)
        for secret in secrets:
            text = secret.hide(text, budget)
        text = URL_PASSWORD.sub(_kept_and_redacted, text)
        # A number is a secret's echo only if hiding changed its text.
        return text if isinstance(value, str) or text != str(value) else value

    try:
        exc.msg = _map_values(exc.msg, hide)
        exc.error = _map_values(exc.error, hide)
    except _TooManyStarts:
        # Only an answer built to repeat the secret gets here; checking it all would
        # take long, so none of its text is shown.
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
# a comparison along the secret, and real answers hold none or a few.
MAX_SECRET_STARTS = 1000


class _TooManyStarts(Exception):
    """The text holds more starts of a secret than MAX_SECRET_STARTS."""


# What a message may spell a character with: %XX, a run of backslashes (which repr()
# and JSON, once or more, put before a quote or a backslash), or the character itself.
_SPELLING = re.compile(r"%[0-9A-Fa-f]{2}|\\+|.", re.DOTALL)
# Half of a spelling, where a cut fell inside %XX or after escaping backslashes.
_HALF_SPELLING = re.compile(r"%[0-9A-Fa-f]?|\\+")
_PLAIN = re.compile(r"[^%\\+\x80-\U0010ffff]*\Z")


def _canonical(text):
    """Return ``text`` with each spelling reduced to one canonical form, and where each
    canonical character starts in ``text`` (one entry more, for the end).

    %XX becomes the byte it names, a character outside ASCII its UTF-8 bytes, "+" a
    space, and backslashes, written or encoded, are left out: however many levels of
    escaping put them there, the characters around them are the same. A secret and any spelling of it
    have the same canonical form.
    """
    if _PLAIN.match(text):
        return text, range(len(text) + 1)
    chars, starts = [], []
    for spelling in _SPELLING.finditer(text):
        piece = spelling.group()
        if piece[0] == "\\":
            continue
        if piece[0] == "%" and len(piece) == 3:
            decoded = chr(int(piece[1:], 16))
        elif ord(piece) > 0x7F:
            decoded = piece.encode("utf-8").decode("latin-1")
        else:
            decoded = piece
        for char in decoded:
            if char != "\\":  # %5C as well
                chars.append(" " if char == "+" else char)
                starts.append(spelling.start())
    starts.append(len(text))
    return "".join(chars), starts


class _Secret:
    """One secret, and how to find it in a message however it was spelt or cut."""

    def __init__(self, text):
        # A "%41" in the secret is three characters of it, and a message may show them
        # so or percent-encode them: both readings are looked for.
        forms = {_canonical(text)[0], _canonical(text.replace("%", "%25"))[0]}
        self._forms = sorted(form for form in forms if form)

    def hide(self, text, budget):
        """``text`` without the secret; ``budget`` counts down the starts looked at."""
        canonical, starts = _canonical(text)
        spans = []
        for form in self._forms:
            found = canonical.find(form)
            while found != -1:
                spans.append((starts[found], starts[found + len(form)]))
                found = canonical.find(form, found + len(form))
            if len(form) <= MIN_CUT_PART:
                continue
            found = canonical.find(form[:MIN_CUT_PART])
            while found != -1:
                budget[0] -= 1
                if budget[0] < 0:
                    raise _TooManyStarts()
                end = _cut_end(form, text, canonical, starts, found)
                if end is not None:
                    spans.append((starts[found], end))
                found = canonical.find(form[:MIN_CUT_PART], found + 1)
        return _replace_spans(text, spans)


def _cut_end(form, text, canonical, starts, found):
    """Where a start of ``form`` at canonical ``found`` meets a cut mark, if it does.

    The longest start that a mark follows wins: a secret may hold "." itself.
    """
    length = MIN_CUT_PART
    limit = min(len(form), len(canonical) - found)
    while length < limit and canonical[found + length] == form[length]:
        length += 1
    for size in range(length, MIN_CUT_PART - 1, -1):
        position = starts[found + size]
        half = _HALF_SPELLING.match(text, position)
        for stop in (position, half.end() if half else None):
            if stop is not None and text.startswith(CUT_MARK, stop):
                return stop
    return None


def _replace_spans(text, spans):
    """``text`` with REDACTED in place of each (start, end) span, overlapping ones merged."""
    kept, done = [], 0
    for start, end in sorted(spans):
        if end <= done:
            continue
        if start >= done:
            kept += [text[done:start], REDACTED]
        done = end
    return "".join(kept) + text[done:]


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
        if password:  # %XX in it is decoded where it is compared (_canonical)
            passwords.append(password)
    return passwords


def _kept_and_redacted(match):
    """REDACTED in place of a URL's password, keeping the user name before it."""
    return match.group("keep") + REDACTED


def _map_values(value, change):
    """Apply ``change`` to every value inside ``value`` (str, list or dict, keys too)."""
    if isinstance(value, dict):
        return {_map_values(k, change): _map_values(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_values(item, change) for item in value]
    return change(value)
