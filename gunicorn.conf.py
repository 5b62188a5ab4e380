"""gunicorn settings for StudyShare: `gunicorn -c gunicorn.conf.py wsgi:app` (the image's command).

Read from the environment: PORT (8000), WEB_CONCURRENCY (sync workers; one per CPU by default),
ORTHANC_ANONYMIZE_TIMEOUT (the longest request, which the worker and graceful timeouts stay
above) and LOG_LEVEL, the last two parsed by the app's own settings table (config/). The
command line and GUNICORN_CMD_ARGS override this file.
"""

from __future__ import annotations

import math
import os
import sys
from typing import NoReturn

from gunicorn import glogging

from app.logging_setup import RedactSecretsFilter
from config import Config, ConfigError

# What a request may take beyond the anonymization wait: cancelling the job, deleting a copy
# finished meanwhile, rendering the answer (a few Orthanc calls of ORTHANC_TIMEOUT each).
REQUEST_MARGIN_SECONDS = 60


def _fail(message: str) -> NoReturn:
    # One line, no traceback: the same shape as wsgi.py's message for the app's settings.
    sys.exit(f"Configuration error: {message}")


def _app_settings() -> Config:
    """The app's settings this file needs, parsed and checked by the app's own rules."""
    names = ("ORTHANC_ANONYMIZE_TIMEOUT", "ORTHANC_TIMEOUT", "LOG_LEVEL")
    try:
        return Config({name: os.environ[name] for name in names if name in os.environ})
    except ConfigError as exc:
        _fail(str(exc))


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


def _cpu_count() -> int:
    # The CPUs this container may run on (a cpuset), not all of the host's.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class RedactingLogger(glogging.Logger):
    """gunicorn's logger with the app's redaction on its access and error logs.

    The app adds the same filter when it loads, but this holds from the first line gunicorn
    writes, and after the handlers are rebuilt (SIGHUP).
    """

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            for target in (log, *log.handlers):
                if not any(isinstance(f, RedactSecretsFilter) for f in target.filters):
                    target.addFilter(RedactSecretsFilter())


PORT = _whole_number("PORT", 8000, minimum=1)
APP_SETTINGS = _app_settings()
LONGEST_REQUEST = math.ceil(APP_SETTINGS.ORTHANC_ANONYMIZE_TIMEOUT) + REQUEST_MARGIN_SECONDS

bind = [f"0.0.0.0:{PORT}"]
# Sync workers, one per core: the validation endpoint's throughput (bench/README.md).
worker_class = "sync"
workers = _whole_number("WEB_CONCURRENCY", _cpu_count(), minimum=1)

# The app is built once, in the master, before the workers fork: a bad setting stops the
# master with its one-line message instead of every worker failing and being restarted.
preload_app = True

# A sync worker is busy for the whole request: anonymizing a study for a share waits up to
# ORTHANC_ANONYMIZE_TIMEOUT. Neither the watchdog nor a graceful stop may cut it short.
timeout = LONGEST_REQUEST
graceful_timeout = LONGEST_REQUEST

# The heartbeat files: /dev/shm is a tmpfs in every container, also with a read-only root.
SHM = "/dev/shm"  # noqa: S108  (gunicorn's own heartbeat files, not a shared temporary file)
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

# No control socket (gunicornc): it would be created under $HOME, which a container running
# as a numeric user with a read-only root cannot write, and nothing here uses it.
control_socket_disable = True

# Access log on stdout, without query strings (console searches carry patient names there);
# paths, referers and headers are redacted again by the app's filter (link secrets, tokens).
accesslog = "-"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)
errorlog = "-"
loglevel = APP_SETTINGS.LOG_LEVEL.lower()
logger_class = RedactingLogger


def post_fork(server, worker) -> None:
    """Each worker opens its own database connections, never the master's."""
    from app.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
