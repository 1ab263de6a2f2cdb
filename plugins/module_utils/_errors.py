# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal to this collection: the errors its Palette client raises. Not a public API."""

from __future__ import annotations

from urllib.parse import urlsplit


class PaletteError(Exception):
    """Base of every error the collection raises about a Palette call.

    ``msg`` is a complete sentence for the user. ``status`` is the HTTP status when a
    response arrived, ``url`` the request URL (it never holds the API key), and
    ``error`` the fields of Palette's error body (code, message, ref, details) when the
    server sent one.
    """

    def __init__(self, msg, status=None, url=None, error=None):
        super().__init__(msg)
        self.msg = msg
        self.status = status
        self.url = url
        self.error = error

    def to_result(self):
        """Return the keys a failed module result carries."""
        return {"msg": self.msg, "status": self.status, "url": self.url, "error": self.error}


class PaletteOptionError(PaletteError):
    """An option has a value the client cannot use."""


class PaletteConnectionError(PaletteError):
    """No usable HTTP response: DNS, refused connection, TLS, proxy, timeout, redirect."""


class PaletteApiError(PaletteError):
    """Palette answered with an error status."""


class PaletteResponseError(PaletteError):
    """Palette answered 2xx, but the body is not a usable organisation description."""


def show_value(value, limit=80):
    """Render a value for an error message: quoted, control characters escaped, short."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 5] + "...'" if text[0] == "'" else text[: limit - 3] + "..."
    return text


def origin(url):
    """Return ``scheme://host[:port]`` of a URL, without a default port, for comparing."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = "[%s]" % host
    try:
        port = parts.port
    except ValueError:
        port = "?"
    if port is None or port == {"https": 443, "http": 80}.get(scheme):
        return "%s://%s" % (scheme, host)
    return "%s://%s:%s" % (scheme, host, port)
