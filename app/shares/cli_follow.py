"""`flask shares list|show|extend|unlock|new-link`: follow and look after shares from scripts.

The same services as the console's buttons (app/shares/lifecycle.py); the acting user of
their audit events is the system (a shell has no logged-in user).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.shares import lifecycle
from app.shares.audit_models import AuditEvent
from app.shares.facts import iso_time, share_facts
from app.shares.models import Share, ShareState
from app.shares.options import EXPIRY_DAYS, ShareError
from app.shares.queries import audit_trail, list_shares
from app.users.models import User

MAX_LIMIT = 1000

# Only to give each command its app context; `flask shares` adds them (app/shares/cli.py).
_commands = AppGroup("shares-follow")


def _event_facts(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": iso_time(event.created_at),
        "kind": event.kind,
        "actor": event.actor_name,
        "network": event.network,
        "detail": event.detail or {},
    }


def echo_data(data: Any, as_json: bool, lines: Callable[[Any], list[str]]) -> None:
    if as_json:
        click.echo(json.dumps(data))
    else:
        for line in lines(data):
            click.echo(line)


def share_or_fail(public_id: str) -> Share:
    share = Share.by_public_id(public_id) if len(public_id) <= 32 else None
    if share is None:
        raise click.ClickException(f"No share {public_id}.")
    return share


def reports_failures(command: Callable[..., None]) -> Callable[..., None]:
    """A refused change or a database that fails is one clear line, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except ShareError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            db.session.rollback()
            raise click.ClickException(
                f"The database failed ({type(exc).__name__}); is it up and migrated?"
            ) from None

    return run


@_commands.command("list")
@click.option("--owner", help="Only the shares of the user with this e-mail.")
@click.option("--state", type=click.Choice([state.value for state in ShareState]))
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=50, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the shares as JSON.")
@reports_failures
def list_command(
    owner: str | None, state: str | None, limit: int, page: int, as_json: bool
) -> None:
    """List shares, newest first."""
    owner_id = None
    if owner:
        user = User.find_by_email(owner)
        if user is None:
            raise click.ClickException(f"No user with the e-mail {owner}.")
        owner_id = user.id
    shares, has_next = list_shares(
        owner_id=owner_id,
        state=ShareState(state) if state else None,
        page=page,
        per_page=limit,
    )
    data = {"shares": [share_facts(s) for s in shares], "page": page, "has_next": has_next}
    echo_data(data, as_json, _list_lines)


def _list_lines(data: dict[str, Any]) -> list[str]:
    lines = [
        f"{s['id']}  {s['state']:<8} {s['owner']:<30} expires {s['expires_at'] or 'never'}  "
        f"opened {s['open_count']}x"
        for s in data["shares"]
    ]
    if data["has_next"]:
        lines.append(f"(more: --page {data['page'] + 1})")
    return lines or ["No shares."]


@_commands.command("show")
@click.argument("public_id")
@click.option("--json", "as_json", is_flag=True, help="Print the share and its audit as JSON.")
@reports_failures
def show_command(public_id: str, as_json: bool) -> None:
    """Show one share and its audit trail."""
    share = share_or_fail(public_id)
    data = {**share_facts(share), "audit": [_event_facts(e) for e in audit_trail(share)]}
    echo_data(data, as_json, _show_lines)


def _show_lines(data: dict[str, Any]) -> list[str]:
    lines = [f"{key}: {value}" for key, value in data.items() if key != "audit"]
    lines.append("audit:")
    lines += [f"  {e['at']}  {e['kind']:<20} {e['actor']}" for e in data["audit"]]
    return lines


@_commands.command("extend")
@click.argument("public_id")
@click.option("--days", type=click.Choice([str(d) for d in EXPIRY_DAYS]), required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the share as JSON.")
@reports_failures
def extend_command(public_id: str, days: str, as_json: bool) -> None:
    """Make a share last DAYS more days than it does now."""
    share = share_or_fail(public_id)
    lifecycle.extend(share, int(days))
    echo_data(share_facts(share), as_json, lambda s: [f"{s['id']} now expires {s['expires_at']}."])


@_commands.command("unlock")
@click.argument("public_id")
@reports_failures
def unlock_command(public_id: str) -> None:
    """Let the recipient try the challenge again after a lockout."""
    lifecycle.unlock(share_or_fail(public_id))
    click.echo(f"Unlocked {public_id}.")


@_commands.command("new-link")
@click.argument("public_id")
@click.option("--email", "email_recipient", is_flag=True, help="E-mail the new link again.")
@click.option("--json", "as_json", is_flag=True, help="Print the new link as JSON.")
@reports_failures
def new_link_command(public_id: str, email_recipient: bool, as_json: bool) -> None:
    """Give a share a new link (and access code): the old ones stop working now.

    With --email the new link is sent first: if the mail server does not take it, nothing
    changes and the old link still works.
    """
    share = share_or_fail(public_id)
    if email_recipient and not share.recipient_email:
        raise click.ClickException(f"Share {public_id} has no recipient e-mail address.")
    created = lifecycle.new_link(share, email_recipient=email_recipient)
    data = {"id": share.public_id, "link": created.link, "access_code": created.access_code}
    echo_data(data, as_json, lambda d: [f"{key}: {value}" for key, value in d.items()])


COMMANDS = tuple(_commands.commands.values())
