# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The doc fragment and the argspec describe the same options, with the same sources."""

from __future__ import annotations

import os
import re

import yaml

from ansible_collections.spectrocloud.palette.plugins.doc_fragments.palette import (
    ModuleDocFragment,
)
from ansible_collections.spectrocloud.palette.plugins.module_utils._options import (
    ENV_VARS,
    palette_argument_spec,
)

DOCUMENTED = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
PLUGIN_SOURCES = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
SPEC = palette_argument_spec()


def test_every_option_is_documented_once_and_in_the_argspec():
    assert set(DOCUMENTED) == set(SPEC) == set(PLUGIN_SOURCES)


def test_types_and_defaults_match_the_argspec():
    for name, doc in DOCUMENTED.items():
        assert doc["type"] == SPEC[name]["type"], name
        assert doc.get("default") == SPEC[name].get("default"), name


def test_environment_variables_match_the_argspec_fallbacks():
    documented = {
        name: [entry["name"] for entry in sources.get("env", [])]
        for name, sources in PLUGIN_SOURCES.items()
    }
    assert documented == {name: [ENV_VARS[name]] if name in ENV_VARS else [] for name in SPEC}
    for name, variable in ENV_VARS.items():
        assert SPEC[name]["fallback"][1] == [variable]
        assert "E(%s)" % variable in " ".join(DOCUMENTED[name]["description"])


def test_every_option_has_an_ini_key_and_a_palette_variable():
    for name, sources in PLUGIN_SOURCES.items():
        assert sources["ini"] == [{"section": "spectrocloud_palette", "key": name}]
        assert sources["vars"] == [{"name": "palette_" + name}]


def test_secrets_are_no_log():
    assert SPEC["api_key"]["no_log"] is True
    assert SPEC["proxy"]["no_log"] is True


def test_the_documented_requirements_are_those_of_requirements_txt():
    path = os.path.join(os.path.dirname(__file__), *[".."] * 4, "requirements.txt")
    with open(path, encoding="utf-8") as handle:
        pinned = [line.split("#")[0].strip() for line in handle]
    expected = [re.sub(r"\s*>=\s*", " >= ", line) for line in pinned if line]
    assert yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["requirements"] == expected
