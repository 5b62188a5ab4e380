"""Per-connection database settings, and no connection shared across a fork."""

import os
import weakref

from flask import Flask
from sqlalchemy import Engine, event

from app.extensions import db

# The server builds the app once and forks its workers from it (serve.py): a connection the
# parent opened must not be used by two processes at once.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_inherited_connections() -> None:
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    _ENGINES.add(engine)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets the server's workers read while one
    # writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    database_file = cursor.execute("PRAGMA database_list").fetchone()[2]
    if database_file:  # WAL needs a file; in-memory databases have none
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
