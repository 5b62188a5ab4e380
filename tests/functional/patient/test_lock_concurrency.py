"""Many parallel wrong answers lock the share after exactly CHALLENGE_MAX_ATTEMPTS."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import ChallengeKind, Share
from tests.fixtures.shares import share_in_app

PARALLEL = 24


@pytest.fixture
def app_env(app_env):
    return {**app_env, "CHALLENGE_LIMIT_PER_IP": "1000 per minute"}


def test_parallel_wrong_answers_lock_after_exactly_the_maximum(each_database_app, demo_study):
    study_ids = [demo_study("DEMO0004").orthanc_id]
    created = share_in_app(each_database_app, study_ids, challenge=ChallengeKind.BIRTH_DATE)
    secret, public_id = created.secret, created.share.public_id
    start = threading.Barrier(PARALLEL)

    def wrong_answer(_):
        client = each_database_app.test_client()
        start.wait()
        return client.post(f"/s/{secret}", data={"birth_date": "01/01/1900"}).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(wrong_answer, range(PARALLEL)))

    maximum = each_database_app.config["CHALLENGE_MAX_ATTEMPTS"]
    assert statuses.count(400) == maximum - 1
    assert statuses.count(403) == PARALLEL - (maximum - 1)
    with each_database_app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        assert share.failed_attempts == maximum
        assert share.locked_at is not None
        locks = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "locked")).all()
        assert len(locks) == 1
