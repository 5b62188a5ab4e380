"""What the landing page and the challenge ask of the database: one transaction each, no reload.

The recipient's pages are the ones under load (bench/landing.py): a statement or a commit more
on each is a cost every visit pays. The answer, its audit events and the session it opens go
in one transaction, so an open is never counted without its session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event, select, text

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.web_sessions import WebSession

RIGHT, WRONG = "29/02/1972", "01/01/1970"


@contextlib.contextmanager
def asked(app) -> Iterator[list[str]]:
    """Each statement the app sends ("SELECT shares", "INSERT audit_events"…) and COMMIT."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def statement(_conn, _cursor, sql, *_args):
        words = sql.split()
        table = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE"}.get(words[0])
        seen.append(f"{words[0]} {words[words.index(table) + 1] if table else ''}".strip())

    def commit(_conn):
        seen.append("COMMIT")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)


def test_the_landing_page_reads_the_share_and_writes_its_audit_event_once(app, client, doe_share):
    with asked(app) as seen:
        assert client.get(f"/s/{doe_share.secret}").status_code == 200
    assert seen == ["SELECT shares", "INSERT audit_events", "COMMIT"]


def test_a_right_answer_and_its_session_are_one_transaction(app, client, doe_share):
    with asked(app) as seen:
        response = client.post(f"/s/{doe_share.secret}", data={"birth_date": RIGHT})
    assert response.status_code == 303
    # No reload of the share between the count and the session: nothing was committed yet.
    assert seen == [
        "SELECT shares",
        "UPDATE shares",
        "INSERT audit_events",
        "INSERT web_sessions",
        "COMMIT",
    ]
    assert client.get("/v/").status_code == 200


def test_a_wrong_answer_is_counted_and_shown_without_loading_the_share_again(
    app, client, doe_share
):
    with asked(app) as seen:
        response = client.post(f"/s/{doe_share.secret}", data={"birth_date": WRONG})
    assert response.status_code == 400
    assert "4 attempts left" in response.text
    assert "Dr Example" in response.text  # the page still names the clinician who shared
    assert seen == ["SELECT shares", "UPDATE shares", "INSERT audit_events", "COMMIT"]
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == doe_share.share.public_id))
        assert (share.failed_attempts, share.locked_at) == (1, None)


def test_an_open_whose_session_cannot_be_stored_is_not_counted(app, client, doe_share):
    with app.app_context():
        db.session.execute(text(f"DROP TABLE {WebSession.__tablename__}"))
        db.session.commit()
    response = client.post(f"/s/{doe_share.secret}", data={"birth_date": RIGHT})
    assert response.status_code >= 500
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == doe_share.share.public_id))
        assert (share.open_count, share.last_opened_at) == (0, None)
        kinds = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.share_id == share.id))
        assert "challenge_passed" not in list(kinds)
