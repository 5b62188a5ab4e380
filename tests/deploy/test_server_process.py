"""The server process the image starts: its Dockerfile CMD, serve.py, this code.

A bad setting must stop it at once with one line; a stop must let the request in flight
finish; its logs must carry no secrets, also with a read-only home; a request's environ
carries none of the process environment.
"""

from __future__ import annotations

import os
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

import serve
from app.demo.orthanc_server import free_port, stop_process
from tests.deploy import dockerfile

ROOT = dockerfile.ROOT
BIN = Path(sys.executable).parent
# Not writable, not even by root: like $HOME for a numeric user on a read-only root.
UNWRITABLE_HOME = "/proc/studyshare-home"
START_TIMEOUT = 20.0


def image_command() -> list[str]:
    """The final stage's CMD, run with this virtualenv's Python."""
    (cmd,) = [i for i in dockerfile.stages(dockerfile.instructions())[-1] if i.keyword == "CMD"]
    command = cmd.exec_form()
    assert command == ["python", "serve.py"]
    return [sys.executable, *command[1:]]


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
    [
        ("WEB_CONCURRENCY", "0"),
        ("WEB_CONCURRENCY", "lots"),
        ("WEB_THREADS", "-2"),
        ("WEB_ACCESS_LOG", "sometimes"),
        ("PORT", "eighty"),
        ("ORTHANC_ANONYMIZE_TIMEOUT", "soon"),
    ],
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
        server_env(
            tmp_path,
            PORT=str(port),
            WEB_CONCURRENCY="3",
            WEB_THREADS="8",
            ORTHANC_ANONYMIZE_TIMEOUT="300",
        )
    )
    assert (settings["address"], settings["port"]) == ("0.0.0.0", str(port))  # noqa: S104
    assert settings["interface"] == "wsgi"
    assert settings["workers"] == "3"
    assert settings["blocking_threads"] == settings["backpressure"] == "8"
    assert int(settings["workers_kill_timeout"]) > 300
    assert settings["log_access"] == "True"
    assert "%(path)s" in settings["log_access_format"]
    assert "query_string" not in settings["log_access_format"]


def test_the_access_log_can_be_turned_off(tmp_path):
    settings = printed_config(server_env(tmp_path, PORT=str(free_port()), WEB_ACCESS_LOG="false"))
    assert settings["log_access"] == "False"


def test_an_unknown_argument_is_a_one_line_error(tmp_path):
    done, elapsed = run_to_exit(server_env(tmp_path), "--workers", "4")
    assert_one_line_error(done, elapsed, "--workers")


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
        env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {process.communicate()[1]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            stop_process(process, 5)
            raise AssertionError("the server did not answer")
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
    assert "Traceback" not in stdout + stderr


def test_a_request_sees_none_of_the_process_environment():
    """granian copies os.environ into every environ; serve.py's wrapper takes it out again."""
    seen: dict[str, object] = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [])
        return [b""]

    process_env = {"SECRET_KEY": "k" * 40, "DATABASE_URL": "postgresql://u:pw@db/s"}
    wrapped = serve.WithoutProcessEnvironment(app, process_env)
    request = {"PATH_INFO": "/healthz", "HTTP_HOST": "share.example.org"}
    wrapped({**process_env, **request}, lambda *args: None)
    assert seen == request
