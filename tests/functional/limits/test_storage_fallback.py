"""Redis down: the limits go on in memory, the log says so once, /readyz warns (and stays 200)."""

import logging

from app.rate_limits.storage import UNREACHABLE
from tests.fixtures.postgres import closed_port
from tests.functional.limits.conftest import REDIS_URL


def fail_login(client, email="someone@example.org"):
    return client.post(
        "/login",
        data={"email": email, "password": "not the password"},
        environ_base={"REMOTE_ADDR": "198.51.100.5"},
    )


def test_an_unreachable_redis_limits_in_memory_and_says_so_once(limited_app, caplog):
    flask_app = limited_app(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/11",
        LOGIN_LIMIT_PER_ACCOUNT_ADDRESS="3 per 15 minutes",
    )
    client = flask_app.test_client()
    caplog.set_level(logging.INFO)
    assert [fail_login(client).status_code for _ in range(4)] == [400, 400, 400, 429]
    told = [r for r in caplog.records if r.name == "app.rate_limits.storage"]
    assert [(r.levelname, r.message) for r in told] == [("WARNING", f"Rate limits: {UNREACHABLE}")]


def test_readyz_warns_while_redis_does_not_answer(limited_app):
    flask_app = limited_app(ready=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}")
    ready = flask_app.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "ok"
    assert ready.json["checks"]["rate_limits"] == {
        "ok": True,
        "counting": "per instance",
        "warning": UNREACHABLE,
    }
    assert UNREACHABLE in ready.json["warnings"]


def test_readyz_says_the_limits_are_shared_with_a_working_redis(limited_app, redis_db):
    flask_app = limited_app(ready=True, RATELIMIT_STORAGE_URI=REDIS_URL)
    client = flask_app.test_client()
    assert fail_login(client).status_code == 400
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"]["rate_limits"] == {"ok": True, "counting": "shared"}
    assert "warnings" not in ready.json
    assert any(b"login-account-address" in key for key in redis_db.scan_iter())
