"""A PROXY_FIX_HOPS that does not match the requests is logged once, without header values."""

import logging

import pytest

from app.rate_limits.proxies import CHAIN_SHORTER_THAN_HOPS, FORWARDED_WITHOUT_HOPS


def client_warnings(caplog) -> list[str]:
    return [r.message for r in caplog.records if r.message.startswith("Client addresses:")]


@pytest.mark.parametrize(
    ("hops", "forwarded_for", "expected"),
    [
        ("0", "198.51.100.77", FORWARDED_WITHOUT_HOPS),
        ("1", None, CHAIN_SHORTER_THAN_HOPS % 1),
        ("2", "198.51.100.77", CHAIN_SHORTER_THAN_HOPS % 2),
    ],
    ids=["forwarded while 0", "no chain for 1 hop", "one entry for 2 hops"],
)
def test_a_mismatch_is_logged_once(limited_app, caplog, hops, forwarded_for, expected):
    client = limited_app(PROXY_FIX_HOPS=hops).test_client()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        assert client.get("/login", headers=headers).status_code == 200
    assert client_warnings(caplog) == [f"Client addresses: {expected}"]
    assert "198.51.100.77" not in caplog.text


@pytest.mark.parametrize(("hops", "forwarded_for"), [("0", None), ("1", "198.51.100.77")])
def test_a_matching_setup_logs_nothing(limited_app, caplog, hops, forwarded_for):
    client = limited_app(PROXY_FIX_HOPS=hops).test_client()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    caplog.set_level(logging.WARNING)
    assert client.get("/login", headers=headers).status_code == 200
    assert client_warnings(caplog) == []


def test_probes_that_skip_the_proxy_are_not_a_mismatch(limited_app, caplog):
    client = limited_app(PROXY_FIX_HOPS="1").test_client()
    caplog.set_level(logging.WARNING)
    assert client.get("/healthz").status_code == 200
    assert client_warnings(caplog) == []


def test_the_trusted_hop_names_the_client_the_limits_count(limited_app):
    flask_app = limited_app(PROXY_FIX_HOPS="1", LOGIN_LIMIT_PER_IP="2 per hour")
    client = flask_app.test_client()
    proxied = {"X-Forwarded-For": "198.51.100.77"}
    for n in range(2):
        data = {"email": f"nobody-{n}@example.org", "password": "not it"}
        assert client.post("/login", data=data, headers=proxied).status_code == 400
    data = {"email": "nobody-else@example.org", "password": "not it"}
    assert client.post("/login", data=data, headers=proxied).status_code == 429
    other = {"X-Forwarded-For": "198.51.100.78"}
    assert client.post("/login", data=data, headers=other).status_code == 400
