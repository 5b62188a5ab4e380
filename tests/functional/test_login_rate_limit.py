"""Failed logins are limited without letting strangers lock a clinician out, in memory and in
the real Redis (db 11, keys unique per run)."""

import secrets

import pytest
import redis

from app.extensions import db
from app.rate_limits.trusted_browsers import account_digest
from app.users.models import User
from tests.fixtures.app import PASSWORD, app_with_tables

REDIS_URL = "redis://127.0.0.1:6379/11"
BROWSER_COOKIE = "studyshare-browser"  # the test profile's cookies are not Secure: no __Host-
WRONG = "not the password"


def create_user(flask_app, email):
    with flask_app.app_context():
        user = User(email=email, name="Dr Example")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def login(client, email, ip, password=WRONG):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def an_ip() -> str:
    return f"198.18.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def build(app_env, storage="memory://"):
    env = {
        **app_env,
        "RATELIMIT_STORAGE_URI": storage,
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": "3 per 15 minutes",
        "LOGIN_LIMIT_PER_ACCOUNT": "6 per 15 minutes",
        "LOGIN_LIMIT_PER_IP": "8 per 15 minutes",
    }
    return app_with_tables(env)


@pytest.fixture
def limited_app(app_env):
    return build(app_env)


@pytest.fixture(params=["memory", "redis"])
def each_storage_app(request, app_env):
    # The rules that matter most, in both storages; the others once, in memory.
    return build(app_env, "memory://" if request.param == "memory" else REDIS_URL)


def make_email(flask_app) -> str:
    # Unique per run: the Redis server outlives the test session.
    address = f"doctor-{secrets.token_hex(4)}@example.org"
    create_user(flask_app, address)
    return address


@pytest.fixture
def email(limited_app):
    return make_email(limited_app)


def use_up_the_accounts_limit(flask_app, email):
    """Six failures from three other addresses: untrusted browsers now wait."""
    attacker = flask_app.test_client()
    for _ in range(3):
        ip = an_ip()
        assert [login(attacker, email, ip).status_code for _ in range(2)] == [400, 400]
    assert login(attacker, email, an_ip()).status_code == 429


def trusted_browser(flask_app, email, ip):
    """A client that logged in to `email` once from `ip`, then lost its session."""
    first = flask_app.test_client()
    assert login(first, email, ip, PASSWORD).status_code == 302
    browser = flask_app.test_client()
    browser.set_cookie(BROWSER_COOKIE, first.get_cookie(BROWSER_COOKIE).value)
    return browser


def test_one_address_guessing_one_account_is_stopped(each_storage_app):
    limited_app = each_storage_app
    email = make_email(limited_app)
    client, ip = limited_app.test_client(), an_ip()
    assert [login(client, email, ip).status_code for _ in range(4)] == [400, 400, 400, 429]
    blocked = login(client, email, ip, PASSWORD)
    assert blocked.status_code == 429  # even the right password waits: that stops guessing
    assert "Too many failed log-in attempts" in blocked.text
    assert login(client, email, an_ip(), PASSWORD).status_code == 302  # another address


def test_failures_elsewhere_never_stop_the_clinicians_own_browser(each_storage_app):
    limited_app = each_storage_app
    email = make_email(limited_app)
    clinician_ip = an_ip()
    browser = trusted_browser(limited_app, email, clinician_ip)
    use_up_the_accounts_limit(limited_app, email)
    untrusted = limited_app.test_client()
    assert login(untrusted, email, clinician_ip, PASSWORD).status_code == 429  # it waits
    assert login(browser, email, clinician_ip, PASSWORD).status_code == 302


def test_a_trusted_browser_is_limited_on_its_own(limited_app, email):
    ip = an_ip()
    browser = trusted_browser(limited_app, email, ip)
    assert [login(browser, email, ip).status_code for _ in range(4)] == [400, 400, 400, 429]


def test_a_cookie_trusts_a_browser_for_its_own_account_only(limited_app, email):
    other = make_email(limited_app)
    ip = an_ip()
    browser = trusted_browser(limited_app, other, ip)
    forged = limited_app.test_client()
    forged.set_cookie(BROWSER_COOKIE, "eyJhY2NvdW50IjoiIn0.forged.signature")
    use_up_the_accounts_limit(limited_app, email)
    assert login(browser, email, ip, PASSWORD).status_code == 429
    assert login(forged, email, ip, PASSWORD).status_code == 429


def test_an_ip_is_limited_across_accounts(limited_app):
    client, ip = limited_app.test_client(), an_ip()
    for _ in range(8):
        assert login(client, f"guess-{secrets.token_hex(4)}@example.org", ip).status_code == 400
    assert login(client, "another@example.org", ip).status_code == 429


def test_the_limit_does_not_tell_which_accounts_exist(limited_app, email):
    ip = an_ip()
    nobody = f"nobody-{secrets.token_hex(4)}@example.org"
    for address in (email, nobody):
        client = limited_app.test_client()
        assert [login(client, address, ip).status_code for _ in range(4)] == [400, 400, 400, 429]


def test_successful_logins_are_not_counted(limited_app, email):
    ip = an_ip()
    for _ in range(5):
        assert login(limited_app.test_client(), email, ip, PASSWORD).status_code == 302


def test_the_redis_storage_really_holds_the_counts(app_env):
    """Not the in-memory fallback: the counter is in the Redis server other workers share."""
    flask_app = app_with_tables({**app_env, "RATELIMIT_STORAGE_URI": REDIS_URL})
    email = f"counted-{secrets.token_hex(4)}@example.org"
    assert login(flask_app.test_client(), email, an_ip()).status_code == 400
    server = redis.Redis(host="127.0.0.1", port=6379, db=11)
    try:
        keys = list(server.scan_iter(match=f"*login-account:{account_digest(email)}*"))
        assert keys, "no counter for this account in Redis"
        assert all(int(server.get(key)) == 1 for key in keys)
        assert not list(server.scan_iter(match=f"*{email}*")), "addresses stay out of Redis"
    finally:
        server.close()


def test_the_trust_cookie_is_http_only_and_names_no_address(limited_app, email):
    response = login(limited_app.test_client(), email, an_ip(), PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if BROWSER_COOKIE in c)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert email not in cookie
