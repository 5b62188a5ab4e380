"""A throw-away PostgreSQL database for a benchmark, on this machine's server.

The benchmarks that measure what production does under load use PostgreSQL, as production
does: SQLite serializes every write, so concurrent clients would measure its lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from app.demo import scratch_postgres
from app.demo.scratch_postgres import PostgresMissingError

ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", scratch_postgres.LOCAL_ADMIN_URL)


@contextlib.contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database, dropped when the block ends."""
    try:
        with scratch_postgres.fresh_database(ADMIN_URL, prefix) as url:
            yield url
    except PostgresMissingError as exc:
        raise PostgresMissingError(
            f"{exc}; set BENCH_POSTGRES_ADMIN_URL to a server where this user may create databases."
        ) from exc
