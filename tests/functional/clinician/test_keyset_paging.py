"""The share list and the audit log, paged by cursor: every row once, in order, filters kept."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.clinician import audit_views, share_manage_views
from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share, ShareStudy

NEXT = re.compile(r'href="([^"]+)" rel="next"')
PREV = re.compile(r'href="([^"]+)" rel="prev"')
SHARE_LINK = re.compile(r'href="/shares/(sh-[0-9a-z]+)"')
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def add_shares(owner_id: int, count: int, prefix: str = "a", **columns) -> list[str]:
    """`count` shares as rows, two at each creation time (ties the id must break)."""
    shares = [
        Share(
            public_id=f"sh-{prefix}{number:04d}",
            secret_hash=f"{prefix}{number:063d}",
            owner_id=owner_id,
            created_at=START + timedelta(minutes=number // 2),
            expires_at=START + timedelta(days=3650),
            studies=[
                ShareStudy(
                    orthanc_study_id=f"study-{number}",
                    study_instance_uid=f"1.2.3.{number}",
                    source_orthanc_study_id=f"study-{number}",
                    patient_name="DOE^JANE" if number % 3 == 0 else "ROE^RICHARD",
                    patient_name_folded="do jane" if number % 3 == 0 else "ro richard",
                    patient_id=f"PID{number % 3}",
                )
            ],
            **columns,
        )
        for number in range(count)
    ]
    db.session.add_all(shares)
    db.session.commit()
    return [share.public_id for share in shares]


def newest_first(public_ids: list[str]) -> list[str]:
    rows = db.session.scalars(
        db.select(Share).where(Share.public_id.in_(public_ids))
        .order_by(Share.created_at.desc(), Share.id.desc())
    ).all()  # fmt: skip
    return [share.public_id for share in rows]


def walk(client, url: str, link: re.Pattern[str], rows: re.Pattern[str]) -> list[list[str]]:
    """The rows of each page from `url` on, following `link` until there is none."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        pages.append(rows.findall(response.text))
        found = link.search(response.text)
        url = html.unescape(found.group(1)) if found else ""
    return pages


@pytest.fixture
def three_per_page(monkeypatch):
    monkeypatch.setattr(share_manage_views, "SHARES_PER_PAGE", 3)
    monkeypatch.setattr(audit_views, "EVENTS_PER_PAGE", 3)


def test_share_pages_show_every_share_once_newest_first_and_back(
    app, admin, admin_client, three_per_page
):
    with app.app_context():
        made = newest_first(add_shares(admin.id, 11))
    pages = walk(admin_client, "/shares", NEXT, SHARE_LINK)
    assert [len(page) for page in pages] == [3, 3, 3, 2]
    assert [row for page in pages for row in page] == made
    last = admin_client.get("/shares").text
    for _ in range(3):
        last = admin_client.get(html.unescape(NEXT.search(last).group(1))).text
    back = walk(admin_client, html.unescape(PREV.search(last).group(1)), PREV, SHARE_LINK)
    assert back == pages[-2::-1]


def test_share_page_links_keep_the_filters(app, admin, admin_client, three_per_page):
    with app.app_context():
        add_shares(admin.id, 6)
        revoked = newest_first(add_shares(admin.id, 12, "r", revoked_at=START + timedelta(days=1)))
    jane = [public_id for public_id in revoked if int(public_id[-4:]) % 3 == 0]
    start = "/shares?state=revoked&q=jane+doe&owner=" + str(admin.id)
    pages = walk(admin_client, start, NEXT, SHARE_LINK)
    assert [row for page in pages for row in page] == jane
    page = admin_client.get(start).text
    older = html.unescape(NEXT.search(page).group(1))
    assert "state=revoked" in older
    assert "q=jane+doe" in older
    assert f"owner={admin.id}" in older
    by_id = walk(admin_client, "/shares?state=revoked&q=pid0", NEXT, SHARE_LINK)
    assert [row for page in by_id for row in page] == jane


def test_a_share_made_meanwhile_shifts_no_page(app, admin, admin_client, three_per_page):
    with app.app_context():
        made = newest_first(add_shares(admin.id, 7))
    first = admin_client.get("/shares").text
    with app.app_context():
        newer = Share(
            public_id="sh-new",
            secret_hash="f" * 64,
            owner_id=admin.id,
            created_at=START + timedelta(days=1),
        )
        db.session.add(newer)
        db.session.commit()
    second = admin_client.get(html.unescape(NEXT.search(first).group(1))).text
    assert SHARE_LINK.findall(first) == made[:3]
    assert SHARE_LINK.findall(second) == made[3:6]
    back = admin_client.get(html.unescape(PREV.search(second).group(1))).text
    assert SHARE_LINK.findall(back) == made[:3]
    newest = admin_client.get(html.unescape(PREV.search(back).group(1))).text
    assert SHARE_LINK.findall(newest) == ["sh-new"]


@pytest.mark.parametrize("path", ["/shares", "/admin/audit"])
def test_a_damaged_page_link_is_a_clear_400(admin_client, path):
    for cursor in ("nope", "1.2.3", "-5.1", "9" * 17 + ".1"):
        response = admin_client.get(path, query_string={"after": cursor})
        assert response.status_code == 400, cursor
        assert "page link is damaged" in response.text
    # A bookmark from the numbered pages opens the newest page.
    assert admin_client.get(path, query_string={"page": "7"}).status_code == 200


def add_events(share_id: int, count: int, kind: str) -> list[int]:
    events = [
        AuditEvent(
            share_id=share_id,
            actor_kind="recipient",
            kind=kind,
            created_at=START + timedelta(seconds=number // 3),
        )
        for number in range(count)
    ]
    db.session.add_all(events)
    db.session.commit()
    return [event.id for event in events]


def test_audit_pages_show_every_event_once_and_keep_the_filter(
    app, admin, admin_client, three_per_page
):
    with app.app_context():
        share_id = db.session.scalar(db.select(Share.id).where(Share.public_id.in_(
            add_shares(admin.id, 1)
        )))  # fmt: skip
        add_events(share_id, 5, "opened")
        failed = add_events(share_id, 10, "challenge_failed")
        expected = db.session.scalars(
            db.select(AuditEvent.id).where(AuditEvent.id.in_(failed))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        ).all()  # fmt: skip
    event_row = re.compile(r'data-label="Event">Wrong answer to the challenge')
    pages = walk(admin_client, "/admin/audit?kind=challenge_failed", NEXT, event_row)
    assert [len(page) for page in pages] == [3, 3, 3, 1]
    first = admin_client.get("/admin/audit?kind=challenge_failed").text
    assert "kind=challenge_failed" in html.unescape(NEXT.search(first).group(1))
    csv = admin_client.get("/admin/audit.csv?kind=challenge_failed").text
    assert csv.count("challenge_failed") == len(expected)
    everything = walk(admin_client, "/admin/audit", NEXT, re.compile(r'data-label="Event"'))
    assert sum(len(page) for page in everything) == 15
