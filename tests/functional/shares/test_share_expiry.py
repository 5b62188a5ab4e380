"""Extend adds to the current expiry and never shortens; "set expiry" moves it either way."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.shares import lifecycle
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.shares.options import ShareError
from app.shares.versions import StaleShareError


@pytest.fixture
def share_id(make_share, demo_study) -> int:
    """A share with 15 days left (the default expiry)."""
    return make_share([demo_study("DEMO0003").orthanc_id]).share.id


def last_event(share: Share) -> AuditEvent:
    query = select(AuditEvent).where(AuditEvent.share_id == share.id)
    return db.session.scalars(query.order_by(AuditEvent.id.desc())).first()


def test_extending_by_one_day_adds_a_day_to_the_fifteen_left(app, share_id):
    with app.app_context():
        share = db.session.get(Share, share_id)
        before = share.expires_at
        assert before - utcnow() > timedelta(days=14)
        lifecycle.extend(share, 1, version=share.version)
        assert share.expires_at == before + timedelta(days=1)
        event = last_event(share)
        assert event.kind == "extended"
        assert event.detail == {
            "expires_at": {"from": before.isoformat(), "to": share.expires_at.isoformat()}
        }
        assert share.version == 2


def test_an_expired_share_is_extended_from_now(app, share_id):
    with app.app_context():
        share = db.session.get(Share, share_id)
        share.expires_at = utcnow() - timedelta(days=3)
        db.session.commit()
        new = lifecycle.extended_expiry(share, 7)
        assert timedelta(days=6, hours=23) < new - utcnow() <= timedelta(days=7)


def test_extend_stops_at_a_year_from_today(app, share_id):
    with app.app_context():
        share = db.session.get(Share, share_id)
        with pytest.raises(ShareError, match="at most 365 days"):
            lifecycle.extended_expiry(share, 365)
        assert lifecycle.extended_expiry(share, 90) > share.expires_at


def test_set_expiry_can_shorten_but_not_into_the_past_or_past_a_year(app, share_id):
    with app.app_context():
        share = db.session.get(Share, share_id)
        before = share.expires_at
        tomorrow = lifecycle.expiry_on(date.today() + timedelta(days=1))
        lifecycle.set_expiry(share, tomorrow, version=1)
        assert share.expires_at == tomorrow < before
        event = last_event(share)
        assert event.kind == "expiry_changed"
        assert event.detail["expires_at"]["from"] == before.isoformat()
        with pytest.raises(ShareError, match="in the future"):
            lifecycle.checked_expiry(share, datetime(2001, 1, 1, tzinfo=UTC))
        with pytest.raises(ShareError, match="at most 365 days"):
            lifecycle.checked_expiry(share, lifecycle.expiry_on(date.today() + timedelta(400)))
        with pytest.raises(ShareError, match="must expire"):
            lifecycle.checked_expiry(share, None)


def test_a_stale_version_changes_nothing(app, share_id):
    with app.app_context():
        share = db.session.get(Share, share_id)
        before = share.expires_at
        lifecycle.extend(share, 1, version=1)
        with pytest.raises(StaleShareError):
            lifecycle.extend(share, 7, version=1)
        share = db.session.get(Share, share_id)
        assert share.expires_at == before + timedelta(days=1)
        assert share.version == 2


def test_a_revoked_share_keeps_its_expiry(app, share_id, orthanc_client):
    with app.app_context():
        share = db.session.get(Share, share_id)
        share.revoked_at = utcnow()
        db.session.commit()
        with pytest.raises(ShareError, match="revoked"):
            lifecycle.extend(share, 7)


def test_never_when_allowed_and_days_end_in_the_clinics_zone(app, share_id):
    app.config.update(ALLOW_NEVER_EXPIRE=True, CLINIC_TIMEZONE=ZoneInfo("Europe/Zurich"))
    with app.app_context():
        share = db.session.get(Share, share_id)
        lifecycle.set_expiry(share, None)
        assert share.expires_at is None
        with pytest.raises(ShareError, match="does not expire"):
            lifecycle.extended_expiry(share, 7)
        # 23:59 in Zurich, summer time, is 21:59 UTC.
        assert lifecycle.expiry_on(date(2030, 7, 1)) == datetime(2030, 7, 1, 21, 59, tzinfo=UTC)
