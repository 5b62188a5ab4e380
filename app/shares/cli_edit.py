"""`flask shares edit`: the console's edits after sending, from a shell (app/shares/editing.py)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click
from flask.cli import AppGroup

from app.orthanc.errors import OrthancError
from app.orthanc.flask_client import get_orthanc
from app.shares import editing, lifecycle
from app.shares.cli_follow import echo_data, reports_failures, share_or_fail
from app.shares.facts import share_facts
from app.shares.models import ChallengeKind
from app.shares.options import LANGUAGES
from app.shares.versions import StaleShareError

# Only to give the command its app context; `flask shares` adds it (app/shares/cli.py).
_commands = AppGroup("shares-edit")

DAY = click.DateTime(formats=["%Y-%m-%d"])


@_commands.command("edit")
@click.argument("public_id")
@click.option("--add-study", "add", multiple=True, help="Orthanc id of a study to add.")
@click.option("--remove-study", "remove", multiple=True, help="Orthanc id of a study to drop.")
@click.option("--expires-on", help="Last day of the share (YYYY-MM-DD), or 'never'.")
@click.option("--challenge", type=click.Choice([kind.value for kind in ChallengeKind]))
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin.")
@click.option("--renew-password", is_flag=True, help="Ask the same challenge, new password.")
@click.option("--birth-date", type=DAY, help="Birth date to ask (default: the archive's).")
@click.option("--download/--no-download", default=None, help="Let the recipient download.")
@click.option("--language", type=click.Choice(list(LANGUAGES)))
@click.option("--note", help="Note for the recipient ('' clears it).")
@click.option("--if-version", type=click.IntRange(1), help="Refuse if the share changed since.")
@click.option("--json", "as_json", is_flag=True, help="Print the share and its changes as JSON.")
@reports_failures
def edit_command(public_id: str, **args: Any) -> None:
    """Change a share after it was sent; a new challenge password is shown only now."""
    share = share_or_fail(public_id)
    if args["challenge"] is None and (
        args["password_stdin"] or args["renew_password"] or args["birth_date"]
    ):
        raise click.UsageError(
            "--password-stdin, --renew-password and --birth-date go with --challenge."
        )
    password = sys.stdin.readline().rstrip("\r\n") if args["password_stdin"] else None
    edit = editing.ShareEdit(
        add_study_ids=args["add"],
        remove_study_ids=args["remove"],
        expires_at=_expiry(args["expires_on"]),
        challenge=ChallengeKind(args["challenge"]) if args["challenge"] else None,
        password=password or None,
        renew=args["renew_password"],
        birth_date=args["birth_date"].date() if args["birth_date"] else None,
        allow_download=args["download"],
        language=args["language"],
        note=args["note"],
    )
    try:
        result = editing.edit_share(
            share, edit, get_orthanc(), user=None, version=args["if_version"]
        )
    except StaleShareError:
        raise click.ClickException(
            f"Share {public_id} changed since version {args['if_version']}: show it and retry."
        ) from None
    except OrthancError as exc:
        raise click.ClickException(f"Orthanc failed: {exc}") from None
    data = {**share_facts(share), "changes": result.changes, "password": result.password}
    echo_data(data, args["as_json"], _lines)


def _expiry(text: str | None) -> Any:
    if text is None:
        return editing.UNCHANGED
    if text.strip().lower() == "never":
        return None
    try:
        return lifecycle.expiry_on(date.fromisoformat(text.strip()))
    except (ValueError, OverflowError):
        raise click.BadParameter(
            "a date like 2024-03-31, or never", param_hint="--expires-on"
        ) from None


def _lines(data: dict[str, Any]) -> list[str]:
    if not data["changes"]:
        return [f"{data['id']}: nothing to change."]
    lines = [f"{data['id']} changed (version {data['version']}):"]
    lines += [f"  {name}: {value}" for name, value in data["changes"].items()]
    if data["password"]:
        lines.append(f"password: {data['password']}")
    return lines


COMMANDS = tuple(_commands.commands.values())
