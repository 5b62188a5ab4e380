"""API fixtures: keys made through the real key service, and their Authorization headers."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask

from app.api_keys.keys import create_key
from app.api_keys.models import Scope
from app.extensions import db
from app.users.models import Role, User

ALL_SCOPES = tuple(scope.value for scope in Scope)


@dataclass(frozen=True)
class Key:
    id: int
    key: str
    owner_email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def key_in_app(
    flask_app: Flask, scopes=ALL_SCOPES, *, owner_email: str | None = None, role=Role.CLINICIAN
) -> Key:
    """A key of a new (or the named) account, in any app."""
    with flask_app.app_context():
        owner = User.find_by_email(owner_email) if owner_email else None
        if owner is None:
            owner = User(
                email=owner_email or f"ris-{secrets.token_hex(4)}@example.org",
                name="RIS service",
                role=role,
            )
            owner.set_password("a long enough password")
            db.session.add(owner)
            db.session.commit()
        created = create_key(f"RIS {secrets.token_hex(4)}", owner, scopes)
        return Key(created.api_key.id, created.key, owner.email)


@pytest.fixture
def make_key(app: Flask) -> Callable[..., Key]:
    """Make an API key in the `app` fixture's database."""
    return lambda scopes=ALL_SCOPES, **kwargs: key_in_app(app, scopes, **kwargs)


@pytest.fixture
def api_key(make_key) -> Key:
    """A key with every scope, owned by a clinician."""
    return make_key()


def smallest_create(study_id: str) -> dict:
    return {"studies": [study_id], "expires_in_days": 15, "challenge": "none"}
