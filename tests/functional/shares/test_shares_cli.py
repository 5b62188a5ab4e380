"""`flask shares create|revoke|purge-expired` against the real Orthanc."""

import json
import subprocess

from sqlalchemy import select

from app.extensions import db
from app.shares.birth_dates import hash_birth_date
from app.shares.models import Share
from app.shares.tokens import hash_link_secret
from app.users.passwords import verify_password


def test_create_prints_json_and_writes_the_qr(app, runner, make_user, demo_study, tmp_path):
    make_user("cli@example.org")
    qr_file = tmp_path / "qr.png"
    result = runner.invoke(
        args=[
            "shares",
            "create",
            "--study",
            demo_study("DEMO0003").orthanc_id,
            "--study",
            demo_study("DEMO0004").orthanc_id,
            "--owner",
            "cli@example.org",
            "--expires-in-days",
            "30",
            "--challenge",
            "birthdate+password",
            "--password-stdin",
            "--access-code",
            "--language",
            "de",
            "--qr-png",
            str(qr_file),
            "--json",
        ],
        input="ein langes Passwort\n",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"id", "link", "access_code", "expires_at"}
    assert data["link"].startswith(app.config["PUBLIC_BASE_URL"] + "/s/")
    assert len(data["access_code"]) == 12
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(qr_file)], capture_output=True, text=True, check=True
    )
    assert decoded.stdout.strip() == data["link"]
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == data["id"]))
        assert share.secret_hash == hash_link_secret(data["link"].rsplit("/", 1)[1])
        assert verify_password(share.password_hash, "ein langes Passwort")
        assert (share.language, len(share.studies)) == ("de", 2)
        assert share.birth_date_hash == hash_birth_date("19720229")


def test_create_refuses_bad_input_clearly(runner, make_user, demo_study):
    make_user("cli@example.org")
    study = demo_study("DEMO0001").orthanc_id
    cases = [
        (["--owner", "nobody@example.org", "--study", study], "No active user"),
        (["--owner", "cli@example.org", "--study", "bogus"], "was not found"),
        (["--owner", "cli@example.org", "--study", study, "--expires-in-days", "3"], "expiry"),
        (
            ["--owner", "cli@example.org", "--study", study, "--challenge", "password"],
            "at least 8 characters",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(args=["shares", "create", *args], input="\n")
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output


def test_revoke_and_purge(app, runner, make_share, demo_study):
    created = make_share([demo_study("DEMO0007").orthanc_id], anonymize=True)
    result = runner.invoke(args=["shares", "revoke", created.share.public_id])
    assert result.exit_code == 0, result.output
    assert "Revoked" in result.output
    again = runner.invoke(args=["shares", "revoke", created.share.public_id])
    assert again.exit_code == 1
    assert "already revoked" in again.output
    unknown = runner.invoke(args=["shares", "revoke", "sh-nope"])
    assert unknown.exit_code == 1
    purge = runner.invoke(args=["shares", "purge-expired"])
    assert purge.exit_code == 0
    assert "Cleaned 0 ended shares" in purge.output  # revoke already deleted the copy


def test_an_unwritable_qr_path_is_refused_before_any_share_exists(
    app, runner, make_user, demo_study, tmp_path
):
    make_user("cli@example.org")
    study = demo_study("DEMO0001").orthanc_id
    target = tmp_path / "missing-folder" / "qr.png"
    args = ["shares", "create", "--study", study, "--owner", "cli@example.org"]
    result = runner.invoke(args=[*args, "--challenge", "none", "--qr-png", str(target)])
    assert result.exit_code == 1
    assert f"Cannot write the QR code to {target}." in result.output
    with app.app_context():
        assert db.session.scalar(select(Share)) is None
