# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local emulator of Palette's ``GET /v1/auth/org``, for tests and demos.

It serves fixture orgs over HTTP or HTTPS on a loopback address, records every request it
gets, and answers with faults on demand: latency, stalled connections, 429 and 5xx answers,
redirects, HTML pages, huge or truncated bodies. Tests drive it in-process through the
``Emulator`` class; Makefiles and integration targets drive it through the command line and
the admin API under ``/_emulator/``. README.md next to this file is the reference.

Only the standard library is used; ``cryptography`` is imported when TLS is asked for.
"""

from __future__ import annotations

import argparse
import collections
import copy
import datetime
import http
import http.server
import ipaddress
import json
import os
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid

ENDPOINT = "/v1/auth/org"
ADMIN_PREFIX = "/_emulator"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ORGS_FILE = os.path.join(HERE, "fixtures", "orgs.json")
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"

OVERRIDE_KEYS = frozenset(
    (
        "status",
        "headers",
        "body",
        "json",
        "latency",
        "stall",
        "redirect",
        "html",
        "oversize",
        "truncate",
    )
)
# Each of these replaces the body, so an override may carry at most one of them.
BODY_KEYS = ("body", "json", "html", "oversize")

# V1Error codes for status-only overrides and the emulator's own errors. Only
# ResourceNotFound is seen in Palette's clients; the rest are plausible guesses.
ERROR_CODES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    413: "RequestEntityTooLarge",
    429: "TooManyRequests",
    500: "InternalError",
}
# Gateways in front of an API answer these with their own HTML page, not with JSON.
HTML_STATUSES = (502, 503, 504)

# The newest requests kept in the log; the counter keeps counting past it.
MAX_LOG_ENTRIES = 10000
MAX_REQUEST_BODY = 8 * 1024 * 1024
# Idle keep-alive connections are closed after this many seconds.
IDLE_TIMEOUT = 30.0


class Reply:
    """One HTTP answer, sent as a single write of headers and body."""

    def __init__(self, status, body=b"", content_type=JSON_TYPE, headers=None):
        self.status = status
        self.body = body
        self.headers = {"Content-Type": content_type} if content_type else {}
        self.headers.update(headers or {})
        self.truncate = False
        # Called by the handler once the reply is on the wire (used by shutdown).
        self.after = None


def json_reply(status, obj, headers=None):
    """Build a JSON Reply from a Python object."""
    return Reply(status, encode_json(obj), JSON_TYPE, headers)


def encode_json(obj):
    """Encode ``obj`` compactly as UTF-8 JSON, non-ASCII text kept as is."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def v1_error(code, message):
    """Return a V1Error body, the error shape of the Palette API spec.

    ``details`` is left out rather than null: the definition types it as an object, and
    Palette's Go models omit an empty one.
    """
    return {"code": code, "message": message, "ref": str(uuid.uuid4())}


def error_code(status):
    """The V1Error code the emulator uses for an HTTP status."""
    return ERROR_CODES.get(status) or status_phrase(status).replace(" ", "")


def status_phrase(status):
    """Return the reason phrase of an HTTP status, or "Unknown"."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def html_page(status):
    """Return the kind of HTML error page a reverse proxy sends."""
    title = "%d %s" % (status, status_phrase(status))
    page = (
        "<!DOCTYPE html>\n<html>\n<head><title>%s</title></head>\n<body>\n"
        "<center><h1>%s</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    )
    return (page % (title, title)).encode("utf-8")


def check_loopback(bind):
    """Refuse any bind address that is not a loopback IP literal."""
    try:
        address = ipaddress.ip_address(bind)
    except ValueError:
        raise ValueError("bind must be a loopback IP address, not %r" % (bind,)) from None
    if not address.is_loopback:
        raise ValueError("refusing to bind %s: the emulator is loopback only" % bind)


def load_fixtures(path):
    """Read the fixtures file: an ``environment`` object and an ``orgs`` map of bodies."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)

    environment = data.get("environment")
    orgs = data.get("orgs")
    if not isinstance(environment, dict) or not isinstance(orgs, dict):
        raise ValueError("%s: expected objects 'environment' and 'orgs'" % path)
    return environment, orgs


def _is_number(value):
    # bool is an int subclass; True must not pass for a number of seconds.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_header(name, value):
    # CR or LF in a header would split the response; tests never need that.
    text = "%s%s" % (name, value)
    return isinstance(name, str) and "\r" not in text and "\n" not in text


def check_override(override):
    """Validate a fault override and return a copy; ``None`` or ``{}`` mean "normal".

    Typos and wrong types raise ValueError here, so that a test never silently runs
    against a fault it did not ask for.
    """
    if override is None:
        return None
    if not isinstance(override, dict):
        raise ValueError("an override must be an object, not %r" % (override,))

    unknown = sorted(set(override) - OVERRIDE_KEYS)
    if unknown:
        raise ValueError("unknown override keys %s; known: %s" % (unknown, sorted(OVERRIDE_KEYS)))
    bodies = [key for key in BODY_KEYS if key in override]
    if len(bodies) > 1:
        raise ValueError("an override may set only one of %s, got %s" % (BODY_KEYS, bodies))

    checks = {
        "status": lambda v: _is_int(v) and 100 <= v <= 599,
        "headers": lambda v: isinstance(v, dict) and all(map(_is_header, v, v.values())),
        "body": lambda v: isinstance(v, str),
        "latency": lambda v: _is_number(v) and v >= 0,
        "stall": lambda v: _is_number(v) and v >= 0,
        "redirect": lambda v: isinstance(v, str) and v != "" and _is_header("Location", v),
        "html": lambda v: isinstance(v, bool),
        "oversize": lambda v: _is_int(v) and v >= 0,
        "truncate": lambda v: isinstance(v, bool),
    }
    for key, valid in checks.items():
        if key in override and not valid(override[key]):
            raise ValueError("override %s: invalid value %r" % (key, override[key]))

    if any(name.lower() == "content-length" for name in override.get("headers", {})):
        raise ValueError("override headers: Content-Length is always computed")
    return copy.deepcopy(override) or None


class _Server(http.server.ThreadingHTTPServer):
    """The threaded HTTP server, with quiet errors and no reverse DNS at bind time."""

    daemon_threads = True
    # socketserver's default backlog of 5 drops connections when dozens of forks
    # connect at once, and the retransmitted SYN adds a second to their timings.
    request_queue_size = 128
    # Set by Emulator.start() as soon as the server exists.
    emulator: Emulator
    ssl_context: ssl.SSLContext | None = None

    def server_bind(self):
        # HTTPServer.server_bind resolves the bind address with getfqdn, which can stall
        # on a host without working DNS; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        # A TCP server's address is (host, port) or (host, port, flow, scope).
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request, client_address):
        # Hang-ups, refused TLS handshakes and time-outs are what fault tests provoke.
        error = sys.exc_info()[1]
        if isinstance(error, (OSError, ValueError)) or self.emulator.stopping:
            return
        super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(http.server.BaseHTTPRequestHandler):
    """Reads one request at a time and hands it to the Emulator; owns all socket I/O."""

    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = IDLE_TIMEOUT

    def setup(self):
        # Small responses on a keep-alive connection otherwise wait ~40 ms for Nagle's
        # algorithm to meet the client's delayed ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.server.ssl_context is not None:
            # The handshake runs here, in the connection's thread, so a client that never
            # completes it cannot block the accept loop.
            self.request.settimeout(self.timeout)
            context = self.server.ssl_context
            self.request = context.wrap_socket(self.request, server_side=True)
        self.server.emulator.track(self.request)
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.emulator.untrack(self.request)
            self.request.close()

    def __getattr__(self, name):
        # Every method, even an unusual one, reaches _dispatch, so it is logged and
        # answered like Palette would (405 or 404) instead of a bare 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silence http.server's own log; the Emulator writes an access log instead."""

    def send_error(self, code, message=None, explain=None):
        """Answer a request http.server could not parse with a V1Error, in one write."""
        self.close_connection = True
        body = v1_error(error_code(code), message or status_phrase(code))
        self.send_reply(json_reply(code, body))

    def _dispatch(self):
        path, dummy, raw_query = self.path.partition("?")
        body = self.read_body()
        if body is None:
            return

        emulator = self.server.emulator
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            reply = emulator.admin(self.command, path, body)
            self.send_reply(reply)
            if reply.after is not None:
                reply.after()
            return

        started = time.monotonic()
        entry = emulator.record(self, path, raw_query)
        reply = emulator.answer(self.command, path, raw_query, self.headers)
        # Complete the entry first: a client may read the log as soon as it has the answer.
        emulator.finish_entry(entry, reply, time.monotonic() - started)
        if reply is None:
            # A stall, or shutdown during a sleep: say nothing and hang up.
            self.close_connection = True
        else:
            self.send_reply(reply)

    def read_body(self):
        """Read the request body so the next request on the connection parses cleanly."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            # No client of this endpoint sends chunked bodies; the request still gets an
            # answer, and closing the connection skips the unread body.
            self.close_connection = True
            return b""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_REQUEST_BODY:
            self.send_error(413 if length > 0 else 400, "Bad Content-Length")
            return None
        return self.rfile.read(length) if length else b""

    def send_reply(self, reply):
        """Write status line, headers and body with one call."""
        head_only = self.command == "HEAD" or reply.status in (204, 304)
        headers = dict(reply.headers)
        if reply.status != 204:
            headers["Content-Length"] = str(len(reply.body))
        headers.setdefault("Date", self.date_time_string())
        if self.close_connection or reply.truncate:
            headers["Connection"] = "close"

        lines = ["HTTP/1.1 %d %s" % (reply.status, status_phrase(reply.status))]
        lines.extend("%s: %s" % item for item in headers.items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
        body = b"" if head_only else reply.body
        if reply.truncate:
            # Content-Length promises the whole body; the client gets half, then EOF.
            body = body[: len(body) // 2]
            self.close_connection = True
        self.wfile.write(head + body)

        emulator = self.server.emulator
        if emulator.access_log is not None:
            # Method and path only: header values (the ApiKey) stay out of logs.
            target = getattr(self, "path", "-")
            emulator.access_log.write(
                "%s %s %s -> %d\n" % (self.client_address[0], self.command, target, reply.status)
            )
            emulator.access_log.flush()


class Emulator:
    """A loopback HTTP(S) server answering ``GET /v1/auth/org`` the way Palette does.

    Use it as ``with Emulator() as emu:`` or call ``start()`` and ``stop()``. It stops by
    itself after ``lifetime`` seconds (``None`` or 0: never), so nothing is left running.
    """

    def __init__(
        self,
        port=0,
        tls=False,
        bind="127.0.0.1",
        state_dir=None,
        orgs_file=None,
        require_auth=False,
        api_key=None,
        echo_key_in_errors=False,
        case_sensitive=False,
        lifetime=600.0,
        ca_dir=None,
        access_log=None,
    ):
        check_loopback(bind)
        if require_auth and not api_key:
            raise ValueError("require_auth needs an api_key")

        self.bind = bind
        self.port = port
        self.tls = tls
        self.state_dir = state_dir
        self.ca_dir = ca_dir
        self.require_auth = require_auth
        self.api_key = api_key
        self.echo_key_in_errors = echo_key_in_errors
        self.case_sensitive = case_sensitive
        self.lifetime = lifetime
        self.access_log = access_log
        self.ca_path = None
        self.wrong_ca_path = None
        self.environment, self.fixture_orgs = load_fixtures(orgs_file or DEFAULT_ORGS_FILE)

        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._owns_state_dir = state_dir is None
        self._server: _Server | None = None
        self._threads = []
        self._connections = set()
        self._default = None
        self._sequence: collections.deque[dict] = collections.deque()
        self._org_bodies = {}
        self._log: collections.deque[dict] = collections.deque(maxlen=MAX_LOG_ENTRIES)
        self._count = 0

    # -- life cycle -----------------------------------------------------------------

    def start(self):
        """Bind, prepare TLS if asked, and serve from a background thread; return self."""
        if self._server is not None:
            raise RuntimeError("the emulator was already started")
        # Only TLS writes files. Plain HTTP makes no directory, so a process that ends
        # without stop() (ansible-test ends each forked test with os._exit) leaves none.
        if self.tls and self._owns_state_dir:
            self.state_dir = tempfile.mkdtemp(prefix="palette-emulator-")
        if self.state_dir:
            os.makedirs(self.state_dir, exist_ok=True)

        try:
            context = self._prepare_tls() if self.tls else None
            server_class = _Server6 if ":" in self.bind else _Server
            self._server = server_class((self.bind, self.port), _Handler)
        except BaseException:
            self._remove_state_dir()
            raise
        self._server.emulator = self
        self._server.ssl_context = context
        self.port = self._server.server_address[1]

        # stop() waits up to one poll interval for the accept loop to notice; 10 ms keeps
        # a per-test emulator cheap, and an idle poll costs one select() call.
        self._spawn(self._server.serve_forever, 0.01)
        if self.lifetime:
            self._spawn(self._expire)
        return self

    def stop(self):
        """Stop serving and hang up every open connection; safe to call more than once."""
        with self._lock:
            already = self._stopping.is_set()
            self._stopping.set()
        if already:
            # A second caller waits for the first, unless it is one of our own threads,
            # which the first caller is joining.
            if threading.current_thread() not in self._threads:
                self._stopped.wait(10)
            return

        # _stopping also wakes every latency or stall sleep, so handlers end at once.
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass

        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(5)
        self._remove_state_dir()
        self._stopped.set()

    def wait(self, timeout=None):
        """Block until the emulator has stopped; return True if it has."""
        return self._stopped.wait(timeout)

    @property
    def stopping(self):
        """True once stop() has begun."""
        return self._stopping.is_set()

    def __enter__(self):
        # Both "with Emulator() as emu" and "with Emulator().start() as emu" work.
        return self if self._server is not None else self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _spawn(self, target, *args):
        thread = threading.Thread(
            target=target, args=args, daemon=True, name="palette-emulator-%s" % target.__name__
        )
        thread.start()
        self._threads.append(thread)

    def _expire(self):
        if not self._stopping.wait(self.lifetime):
            self.stop()

    def _remove_state_dir(self):
        if self._owns_state_dir and self.state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def track(self, sock):
        """Remember an open connection so stop() can hang it up."""
        with self._lock:
            self._connections.add(sock)

    def untrack(self, sock):
        """Forget a connection that has closed."""
        with self._lock:
            self._connections.discard(sock)

    # -- addresses ------------------------------------------------------------------

    @property
    def host_port(self):
        """``host:port`` of the listener, with brackets around an IPv6 address."""
        host = "[%s]" % self.bind if ":" in self.bind else self.bind
        return "%s:%d" % (host, self.port)

    @property
    def url(self):
        """Base URL of the listener, without a trailing slash."""
        return "%s://%s" % ("https" if self.tls else "http", self.host_port)

    # -- state that tests read and change -----------------------------------------

    @property
    def requests(self):
        """A copy of the request log, oldest first."""
        with self._lock:
            return copy.deepcopy(list(self._log))

    @property
    def count(self):
        """Number of requests recorded since start or the last clear_requests()."""
        with self._lock:
            return self._count

    def clear_requests(self):
        """Empty the request log and reset the counter."""
        with self._lock:
            self._log.clear()
            self._count = 0

    @property
    def faults(self):
        """The overrides in effect: ``{"default": ..., "sequence": [...]}``."""
        with self._lock:
            return {
                "default": copy.deepcopy(self._default),
                "sequence": copy.deepcopy(list(self._sequence)),
            }

    def set_faults(self, default=None, sequence=None):
        """Replace the fault overrides; with no arguments, clear them.

        ``default`` applies to every request; each item of ``sequence`` is used by one
        request, in order, before ``default`` applies again. ``None`` in the sequence
        means one normal answer.
        """
        checked_default = check_override(default)
        checked_sequence = [check_override(item) for item in (sequence or [])]
        with self._lock:
            self._default = checked_default
            self._sequence = collections.deque(checked_sequence)

    def set_org(self, name, body):
        """Serve ``body`` (JSON-encoded if not a str) with 200 for org ``name``.

        The name follows the same case rule as the fixtures; ``""`` replaces the
        answer given when ``orgName`` is omitted.
        """
        raw = body.encode("utf-8") if isinstance(body, str) else encode_json(body)
        self._set_org_bytes(name, raw)

    def clear_org(self, name):
        """Serve the fixture (or 404) again for org ``name``."""
        with self._lock:
            self._org_bodies.pop(self._org_key(name), None)

    def reset(self):
        """Clear faults, org overrides and the request log."""
        self.set_faults()
        with self._lock:
            self._org_bodies.clear()
        self.clear_requests()

    def _set_org_bytes(self, name, raw):
        with self._lock:
            self._org_bodies[self._org_key(name)] = raw

    def _org_key(self, name):
        return name if self.case_sensitive else name.casefold()

    # -- answering requests ---------------------------------------------------------

    def record(self, handler, path, raw_query):
        """Append a request to the log and return its entry."""
        headers: dict[str, str] = {}
        for name, value in handler.headers.items():
            # Repeated headers are joined the way HTTP allows folding them.
            headers[name] = "%s, %s" % (headers[name], value) if name in headers else value
        host, port = handler.client_address[:2]

        entry = {
            "method": handler.command,
            "path": path,
            "raw_query": raw_query,
            "query": urllib.parse.parse_qs(raw_query, keep_blank_values=True),
            "headers": headers,
            "time": time.monotonic(),
            "client": "%s:%d" % ("[%s]" % host if ":" in host else host, port),
            "status": None,
        }
        with self._lock:
            self._log.append(entry)
            self._count += 1
        return entry

    def finish_entry(self, entry, reply, elapsed):
        """Note in the log entry the status about to be sent (None: no answer)."""
        with self._lock:
            entry["status"] = reply.status if reply is not None else None
            entry["elapsed"] = elapsed

    def answer(self, method, path, raw_query, headers):
        """Return the Reply for a non-admin request, or None to hang up without one."""
        with self._lock:
            override = self._sequence.popleft() if self._sequence else self._default
        override = override or {}

        if "stall" in override:
            # Accept and read the request, then keep silent; the handler hangs up.
            self._stopping.wait(override["stall"])
            return None
        if override.get("latency") and self._stopping.wait(override["latency"]):
            return None

        normal = self.respond(method, path, raw_query, headers)
        return self._apply_override(override, normal, headers)

    def respond(self, method, path, raw_query, headers):
        """The answer without faults: auth check, routing, org lookup."""
        received_key = headers.get("ApiKey")
        if self.require_auth and received_key != self.api_key:
            message = "Unauthorized: missing or invalid ApiKey"
            return self._error(401, message, received_key)

        # A trailing slash reaches the endpoint too, so a same-host redirect from
        # /v1/auth/org to /v1/auth/org/ can be followed to a real answer.
        if path.rstrip("/") != ENDPOINT:
            return self._error(404, "Path '%s' not found" % path, received_key)
        if method != "GET":
            message = "Method %s is not allowed on %s" % (method, ENDPOINT)
            return self._error(405, message, received_key, {"Allow": "GET"})

        # The key is case-sensitive, so orgname=acme counts as no orgName at all.
        values = urllib.parse.parse_qs(raw_query, keep_blank_values=True).get("orgName")
        name = values[0] if values else ""
        with self._lock:
            raw = self._org_bodies.get(self._org_key(name))
        if raw is not None:
            return Reply(200, raw)
        if name == "":
            return json_reply(200, self.default_body())

        body = self.find_org(name)
        if body is None:
            return self._error(404, "Organization '%s' not found" % name, received_key)
        return json_reply(200, body)

    def default_body(self):
        """The answer without an orgName: the environment and password login."""
        body = dict(self.environment)
        body.update({"authType": "password", "redirectUrl": ""})
        return dict(sorted(body.items()))

    def find_org(self, name):
        """Return the fixture body for ``name`` under the case rule, or None."""
        if self.case_sensitive:
            return self.fixture_orgs.get(name)
        for fixture_name, body in self.fixture_orgs.items():
            if fixture_name.casefold() == name.casefold():
                return body
        return None

    def _error(self, status, message, received_key, headers=None):
        if self.echo_key_in_errors and received_key:
            # Palette once echoed the API key in auth errors (palette-sdk-go ed05432
            # redacts it); tests check that the collection never shows it.
            message = "%s (ApiKey '%s')" % (message, received_key)
        return json_reply(status, v1_error(error_code(status), message), headers)

    def _apply_override(self, override, normal, headers):
        status = override.get("status")
        if "redirect" in override:
            reply = Reply(status or 302, b"", None, {"Location": override["redirect"]})
        elif "json" in override:
            reply = json_reply(status or 200, override["json"])
        elif "body" in override:
            reply = Reply(status or 200, override["body"].encode("utf-8"))
        elif override.get("html"):
            reply = Reply(status or 200, html_page(status or 200), HTML_TYPE)
        elif "oversize" in override:
            reply = Reply(status or 200, self._padded(normal, override["oversize"]))
        elif status is not None and status >= 400:
            reply = self._status_reply(status, headers.get("ApiKey"))
        else:
            # No body asked for: keep the normal answer, with the status if one was given.
            reply = normal
            reply.status = status or normal.status

        for name, value in override.get("headers", {}).items():
            reply.headers[name] = str(value)
        reply.truncate = bool(override.get("truncate"))
        return reply

    def _status_reply(self, status, received_key):
        if status in HTML_STATUSES:
            return Reply(status, html_page(status), HTML_TYPE)
        return self._error(status, status_phrase(status), received_key)

    def _padded(self, normal, size):
        """A valid JSON object of exactly ``size`` bytes (or the smallest possible)."""
        try:
            body = json.loads(normal.body.decode("utf-8"))
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = self.default_body()

        body["padding"] = ""
        unpadded = len(encode_json(body))
        body["padding"] = "x" * max(0, size - unpadded)
        return encode_json(body)

    # -- admin API ------------------------------------------------------------------

    def admin(self, method, path, body):
        """Answer a request under /_emulator/: never logged, never faulted."""
        rest = path[len(ADMIN_PREFIX) + 1 :]
        route = rest.rstrip("/")
        try:
            if route == "requests" and method == "GET":
                return json_reply(200, self.requests)
            if route == "requests" and method == "DELETE":
                self.clear_requests()
                return Reply(204, content_type=None)
            if route == "count" and method == "GET":
                return json_reply(200, {"count": self.count})
            if route == "faults":
                return self._admin_faults(method, body)
            if rest.startswith("orgs/"):
                # The name is percent-encoded in the path; "orgs/" alone is the empty name.
                name = urllib.parse.unquote(rest[len("orgs/") :])
                return self._admin_org(method, name, body)
            if route == "reset" and method == "POST":
                self.reset()
                return Reply(204, content_type=None)
            if route == "shutdown" and method == "POST":
                reply = json_reply(200, {"stopping": True})
                # Only after the answer is sent: stop() hangs up this connection too.
                reply.after = self.stop
                return reply
        except ValueError as error:
            return json_reply(400, v1_error("BadRequest", str(error)))
        message = "No admin route %s %s" % (method, path)
        return json_reply(404, v1_error("ResourceNotFound", message))

    def _admin_faults(self, method, body):
        if method == "GET":
            return json_reply(200, self.faults)
        if method == "DELETE":
            self.set_faults()
            return Reply(204, content_type=None)
        if method != "PUT":
            return json_reply(405, v1_error("MethodNotAllowed", "use GET, PUT or DELETE"))

        spec = json.loads(body.decode("utf-8") or "{}")
        if not isinstance(spec, dict) or set(spec) - {"default", "sequence"}:
            raise ValueError('expected {"default": override|null, "sequence": [...]}')
        self.set_faults(spec.get("default"), spec.get("sequence"))
        return json_reply(200, self.faults)

    def _admin_org(self, method, name, body):
        if method == "PUT":
            self._set_org_bytes(name, body)
            return Reply(204, content_type=None)
        if method == "DELETE":
            self.clear_org(name)
            return Reply(204, content_type=None)
        return json_reply(405, v1_error("MethodNotAllowed", "use PUT or DELETE"))

    # -- TLS ------------------------------------------------------------------------

    def _prepare_tls(self):
        """Write ca.pem, wrong-ca.pem and a leaf for loopback names; return the context.

        The CAs live in ``ca_dir`` (default: the state directory). Two emulators given the
        same ``ca_dir`` share one CA, so a client trusting ca.pem trusts both.
        """
        ca_dir = self.ca_dir or self.state_dir
        os.makedirs(ca_dir, exist_ok=True)
        ca_key, ca_cert = load_or_make_ca(ca_dir, "ca")
        load_or_make_ca(ca_dir, "wrong-ca")
        self.ca_path = os.path.join(ca_dir, "ca.pem")
        self.wrong_ca_path = os.path.join(ca_dir, "wrong-ca.pem")

        names = [
            "localhost",
            "palette.example.test",
            "sink.example.test",
            "127.0.0.1",
            "::1",
            self.bind,
        ]
        cert_path = os.path.join(self.state_dir, "server.pem")
        key_path = os.path.join(self.state_dir, "server-key.pem")
        write_leaf(ca_key, ca_cert, names, cert_path, key_path)

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        return context


def _write_pem(path, data, mode=0o644):
    """Write a PEM file atomically; keys get mode 0600 from their first byte on disk."""
    temp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temp, path)


def _write_key_and_cert(key, cert, key_path, cert_path):
    """Write a private key (mode 0600) and its certificate as PEM files."""
    from cryptography.hazmat.primitives import serialization

    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_pem(key_path, key_pem, 0o600)
    _write_pem(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def load_or_make_ca(ca_dir, stem):
    """Return (key, cert) of the CA ``<stem>.pem``, creating it if it is missing."""
    # cryptography is imported here, so that plain HTTP needs nothing beyond the stdlib.
    import fcntl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path = os.path.join(ca_dir, stem + ".pem")
    key_path = os.path.join(ca_dir, stem + "-key.pem")

    now = datetime.datetime.now(datetime.timezone.utc)

    # Emulators started together with one ca_dir must not each write their own CA.
    with open(os.path.join(ca_dir, ".ca.lock"), "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(cert_path) and os.path.exists(key_path):
            with open(key_path, "rb") as handle:
                key = serialization.load_pem_private_key(handle.read(), None)
            with open(cert_path, "rb") as handle:
                cert = x509.load_pem_x509_certificate(handle.read())
            # A kept ca_dir outlives the CA's 30 days; then a new CA replaces it.
            expires = getattr(cert, "not_valid_after_utc", None)
            if expires is None:
                expires = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
            if expires > now + datetime.timedelta(days=8):
                return key, cert

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(
                    NameOID.COMMON_NAME, "Palette emulator %s %s" % (stem, uuid.uuid4().hex[:8])
                )
            ]
        )
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )

        _write_key_and_cert(key, cert, key_path, cert_path)
        return key, cert


def write_leaf(ca_key, ca_cert, names, cert_path, key_path):
    """Issue a server certificate for ``names`` (DNS names or IPs), signed by the CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    sans: list[x509.GeneralName] = []
    for name in dict.fromkeys(names):
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        # Python 3.13 verifies strictly (VERIFY_X509_STRICT) and wants the AKI.
        .add_extension(aki, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    _write_key_and_cert(key, cert, key_path, cert_path)


# -- command line ---------------------------------------------------------------------


def parse_args(argv):
    """Parse the command line; see README.md for every flag."""
    parser = argparse.ArgumentParser(
        prog="palette_emulator.py",
        allow_abbrev=False,
        description="Local emulator of Palette's GET /v1/auth/org (loopback only).",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free one)")
    parser.add_argument("--bind", default="127.0.0.1", help="loopback address, e.g. ::1")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS, generated CA")
    parser.add_argument("--state-dir", help="where ca.pem, the log and the ready file go")
    parser.add_argument("--ca-dir", help="where the CAs live, shared between emulators")
    parser.add_argument(
        "--remove-state-dir", action="store_true", help="delete the state directory on exit"
    )
    parser.add_argument("--orgs", help="fixtures file instead of fixtures/orgs.json")
    parser.add_argument(
        "--require-auth",
        action="store_true",
        help="answer 401 unless the ApiKey header equals --api-key",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("PALETTE_EMULATOR_API_KEY"),
        help="key for --require-auth (env PALETTE_EMULATOR_API_KEY)",
    )
    parser.add_argument(
        "--echo-key-in-errors",
        action="store_true",
        help="repeat the received ApiKey in error messages",
    )
    parser.add_argument(
        "--case-sensitive", action="store_true", help="match orgName case-sensitively"
    )
    parser.add_argument("--latency", type=float, help="seconds to wait before every answer")
    parser.add_argument(
        "--fault", help='JSON: one override, or {"default": ..., "sequence": [...]}'
    )
    parser.add_argument(
        "--lifetime",
        type=float,
        default=600.0,
        help="stop after this many seconds (0: never); default 600",
    )
    parser.add_argument("--ready-file", help="write the ready JSON here once listening")
    parser.add_argument(
        "--background",
        action="store_true",
        help="start a detached emulator, print its ready JSON, exit",
    )
    parser.add_argument(
        "--stop", action="store_true", help="stop the emulator named by --ready-file"
    )
    args = parser.parse_args(argv)

    if args.stop and not args.ready_file:
        parser.error("--stop needs --ready-file")
    if args.require_auth and not args.api_key:
        parser.error("--require-auth needs --api-key (or PALETTE_EMULATOR_API_KEY)")
    return args


def initial_faults(args):
    """Turn --fault and --latency into (default, sequence)."""
    spec = json.loads(args.fault) if args.fault else {}
    if not isinstance(spec, dict):
        raise ValueError("--fault must be a JSON object")
    if set(spec) and set(spec) <= {"default", "sequence"}:
        default, sequence = spec.get("default"), spec.get("sequence")
    else:
        default, sequence = spec or None, None

    if args.latency:
        default = dict(default or {})
        default.setdefault("latency", args.latency)
    return default, sequence


def write_json_atomically(path, data):
    """Write JSON through a temporary file and a rename, so readers never see half."""
    temp = "%s.%d.tmp" % (path, os.getpid())
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(temp, path)


def read_json(path):
    """Return the JSON in ``path``, or None if it is missing or not yet complete."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def run_foreground(args):
    """Serve until SIGTERM, SIGINT, /_emulator/shutdown or the lifetime ends."""
    default, sequence = initial_faults(args)
    emulator = Emulator(
        port=args.port,
        tls=args.tls,
        bind=args.bind,
        state_dir=args.state_dir,
        orgs_file=args.orgs,
        require_auth=args.require_auth,
        api_key=args.api_key,
        echo_key_in_errors=args.echo_key_in_errors,
        case_sensitive=args.case_sensitive,
        lifetime=args.lifetime,
        ca_dir=args.ca_dir,
        access_log=sys.stderr,
    )
    emulator.set_faults(default, sequence)

    # Signal handlers only set a flag; the main loop below does the stopping.
    stop_requested = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, frame: stop_requested.set())

    emulator.start()
    ready = {
        "url": emulator.url,
        "host_port": emulator.host_port,
        "port": emulator.port,
        "ca_path": emulator.ca_path,
        "wrong_ca_path": emulator.wrong_ca_path,
        "pid": os.getpid(),
        "state_dir": emulator.state_dir,
    }
    if args.ready_file:
        write_json_atomically(args.ready_file, ready)
    sys.stderr.write("palette emulator on %s, pid %d\n" % (emulator.url, os.getpid()))
    sys.stderr.flush()

    while not emulator.wait(0.2):
        if stop_requested.is_set():
            emulator.stop()

    # The ready file exists only while its emulator runs.
    if args.ready_file and (read_json(args.ready_file) or {}).get("pid") == os.getpid():
        os.remove(args.ready_file)
    if args.remove_state_dir and emulator.state_dir:
        shutil.rmtree(emulator.state_dir, ignore_errors=True)
    sys.stderr.write("palette emulator stopped\n")
    return 0


def run_background(argv, args):
    """Start a detached emulator, wait for its ready file, print it; 0 on success."""
    state_dir = args.state_dir or tempfile.mkdtemp(prefix="palette-emulator-")
    os.makedirs(state_dir, exist_ok=True)
    ready_file = args.ready_file or os.path.join(state_dir, "ready.json")
    if os.path.exists(ready_file):
        os.remove(ready_file)

    child_argv = [arg for arg in argv if arg != "--background"]
    if not args.state_dir:
        child_argv += ["--state-dir", state_dir, "--remove-state-dir"]
    if not args.ready_file:
        child_argv += ["--ready-file", ready_file]
    log_path = os.path.join(state_dir, "emulator.log")

    # A new session keeps the emulator alive when the calling shell or make exits.
    with open(log_path, "ab") as log, open(os.devnull, "rb") as devnull:
        child = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__)] + child_argv,
            stdin=devnull,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        ready = read_json(ready_file)
        if ready and ready.get("pid") == child.pid:
            sys.stdout.write(json.dumps(ready) + "\n")
            return 0
        if child.poll() is not None:
            break
        time.sleep(0.05)

    if child.poll() is None:
        child.terminate()
        child.wait(5)
    sys.stderr.write(
        "palette emulator did not start (exit %s); log %s:\n%s"
        % (child.returncode, log_path, log_tail(log_path))
    )
    if not args.state_dir:
        shutil.rmtree(state_dir, ignore_errors=True)
    return 1


def log_tail(path, lines=20):
    """The last lines of a log file, or a note that it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except OSError as error:
        return "(cannot read log: %s)\n" % error


def process_alive(pid):
    """True if ``pid`` runs and is not a zombie waiting for a parent to reap it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def is_emulator(pid):
    """Check the command line of ``pid``, so a stale ready file never kills a stranger."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return b"palette_emulator" in handle.read()
    except OSError:
        # No /proc (macOS): trust the ready file.
        return True


def wait_gone(pid, seconds):
    """Wait up to ``seconds`` for ``pid`` to exit; True if it did."""
    deadline = time.monotonic() + seconds
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def run_stop(args):
    """Stop the emulator named by the ready file; 0 if it stopped or was not running."""
    ready = read_json(args.ready_file)
    if not ready:
        return 0
    pid = ready.get("pid")

    if isinstance(pid, int) and process_alive(pid) and is_emulator(pid):
        if not (request_shutdown(ready) and wait_gone(pid, 10)):
            os.kill(pid, signal.SIGTERM)
            if not wait_gone(pid, 10):
                sys.stderr.write("palette emulator pid %d did not stop\n" % pid)
                return 1

    if os.path.exists(args.ready_file):
        os.remove(args.ready_file)
    return 0


def request_shutdown(ready):
    """Ask the emulator to stop through its admin API; True if it agreed."""
    context = None
    if ready.get("url", "").startswith("https:"):
        try:
            context = ssl.create_default_context(cafile=ready.get("ca_path"))
        except (OSError, ssl.SSLError):
            return False
    # An empty ProxyHandler: proxy variables in the environment must not catch loopback.
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    url = ready["url"] + ADMIN_PREFIX + "/shutdown"
    request = urllib.request.Request(url, method="POST")
    try:
        with opener.open(request, timeout=5) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def main(argv=None):
    """Entry point of the command line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    try:
        if args.stop:
            return run_stop(args)
        if args.background:
            return run_background(argv, args)
        return run_foreground(args)
    except (OSError, ValueError) as error:
        sys.stderr.write("palette_emulator: %s\n" % error)
        return 2


if __name__ == "__main__":
    sys.exit(main())
