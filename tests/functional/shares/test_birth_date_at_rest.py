"""Birth dates are stored only as a keyed hash; the migration converts the clear ones."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from app.patient.access import answer_matches
from app.shares.birth_dates import hash_birth_date
from app.shares.models import ChallengeKind, Share
from app.shares.tokens import hash_link_secret
from config import TestConfig
from tests.fixtures.postgres import fresh_database
from tests.fixtures.shares import share_in_app

DOE_BORN = date(1972, 2, 29)  # DEMO0004, DOE^JANE
BEFORE_HASHES = "b3f1c2d4e5a6"
HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def test_the_table_holds_no_clear_birth_date(each_database_app, demo_study):
    created = share_in_app(
        each_database_app,
        [demo_study("DEMO0004").orthanc_id],
        challenge=ChallengeKind.BIRTH_DATE,
        birth_date=date(1972, 3, 1),  # the clinician's entry wins over the archive's
    )
    with each_database_app.app_context():
        columns = {column["name"] for column in inspect(db.engine).get_columns("shares")}
        row = db.session.execute(
            text("SELECT * FROM shares WHERE public_id = :id"), {"id": created.share.public_id}
        ).one()
        assert "birth_date" not in columns
        assert HEX_DIGEST.fullmatch(row.birth_date_hash)
        assert row.birth_date_hash == hash_birth_date("19720301")
        stored = " ".join(str(value) for value in row)
        for written in ("19720301", "1972-03-01", "19720229", "1972-02-29"):
            assert written not in stored


def test_the_challenge_accepts_the_date_and_refuses_others(app, client, demo_study):
    doe = demo_study("DEMO0004").orthanc_id
    link = f"/s/{share_in_app(app, [doe], challenge=ChallengeKind.BIRTH_DATE).secret}"
    assert client.post(link, data={"birth_date": "01/03/1972"}).status_code == 400
    assert client.post(link, data={"birth_date": "29/02/1972"}).status_code == 303
    assert client.get("/v/").status_code == 200


@pytest.fixture(params=["sqlite", "postgresql"])
def database_before_hashes(request, tmp_path) -> Iterator[Flask]:
    """An app whose database was migrated up to the revision before the birth-date hashes."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'before.db'}"
        else:
            url = stack.enter_context(fresh_database("studyshare_birth_dates"))
        flask_app = create_app(TestConfig({"DATABASE_URL": url, "SECRET_KEY": "k" * 40}))
        with flask_app.app_context():
            upgrade(revision=BEFORE_HASHES)
            yield flask_app
            db.session.remove()
            db.engine.dispose()


def insert_clear_share(public_id: str, birth_date: str | None) -> None:
    """A share row as the revision before the hashes wrote it (raw SQL: the ORM has moved on)."""
    db.session.execute(
        text(
            "INSERT INTO shares (public_id, secret_hash, owner_id, created_at, challenge_kind,"
            " birth_date, failed_attempts, allow_download, anonymized, language, notify_owner,"
            " open_count, use_count) VALUES (:public_id, :secret_hash, 1, CURRENT_TIMESTAMP,"
            " 'birthdate', :birth_date, 0, TRUE, FALSE, 'en', FALSE, 0, 0)"
        ),
        {
            "public_id": public_id,
            "secret_hash": hash_link_secret(public_id.ljust(22, "x")),
            "birth_date": birth_date,
        },
    )


def test_the_migration_hashes_clear_birth_dates(database_before_hashes):
    db.session.execute(
        text(
            "INSERT INTO users (id, email, name, password_hash, role, active, created_at,"
            " session_epoch) VALUES (1, 'doctor@example.org', 'Dr', 'x', 'clinician', TRUE,"
            " CURRENT_TIMESTAMP, 0)"
        )
    )
    insert_clear_share("sh-dated", "19720229")
    insert_clear_share("sh-undated", None)
    db.session.commit()

    upgrade()

    rows = dict(db.session.execute(text("SELECT public_id, birth_date_hash FROM shares")).all())
    assert rows == {"sh-dated": hash_birth_date("19720229"), "sh-undated": None}
    share = Share.by_public_id("sh-dated")
    assert answer_matches(share, DOE_BORN, None)
    assert not answer_matches(share, date(1972, 3, 1), None)
    assert not answer_matches(share, None, None)
    assert not answer_matches(Share.by_public_id("sh-undated"), DOE_BORN, None)
    db.session.remove()

    downgrade(revision=BEFORE_HASHES)  # says so: the dates cannot come back
    values = db.session.execute(text("SELECT birth_date FROM shares")).scalars().all()
    assert values == [None, None]
