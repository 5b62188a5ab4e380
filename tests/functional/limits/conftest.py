"""Fixtures for the rate-limit tests: the real Redis (db 11 only) and apps with limits set."""

from collections.abc import Callable, Iterator

import flask_migrate
import pytest
import redis
from flask import Flask

from tests.fixtures.app import app_with_tables

# The Redis db number these tests own: flushed before each test that uses it.
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    server = redis.Redis(host="127.0.0.1", port=6379, db=11)
    server.flushdb()
    yield server
    server.close()


@pytest.fixture
def limited_app(app_env) -> Callable[..., Flask]:
    """Build an app with these settings and its tables; `ready`: stamped as the latest schema,
    for /readyz (Alembic then reconfigures logging: build it after any caplog assertion)."""

    def build(ready: bool = False, **settings: str) -> Flask:
        flask_app = app_with_tables({**app_env, **settings})
        if ready:
            with flask_app.app_context():
                flask_migrate.stamp()
        return flask_app

    return build
