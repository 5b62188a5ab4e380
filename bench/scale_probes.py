"""What bench/scale.py asks of the app at each size: pages, the CSV export, validation, purge."""

from __future__ import annotations

import json
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db_types import utcnow
from app.extensions import db
from app.shares.keyset import Cursor
from app.shares.models import ChallengeKind, Share
from app.shares.viewer_tokens import mint_viewer_token
from bench import scale_data as data
from bench.cpu import children

HTTP_TIMEOUT = 60
CSV_TIMEOUT = 3600
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
VALIDATE_PATH = "/auth/tokens/validate"


@dataclass(frozen=True)
class Timing:
    p50: float  # ms, or s for the slow ones (the name says)
    p95: float
    samples: int


def timing(values: list[float]) -> Timing:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Timing(statistics.median(ordered), p95, len(ordered))


def timed_get(session: requests.Session, url: str, expect: int = 200, **kwargs) -> float:
    """Milliseconds for a whole answer (body read), which must have status `expect`."""
    started = time.perf_counter()
    answer = session.get(url, timeout=HTTP_TIMEOUT, allow_redirects=False, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != expect:
        raise RuntimeError(f"GET {url} answered HTTP {answer.status_code}, not {expect}")
    return elapsed


def log_in(url: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=HTTP_TIMEOUT)
    match = CSRF.search(page.text)
    if match is None:
        raise RuntimeError("No CSRF token on the login page")
    form = {"email": email, "password": password, "csrf_token": match.group(1)}
    answer = session.post(f"{url}/login", data=form, timeout=HTTP_TIMEOUT, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"Login failed with HTTP {answer.status_code}")
    return session


@dataclass(frozen=True)
class Samples:
    """The rows each probe asks for, chosen once per size."""

    detail_ids: list[str]
    patient_id: str
    patient_words: str
    owner_id: int
    owner_email: str
    middle: Cursor  # halfway through the three years: "a later page"
    recipients: list[tuple[int, str]]  # (share id, birth date typed as ISO)


def choose_samples(size: int, count: int) -> Samples:
    rng = random.Random(size)  # noqa: S311  (which rows to ask for, not a secret)
    with data.connect(size) as conn:
        ids = rng.sample(range(1, size + 1), min(count, size))
        detail_ids = [
            row[0]
            for row in conn.execute("SELECT public_id FROM shares WHERE id = ANY(%s)", (ids,))
        ]
        owner_id, owner_email = conn.execute(
            "SELECT u.id, u.email FROM shares s JOIN users u ON u.id = s.owner_id WHERE s.id = %s",
            (ids[0],),
        ).fetchone()
        live = conn.execute(
            "SELECT id FROM shares WHERE revoked_at IS NULL AND locked_at IS NULL "
            "AND expires_at > now() + interval '1 hour' AND max_opens IS NULL "
            "AND challenge_kind = %s ORDER BY random() LIMIT %s",
            (ChallengeKind.BIRTH_DATE.value, count),
        ).fetchall()
    patient = data.patient_of(ids[0], size)
    dicom_name, _folded = data.patient_name(patient)
    recipients = [
        (share_id, data.birth_date(data.patient_of(share_id, size)).isoformat())
        for (share_id,) in live
    ]
    return Samples(
        detail_ids=detail_ids,
        patient_id=f"P{patient:08d}",
        patient_words=dicom_name.replace("^", " ").title(),
        owner_id=owner_id,
        owner_email=owner_email,
        middle=Cursor(utcnow() - timedelta(days=365 * data.YEARS / 2), 0),
        recipients=recipients,
    )


def console_pages(samples: Samples) -> dict[str, tuple[str, dict]]:
    """name → (path, query) of every console page measured."""
    later = {"after": str(samples.middle)}
    return {
        "share list, first page": ("/shares", {}),
        "share list, later page": ("/shares", later),
        "share list, by patient ID": ("/shares", {"q": samples.patient_id}),
        "share list, by patient name": ("/shares", {"q": samples.patient_words}),
        "share list, active": ("/shares", {"state": "active"}),
        "share list, locked": ("/shares", {"state": "locked"}),
        "share list, by owner": ("/shares", {"owner": str(samples.owner_id)}),
        "audit log, first page": ("/admin/audit", {}),
        "audit log, by kind": ("/admin/audit", {"kind": "revoked"}),
        "audit log, by user": ("/admin/audit", {"actor": samples.owner_email}),
        "audit log, later page": ("/admin/audit", later),
    }


def measure_pages(
    url: str, admin: requests.Session, samples: Samples, repeat: int, warmup: int
) -> dict[str, Timing]:
    pages = console_pages(samples)
    times: dict[str, list[float]] = {name: [] for name in pages}
    times["share detail with timeline"] = []
    for round_number in range(warmup + repeat):
        # Every page in turn in each round, so whatever else runs affects all alike.
        for name, (path, query) in pages.items():
            elapsed = timed_get(admin, f"{url}{path}", params=query)
            if round_number >= warmup:
                times[name].append(elapsed)
        public_id = samples.detail_ids[round_number % len(samples.detail_ids)]
        elapsed = timed_get(admin, f"{url}/shares/{public_id}")
        if round_number >= warmup:
            times["share detail with timeline"].append(elapsed)
    return {name: timing(values) for name, values in times.items()}


def measure_recipient(url: str, samples: Samples, warmup: int) -> dict[str, Timing]:
    """The landing and a right answer to its challenge, each on a share of its own."""
    landing: list[float] = []
    challenge: list[float] = []
    for number, (share_id, typed) in enumerate(samples.recipients):
        session = requests.Session()
        link = f"{url}/s/{data.link_secret(share_id)}"
        started = time.perf_counter()
        page = session.get(link, timeout=HTTP_TIMEOUT)
        landed = (time.perf_counter() - started) * 1000
        match = CSRF.search(page.text)
        if page.status_code != 200 or match is None:
            raise RuntimeError(f"The landing of share {share_id} answered {page.status_code}")
        form = {"birth_date": typed, "csrf_token": match.group(1)}
        started = time.perf_counter()
        answer = session.post(link, data=form, timeout=HTTP_TIMEOUT, allow_redirects=False)
        answered = (time.perf_counter() - started) * 1000
        if answer.status_code != 303:
            raise RuntimeError(f"The challenge of share {share_id} answered {answer.status_code}")
        if number >= warmup:
            landing.append(landed)
            challenge.append(answered)
    return {"recipient landing": timing(landing), "recipient challenge": timing(challenge)}


# The same shares at every size, so only the data around them grows: the smallest size
# (10k shares, 30-day expiries over 3 years) has about 270 live ones.
VALIDATED_SHARES = 250


def validation_bodies(app: Flask, tokens: int) -> list[str]:
    """`tokens` distinct viewer tokens over VALIDATED_SHARES live shares, as the plugin sends."""
    with app.app_context():
        live = db.session.scalars(
            select(Share)
            .where(Share.live_condition(utcnow() + timedelta(hours=1)))
            .options(selectinload(Share.studies))
            .order_by(Share.id)
            .limit(VALIDATED_SHARES)
        ).all()
        bodies = []
        for number in range(tokens):
            share = live[number % len(live)]
            study = share.studies[0]
            body = {
                "method": "get",
                "level": "study",
                "orthanc-id": study.orthanc_study_id,
                "dicom-uid": study.study_instance_uid,
                "token-key": "Authorization",
                "token-value": f"Bearer {mint_viewer_token(share)}",
                "server-id": None,
            }
            bodies.append(json.dumps(body, separators=(",", ":"), sort_keys=True))
        db.session.remove()
    random.Random(tokens).shuffle(bodies)  # noqa: S311  (an order, not a secret)
    return bodies


def measure_validate(
    url: str, bodies: list[str], auth: tuple[str, str], warmup: int
) -> dict[str, Timing]:
    session = requests.Session()
    session.auth = auth
    # A new connection per call, as the plugin opens one (bench/validate.py).
    headers = {"Content-Type": "application/json", "Connection": "close"}
    times = []
    for number, body in enumerate(bodies[:warmup] + bodies):
        started = time.perf_counter()
        answer = session.post(f"{url}{VALIDATE_PATH}", data=body, headers=headers, timeout=10)
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code != 200 or answer.json().get("granted") is not True:
            raise RuntimeError(f"A live token was not granted: HTTP {answer.status_code}")
        if number >= warmup:
            times.append(elapsed)
    return {"validate, 10k distinct tokens": timing(times)}


@dataclass(frozen=True)
class Export:
    seconds: float
    first_byte_ms: float
    rows: int
    rss_growth_mb: float


def measure_csv(url: str, admin: requests.Session, worker_pid: int) -> Export:
    """The whole audit log as CSV, with the serving worker's RSS sampled meanwhile."""
    baseline = rss_mb(worker_pid)
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], rss_mb(worker_pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    lines = 0
    first_byte = None
    try:
        with admin.get(f"{url}/admin/audit.csv", stream=True, timeout=CSV_TIMEOUT) as answer:
            if answer.status_code != 200:
                raise RuntimeError(f"The CSV export answered HTTP {answer.status_code}")
            for chunk in answer.iter_content(chunk_size=1 << 16):
                if first_byte is None:
                    first_byte = (time.perf_counter() - started) * 1000
                lines += chunk.count(b"\n")
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    return Export(seconds, first_byte or 0.0, lines - 1, peak[0] - baseline)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"No VmRSS for process {pid}")


def worker_of(main_pid: int) -> int:
    """The one worker process of this server."""
    workers = children(main_pid)
    if len(workers) != 1:
        raise RuntimeError(f"Expected one server worker, found {len(workers)}")
    return workers[0]


PENDING_COPIES = 100


def measure_purge(size: int, run_purge: Callable[[], None]) -> tuple[float, int]:
    """Seconds for `flask shares purge-expired` with 100 anonymized copies left to delete
    among every ended share, and how many shares had ended."""
    with data.connect(size) as conn:
        ended = conn.execute(
            "SELECT count(*) FROM shares WHERE revoked_at IS NOT NULL OR expires_at <= now()"
        ).fetchone()[0]
        conn.execute(
            "UPDATE share_studies SET anonymized_copy_deleted_at = NULL WHERE id IN ("
            " SELECT st.id FROM share_studies st JOIN shares s ON s.id = st.share_id"
            " WHERE s.anonymized AND s.expires_at <= now() ORDER BY st.id LIMIT %s)",
            (PENDING_COPIES,),
        )
    started = time.perf_counter()
    run_purge()
    return time.perf_counter() - started, ended
