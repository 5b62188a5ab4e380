"""Rotating SECRET_KEY: with the old key in SECRET_KEY_FALLBACKS, what was made under it still
works and new values use the new key; without it, they stop working."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.shares.birth_dates import hash_birth_date
from app.shares.links import share_by_code
from app.shares.models import ChallengeKind, Share
from app.shares.secret_keys import Purpose, current_key
from app.shares.service import CreatedShare
from app.shares.tokens import hash_access_code
from app.shares.viewer_tokens import ViewerTokenError, decode_viewer_token, mint_viewer_token
from app.users.models import User
from config import DevelopmentConfig, TestConfig
from tests.fixtures.app import PASSWORD, app_with_tables
from tests.fixtures.shares import share_in_app

OLD, NEW = "old-secret-key-" + "o" * 32, "new-secret-key-" + "n" * 32
CONSOLE_COOKIE = "studyshare"


def test_fallbacks_are_parsed_into_a_tuple_and_derive_verifying_viewer_keys():
    config = DevelopmentConfig({"SECRET_KEY": NEW, "SECRET_KEY_FALLBACKS": f" {OLD} ,, x"})
    assert config.SECRET_KEY_FALLBACKS == (OLD, "x")
    alone = DevelopmentConfig({"SECRET_KEY": NEW}).VIEWER_TOKEN_KEYS
    was = DevelopmentConfig({"SECRET_KEY": OLD}).VIEWER_TOKEN_KEYS
    keys = list(config.VIEWER_TOKEN_KEYS.items())
    assert len(keys) == 3
    assert keys[0] == next(iter(alone.items()))  # the current key signs
    assert keys[1] == next(iter(was.items()))
    assert DevelopmentConfig({}).SECRET_KEY_FALLBACKS == ()


def test_the_keys_of_hashes_stored_before_fallbacks_existed_are_unchanged():
    """Access codes and viewer tokens made by earlier releases must still match."""
    earlier = hmac.new(OLD.encode(), b"studyshare access codes", hashlib.sha256).hexdigest()
    flask_app = create_app(TestConfig({"SECRET_KEY": OLD, "DATABASE_URL": "sqlite://"}))
    with flask_app.app_context():
        assert current_key(Purpose.ACCESS_CODES) == earlier.encode()
    [viewer_key] = DevelopmentConfig({"SECRET_KEY": OLD}).VIEWER_TOKEN_KEYS.values()
    assert viewer_key == hmac.new(OLD.encode(), b"viewer tokens", hashlib.sha256).digest()


@pytest.fixture
def app_with_keys(app_env) -> Iterator[Callable[..., Flask]]:
    """Apps on one database, each started with its own SECRET_KEY (and fallbacks)."""
    made: list[Flask] = []

    def make(secret_key: str, fallbacks: str = "") -> Flask:
        env = {**app_env, "SECRET_KEY": secret_key, "SECRET_KEY_FALLBACKS": fallbacks}
        made.append(app_with_tables(env))
        return made[-1]

    yield make
    for flask_app in made:
        with flask_app.app_context():
            db.engine.dispose()


@pytest.fixture
def before_rotation(app_with_keys, demo_study) -> tuple[CreatedShare, str, str]:
    """A share with an access code and a birth date, a console login and a viewer token,
    all made under the old key."""
    old_app = app_with_keys(OLD)
    created = share_in_app(
        old_app,
        [demo_study("DEMO0004").orthanc_id],
        access_code=True,
        challenge=ChallengeKind.BIRTH_DATE,
    )
    with old_app.app_context():
        user = User(email="doctor@example.org", name="Dr Example")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        token = mint_viewer_token(db.session.get(Share, created.share.id))
    client = old_app.test_client()
    login = client.post("/login", data={"email": "doctor@example.org", "password": PASSWORD})
    assert login.status_code == 302
    return created, client.get_cookie(CONSOLE_COOKIE).value, token


def with_cookie(flask_app: Flask, cookie: str) -> FlaskClient:
    client = flask_app.test_client()
    client.set_cookie(CONSOLE_COOKIE, cookie)
    return client


def opens_with_code(flask_app: Flask, code: str) -> bool:
    client = flask_app.test_client()
    if client.post("/code", data={"code": code}).status_code != 303:
        return False
    answered = client.post("/code/challenge", data={"birth_date": "29/02/1972"})
    return answered.status_code == 303 and client.get("/v/").status_code == 200


def test_with_the_old_key_as_fallback_everything_made_before_still_works(
    app_with_keys, before_rotation, demo_study
):
    created, cookie, token = before_rotation
    rotated = app_with_keys(NEW, OLD)

    assert with_cookie(rotated, cookie).get("/account/password").status_code == 200
    assert opens_with_code(rotated, created.access_code)
    client = rotated.test_client()
    opened = client.post(f"/s/{created.secret}", data={"birth_date": "29/02/1972"})
    assert opened.status_code == 303
    with rotated.app_context():
        assert decode_viewer_token(token).share_public_id == created.share.public_id

    doe = demo_study("DEMO0004").orthanc_id
    new = share_in_app(rotated, [doe], access_code=True, challenge=ChallengeKind.BIRTH_DATE)
    with rotated.app_context():
        stored = db.session.get(Share, new.share.id)
        assert stored.access_code_hash == hash_access_code(
            new.access_code, current_key(Purpose.ACCESS_CODES)
        )
        assert stored.birth_date_hash == hash_birth_date("19720229")
        assert share_by_code(new.access_code).id == new.share.id
    with app_with_keys(OLD).app_context():  # the old key alone does not know them
        assert share_by_code(new.access_code) is None
        assert stored.birth_date_hash != hash_birth_date("19720229")


def test_without_the_fallback_what_was_made_under_the_old_key_stops_working(
    app_with_keys, before_rotation
):
    created, cookie, token = before_rotation
    rotated = app_with_keys(NEW)

    assert with_cookie(rotated, cookie).get("/account/password").status_code == 302
    client = rotated.test_client()
    assert client.post("/code", data={"code": created.access_code}).status_code == 400
    refused = client.post(f"/s/{created.secret}", data={"birth_date": "29/02/1972"})
    assert refused.status_code == 400
    with rotated.app_context(), pytest.raises(ViewerTokenError):
        decode_viewer_token(token)
