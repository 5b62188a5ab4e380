"""Per-connection database settings."""

from flask import Flask
from sqlalchemy import event

from app.extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets gunicorn workers read while one writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    database_file = cursor.execute("PRAGMA database_list").fetchone()[2]
    if database_file:  # WAL needs a file; in-memory databases have none
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
