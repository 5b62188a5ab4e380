"""A share whose opens are used up says so, in Python and SQL alike; whoever got in stays in."""

from datetime import timedelta

from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.patient.access import Unavailable, unavailable_reason
from app.shares.models import Share, ShareState, state_of


def states_in_sql(share_id: int) -> set[ShareState]:
    now = utcnow()
    return {
        state
        for state in ShareState
        if db.session.scalar(
            select(Share.id).where(Share.id == share_id, Share.state_condition(state, now))
        )
    }


def test_used_up_after_the_last_open_and_only_then(app, client, make_share, demo_study):
    created = make_share([demo_study("DEMO0003").orthanc_id], max_opens=1)
    with app.app_context():
        share = db.session.get(Share, created.share.id)
        assert share.state() is ShareState.ACTIVE
        assert states_in_sql(share.id) == {ShareState.ACTIVE}
    assert client.post(f"/s/{created.secret}").status_code == 303
    with app.app_context():
        share = db.session.get(Share, created.share.id)
        assert share.state() is ShareState.USED_UP
        assert share.state().label == "used up"
        assert states_in_sql(share.id) == {ShareState.USED_UP}
        assert share.is_live()  # the one who opened it keeps viewing
        assert db.session.scalar(select(Share.id).where(Share.live_condition(utcnow())))
        assert unavailable_reason(share) is Unavailable.USED_UP
    assert client.get("/v/").status_code == 200
    other = app.test_client()
    assert other.post(f"/s/{created.secret}").status_code == 410
    with app.app_context():
        share = db.session.get(Share, created.share.id)
        share.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert share.state() is ShareState.EXPIRED
        assert states_in_sql(share.id) == {ShareState.EXPIRED}


def test_the_stronger_reason_wins():
    now = utcnow()
    past = now - timedelta(days=1)
    assert state_of(revoked=False, locked=False, expires_at=None, now=now, used_up=True) is (
        ShareState.USED_UP
    )
    assert state_of(revoked=False, locked=False, expires_at=past, now=now, used_up=True) is (
        ShareState.EXPIRED
    )
    assert state_of(revoked=False, locked=True, expires_at=None, now=now, used_up=True) is (
        ShareState.LOCKED
    )
