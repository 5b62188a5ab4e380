"""Console fixtures: log a given user in, and read users back from the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.users.models import Role, User
from tests.fixtures.app import PASSWORD


@pytest.fixture
def login_as() -> Callable[..., FlaskClient]:
    """Log `user` in on `client` through the real login form."""

    def login(client: FlaskClient, user: User, password: str = PASSWORD) -> FlaskClient:
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.text
        return client

    return login


@pytest.fixture
def admin(make_user) -> User:
    return make_user("admin@example.org", role=Role.ADMIN, name="Ada Admin")


@pytest.fixture
def admin_client(app: Flask, admin: User, login_as) -> FlaskClient:
    return login_as(app.test_client(), admin)


@pytest.fixture
def stored_user(app: Flask) -> Callable[[str], User | None]:
    """The user with this e-mail as the database has it now, detached."""

    def load(email: str) -> User | None:
        with app.app_context():
            user = User.find_by_email(email)
            if user is not None:
                db.session.expunge(user)
            return user

    return load
