"""POST /auth/tokens/validate called directly, with real shares and real viewer tokens."""

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.authz import plugin_auth
from app.extensions import db
from app.shares.models import Share
from app.shares.viewer_tokens import mint_viewer_token, signing_keys
from config.values import SigningKeys
from tests.functional.authz.conftest import study_body


@pytest.fixture
def shared(make_share, demo_study, viewer_token):
    """A live share of the MR brain study and a viewer token for it."""
    study = demo_study("DEMO0003")
    created = make_share([study.orthanc_id])
    return study, created.share.public_id, viewer_token(created.share.public_id)


def test_get_on_the_shared_study_is_granted(validate, shared):
    study, _, token = shared
    response = validate(study_body(token, study))
    assert response.status_code == 200
    assert response.json == {"granted": True, "validity": 9}


@pytest.mark.parametrize("value", ["Bearer {t}", "bearer   {t}", "BEARER {t}"])
def test_bearer_prefix_is_stripped(validate, shared, value):
    study, _, token = shared
    body = study_body(value.format(t=token), study, **{"token-key": "Authorization"})
    assert validate(body).json["granted"] is True


def test_token_from_the_header_when_the_body_has_none(validate, shared):
    study, _, token = shared
    body = study_body(None, study)
    assert validate(body, headers={"token": token}).json["granted"] is True


def test_either_id_alone_is_enough_but_both_must_agree(validate, shared, demo_study):
    study, _, token = shared
    assert validate(study_body(token, study, **{"dicom-uid": None})).json["granted"] is True
    assert validate(study_body(token, study, **{"orthanc-id": None})).json["granted"] is True
    other = demo_study("DEMO0004")
    mixed = study_body(token, study, **{"orthanc-id": other.orthanc_id})
    assert validate(mixed).json["granted"] is False


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "delete"},
        {"method": "put"},
        {"method": "post"},
        {"level": "patient"},
        {"level": "series"},
        {"level": "system"},
        {"token-value": None},
        {"token-value": ""},
        {"token-value": "garbage"},
        {"token-value": "Bearer "},
        {"orthanc-id": None, "dicom-uid": None},
    ],
)
def test_everything_else_is_denied(validate, shared, changes):
    study, _, token = shared
    response = validate(study_body(token, study, **changes))
    assert response.status_code == 200
    assert response.json["granted"] is False
    assert isinstance(response.json["validity"], int)


def test_another_study_is_denied(validate, shared, demo_study):
    _, _, token = shared
    assert validate(study_body(token, demo_study("DEMO0004"))).json["granted"] is False


def test_revoked_locked_expired_shares_are_denied(app, validate, shared):
    study, public_id, token = shared
    for column in ("revoked_at", "locked_at", "expires_at"):
        with app.app_context():
            share = db.session.scalar(select(Share).where(Share.public_id == public_id))
            setattr(share, column, datetime.now(UTC) - timedelta(seconds=1))
            db.session.commit()
        app.extensions["studyshare.authz.validate"].states._entries.clear()
        assert validate(study_body(token, study)).json["granted"] is False
        with app.app_context():
            share = db.session.scalar(select(Share).where(Share.public_id == public_id))
            setattr(
                share,
                column,
                None if column != "expires_at" else datetime.now(UTC) + timedelta(days=1),
            )
            db.session.commit()
        app.extensions["studyshare.authz.validate"].states._entries.clear()
        assert validate(study_body(token, study)).json["granted"] is True


def test_forged_tokens_are_denied(validate, shared):
    study, _, token = shared
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    wrong_key = jwt.encode(claims, "x" * 64, algorithm="HS256", headers=header)
    unknown_kid = jwt.encode(claims, "x" * 64, algorithm="HS256", headers={"kid": "other"})
    for forged in (unsigned, wrong_key, unknown_kid, token[:-2] + "xx"):
        assert validate(study_body(forged, study)).json["granted"] is False


def test_link_secret_is_not_a_token(validate, make_share, demo_study):
    study = demo_study("DEMO0001")
    created = make_share([study.orthanc_id])
    assert validate(study_body(created.secret, study)).json["granted"] is False


def test_token_of_another_share_is_denied(validate, make_share, demo_study, viewer_token):
    study = demo_study("DEMO0001")
    other = make_share([demo_study("DEMO0008").orthanc_id])
    assert validate(study_body(viewer_token(other.share.public_id), study)).json["granted"] is False


def test_validity_never_passes_the_share_expiry(app, validate, shared):
    study, public_id, token = shared
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        share.expires_at = datetime.now(UTC) + timedelta(seconds=4)
        db.session.commit()
    app.extensions["studyshare.authz.validate"].states._entries.clear()
    response = validate(study_body(token, study))
    assert response.json["granted"] is True
    assert 0 < response.json["validity"] <= 4


def test_server_id_must_match_when_configured(app, validate, shared):
    study, _, token = shared
    app.config["SERVER_ID"] = "public-orthanc"
    assert validate(study_body(token, study)).json["granted"] is False
    assert validate(study_body(token, study, **{"server-id": "public-orthanc"})).json["granted"]


def test_basic_auth_is_required(client, shared, monkeypatch, caplog):
    monkeypatch.setattr(plugin_auth, "_REFUSALS", plugin_auth.RefusalLog())
    study, _, token = shared
    response = client.post("/auth/tokens/validate", json=study_body(token, study))
    assert response.status_code == 401
    assert response.json["message"] == "HTTP Basic credentials are required."
    wrong = client.post(
        "/auth/tokens/validate",
        json=study_body(token, study),
        headers={"Authorization": "Basic b3J0aGFuYzp3cm9uZw=="},
    )
    assert wrong.status_code == 401
    # The token service logs no line per call: a refused plugin is said, once a minute.
    warnings = [r.getMessage() for r in caplog.records if r.name == plugin_auth.__name__]
    assert len(warnings) == 1
    assert "WebServicePassword must be AUTHZ_USERNAME/AUTHZ_PASSWORD" in warnings[0]
    assert "wrong" not in warnings[0]


def test_usage_is_counted_and_written_in_batches(app, validate, shared):
    study, public_id, token = shared

    def use_count():
        with app.app_context():
            share = db.session.scalar(select(Share).where(Share.public_id == public_id))
            return share.use_count, share.last_used_at

    for _ in range(3):
        validate(study_body(token, study))
    assert use_count() == (0, None)  # batched: no write yet
    app.extensions["studyshare.authz.validate"].usage.interval = 0
    validate(study_body(token, study))
    count, last_used = use_count()
    assert count == 4
    assert last_used is not None


def test_a_token_seen_before_is_still_denied_once_it_expires(app, validate, shared):
    """Verified tokens are remembered (the plugin asks per image), their expiry is not."""
    study, public_id, _ = shared
    ttl = app.config["VIEWER_TOKEN_TTL"]
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        almost_spent = mint_viewer_token(share, now=datetime.now(UTC) - timedelta(seconds=ttl - 3))
    first = validate(study_body(almost_spent, study)).json
    assert first["granted"] is True
    assert first["validity"] <= 3
    time.sleep(first["validity"] + 1.1)
    assert validate(study_body(almost_spent, study)).json["granted"] is False


def test_only_hs256_is_accepted_even_with_the_right_kid_and_key(app, validate, shared):
    study, _, token = shared
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    with app.app_context():
        key = signing_keys()[header["kid"]]
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": header["kid"]})
    with pytest.warns(jwt.warnings.InsecureKeyLengthWarning):  # PyJWT's advice for HS512
        stronger = jwt.encode(claims, key, algorithm="HS512", headers={"kid": header["kid"]})
    assert validate(study_body(token, study)).json["granted"] is True
    for other_algorithm in (unsigned, stronger):
        assert validate(study_body(other_algorithm, study)).json["granted"] is False


def test_keys_rotate_the_first_signs_the_others_still_verify(app, validate, shared):
    """Keys come from the config read at start; here it is changed in place between steps."""
    study, public_id, _ = shared
    old, new = "old:" + "o" * 40, "new:" + "n" * 40

    def keys(text):  # VIEWER_TOKEN_KEYS as config parses it at start
        return SigningKeys().parse(text, "VIEWER_TOKEN_KEYS")

    def mint():
        with app.app_context():
            share = db.session.scalar(select(Share).where(Share.public_id == public_id))
            return mint_viewer_token(share)

    app.config["VIEWER_TOKEN_KEYS"] = keys(old)
    first_old, second_old = mint(), mint()
    app.config["VIEWER_TOKEN_KEYS"] = keys(f"{new},{old}")
    assert jwt.get_unverified_header(mint())["kid"] == "new"
    assert validate(study_body(first_old, study)).json["granted"] is True
    app.config["VIEWER_TOKEN_KEYS"] = keys(new)
    # (A running process remembers tokens it verified; dropping a key needs a restart.)
    assert validate(study_body(second_old, study)).json["granted"] is False


def test_a_failed_usage_write_keeps_the_grant_and_the_counts(app, validate, shared, monkeypatch):
    """A fault the real database rarely shows on demand: the batched UPDATE fails once."""
    study, public_id, token = shared
    recorder = app.extensions["studyshare.authz.validate"].usage
    recorder.interval = 0

    def failing_update(*args, **kwargs):
        raise OperationalError("UPDATE shares", {}, Exception("database is locked"))

    monkeypatch.setattr("app.authz.share_state.update", failing_update)
    assert validate(study_body(token, study)).json["granted"] is True
    monkeypatch.undo()
    assert validate(study_body(token, study)).json["granted"] is True
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        assert share.use_count == 2


def test_counts_still_in_memory_are_written_when_the_worker_stops(app, validate, shared):
    study, public_id, token = shared
    for _ in range(2):
        validate(study_body(token, study))
    endpoint = app.extensions["studyshare.authz.validate"]
    endpoint.flush_usage()  # what the exit hook does
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        assert share.use_count == 2
        assert share.last_used_at is not None
