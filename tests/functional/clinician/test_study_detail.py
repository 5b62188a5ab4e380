"""Study detail page and proxied thumbnails, against the real Orthanc."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from app.demo.catalog import demo_entry
from app.extensions import db
from app.shares.models import Share, ShareStudy
from app.users.models import User
from tests.fixtures.dicom import pixelless_instance

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def mr_brain(orthanc_client, demo_studies):
    """The demo MR brain study: two series of five images."""
    return orthanc_client.find_studies({"AccessionNumber": "DEMO0003"}, limit=1).studies[0]


def test_detail_shows_patient_study_and_series(logged_in_client, mr_brain):
    response = logged_in_client.get(f"/studies/{mr_brain.orthanc_id}")
    assert response.status_code == 200
    page = response.text
    assert "<h1>MR BRAIN</h1>" in page
    assert "DOE, JANE" in page
    assert "1972-02-29" in page
    assert "SS-DEMO-0002" in page
    assert mr_brain.study_instance_uid in page
    _, demo = demo_entry("DEMO0003")
    assert f"Series ({len(demo.series)})" in page
    for images, series in Counter(s.images for s in demo.series).items():
        assert page.count(f"{images} images") == series
    assert "This study has not been shared yet." in page


def test_detail_lists_the_study_shares(app, logged_in_client, mr_brain):
    with app.app_context():
        owner = db.session.scalar(db.select(User))
        share = Share(
            public_id="sh_detail",
            secret_hash="d" * 64,
            owner=owner,
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
        share.studies.append(
            ShareStudy(
                orthanc_study_id=mr_brain.orthanc_id,
                source_orthanc_study_id=mr_brain.orthanc_id,
                study_instance_uid=mr_brain.study_instance_uid,
            )
        )
        db.session.add(share)
        db.session.commit()
    page = logged_in_client.get(f"/studies/{mr_brain.orthanc_id}").text
    assert "sh_detail" in page
    assert '<span class="badge badge-active">active</span>' in page
    assert "Dr Example" in page


@pytest.mark.parametrize(
    "study_id",
    ["00000000-00000000-00000000-00000000-00000000", "not-an-id", "..%2F..%2Fsystem"],
)
def test_unknown_or_malformed_study_is_a_404_page(logged_in_client, study_id, demo_studies):
    response = logged_in_client.get(f"/studies/{study_id}")
    assert response.status_code == 404
    assert "not found" in response.text


def test_thumbnails_are_proxied_pngs_with_caching(logged_in_client, mr_brain):
    page = logged_in_client.get(f"/studies/{mr_brain.orthanc_id}").text
    sources = re.findall(r'<img src="(/instances/[0-9a-f-]+/preview)"', page)
    assert len(sources) == 2
    response = logged_in_client.get(sources[0])
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert response.data.startswith(PNG_SIGNATURE)
    assert response.headers["Cache-Control"] == "private, max-age=86400, immutable"


def test_thumbnails_need_a_login(client, logged_in_client, mr_brain, app):
    page = logged_in_client.get(f"/studies/{mr_brain.orthanc_id}").text
    source = re.search(r'<img src="(/instances/[0-9a-f-]+/preview)"', page).group(1)
    anonymous = app.test_client()
    response = anonymous.get(source)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_thumbnail_is_a_404(logged_in_client, demo_studies):
    response = logged_in_client.get(
        "/instances/00000000-00000000-00000000-00000000-00000000/preview"
    )
    assert response.status_code == 404


@pytest.fixture
def text_report(orthanc_client, demo_studies):
    """A DICOM report without pixels, in its own study, removed afterwards."""
    report = pixelless_instance(PatientID="SS-TEST-REPORT", PatientName="REPORT^ONLY")
    stored = orthanc_client.upload_instance(report)
    yield stored["ID"]
    orthanc_client.delete_study(stored["ParentStudy"])


def test_an_instance_without_pixels_gets_a_placeholder(logged_in_client, text_report):
    response = logged_in_client.get(f"/instances/{text_report}/preview")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b'aria-label="No preview"' in response.data
