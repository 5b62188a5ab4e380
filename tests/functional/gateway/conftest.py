"""Gateway fixtures: a share of one demo study, viewer tokens, and a DICOMweb GET helper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from app.extensions import db
from app.shares.models import Share
from app.shares.viewer_tokens import mint_viewer_token


@dataclass(frozen=True)
class SharedCT:
    """Hans Müller's CT (DEMO0001), shared; his chest X-ray (DEMO0002) is not."""

    public_id: str
    study_uid: str
    other_study_uid: str
    series_uid: str
    instance_uid: str
    other_series_uid: str
    other_instance_uid: str


def _first_series_and_instance(orthanc_server, study_uid: str) -> tuple[str, str]:
    auth = orthanc_server.auth
    series = requests.get(
        f"{orthanc_server.url}/dicom-web/studies/{study_uid}/series", auth=auth, timeout=10
    ).json()
    series_uid = series[0]["0020000E"]["Value"][0]
    instances = requests.get(
        f"{orthanc_server.url}/dicom-web/studies/{study_uid}/series/{series_uid}/instances",
        auth=auth,
        timeout=10,
    ).json()
    return series_uid, instances[0]["00080018"]["Value"][0]


@pytest.fixture
def shared_ct(make_share, demo_study, orthanc_server) -> SharedCT:
    ct, xray = demo_study("DEMO0001"), demo_study("DEMO0002")
    created = make_share([ct.orthanc_id])
    series_uid, instance_uid = _first_series_and_instance(orthanc_server, ct.study_instance_uid)
    other_series, other_instance = _first_series_and_instance(
        orthanc_server, xray.study_instance_uid
    )
    return SharedCT(
        created.share.public_id,
        ct.study_instance_uid,
        xray.study_instance_uid,
        series_uid,
        instance_uid,
        other_series,
        other_instance,
    )


@pytest.fixture
def token_for(app) -> Callable[[str], str]:
    def mint(public_id: str) -> str:
        with app.app_context():
            share = db.session.scalar(db.select(Share).where(Share.public_id == public_id))
            return mint_viewer_token(share)

    return mint


@pytest.fixture
def gateway(client, shared_ct, token_for):
    """GET a gateway path with the shared CT's viewer token (or the headers given)."""
    token = token_for(shared_ct.public_id)

    def get(path: str, *, headers: dict[str, str] | None = None, **kwargs):
        sent = {"Authorization": f"Bearer {token}"} if headers is None else headers
        return client.get(f"/dicom-web{path}", headers=sent, **kwargs)

    get.token = token
    return get


def study_uids(answers: list[dict]) -> set[str]:
    return {item["0020000D"]["Value"][0] for item in answers}
