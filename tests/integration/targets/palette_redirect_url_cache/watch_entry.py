"""D08 (b): watch a cache directory and report any entry file changed in place.

Usage: watch_entry.py CACHE_DIR STOP_FILE REPORT_FILE. The cache replaces an entry by
renaming a new file over it, so a file, once it is the entry, never changes. This
keeps the current entry open and reads it again every few milliseconds: different
bytes from the same open file mean a writer rewrote it in place, where a reader
could have seen half of it. The report is {"entries": N, "changed_in_place": M}.
"""

import glob
import json
import os
import sys
import time

cache_dir, stop_file, report_file = sys.argv[1:4]
entries = changed = 0
held = None  # (fd, bytes first read from it)


def read_all(fd):
    return os.pread(fd, 1024 * 1024, 0)


while not os.path.exists(stop_file):
    if held is not None and read_all(held[0]) != held[1]:
        changed += 1
        os.close(held[0])
        held = None

    for path in glob.glob(os.path.join(glob.escape(cache_dir), "*.json")):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        if held is not None and os.fstat(fd).st_ino == os.fstat(held[0]).st_ino:
            os.close(fd)
            continue
        # A new entry: hold it (the old one stays open until now, so its inode
        # number cannot be handed to the new file and hide the change).
        entries += 1
        if held is not None:
            os.close(held[0])
        held = (fd, read_all(fd))
    time.sleep(0.005)

with open(report_file, "w") as report:
    json.dump({"entries": entries, "changed_in_place": changed}, report)
