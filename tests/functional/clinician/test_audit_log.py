"""Admin audit page: filters, paging, CSV export; clinicians get 403."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share


@pytest.fixture
def events(app, make_share, demo_study, make_user):
    alice = make_user("alice@example.org")
    first = make_share([demo_study("DEMO0001").orthanc_id], owner=alice)
    second = make_share([demo_study("DEMO0008").orthanc_id], owner=alice)
    with app.app_context():
        share = db.session.scalar(db.select(Share).where(Share.public_id == second.share.public_id))
        old = AuditEvent(
            share=share,
            actor_kind="recipient",
            kind="challenge_failed",
            ip="203.0.113.9",
            detail={"attempts_left": 4},
            created_at=datetime.now(UTC) - timedelta(days=10),
        )
        formula = AuditEvent(
            share=share, actor_kind="recipient", kind="opened", user_agent="=HYPERLINK()"
        )
        db.session.add_all([old, formula])
        db.session.commit()
    return first.share.public_id, second.share.public_id


def test_admin_filters_the_log(admin_client, events):
    first, second = events
    everything = admin_client.get("/admin/audit").text
    assert first in everything
    assert second in everything
    by_share = admin_client.get("/admin/audit", query_string={"share": first}).text
    assert first in by_share
    assert second not in by_share
    by_kind = admin_client.get("/admin/audit", query_string={"kind": "challenge_failed"}).text
    assert "Wrong answer to the challenge" in by_kind
    assert "Share created" not in by_kind.split("<tbody>")[1]
    by_actor = admin_client.get("/admin/audit", query_string={"actor": "ALICE@example.org"}).text
    assert by_actor.count('data-label="Event">Share created') == 2
    day = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    by_day = admin_client.get("/admin/audit", query_string={"day_from": day, "day_to": day}).text
    assert by_day.count("<tr>") == 2  # header + the old event


def test_csv_export_has_every_matching_event_and_defuses_formulas(admin_client, events):
    response = admin_client.get("/admin/audit.csv", query_string={"share": events[1]})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["kind"] for r in rows) == ["challenge_failed", "created", "opened"]
    assert {r["share"] for r in rows} == {events[1]}
    assert any(r["user_agent"] == "'=HYPERLINK()" for r in rows)
    assert all("secret" not in line.lower() for line in response.text.splitlines())


@pytest.mark.parametrize(
    "params", [{"kind": "nope"}, {"day_from": "31/31/2024"}, {"after": "0"}, {"share": "x" * 40}]
)
def test_bad_filters_are_a_clear_400(admin_client, params):
    response = admin_client.get("/admin/audit", query_string=params)
    assert response.status_code == 400
    assert "This filter is not valid" in response.text


def test_clinicians_cannot_see_the_log(logged_in_client, make_user):
    assert logged_in_client.get("/admin/audit").status_code == 403
    assert logged_in_client.get("/admin/audit.csv").status_code == 403


def test_odd_query_arguments_do_not_break_the_page(admin_client, events):
    response = admin_client.get("/admin/audit?endpoint=x&_method=POST&_anchor=top")
    assert response.status_code == 200
    assert "/admin/audit.csv?endpoint=x&amp;_method=POST&amp;_anchor=top" in response.text
