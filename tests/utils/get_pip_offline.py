# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A stand-in for the get-pip script that ansible-test downloads for every venv it makes.

ansible-test fetches that script from a host that only the Ansible CI reaches, unless a
copy is cached under ~/.ansible/test/cache/. This stand-in does the same job offline:
it bootstraps pip from the interpreter's own ensurepip, then installs what it was asked
for from the package index pip is configured to use. The Makefile puts it in place.
"""

from __future__ import annotations

import subprocess
import sys

# Flags the real get-pip script accepts that `pip install` does not.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main():
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + arguments)


if __name__ == "__main__":
    main()
