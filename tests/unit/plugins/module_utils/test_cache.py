# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lookup's file cache: what its key covers, what it writes, how workers share it."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import signal
import stat
import time

import pytest

from ansible_collections.spectrocloud.palette.plugins.module_utils import _cache
from ansible_collections.spectrocloud.palette.plugins.module_utils._cache import (
    FileCache,
    answer_key,
    digest,
)
from ansible_collections.spectrocloud.palette.plugins.module_utils._client import (
    PaletteClient,
)
from ansible_collections.spectrocloud.palette.plugins.module_utils._options import (
    ConnectionOptions,
)
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import API_KEY

URL = "https://demo-org.sso.example.test/login"
ACME_URL = "https://acme.console.spectrocloud.com"


def options(**params):
    values = {"host": "palette.example.test", "validate_certs": True, "timeout": 5.0,
              "retries": 0, "use_proxy": True}
    values.update(params)
    return ConnectionOptions.from_params(values)


class Fetch:
    """A fetch function that counts its calls and returns ``value``."""

    def __init__(self, value=URL):
        self.value = value
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.value


def cache_in(tmp_path, ttl=60, wait=5.0, warnings=None):
    return FileCache(str(tmp_path / "cache"), ttl, wait,
                     warn=None if warnings is None else warnings.append)


def everything_in(directory):
    """The names and contents of every file in ``directory``, as bytes."""
    data = b""
    for name in sorted(os.listdir(directory)):
        data += name.encode() + b"\0"
        with open(os.path.join(directory, name), "rb") as handle:
            data += handle.read() + b"\0"
    return data


def test_a_stored_answer_is_returned_without_fetching_again(tmp_path):
    fetch = Fetch()
    assert cache_in(tmp_path).get_or_fetch("k1", fetch) == URL
    assert cache_in(tmp_path).get_or_fetch("k1", Fetch("other")) == URL
    assert fetch.calls == 1


def test_ttl_zero_only_fetches_and_writes_nothing(tmp_path):
    fetch = Fetch()
    cache = cache_in(tmp_path, ttl=0)
    assert [cache.get_or_fetch("k1", fetch) for _index in range(3)] == [URL] * 3
    assert fetch.calls == 3
    assert not (tmp_path / "cache").exists()


def test_an_empty_string_answer_is_cached_as_such(tmp_path):
    cache_in(tmp_path).get_or_fetch("k1", Fetch(""))
    fetch = Fetch()
    assert cache_in(tmp_path).get_or_fetch("k1", fetch) == ""
    assert fetch.calls == 0


def test_an_expired_entry_is_fetched_again(tmp_path):
    now = [1000.0]
    first = FileCache(str(tmp_path), 30, 5.0, clock=lambda: now[0])
    first.get_or_fetch("k1", Fetch("old"))
    now[0] += 29.9
    assert first.get_or_fetch("k1", Fetch("new")) == "old"
    now[0] += 0.1
    assert first.get_or_fetch("k1", Fetch("new")) == "new"


def test_an_entry_stamped_in_the_future_is_a_miss(tmp_path):
    now = [1000.0]
    cache = FileCache(str(tmp_path), 30, 5.0, clock=lambda: now[0])
    cache.get_or_fetch("k1", Fetch("from the future"))
    now[0] -= 3600
    assert cache.get_or_fetch("k1", Fetch("now")) == "now"


def test_a_failed_fetch_stores_nothing_and_the_next_call_fetches(tmp_path):
    def failing():
        raise RuntimeError("server error")

    with pytest.raises(RuntimeError):
        cache_in(tmp_path).get_or_fetch("k1", failing)
    assert not list((tmp_path / "cache").glob("*.json"))
    fetch = Fetch()
    assert cache_in(tmp_path).get_or_fetch("k1", fetch) == URL
    assert fetch.calls == 1


@pytest.mark.parametrize("content", [
    b"",
    b'{"redirectUrl": "https://demo-org.sso',
    b"\xff\xfe\x00",
    b"[]",
    b'{"format": 1, "key": "k1", "stored_at": "yesterday", "value": "x"}',
    b'{"format": 1, "key": "another-key", "stored_at": 1e12, "value": "x"}',
    b'{"format": 99, "key": "k1", "stored_at": 1e12, "value": "x"}',
    b'{"format": 1, "key": "k1", "stored_at": 1e12}',
    b"[" * 100000,
])
def test_a_corrupt_truncated_or_empty_entry_is_a_miss_then_replaced(tmp_path, content):
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    entry = directory / "k1.json"
    entry.write_bytes(content)
    entry.chmod(0o600)

    fetch = Fetch()
    assert cache_in(tmp_path).get_or_fetch("k1", fetch) == URL
    assert fetch.calls == 1
    stored = json.loads(entry.read_bytes())
    assert stored["value"] == URL and stored["key"] == "k1"
    assert cache_in(tmp_path).get_or_fetch("k1", Fetch("other")) == URL


def test_an_oversized_entry_is_a_miss(tmp_path):
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    entry = {"format": 1, "key": "k1", "stored_at": time.time(), "value": "x" * (2 << 20)}
    (directory / "k1.json").write_text(json.dumps(entry))
    (directory / "k1.json").chmod(0o600)
    assert cache_in(tmp_path).get_or_fetch("k1", Fetch()) == URL


def test_an_unreadable_entry_is_a_miss_not_an_error(tmp_path):
    cache_in(tmp_path).get_or_fetch("k1", Fetch("old"))
    entry = tmp_path / "cache" / "k1.json"
    entry.unlink()
    # A directory in the entry's place cannot be read (or replaced), even by root, for
    # whom a mode of 000 would not make a file unreadable.
    entry.mkdir(mode=0o700)
    assert cache_in(tmp_path).get_or_fetch("k1", Fetch("new")) == "new"
    assert cache_in(tmp_path).get_or_fetch("k1", Fetch("newer")) == "newer"


def test_an_entry_others_can_read_or_write_is_ignored(tmp_path):
    cache_in(tmp_path).get_or_fetch("k1", Fetch("planted"))
    os.chmod(tmp_path / "cache" / "k1.json", 0o666)
    fetch = Fetch()
    assert cache_in(tmp_path).get_or_fetch("k1", fetch) == URL
    assert fetch.calls == 1
    assert stat.S_IMODE(os.stat(tmp_path / "cache" / "k1.json").st_mode) == 0o600


def test_a_symlinked_entry_is_not_followed(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"format": 1, "key": "k1", "stored_at": time.time(),
                                  "value": "planted"}))
    target.chmod(0o600)
    (tmp_path / "cache").mkdir(mode=0o700)
    os.symlink(target, tmp_path / "cache" / "k1.json")
    assert cache_in(tmp_path).get_or_fetch("k1", Fetch()) == URL
    assert json.loads(target.read_text())["value"] == "planted"


def test_files_are_0600_and_the_directory_0700_even_under_umask_000(tmp_path):
    previous = os.umask(0)
    try:
        cache_in(tmp_path / "a" / "b").get_or_fetch("k1", Fetch())
    finally:
        os.umask(previous)

    for directory in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "cache"):
        info = os.lstat(directory)
        assert stat.S_IMODE(info.st_mode) == 0o700, directory
        assert info.st_uid == os.getuid()
    names = sorted(os.listdir(tmp_path / "a" / "b" / "cache"))
    assert names == ["k1.json", "k1.lock"]
    for name in names:
        info = os.lstat(tmp_path / "a" / "b" / "cache" / name)
        assert stat.S_IMODE(info.st_mode) == 0o600, name
        assert info.st_uid == os.getuid()


@pytest.mark.parametrize("mode", [0o770, 0o777, 0o722])
def test_a_directory_others_can_write_is_not_used(tmp_path, mode):
    (tmp_path / "cache").mkdir()
    os.chmod(tmp_path / "cache", mode)
    warnings, fetch = [], Fetch()
    cache = cache_in(tmp_path, warnings=warnings)
    assert [cache.get_or_fetch("k1", fetch) for _index in range(2)] == [URL, URL]
    assert fetch.calls == 2
    assert os.listdir(tmp_path / "cache") == []
    assert warnings == [
        "the lookup cache is off for this call: %s can be written by other users. "
        "Set cache_dir to a directory only you can write, or cache_ttl to 0."
        % (tmp_path / "cache")
    ]


def test_a_directory_of_another_user_is_not_used(tmp_path):
    if os.getuid() != 0:
        pytest.skip("only root can give a directory to another user")
    (tmp_path / "cache").mkdir(mode=0o700)
    os.chown(tmp_path / "cache", 65534, 65534)
    warnings, fetch = [], Fetch()
    cache_in(tmp_path, warnings=warnings).get_or_fetch("k1", fetch)
    assert fetch.calls == 1
    assert os.listdir(tmp_path / "cache") == []
    assert "belongs to another user" in warnings[0]


def test_a_symlink_or_file_as_the_directory_is_not_used(tmp_path):
    (tmp_path / "real").mkdir(mode=0o700)
    os.symlink(tmp_path / "real", tmp_path / "cache")
    warnings = []
    cache_in(tmp_path, warnings=warnings).get_or_fetch("k1", Fetch())
    assert os.listdir(tmp_path / "real") == []
    assert "is not a directory" in warnings[0]


def test_the_lock_wait_is_bounded_and_then_the_worker_fetches_itself(tmp_path):
    cache = cache_in(tmp_path, wait=0.3)
    cache.get_or_fetch("warm-up", Fetch())  # creates the directory
    fd = os.open(str(tmp_path / "cache" / "k1.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        # flock() locks belong to an open file, so this one blocks the cache's own.
        fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        fetch = Fetch()
        assert cache.get_or_fetch("k1", fetch) == URL
        waited = time.monotonic() - started
    finally:
        os.close(fd)
    assert fetch.calls == 1
    assert 0.3 <= waited < 2.0


def _hold_the_lock_and_hang(directory, started):
    def hang():
        # Like a writer killed mid-write: a temporary file exists, the entry does not.
        with open(os.path.join(directory, ".k1.abc.tmp"), "w") as temp:
            temp.write('{"format": 1, "ke')
        started.set()
        time.sleep(600)

    FileCache(directory, 60, 600.0).get_or_fetch("k1", hang)


def test_a_killed_lock_holder_releases_the_lock_and_its_leftovers_are_swept(tmp_path):
    directory = str(tmp_path / "cache")
    context = multiprocessing.get_context("fork")
    started = context.Event()
    holder = context.Process(target=_hold_the_lock_and_hang, args=(directory, started))
    holder.start()
    assert started.wait(30)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(30)

    # The leftover is old enough to be stale once its mtime is pushed back.
    old = time.time() - _cache.STALE_TEMP_SECONDS - 1
    os.utime(os.path.join(directory, ".k1.abc.tmp"), (old, old))
    started_at = time.monotonic()
    assert FileCache(directory, 60, 5.0).get_or_fetch("k1", Fetch()) == URL
    assert time.monotonic() - started_at < 2.0
    assert sorted(os.listdir(directory)) == ["k1.json", "k1.lock"]


def _fetch_through_the_cache(params, directory, results):
    made = ConnectionOptions.from_params(params)
    cache = FileCache(directory, 60, made.timeout + 2)
    key = answer_key(made, "acme")

    def fetch():
        return PaletteClient(made).fetch_org("acme")["redirect_url"]

    results.put(cache.get_or_fetch(key, fetch))


def test_processes_started_at_once_make_one_request_to_the_emulator(tmp_path, emulator):
    # Latency keeps the first request open while the other processes arrive.
    emulator.set_faults(default={"latency": 0.5})
    params = {"host": emulator.url, "ca_path": emulator.ca_path, "api_key": API_KEY,
              "validate_certs": True, "timeout": 10.0, "retries": 0, "use_proxy": False}
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=_fetch_through_the_cache,
                        args=(params, str(tmp_path / "cache"), results))
        for _index in range(8)
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=60) for _process in processes]
    for process in processes:
        process.join(30)

    assert answers == [ACME_URL] * 8
    assert emulator.count == 1
    assert API_KEY.encode() not in everything_in(tmp_path / "cache")


def _hammer(directory, seconds, results):
    """Read and rewrite one quickly expiring entry for ``seconds``; report what was seen."""
    seen, deadline = set(), time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            seen.add(FileCache(directory, 0.02, 5.0).get_or_fetch("k1", Fetch()))
    except Exception as exc:  # pylint: disable=broad-exception-caught
        seen.add(repr(exc))
    results.put(sorted(seen))


def test_entries_expiring_under_many_writers_are_never_read_torn(tmp_path):
    directory = str(tmp_path / "cache")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_hammer, args=(directory, 1.0, results))
               for _index in range(6)]
    for worker in workers:
        worker.start()
    seen = [results.get(timeout=60) for _worker in workers]
    for worker in workers:
        worker.join(30)

    assert seen == [[URL]] * 6
    assert sorted(os.listdir(directory)) == ["k1.json", "k1.lock"]


@pytest.mark.parametrize("change", [
    {"host": "sink.example.test"},
    {"host": "palette.example.test:8443"},
    {"api_key": API_KEY},
    {"api_key": "another-key"},
    {"validate_certs": False},
    {"proxy": "http://proxy.example.test:3128"},
    {"use_proxy": False},
])
def test_an_option_that_changes_the_answer_changes_the_key(change):
    assert answer_key(options(**change), "demo-org") != answer_key(options(), "demo-org")


def test_the_org_name_changes_the_key_exactly():
    names = ("demo-org", "Demo-org", " demo-org", "x")
    assert len({answer_key(options(), name) for name in names}) == 4


def test_timeout_and_retries_do_not_change_the_key():
    assert answer_key(options(timeout=1, retries=5), "demo-org") == (
        answer_key(options(), "demo-org")
    )


def pem(label):
    """A file the options accept as a CA bundle; the label makes each one different."""
    return "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % label


def test_the_ca_file_is_keyed_by_its_content(tmp_path):
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(pem("first CA"))
    first = answer_key(options(ca_path=str(ca_file)), "demo-org")
    ca_file.write_text(pem("second CA"))
    second = answer_key(options(ca_path=str(ca_file)), "demo-org")
    copy = tmp_path / "copy.pem"
    copy.write_text(pem("second CA"))
    assert first != second
    assert second == answer_key(options(ca_path=str(copy)), "demo-org")
    assert first != answer_key(options(), "demo-org")


def test_an_unreadable_ca_file_means_no_caching(tmp_path):
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(pem("CA"))
    made = options(ca_path=str(ca_file))
    ca_file.unlink()
    assert answer_key(made, "demo-org") is None
    fetch = Fetch()
    cache = cache_in(tmp_path)
    cache.get_or_fetch(None, fetch)
    cache.get_or_fetch(None, fetch)
    assert fetch.calls == 2


def test_entries_of_other_hosts_orgs_cas_or_keys_are_never_served(tmp_path):
    ca_a, ca_b = tmp_path / "a.pem", tmp_path / "b.pem"
    ca_a.write_text(pem("CA a"))
    ca_b.write_text(pem("CA b"))
    variants = [
        (options(ca_path=str(ca_a)), "demo-org"),
        (options(ca_path=str(ca_a)), "other-org"),
        (options(ca_path=str(ca_b)), "demo-org"),
        (options(ca_path=str(ca_a), host="sink.example.test"), "demo-org"),
        (options(ca_path=str(ca_a), api_key=API_KEY), "demo-org"),
        (options(ca_path=str(ca_a), api_key="another-key"), "demo-org"),
    ]
    for index, (made, org) in enumerate(variants):
        answer = "https://answer-%d.example.test" % index
        key = answer_key(made, org)
        assert cache_in(tmp_path).get_or_fetch(key, Fetch(answer)) == answer
    assert len(list((tmp_path / "cache").glob("*.json"))) == len(variants)


def test_the_api_key_is_never_written_in_clear_or_as_its_plain_digest(tmp_path):
    made = options(api_key=API_KEY, proxy="http://user:pw-5e2b@proxy.example.test:3128")
    cache_in(tmp_path).get_or_fetch(answer_key(made, "demo-org"), Fetch())
    written = everything_in(tmp_path / "cache")
    for secret in (API_KEY, digest(API_KEY), "pw-5e2b"):
        assert secret.encode() not in written


def test_an_entry_whose_value_is_not_text_is_a_miss(tmp_path):
    cache_in(tmp_path).get_or_fetch("k1", Fetch("old"))
    entry = tmp_path / "cache" / "k1.json"
    stored = json.loads(entry.read_text())
    entry.write_text(json.dumps(dict(stored, value=5)))
    assert cache_in(tmp_path).get_or_fetch("k1", Fetch("new")) == "new"
