"""Revoke, unlock, extend, new link and cleanup, with real anonymized copies in Orthanc."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancNotFound, OrthancUnavailable
from app.orthanc.flask_client import get_orthanc
from app.shares import lifecycle
from app.shares.audit_models import AuditEvent
from app.shares.models import Share, ShareState
from app.shares.options import ShareError, ShareOptions
from app.shares.service import create_share
from app.shares.tokens import hash_link_secret
from app.users.models import User


def load(public_id: str) -> Share:
    return db.session.scalar(select(Share).where(Share.public_id == public_id))


def kinds(share: Share) -> list[str]:
    query = select(AuditEvent.kind).where(AuditEvent.share_id == share.id).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_anonymized_share_points_at_a_copy_that_revoke_deletes(
    app, make_share, demo_study, orthanc_client
):
    source = demo_study("DEMO0006")
    created = make_share([source.orthanc_id], anonymize=True)
    with app.app_context():
        share = load(created.share.public_id)
        copy_id = share.studies[0].orthanc_study_id
        assert share.anonymized
        assert copy_id != source.orthanc_id
        assert share.studies[0].source_orthanc_study_id == source.orthanc_id
        copy = orthanc_client.get_study(copy_id)
        assert copy.study_instance_uid == share.studies[0].study_instance_uid
        assert copy.study_instance_uid != source.study_instance_uid
        assert "BRIEN" not in copy.patient.name

        lifecycle.revoke(share, get_orthanc())
        assert share.state() is ShareState.REVOKED
        assert share.studies[0].anonymized_copy_deleted_at is not None
        assert kinds(share) == ["created", "revoked"]
    with pytest.raises(OrthancNotFound):
        orthanc_client.get_study(copy_id)
    assert orthanc_client.get_study(source.orthanc_id).orthanc_id == source.orthanc_id


def test_purge_deletes_copies_of_expired_shares_only(app, make_share, demo_study, orthanc_client):
    source = demo_study("DEMO0005")
    ended = make_share([source.orthanc_id], anonymize=True)
    live = make_share([source.orthanc_id], anonymize=True)
    with app.app_context():
        expired = load(ended.share.public_id)
        expired.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
        assert lifecycle.purge_ended(get_orthanc()) == (1, 1)
        assert lifecycle.purge_ended(get_orthanc()) == (0, 0)
        assert kinds(expired) == ["created", "expired_cleanup"]
        live_copy = load(live.share.public_id).studies[0].orthanc_study_id
        assert orthanc_client.get_study(live_copy).orthanc_id == live_copy
        with pytest.raises(OrthancNotFound):
            orthanc_client.get_study(expired.studies[0].orthanc_study_id)
        # No copy without a date left behind for the searches of later tests.
        lifecycle.revoke(load(live.share.public_id), get_orthanc())


class FailingCopyLookup(OrthancClient):
    """The real client, except that reading an anonymized copy back fails like a 5xx."""

    def __init__(self, real: OrthancClient) -> None:
        super().__init__(real.base_url, *real.session.auth, timeout=10)
        self.copies: list[str] = []

    def anonymize_study(self, study_id: str, pseudonym: str | None = None) -> str:
        copy_id = super().anonymize_study(study_id, pseudonym)
        self.copies.append(copy_id)
        return copy_id

    def get_study(self, study_id: str):
        if study_id in self.copies:
            raise OrthancUnavailable("Orthanc answered 500")
        return super().get_study(study_id)


def test_failed_anonymization_leaves_no_share_and_no_copy(
    app, make_user, demo_study, orthanc_client
):
    owner = make_user()
    before = orthanc_client.statistics()["CountStudies"]
    with app.app_context():
        client = FailingCopyLookup(get_orthanc())
        options = ShareOptions(study_ids=[demo_study("DEMO0002").orthanc_id], anonymize=True)
        with pytest.raises(ShareError, match="could not make the anonymized copy"):
            create_share(db.session.get(User, owner.id), options, client)
        assert db.session.scalar(select(Share)) is None
    assert client.copies
    assert orthanc_client.statistics()["CountStudies"] == before


class FailingSeriesLookup(OrthancClient):
    """The real client, except that describing the studies fails like a 5xx (after copies)."""

    def __init__(self, real: OrthancClient) -> None:
        super().__init__(real.base_url, *real.session.auth, timeout=10)

    def find_series_of_studies(self, study_uids: list[str]):
        raise OrthancUnavailable("Orthanc answered 503")


def test_a_failure_after_the_copies_were_made_deletes_them(
    app, make_user, demo_study, orthanc_client
):
    owner = make_user()
    before = orthanc_client.statistics()["CountStudies"]
    with app.app_context():
        options = ShareOptions(study_ids=[demo_study("DEMO0002").orthanc_id], anonymize=True)
        with pytest.raises(OrthancUnavailable):
            create_share(
                db.session.get(User, owner.id), options, FailingSeriesLookup(get_orthanc())
            )
        assert db.session.scalar(select(Share)) is None
    assert orthanc_client.statistics()["CountStudies"] == before


def test_the_copies_of_one_share_stay_one_anonymous_patient(
    app, make_share, demo_study, orthanc_client
):
    sources = [demo_study(accession) for accession in ("DEMO0003", "DEMO0004", "DEMO0005")]
    created = make_share([source.orthanc_id for source in sources], anonymize=True)
    with app.app_context():
        share = load(created.share.public_id)
        copies = [orthanc_client.get_study(study.orthanc_study_id) for study in share.studies]
        lifecycle.revoke(share, get_orthanc())
    assert len({copy.patient.patient_id for copy in copies}) == 1
    assert copies[0].patient.patient_id.startswith("ANON-")
    assert {copy.patient.orthanc_id for copy in copies} != {sources[0].patient.orthanc_id}


def test_another_shares_anonymized_copy_cannot_be_shared(app, make_share, demo_study):
    first = make_share([demo_study("DEMO0006").orthanc_id], anonymize=True)
    with app.app_context():
        copy_id = load(first.share.public_id).studies[0].orthanc_study_id
    with pytest.raises(ShareError, match="is an anonymized copy made for another share"):
        make_share([copy_id])
    with app.app_context():
        lifecycle.revoke(load(first.share.public_id), get_orthanc())


def test_unlock_extend_and_new_link(app, make_share, demo_study):
    created = make_share([demo_study("DEMO0008").orthanc_id])
    with app.app_context():
        share = load(created.share.public_id)
        with pytest.raises(ShareError, match="not locked"):
            lifecycle.unlock(share)
        share.locked_at, share.failed_attempts = datetime.now(UTC), 5
        db.session.commit()
        lifecycle.unlock(share)
        assert (share.locked_at, share.failed_attempts) == (None, 0)

        lifecycle.extend(share, 90)
        assert share.expires_at > datetime.now(UTC) + timedelta(days=89)
        with pytest.raises(ShareError, match="offered durations"):
            lifecycle.extend(share, 1000)

        secret, code = lifecycle.regenerate_link(share)
        assert code is None  # this share has no access code
        assert secret != created.secret
        assert share.secret_hash == hash_link_secret(secret)
        assert kinds(share) == ["created", "unlocked", "extended", "link_regenerated"]

        lifecycle.revoke(share, get_orthanc())
        for action in (
            lambda: lifecycle.revoke(share, get_orthanc()),
            lambda: lifecycle.extend(share, 7),
            lambda: lifecycle.regenerate_link(share),
        ):
            with pytest.raises(ShareError):
                action()
