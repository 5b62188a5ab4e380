"""`flask shares list|show|extend|unlock|new-link`: the console's actions from a shell."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.db_types import utcnow
from app.extensions import db
from app.shares.models import Share


@pytest.fixture
def app_env(app_env, smtp_sink):
    return {**app_env, **smtp_sink.settings}


@pytest.fixture
def two_shares(make_share, make_user, demo_study):
    ada = make_user("ada@example.org")
    first = make_share([demo_study("DEMO0001").orthanc_id], owner=ada)
    second = make_share(
        [demo_study("DEMO0004").orthanc_id], access_code=True, recipient_email="pat@example.org"
    )
    return first, second


def invoke_json(runner, *args):
    result = runner.invoke(args=["shares", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def set_share(app, public_id, **values):
    with app.app_context():
        db.session.execute(update(Share).where(Share.public_id == public_id).values(**values))
        db.session.commit()


def test_list_filters_by_owner_and_state(app, runner, two_shares):
    first, second = two_shares
    listed = invoke_json(runner, "list")
    assert [s["id"] for s in listed["shares"]] == [second.share.public_id, first.share.public_id]
    assert "secret_hash" not in listed["shares"][0]
    by_ada = invoke_json(runner, "list", "--owner", "ADA@example.org")
    assert [s["id"] for s in by_ada["shares"]] == [first.share.public_id]
    set_share(app, first.share.public_id, revoked_at=utcnow())
    revoked = invoke_json(runner, "list", "--state", "revoked")
    assert [s["id"] for s in revoked["shares"]] == [first.share.public_id]
    paged = invoke_json(runner, "list", "--limit", "1")
    assert paged["has_next"] is True
    text = runner.invoke(args=["shares", "list"]).output
    assert first.share.public_id in text
    assert "revoked" in text


def test_list_refuses_bad_filters_clearly(runner, two_shares):
    for args in (["--owner", "nobody@example.org"], ["--state", "odd"], ["--limit", "0"]):
        result = runner.invoke(args=["shares", "list", *args])
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output


def test_show_prints_the_share_and_its_audit(runner, two_shares):
    _, second = two_shares
    shown = invoke_json(runner, "show", second.share.public_id)
    assert shown["has_access_code"] is True
    assert [event["kind"] for event in shown["audit"]] == ["created"]
    assert second.secret not in json.dumps(shown)
    missing = runner.invoke(args=["shares", "show", "nope"])
    assert missing.exit_code == 1
    assert "No share nope." in missing.output


def test_extend_adds_days_through_the_lifecycle(app, runner, two_shares):
    first, _ = two_shares
    before = first.share.expires_at
    extended = invoke_json(runner, "extend", first.share.public_id, "--days", "7")
    assert extended["expires_at"] > before.isoformat()
    assert "extended" in [
        e["kind"] for e in invoke_json(runner, "show", first.share.public_id)["audit"]
    ]
    refused = runner.invoke(args=["shares", "extend", first.share.public_id, "--days", "8"])
    assert refused.exit_code == 2
    set_share(app, first.share.public_id, revoked_at=utcnow())
    revoked = runner.invoke(args=["shares", "extend", first.share.public_id, "--days", "7"])
    assert revoked.exit_code == 1
    assert "revoked share cannot be extended" in revoked.output


def test_unlock_a_locked_share_only(app, runner, two_shares):
    first, _ = two_shares
    not_locked = runner.invoke(args=["shares", "unlock", first.share.public_id])
    assert (not_locked.exit_code, "not locked" in not_locked.output) == (1, True)
    set_share(app, first.share.public_id, locked_at=utcnow() - timedelta(minutes=1))
    result = runner.invoke(args=["shares", "unlock", first.share.public_id])
    assert result.exit_code == 0, result.output
    assert invoke_json(runner, "show", first.share.public_id)["state"] == "active"


def test_new_link_replaces_the_old_one_and_can_email_it(app, client, runner, two_shares, smtp_sink):
    first, second = two_shares
    issued = invoke_json(runner, "new-link", second.share.public_id, "--email")
    assert second.secret not in issued["link"]
    assert issued["access_code"] not in (None, second.access_code)
    base = app.config["PUBLIC_BASE_URL"]
    assert client.get(f"/s/{second.secret}").status_code == 404
    assert client.get(issued["link"].removeprefix(base)).status_code == 200
    [delivery] = smtp_sink.deliveries
    assert delivery.rcpt_tos == ["pat@example.org"]
    no_address = runner.invoke(args=["shares", "new-link", first.share.public_id, "--email"])
    assert no_address.exit_code == 1
    assert "has no recipient e-mail address" in no_address.output


def test_edit_changes_settings_studies_and_expiry(app, runner, two_shares, demo_study):
    _first, second = two_shares
    public_id = second.share.public_id
    day = (utcnow() + timedelta(days=20)).astimezone(app.config["CLINIC_TIMEZONE"]).date()
    edited = invoke_json(
        runner, "edit", public_id, "--no-download", "--language", "de", "--note", "Hallo",
        "--expires-on", day.isoformat(), "--add-study", demo_study("DEMO0003").orthanc_id,
    )  # fmt: skip
    assert (edited["allow_download"], edited["language"], edited["note"]) == (False, "de", "Hallo")
    assert set(edited["changes"]) == {"allow_download", "language", "note", "expires_at", "studies"}
    assert len(edited["studies"]) == 2
    shown = invoke_json(runner, "show", public_id)
    assert shown["audit"][-1]["kind"] == "edited"
    assert shown["audit"][-1]["actor"] == "system"
    text = runner.invoke(args=["shares", "edit", public_id, "--note", ""])
    assert (text.exit_code, "note" in text.output) == (0, True)
    same = runner.invoke(args=["shares", "edit", public_id, "--note", ""])
    assert "nothing to change" in same.output


def test_edit_a_new_password_is_printed_once(runner, two_shares):
    _first, second = two_shares
    public_id = second.share.public_id
    generated = invoke_json(runner, "edit", public_id, "--challenge", "password")
    assert generated["password"]
    assert generated["challenge"] == "password"
    assert "password" not in invoke_json(runner, "show", public_id)
    chosen = runner.invoke(
        args=["shares", "edit", public_id, "--challenge", "password", "--password-stdin"],
        input="a typed secret\n",
    )
    assert chosen.exit_code == 0, chosen.output
    assert "password: a typed secret" in chosen.output


def test_edit_refusals(runner, two_shares, demo_study):
    first, second = two_shares
    version = invoke_json(runner, "show", second.share.public_id)["version"]
    assert invoke_json(runner, "edit", second.share.public_id, "--note", "x", "--if-version",
                       str(version))["version"] == version + 1  # fmt: skip
    cases = [
        (["--note", "y", "--if-version", str(version)], 1, "changed since"),
        (["--add-study", demo_study("DEMO0001").orthanc_id], 1, "patient"),
        (["--add-study", "no-such-study"], 1, "not found"),
        (["--remove-study", "no-such-study"], 1, "not in this share"),
        (["--expires-on", "31/12/2030"], 2, "date like"),
        (["--expires-on", "2001-01-01"], 1, "future"),
        (["--password-stdin"], 2, "go with --challenge"),
        (["--language", "xx"], 2, "xx"),
    ]
    for args, code, words in cases:
        result = runner.invoke(args=["shares", "edit", second.share.public_id, *args])
        assert (result.exit_code, words in result.output) == (code, True), (args, result.output)
    missing = runner.invoke(args=["shares", "edit", "sh-nope", "--note", "x"])
    assert (missing.exit_code, "No share sh-nope" in missing.output) == (1, True)
    set_share_revoked = runner.invoke(args=["shares", "revoke", first.share.public_id])
    assert set_share_revoked.exit_code == 0
    revoked = runner.invoke(args=["shares", "edit", first.share.public_id, "--note", "x"])
    assert (revoked.exit_code, "revoked" in revoked.output) == (1, True)
