"""Logging: one format, and link secrets, tokens and query strings redacted from every record."""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import re
import sys
import threading
import time
from typing import TextIO

from flask import Flask
from flask.logging import default_handler

# Link secrets in paths and tokens in query strings or headers must never reach a log file.
_SECRET_PATTERNS = (
    (re.compile(r"(/s/)[A-Za-z0-9_-]+"), r"\1[redacted]"),
    # Query strings of request lines and URLs (access logs, referers): console searches
    # carry patient names, ids and birth dates there.
    (re.compile(r'("[A-Z]+ [^\s?"]*\?)[^\s"]+'), r"\1[redacted]"),
    (re.compile(r'(https?://[^\s?"]*\?)[^\s"]+'), r"\1[redacted]"),
    # access_token= too: its "token=" part is found.
    (re.compile(r"((?:token|code)=)[^&\s\"']+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1[redacted]"),
)


def redact(text: str) -> str:
    """Replace anything that looks like a link secret or token with a placeholder."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    # A record meets this filter on its logger and again on each handler: once is enough.
    DONE = "studyshare_redacted"

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, self.DONE, False):
            return True
        setattr(record, self.DONE, True)
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = RedactSecretsFilter()


class BackgroundLineHandler(logging.Handler):
    """A stream handler whose writing is done by one thread of each process, in batches.

    granian serves a worker's requests on many threads and logs each access line on the
    request's thread: with a StreamHandler, every line was a write and a flush under the
    handler's lock, and each gave up the GIL to the other threads; measured with
    bench/validate.py, that was a third of each call's CPU. Here the request's thread only
    formats its line and queues it; a writer thread (started in each process that logs, as
    forked workers have none) writes what is queued every FLUSH_SECONDS, and once more when
    the process's main thread ends, so a stopping worker keeps its last lines.
    """

    FLUSH_SECONDS = 0.1
    # A stalled reader of the stream must not let the queue eat the memory: beyond this many
    # lines the oldest go, and the next write says how many.
    MAX_QUEUED = 100_000

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self._queued: collections.deque[str] = collections.deque()
        self._dropped = 0
        self._writer_pid: int | None = None
        self._start_lock = threading.Lock()

    def handle(self, record: logging.LogRecord) -> bool:
        # Without Handler.handle's lock: queueing a line needs none.
        if not self.filter(record):
            return False
        try:
            line = self.format(record) + "\n"
        except Exception:
            self.handleError(record)
            return True
        if len(self._queued) >= self.MAX_QUEUED:
            self._queued.popleft()
            self._dropped += 1
        self._queued.append(line)
        if self._writer_pid != os.getpid():
            self._start_writer()
        return True

    def _start_writer(self) -> None:
        with self._start_lock:
            if self._writer_pid == os.getpid():
                return
            self._writer_pid = os.getpid()
            # Not a daemon (a thread started by granian's would be): shutdown waits for it.
            writer = threading.Thread(
                target=self._write_until_exit, name="log-writer", daemon=False
            )
            writer.start()

    def _write_until_exit(self) -> None:
        main = threading.main_thread()
        while True:
            ending = not main.is_alive()
            self.flush()
            if ending:
                return
            time.sleep(self.FLUSH_SECONDS)

    def flush(self) -> None:
        lines = []
        while self._queued:
            lines.append(self._queued.popleft())
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            lines.append(f"[{dropped} log lines dropped: the log stream did not keep up]\n")
        if not lines:
            return
        # A closed or broken stream loses the lines, like StreamHandler, and raises nothing.
        with contextlib.suppress(OSError, ValueError):
            self.stream.write("".join(lines))
            self.stream.flush()


def init_app(app: Flask) -> None:
    app.logger.setLevel(app.config["LOG_LEVEL"])
    # Access logs of the dev server (werkzeug) and of granian (serve.py) carry request paths.
    # A logger's filter skips records of its children (app.shares.service...): handlers get
    # it too.
    loggers = [logging.getLogger(name) for name in ("werkzeug", "granian.access", "_granian")]
    loggers += [app.logger, logging.getLogger()]
    for logger in loggers:
        for target in (logger, *logger.handlers):
            if _FILTER not in target.filters:
                target.addFilter(_FILTER)
    if _FILTER not in default_handler.filters:
        default_handler.addFilter(_FILTER)
