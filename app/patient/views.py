"""Recipient routes."""

from flask import render_template

from app.patient import bp


@bp.get("/s/")
def start():
    """Where a recipient lands without a complete link: explain how to open a share."""
    return render_template("patient/start.html")
