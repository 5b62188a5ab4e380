"""The data of bench/scale.py: shares, their studies and audit events as the app writes them,
generated inside PostgreSQL (INSERT ... SELECT generate_series), one schema per size.

Each size lives in the schema `scale_<size>` of the database `studyshare_scale`, built by
the app's own migrations (`flask db upgrade` with that schema first on the search path) and
marked as generated in its table `scale_bench` (size, the SECRET_KEY the hashes were made
with, when, how long it took), so a kept database serves the next run without generating
again.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg
from psycopg import sql

from app.demo import scratch_postgres
from app.studies.names import fold
from bench.postgres import ADMIN_URL

DATABASE = "studyshare_scale"

CLINICIANS = 500
AUDIT_PER_SHARE = 10
YEARS = 3
EXPIRY_DAYS = 30
SHARES_PER_PATIENT = 5
BIRTH_DATES = 1000
ADMIN_EMAIL = "admin@scale.example.org"
PASSWORD = "scale-bench-password"  # a throw-away benchmark account
# Surnames are three of these, given names one of those: no "ae", "oe" or "ue" anywhere, so
# the folded name SQL writes is what names.folded_name() would write.
# fmt: off
SYLLABLES = (
    "ka", "mo", "ri", "ten", "bar", "lin", "dor", "vik", "sel", "nor", "pa", "ru", "zan", "mer",
    "tho", "gil", "ban", "kor", "lis", "mat", "ren", "sol", "dan", "fin",
)
GIVEN = (
    "anna", "ben", "carla", "david", "emma", "felix", "greta", "hugo", "ida", "jonas", "klara",
    "leon", "mia", "noah", "olga", "paul", "rita", "sam", "tina", "victor", "wanda", "xaver",
    "yara", "zeno", "alma", "bruno", "cora", "dino", "elsa", "fritz", "gina", "hans", "iris",
    "jan", "karl", "lena", "max", "nina", "otto",
)
# fmt: on
# The order of a share's events, at 37-minute steps from its creation.
EVENT_KINDS = (
    ("created", "user"),
    ("emailed", "user"),
    ("opened", "recipient"),
    ("challenge_passed", "recipient"),
    ("viewer_token_issued", "recipient"),
    ("viewer_token_issued", "recipient"),
    ("downloaded", "recipient"),
    ("opened", "recipient"),
    ("challenge_failed", "recipient"),
    ("viewer_token_issued", "recipient"),
)
USER_AGENT = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"


def schema_of(size: int) -> str:
    return f"scale_{size}"


def database_url(size: int) -> str:
    """The app's DATABASE_URL for this size: its schema first, pg_trgm's (public) next."""
    url = scratch_postgres.database_url(ADMIN_URL, DATABASE)
    return f"{url}?options=-csearch_path%3D{schema_of(size)},public"


def link_secret(share_id: int) -> str:
    """The link secret of generated share `share_id` (22 characters, as the app's are)."""
    return f"scale{share_id:017d}"


def birth_date(patient: int) -> date:
    return date(1940, 1, 1) + timedelta(days=(patient % BIRTH_DATES) * 23)


@dataclass(frozen=True)
class Generated:
    size: int
    secret_key: str
    seconds: float


def ensure_database() -> None:
    scratch_postgres.create_database(ADMIN_URL, DATABASE, exist_ok=True)
    with connect() as conn:
        # In public, before any migration: every size's schema finds its operator classes.
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")


def drop_database() -> None:
    scratch_postgres.drop_database(ADMIN_URL, DATABASE)


@contextmanager
def connect(size: int | None = None) -> Iterator[psycopg.Connection]:
    url = scratch_postgres.database_url(ADMIN_URL, DATABASE, driver="postgresql")
    with psycopg.connect(url, autocommit=True) as conn:
        if size is not None:
            schema = sql.Identifier(schema_of(size))
            conn.execute(sql.SQL("SET search_path TO {}, public").format(schema))
        yield conn


def generated(size: int) -> Generated | None:
    """What an earlier run generated at this size, if it finished."""
    with connect() as conn:
        table = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name = 'scale_bench'",
            (schema_of(size),),
        ).fetchone()
        if table is None:
            return None
        row = conn.execute(
            sql.SQL("SELECT size, secret_key, seconds FROM {}.scale_bench").format(
                sql.Identifier(schema_of(size))
            )
        ).fetchone()
    return Generated(*row) if row and row[0] == size else None


def fresh_schema(size: int) -> str:
    """An empty schema for this size (the migrations fill it); a SECRET_KEY for its hashes."""
    with connect() as conn:
        name = sql.Identifier(schema_of(size))
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(name))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(name))
    return secrets.token_urlsafe(32)


def generate(size: int, secret_key: str, birth_date_hashes: list[str]) -> Generated:
    """Fill the migrated schema with `size` shares, their studies and ten times as many events."""
    if any(fold(word) != word for word in (*SYLLABLES, *GIVEN)):
        raise ValueError("A name part changes when folded: see SYLLABLES")
    started = time.monotonic()
    with connect(size) as conn:
        # The foreign keys are the generator's to keep (every id below exists): checking
        # each of millions of rows one by one would take most of the time.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '1GB'")
        with conn.transaction():
            _users(conn)
            _shares(conn, size, birth_date_hashes)
            _studies(conn, size)
            _audit(conn)
            conn.execute(
                "CREATE TABLE scale_bench (size integer, secret_key text, generated_at "
                "timestamptz DEFAULT now(), seconds double precision)"
            )
        conn.execute("VACUUM ANALYZE")
        seconds = time.monotonic() - started
        conn.execute(
            "INSERT INTO scale_bench (size, secret_key, seconds) VALUES (%s, %s, %s)",
            (size, secret_key, seconds),
        )
    return Generated(size, secret_key, seconds)


def _users(conn: psycopg.Connection) -> None:
    # The admin was made by `flask users create`: every clinician gets its password hash.
    conn.execute(
        """
        INSERT INTO users (email, name, password_hash, role, active, created_at)
        SELECT 'clinician' || n || '@scale.example.org', 'Clinician ' || n, a.password_hash,
               'clinician', true, now() - interval '4 years'
        FROM generate_series(1, %(clinicians)s) AS n, users AS a WHERE a.email = %(admin)s
        """,
        {"clinicians": CLINICIANS, "admin": ADMIN_EMAIL},
    )


def _shares(conn: psycopg.Connection, size: int, birth_date_hashes: list[str]) -> None:
    conn.execute(
        """
        INSERT INTO shares (
            id, public_id, secret_hash, owner_id, created_at, expires_at, revoked_at,
            locked_at, challenge_kind, birth_date_hash, failed_attempts, allow_download,
            anonymized, language, max_opens, notify_owner, open_count, last_opened_at,
            use_count, version)
        SELECT i,
               'sh-' || lpad(to_hex((i::bigint * 2654435761) %% 281474976710656), 12, '0'),
               encode(sha256(convert_to('scale' || lpad(i::text, 17, '0'), 'UTF8')), 'hex'),
               o.first + (i %% %(clinicians)s), t.created_at,
               t.created_at + make_interval(days => %(expiry)s),
               CASE WHEN i %% 25 = 7 THEN t.created_at + interval '2 days' END,
               CASE WHEN i %% 300 = 11 THEN t.created_at + interval '3 hours' END,
               CASE WHEN i %% 10 = 3 THEN 'none' ELSE 'birthdate' END,
               CASE WHEN i %% 10 = 3 THEN NULL
                    ELSE (%(hashes)s::text[])[1 + (p.n %% %(dates)s)] END,
               CASE WHEN i %% 300 = 11 THEN 5 ELSE 0 END,
               true, i %% 20 = 5, (ARRAY['en', 'fr', 'de'])[1 + i %% 3],
               CASE WHEN i %% 10 = 1 THEN 3 END, false, i %% 5,
               CASE WHEN i %% 5 > 0 THEN t.created_at + interval '1 day' END, 0, 1
        FROM generate_series(1, %(size)s) AS i
        CROSS JOIN (SELECT min(id) AS first FROM users WHERE role = 'clinician') AS o
        -- In id order, as the app writes them (ids are serial), each at a random moment of
        -- its slot of the three years.
        CROSS JOIN LATERAL (
            SELECT now() - make_interval(years => %(years)s)
                   * (1 - (i - 1 + random()) / %(size)s) - interval '1 minute' AS created_at
        ) AS t
        CROSS JOIN LATERAL (SELECT 1 + (i::bigint * 7919) %% %(patients)s AS n) AS p
        """,
        {
            "size": size,
            "clinicians": CLINICIANS,
            "expiry": EXPIRY_DAYS,
            "years": YEARS,
            "hashes": birth_date_hashes,
            "dates": BIRTH_DATES,
            "patients": patients(size),
        },
    )
    conn.execute("SELECT setval(pg_get_serial_sequence('shares', 'id'), %s)", (size,))


def patients(size: int) -> int:
    return max(size // SHARES_PER_PATIENT, 1)


def patient_of(share_id: int, size: int) -> int:
    """The patient number of a generated share (as _shares and _studies compute it)."""
    return 1 + (share_id * 7919) % patients(size)


def patient_name(patient: int) -> tuple[str, str]:
    """DICOM name and folded name of patient number `patient`."""
    count = len(SYLLABLES)
    surname = "".join(SYLLABLES[(patient // count**k) % count] for k in range(3))
    given = GIVEN[(patient // count**3) % len(GIVEN)]
    dicom = f"{surname.upper()}^{given.capitalize()}"
    return dicom, fold(f"{surname} {given}")


def _studies(conn: psycopg.Connection, size: int) -> None:
    # One study per share, two for every tenth; the patient's name built as patient_name().
    conn.execute(
        """
        INSERT INTO share_studies (
            share_id, orthanc_study_id, study_instance_uid, source_orthanc_study_id, summary,
            patient_name, patient_name_folded, patient_id, accession_number,
            anonymized_copy_deleted_at)
        SELECT s.id, o.orthanc_id, '1.2.826.0.1.3680043.8.498.' || s.id || '.' || k,
               o.orthanc_id,
               json_build_object('date', to_char(s.created_at - interval '2 days', 'YYYY-MM-DD'),
                                 'description', (ARRAY['CT CHEST', 'MR KNEE', 'CR THORAX',
                                                       'US ABDOMEN'])[1 + s.id %% 4],
                                 'modalities', json_build_array((ARRAY['CT', 'MR', 'CR',
                                                                       'US'])[1 + s.id %% 4]),
                                 'series', 3, 'images', 120),
               upper(n.surname) || '^' || initcap(n.given), n.surname || ' ' || n.given,
               'P' || lpad(p.n::text, 8, '0'), 'A' || lpad((s.id * 10 + k)::text, 10, '0'),
               CASE WHEN s.anonymized AND (s.revoked_at IS NOT NULL OR s.expires_at <= now())
                    THEN s.expires_at END
        FROM shares AS s
        CROSS JOIN generate_series(1, 2) AS k
        CROSS JOIN LATERAL (SELECT 1 + (s.id::bigint * 7919) %% %(patients)s AS n) AS p
        CROSS JOIN LATERAL (
            SELECT (%(syllables)s::text[])[1 + p.n %% %(count)s]
                   || (%(syllables)s::text[])[1 + (p.n / %(count)s) %% %(count)s]
                   || (%(syllables)s::text[])[1 + (p.n / (%(count)s * %(count)s)) %% %(count)s]
                       AS surname,
                   (%(given)s::text[])[1 + (p.n / (%(count)s ^ 3)::bigint) %% %(given_count)s]
                       AS given) AS n
        CROSS JOIN LATERAL (
            SELECT regexp_replace(md5(s.id || '.' || k) || substr(md5(k || '.' || s.id), 1, 8),
                                  '(.{8})(.{8})(.{8})(.{8})(.{8})', '\\1-\\2-\\3-\\4-\\5')
                       AS orthanc_id) AS o
        WHERE k = 1 OR s.id %% 10 = 0
        """,
        {
            "patients": patients(size),
            "syllables": list(SYLLABLES),
            "count": len(SYLLABLES),
            "given": list(GIVEN),
            "given_count": len(GIVEN),
        },
    )


def _audit(conn: psycopg.Connection) -> None:
    kinds = [kind for kind, _actor in EVENT_KINDS]
    actors = [actor for _kind, actor in EVENT_KINDS]
    conn.execute(
        """
        INSERT INTO audit_events (
            created_at, share_id, actor_kind, actor_user_id, kind, ip, user_agent, network,
            browser, detail)
        SELECT least(s.created_at + interval '37 minutes' * (k - 1), now()), s.id,
               (%(actors)s::text[])[k],
               CASE WHEN (%(actors)s::text[])[k] = 'user' THEN s.owner_id END,
               CASE WHEN k = 10 AND s.revoked_at IS NOT NULL THEN 'revoked'
                    ELSE (%(kinds)s::text[])[k] END,
               CASE WHEN (%(actors)s::text[])[k] = 'recipient'
                    THEN '203.0.113.' || (s.id %% 250) END,
               CASE WHEN (%(actors)s::text[])[k] = 'recipient' THEN %(agent)s END,
               CASE WHEN (%(actors)s::text[])[k] = 'recipient' THEN '203.0.113.0/24' END,
               CASE WHEN (%(actors)s::text[])[k] = 'recipient' THEN 'Firefox (Android)' END,
               CASE WHEN k = 1 THEN json_build_object('studies', 1, 'challenge',
                                                      s.challenge_kind)
                    ELSE '{}'::json END
        FROM shares AS s CROSS JOIN generate_series(1, %(per_share)s) AS k
        -- Appended as they happen: the table's order is the time order, ids rising with it.
        ORDER BY 1
        """,
        {"kinds": kinds, "actors": actors, "agent": USER_AGENT, "per_share": AUDIT_PER_SHARE},
    )
