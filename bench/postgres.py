"""A throw-away PostgreSQL database for a benchmark, on this machine's server.

The benchmarks that measure what production does under load use PostgreSQL, as production
does: SQLite serializes every write, so concurrent clients would measure its lock.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


class PostgresMissingError(RuntimeError):
    """The server does not answer: say where it was looked for and how to point elsewhere."""


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise PostgresMissingError(
            f"PostgreSQL does not answer at {ADMIN_URL} ({exc}); set BENCH_POSTGRES_ADMIN_URL "
            "to a server where this user may create databases."
        ) from exc


@contextlib.contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database, dropped when the block ends."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with _admin() as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))
