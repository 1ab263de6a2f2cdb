"""D08 (d): take a cache entry's lock, start writing the entry, then wait to be killed.

Usage: hold_lock.py LOCK_FILE READY_FILE. The lock file is the one the lookup made;
the temporary file is named as the cache names its own (".<key>.<random>.tmp" beside
the lock), so the lookup meets exactly what a worker killed mid-write leaves behind.
"""

import fcntl
import os
import sys
import tempfile
import time

lock_path, ready_path = sys.argv[1], sys.argv[2]
key = os.path.basename(lock_path)[: -len(".lock")]

lock = os.open(lock_path, os.O_RDWR)
fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)

fd, temp = tempfile.mkstemp(prefix="." + key + ".", suffix=".tmp", dir=os.path.dirname(lock_path))
os.write(fd, b'{"format":1,"key":"' + key.encode() + b'","stored_at":')

with open(ready_path, "w") as ready:
    ready.write(temp + "\n")
time.sleep(600)
