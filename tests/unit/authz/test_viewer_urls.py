import re

import pytest

from app import create_app
from app.shares.study_ref import StudyRef
from app.shares.viewer_urls import (
    VIEWER_LABELS,
    archive_url,
    enabled_viewers,
    offered_viewers,
    viewer_url,
)
from config import TestConfig
from config.settings import VIEWERS

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_"
STUDY = StudyRef("11111111-22222222-33333333-44444444-55555555", "1.2.3.4")
FIRST_SERIES = "aaaaaaaa-bbbbbbbb-cccccccc-dddddddd-eeeeeeee"
ROOT = "https://pacs.example.org/orthanc"


@pytest.fixture
def app_context(tmp_path):
    env = {
        "PUBLIC_ORTHANC_ROOT": ROOT + "/",
        "MEDDREAM_URL": "https://meddream.example.org/viewer",
        "EXTERNAL_VIEWERS": "stone, ohif,osimis,webviewer,volview,meddream",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    with create_app(TestConfig(env)).app_context():
        yield


@pytest.mark.usefixtures("app_context")
@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("stone", f"{ROOT}/stone-webviewer/index.html?study=1.2.3.4&token={TOKEN}"),
        ("ohif", f"{ROOT}/ohif/viewer?StudyInstanceUIDs=1.2.3.4&token={TOKEN}"),
        ("osimis", f"{ROOT}/osimis-viewer/app/index.html?study={STUDY.orthanc_id}&token={TOKEN}"),
        (
            "webviewer",
            f"{ROOT}/web-viewer/app/viewer.html?series={FIRST_SERIES}&token={TOKEN}",
        ),
        (
            "volview",
            f"{ROOT}/volview/index.html?names=[archive.zip]&urls=[{ROOT}/studies/{STUDY.orthanc_id}/archive?token={TOKEN}]",
        ),
        ("meddream", f"https://meddream.example.org/viewer/?study=1.2.3.4&token={TOKEN}"),
    ],
)
def test_each_viewer_url(viewer, expected):
    url = viewer_url(viewer, STUDY, TOKEN, first_series_id=FIRST_SERIES)
    assert url == expected
    # Orthanc 1.10 does not percent-decode: the token must appear exactly as minted.
    assert "%" not in url
    assert re.search(r"token=([A-Za-z0-9._~-]+)", url).group(1) == TOKEN


@pytest.mark.usefixtures("app_context")
def test_archive_and_enabled_viewers():
    assert archive_url(STUDY, TOKEN) == f"{ROOT}/studies/{STUDY.orthanc_id}/archive?token={TOKEN}"
    assert enabled_viewers() == ["stone", "ohif", "osimis", "webviewer", "volview", "meddream"]


def test_the_viewers_config_knows_are_the_ones_with_links_and_labels():
    assert tuple(VIEWER_LABELS) == VIEWERS


def test_no_public_orthanc_means_no_links(tmp_path):
    with create_app(TestConfig({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})).app_context():
        assert viewer_url("stone", STUDY, TOKEN) is None
        assert archive_url(STUDY, TOKEN) is None
        assert viewer_url("webviewer", StudyRef("a", "1.2"), TOKEN) is None


def app_with(tmp_path, **env):
    config = TestConfig({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env})
    return create_app(config)


def test_through_a_public_orthanc_a_share_without_downloads_gets_no_viewer(tmp_path):
    flask_app = app_with(tmp_path, PUBLIC_ORTHANC_ROOT=ROOT, EXTERNAL_VIEWERS="stone,ohif,volview")
    with flask_app.app_context():
        assert offered_viewers(allow_download=True) == ["stone", "ohif", "volview"]
        # The plugin cannot tell an archive from a frame: any token could download.
        assert offered_viewers(allow_download=False) == []


def test_without_a_public_orthanc_dicomweb_viewers_use_the_gateway(tmp_path):
    flask_app = app_with(
        tmp_path,
        PUBLIC_OHIF_ROOT="https://ohif.example.org/",
        PUBLIC_STONE_ROOT="https://stone.example.org/viewer",
        MEDDREAM_URL="https://meddream.example.org",
        EXTERNAL_VIEWERS="stone,ohif,osimis,webviewer,volview,meddream",
    )
    with flask_app.app_context():
        assert offered_viewers(allow_download=False) == ["stone", "ohif"]
        assert offered_viewers(allow_download=True) == ["stone", "ohif", "meddream"]
        assert viewer_url("ohif", STUDY, TOKEN) == (
            f"https://ohif.example.org/viewer?StudyInstanceUIDs=1.2.3.4&token={TOKEN}"
        )
        assert viewer_url("stone", STUDY, TOKEN) == (
            f"https://stone.example.org/viewer/index.html?study=1.2.3.4&token={TOKEN}"
        )


def test_nothing_configured_offers_nothing(tmp_path):
    with app_with(tmp_path).app_context():
        assert offered_viewers(allow_download=True) == []
