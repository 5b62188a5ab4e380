"""Helpers for the tests through a public Orthanc: tokens, carriers, a recording token service."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask
from werkzeug.wsgi import get_input_stream

from app.demo.public_orthanc import VALIDATE_PATH
from app.shares.models import Share
from app.shares.viewer_tokens import mint_viewer_token

MULTIPART = "multipart/related; type=application/octet-stream"
GRANT = {"granted": True, "validity": 0}


def mint(app: Flask, share: Share, **kwargs) -> str:
    with app.app_context():
        return mint_viewer_token(share, **kwargs)


def carry(token: str | None, carrier: str = "token-header") -> dict[str, dict[str, str]]:
    """requests' keyword arguments carrying the token the way a viewer does (§5)."""
    if token is None:
        return {}
    if carrier == "bearer":
        return {"headers": {"Authorization": f"Bearer {token}"}}
    if carrier == "get-argument":
        return {"params": {"token": token}}
    return {"headers": {"token": token}}


def carry_all(*carried: tuple[str, str]) -> dict[str, dict[str, str]]:
    """One request carrying several (token, carrier) at once."""
    merged: dict[str, dict[str, str]] = {}
    for token, carrier in carried:
        for key, values in carry(token, carrier).items():
            merged.setdefault(key, {}).update(values)
    return merged


def read_body(environ: dict) -> bytes:
    """The whole request body, with a Content-Length or chunked (then the server dechunks)."""
    return get_input_stream(environ, safe_fallback=False).read()


def stub_service(status: int, answer: object, calls: list[dict]) -> Callable:
    """A token service that always gives `answer` and records what the filter sent."""

    def wsgi(environ, start_response):
        if environ["PATH_INFO"] != VALIDATE_PATH:
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(GRANT).encode()]
        calls.append(
            {
                "authorization": environ["HTTP_AUTHORIZATION"],
                "token-header": environ.get("HTTP_TOKEN"),
                "body": json.loads(read_body(environ)),
            }
        )
        start_response(f"{status} STUB", [("Content-Type", "application/json"), ("Location", "/")])
        return [answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()]

    return wsgi


class _Tee(io.RawIOBase):
    """The request stream as the app reads it, keeping a copy of what was read."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self.data = bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._stream.readinto(buffer) or 0
        self.data += memoryview(buffer)[:count]
        return count

    def drain(self, environ: dict) -> bytes:
        """The whole body, reading what the app left unread (the profile route reads none)."""
        length = environ.get("CONTENT_LENGTH")
        if length:
            self.data += self._stream.read(max(0, int(length) - len(self.data)))
        elif environ.get("wsgi.input_terminated"):
            self.data += self._stream.read()
        return bytes(self.data)


@dataclass
class ServiceCall:
    """One call the filter made to StudyShare, and StudyShare's answer."""

    path: str
    transfer_encoding: str | None
    content_length: str | None
    body: bytes = b""
    status: str = ""
    answer: bytes = b""

    @property
    def request(self) -> object:
        return json.loads(self.body)

    @property
    def reply(self) -> object:
        return json.loads(self.answer)


@dataclass
class Recorder:
    """WSGI wrapper around the real StudyShare app recording each call, untouched."""

    app: Callable
    calls: list[ServiceCall] = field(default_factory=list)

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        call = ServiceCall(
            environ["PATH_INFO"],
            environ.get("HTTP_TRANSFER_ENCODING"),
            environ.get("CONTENT_LENGTH"),
        )
        tee = _Tee(environ["wsgi.input"])
        environ["wsgi.input"] = tee

        def record_start(status, headers, exc_info=None):
            call.status = status
            return start_response(status, headers, exc_info)

        answer = self.app(environ, record_start)
        try:
            chunks = list(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        call.body, call.answer = tee.drain(environ), b"".join(chunks)
        self.calls.append(call)
        return chunks

    def to(self, path: str) -> list[ServiceCall]:
        return [call for call in self.calls if call.path == path]
