"""Many parallel wrong answers lock the share after exactly CHALLENGE_MAX_ATTEMPTS."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import ChallengeKind, Share
from config import TestConfig
from tests.fixtures.shares import share_in_app

PARALLEL = 24


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_db_app(request, app_env):
    url = (
        app_env["DATABASE_URL"]
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    flask_app = create_app(
        TestConfig({**app_env, "DATABASE_URL": url, "CHALLENGE_LIMIT_PER_IP": "1000 per minute"})
    )
    flask_app.config["WTF_CSRF_ENABLED"] = False
    with flask_app.app_context():
        db.drop_all()
        db.create_all()
    yield flask_app
    with flask_app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_parallel_wrong_answers_lock_after_exactly_the_maximum(shared_db_app, demo_study):
    study_ids = [demo_study("DEMO0004").orthanc_id]
    created = share_in_app(shared_db_app, study_ids, challenge=ChallengeKind.BIRTH_DATE)
    secret, public_id = created.secret, created.share.public_id
    start = threading.Barrier(PARALLEL)

    def wrong_answer(_):
        client = shared_db_app.test_client()
        start.wait()
        return client.post(f"/s/{secret}", data={"birth_date": "01/01/1900"}).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(wrong_answer, range(PARALLEL)))

    maximum = shared_db_app.config["CHALLENGE_MAX_ATTEMPTS"]
    assert statuses.count(400) == maximum - 1
    assert statuses.count(403) == PARALLEL - (maximum - 1)
    with shared_db_app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        assert share.failed_attempts == maximum
        assert share.locked_at is not None
        locks = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "locked")).all()
        assert len(locks) == 1
