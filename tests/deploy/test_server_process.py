"""The server process the image starts: its Dockerfile CMD, gunicorn.conf.py, this code.

A bad setting must stop it at once with one line; a stop must let the request in flight
finish; its logs must carry no secrets and no control-socket errors on a read-only home.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.demo.orthanc_server import free_port, stop_process
from tests.deploy import dockerfile

ROOT = dockerfile.ROOT
BIN = Path(sys.executable).parent
# Not writable, not even by root: like $HOME for a numeric user on a read-only root.
UNWRITABLE_HOME = "/proc/studyshare-home"
START_TIMEOUT = 20.0
# gunicorn 27: "Control server error: …" or "Failed to start control socket: …".
CONTROL_SOCKET_ERROR = re.compile(r"control (socket|server)", re.IGNORECASE)


def image_command() -> list[str]:
    """The final stage's CMD, run with this virtualenv's gunicorn."""
    (cmd,) = [i for i in dockerfile.stages(dockerfile.instructions())[-1] if i.keyword == "CMD"]
    command = cmd.exec_form()
    assert command is not None
    assert command[0] == "gunicorn"
    return [str(BIN / "gunicorn"), *command[1:]]


def base_env(**values: str) -> dict[str, str]:
    return {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": UNWRITABLE_HOME, **values}


def server_env(tmp_path: Path, **values: str) -> dict[str, str]:
    return base_env(
        STUDYSHARE_ENV="test",
        SECRET_KEY="s" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'studyshare.db'}",
        **values,
    )


def run_to_exit(env: dict[str, str], *extra: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run(
        [*image_command(), *extra],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done, time.monotonic() - started


def assert_one_line_error(done: subprocess.CompletedProcess, elapsed: float, name: str) -> None:
    assert done.returncode != 0
    assert elapsed < 5, f"took {elapsed:.1f} s to give up"
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Configuration error:")
    assert name in lines[0]
    assert done.stdout == ""


def test_a_missing_secret_key_stops_the_server_with_one_line(tmp_path):
    env = base_env(
        STUDYSHARE_ENV="production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
        ORTHANC_URL="http://127.0.0.1:9",
        PORT=str(free_port()),
    )
    done, elapsed = run_to_exit(env)
    assert_one_line_error(done, elapsed, "SECRET_KEY")


@pytest.mark.parametrize(
    ("name", "value"),
    # WEB_CONCURRENCY that is not a number never gets here: gunicorn reads it first, so the
    # entrypoint checks it (test_entrypoint.py).
    [("WEB_CONCURRENCY", "0"), ("PORT", "eighty"), ("ORTHANC_ANONYMIZE_TIMEOUT", "soon")],
)
def test_a_bad_server_setting_stops_it_with_one_line(tmp_path, name, value):
    done, elapsed = run_to_exit(server_env(tmp_path, **{name: value}))
    assert_one_line_error(done, elapsed, name)


def printed_config(env: dict[str, str]) -> dict[str, str]:
    done, _ = run_to_exit(env, "--print-config")
    assert done.returncode == 0, done.stderr
    settings = {}
    for line in done.stdout.splitlines():
        name, sep, value = line.partition(" = ")
        if sep:
            settings[name.strip()] = value.strip()
    return settings


def test_the_settings_follow_the_environment(tmp_path):
    port = free_port()
    settings = printed_config(
        server_env(tmp_path, PORT=str(port), WEB_CONCURRENCY="3", ORTHANC_ANONYMIZE_TIMEOUT="300")
    )
    assert settings["bind"] == f"['0.0.0.0:{port}']"
    assert settings["workers"] == "3"
    assert settings["worker_class"] == "sync"
    assert int(settings["timeout"]) > 300
    assert int(settings["graceful_timeout"]) > 300
    assert settings["preload_app"] == "True"
    assert settings["control_socket_disable"] == "True"
    assert settings["accesslog"] == "-"


def test_workers_default_to_the_cpus(tmp_path):
    settings = printed_config(server_env(tmp_path, PORT=str(free_port())))
    assert settings["workers"] == str(len(os.sched_getaffinity(0)))


class SilentServer:
    """Accepts connections and never answers: an Orthanc that hangs."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def hanging_orthanc() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def start(env: dict[str, str], port: int, command: list[str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {process.communicate()[1]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            stop_process(process, 5)
            raise AssertionError("gunicorn did not answer")
        time.sleep(0.1)


def test_a_stop_lets_the_request_in_flight_finish_and_logs_no_secrets(tmp_path, hanging_orthanc):
    port = free_port()
    env = server_env(
        tmp_path,
        WEB_CONCURRENCY="1",
        ORTHANC_URL=f"http://127.0.0.1:{hanging_orthanc.port}",
        ORTHANC_TIMEOUT="2",
    )
    process = start(env, port, image_command())
    base = f"http://127.0.0.1:{port}"
    try:
        referer = "https://share.example.org/s/LINKSECRET456?token=REFTOKEN789"
        assert requests.get(
            f"{base}/healthz?token=QUERYTOKEN123", headers={"Referer": referer}, timeout=5
        ).ok
        requests.get(f"{base}/s/LINKSECRET456", timeout=5)
        # /readyz waits ORTHANC_TIMEOUT for the hanging Orthanc: stop the server meanwhile.
        answers: list[requests.Response] = []
        slow = threading.Thread(
            target=lambda: answers.append(requests.get(f"{base}/readyz", timeout=15))
        )
        slow.start()
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        slow.join(timeout=15)
        stdout, stderr = process.communicate(timeout=15)
    finally:
        stop_process(process, 5)
    assert process.returncode == 0, stderr
    (answer,) = answers
    assert answer.status_code == 503
    assert answer.json()["checks"]["orthanc"] == {"ok": False, "error": "Orthanc does not answer."}

    assert "GET /healthz HTTP/1.1" in stdout
    assert "GET /readyz HTTP/1.1" in stdout
    assert "/s/[redacted]" in stdout
    for secret in ("QUERYTOKEN123", "LINKSECRET456", "REFTOKEN789"):
        assert secret not in stdout + stderr
    assert not CONTROL_SOCKET_ERROR.search(stderr)
    assert "Traceback" not in stderr


def test_without_the_setting_a_read_only_home_logs_control_socket_errors(tmp_path):
    """The check above can fail: gunicorn's default socket under $HOME errors here."""
    plain = tmp_path / "plain.conf.py"
    plain.write_text("workers = 1\n", encoding="utf-8")
    port = free_port()
    command = [str(BIN / "gunicorn"), "-c", str(plain), "wsgi:app"]
    process = start(server_env(tmp_path), port, command)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=15)
    assert CONTROL_SOCKET_ERROR.search(stderr), stderr
