"""`flask api-keys ...`: make, list and revoke the integration API's keys."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from app.api_keys.keys import ApiKeyError, all_keys, create_key, key_by_id, revoke_key
from app.api_keys.models import ApiKey, Scope
from app.input_guard import MAX_ID
from app.users.models import User

api_keys_cli = AppGroup("api-keys", help="Keys of the integration API (/api/v1/).")


def key_facts(api_key: ApiKey) -> dict[str, object]:
    """What a list shows of a key: never the key itself."""
    return {
        "id": api_key.id,
        "name": api_key.name,
        "owner": api_key.owner.email,
        "scopes": api_key.scopes.split(),
        "prefix": api_key.prefix,
        "created_at": api_key.created_at.isoformat(),
        "last_used_at": api_key.last_used_at.isoformat() if api_key.last_used_at else None,
        "revoked_at": api_key.revoked_at.isoformat() if api_key.revoked_at else None,
    }


@api_keys_cli.command("create")
@click.argument("name")
@click.option("--owner", required=True, help="E-mail of the account that owns the shares.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([scope.value for scope in Scope]),
    help="What the key may do; repeat for several.",
)
@click.option("--json", "as_json", is_flag=True, help="Print {id, key} as JSON.")
def create_command(name: str, owner: str, scopes: tuple[str, ...], as_json: bool) -> None:
    """Make a key and print it (shown only now: store it in the integration's secrets)."""
    user = User.find_by_email(owner)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {owner}.")
    try:
        created = create_key(name, user, scopes)
    except ApiKeyError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"id": created.api_key.id, "key": created.key}))
    else:
        click.echo(f"id: {created.api_key.id}\nkey: {created.key}")
        click.echo("The key is shown only now.", err=True)


@api_keys_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the keys as JSON.")
def list_command(as_json: bool) -> None:
    """Every key with its owner, scopes and last use (never the key itself)."""
    keys = [key_facts(api_key) for api_key in all_keys()]
    if as_json:
        click.echo(json.dumps(keys))
        return
    for facts in keys:
        state = f"revoked {facts['revoked_at']}" if facts["revoked_at"] else "live"
        click.echo(
            f"{facts['id']}\t{facts['prefix']}…\t{facts['name']}\t{facts['owner']}\t"
            f"{' '.join(facts['scopes'])}\tlast used {facts['last_used_at'] or 'never'}\t{state}"
        )


@api_keys_cli.command("revoke")
@click.argument("key_id", type=click.IntRange(1, MAX_ID))
def revoke_command(key_id: int) -> None:
    """Stop a key at once."""
    api_key = key_by_id(key_id)
    if api_key is None:
        raise click.ClickException(f"No API key {key_id}.")
    try:
        revoke_key(api_key)
    except ApiKeyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked API key {key_id} ({api_key.name}).")
