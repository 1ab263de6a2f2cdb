# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection against ansible.builtin.uri and the url lookup, measured in one run.

Run by tests/bench/bench.sh (make bench, make bench-smoke) with the project venv's
Python, against the collection installed under --collections and the Palette emulator,
which this script starts on 127.0.0.1 and stops again. Each figure is a count or a
ratio taken in this run, so that the load of the machine falls on both sides alike.
It writes results.json and results.md into --out and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EMULATOR = REPO / "tests" / "emulator" / "palette_emulator.py"
PLAYBOOKS = HERE / "playbooks"
MIB = 1024 * 1024

# The full run, and the smoke that make test runs so that this script cannot rot.
PRESETS = {
    "full": {
        "rounds": 12,  # item 1: each round is module, uri, uri, module
        "refs": 1000,  # item 2
        "hosts": 50,  # item 3
        "many_runs": 3,  # item 3: runs of each approach, interleaved
        "role_hosts": 50,  # item 4
        "forks": 10,  # items 3 and 4
        "retry_runs": 3,  # item 5: runs of the two-429 case
        "retry_after": 1,  # item 5: Retry-After of the two 429s
        "always_retry_after": 10,  # item 5: Retry-After of a server that always says 429
        "always_retries": 3,  # item 5: the client's retries against it (the default)
        "rss_runs": 3,  # item 6: runs of each approach, interleaved
    },
    "smoke": {
        "rounds": 1,
        "refs": 10,
        "hosts": 3,
        "many_runs": 1,
        "role_hosts": 1,
        "forks": 3,
        "retry_runs": 1,
        "retry_after": 1,
        "always_retry_after": 1,
        "always_retries": 1,
        "rss_runs": 1,
    },
}


class Emulator:
    """The Palette emulator in the background, over TLS, with its admin API."""

    def __init__(self, work):
        self.state = work / "emulator"
        self.ready = work / "emulator.json"
        subprocess.run(
            [sys.executable, str(EMULATOR), "--background", "--tls", "--lifetime", "1200",
             "--state-dir", str(self.state), "--ready-file", str(self.ready)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        info = json.loads(self.ready.read_text())
        self.url = info["url"]
        self.ca_path = info["ca_path"]
        self._context = ssl.create_default_context(cafile=self.ca_path)

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method=method)
        with urllib.request.urlopen(request, context=self._context, timeout=10) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def count(self):
        return self.admin("GET", "count")["count"]

    def clear(self):
        self.admin("DELETE", "requests")
        self.admin("DELETE", "faults")

    def stop(self):
        subprocess.run(
            [sys.executable, str(EMULATOR), "--stop", "--ready-file", str(self.ready)],
            check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip


class Runner:
    """Runs the benchmark's playbooks with one environment and collects their timings."""

    def __init__(self, args, work, emulator):
        self.work = work
        self.emulator = emulator
        self.log = work / "ansible.log"
        self.python = sys.executable
        env = dict(os.environ)
        # Python saves no .pyc files with this set, and every process would recompile
        # requests and ansible-core: a user's machine does not run that way.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(args.collections),
            ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="bench_timer",
            ANSIBLE_LOCAL_TEMP=str(work / "tmp"),
            ANSIBLE_REMOTE_TMP=str(work / "tmp"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_DEPRECATION_WARNINGS="false",
        )
        self.env = env

    def inventory(self, hosts):
        path = self.work / ("inventory-%d.ini" % hosts)
        if not path.exists():
            lines = ["[bench]"]
            lines += [
                "h%02d ansible_connection=local ansible_python_interpreter=%s" % (i, self.python)
                for i in range(1, hosts + 1)
            ]
            path.write_text("\n".join(lines) + "\n")
        return path

    def play(self, playbook, hosts=1, forks=5, settings=None, **extra):
        """Run one playbook; return its timing records (tasks, then the plays' total).

        ``settings`` are extra ANSIBLE_* environment variables; ``extra`` are extra vars.
        """
        timings = self.work / "timings.jsonl"
        timings.unlink(missing_ok=True)
        variables = {
            "emulator_url": self.emulator.url,
            "emulator_ca": self.emulator.ca_path,
            **extra,
        }
        command = [
            str(Path(self.python).parent / "ansible-playbook"),
            "-i", str(self.inventory(hosts)),
            "--forks", str(forks),
            "-e", json.dumps(variables),
            str(PLAYBOOKS / playbook),
        ]  # fmt: skip
        env = dict(self.env, BENCH_TIMER_FILE=str(timings), **(settings or {}))
        with open(self.log, "a", encoding="utf-8") as log:
            log.write("\n### %s %s\n" % (playbook, json.dumps(extra)))
            log.flush()
            status = subprocess.run(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if status.returncode != 0:
            raise RuntimeError(
                "%s failed (exit %d); see %s" % (playbook, status.returncode, self.log)
            )
        return [json.loads(line) for line in timings.read_text().splitlines()]


def spread(values):
    """Median, quartiles, extremes and count of a list of seconds."""
    values = sorted(values)
    if len(values) >= 2:
        q1, _median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return {
        "n": len(values),
        "median": statistics.median(values),
        "q1": q1,
        "q3": q3,
        "min": values[0],
        "max": values[-1],
        "values": values,
    }


def measure_task_time(runner, preset):
    """Item 1: one palette_org_info task against one equivalent uri task."""
    # One more round than asked: its tasks pay for building each AnsiballZ payload
    # and are left out.
    records = runner.play("task_time.yml", rounds=preset["rounds"] + 1)
    names = {"Time palette_org_info": "module", "Time uri": "uri"}
    tasks = [dict(r, name=names[r["name"]]) for r in records if r.get("name") in names]
    if any(r["failed"] for r in tasks):
        raise RuntimeError("a timed task failed; see the log")
    tasks = tasks[4:]
    module = spread([r["seconds"] for r in tasks if r["name"] == "module"])
    uri = spread([r["seconds"] for r in tasks if r["name"] == "uri"])
    return {
        "module": module,
        "uri": uri,
        "ratio": module["median"] / uri["median"],
        "goal": "ratio <= 1.00",
        "met": module["median"] <= uri["median"],
    }


def measure_lookup_refs(runner, emulator, preset):
    """Item 2: requests made by one task that names the lookup many times."""
    result = {"references": preset["refs"]}
    for approach in ("palette", "url"):
        emulator.clear()
        records = runner.play("lookup_refs.yml", refs=preset["refs"], approach=approach)
        task = [r for r in records if r["kind"] == "task" and r["name"].startswith("Render")]
        seconds = sum(r["seconds"] for r in task if r["hosts"])
        result[approach] = {"requests": emulator.count(), "task_seconds": seconds}
    result["goal"] = "palette: 1 request"
    result["met"] = result["palette"]["requests"] == 1
    return result


def measure_many_hosts(runner, emulator, preset):
    """Item 3: hosts x 3 tasks with the lookup, file cache on and off, against url."""
    approaches = {
        "palette_cache_on": {"approach": "palette", "cache_ttl": 300},
        "palette_cache_off": {"approach": "palette", "cache_ttl": 0},
        "url": {"approach": "url", "cache_ttl": 0},
    }
    runs: dict[str, list[float]] = {name: [] for name in approaches}
    requests: dict[str, list[int]] = {name: [] for name in approaches}
    for run in range(preset["many_runs"]):
        for name, variables in approaches.items():
            # A new cache directory each run: the first worker must ask Palette.
            cache_dir = runner.work / ("cache-%s-%d" % (name, run))
            emulator.clear()
            records = runner.play(
                "many_hosts.yml",
                hosts=preset["hosts"],
                forks=preset["forks"],
                cache_dir=str(cache_dir),
                **variables,
            )
            runs[name].append(next(r["seconds"] for r in records if r["kind"] == "plays"))
            requests[name].append(emulator.count())
    result = {"hosts": preset["hosts"], "tasks": 3, "forks": preset["forks"]}
    for name in approaches:
        result[name] = {"requests": requests[name], "play_seconds": spread(runs[name])}
    url_median = result["url"]["play_seconds"]["median"]
    for name in ("palette_cache_on", "palette_cache_off"):
        result[name]["ratio_to_url"] = result[name]["play_seconds"]["median"] / url_median
    result["goal"] = "cache on: 1 request"
    result["met"] = set(requests["palette_cache_on"]) == {1}
    return result


def measure_role(runner, emulator, preset):
    """Item 4: requests made by the sso_gateway role on many hosts."""
    emulator.clear()
    bench_dir = runner.work / "gateways"
    # Only the count matters here. Every host is local, and pipelining saves a
    # temporary file per task and host, as in the role's integration test.
    records = runner.play(
        "role.yml",
        hosts=preset["role_hosts"],
        forks=preset["forks"],
        settings={"ANSIBLE_PIPELINING": "true"},
        bench_dir=str(bench_dir),
    )
    count = emulator.count()
    sites = list(bench_dir.glob("*/conf/sites-available/sso_gateway.conf"))
    if len(sites) != preset["role_hosts"]:
        raise RuntimeError(
            "the role wrote %d sites for %d hosts" % (len(sites), preset["role_hosts"])
        )
    return {
        "hosts": preset["role_hosts"],
        "forks": preset["forks"],
        "requests": count,
        "play_seconds": next(r["seconds"] for r in records if r["kind"] == "plays"),
        "goal": "1 request",
        "met": count == 1,
    }


def measure_retries(args, emulator, preset):
    """Item 5: the shared client's time to an answer through 429s, in this process."""
    sys.path.insert(0, str(args.collections))
    from ansible_collections.spectrocloud.palette.plugins.module_utils._client import (
        PaletteClient,
    )
    from ansible_collections.spectrocloud.palette.plugins.module_utils._errors import (
        PaletteApiError,
    )
    from ansible_collections.spectrocloud.palette.plugins.module_utils._options import (
        ConnectionOptions,
    )

    def client(**params):
        options = ConnectionOptions.from_params(
            {"host": emulator.url, "ca_path": emulator.ca_path, **params}
        )
        return PaletteClient(options)

    def too_many(retry_after):
        return {"status": 429, "headers": {"Retry-After": str(retry_after)}}

    # Two 429s, then the answer: the waits are the two Retry-Afters.
    times = []
    for _run in range(preset["retry_runs"]):
        emulator.clear()
        emulator.admin("PUT", "faults", {"sequence": [too_many(preset["retry_after"])] * 2})
        started = time.perf_counter()
        client().fetch_org("acme")
        times.append(time.perf_counter() - started)
        if emulator.count() != 3:
            raise RuntimeError("expected 3 requests, the emulator saw %d" % emulator.count())
    after_two = spread(times)
    goal = 2 * preset["retry_after"] + 0.2

    # A server that always answers 429: every retry waits, then the call fails.
    retries, timeout = preset["always_retries"], 10.0
    emulator.clear()
    emulator.admin("PUT", "faults", {"default": too_many(preset["always_retry_after"])})
    started = time.perf_counter()
    try:
        client(retries=retries, timeout=timeout).fetch_org("acme")
    except PaletteApiError as exc:
        if exc.status != 429:
            raise
    else:
        raise RuntimeError("the call succeeded against a server that always answers 429")
    always = time.perf_counter() - started
    attempts = emulator.count()
    emulator.clear()

    # docs/user-guide.md, "How long a call can take".
    bound = (retries + 1) * 3 * timeout + retries * 10
    return {
        "retry_after": preset["retry_after"],
        "after_two_429": after_two,
        "goal_seconds": goal,
        "always_429": {
            "retry_after": preset["always_retry_after"],
            "retries": retries,
            "timeout": timeout,
            "attempts": attempts,
            "seconds": always,
            "documented_bound": bound,
        },
        "met": after_two["max"] <= goal and always <= bound and attempts == retries + 1,
    }


def parse_status(text):
    """Return the VmRSS and VmHWM of a /proc/<pid>/status text, in bytes."""
    found = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.MULTILINE))
    return int(found["VmRSS"]) * 1024, int(found["VmHWM"]) * 1024


def measure_rss(runner, preset):
    """Item 6: peak resident size of the worker that evaluates each lookup."""
    found: dict[str, list[dict[str, int]]] = {"palette": [], "url": []}
    for run in range(preset["rss_runs"]):
        for approach in found:
            report = runner.work / ("rss-%s-%d.txt" % (approach, run))
            runner.play("rss.yml", approach=approach, report_file=str(report))
            before, _marker, after = report.read_text().partition("@@AFTER@@")
            rss_before, _peak_before = parse_status(before)
            _rss_after, peak = parse_status(after)
            found[approach].append({"rss_before": rss_before, "peak": peak})
    result: dict[str, Any] = {}
    for approach, readings in found.items():
        result[approach] = {
            "peak_mib": statistics.median(r["peak"] for r in readings) / MIB,
            "growth_mib": statistics.median(r["peak"] - r["rss_before"] for r in readings) / MIB,
            "runs": len(readings),
        }
    extra = result["palette"]["peak_mib"] - result["url"]["peak_mib"]
    result["palette_minus_url_mib"] = extra
    result["goal"] = "<= 15 MiB more"
    result["met"] = extra <= 15
    return result


def describe_machine(venv_python):
    """What the figures were measured on."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        fields = dict(
            line.split("=", 1) for line in release.read_text().splitlines() if "=" in line
        )
        os_name = fields.get("PRETTY_NAME", os_name).strip('"')
    versions = {
        name: metadata.version(name)
        for name in ("ansible-core", "requests", "urllib3", "voluptuous", "cryptography")
    }
    versions["python"] = platform.python_version()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / MIB, 1),
        "os": os_name,
        "kernel": platform.release(),
        "load_average_start": os.getloadavg(),
        "versions": versions,
        "python": venv_python,
    }


def fmt_spread(item):
    return "%.3f s (IQR %.3f–%.3f, n=%d)" % (item["median"], item["q1"], item["q3"], item["n"])


def _hosts(count):
    return "1 host" if count == 1 else "%d hosts" % count


def table(results):
    """The results as a Markdown table."""
    task = results["task_time"]
    refs = results["lookup_refs"]
    many = results["many_hosts"]
    role = results["role"]
    retry = results["retries"]
    rss = results["rss"]
    always = retry["always_429"]
    ok = {True: "met", False: "**missed**"}
    rows = [
        ("1", "one task: palette_org_info / uri, median ratio", "%.2f" % task["ratio"],
         "≤ 1.00", ok[task["met"]]),
        ("1", "  palette_org_info task", fmt_spread(task["module"]), "", ""),
        ("1", "  uri task", fmt_spread(task["uri"]), "", ""),
        ("2", "requests, %d references in one task: lookup / url" % refs["references"],
         "%d / %d" % (refs["palette"]["requests"], refs["url"]["requests"]), "1", ok[refs["met"]]),
        ("3", "requests, %s × 3 tasks: cache on / off / url" % _hosts(many["hosts"]),
         "%s / %s / %s" % tuple(
             "/".join(str(n) for n in sorted(set(many[k]["requests"])))
             for k in ("palette_cache_on", "palette_cache_off", "url")),
         "1 (cache on)", ok[many["met"]]),
        ("3", "play time, cache on / url (forks %d)" % many["forks"],
         "%.2f (%.1f s / %.1f s)" % (many["palette_cache_on"]["ratio_to_url"],
                                     many["palette_cache_on"]["play_seconds"]["median"],
                                     many["url"]["play_seconds"]["median"]), "", ""),
        ("3", "play time, cache off / url",
         "%.2f (%.1f s / %.1f s)" % (many["palette_cache_off"]["ratio_to_url"],
                                     many["palette_cache_off"]["play_seconds"]["median"],
                                     many["url"]["play_seconds"]["median"]), "", ""),
        ("4", "requests, sso_gateway role on %s, forks %d" % (_hosts(role["hosts"]), role["forks"]),
         "%d" % role["requests"], "1", ok[role["met"]]),
        ("5", "time to success after two 429s (Retry-After: %d), max of %d"
         % (retry["retry_after"], retry["after_two_429"]["n"]),
         "%.2f s" % retry["after_two_429"]["max"], "≤ %.1f s" % retry["goal_seconds"],
         ok[retry["after_two_429"]["max"] <= retry["goal_seconds"]]),
        ("5", "always 429 (Retry-After: %d), %d attempts: time to failure / bound"
         % (always["retry_after"], always["attempts"]),
         "%.1f s / %.0f s" % (always["seconds"], always["documented_bound"]),
         "≤ bound", ok[always["seconds"] <= always["documented_bound"]]),
        ("6", "worker peak RSS: lookup − url",
         "%+.1f MiB (%.1f / %.1f)" % (rss["palette_minus_url_mib"], rss["palette"]["peak_mib"],
                                      rss["url"]["peak_mib"]), "≤ 15 MiB", ok[rss["met"]]),
    ]  # fmt: skip
    lines = ["| item | figure | measured | goal | |", "| --- | --- | --- | --- | --- |"]
    lines += ["| %s |" % " | ".join(row) for row in rows]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--collections",
        type=Path,
        required=True,
        help="the folder that holds ansible_collections/spectrocloud/palette",
    )
    parser.add_argument("--out", type=Path, required=True, help="where results go")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="full")
    for name, value in PRESETS["full"].items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=int,
            default=None,
            help="default %d (smoke %d)" % (value, PRESETS["smoke"][name]),
        )
    args = parser.parse_args()  # fmt: skip

    preset = dict(PRESETS[args.preset])
    for name in preset:
        if getattr(args, name) is not None:
            preset[name] = getattr(args, name)
    args.collections = args.collections.resolve()
    args.out.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="palette-bench-"))
    # nginx workers of the role's validation run as nobody and must read the prefixes.
    work.chmod(0o755)
    emulator = Emulator(work)
    results = {"preset": args.preset, "settings": preset}
    try:
        results["machine"] = describe_machine(sys.executable)
        runner = Runner(args, work, emulator)
        steps = (
            ("task_time", lambda: measure_task_time(runner, preset)),
            ("lookup_refs", lambda: measure_lookup_refs(runner, emulator, preset)),
            ("many_hosts", lambda: measure_many_hosts(runner, emulator, preset)),
            ("role", lambda: measure_role(runner, emulator, preset)),
            ("retries", lambda: measure_retries(args, emulator, preset)),
            ("rss", lambda: measure_rss(runner, preset)),
        )
        for name, step in steps:
            step_started = time.perf_counter()
            results[name] = step()
            print("bench: %s done in %.1f s" % (name, time.perf_counter() - step_started),
                  flush=True)  # fmt: skip
    except Exception:
        print("bench: failed; the playbooks' output is in %s" % (args.out / "ansible.log"))
        raise
    finally:
        emulator.stop()
        if (work / "ansible.log").exists():
            shutil.copy(work / "ansible.log", args.out / "ansible.log")
        shutil.rmtree(work, ignore_errors=True)

    results["machine"]["load_average_end"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - started
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    text = table(results)
    (args.out / "results.md").write_text(text)
    print(text)
    items = ("task_time", "lookup_refs", "many_hosts", "role", "retries", "rss")
    met = sum(results[name]["met"] for name in items)
    figures = len(text.splitlines()) - 2
    print(
        "bench: %d figures measured, %d of 6 goals met, in %.0f s; results in %s"
        % (figures, met, results["seconds"], args.out)
    )


if __name__ == "__main__":
    main()
