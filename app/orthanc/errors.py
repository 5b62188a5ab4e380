"""Typed Orthanc errors; messages are safe to log: no credentials, no patient data."""

from __future__ import annotations


class OrthancError(Exception):
    """Base of every Orthanc failure; `message` is safe to log."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# The names without an "Error" suffix are the project's agreed vocabulary.
class OrthancNotFound(OrthancError):  # noqa: N818
    """The resource does not exist, or its id is not a well-formed Orthanc id."""


class OrthancUnauthorized(OrthancError):  # noqa: N818
    """Orthanc refused the configured credentials (401/403)."""


class OrthancUnavailable(OrthancError):  # noqa: N818
    """Orthanc could not be reached, timed out or failed with a 5xx."""


class OrthancBadAnswer(OrthancError):  # noqa: N818
    """Orthanc answered something unexpected: a non-JSON body, an odd shape or status."""


def error_for_status(status: int, message: str) -> OrthancError:
    """The typed error for Orthanc's non-2xx `status`; `message` never quotes the body."""
    if status == 404:
        return OrthancNotFound(message, status=status)
    if status in (401, 403):
        return OrthancUnauthorized(message, status=status)
    if status >= 500:
        return OrthancUnavailable(message, status=status)
    return OrthancBadAnswer(message, status=status)
