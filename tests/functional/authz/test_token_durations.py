"""PUT /auth/tokens/<type>: the durations and dates plugin 0.11.4 really sends
(AUTHZ-CONTRACT.md §3-4), among them an uninitialised validity-duration."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.models import Share
from tests.functional.authz.conftest import UNINITIALISED_DURATION, events, oe2_body

DAY = 86400


@pytest.fixture
def app_env(app_env):
    return {**app_env, "PUBLIC_ORTHANC_ROOT": "https://pacs.example.org/orthanc"}


@pytest.fixture
def local_zone_far_from_utc(monkeypatch):
    """The process runs at UTC+14, where a naive date read as local time would be wrong."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    assert time.timezone == -14 * 3600
    yield
    monkeypatch.undo()
    time.tzset()


def the_share(app):
    with app.app_context():
        share = db.session.scalar(select(Share))
        share.studies  # noqa: B018  (load before the session closes)
        return share


def assert_about(moment, expected, slack=timedelta(minutes=2)):
    assert expected - slack <= moment <= expected + slack, (moment, expected)


@pytest.mark.parametrize(
    "duration", [UNINITIALISED_DURATION, 10**20, 366 * DAY, 0, -600, "600", True, [600]]
)
def test_an_out_of_range_duration_gets_the_default_15_days_audited(
    app, put_token, demo_study, duration
):
    response = put_token(
        "stone-viewer-publication",
        oe2_body(demo_study("DEMO0001"), **{"validity-duration": duration}),
    )
    assert response.status_code == 200, response.text
    share = the_share(app)
    assert_about(share.expires_at, datetime.now(UTC) + timedelta(days=15))
    [(share_id, actor, user, detail)] = events(app, "duration_replaced")
    assert share_id == share.id
    assert (actor, user.email) == ("user", app.config["AUTHZ_SERVICE_ACCOUNT"])
    assert detail["type"] == "stone-viewer-publication"
    assert detail["default"] == "15 days"
    if type(duration) is int:
        assert detail["validity-duration"] == str(duration)
        assert detail["reason"] == "out of range (more than 0 seconds, at most 365 days)"
    else:
        assert detail["validity-duration"] == type(duration).__name__
        assert detail["reason"] == "not a number of seconds"
    link_secret = response.json["token"]
    assert link_secret not in json.dumps(detail)


def test_the_uninitialised_duration_never_means_never_even_if_never_is_allowed(
    app, put_token, demo_study
):
    app.config["ALLOW_NEVER_EXPIRE"] = True
    response = put_token("ohif-viewer-publication", oe2_body(demo_study("DEMO0001")))
    assert response.status_code == 200, response.text
    assert_about(the_share(app).expires_at, datetime.now(UTC) + timedelta(days=15))
    assert len(events(app, "duration_replaced")) == 1


@pytest.mark.parametrize(
    ("duration", "lifetime"),
    [(600, timedelta(seconds=600)), (365 * DAY, timedelta(days=365)), (None, timedelta(days=15))],
)
def test_an_in_range_or_absent_duration_is_used_without_a_replacement_event(
    app, put_token, demo_study, duration, lifetime
):
    body = oe2_body(demo_study("DEMO0001"), **{"validity-duration": duration})
    assert put_token("stone-viewer-publication", body).status_code == 200
    assert_about(the_share(app).expires_at, datetime.now(UTC) + lifetime)
    assert events(app, "duration_replaced") == []
    assert len(events(app, "created")) == 1


def test_an_instant_link_with_the_uninitialised_duration_lasts_an_hour(
    app, put_token, demo_study, validate
):
    study = demo_study("DEMO0008")
    response = put_token("viewer-instant-link", oe2_body(study, type="viewer-instant-link"))
    assert response.status_code == 200, response.text
    assert_about(the_share(app).expires_at, datetime.now(UTC) + timedelta(hours=1))
    [(_, _, _, detail)] = events(app, "duration_replaced")
    assert detail["default"] == "60 minutes"
    assert response.json["token"] not in json.dumps(detail)


def test_a_naive_expiration_date_is_utc_whatever_the_local_zone(
    app, put_token, demo_study, local_zone_far_from_utc
):
    study = demo_study("DEMO0001")
    # Two hours ahead in UTC is twelve hours in the past at UTC+14.
    expiry = (datetime.now(UTC) + timedelta(hours=2)).replace(tzinfo=None, microsecond=0)
    response = put_token(
        "stone-viewer-publication", oe2_body(study, **{"expiration-date": expiry.isoformat()})
    )
    assert response.status_code == 200, response.text
    assert the_share(app).expires_at == expiry.replace(tzinfo=UTC)
    assert events(app, "duration_replaced") == []  # a date wins over the duration


def test_a_naive_date_past_in_utc_is_refused_though_future_in_local_time(
    app, put_token, demo_study, local_zone_far_from_utc
):
    past = (datetime.now(UTC) - timedelta(hours=2)).replace(tzinfo=None)
    response = put_token(
        "stone-viewer-publication",
        oe2_body(demo_study("DEMO0001"), **{"expiration-date": past.isoformat()}),
    )
    assert response.status_code == 400
    assert response.is_json
    assert "past" in response.json["message"]


@pytest.mark.parametrize(
    ("suffix", "offset"), [("Z", timedelta(0)), ("+02:00", timedelta(hours=-2))]
)
def test_an_expiration_date_with_a_zone_is_converted(app, put_token, demo_study, suffix, offset):
    local = (datetime.now(UTC) + timedelta(days=2)).replace(tzinfo=None, microsecond=0)
    body = oe2_body(demo_study("DEMO0001"), **{"expiration-date": local.isoformat() + suffix})
    assert put_token("stone-viewer-publication", body).status_code == 200
    assert the_share(app).expires_at == (local + offset).replace(tzinfo=UTC)
