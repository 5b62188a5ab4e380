"""BackgroundLineHandler: request threads queue whole lines; one writer thread writes them."""

from __future__ import annotations

import io
import logging
import threading
import time

from app.logging_setup import BackgroundLineHandler, RedactSecretsFilter

WAIT_SECONDS = 5.0


class BlockingStream(io.StringIO):
    """A stream whose reader stalls until `release` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def write(self, text: str) -> int:
        self.release.wait(WAIT_SECONDS)
        return super().write(text)


def logger_with(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(f"tests.background.{name}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def written(stream: io.StringIO, lines: int) -> list[str]:
    deadline = time.monotonic() + WAIT_SECONDS
    while stream.getvalue().count("\n") < lines and time.monotonic() < deadline:
        time.sleep(0.02)
    return stream.getvalue().splitlines()


def test_lines_from_many_threads_arrive_whole_and_in_each_threads_order():
    stream = io.StringIO()
    logger = logger_with(BackgroundLineHandler(stream), "threads")

    def log_lines(thread: int) -> None:
        for n in range(200):
            logger.info("thread %d line %d %s", thread, n, "x" * 50)

    threads = [threading.Thread(target=log_lines, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = written(stream, 8 * 200)
    assert len(lines) == 8 * 200
    for t in range(8):
        mine = [line for line in lines if line.startswith(f"thread {t} ")]
        assert mine == [f"thread {t} line {n} {'x' * 50}" for n in range(200)]


def test_the_handlers_filter_redacts_before_the_line_is_queued():
    stream = io.StringIO()
    handler = BackgroundLineHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger_with(handler, "redact").info('"GET /s/LINKSECRET123 HTTP/1.1" 200')
    assert written(stream, 1) == ['"GET /s/[redacted] HTTP/1.1" 200']


def test_a_stalled_stream_drops_the_oldest_lines_and_says_how_many():
    stream = BlockingStream()
    handler = BackgroundLineHandler(stream)
    handler.MAX_QUEUED = 10
    logger = logger_with(handler, "stalled")
    logger.info("first")  # the writer takes it and stalls in write()
    time.sleep(0.3)
    for n in range(25):
        logger.info("line %d", n)
    stream.release.set()

    lines = written(stream, 12)
    assert lines[0] == "first"
    assert lines[1:11] == [f"line {n}" for n in range(15, 25)]
    assert lines[11] == "[15 log lines dropped: the log stream did not keep up]"
