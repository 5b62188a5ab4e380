"""Editing a sent share: each change audited; removed studies stop at the next request."""

import base64

import pytest
from sqlalchemy import select

from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.shares.audit_models import AuditEvent
from app.shares.editing import ShareEdit, edit_share
from app.shares.models import ChallengeKind, Share
from app.shares.options import ShareError
from app.shares.versions import StaleShareError
from app.shares.viewer_tokens import mint_viewer_token
from app.web_sessions import WebSession
from tests.functional.authz.conftest import study_body

PLUGIN = ("orthanc-plugin", "plugin-password-for-tests")


@pytest.fixture
def app_env(app_env):
    # No cached share states: "the next request" is exact for the token service too.
    return {
        **app_env,
        "AUTHZ_USERNAME": PLUGIN[0],
        "AUTHZ_PASSWORD": PLUGIN[1],
        "AUTHZ_STATE_CACHE_SECONDS": "0",
    }


@pytest.fixture
def doe(demo_study):
    return demo_study("DEMO0003"), demo_study("DEMO0004")


def edit(app, share_id, **changes):
    with app.app_context():
        share = db.session.get(Share, share_id)
        result = edit_share(
            share, ShareEdit(**changes), get_orthanc(), user=None, version=share.version
        )
        return result, db.session.scalars(
            select(AuditEvent).where(AuditEvent.share_id == share_id).order_by(AuditEvent.id)
        ).all()[-1]


def validate(client, token, study):
    credentials = base64.b64encode(":".join(PLUGIN).encode()).decode()
    answer = client.post(
        "/auth/tokens/validate",
        json=study_body(token, study),
        headers={"Authorization": f"Basic {credentials}"},
    )
    return answer.get_json()["granted"]


def test_a_removed_study_stops_for_tokens_and_sessions_at_the_next_request(
    app, client, make_share, doe
):
    kept, removed = doe
    created = make_share([kept.orthanc_id, removed.orthanc_id])
    with app.app_context():
        token = mint_viewer_token(db.session.get(Share, created.share.id))
    assert client.post(f"/s/{created.secret}").status_code == 303
    gateway_path = f"/dicom-web/studies/{removed.study_instance_uid}/series"
    assert client.get(gateway_path).status_code == 200
    assert validate(client, token, removed)

    _result, event = edit(app, created.share.id, remove_study_ids=(removed.orthanc_id,))

    assert event.kind == "edited"
    assert event.detail["studies"] == {
        "from": [kept.orthanc_id, removed.orthanc_id],
        "to": [kept.orthanc_id],
    }
    assert client.get(gateway_path).status_code in (403, 404)
    assert not validate(client, token, removed)
    assert validate(client, token, kept)
    kept_path = f"/dicom-web/studies/{kept.study_instance_uid}/series"
    assert client.get(kept_path).status_code == 200


def test_studies_of_the_same_patient_only_and_never_none(app, make_share, doe, demo_study):
    first, second = doe
    created = make_share([first.orthanc_id])
    with pytest.raises(ShareError, match="same patient"):
        edit(app, created.share.id, add_study_ids=(demo_study("DEMO0001").orthanc_id,))
    with pytest.raises(ShareError, match="at least one study"):
        edit(app, created.share.id, remove_study_ids=(first.orthanc_id,))
    with pytest.raises(ShareError, match="not in this share"):
        edit(app, created.share.id, remove_study_ids=(second.orthanc_id,))
    _, event = edit(app, created.share.id, add_study_ids=(second.orthanc_id,))
    assert event.detail["studies"]["to"] == [first.orthanc_id, second.orthanc_id]
    with app.app_context():
        added = db.session.get(Share, created.share.id).studies[1]
        assert added.study_instance_uid == second.study_instance_uid
        assert added.summary["description"] == second.description


def test_a_new_challenge_gives_a_password_once_and_signs_recipients_out(
    app, client, make_share, doe
):
    created = make_share([doe[0].orthanc_id])
    assert client.post(f"/s/{created.secret}").status_code == 303
    assert client.get("/v/").status_code == 200
    result, event = edit(app, created.share.id, challenge=ChallengeKind.PASSWORD)
    assert result.password
    assert len(result.password) >= 8
    assert event.detail == {
        "challenge": {"from": "none", "to": "password"},
        "password": "changed",
    }
    assert result.password not in str(event.detail)
    with app.app_context():
        assert (
            db.session.scalars(
                select(WebSession).where(WebSession.share_id == created.share.id)
            ).all()
            == []
        )
    assert client.get("/v/").status_code == 401
    with pytest.raises(ShareError, match="at least 8"):
        edit(app, created.share.id, challenge=ChallengeKind.PASSWORD, password="short")


def test_settings_are_audited_with_old_and_new_values(app, make_share, doe):
    created = make_share([doe[0].orthanc_id], note="Bring the CD")
    _result, event = edit(
        app, created.share.id, allow_download=False, language="de", note="Neu", extend_days=1
    )
    assert event.detail["allow_download"] == {"from": True, "to": False}
    assert event.detail["language"] == {"from": "en", "to": "de"}
    assert event.detail["note"] == {"from": "Bring the CD", "to": "Neu"}
    assert set(event.detail["expires_at"]) == {"from", "to"}
    unchanged, _ = edit(app, created.share.id, language="de")
    assert unchanged.changes == {}
    with pytest.raises(ShareError, match="English, French or German"):
        edit(app, created.share.id, language="xx")


def test_two_edits_from_one_version_one_wins(app, make_share, doe):
    created = make_share([doe[0].orthanc_id])
    with app.app_context():
        share = db.session.get(Share, created.share.id)
        version = share.version
        edit_share(share, ShareEdit(note="first"), get_orthanc(), user=None, version=version)
        with pytest.raises(StaleShareError):
            edit_share(share, ShareEdit(note="second"), get_orthanc(), user=None, version=version)
        assert db.session.get(Share, created.share.id).note == "first"
