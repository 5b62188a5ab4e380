"""Share delivery helpers: mail goes to the real SMTP sink, QR codes are read back by zbarimg."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.shares.service import CreatedShare
from app.users.models import Role, User
from tests.fixtures.app import PASSWORD

CLINIC = "Clinique du Lac"
DOCTOR = "doctor@example.org"


@pytest.fixture
def app_env(app_env: dict[str, str], smtp_sink) -> dict[str, str]:
    """Every share test sends its e-mails through the real SMTP sink."""
    return {**app_env, "CLINIC_NAME": CLINIC, **smtp_sink.settings}


@pytest.fixture
def doctor(logged_in_client: FlaskClient, app: Flask) -> User:
    """The clinician `logged_in_client` is logged in as."""
    with app.app_context():
        user = User.find_by_email(DOCTOR)
        db.session.expunge(user)
        return user


@pytest.fixture
def ct_study_id(demo_study) -> str:
    """The demo CT of MÜLLER, HANS (born 1958-03-14)."""
    return demo_study("DEMO0001").orthanc_id


@pytest.fixture
def doctor_share(make_share, doctor, ct_study_id) -> Callable[..., CreatedShare]:
    """A share of the demo CT owned by the logged-in doctor."""

    def make(**options) -> CreatedShare:
        return make_share([ct_study_id], owner=doctor, **options)

    return make


def login(client: FlaskClient, email: str) -> FlaskClient:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def client_as(app: Flask, make_user) -> Callable[..., FlaskClient]:
    """A new client logged in as a new user with this e-mail and role."""

    def make(email: str, role: Role = Role.CLINICIAN) -> FlaskClient:
        make_user(email, role=role)
        return login(app.test_client(), email)

    return make


def secret_form(created: CreatedShare, **extra: str) -> dict[str, str]:
    """What the share-created page posts: the link secret, plus any extra field."""
    return {"secret": created.secret, **extra}


def link_of(app: Flask, created: CreatedShare) -> str:
    with app.app_context():
        return created.link


def audit_events(app: Flask, created: CreatedShare, kind: str) -> list[AuditEvent]:
    with app.app_context():
        share = db.session.scalar(db.select(Share).filter_by(public_id=created.share.public_id))
        return list(db.session.scalars(db.select(AuditEvent).filter_by(share=share, kind=kind)))


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def decode_qr(png: bytes, tmp_path: Path) -> str:
    """The text of the one QR code in a PNG, read by zbarimg (Debian's zbar-tools)."""
    if shutil.which("zbarimg") is None:
        pytest.fail("zbarimg is missing: run `make setup` (Debian package zbar-tools).")
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    result = subprocess.run(
        ["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()
