"""What both benchmarks need: the app's environment and CLI, gunicorn on a free port."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from app.demo.orthanc_server import OrthancServer, free_port, stop_process

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


@contextlib.contextmanager
def gunicorn(
    module: str, env: dict[str, str], log_path: Path, settings: list[str]
) -> Iterator[Server]:
    """Serve `module` (e.g. "wsgi:app") with these gunicorn `settings` until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", *settings]
    command += ["-b", f"127.0.0.1:{port}", "--error-logfile", str(log_path), module]
    # gunicorn.conf.py (read from ROOT, as the image does) logs every request to stdout:
    # into the log file with the errors, not over the benchmark's table.
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_app(process, url, log_path)
        yield Server(url, process.pid)
    finally:
        stop_process(process, STOP_TIMEOUT)


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
        # A terminal's Ctrl-C reaches gunicorn, wrk and Orthanc too; whatever their going away
        # broke in flight is the interruption, not a failure worth a traceback.
        if not stopping.is_set():
            raise
    except KeyboardInterrupt:
        pass
    print("\nInterrupted; stopped gunicorn and Orthanc.", file=sys.stderr)
    return 130


def handle_stop_signals() -> threading.Event:
    """Ctrl-C and `kill` unwind through the `with` blocks, which stop gunicorn and Orthanc."""
    stopping = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        stopping.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stopping
