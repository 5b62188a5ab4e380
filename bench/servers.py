"""The WSGI servers the benchmarks compare, each started the same way on a free loopback port.

- `gunicorn-sync`: gunicorn's default worker, one request per process at a time.
- `gunicorn-gthread`: gunicorn's threaded worker (`--threads`, keep-alive).
- `granian`: a Rust HTTP server (hyper and tokio) running the WSGI app on a pool of threads
  in each worker process, started as the image starts it (`serve.py`: its threads, access
  log and settings).

Every server gets the same worker count and logs each request as the image would with the
same environment (an access log is part of what a production request costs; WEB_ACCESS_LOG
turns it off for all alike); the log goes to a file, not over the benchmark's table.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from app.demo.orthanc_server import free_port, stop_process
from bench.harness import ROOT, STOP_TIMEOUT, Server, wait_for_app
from serve import access_log_on

SERVERS = ("gunicorn-sync", "gunicorn-gthread", "granian")
# The server the image runs (Dockerfile, serve.py), chosen with bench/validate.py; the
# benchmarks measure the app on it unless told otherwise.
SHIPPED = "granian"
GTHREAD_THREADS = 4


def server_command(
    kind: str, module: str, port: int, workers: int, access_log: bool = True
) -> list[str]:
    """The command line that serves `module` (e.g. "wsgi:app") with `kind` on `port`."""
    if kind == "granian":
        return [sys.executable, "serve.py", module]  # HOST, PORT, WEB_CONCURRENCY: `serve`
    if kind not in ("gunicorn-sync", "gunicorn-gthread"):
        raise ValueError(f"unknown server {kind!r}: choose one of {', '.join(SERVERS)}")
    command = [sys.executable, "-m", "gunicorn", "-c", "/dev/null", "-w", str(workers)]
    if kind == "gunicorn-gthread":
        command += ["-k", "gthread", "--threads", str(GTHREAD_THREADS)]
    if access_log:
        command += ["--access-logfile", "-"]
    command += ["--error-logfile", "-", "--timeout", "300"]
    return [*command, "-b", f"127.0.0.1:{port}", module]


@contextlib.contextmanager
def serve(
    kind: str, module: str, env: dict[str, str], log_path: Path, workers: int = 2
) -> Iterator[Server]:
    """Serve `module` with the server `kind` until the block ends; its output to `log_path`."""
    port = free_port()
    command = server_command(kind, module, port, workers, access_log_on(env))
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_app(process, url, log_path)
        yield Server(url, process.pid)
    finally:
        stop_process(process, STOP_TIMEOUT)
