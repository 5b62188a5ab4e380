"""The Orthanc authorization plugin's call to a StudyShare instance's token service."""

from __future__ import annotations

import base64

import requests

from tests.fixtures.instances import Server
from tests.instances.people import SharedStudy
from tests.instances.settings import PLUGIN_PASSWORD, PLUGIN_USER


def plugin_headers() -> dict[str, str]:
    """The authorization plugin's HTTP Basic credentials (its WebServiceUsername/Password)."""
    credentials = base64.b64encode(f"{PLUGIN_USER}:{PLUGIN_PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def validate(server: Server, token: str, study: SharedStudy) -> bool:
    """What `server` tells the authorization plugin about a viewer's GET of the study."""
    body = {
        "method": "get",
        "level": "study",
        "orthanc-id": study.orthanc_id,
        "dicom-uid": study.uid,
        "token-key": "token",
        "token-value": token,
        "server-id": None,
    }
    answer = requests.post(
        f"{server.url}/auth/tokens/validate", json=body, headers=plugin_headers(), timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["granted"]
