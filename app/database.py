"""Per-connection database settings, no connection shared across a fork, and a ping after idle."""

import os
import time
import weakref

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

from app.extensions import db

# The server builds the app once and forks its workers from it (serve.py): a connection the
# parent opened must not be used by two processes at once.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_inherited_connections() -> None:
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


# A pooled connection unused for this long is pinged before a request gets it: the server may
# have restarted or a firewall dropped the idle socket. Busier connections are not: SQLAlchemy's
# pool_pre_ping pinged on every checkout, a round trip on every page and image (7 % of the
# landing page, bench/landing.py). A connection that dies while busy fails its request (503),
# and SQLAlchemy then retires every connection opened before it.
PING_AFTER_IDLE_SECONDS = 5.0
_RETURNED_AT = "studyshare_returned_at"


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    _ENGINES.add(engine)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
        return  # a file: nothing to lose between two requests
    event.listen(engine, "checkin", _note_return)
    event.listen(engine, "checkout", _ping_after_idle(engine))


def _note_return(_dbapi_connection, record) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_after_idle(engine: Engine):
    def ping(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
            return  # new, or in steady use
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("The idle connection is gone.") from exc
        if not alive:
            raise DisconnectionError("The idle connection is gone.")

    return ping


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
