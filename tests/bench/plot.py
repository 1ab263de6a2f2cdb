# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Draw the task times of a bench.py run: plot.py RESULTS_JSON OUTPUT_PNG.

Runs in .venv-bench, which bench.sh fills from tests/bench/requirements.txt.
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402


def main():
    results = json.load(open(sys.argv[1], encoding="utf-8"))
    task = results["task_time"]
    many = results["many_hosts"]

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), width_ratios=[2, 3])

    # One task on one host, every timed run shown over its box.
    samples = [task["module"]["values"], task["uri"]["values"]]
    left.boxplot(samples, widths=0.5, showfliers=False)
    for position, values in enumerate(samples, start=1):
        left.scatter([position] * len(values), values, s=12, alpha=0.6, zorder=3)
    left.set_xticks([1, 2], ["palette_org_info", "ansible.builtin.uri"])
    left.set_ylabel("seconds per task")
    left.set_ylim(bottom=0)
    left.set_title("One task, one host (n=%d each)" % task["module"]["n"])

    # The whole play: hosts x 3 tasks needing the sign-in URL.
    names = [
        ("palette_cache_on", "lookup\ncache_ttl on"),
        ("palette_cache_off", "lookup\ncache_ttl 0"),
        ("url", "url lookup"),
    ]
    keys = [key for key, _label in names]
    medians = [many[key]["play_seconds"]["median"] for key in keys]
    lows = [m - many[key]["play_seconds"]["min"] for m, key in zip(medians, keys)]
    highs = [many[key]["play_seconds"]["max"] - m for m, key in zip(medians, keys)]
    columns = right.bar(range(3), medians, yerr=[lows, highs], capsize=4, width=0.6)
    for column, key in zip(columns, keys):
        requests = sorted(set(many[key]["requests"]))
        label = "%s request%s" % ("/".join(map(str, requests)), "" if requests == [1] else "s")
        top = many[key]["play_seconds"]["max"]  # above the error bar
        right.annotate(label, (column.get_x() + column.get_width() / 2, top),
                       xytext=(0, 4), textcoords="offset points", ha="center", fontsize=9)  # fmt: skip
    right.set_xticks(range(3), [label for _key, label in names])
    right.set_ylabel("seconds per play (median, min–max)")
    right.set_ylim(bottom=0, top=max(m + h for m, h in zip(medians, highs)) * 1.15)
    right.set_title(
        "%d hosts × 3 tasks, forks %d (n=%d each)"
        % (many["hosts"], many["forks"], many["url"]["play_seconds"]["n"])
    )

    figure.suptitle("spectrocloud.palette against ansible.builtin, same emulator, one run")
    figure.tight_layout()
    figure.savefig(sys.argv[2], dpi=100)
    print("plot: %s" % sys.argv[2])


if __name__ == "__main__":
    main()
