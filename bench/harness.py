"""What the benchmarks share: the app's environment and CLI, waiting for a server, stopping."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from app.demo.orthanc_server import OrthancServer
from app.orthanc.client import OrthancClient

ROOT = Path(__file__).resolve().parents[1]
APP_START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def app_env(orthanc: OrthancServer, database: Path, **extra: str) -> dict[str, str]:
    """A development app on a throw-away SQLite database, using `orthanc`."""
    return {
        **os.environ,
        "STUDYSHARE_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": f"sqlite:///{database}",
        "ORTHANC_URL": orthanc.url,
        "ORTHANC_USERNAME": orthanc.username or "",
        "ORTHANC_PASSWORD": orthanc.password or "",
        **extra,
    }


ORTHANC_USER = "studyshare"


def start_orthanc(
    stack: contextlib.ExitStack,
    directory: Path,
    plugins: tuple[str, ...] = (),
    timeout: float = 60,
) -> tuple[OrthancServer, OrthancClient]:
    """An internal-mode Orthanc (with credentials) in `directory` and a client of it, both
    stopped when `stack` closes."""
    orthanc = stack.enter_context(
        OrthancServer(directory, username=ORTHANC_USER, plugins=list(plugins))
    )
    client = OrthancClient(
        orthanc.url, username=orthanc.username, password=orthanc.password, timeout=timeout
    )
    stack.callback(client.close)
    return orthanc, client


def flask_cli(env: dict[str, str], *args: str, stdin: str = "") -> None:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    done = subprocess.run(
        command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"`flask {' '.join(args)}` failed:\n{done.stderr[-2000:]}")


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def wait_for_app(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + APP_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log_tail(log_path)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {APP_START_TIMEOUT:.0f} s")


def log_tail(path: Path) -> str:
    # Quoted rather than pointed to: the log lives in a temporary directory removed on exit.
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-20:])
    except FileNotFoundError:
        return "(no log)"


def run_until_interrupted(run: Callable[[], int]) -> int:
    """`run()`'s exit code, or 130 after Ctrl-C or `kill`, without a traceback."""
    stopping = handle_stop_signals()
    try:
        return run()
    except Exception:
        # A terminal's Ctrl-C reaches the server, wrk and Orthanc too; whatever their going away
        # broke in flight is the interruption, not a failure worth a traceback.
        if not stopping.is_set():
            raise
    except KeyboardInterrupt:
        pass
    print("\nInterrupted; stopped the server and Orthanc.", file=sys.stderr)
    return 130


def handle_stop_signals() -> threading.Event:
    """Ctrl-C and `kill` unwind through the `with` blocks, which stop the server and Orthanc."""
    stopping = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        stopping.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stopping
