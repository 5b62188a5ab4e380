"""MAIL_BACKEND=console (the development default): nothing is sent, each e-mail goes whole to
a file under instance/mail/, and the log names the file without the link or the address."""

import logging
import stat
from email import message_from_bytes, policy

import pytest

from app.shares.audit import AuditKind
from app.shares.models import ChallengeKind
from tests.functional.shares.conftest import audit_events, link_of
from tests.functional.shares.test_share_email import RECIPIENT, send

NOTE = "Bring the CD of 2019 for MÜLLER."


@pytest.fixture
def app_env(app_env):
    return {**app_env, "MAIL_BACKEND": "console"}


@pytest.fixture
def mail_folder(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    return tmp_path / "instance" / "mail"


def test_the_share_email_is_written_to_a_private_file_not_sent(
    app, make_share, ct_study_id, smtp_sink, mail_folder, caplog
):
    created = make_share([ct_study_id], note=NOTE, access_code=True)
    caplog.set_level(logging.INFO, logger="app.shares")

    assert send(app, created) is None

    assert smtp_sink.deliveries == []
    [path] = mail_folder.iterdir()
    assert path.suffix == ".eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(mail_folder.stat().st_mode) == 0o700
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == RECIPIENT
    assert link_of(app, created) in message.get_body(("plain",)).get_content()
    assert [part.get_filename() for part in message.iter_attachments()] == ["qr-code.png"]
    [event] = audit_events(app, created, AuditKind.EMAILED)
    assert event.detail == {"to": RECIPIENT}

    assert str(path) in caplog.text
    for secret in (created.secret, created.access_code, RECIPIENT, "MÜLLER", "Bring the CD"):
        assert secret not in caplog.text, secret


def test_owner_notices_go_to_files_too(app, client, make_share, make_user, demo_study, mail_folder):
    owner = make_user("owner@example.org")
    study = demo_study("DEMO0004").orthanc_id
    created = make_share(
        [study], owner=owner, challenge=ChallengeKind.BIRTH_DATE, notify_owner=True
    )
    client.post(f"/s/{created.secret}", data={"birth_date": "29/02/1972"})
    [path] = mail_folder.iterdir()
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert (message["To"], message["Subject"]) == (
        "owner@example.org",
        f"StudyShare: share {created.share.public_id} was opened",
    )
