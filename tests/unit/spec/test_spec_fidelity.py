# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The published API definition, the emulator, the validation and the docs agree.

tests/spec/v1-auth-org.swagger.json is Palette's Swagger 2.0 definition of the
endpoint, cut down to this operation (its x-source says where it comes from).
"""

from __future__ import annotations

import json
import os

import jsonschema
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.spectrocloud.palette.plugins.module_utils._errors import (
    PaletteResponseError,
)
from ansible_collections.spectrocloud.palette.plugins.module_utils._schema import (
    snake_case,
    validate_org,
)
from ansible_collections.spectrocloud.palette.plugins.modules import palette_org_info
from ansible_collections.spectrocloud.palette.tests.emulator.palette_emulator import Emulator
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import fixture_orgs

SPEC_FILE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "spec", "v1-auth-org.swagger.json"
)
with open(SPEC_FILE, encoding="utf-8") as spec_handle:
    SPEC = json.load(spec_handle)

RETURN = yaml.safe_load(palette_org_info.RETURN)


def definition(name):
    """A definition of the spec with every $ref inlined, as a plain JSON schema."""
    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(SPEC["definitions"][node["$ref"].rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in node.items() if not key.startswith("x-")}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node
    return inline(SPEC["definitions"][name])


LOGIN_RESPONSE = definition("v1LoginResponse")
V1_ERROR = definition("V1Error")


def from_definition(schema):
    """A strategy for the JSON values a schema of this definition allows.

    Every property is optional (the definition requires none) and objects may carry
    extra fields, as a newer Palette would send. "number" with format int64 is drawn as
    a whole number across the int64 range: Palette's server, written in Go against this
    definition, can only send one.
    """
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type", "object")
    if kind == "string":
        return st.text(max_size=40)
    if kind == "number" and schema.get("format") == "int64":
        return st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1)
    if kind == "array":
        unique = {"unique_by": json.dumps} if schema.get("uniqueItems") else {}
        return st.lists(from_definition(schema["items"]), max_size=4, **unique)
    if kind == "object":
        known = st.fixed_dictionaries(
            {}, optional={name: from_definition(sub) for name, sub in schema["properties"].items()}
        )
        extra = st.dictionaries(
            st.text(min_size=1, max_size=10).filter(lambda key: key not in schema["properties"]),
            st.none() | st.booleans() | st.integers() | st.text(max_size=10), max_size=2,
        )
        return st.builds(lambda fields, more: dict(more, **fields), known, extra)
    raise AssertionError("no strategy for %r" % schema)


RESPONSES = from_definition(LOGIN_RESPONSE)

PROPERTY_RUN = settings(max_examples=1500, deadline=None,
                        suppress_health_check=list(HealthCheck))


# --- The docs and the definition -------------------------------------------------

def test_return_docs_list_exactly_the_fields_of_the_definition():
    documented = RETURN["org"]["contains"]
    assert set(documented) == {snake_case(name) for name in LOGIN_RESPONSE["properties"]}
    login_fields = LOGIN_RESPONSE["properties"]["ssoLogins"]["items"]["properties"]
    assert set(documented["sso_logins"]["contains"]) == {snake_case(n) for n in login_fields}


def test_return_samples_are_the_acme_fixture():
    acme = fixture_orgs()["acme"]
    for name, doc in RETURN["org"]["contains"].items():
        camel = next(field for field in acme if snake_case(field) == name)
        if name == "sso_logins":
            for login_name, login_doc in doc["contains"].items():
                login_camel = next(f for f in acme["ssoLogins"][0] if snake_case(f) == login_name)
                assert login_doc["sample"] == acme["ssoLogins"][0][login_camel], login_name
        else:
            assert doc["sample"] == acme[camel], name


@pytest.mark.parametrize("name", sorted(fixture_orgs()))
def test_every_fixture_org_conforms_to_the_definition(name):
    jsonschema.validate(fixture_orgs()[name], LOGIN_RESPONSE)


@pytest.mark.parametrize("name", sorted(fixture_orgs()))
def test_every_fixture_org_validates_to_its_own_values(name):
    body = fixture_orgs()[name]
    org = validate_org(body)
    for field, value in body.items():
        if field != "ssoLogins":
            assert org[snake_case(field)] == value


# --- The validation accepts everything the definition allows ---------------------

@PROPERTY_RUN
@given(body=RESPONSES)
def test_validation_accepts_every_body_the_definition_allows(body):
    org = validate_org(body)
    assert set(org) == {snake_case(name) for name in LOGIN_RESPONSE["properties"]}
    for field in LOGIN_RESPONSE["properties"]:
        if field == "ssoLogins":
            assert len(org["sso_logins"]) == len(body.get("ssoLogins") or [])
        else:
            assert org[snake_case(field)] == body.get(field)


WRONG_VALUES = st.sampled_from([5, 2.5, True, ["x"], {"a": 1}, "text"])


@PROPERTY_RUN
@given(body=RESPONSES, data=st.data())
def test_a_value_of_the_wrong_type_fails_naming_its_path(body, data):
    field = data.draw(st.sampled_from(sorted(LOGIN_RESPONSE["properties"])))
    expected_type = LOGIN_RESPONSE["properties"][field]["type"]
    wrong = data.draw(WRONG_VALUES.filter(lambda value: not _fits(value, field, expected_type)))
    body[field] = wrong
    with pytest.raises(PaletteResponseError) as caught:
        validate_org(body)
    # The path is the field itself, or an item inside it: ssoLogins[0].
    assert ("field %s:" % field in caught.value.msg) or ("field %s[" % field in caught.value.msg)


def _fits(value, field, expected_type):
    if field == "authType":
        return value in ("password", "sso")
    if expected_type == "string":
        return isinstance(value, str)
    if expected_type == "number":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, list) and not value


# --- The emulator answers as the definition says ----------------------------------

@pytest.fixture(scope="module")
def conformance_emulator(tmp_path_factory):
    with Emulator(port=0, lifetime=600) as emu:
        yield emu


def check_answer(response, where):
    """A 200 body must be a v1LoginResponse, anything else a V1Error, both as JSON."""
    # schemathesis keeps headers lower-cased, each with a list of values.
    headers = {name.lower(): values for name, values in response.headers.items()}
    content_type = "".join(headers.get("content-type", []))
    assert content_type.split(";", maxsplit=1)[0] == "application/json", where
    body = json.loads(response.content)
    jsonschema.validate(body, LOGIN_RESPONSE if response.status_code == 200 else V1_ERROR)
    assert response.status_code in (200, 404), where


OPERATION = schemathesis.openapi.from_path(SPEC_FILE)["/v1/auth/org"]["GET"]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=OPERATION.as_strategy())
def test_the_emulator_conforms_for_generated_requests(conformance_emulator, case):
    response = case.call(base_url=conformance_emulator.url, timeout=10)
    check_answer(response, case.query)


@pytest.mark.parametrize("org_name", [
    "", "a" * 5000, "ü漢字", "R&D Ops", "a+b/c", "Büro #1", "%", "%00", "\x00", " ", "ACME",
])
def test_the_emulator_conforms_for_awkward_names(conformance_emulator, org_name):
    case = OPERATION.Case(query={"orgName": org_name})
    response = case.call(base_url=conformance_emulator.url, timeout=10)
    check_answer(response, org_name)
