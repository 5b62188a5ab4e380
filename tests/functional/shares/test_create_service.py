"""Creating shares through the service, against the real Orthanc and database."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.demo.catalog import demo_entry
from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.shares.audit import AuditKind, record
from app.shares.audit_models import AuditEvent
from app.shares.birth_dates import hash_birth_date
from app.shares.models import ChallengeKind, Share
from app.shares.options import ShareError, ShareOptions
from app.shares.service import RESUBMIT_WINDOW, create_share
from app.shares.tokens import hash_link_secret, looks_like_link_secret
from app.users.models import User
from app.users.passwords import verify_password


def test_a_share_stores_hashes_only(app, make_share, demo_study):
    ct = demo_study("DEMO0001")
    created = make_share(
        [ct.orthanc_id],
        challenge=ChallengeKind.PASSWORD,
        password="a secret pass",
        access_code=True,
    )
    assert looks_like_link_secret(created.secret)
    with app.app_context():
        assert created.link == f"{app.config['PUBLIC_BASE_URL']}/s/{created.secret}"
        share = db.session.scalar(select(Share).where(Share.public_id == created.share.public_id))
        assert share.secret_hash == hash_link_secret(created.secret)
        assert created.secret not in repr(share.__dict__)
        assert verify_password(share.password_hash, "a secret pass")
        assert len(share.access_code_hash) == 64
        assert created.access_code.replace("-", "") not in share.access_code_hash
        assert share.studies[0].study_instance_uid == ct.study_instance_uid
        assert share.studies[0].summary == {
            "date": "2023-03-14",
            "description": "CT THORAX WITH CONTRAST",
            "modalities": ["CT"],
            "series": len(demo_entry("DEMO0001")[1].series),
            "images": demo_entry("DEMO0001")[1].instance_count,
        }
        expected = datetime.now(UTC) + timedelta(days=15)
        assert abs((share.expires_at - expected).total_seconds()) < 60
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.share_id == share.id))
        assert event.kind == AuditKind.CREATED
        assert event.actor_user_id == share.owner_id
        assert created.secret not in str(event.detail)


def test_several_studies_of_one_patient(app, make_share, demo_study):
    created = make_share([demo_study("DEMO0003").orthanc_id, demo_study("DEMO0004").orthanc_id])
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == created.share.public_id))
        assert len(share.studies) == 2


def test_birth_date_challenge_takes_the_archive_value_or_the_clinician_one(
    app, make_share, demo_study
):
    doe = demo_study("DEMO0004")
    archive = make_share([doe.orthanc_id], challenge=ChallengeKind.BIRTH_DATE)
    typed = make_share(
        [doe.orthanc_id], challenge=ChallengeKind.BIRTH_DATE, birth_date=date(1972, 3, 1)
    )
    with app.app_context():
        values = {s.public_id: s.birth_date_hash for s in db.session.scalars(select(Share)).all()}
        assert values[archive.share.public_id] == hash_birth_date("19720229")
        assert values[typed.share.public_id] == hash_birth_date("19720301")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"study_ids": []}, "Choose at least one study"),
        ({"study_ids": ["00000000-00000000-00000000-00000000-00000000"]}, "was not found"),
        ({"expires_in_days": 2}, "The expiry must be one of"),
        ({"expires_in_days": -1}, "The expiry must be one of"),
        ({"expires_in_days": None}, "Shares must expire"),
        ({"challenge": ChallengeKind.PASSWORD, "password": ""}, "at least 8 characters"),
        ({"challenge": ChallengeKind.PASSWORD, "password": "        x"}, "at least 8 characters"),
        ({"recipient_email": "not an address"}, "e-mail address is not valid"),
        ({"language": "es"}, "English, French or German"),
        ({"max_opens": 0}, "between 1 and"),
        ({"challenge": ChallengeKind.BIRTH_DATE, "birth_date": date(2999, 1, 1)}, "past date"),
        ({"challenge": ChallengeKind.BIRTH_DATE, "birth_date": date(1850, 1, 1)}, "after 1900"),
    ],
)
def test_bad_options_are_refused_with_a_message(app, make_user, demo_study, options, message):
    owner = make_user()
    options = {"study_ids": [demo_study("DEMO0001").orthanc_id], **options}
    with app.app_context(), pytest.raises(ShareError, match=message):
        create_share(db.session.get(User, owner.id), ShareOptions(**options), get_orthanc())
    with app.app_context():
        assert db.session.scalar(select(Share)) is None


def test_studies_of_different_patients_are_refused(app, make_user, demo_study):
    owner = make_user()
    ids = [demo_study("DEMO0001").orthanc_id, demo_study("DEMO0004").orthanc_id]
    with app.app_context(), pytest.raises(ShareError, match="same patient"):
        create_share(db.session.get(User, owner.id), ShareOptions(study_ids=ids), get_orthanc())


def test_never_expiring_only_when_allowed(app, make_share, demo_study):
    app.config["ALLOW_NEVER_EXPIRE"] = True
    created = make_share([demo_study("DEMO0008").orthanc_id], expires_in_days=None)
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == created.share.public_id))
        assert share.expires_at is None


def test_a_repeated_form_makes_one_share_with_fresh_secrets(app, make_user, demo_study):
    owner = make_user()
    options = ShareOptions(
        study_ids=[demo_study("DEMO0008").orthanc_id],
        challenge=ChallengeKind.NONE,
        access_code=True,
        creation_key="same-form-key",
    )
    with app.app_context():
        user = db.session.get(User, owner.id)
        first = create_share(user, options, get_orthanc())
        second = create_share(user, options, get_orthanc())
        assert second.repeated
        assert not first.repeated
        assert second.share.id == first.share.id
        assert db.session.scalars(select(Share)).all() == [second.share]
        assert second.share.secret_hash == hash_link_secret(second.secret)
        assert second.secret != first.secret
        assert second.access_code
        assert second.access_code != first.access_code
        kinds = [e.kind for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert kinds == ["created", "link_regenerated"]


@pytest.mark.parametrize("delivered", ["e-mailed", "created long ago"])
def test_a_form_sent_again_after_its_link_may_be_out_keeps_that_link(
    app, make_user, demo_study, delivered
):
    owner = make_user()
    options = ShareOptions(
        study_ids=[demo_study("DEMO0008").orthanc_id],
        challenge=ChallengeKind.NONE,
        creation_key=f"form-{delivered}",
    )
    with app.app_context():
        user = db.session.get(User, owner.id)
        first = create_share(user, options, get_orthanc())
        if delivered == "e-mailed":
            record(AuditKind.EMAILED, first.share, user=user, detail={"to": "p@example.org"})
        else:
            first.share.created_at -= RESUBMIT_WINDOW + timedelta(seconds=1)
        db.session.commit()
        with pytest.raises(ShareError, match="its link still works"):
            create_share(user, options, get_orthanc())
        assert first.share.secret_hash == hash_link_secret(first.secret)
        assert db.session.scalar(select(func.count()).select_from(Share)) == 1
