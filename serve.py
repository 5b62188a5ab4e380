"""The production server: `python serve.py` (the image's command) serves wsgi:app with granian.

granian (HTTP in Rust, the app on a pool of threads in each worker process) was chosen by
measurement: bench/validate.py compares it with gunicorn (bench/README.md). Read from the
environment: HOST (0.0.0.0), PORT (8000), WEB_CONCURRENCY (worker processes; one per CPU),
WEB_THREADS (requests served at once per worker, 32), WEB_ACCESS_LOG (a line per request, true)
and the app's ORTHANC_ANONYMIZE_TIMEOUT and LOG_LEVEL, parsed by its own settings table.
`python serve.py --print-config` prints the settings and exits; `python serve.py MODULE:APP`
serves another app the same way (the benchmarks' ceiling).
"""

from __future__ import annotations

import importlib
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import Server

from config import Config, ConfigError
from config.values import Boolean

# What a request may take beyond the anonymization wait: cancelling the job, deleting a copy
# finished meanwhile, rendering the answer (a few Orthanc calls of ORTHANC_TIMEOUT each).
REQUEST_MARGIN_SECONDS = 60
DEFAULT_THREADS = 32
# Paths only (granian's `path` has no query string: console searches carry patient names
# there); the referer is redacted by the app's filter like every other record.
ACCESS_LOG_FORMAT = (
    '%(addr)s - - [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d '
    '"%(header{referer})s" "%(header{user-agent})s" %(dt_ms).0fms'
)
REDACTED_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "app.logging_setup.RedactSecretsFilter"}},
    "formatters": {
        "generic": {"format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"},
        "access": {"format": "%(message)s"},
    },
    # The access log on stdout, the server's own messages on stderr, as the app logs.
    "handlers": {
        name: {
            "class": "app.logging_setup.BackgroundLineHandler",
            "stream": f"ext://sys.{stream}",
            "formatter": name,
            "filters": ["redact"],
        }
        for name, stream in (("generic", "stderr"), ("access", "stdout"))
    },
    "loggers": {
        "_granian": {"handlers": ["generic"], "level": "INFO", "propagate": False},
        "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


def _fail(message: str) -> NoReturn:
    ConfigError(message).stop_process()


def _whole_number(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        _fail(f"{name} must be a whole number of at least {minimum}, not {raw!r}.")
    return value


def access_log_on(environ: Mapping[str, str]) -> bool:
    """WEB_ACCESS_LOG, read as the settings table reads a Boolean; unset, the log is on."""
    if "WEB_ACCESS_LOG" not in environ:
        return True
    return Boolean().parse(environ["WEB_ACCESS_LOG"], "WEB_ACCESS_LOG")


def _cpu_count() -> int:
    # The CPUs this container may run on (a cpuset), not all of the host's.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def settings() -> dict[str, Any]:
    """granian's settings from the environment, checked by the app's own rules where they apply."""
    names = ("ORTHANC_ANONYMIZE_TIMEOUT", "LOG_LEVEL")
    try:
        app_settings = Config({name: os.environ[name] for name in names if name in os.environ})
        access_log = access_log_on(os.environ)
    except ConfigError as exc:
        _fail(str(exc))
    threads = _whole_number("WEB_THREADS", DEFAULT_THREADS, minimum=1)
    return {
        "address": os.environ.get("HOST", "").strip() or "0.0.0.0",  # noqa: S104  (a container)
        "port": _whole_number("PORT", 8000, minimum=1),
        "interface": Interfaces.WSGI,
        "workers": _whole_number("WEB_CONCURRENCY", _cpu_count(), minimum=1),
        "blocking_threads": threads,
        # Beyond the threads, requests wait in granian's queue, not in a thread of their own.
        "backpressure": threads,
        "websockets": False,
        "log_level": LogLevels(app_settings.LOG_LEVEL.lower()),
        "log_dictconfig": REDACTED_LOGGING,
        "log_access": access_log,
        "log_access_format": ACCESS_LOG_FORMAT,
        # A stop lets the longest request (an anonymization the clinician waits for) finish.
        "workers_kill_timeout": math.ceil(app_settings.ORTHANC_ANONYMIZE_TIMEOUT)
        + REQUEST_MARGIN_SECONDS,
    }


class WithoutProcessEnvironment:
    """The app, given each request's WSGI environ without the server's process environment.

    granian starts every environ from a copy of `os.environ` (CGI's habit): SECRET_KEY, the
    database and Orthanc passwords would sit in every request's environ, for any error
    report or debugging aid to copy. Those copies are dropped: a key with the value the
    process environment has for it (a request's own keys, PATH_INFO, HTTP_*, are not there).
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], process_env: Mapping[str, str]):
        self.app = app
        self.process_env = dict(process_env)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        # The items both hold, found in C: this runs for every request.
        for name, _ in self.process_env.items() & environ.items():
            del environ[name]
        return self.app(environ, start_response)


def load_app(target: str) -> WithoutProcessEnvironment:
    # Built here, before the workers fork (they inherit it): a bad setting stops the server
    # with wsgi.py's one-line message instead of every worker failing.
    module, _, name = target.partition(":")
    app = getattr(importlib.import_module(module), name or "app")
    return WithoutProcessEnvironment(app, os.environ)


def main(argv: list[str]) -> None:
    options = settings()
    if argv[1:] == ["--print-config"]:
        for name, value in options.items():
            if name != "log_dictconfig":
                print(f"{name} = {getattr(value, 'value', value)}")
        return
    target = argv[1] if len(argv) == 2 else "wsgi:app"
    if len(argv) > 2 or ":" not in target:
        _fail(f"unknown arguments {' '.join(argv[1:])!r}: MODULE:APP or --print-config.")
    app = load_app(target)
    Server(target, **options).serve(target_loader=lambda: app, wrap_loader=False)


if __name__ == "__main__":
    main(sys.argv)
