"""Upstream faults a real Orthanc cannot easily be made to show, from a tiny HTTP server.

It answers like Orthanc's archive route, then stalls, or sends less than it announced.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.downloads import CHUNK, DownloadIncompleteError
from app.shares.models import Share
from tests.fixtures.scripted_orthanc import FakeOrthanc, orthanc_replaced

ZIP_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nConnection: close\r\n"


@pytest.fixture
def ct_share(client, make_share, demo_study):
    share = make_share([demo_study("DEMO0001").orthanc_id])
    assert client.post(f"/s/{share.secret}").status_code == 303
    return share


@pytest.fixture
def orthanc_answering(app) -> Iterator[Callable[..., FakeOrthanc]]:
    """Point the app at a FakeOrthanc (after the share was made with the real one)."""
    with orthanc_replaced(app) as start:
        yield start


def download_detail(app, public_id: str) -> tuple[str, dict]:
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        query = select(AuditEvent).where(
            AuditEvent.share_id == share.id, AuditEvent.kind.startswith("download")
        )
        [event] = db.session.scalars(query)
        return event.kind, event.detail


def stored_zip() -> bytes:
    """A ZIP of about 100 kB: more than the first chunk the app reads from Orthanc."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("IMAGES/IM0", b"\0" * 100_000)
    return buffer.getvalue()


def test_orthanc_stalling_mid_stream_times_out_and_fails(app, client, ct_share, orthanc_answering):
    orthanc_answering(ZIP_HEAD + b"\r\n" + stored_zip()[:CHUNK], stall=True)
    response = client.get("/v/download/0")
    assert response.status_code == 200  # the headers and a first chunk are gone
    with pytest.raises(DownloadIncompleteError, match="timed out"):
        response.get_data()
    kind, detail = download_detail(app, ct_share.share.public_id)
    assert kind == "download_incomplete"
    assert detail == {"study": 1, "format": "zip", "bytes": CHUNK, "reason": "Orthanc timed out"}


def test_less_than_the_announced_size_fails(app, client, ct_share, orthanc_answering):
    whole = stored_zip()
    head = ZIP_HEAD + f"Content-Length: {len(whole) + 10}\r\n\r\n".encode()
    orthanc_answering(head + whole)  # then hangs up
    response = client.get("/v/download/0/dicomdir")
    # Passed on, so the browser itself also sees the download come up short.
    assert response.headers["Content-Length"] == str(len(whole) + 10)
    with pytest.raises(DownloadIncompleteError):
        response.get_data()
    kind, detail = download_detail(app, ct_share.share.public_id)
    assert kind == "download_incomplete"
    assert detail["reason"].startswith("Orthanc connection failed")


def test_an_announced_size_that_is_met_is_passed_on(app, client, ct_share, orthanc_answering):
    whole = stored_zip()
    orthanc_answering(ZIP_HEAD + f"Content-Length: {len(whole)}\r\n\r\n".encode() + whole)
    response = client.get("/v/download/0")
    assert response.headers["Content-Length"] == str(len(whole))
    assert response.get_data() == whole
    assert download_detail(app, ct_share.share.public_id) == (
        "downloaded",
        {"study": 1, "format": "zip", "bytes": len(whole)},
    )


def test_an_orthanc_error_before_streaming_is_the_friendly_page(
    app, client, orthanc_answering, ct_share
):
    orthanc_answering(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
    response = client.get("/v/download/0")
    assert response.status_code == 503
    assert "not answering" in response.text
