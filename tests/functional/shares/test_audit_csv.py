"""The audit CSV export: read in batches, and its first batch read before the download starts."""

import pytest
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.audit_queries import AuditFilter, audit_csv
from config import TestConfig
from tests.fixtures.postgres import unreachable_database_url


def test_a_failing_query_raises_before_the_first_line(app_env):
    # Lazily, the failure would come after the response's 200, as a download cut short.
    down = create_app(TestConfig({**app_env, "DATABASE_URL": unreachable_database_url()}))
    with down.app_context(), pytest.raises(OperationalError):
        audit_csv(AuditFilter())


@pytest.mark.parametrize("count", [0, 1, 4, 5])
def test_every_batch_is_written_once(app, count):
    with app.app_context():
        db.session.add_all(
            AuditEvent(actor_kind="system", kind="opened", detail={"n": n}) for n in range(count)
        )
        db.session.commit()
        lines = "".join(audit_csv(AuditFilter(), batch=2)).splitlines()
    assert lines[0].startswith("time_utc,")
    # Newest first, the last made first: none twice, none lost between batches.
    assert [line.rsplit("=", 1)[1] for line in lines[1:]] == [
        str(n) for n in reversed(range(count))
    ]
