import base64

import pytest

from app.authz.viewer_tokens import mint_viewer_token
from app.extensions import db
from app.shares.models import Share

AUTHZ_USER, AUTHZ_PASSWORD = "orthanc-plugin", "plugin-password-for-tests"


@pytest.fixture
def app_env(app_env):
    return {**app_env, "AUTHZ_USERNAME": AUTHZ_USER, "AUTHZ_PASSWORD": AUTHZ_PASSWORD}


@pytest.fixture
def plugin_headers() -> dict[str, str]:
    credentials = base64.b64encode(f"{AUTHZ_USER}:{AUTHZ_PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


@pytest.fixture
def validate(client, plugin_headers):
    def post(body=None, *, headers=None, **kwargs):
        return client.post(
            "/auth/tokens/validate",
            json=body,
            headers={**plugin_headers, **(headers or {})},
            **kwargs,
        )

    return post


@pytest.fixture
def viewer_token(app):
    def mint(public_id: str) -> str:
        with app.app_context():
            share = db.session.scalar(db.select(Share).where(Share.public_id == public_id))
            return mint_viewer_token(share)

    return mint


def study_body(token, study, **changes):
    body = {
        "method": "get",
        "level": "study",
        "orthanc-id": study.orthanc_id,
        "dicom-uid": study.study_instance_uid,
        "token-key": "token",
        "token-value": token,
        "server-id": None,
    }
    body.update(changes)
    return body
