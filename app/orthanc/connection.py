"""One connection to Orthanc: a shared session, timeouts, non-2xx answers as typed errors."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import requests

from app.orthanc.errors import (
    OrthancBadAnswer,
    OrthancError,
    OrthancNotFound,
    OrthancUnauthorized,
    OrthancUnavailable,
)


class OrthancConnection:
    """Sends requests to one Orthanc server; every failure becomes an OrthancError."""

    def __init__(
        self,
        base_url: str,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        anonymize_timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # The longest an Orthanc job (an anonymized copy) is waited for, polled.
        self.anonymize_timeout = anonymize_timeout
        # Messages name the server without any user:password@ part of the URL.
        parts = urlsplit(self.base_url)
        self.server_label = f"{parts.hostname or '?'}:{parts.port or 'default port'}"
        # (connect, read): a refused or black-holed host fails fast.
        self.timeout = (min(timeout, 5.0), timeout)
        self.session = requests.Session()
        # requests reads proxy and CA settings from the environment on every call, which cost
        # more than a whole gateway request's own work; read them once here instead.
        self.session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or True
        self.session.trust_env = False
        if username is not None or password is not None:
            self.session.auth = (username or "", password or "")

    def close(self) -> None:
        """Release the session's connections."""
        self.session.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        what = f"{method} {path}"
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=self.timeout, **kwargs
            )
        except requests.Timeout as exc:
            raise OrthancUnavailable(f"Orthanc ({self.server_label}) timed out: {what}") from exc
        except requests.ConnectionError as exc:
            raise OrthancUnavailable(
                f"Could not connect to Orthanc ({self.server_label}): {what}"
            ) from exc
        except requests.RequestException as exc:
            raise OrthancUnavailable(
                f"Request to Orthanc ({self.server_label}) failed ({type(exc).__name__}): {what}"
            ) from exc
        status = response.status_code
        if status < 300:
            return response
        response.close()  # a streamed error answer would keep its connection otherwise
        # Orthanc's error bodies may echo query values (patient data): never quote them.
        message = f"Orthanc ({self.server_label}) answered {status} to {what}"
        error: type[OrthancError] = OrthancBadAnswer
        if status == 404:
            error = OrthancNotFound
        elif status in (401, 403):
            error = OrthancUnauthorized
        elif status >= 500:
            error = OrthancUnavailable
        raise error(message, status=status)

    def _json(self, method: str, path: str, expected: type, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            data = response.json()
        except ValueError:
            raise OrthancBadAnswer(f"Orthanc sent non-JSON to {method} {path}") from None
        if not isinstance(data, expected):
            raise OrthancBadAnswer(
                f"Orthanc sent a {type(data).__name__} instead of a {expected.__name__} "
                f"to {method} {path}"
            )
        return data
