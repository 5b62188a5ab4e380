"""The recipient's home after the challenge: viewers, download, sign out, session end."""

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.demo.catalog import demo_entry
from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.shares.viewer_tokens import decode_viewer_token
from app.web_sessions import WebSession


@pytest.fixture
def app_env(app_env):
    return {
        **app_env,
        "PUBLIC_ORTHANC_ROOT": "https://pacs.example.org/orthanc",
        "EXTERNAL_VIEWERS": "stone,ohif",
    }


@pytest.fixture
def opened(client, doe_share):
    response = client.post(f"/s/{doe_share.secret}", data={"birth_date": "29/02/1972"})
    assert response.status_code == 303
    return doe_share


def audit_kinds(app, public_id):
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        return list(
            db.session.scalars(select(AuditEvent.kind).where(AuditEvent.share_id == share.id))
        )


def test_home_lists_studies_viewers_download_and_expiry(client, opened):
    page = client.get("/v/").text
    assert "US ABDOMEN" in page
    assert "View images" in page
    assert "Open in OHIF Viewer" in page
    assert "Download (ZIP)" in page
    assert "Available until" in page
    assert "Sign out" in page
    assert opened.secret not in page


def test_a_viewer_link_carries_a_fresh_token_for_this_share(app, client, opened):
    response = client.get("/v/view/stone/0")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("https://pacs.example.org/orthanc/stone-webviewer/index.html?study=")
    token = location.split("token=", 1)[1]
    with app.app_context():
        claims = decode_viewer_token(token)
    assert claims.share_public_id == opened.share.public_id
    assert "viewer_token_issued" in audit_kinds(app, opened.share.public_id)
    assert client.get("/v/view/unknown/0").status_code == 404
    assert client.get("/v/view/stone/5").status_code == 404


def test_download_streams_the_study_zip(app, client, opened):
    response = client.get("/v/download/0")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    files = [n for n in archive.namelist() if not n.endswith("/")]
    assert len(files) == demo_entry("DEMO0004")[1].instance_count  # the shared study's
    assert "downloaded" in audit_kinds(app, opened.share.public_id)


def test_download_is_refused_when_not_allowed(client, make_share, demo_study):
    share = make_share([demo_study("DEMO0008").orthanc_id], allow_download=False)
    client.post(f"/s/{share.secret}")
    assert "Download (ZIP)" not in client.get("/v/").text
    assert client.get("/v/download/0").status_code == 404


def test_without_a_session_the_home_says_so(client, demo_studies):
    for path in ("/v/", "/v/download/0", "/v/view/stone/0"):
        response = client.get(path)
        assert response.status_code == 401
        assert "Your session has ended" in response.text


def test_revoking_ends_the_open_session(app, client, opened):
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == opened.share.public_id))
        share.revoked_at = datetime.now(UTC)
        db.session.commit()
    assert client.get("/v/").status_code == 401


def test_sign_out(client, opened):
    response = client.post("/v/sign-out")
    assert response.status_code == 200
    assert "You are signed out" in response.text
    assert client.get("/v/").status_code == 401


def test_orthanc_down_after_the_challenge_is_a_friendly_page(app, client, opened):
    app.config["ORTHANC_URL"] = "http://127.0.0.1:9"
    app.extensions["studyshare.orthanc"] = None
    response = client.get("/v/download/0")
    assert response.status_code == 503
    assert "not answering" in response.text


def test_the_orthanc_web_viewer_opens_the_first_series(app, client, opened, orthanc_client):
    app.config["EXTERNAL_VIEWERS"] = ("webviewer",)
    assert "View images" in client.get("/v/").text
    location = client.get("/v/view/webviewer/0").headers["Location"]
    series_id = location.split("series=", 1)[1].split("&", 1)[0]
    study_id = opened.share.studies[0].orthanc_study_id
    assert series_id in {s.orthanc_id for s in orthanc_client.get_study_series(study_id)}
    assert location.startswith("https://pacs.example.org/orthanc/web-viewer/app/viewer.html?")


def test_each_study_card_opens_its_own_study(client, make_share, demo_study):
    """Every button of a card names that card's study, for every viewer and the download."""
    accessions = ("DEMO0003", "DEMO0004", "DEMO0005")  # Jane Doe's three studies
    share = make_share([demo_study(accession).orthanc_id for accession in accessions])
    assert client.post(f"/s/{share.secret}").status_code == 303
    cards = client.get("/v/").text.split('<li class="card">')[1:]
    assert len(cards) == 3
    for position, card in enumerate(cards):
        targets = re.findall(r'href="/v/(?:view/\w+|download)/(\d+)"', card)
        assert len(targets) == 3  # View images (Stone), OHIF, download
        assert set(targets) == {str(position)}


def test_the_session_ends_after_patient_session_minutes(app, client, opened):
    """Checked against the server-side session's expiry, not the cookie's own."""
    assert client.get("/v/").status_code == 200
    with app.app_context():
        past = datetime.now(UTC) - timedelta(seconds=1)
        db.session.execute(update(WebSession).values(expires_at=past))
        db.session.commit()
    ended = client.get("/v/")
    assert ended.status_code == 401
    assert "US ABDOMEN" not in ended.text
