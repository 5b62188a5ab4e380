"""Command-line tools for operators: `flask --app wsgi <group> <command>`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.api_keys.cli import api_keys_cli
from app.orthanc.errors import OrthancError
from app.orthanc.flask_client import get_orthanc
from app.shares.cli import shares_cli
from app.users.cli import users_cli

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load_demo() -> None:
    """Generate the demo studies and upload them to the configured Orthanc."""
    # Imported here: pydicom is only needed by this command, not by every web worker.
    from app.demo.dicom import demo_instances, upload_demo_studies

    try:
        report = upload_demo_studies(get_orthanc(), demo_instances())
    except OrthancError as exc:
        raise click.ClickException(f"Could not upload the demo studies: {exc}") from None
    click.echo(
        f"Demo studies in Orthanc: {len(report.study_ids)} studies "
        f"({report.new} new images, {report.already_stored} already there)."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(shares_cli)
    app.cli.add_command(api_keys_cli)
