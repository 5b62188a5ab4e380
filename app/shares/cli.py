"""`flask shares ...`: create, revoke and clean up shares from scripts."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.orthanc.errors import OrthancError
from app.orthanc.flask_client import get_orthanc
from app.shares import cli_edit, cli_follow
from app.shares.backfill import backfill_patients
from app.shares.lifecycle import purge_ended, revoke
from app.shares.models import ChallengeKind, Share
from app.shares.options import LANGUAGES, ShareError, ShareOptions
from app.shares.qr import qr_png
from app.shares.service import create_share
from app.users.models import User
from app.web_sessions import purge_expired as purge_expired_sessions

shares_cli = AppGroup("shares", help="Create, list, look after, revoke and clean up shares.")
for _command in (*cli_follow.COMMANDS, *cli_edit.COMMANDS):
    shares_cli.add_command(_command)


def _writable(path: Path) -> bool:
    folder = path.parent
    if path.exists():
        return path.is_file() and os.access(path, os.W_OK)
    return folder.is_dir() and os.access(folder, os.W_OK)


@shares_cli.command("create")
@click.option("--study", "studies", multiple=True, required=True, help="Orthanc study id.")
@click.option("--owner", required=True, help="E-mail of the clinician who owns the share.")
@click.option("--expires-in-days", type=int, default=15, show_default=True)
@click.option(
    "--challenge", type=click.Choice([kind.value for kind in ChallengeKind]), default="birthdate"
)
@click.option("--password-stdin", is_flag=True, help="Read the share password from stdin.")
@click.option("--access-code", is_flag=True, help="Also give the share a typable access code.")
@click.option("--email", help="Send the link to this address.")
@click.option("--language", type=click.Choice(list(LANGUAGES)), default="en")
@click.option("--no-download", is_flag=True, help="Do not let the recipient download.")
@click.option("--anonymize", is_flag=True, help="Share an anonymized copy.")
@click.option("--qr-png", type=click.Path(dir_okay=False, path_type=Path), help="Write the QR.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def create_command(**args) -> None:
    """Create a share and print its link (shown only now)."""
    owner = User.find_by_email(args["owner"])
    if owner is None or not owner.active:
        raise click.ClickException(f"No active user with the e-mail {args['owner']}.")
    if args["qr_png"] and not _writable(args["qr_png"]):
        # Checked first: a share whose link could not be written out would reach nobody.
        raise click.ClickException(f"Cannot write the QR code to {args['qr_png']}.")
    password = sys.stdin.readline().rstrip("\r\n") if args["password_stdin"] else None
    options = ShareOptions(
        study_ids=list(args["studies"]),
        expires_in_days=args["expires_in_days"] or None,
        challenge=ChallengeKind(args["challenge"]),
        password=password,
        access_code=args["access_code"],
        allow_download=not args["no_download"],
        anonymize=args["anonymize"],
        language=args["language"],
        recipient_email=args["email"],
    )
    try:
        created = create_share(owner, options, get_orthanc(), email_recipient=True)
    except (ShareError, OrthancError) as exc:
        raise click.ClickException(str(exc)) from None
    if args["qr_png"]:
        args["qr_png"].write_bytes(qr_png(created.link))
    result = {
        "id": created.share.public_id,
        "link": created.link,
        "access_code": created.access_code,
        "expires_at": created.share.expires_at.isoformat() if created.share.expires_at else None,
    }
    if args["as_json"]:
        click.echo(json.dumps(result))
    else:
        for key, value in result.items():
            click.echo(f"{key}: {value}")
    if created.email_error:
        raise click.ClickException(
            f"The share exists, but the e-mail failed: {created.email_error}"
        )


@shares_cli.command("revoke")
@click.argument("public_id")
def revoke_command(public_id: str) -> None:
    """Revoke a share now (its link and viewer tokens stop working)."""
    share = Share.by_public_id(public_id)
    if share is None:
        raise click.ClickException(f"No share {public_id}.")
    try:
        revoke(share, get_orthanc())
    except ShareError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked {public_id}.")


@shares_cli.command("purge-expired")
def purge_command() -> None:
    """Delete the anonymized copies of ended shares (the audit trail stays) and the expired
    console and recipient sessions."""
    # First, and committed on its own: it needs no Orthanc.
    sessions = purge_expired_sessions()
    db.session.commit()
    click.echo(f"Deleted {sessions} expired sessions.")
    try:
        shares, copies = purge_ended(get_orthanc())
    except OrthancError as exc:
        raise click.ClickException(f"Orthanc failed during the purge: {exc}") from None
    click.echo(f"Cleaned {shares} ended shares ({copies} anonymized copies deleted).")


@shares_cli.command("backfill-patients")
def backfill_patients_command() -> None:
    """Store the patient (name, ID, accession number) of shares made before it was kept."""
    try:
        report = backfill_patients(get_orthanc())
    except OrthancError as exc:
        raise click.ClickException(f"Orthanc failed during the backfill: {exc}") from None
    click.echo(
        f"Filled {report.filled} shared studies; {report.gone} left empty (no longer in Orthanc)."
    )
