# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Internal to this collection: an on-disk answer cache shared by controller processes.

Ansible runs each task for each host in a forked worker, so a lookup cannot share an
answer through memory. FileCache lets those workers, and parallel runs, share one
answer through small files instead:

- an entry is written to a temporary file in the same directory and renamed over the
  old one, so a reader sees either the old or the new entry, never half of one;
- one lock per entry, held with flock() across the fetch, makes concurrent workers
  wait for the first one instead of all asking the server; the kernel drops the lock
  when its holder dies, so a killed worker cannot block the others;
- files are 0600 and the directory 0700, and anything not owned by the current user,
  or writable by others, is ignored, so another account cannot plant an answer;
- an entry that is unreadable, corrupt, expired or foreign is a miss, never an error.

The cache key is a digest: the API key is never written, not even inside a name.
Nothing here imports Ansible, so the unit tests use it directly.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import hashlib
import json
import os
import stat
import tempfile
import time

# Bump when the entry format or the key recipe changes: old entries then miss.
FORMAT = 1

# An entry holds one short answer; a bigger file is not one of ours.
MAX_ENTRY_BYTES = 1024 * 1024

# A temporary file older than this was left by a writer that died mid-write.
STALE_TEMP_SECONDS = 60.0

# An entry stamped later than now by more than this is from a wrong clock: a miss.
CLOCK_SKEW_SECONDS = 5.0

# How often a waiting worker tries the lock again.
LOCK_POLL_SECONDS = 0.02


def digest(value):
    """Return the sha256 hex digest of a string (UTF-8) or bytes."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    return hashlib.sha256(value).hexdigest()


def answer_key(options, org_name):
    """Return the cache key for ``org_name`` asked with ``options``, or None.

    The key covers everything that can change the answer: where the request goes,
    which org it names, how the server is trusted (the CA file by its content, so an
    edited bundle is a new key), the proxies, and who asks (the API key, digested).
    None means the CA file cannot be read: such a call is not cached.
    """
    verify = options.verify
    if isinstance(verify, str):
        try:
            with open(verify, "rb") as ca_file:
                verify = {"ca_sha256": digest(ca_file.read())}
        except OSError:
            return None

    proxies = options.proxies
    if proxies is not None:
        proxies = sorted(proxies.items())

    parts = {
        "format": FORMAT,
        "base_url": options.base_url,
        "org_name": org_name,
        "verify": verify,
        "proxies": proxies,
        "api_key_sha256": digest(options.api_key) if options.api_key else None,
    }
    return digest(json.dumps(parts, sort_keys=True, separators=(",", ":")))


class FileCache:
    """A directory of JSON entries, each valid for ``ttl`` seconds after it was written.

    ``ttl`` of 0 (or less) turns the cache off: get_or_fetch() then only calls fetch.
    ``wait`` bounds how long a worker waits for another one's fetch before it asks
    the server itself. ``warn`` receives a message when the directory is unusable.
    """

    def __init__(self, directory, ttl, wait, warn=None, clock=time.time):
        self.directory = directory
        self.ttl = ttl
        self.wait = wait
        self._warn = warn or (lambda message: None)
        self._clock = clock
        self._usable = None

    def get_or_fetch(self, key, fetch):
        """Return the fresh entry for ``key``, or fetch(), stored when it succeeds."""
        if self.ttl <= 0 or key is None or not self._directory_usable():
            return fetch()

        # Entries are replaced whole, so reading without the lock is safe and keeps
        # the common case, a hit, free of any waiting.
        found, value = self._read(key)
        if found:
            return value

        lock = self._lock(key)
        try:
            # While this worker waited, the lock's holder may have stored the answer.
            found, value = self._read(key)
            if found:
                return value
            value = fetch()
            self._write(key, value)
            return value
        finally:
            if lock is not None:
                os.close(lock)

    def _path(self, key, suffix):
        return os.path.join(self.directory, key + suffix)

    def _directory_usable(self):
        """Create the directory if needed; refuse it when another user could write it."""
        if self._usable is None:
            problem = _check_directory(self.directory)
            self._usable = problem is None
            if problem:
                self._warn(
                    "the lookup cache is off for this call: %s %s. Set cache_dir to a "
                    "directory only you can write, or cache_ttl to 0." % (self.directory, problem)
                )
        return self._usable

    def _read(self, key):
        """Return (True, value) for a fresh, well-formed entry, else (False, None)."""
        try:
            fd = os.open(
                self._path(key, ".json"),
                os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
            )
        except OSError:
            return False, None

        try:
            entry_file = os.fdopen(fd, "rb")
        except OSError:
            # A directory in the entry's place: fdopen refuses it, even for root.
            os.close(fd)
            return False, None

        # The file object owns the descriptor from here on and closes it on every path.
        with entry_file:
            try:
                info = os.fstat(entry_file.fileno())
                if not _private_file(info) or info.st_size > MAX_ENTRY_BYTES:
                    return False, None
                entry = json.loads(entry_file.read(MAX_ENTRY_BYTES + 1).decode("utf-8"))
            except (OSError, ValueError, RecursionError):
                return False, None

        if not isinstance(entry, dict) or "value" not in entry:
            return False, None
        stored_at = entry.get("stored_at")
        if entry.get("format") != FORMAT or entry.get("key") != key:
            return False, None
        if isinstance(stored_at, bool) or not isinstance(stored_at, (int, float)):
            return False, None
        age = self._clock() - stored_at
        if not -CLOCK_SKEW_SECONDS <= age < self.ttl:
            return False, None
        # Only text is ever stored; anything else was not written by this cache.
        if not isinstance(entry["value"], str):
            return False, None
        return True, entry["value"]

    def _lock(self, key):
        """Wait up to ``wait`` seconds for the entry's lock; return its fd or None.

        None means the caller goes on without the lock: the holder is stuck, or the
        file system has no flock(). Asking the server is then better than failing.
        """
        try:
            fd = os.open(
                self._path(key, ".lock"),
                os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
            )
        except OSError:
            return None
        if not _private_file(os.fstat(fd)):
            os.close(fd)
            return None

        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except OSError as exc:
                busy = exc.errno in (errno.EAGAIN, errno.EACCES)
                if not busy or time.monotonic() > deadline:
                    os.close(fd)
                    return None
            time.sleep(LOCK_POLL_SECONDS)

    def _write(self, key, value):
        """Store ``value`` under ``key`` atomically; a failure only costs the caching."""
        self._remove_stale_temps(key)
        entry = {"format": FORMAT, "key": key, "stored_at": self._clock(), "value": value}
        data = json.dumps(entry, separators=(",", ":")).encode("utf-8")

        try:
            fd, temp = tempfile.mkstemp(prefix="." + key + ".", suffix=".tmp", dir=self.directory)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as temp_file:
                # mkstemp asks for 0600 already; an odd umask could have left less.
                os.fchmod(temp_file.fileno(), 0o600)
                temp_file.write(data)
            # No fsync: after a crash a short or empty entry is only a miss.
            os.replace(temp, self._path(key, ".json"))
        except OSError:
            _unlink(temp)

    def _remove_stale_temps(self, key):
        # A writer killed between mkstemp and replace leaves its temporary file;
        # the lock holder clears those of its own key once they are clearly stale.
        now = time.time()
        pattern = os.path.join(glob.escape(self.directory), "." + key + ".*.tmp")
        for temp in glob.glob(pattern):
            try:
                if now - os.lstat(temp).st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(temp)
            except OSError:
                pass


def _check_directory(path):
    """Make ``path`` (0700) if it is missing; return what is wrong with it, or None."""
    try:
        _make_private_dirs(path)
        info = os.lstat(path)
    except OSError as exc:
        return "cannot be created or read (%s)" % (exc.strerror or exc)

    if not stat.S_ISDIR(info.st_mode):
        return "is not a directory"
    if info.st_uid != os.getuid():
        return "belongs to another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "can be written by other users"
    return None


def _make_private_dirs(path):
    """Like os.makedirs, but every directory it creates is 0700 whatever the umask."""
    if os.path.lexists(path):
        return
    parent = os.path.dirname(os.path.abspath(path))
    if parent != os.path.abspath(path):
        _make_private_dirs(parent)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        # Another worker made it first; _check_directory() still checks whose it is.
        return
    os.chmod(path, 0o700)


def _private_file(info):
    """True for a regular file of the current user that nobody else can read or write."""
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    )


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass
