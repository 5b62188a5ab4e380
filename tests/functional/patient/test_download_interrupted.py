"""A download cut short must fail in the recipient's HTTP client, never end cleanly.

A real Orthanc process is killed mid-download, behind a real HTTP server: Werkzeug's
threaded server (as in the e2e tests) and granian (serve.py, as in the Dockerfile).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from app.demo.orthanc_server import free_port, stop_process
from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from tests.fixtures.big_study import app_env_for, study_ids

ROOT = Path(__file__).resolve().parents[3]
CLIENT_CHUNK = 16 * 1024


@pytest.fixture
def app_env(app_env, big_orthanc):
    return {**app_env, **app_env_for(big_orthanc)}


@pytest.fixture
def big_share(make_share, big_orthanc):
    return make_share(study_ids(big_orthanc))


@pytest.fixture(params=["werkzeug", "serve.py"])
def served(request, app, app_env, tmp_path) -> Iterator[str]:
    """The app over real HTTP: in a Werkzeug thread, or in the image's server process."""
    if request.param == "werkzeug":
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        thread.join(timeout=5)
        return
    # Same settings and database as `app`; the server's own app keeps CSRF on.
    yield from _image_server(app_env, tmp_path / "server.log")


def _image_server(env: dict[str, str], log_path: Path) -> Iterator[str]:
    port = free_port()
    server_env = {"HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
    url = f"http://127.0.0.1:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "serve.py"],
            cwd=ROOT,
            env={"PATH": os.environ["PATH"], **env, **server_env},
            stdout=log,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            try:
                requests.get(f"{url}/login", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.05)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        stop_process(process, 10)


def recipient_session(base: str, secret: str) -> requests.Session:
    """Answer the (empty) challenge over HTTP, with the form's CSRF token when it has one."""
    http = requests.Session()
    landing = http.get(f"{base}/s/{secret}", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', landing)
    data = {"csrf_token": token.group(1)} if token else {}
    answer = http.post(f"{base}/s/{secret}", data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == 303, answer.text
    return http


def download_event(app, public_id: str, timeout: float = 5.0) -> AuditEvent:
    """The share's download audit row, once the server has written it."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            share = db.session.scalar(select(Share).where(Share.public_id == public_id))
            query = select(AuditEvent).where(
                AuditEvent.share_id == share.id, AuditEvent.kind.startswith("download")
            )
            events = list(db.session.scalars(query))
        if events or time.monotonic() > deadline:
            assert len(events) == 1, events
            return events[0]
        time.sleep(0.05)


def test_orthanc_killed_mid_download_fails_the_download(served, app, big_share, big_orthanc):
    http = recipient_session(served, big_share.secret)
    response = http.get(f"{served}/v/download/0", stream=True, timeout=10)
    assert response.status_code == 200
    # Orthanc announced no size: nothing but the ZIP itself tells a whole one from a cut one.
    assert "Content-Length" not in response.headers
    assert response.headers["Transfer-Encoding"] == "chunked"
    chunks = response.iter_content(CLIENT_CHUNK)
    sizes = [len(next(chunks))]
    os.kill(big_orthanc.pid, signal.SIGKILL)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        sizes.extend(len(chunk) for chunk in chunks)  # keeps what came before the error
    received = sum(sizes)
    event = download_event(app, big_share.share.public_id)
    assert event.kind == "download_incomplete"
    assert event.detail["reason"] == "no end-of-central-directory record at the end"
    assert event.detail["format"] == "zip"
    assert 0 < received <= event.detail["bytes"]


def test_a_recipient_who_leaves_closes_the_orthanc_stream(served, app, big_share, big_orthanc):
    http = recipient_session(served, big_share.secret)
    response = http.get(f"{served}/v/download/0/dicomdir", stream=True, timeout=10)
    next(response.iter_content(CLIENT_CHUNK))
    response.close()
    event = download_event(app, big_share.share.public_id)
    assert event.kind == "download_incomplete"
    assert event.detail["reason"] == "client disconnected"
    assert event.detail["format"] == "dicomdir"
    # Orthanc's archive job fails once StudyShare has hung up on it.
    jobs_url = f"{big_orthanc.url}/jobs?expand"
    deadline = time.monotonic() + 5
    while True:
        jobs = requests.get(jobs_url, auth=big_orthanc.auth, timeout=5).json()
        states = {job["State"] for job in jobs}
        if states == {"Failure"} or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert states == {"Failure"}
