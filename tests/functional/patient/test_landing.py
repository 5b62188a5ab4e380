"""The link landing page and its refusals."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share


def set_share(app, public_id, **values):
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        for key, value in values.items():
            setattr(share, key, value)
        db.session.commit()


def test_landing_shows_who_and_until_when_but_no_patient_data(client, doe_share, app):
    response = client.get(f"/s/{doe_share.secret}")
    assert response.status_code == 200
    page = response.text
    assert "Dr Example" in page
    assert app.config["CLINIC_NAME"] in page
    assert "Your date of birth" in page
    assert "You can open them until" in page
    for private in ("DOE", "JANE", "US ABDOMEN", "1972", "SS-DEMO"):
        assert private not in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.kind).order_by(AuditEvent.id.desc())) == "opened"


@pytest.mark.parametrize(
    "secret",
    ["AAAAAAAAAAAAAAAAAAAAAA", "short", "x" * 200, "has%20space-and-more-chars", "../../etc"],
)
def test_unknown_or_malformed_links_get_one_kind_404(client, secret, demo_studies):
    response = client.get(f"/s/{secret}")
    assert response.status_code == 404
    assert "This link does not work" in response.text


@pytest.mark.parametrize(
    ("values", "status", "text"),
    [
        ({"revoked_at": datetime.now(UTC)}, 410, "This link was withdrawn"),
        ({"expires_at": datetime.now(UTC) - timedelta(seconds=1)}, 410, "This link has expired"),
        ({"locked_at": datetime.now(UTC)}, 403, "This link is locked"),
        ({"max_opens": 2, "open_count": 2}, 410, "This link has been used up"),
    ],
)
def test_ended_shares_each_get_their_page(app, client, doe_share, values, status, text):
    set_share(app, doe_share.share.public_id, **values)
    for method in (client.get, client.post):
        response = method(f"/s/{doe_share.secret}")
        assert response.status_code == status
        assert text in response.text
        assert "contact your clinic" in response.text
