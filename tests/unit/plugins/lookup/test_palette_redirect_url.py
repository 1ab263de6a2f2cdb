# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lookup as Ansible loads it: terms and options in, one URL per term out."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import textwrap

import pytest
import requests
from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.module_utils.testing import patch_module_args
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar, trust_as_template

from ansible_collections.spectrocloud.palette.plugins.lookup import (
    palette_redirect_url as plugin,
)
from ansible_collections.spectrocloud.palette.plugins.modules import palette_org_info
from ansible_collections.spectrocloud.palette.tests.unit.palette_fakes import (
    API_KEY,
    GOOD_BODY,
    reply,
)

NAME = "spectrocloud.palette.palette_redirect_url"
HOST = "https://palette.example.test"
ACME_URL = "https://acme.console.spectrocloud.com"
DEMO_URL = GOOD_BODY["redirectUrl"]
# The directory that holds ansible_collections/, for Ansible run in a subprocess.
COLLECTIONS_ROOT = os.path.abspath(
    os.path.join(os.path.dirname(plugin.__file__), *[".."] * 5)
)


@pytest.fixture(autouse=True)
def fresh_plugin_state(monkeypatch):
    """Start each test with no remembered answers and no warning given yet."""
    monkeypatch.setattr(plugin, "_ANSWERS", {})
    monkeypatch.setattr(plugin, "_WARNED", set())


@pytest.fixture
def warnings(monkeypatch):
    """Collect what the lookup warns about instead of printing it."""
    given = []
    monkeypatch.setattr(plugin.display, "warning", given.append)
    return given


def run_lookup(*terms, variables=None, **kwargs):
    """Load the lookup the way Ansible does and run it."""
    lookup = lookup_loader.get(NAME)
    return lookup.run(list(terms), variables=variables or {}, **kwargs)


def render(expression, **variables):
    """Template ``expression`` as a task argument would be."""
    templar = Templar(loader=DataLoader(), variables=variables)
    return templar.template(trust_as_template(expression))


def on_emulator(emulator, **kwargs):
    options = {"host": emulator.url, "ca_path": emulator.ca_path, "retries": 0}
    options.update(kwargs)
    return options


def closed_port_url():
    """An https URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return "https://127.0.0.1:%d" % probe.getsockname()[1]


def cache_contents(directory):
    """The names and bytes of every file in ``directory``."""
    return b"".join(path.name.encode() + path.read_bytes() for path in directory.iterdir())


def module_failure(capsys, **args):
    """Run palette_org_info with ``args`` and return its failure message."""
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            palette_org_info.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    return result["msg"]


def test_the_loader_and_these_tests_share_one_plugin_module():
    assert type(lookup_loader.get(NAME)).__module__ == plugin.__name__


def test_one_term_gives_its_redirect_url_with_one_request(emulator):
    assert run_lookup("acme", **on_emulator(emulator)) == [ACME_URL]
    assert emulator.count == 1
    assert emulator.requests[0]["query"] == {"orgName": ["acme"]}


def test_two_terms_give_two_urls_in_term_order(emulator):
    urls = run_lookup("corp-oidc", "acme", **on_emulator(emulator))
    assert len(urls) == 2
    assert urls[0].startswith("https://login.idp.example.test/oauth2/v1/authorize?")
    assert urls[1] == ACME_URL
    asked = [entry["query"]["orgName"] for entry in emulator.requests]
    assert asked == [["corp-oidc"], ["acme"]]


def test_lookup_gives_the_url_and_query_or_wantlist_a_list(emulator):
    variables = {"palette_host": emulator.url, "palette_ca_path": emulator.ca_path}
    assert render("{{ lookup('%s', 'acme') }}" % NAME, **variables) == ACME_URL
    assert render("{{ query('%s', 'acme') }}" % NAME, **variables) == [ACME_URL]
    wanted = render("{{ lookup('%s', 'acme', wantlist=True) }}" % NAME, **variables)
    assert wanted == [ACME_URL]
    two = render("{{ query('%s', 'acme', 'corp-saml') }}" % NAME, **variables)
    assert len(two) == 2 and two[0] == ACME_URL


def test_no_terms_give_an_empty_list_without_a_request(emulator):
    variables = {"palette_host": emulator.url, "palette_ca_path": emulator.ca_path}
    assert run_lookup(variables=variables) == []
    assert render("{{ query('%s') }}" % NAME, **variables) == []
    assert emulator.count == 0


@pytest.mark.parametrize("term, shown", [
    ("", "''"), ("   ", "'   '"), (5, "5"), (None, "None"), (["acme"], "['acme']"),
])
def test_a_term_that_is_not_an_org_name_fails_naming_it(transport, term, shown):
    adapter = transport(reply(body=GOOD_BODY))
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("acme", term, host=HOST)
    assert caught.value.message == (
        "the term %s is not an organisation name; expected a non-empty string" % shown
    )
    assert adapter.sent == []


def test_an_empty_redirect_url_is_returned_as_an_empty_string(transport):
    password_org = dict(GOOD_BODY, authType="password", redirectUrl="", ssoLogins=None)
    transport(reply(body=password_org))
    assert run_lookup("demo-org", host=HOST) == [""]


@pytest.mark.parametrize("body", [
    dict(GOOD_BODY, redirectUrl=None),
    {key: value for key, value in GOOD_BODY.items() if key != "redirectUrl"},
])
def test_a_null_or_absent_redirect_url_fails_naming_the_org_and_the_field(transport, body):
    transport(reply(body=body))
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("demo-org", host=HOST)
    assert caught.value.message == (
        "Palette's answer for organisation 'demo-org' at https://palette.example.test "
        "has no redirectUrl (the field is null or absent), so there is no URL to return"
    )


# Each case scripts the same answer for the module and the lookup; the lookup must
# fail with exactly the module's msg.
ERROR_CASES = {
    "not found": [reply(status=404, body={"code": "ResourceNotFound", "message": "gone",
                                          "ref": "r-404"})],
    "unauthorized": [reply(status=401, body={"code": "Unauthorized",
                                             "message": "bad key " + API_KEY, "ref": "r-401"})],
    "forbidden": [reply(status=403, body={"code": "Forbidden",
                                          "message": "organization access denied",
                                          "ref": "req-42",
                                          "details": {"reason": "tenant disabled"}})],
    "rate limited": [reply(status=429, headers={"Retry-After": "0"},
                           body={"code": "TooManyRequests", "message": "slow down"})],
    "server error": [reply(status=500, body={"code": "InternalError", "message": "oops"})],
    "gateway page": [reply(status=502, raw=b"<html>Bad Gateway</html>",
                           headers={"Content-Type": "text/html"})],
    "not json": [reply(raw=b"<html>login</html>", headers={"Content-Type": "text/html"})],
    "too large": [reply(raw=b"{}", headers={"Content-Length": str(50 * 1024 * 1024)})],
    "wrong type": [reply(body=dict(GOOD_BODY, totalTenants="many"))],
    "unknown authType": [reply(body=dict(GOOD_BODY, authType="saml"))],
    "other origin": [reply(status=302, headers={"Location": "https://sink.example.test/x"})],
    "refused": [requests.exceptions.ConnectionError("[Errno 111] Connection refused")],
    "timeout": [requests.exceptions.ReadTimeout("read timed out")],
    "tls": [requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")],
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_each_failure_has_the_modules_wording(capsys, transport, case):
    args = {"host": HOST, "api_key": API_KEY, "retries": 1, "timeout": 2}
    transport(*ERROR_CASES[case])
    expected = module_failure(capsys, org_name="demo-org", **args)

    transport(*ERROR_CASES[case])
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("demo-org", **args)
    assert caught.value.message == expected
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize("kwargs, shown", [
    ({"hots": "https://palette.example.test"}, "'hots'"),
    ({"allow_unsafe": True}, "'allow_unsafe'"),
    ({"orgName": "x", "apikey": "y"}, "'apikey', 'orgName'"),
])
def test_an_unknown_keyword_argument_fails_naming_it_and_the_options(transport, kwargs, shown):
    adapter = transport(reply(body=GOOD_BODY))
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("demo-org", **kwargs)
    assert caught.value.message.startswith(
        "unknown option %s for spectrocloud.palette.palette_redirect_url; expected one of "
        "api_key, ca_path, cache_dir, cache_ttl, host," % shown
    )
    assert adapter.sent == []


@pytest.mark.parametrize("option, value", [
    ("host", "ftp://x"), ("timeout", -1), ("retries", 11),
    ("ca_path", "/nonexistent/ca.pem"), ("proxy", "not a url"),
])
def test_a_bad_option_value_has_the_modules_wording(capsys, option, value):
    expected = module_failure(capsys, org_name="demo-org", **{option: value})
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("demo-org", **{option: value})
    assert caught.value.message == expected


def test_a_real_tls_failure_has_the_modules_wording(capsys, emulator):
    args = on_emulator(emulator, ca_path=emulator.wrong_ca_path)
    expected = module_failure(capsys, org_name="acme", **args)
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("acme", **args)
    assert caught.value.message == expected
    assert expected.startswith("TLS certificate verification failed for %s" % emulator.url)


def test_a_refused_connection_has_the_modules_wording(capsys):
    closed = closed_port_url()
    expected = module_failure(capsys, org_name="acme", host=closed, retries=0)
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("acme", host=closed, retries=0)
    assert caught.value.message == expected == (
        "could not connect to Palette at %s: connection refused" % closed
    )


@pytest.mark.parametrize("value", ["no", "false", "False", "0", 0, False, "off", "n"])
def test_false_like_validate_certs_turns_verification_off(emulator, warnings, value):
    urls = run_lookup("acme", host=emulator.url, retries=0, validate_certs=value)
    assert urls == [ACME_URL]
    assert warnings == [
        "validate_certs is false: the TLS certificate of the Palette API is not verified"
    ]


@pytest.mark.parametrize("value", ["yes", "true", "True", "1", 1, True, "on"])
def test_true_like_validate_certs_keeps_verification_on(emulator, warnings, value):
    assert run_lookup("acme", validate_certs=value, **on_emulator(emulator)) == [ACME_URL]
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("acme", host=emulator.url, retries=0, validate_certs=value)
    assert caught.value.message.startswith("TLS certificate verification failed")
    assert warnings == []


@pytest.mark.parametrize("option, source", [
    ("validate_certs", "kwarg"), ("validate_certs", "var"), ("validate_certs", "env"),
    ("use_proxy", "kwarg"), ("use_proxy", "var"),
])
def test_a_boolean_option_that_is_not_a_boolean_fails_naming_it(monkeypatch, option, source):
    kwargs, variables = {"host": HOST}, {}
    if source == "kwarg":
        kwargs[option] = "maybe"
        origin = "the lookup's keyword argument"
    elif source == "var":
        variables["palette_" + option] = "maybe"
        origin = "variable palette_" + option
    else:
        monkeypatch.setenv("SPECTROCLOUD_VALIDATE_CERTS", "maybe")
        origin = "environment variable SPECTROCLOUD_VALIDATE_CERTS"
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("acme", variables=variables, **kwargs)
    assert caught.value.message == (
        "%s: 'maybe' (from %s) is not a boolean; expected true or false, yes or no, "
        "on or off, 1 or 0" % (option, origin)
    )


def test_options_come_from_kwargs_then_vars_then_the_environment(monkeypatch, transport):
    adapter = transport(reply(body=GOOD_BODY))
    monkeypatch.setenv("SPECTROCLOUD_HOST", "env.example.test")
    variables = {"palette_host": "var.example.test"}

    run_lookup("demo-org", variables=variables, host="kwarg.example.test")
    run_lookup("demo-org", variables=variables)
    run_lookup("demo-org")
    hosts = [sent["request"].url.split("/")[2] for sent in adapter.sent]
    assert hosts == ["kwarg.example.test", "var.example.test", "env.example.test"]


def test_every_connection_option_is_read_from_variables(transport):
    adapter = transport(reply(body=GOOD_BODY))
    variables = {
        "palette_host": "var.example.test", "palette_api_key": API_KEY,
        "palette_validate_certs": "no", "palette_timeout": "3.5", "palette_retries": "0",
        "palette_use_proxy": "false",
    }
    assert run_lookup("demo-org", variables=variables) == [DEMO_URL]
    sent = adapter.sent[0]
    assert sent["request"].headers["ApiKey"] == API_KEY
    assert sent["kwargs"]["verify"] is False
    assert sent["kwargs"]["timeout"] == 3.5
    assert sent["kwargs"]["proxies"] == {}


def run_ansible(tmp_path, expression, config, **environment):
    """Run an ad hoc task on the controller with ``config`` as ansible.cfg."""
    (tmp_path / "ansible.cfg").write_text(textwrap.dedent(config))
    env = dict(os.environ, ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT,
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_NOCOLOR="1", **environment)
    done = subprocess.run(
        [sys.executable, "-c", "from ansible.cli.adhoc import main; main()",
         "localhost", "-m", "ansible.builtin.debug", "-a", "msg=%s" % expression, "-o"],
        capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120, check=False,
    )
    return done.stdout + done.stderr


def test_ansible_cfg_is_read_and_the_environment_wins_over_it(tmp_path, emulator):
    closed = closed_port_url()
    config = """
        [spectrocloud_palette]
        host = %s
        ca_path = %s
        retries = 0
    """ % (closed, emulator.ca_path)
    expression = "{{ lookup('%s', 'acme') }}" % NAME

    from_ini = run_ansible(tmp_path, expression, config)
    assert "could not connect to Palette at %s: connection refused" % closed in from_ini

    from_env = run_ansible(tmp_path, expression, config, SPECTROCLOUD_HOST=emulator.url)
    assert '"msg": "%s"' % ACME_URL in from_env
    assert emulator.count == 1


def test_a_non_boolean_in_ansible_cfg_fails_naming_the_option_and_the_file(tmp_path):
    config = """
        [spectrocloud_palette]
        validate_certs = maybe
    """
    output = run_ansible(tmp_path, "{{ lookup('%s', 'acme') }}" % NAME, config)
    source = "section [spectrocloud_palette] of %s" % (tmp_path / "ansible.cfg")
    assert "validate_certs: 'maybe' (from %s) is not a boolean" % source in output


def test_a_thousand_references_in_one_template_make_one_request(emulator):
    variables = {"palette_host": emulator.url, "palette_ca_path": emulator.ca_path}
    text = render("{%% for i in range(1000) %%}{{ lookup('%s', 'acme') }}\n{%% endfor %%}"
                  % NAME, **variables)
    assert text.splitlines() == [ACME_URL] * 1000
    assert emulator.count == 1


def test_calls_with_other_options_or_orgs_are_not_shared(transport):
    adapter = transport(reply(body=GOOD_BODY))
    run_lookup("demo-org", host=HOST)
    run_lookup("demo-org", host=HOST)
    run_lookup("demo-org", host=HOST, api_key=API_KEY)
    run_lookup("demo-org", host=HOST, api_key="another-key")
    run_lookup("other-org", host=HOST)
    run_lookup("demo-org", host="sink.example.test")
    assert len(adapter.sent) == 5


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_an_answer_is_reused_for_five_seconds_so_until_loops_see_changes(transport, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(plugin, "_now", clock)
    changed = dict(GOOD_BODY, redirectUrl="https://changed.example.test/login")
    adapter = transport(reply(body=GOOD_BODY), reply(body=changed))
    assert run_lookup("demo-org", host=HOST) == [GOOD_BODY["redirectUrl"]]
    clock.now += 4.9
    assert run_lookup("demo-org", host=HOST) == [GOOD_BODY["redirectUrl"]]
    assert len(adapter.sent) == 1
    clock.now += 0.2  # an `until` retry with the default delay of 5 s
    assert run_lookup("demo-org", host=HOST) == ["https://changed.example.test/login"]
    assert len(adapter.sent) == 2


@pytest.mark.parametrize("how", ["keyword", "variable"])
def test_a_null_host_is_refused_not_read_as_palette_saas(transport, how):
    adapter = transport(reply(body=GOOD_BODY))
    with pytest.raises(AnsibleLookupError) as caught:
        if how == "keyword":
            run_lookup("demo-org", host=None)
        else:
            run_lookup("demo-org", variables={"palette_host": None})
    assert caught.value.message.startswith("host: '' is not a host; expected a host name")
    assert adapter.sent == []


@pytest.mark.parametrize("how", ["keyword", "variable"])
def test_an_empty_ca_path_means_the_default_trust_as_for_the_module(transport, how):
    adapter = transport(reply(body=GOOD_BODY))
    if how == "keyword":
        run_lookup("demo-org", host=HOST, ca_path="")
    else:
        run_lookup("demo-org", host=HOST, variables={"palette_ca_path": "  "})
    assert adapter.sent[0]["kwargs"]["verify"] is True


def test_the_process_memo_holds_the_api_key_only_as_a_digest(transport):
    transport(reply(body=GOOD_BODY))
    run_lookup("demo-org", host=HOST, api_key=API_KEY)
    assert len(plugin._ANSWERS) == 1
    assert API_KEY not in repr(plugin._ANSWERS)


def test_failures_are_not_remembered(transport):
    adapter = transport(reply(status=503, body={"code": "Busy"}), reply(body=GOOD_BODY))
    with pytest.raises(AnsibleLookupError):
        run_lookup("demo-org", host=HOST, retries=0)
    assert run_lookup("demo-org", host=HOST, retries=0) == [DEMO_URL]
    assert len(adapter.sent) == 2


def test_validate_certs_false_warns_once_per_process(transport, warnings):
    transport(reply(body=GOOD_BODY))
    for org in ("demo-org", "demo-org", "other-org"):
        run_lookup(org, host=HOST, validate_certs=False)
    assert warnings == [
        "validate_certs is false: the TLS certificate of the Palette API is not verified"
    ]


def test_no_option_or_header_is_printed_at_any_verbosity(capsys, monkeypatch, transport):
    monkeypatch.setattr(plugin.display, "verbosity", 5)
    transport(reply(body=GOOD_BODY), reply(status=401, body={"message": "key " + API_KEY}))
    proxy = "http://u:pw-9d1@proxy.test:3128"
    run_lookup("demo-org", host=HOST, api_key=API_KEY, proxy=proxy)
    with pytest.raises(AnsibleLookupError):
        run_lookup("other-org", host=HOST, api_key=API_KEY)
    output = capsys.readouterr()
    text = output.out + output.err
    assert "palette_redirect_url: GET %s/v1/auth/org?orgName=demo-org" % HOST in text
    for secret in (API_KEY, "pw-9d1", "ApiKey"):
        assert secret not in text


def test_a_braced_url_comes_back_literally_and_is_never_templated(monkeypatch, transport):
    monkeypatch.setenv("D09_CANARY", "TEMPLATED-D09")
    braced = "https://demo-org.sso.example.test/login?t={{lookup('env','D09_CANARY')}}"
    transport(reply(body=dict(GOOD_BODY, redirectUrl=braced)))
    for expression, expected in (
        ("{{ lookup('%s', 'demo-org') }}", braced),
        ("{{ query('%s', 'demo-org') }}", [braced]),
        ("{{ [lookup('%s', 'demo-org')] | first }}", braced),
    ):
        assert render(expression % NAME, palette_host=HOST) == expected


def test_the_collection_never_opts_out_of_unsafe_lookup_results():
    root = os.path.join(COLLECTIONS_ROOT, "ansible_collections", "spectrocloud", "palette")
    for top in ("plugins", "roles"):
        for folder, _dirs, files in os.walk(os.path.join(root, top)):
            for name in files:
                with open(os.path.join(folder, name), "rb") as handle:
                    assert b"allow_unsafe" not in handle.read(), os.path.join(folder, name)


def test_the_file_cache_shares_an_answer_across_processes_memories(tmp_path, emulator):
    options = on_emulator(emulator, cache_ttl=60, cache_dir=str(tmp_path / "cache"),
                          api_key=API_KEY)
    assert run_lookup("acme", **options) == [ACME_URL]
    plugin._ANSWERS.clear()  # as a new worker process would start
    assert run_lookup("acme", **options) == [ACME_URL]
    assert emulator.count == 1
    assert API_KEY.encode() not in cache_contents(tmp_path / "cache")


def test_without_cache_ttl_nothing_is_written(tmp_path, emulator):
    run_lookup("acme", cache_dir=str(tmp_path / "cache"), **on_emulator(emulator))
    assert not (tmp_path / "cache").exists()


def test_cache_options_come_from_variables_and_bad_ttls_fail(tmp_path, emulator):
    variables = {"palette_cache_ttl": "60", "palette_cache_dir": str(tmp_path / "cache")}
    run_lookup("acme", variables=variables, **on_emulator(emulator))
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1

    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("acme", cache_ttl=-1, **on_emulator(emulator))
    assert caught.value.message == (
        "cache_ttl: -1 is not valid; expected 0 (no file cache) or a number of seconds"
    )
    with pytest.raises(AnsibleError) as caught:
        run_lookup("acme", cache_ttl="soon", **on_emulator(emulator))
    assert "cache_ttl" in caught.value.message


def test_the_default_cache_dir_is_beside_ansibles_local_temporary_directory():
    lookup = lookup_loader.get(NAME)
    lookup.set_options(var_options={}, direct={})
    assert lookup._cache_dir({}, {}) == os.path.join(
        os.path.dirname(plugin.C.DEFAULT_LOCAL_TMP), "spectrocloud_palette_lookup"
    )


@pytest.mark.parametrize("source", ["keyword", "variable"])
def test_an_empty_cache_dir_is_the_default_not_the_current_directory(
        tmp_path, monkeypatch, emulator, source):
    # Ansible's path type turns "" into the current directory: a playbook checkout.
    checkout = tmp_path / "playbooks"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    monkeypatch.setattr(plugin.C, "DEFAULT_LOCAL_TMP", str(tmp_path / "ansible" / "local-1"))
    options = on_emulator(emulator, cache_ttl=60)
    if source == "keyword":
        assert run_lookup("acme", cache_dir="", **options) == [ACME_URL]
    else:
        assert run_lookup("acme", variables={"palette_cache_dir": ""}, **options) == [ACME_URL]
    assert os.listdir(checkout) == []
    assert len(os.listdir(tmp_path / "ansible" / "spectrocloud_palette_lookup")) == 2


def _lookup_in_a_fork(options, results):
    try:
        results.put(run_lookup("acme", api_key=API_KEY, **options))
    except Exception as exc:  # pylint: disable=broad-exception-caught
        results.put(repr(exc))


def test_forked_workers_started_at_once_make_one_request(tmp_path, emulator):
    # Latency keeps the first request open while the other workers arrive.
    emulator.set_faults(default={"latency": 0.5})
    options = on_emulator(emulator, cache_ttl=60, cache_dir=str(tmp_path / "cache"))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_lookup_in_a_fork, args=(options, results))
               for _index in range(6)]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=60) for _worker in workers]
    for worker in workers:
        worker.join(timeout=60)

    assert answers == [[ACME_URL]] * 6
    assert emulator.count == 1
    assert API_KEY.encode() not in cache_contents(tmp_path / "cache")


def test_a_missing_library_is_reported_with_the_standard_message(monkeypatch):
    monkeypatch.setattr(plugin, "missing_library", lambda: ("voluptuous", "tb"))
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup("acme")
    message = caught.value.message
    assert "Failed to import the required Python library (voluptuous)" in message


def test_a_variable_that_is_itself_a_template_is_rendered_first(emulator):
    variables = {
        "palette_host": trust_as_template("{{ emulator_url }}"),
        "palette_ca_path": trust_as_template("{{ emulator_ca }}"),
        "emulator_url": emulator.url,
        "emulator_ca": emulator.ca_path,
    }
    assert render("{{ lookup('%s', 'acme') }}" % NAME, **variables) == ACME_URL
