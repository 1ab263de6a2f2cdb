# Copyright: (c) 2026, Spectro Cloud Palette collection contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.spectrocloud.palette.plugins.module_utils._errors import (
    PaletteOptionError,
)
from ansible_collections.spectrocloud.palette.plugins.module_utils._options import (
    ConnectionOptions,
    parse_host,
)


def options(**params):
    base = {"host": "palette.example.test", "validate_certs": True, "timeout": 10.0,
            "retries": 3, "use_proxy": True}
    base.update(params)
    return ConnectionOptions.from_params(base)


@pytest.mark.parametrize(
    "host, base_url",
    [
        ("api.spectrocloud.com", "https://api.spectrocloud.com"),
        ("API.SpectroCloud.com", "https://api.spectrocloud.com"),
        ("palette.example.test:8443", "https://palette.example.test:8443"),
        ("https://palette.example.test", "https://palette.example.test"),
        ("https://palette.example.test/", "https://palette.example.test"),
        ("https://palette.example.test:8443", "https://palette.example.test:8443"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("HTTPS://palette.example.test", "https://palette.example.test"),
        ("[::1]:8443", "https://[::1]:8443"),
        ("  palette.example.test  ", "https://palette.example.test"),
        ("bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_host_forms_become_one_base_url(host, base_url):
    assert parse_host(host) == base_url


@pytest.mark.parametrize(
    "host, expected",
    [
        ("https://palette.example.test/v1", "has a path, query or fragment"),
        ("palette.example.test/v1/auth/org", "has a path, query or fragment"),
        ("https://palette.example.test?orgName=x", "has a path, query or fragment"),
        ("https://palette.example.test#top", "has a path, query or fragment"),
        ("ftp://x", "the scheme 'ftp' of 'ftp://x' is not supported"),
        ("palette.example.test:99999", "is not a valid URL"),
        ("palette.example.test:0", "port 0"),
        ("bad host.example", "is not a valid host name"),
        ("", "is not a host"),
        ("https://", "has no host name"),
    ],
)
def test_bad_host_names_the_option_and_the_value(host, expected):
    with pytest.raises(PaletteOptionError) as caught:
        parse_host(host)
    assert caught.value.msg.startswith("host: ")
    assert expected in caught.value.msg


def test_host_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(PaletteOptionError) as caught:
        parse_host("https://admin:s3cret-pass@palette.example.test")
    assert "user name or password" in caught.value.msg
    assert "s3cret-pass" not in caught.value.msg


@pytest.mark.parametrize(
    "timeout", [-1, 0, float("inf"), float("nan"), "abc", True, 1e20, 3601]
)
def test_timeout_must_be_a_positive_number_up_to_an_hour(timeout):
    with pytest.raises(PaletteOptionError) as caught:
        options(timeout=timeout)
    assert caught.value.msg.startswith("timeout: ")
    assert "greater than 0 and at most 3600" in caught.value.msg


@pytest.mark.parametrize("host", ["", "   "])
def test_an_empty_host_is_an_error_not_palette_saas(host):
    with pytest.raises(PaletteOptionError) as caught:
        options(host=host)
    assert caught.value.msg.startswith("host: ")


def test_an_absent_host_means_palette_saas():
    assert options(host=None).base_url == "https://api.spectrocloud.com"


def test_a_bare_ipv6_address_gets_a_hint():
    with pytest.raises(PaletteOptionError) as caught:
        parse_host("::1")
    assert "write an IPv6 address in brackets" in caught.value.msg


@pytest.mark.parametrize("key", ["PLACEHOLDER-APIKEY-7f3a9c\n", "  PLACEHOLDER-APIKEY-7f3a9c "])
def test_surrounding_whitespace_of_the_api_key_is_dropped(key):
    assert options(api_key=key).api_key == "PLACEHOLDER-APIKEY-7f3a9c"


@pytest.mark.parametrize("key", ["PLACEHOLDER\r\nX-Evil: 1", "PLACEHOLDER 7f3a9c", "PLACEHOLDER漢"])
def test_an_api_key_a_header_cannot_carry_is_refused_without_echoing_it(key):
    with pytest.raises(PaletteOptionError) as caught:
        options(api_key=key)
    assert caught.value.msg.startswith("api_key: the value contains")
    assert "PLACEHOLDER" not in caught.value.msg


@pytest.mark.parametrize("retries", [-1, 11, "abc", 1.5, True])
def test_retries_must_be_a_small_whole_number(retries):
    with pytest.raises(PaletteOptionError) as caught:
        options(retries=retries)
    assert caught.value.msg.startswith("retries: ")
    assert "from 0 to 10" in caught.value.msg


def test_missing_ca_path_is_a_file_not_found_error(tmp_path):
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(PaletteOptionError) as caught:
        options(ca_path=missing)
    assert caught.value.msg.startswith("ca_path: file not found: ")
    assert missing in caught.value.msg


def test_ca_path_becomes_verify_and_wins_over_requests_ca_bundle(tmp_path, monkeypatch):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    elsewhere = tmp_path / "elsewhere.pem"
    elsewhere.write_text(bundle.read_text())
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(elsewhere))
    assert options(ca_path=str(bundle)).verify == str(bundle)
    assert options().verify == str(elsewhere)


def test_a_missing_requests_ca_bundle_is_named(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent.pem")
    with pytest.raises(PaletteOptionError) as caught:
        options()
    assert caught.value.msg.startswith(
        "environment variable REQUESTS_CA_BUNDLE: file not found: '/nonexistent.pem'"
    )


def test_ca_path_must_be_a_pem_file(tmp_path):
    with pytest.raises(PaletteOptionError) as caught:
        options(ca_path=str(tmp_path))
    assert "is a directory; expected a PEM file" in caught.value.msg
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(PaletteOptionError) as caught:
        options(ca_path=str(garbage))
    assert "holds no PEM certificate" in caught.value.msg


def test_validate_certs_false_turns_verification_off_and_ignores_ca_path():
    assert options(validate_certs=False, ca_path="/does/not/exist").verify is False


@pytest.mark.parametrize("value", ["no", "false", 0, None])
def test_validate_certs_must_already_be_a_boolean(value):
    # A string would reach requests as verify="no", which it reads as a CA bundle path.
    with pytest.raises(PaletteOptionError) as caught:
        options(validate_certs=value)
    assert caught.value.msg.startswith("validate_certs: ")


def test_use_proxy_false_means_no_proxies_at_all():
    assert options(use_proxy=False, proxy="http://proxy.example.test:3128").proxies == {}


def test_explicit_proxy_is_used_for_both_schemes():
    proxy = "http://proxy.example.test:3128"
    assert options(proxy=proxy).proxies == {"http": proxy, "https": proxy}


def test_no_proxy_option_leaves_the_environment_in_charge():
    assert options().proxies is None


def test_socks_proxies_are_refused_rather_than_failing_later():
    with pytest.raises(PaletteOptionError) as caught:
        options(proxy="socks5://127.0.0.1:1080")
    assert "not an http:// or https:// proxy URL" in caught.value.msg


@pytest.mark.parametrize("proxy", [
    "not a url:pa55word",
    "http://u:pa55word@[::1",            # urlsplit: Invalid IPv6 URL
    "http://u:pa55word@proxy.test:abc",  # a port that is no number
    "http://u:pa55word@proxy.test:99999",
])
def test_bad_proxy_is_refused_without_echoing_it(proxy):
    with pytest.raises(PaletteOptionError) as caught:
        options(proxy=proxy)
    assert caught.value.msg.startswith(
        "proxy: the value is not an http:// or https:// proxy URL with a valid host and port"
    )
    assert "pa55word" not in caught.value.msg
