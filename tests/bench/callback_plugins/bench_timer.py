# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper: write the wall time of each task and play as JSON lines.

Only tests/bench/bench.py enables it (ANSIBLE_CALLBACKS_ENABLED=bench_timer), with
BENCH_TIMER_FILE naming the output file. It runs in the controller's main process:
a task's time runs from the strategy announcing the task to its last host's result,
which covers templating, the worker fork, module transfer and the module's own run.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Write task and play wall times for the collection's benchmark
description:
  - Appends one JSON object per finished task and per play to the file named by the
    BENCH_TIMER_FILE environment variable.
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("BENCH_TIMER_FILE")
        self._play_start = None
        self._task_name = None
        self._task_start = None
        self._task_end = None
        self._hosts = 0
        self._failed = 0

    def _write(self, record):
        if self._path:
            with open(self._path, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(record) + "\n")

    def _close_task(self):
        if self._task_start is not None and self._task_end is not None:
            self._write(
                {
                    "kind": "task",
                    "name": self._task_name,
                    "seconds": self._task_end - self._task_start,
                    "hosts": self._hosts,
                    "failed": self._failed,
                }
            )
        self._task_start = self._task_end = None
        self._hosts = self._failed = 0

    def v2_playbook_on_play_start(self, play):
        self._close_task()
        if self._play_start is None:
            self._play_start = time.perf_counter()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close_task()
        self._task_name = task.get_name()
        self._task_start = time.perf_counter()

    def _host_done(self, failed):
        self._task_end = time.perf_counter()
        self._hosts += 1
        self._failed += failed

    def v2_runner_on_ok(self, result):
        self._host_done(0)

    def v2_runner_on_skipped(self, result):
        self._host_done(0)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._host_done(1)

    def v2_runner_on_unreachable(self, result):
        self._host_done(1)

    def v2_playbook_on_stats(self, stats):
        self._close_task()
        if self._play_start is not None:
            # From the first play's start to the end of the last one.
            self._write({"kind": "plays", "seconds": time.perf_counter() - self._play_start})
