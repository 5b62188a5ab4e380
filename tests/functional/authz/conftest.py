import base64

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.shares.viewer_tokens import mint_viewer_token

AUTHZ_USER, AUTHZ_PASSWORD = "orthanc-plugin", "plugin-password-for-tests"
# What plugin 0.11.4 sent when OE2 gave neither an expiration date nor a duration.
UNINITIALISED_DURATION = 94911090914288


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


def study_resource(study) -> dict:
    """A study as the plugin names it in a PUT /auth/tokens/<type> body."""
    return {
        "dicom-uid": study.study_instance_uid,
        "orthanc-id": study.orthanc_id,
        "url": None,
        "level": "study",
    }


@pytest.fixture
def put_token(client, plugin_headers):
    """PUT /auth/tokens/<type> as the plugin does, with its Basic credentials."""

    def put(token_type, body):
        return client.put(f"/auth/tokens/{token_type}", json=body, headers=plugin_headers)

    return put


def oe2_body(study, **changes):
    """The creation body plugin 0.11.4 sends for OE2's Share button with no expiry."""
    body = {
        "id": "oe2-share",
        "resources": [study_resource(study)],
        "type": "stone-viewer-publication",
        "expiration-date": None,
        "validity-duration": UNINITIALISED_DURATION,
        "server-id": None,
    }
    body.update(changes)
    return body


def events(app, kind):
    """(share id, actor kind, actor user, detail) of each audit event of this kind."""
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)).all()
        return [(row.share_id, row.actor_kind, row.actor_user, dict(row.detail)) for row in rows]
