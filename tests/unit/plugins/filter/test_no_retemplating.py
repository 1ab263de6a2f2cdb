# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""API text must never be evaluated as a template (D09): no opt-out of unsafe marking."""

from __future__ import annotations

import pathlib
import re

import pytest

COLLECTION = pathlib.Path(__file__).resolve().parents[4]
# Anywhere in the collection: nothing opts out of Ansible's marking of untrusted text.
EVERYWHERE = [re.compile(r"allow_unsafe"), re.compile(r"\bunsafe_proxy\b|\bwrap_var\b|\bAnsibleUnsafe")]
# In the code that handles the org's text (the role and its filters): no templating at all.
# (The lookup renders its own option variables, which are not API data.)
NO_TEMPLAR = [re.compile(r"\bTemplar\("), re.compile(r"\.template\(")]


def collection_files(folders=("plugins", "roles")):
    for folder in folders:
        for path in sorted((COLLECTION / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yml", ".yaml", ".j2"):
                yield path


def test_the_scan_sees_the_filters():
    names = [path.name for path in collection_files()]

    assert "nginx_string.py" in names and "site.conf.j2" in names


def hits(pattern, folders):
    return [
        "%s:%d" % (path.relative_to(COLLECTION), number)
        for path in collection_files(folders)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


@pytest.mark.parametrize("pattern", EVERYWHERE, ids=lambda p: p.pattern)
def test_nothing_opts_out_of_unsafe_marking(pattern):
    assert hits(pattern, ("plugins", "roles")) == []


@pytest.mark.parametrize("pattern", NO_TEMPLAR, ids=lambda p: p.pattern)
def test_the_role_and_its_filters_never_template_api_text(pattern):
    assert hits(pattern, ("plugins/filter", "roles/sso_gateway")) == []
