"""Throw-away PostgreSQL databases, for the tests and the benchmarks.

Made on a server where the user may create databases: every machine of this project runs
one on loopback with trust auth and a database `test` (LOCAL_ADMIN_URL). Production's
database is made by its operator, never here.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import psycopg
from psycopg import sql

LOCAL_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


class PostgresMissingError(RuntimeError):
    """The server does not answer; the message says where it was looked for."""


def admin_connection(admin_url: str) -> psycopg.Connection:
    """An autocommit connection to `admin_url`, whose user may create databases."""
    try:
        return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise PostgresMissingError(f"PostgreSQL does not answer at {admin_url}: {exc}") from exc


def database_url(admin_url: str, name: str, *, driver: str = "postgresql+psycopg") -> str:
    """The URL of database `name` on `admin_url`'s server, for SQLAlchemy (or `driver`)."""
    server = admin_url.rsplit("/", 1)[0].split("://", 1)[1]
    return f"{driver}://{server}/{name}"


def create_database(admin_url: str, name: str, *, exist_ok: bool = False) -> None:
    with admin_connection(admin_url) as conn:
        if exist_ok:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if found.fetchone() is not None:
                return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    with admin_connection(admin_url) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


@contextlib.contextmanager
def fresh_database(admin_url: str, prefix: str) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database, dropped when the block ends."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    create_database(admin_url, name)
    try:
        yield database_url(admin_url, name)
    finally:
        drop_database(admin_url, name)
