"""Click every link of a page in headless Chromium and count the script dialogs it opens.

usage: click_links.py URL [--timeout SECONDS]

Drives Chromium over the DevTools protocol on --remote-debugging-pipe (the browser reads
commands from fd 3 and writes answers to fd 4, one JSON message per NUL), so no
websocket library is needed. Every link is clicked with real mouse events at the centre
of its box (which also fires mouseover), on a fresh load of URL each time, since a click
navigates. An alert(), confirm() or prompt() is dismissed and counted.

The browser reaches nothing but 127.0.0.1: host names do not resolve, the proxy is a
dead port on 127.0.0.1, and every request the page makes to another host is failed
before it is sent (Fetch interception) and counted as refused.

Exits 0 when at least one link was clicked and no dialog opened; 1 otherwise; 2 when
the browser did not answer in time.
"""

import argparse
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

LINKS = "a[href], area[href]"

# A new page, a popup or a frame is paused until it is set up like the first page.
AUTO_ATTACH = {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}


class BrowserTimeout(Exception):
    pass


def chromium_argv(profile):
    return [
        shutil.which("chromium") or "chromium",
        "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
        "--user-data-dir=" + profile,
        # Nothing may leave 127.0.0.1: no name resolves, and a proxy nobody runs.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-domain-reliability", "--disable-quic", "--no-first-run",
        "--no-default-browser-check", "--metrics-recording-only", "--mute-audio",
        "--window-size=900,900",
        "about:blank",
    ]


class Browser:
    """A Chromium process and its DevTools pipe.

    Events go to on_event as they arrive, also while call() waits for an answer: the
    browser may hold the answer until an event is dealt with (a paused request, a
    dialog). on_event must not call(), only post().
    """

    def __init__(self, profile, on_event):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Out of the way of 3 and 4, which the child gets below.
        low = [to_browser_r, from_browser_w]
        to_browser_r, from_browser_w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in low)
        for fd in low:
            os.close(fd)

        def wire_pipe():  # in the child: dup2 clears close-on-exec on 3 and 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            chromium_argv(profile), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(3, 4), preexec_fn=wire_pipe,
            start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)

        self._buffer = b""
        self._next_id = 0
        self._answers = {}
        self.on_event = on_event

    def post(self, method, params=None, session=None):
        """Send a command without waiting for its answer; return its id."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next_id

    def call(self, method, params=None, session=None, timeout=10):
        """Send a command and return its result; raise RuntimeError on a protocol error."""
        command_id = self.post(method, params, session)
        deadline = time.monotonic() + timeout
        while command_id not in self._answers:
            self.pump(deadline - time.monotonic())
            if command_id not in self._answers and time.monotonic() >= deadline:
                raise BrowserTimeout("no answer to " + method)
        answer = self._answers.pop(command_id)
        if "error" in answer:
            raise RuntimeError("%s: %s" % (method, answer["error"].get("message")))
        return answer.get("result", {})

    def pump(self, seconds):
        """Read what the browser sends within `seconds`; return whether anything came."""
        ready = select.select([self._from_browser], [], [], max(seconds, 0))[0]
        if not ready:
            return False
        chunk = os.read(self._from_browser, 1 << 20)
        if not chunk:
            raise BrowserTimeout("the browser closed its DevTools pipe")
        self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        for raw in messages:
            message = json.loads(raw)
            if "id" in message:
                self._answers[message["id"]] = message
            else:
                self.on_event(message["method"], message.get("params", {}),
                              message.get("sessionId"))
        return True

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


class Clicker:
    """Loads the page, clicks its links, and keeps the counts."""

    def __init__(self, url):
        self.browser = None
        self.url = url
        self.page = None          # the session of the first page
        self.loaded = False
        self.dialogs = []
        self.allowed = 0
        self.refused = []
        self.extra_targets = []

    def handle_event(self, method, params, session):
        post = self.browser.post
        if method == "Target.attachedToTarget":
            child = params["sessionId"]
            kind = params["targetInfo"]["type"]
            if kind in ("page", "iframe"):
                if self.page is None and kind == "page":
                    self.page = child
                else:
                    self.extra_targets.append(params["targetInfo"].get("url") or kind)
                post("Target.setAutoAttach", AUTO_ATTACH, child)
                post("Page.enable", session=child)
                post("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, child)
            post("Runtime.runIfWaitingForDebugger", session=child)
        elif method == "Fetch.requestPaused":
            url = params["request"]["url"]
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1":
                self.allowed += 1
                post("Fetch.continueRequest", {"requestId": params["requestId"]}, session)
            else:
                self.refused.append(url)
                post("Fetch.failRequest",
                     {"requestId": params["requestId"], "errorReason": "BlockedByClient"}, session)
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append("%s(%r) on %s" % (params["type"], params["message"], params["url"]))
            post("Page.handleJavaScriptDialog", {"accept": False}, session)
        elif method == "Page.loadEventFired" and session == self.page:
            self.loaded = True

    def settle(self, quiet=0.3, longest=3.0):
        """Serve events until none came for `quiet` seconds (or `longest` passed)."""
        deadline = time.monotonic() + longest
        last = time.monotonic()
        while time.monotonic() < min(deadline, last + quiet):
            if self.browser.pump(min(deadline, last + quiet) - time.monotonic()):
                last = time.monotonic()

    def call(self, method, params=None):
        """A command on the page."""
        return self.browser.call(method, params, self.page)

    def start(self, browser):
        """Attach to the browser's first page (and to every page, popup or frame after it)."""
        self.browser = browser
        browser.call("Target.setAutoAttach", AUTO_ATTACH)
        deadline = time.monotonic() + 10
        while self.page is None:
            if time.monotonic() >= deadline:
                raise BrowserTimeout("no page target attached")
            browser.pump(deadline - time.monotonic())
        self.settle(quiet=0.1)

    def load(self):
        """Load the page afresh; return the links' node ids."""
        self.loaded = False
        self.call("Page.navigate", {"url": self.url})
        deadline = time.monotonic() + 10
        while not self.loaded:
            if time.monotonic() >= deadline:
                raise BrowserTimeout("the page did not load")
            self.browser.pump(deadline - time.monotonic())
        root = self.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        return self.call("DOM.querySelectorAll", {"nodeId": root, "selector": LINKS})["nodeIds"]

    def click(self, node):
        """Click the link like a user: move onto it, press, release. Return its href."""
        attributes = self.call("DOM.getAttributes", {"nodeId": node})["attributes"]
        href = dict(zip(attributes[::2], attributes[1::2])).get("href")
        try:
            self.call("DOM.scrollIntoViewIfNeeded", {"nodeId": node})
            quad = self.call("DOM.getBoxModel", {"nodeId": node})["model"]["border"]
        except RuntimeError:   # not rendered: no box a user could click, so click() it
            target = self.call("DOM.resolveNode", {"nodeId": node})["object"]["objectId"]
            self.call("Runtime.callFunctionOn",
                      {"objectId": target, "functionDeclaration": "function () { this.click(); }"})
            return href
        x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})
        return href


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=45,
                        help="give up (exit 2) after this many seconds in all")
    args = parser.parse_args()

    def give_up(*_):
        raise BrowserTimeout("gave up after %s s" % args.timeout)

    signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, args.timeout)

    with tempfile.TemporaryDirectory(prefix="click-links-") as profile:
        clicker = Clicker(args.url)
        browser = Browser(profile, clicker.handle_event)
        try:
            clicker.start(browser)
            count = len(clicker.load())
            clicked = []
            for index in range(count):
                nodes = clicker.load()
                clicked.append(clicker.click(nodes[index]))
                clicker.settle()
            clicker.settle(quiet=0.1)
        except BrowserTimeout as exc:
            print("click_links: %s" % exc, file=sys.stderr)
            return 2
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            browser.close()

    for href in clicked:
        print("click_links: clicked %r" % href)
    for url in sorted(set(clicker.refused)):
        print("click_links: refused a request to %s" % url)
    for dialog in clicker.dialogs:
        print("click_links: DIALOG %s" % dialog)
    print("click_links: %d links clicked, %d dialogs, %d requests to 127.0.0.1, "
          "%d refused (not 127.0.0.1), %d other windows or frames"
          % (len(clicked), len(clicker.dialogs), clicker.allowed, len(clicker.refused),
             len(clicker.extra_targets)))
    return 0 if clicked and not clicker.dialogs else 1


if __name__ == "__main__":
    sys.exit(main())
