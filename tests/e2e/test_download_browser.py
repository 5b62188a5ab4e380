"""Chromium's view of a download: whole when Orthanc sends it all, failed when Orthanc dies."""

from __future__ import annotations

import os
import signal
import zipfile

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from tests.e2e.conftest import open_share
from tests.fixtures.big_study import app_env_for, study_ids

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_env(app_env, big_orthanc):
    return {**app_env, **app_env_for(big_orthanc)}


@pytest.fixture
def home(browser, live_server, make_share, big_orthanc):
    """The recipient's home page of a share of the big CT, ready to download."""
    share = make_share(study_ids(big_orthanc))
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    open_share(page, live_server, share.secret)
    yield page, share
    context.close()


def download_kinds(app, public_id: str) -> list[str]:
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        query = select(AuditEvent.kind).where(AuditEvent.share_id == share.id)
        return [kind for kind in db.session.scalars(query) if kind.startswith("download")]


def test_a_whole_download_is_saved_under_a_neutral_name(app, home, tmp_path):
    page, share = home
    with page.expect_download() as started:
        page.get_by_role("link", name="Download (ZIP)").click()
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename == "images-2023-03-14-1.zip"
    with zipfile.ZipFile(download.path()) as archive:
        assert len(archive.namelist()) == 40
    assert download_kinds(app, share.share.public_id) == ["downloaded"]


def test_orthanc_dying_mid_download_fails_it_in_the_browser(app, home, big_orthanc):
    page, share = home
    with page.expect_download() as started:
        page.get_by_role("link", name="Download (ZIP)").click()
    os.kill(big_orthanc.pid, signal.SIGKILL)  # the headers are in: the body is on its way
    download = started.value
    assert download.failure() is not None  # Chromium keeps no file that looks whole
    assert download_kinds(app, share.share.public_id) == ["download_incomplete"]
