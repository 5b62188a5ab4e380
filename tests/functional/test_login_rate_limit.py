"""Failed logins are limited per account and per IP, in memory and in the real Redis."""

import secrets

import pytest
import redis

from app.extensions import db
from app.users.models import User
from tests.fixtures.app import PASSWORD, app_with_tables


def create_user(flask_app, email):
    with flask_app.app_context():
        user = User(email=email, name="Dr Example")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def fail_login(client, email, ip="192.0.2.10"):
    return client.post(
        "/login",
        data={"email": email, "password": "not the password"},
        environ_base={"REMOTE_ADDR": ip},
    )


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, app_env):
    storage = "memory://" if request.param == "memory" else "redis://127.0.0.1:6379/0"
    env = {
        **app_env,
        "RATELIMIT_STORAGE_URI": storage,
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
        "LOGIN_LIMIT_PER_IP": "5 per 15 minutes",
    }
    flask_app = app_with_tables(env)
    return flask_app


def test_an_account_is_limited_after_repeated_failures(limited_app):
    # Unique per run: the Redis server outlives the test session.
    email = f"doctor-{secrets.token_hex(4)}@example.org"
    ip = f"198.51.100.{secrets.randbelow(250) + 1}"
    client = limited_app.test_client()
    create_user(limited_app, email)
    for _ in range(3):
        assert fail_login(client, email, ip).status_code == 400
    blocked = fail_login(client, email, f"203.0.113.{secrets.randbelow(250) + 1}")
    assert blocked.status_code == 429
    assert "Too many failed log-in attempts" in blocked.text
    # Even the right password waits: that is what stops guessing.
    right = client.post("/login", data={"email": email, "password": PASSWORD})
    assert right.status_code == 429


def test_an_ip_is_limited_across_accounts(limited_app):
    ip = f"198.18.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    client = limited_app.test_client()
    for _ in range(5):
        email = f"guess-{secrets.token_hex(4)}@example.org"
        assert fail_login(client, email, ip).status_code == 400
    assert fail_login(client, "another@example.org", ip).status_code == 429


def test_successful_logins_are_not_counted(limited_app):
    email = f"ok-{secrets.token_hex(4)}@example.org"
    create_user(limited_app, email)
    for _ in range(6):
        client = limited_app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302


def test_the_redis_storage_really_holds_the_counts(app_env):
    """Not the in-memory fallback: the counter is in the Redis server other workers share."""
    env = {**app_env, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    flask_app = app_with_tables(env)
    email = f"counted-{secrets.token_hex(4)}@example.org"
    assert fail_login(flask_app.test_client(), email).status_code == 400
    server = redis.Redis(host="127.0.0.1", port=6379, db=0)
    try:
        keys = list(server.scan_iter(match=f"*login-account:{email}*"))
        assert keys, "no counter for this account in Redis"
        assert all(int(server.get(key)) == 1 for key in keys)
    finally:
        server.close()
