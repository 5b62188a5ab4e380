"""One connection to Orthanc: a shared session, timeouts, non-2xx answers as typed errors."""

from __future__ import annotations

import json as json_module
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError, ProtocolError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from app.orthanc.errors import (
    OrthancBadAnswer,
    OrthancError,
    OrthancUnavailable,
    error_for_status,
)

IDEMPOTENT = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class _Relay:
    """Where relayed answers are asked: the session's pool, the URL's path, the credentials."""

    pool: urllib3.HTTPConnectionPool
    prefix: str
    headers: dict[str, str]
    timeout: urllib3.Timeout


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
        self._relay: _Relay | None = None

    def close(self) -> None:
        """Release the session's connections."""
        self.session.close()
        self._relay = None

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        what = f"{method} {path}"
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=self.timeout, **kwargs
            )
        except requests.Timeout as exc:
            raise self._timed_out(what) from exc
        except requests.ConnectionError as exc:
            raise self._unreachable(what) from exc
        except requests.RequestException as exc:
            raise self._failed(what, exc) from exc
        if response.status_code >= 300:
            response.close()  # a streamed error answer would keep its connection otherwise
            raise self._refused(response.status_code, what)
        return response

    def _relayed(self, path: str, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
        """`GET path`, its body unread and still encoded: close it, then `release_conn()`.

        For answers passed on as they come (the gateway's images).
        """
        return self._urlopen("GET", path, headers=headers, stream=True)

    def _urlopen(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        stream: bool = False,
    ) -> urllib3.BaseHTTPResponse:
        """`method path` on the session's own connection pool, without requests' per-call
        work (it cost more CPU than the rest of a gateway request); read whole unless
        `stream`, when the body is left unread and still encoded."""
        what = f"{method} {path}"
        try:
            relay = self._relay or self._open_relay()
            try:
                response = self._send(relay, method, path, headers, body, stream)
            except ProtocolError:
                # Orthanc closes a kept-alive connection once it has been idle for its
                # KeepAlive timeout; one reused at that moment fails before any answer. A
                # read is asked once more, on a new connection; a second failure is real.
                if method not in IDEMPOTENT or body is not None:
                    raise
                response = self._send(relay, method, path, headers, body, stream)
        except NewConnectionError as exc:  # a subclass of the timeouts, caught first
            raise self._unreachable(what) from exc
        except Urllib3Timeout as exc:
            raise self._timed_out(what) from exc
        except ProtocolError as exc:  # connected, then cut off (a body cut short, say)
            raise self._failed(what, exc) from exc
        except (Urllib3Error, OSError) as exc:
            raise self._unreachable(what) from exc
        except requests.RequestException as exc:  # the pool's settings (a bad proxy or CA)
            raise self._failed(what, exc) from exc
        if response.status >= 300:
            response.close()
            response.release_conn()
            raise self._refused(response.status, what)
        return response

    @staticmethod
    def _send(
        relay: _Relay,
        method: str,
        path: str,
        headers: dict[str, str] | None,
        body: bytes | None,
        stream: bool,
    ) -> urllib3.BaseHTTPResponse:
        return relay.pool.urlopen(
            method,
            relay.prefix + path,
            headers={**relay.headers, **headers} if headers else relay.headers,
            body=body,
            retries=False,
            redirect=False,
            assert_same_host=False,
            timeout=relay.timeout,
            preload_content=not stream,
            decode_content=not stream,
        )

    def _open_relay(self) -> _Relay:
        # requests' adapter picks the pool: the same TLS, proxy and credentials as the session.
        base = requests.Request("GET", self.base_url, auth=self.session.auth).prepare()
        adapter = self.session.get_adapter(self.base_url)
        pool = adapter.get_connection_with_tls_context(
            base, self.session.verify, self.session.proxies
        )
        found = base.headers.get("Authorization")  # from the settings, or the URL's user:password
        headers = {"Authorization": found} if found else {}
        prefix = adapter.request_url(base, self.session.proxies).rstrip("/")
        connect, read = self.timeout
        self._relay = _Relay(pool, prefix, headers, urllib3.Timeout(connect=connect, read=read))
        return self._relay

    def _timed_out(self, what: str) -> OrthancUnavailable:
        return OrthancUnavailable(f"Orthanc ({self.server_label}) timed out: {what}")

    def _unreachable(self, what: str) -> OrthancUnavailable:
        return OrthancUnavailable(f"Could not connect to Orthanc ({self.server_label}): {what}")

    def _failed(self, what: str, exc: Exception) -> OrthancUnavailable:
        return OrthancUnavailable(
            f"Request to Orthanc ({self.server_label}) failed ({type(exc).__name__}): {what}"
        )

    def _refused(self, status: int, what: str) -> OrthancError:
        # Orthanc's error bodies may echo query values (patient data): never quote them.
        message = f"Orthanc ({self.server_label}) answered {status} to {what}"
        return error_for_status(status, message)

    def _json(
        self,
        method: str,
        path: str,
        expected: type,
        *,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The JSON answer to `method path`, sent `json` (encoded) or `data` as its body."""
        if json is not None:
            data = json_module.dumps(json, allow_nan=False).encode()
            headers = {**(headers or {}), "Content-Type": "application/json"}
        response = self._urlopen(method, path, headers=headers, body=data)
        try:
            answer = json_module.loads(response.data)
        except ValueError:
            raise OrthancBadAnswer(f"Orthanc sent non-JSON to {method} {path}") from None
        if not isinstance(answer, expected):
            raise OrthancBadAnswer(
                f"Orthanc sent a {type(answer).__name__} instead of a {expected.__name__} "
                f"to {method} {path}"
            )
        return answer
