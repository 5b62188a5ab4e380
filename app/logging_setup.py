"""Logging: one format, and link secrets, tokens and query strings redacted from every record."""

from __future__ import annotations

import logging
import re

from flask import Flask
from flask.logging import default_handler

# Link secrets in paths and tokens in query strings or headers must never reach a log file.
_SECRET_PATTERNS = (
    (re.compile(r"(/s/)[A-Za-z0-9_-]+"), r"\1[redacted]"),
    # Query strings of request lines and URLs (access logs, referers): console searches
    # carry patient names, ids and birth dates there.
    (re.compile(r'("[A-Z]+ [^\s?"]*\?)[^\s"]+'), r"\1[redacted]"),
    (re.compile(r'(https?://[^\s?"]*\?)[^\s"]+'), r"\1[redacted]"),
    (re.compile(r"((?:token|access_token|code)=)[^&\s\"']+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1[redacted]"),
)


def redact(text: str) -> str:
    """Replace anything that looks like a link secret or token with a placeholder."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = RedactSecretsFilter()


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
