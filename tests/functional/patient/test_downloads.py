"""The recipient's downloads against the real Orthanc: ZIP and DICOMDIR, whole and audited."""

from __future__ import annotations

import io
import zipfile

import pydicom
import pytest
import requests
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share

CT_DATE = "2023-03-14"  # DEMO0001, MÜLLER^HANS's CT of 20 slices


@pytest.fixture
def ct_share(client, make_share, demo_study):
    """A share of the CT study, its recipient signed in on `client`."""
    share = make_share([demo_study("DEMO0001").orthanc_id])
    assert client.post(f"/s/{share.secret}").status_code == 303
    return share


def download_events(app, public_id: str) -> list[AuditEvent]:
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        query = select(AuditEvent).where(
            AuditEvent.share_id == share.id, AuditEvent.kind.startswith("download")
        )
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


def orthanc_instance_uids(orthanc_server, study_id: str) -> set[str]:
    found = requests.get(
        f"{orthanc_server.url}/studies/{study_id}/instances", auth=orthanc_server.auth, timeout=5
    ).json()
    return {instance["MainDicomTags"]["SOPInstanceUID"] for instance in found}


def dicom_members(archive: zipfile.ZipFile) -> list[pydicom.Dataset]:
    names = [n for n in archive.namelist() if not n.endswith("/") and n != "DICOMDIR"]
    return [pydicom.dcmread(io.BytesIO(archive.read(name))) for name in names]


def test_the_zip_holds_every_instance_of_the_study(app, client, ct_share, orthanc_server):
    response = client.get("/v/download/0")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="images-{CT_DATE}-1.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    expected = orthanc_instance_uids(orthanc_server, ct_share.share.studies[0].orthanc_study_id)
    assert len(expected) == 20
    assert {ds.SOPInstanceUID for ds in dicom_members(archive)} == expected
    [event] = download_events(app, ct_share.share.public_id)
    assert event.kind == "downloaded"
    assert event.actor_kind == "recipient"
    assert event.ip == "127.0.0.1"  # written while streaming, still in the request's context
    assert event.detail == {"study": 1, "format": "zip", "bytes": len(response.data)}


def test_the_dicomdir_zip_is_dicom_media(app, client, ct_share, orthanc_server):
    response = client.get("/v/download/0/dicomdir")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="images-{CT_DATE}-1-dicomdir.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert "DICOMDIR" in archive.namelist()
    dicomdir = pydicom.dcmread(io.BytesIO(archive.read("DICOMDIR")))
    assert dicomdir.file_meta.MediaStorageSOPClassUID == "1.2.840.10008.1.3.10"  # Media Storage
    expected = orthanc_instance_uids(orthanc_server, ct_share.share.studies[0].orthanc_study_id)
    assert {ds.SOPInstanceUID for ds in dicom_members(archive)} == expected
    [event] = download_events(app, ct_share.share.public_id)
    assert event.kind == "downloaded"
    assert event.detail == {"study": 1, "format": "dicomdir", "bytes": len(response.data)}


def test_file_names_and_headers_carry_no_patient_data(client, ct_share):
    for path in ("/v/download/0", "/v/download/0/dicomdir"):
        response = client.get(path)
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.items()).upper()
        for fragment in ("MÜLLER", "MULLER", "MLLER", "HANS", "DEMO0001", "CT THORAX"):
            assert fragment not in headers, (path, fragment)
        response.close()


def test_the_home_offers_both_downloads(client, ct_share):
    page = client.get("/v/").text
    assert 'href="/v/download/0"' in page
    assert 'href="/v/download/0/dicomdir"' in page
    assert "Download (ZIP)" in page
    assert "Download for a CD (DICOMDIR)" in page


def test_without_download_there_is_no_button_and_no_route(app, client, make_share, demo_study):
    share = make_share([demo_study("DEMO0001").orthanc_id], allow_download=False)
    client.post(f"/s/{share.secret}")
    page = client.get("/v/").text
    assert "/v/download/" not in page
    assert "Download" not in page
    for path in ("/v/download/0", "/v/download/0/dicomdir"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This page does not exist" in response.text
    assert download_events(app, share.share.public_id) == []


def test_an_unknown_study_index_is_not_found(client, ct_share):
    assert client.get("/v/download/1").status_code == 404
    assert client.get("/v/download/1/dicomdir").status_code == 404


def test_head_builds_no_archive_and_records_nothing(app, client, ct_share):
    response = client.head("/v/download/0/dicomdir")
    assert response.status_code == 200
    assert "dicomdir.zip" in response.headers["Content-Disposition"]
    assert "Content-Length" not in response.headers
    assert download_events(app, ct_share.share.public_id) == []


def test_orthanc_down_before_streaming_is_the_friendly_page(app, client, ct_share):
    app.config["ORTHANC_URL"] = "http://127.0.0.1:9"
    app.extensions["studyshare.orthanc"] = None
    for path in ("/v/download/0", "/v/download/0/dicomdir"):
        response = client.get(path)
        assert response.status_code == 503
        assert "not answering" in response.text
        assert "Traceback" not in response.text
    assert download_events(app, ct_share.share.public_id) == []
