"""The kinds of settings: how one variable's text becomes a typed value, checked.

Every kind raises ConfigError with a message that names the variable; none quotes a value
that may be a secret.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, NoReturn, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many


class ConfigError(Exception):
    """The environment does not describe a runnable StudyShare."""

    # The exit status of a server that stops on one: restarting it would not help (systemd's
    # RestartPreventExitStatus in deploy/systemd/studyshare.service).
    EXIT_STATUS = 3

    def stop_process(self) -> NoReturn:
        """Stop with one line on stderr, no traceback: an operator's mistake, not a crash."""
        print(f"Configuration error: {self}", file=sys.stderr, flush=True)
        sys.exit(self.EXIT_STATUS)


class Kind(Protocol):
    # Whether an empty variable means "not set" (the default) rather than an empty value.
    empty_is_default: ClassVar[bool]

    def parse(self, raw: str, name: str) -> Any: ...


@dataclass(frozen=True)
class Boolean:
    empty_is_default: ClassVar[bool] = False  # empty is false

    def parse(self, raw: str, name: str) -> bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{name} must be true or false, not {raw!r}.")


def _at_least(value: int | float, minimum: int | float, name: str) -> Any:
    # Zero page sizes, timeouts or attempts would fail later, far from their cause.
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}.")
    return value


@dataclass(frozen=True)
class Whole:
    minimum: int = 1
    empty_is_default: ClassVar[bool] = True

    def parse(self, raw: str, name: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
        return _at_least(value, self.minimum, name)


@dataclass(frozen=True)
class Number:
    minimum: float = 0.1  # seconds, mostly
    empty_is_default: ClassVar[bool] = True

    def parse(self, raw: str, name: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, not {raw!r}.") from None
        return _at_least(value, self.minimum, name)


@dataclass(frozen=True)
class Text:
    """Any text, kept as written (an empty one too), or None when empty with `optional`."""

    optional: bool = False
    address: bool = False  # a URL: without its trailing slashes
    empty_is_default: ClassVar[bool] = False

    def parse(self, raw: str, name: str) -> str | None:
        value = raw.rstrip("/") if self.address else raw
        return None if self.optional and not value else value


@dataclass(frozen=True)
class Secret:
    """A key that must not be empty: empty means the default (which may be generated)."""

    empty_is_default: ClassVar[bool] = True

    def parse(self, raw: str, name: str) -> str:
        return raw


@dataclass(frozen=True)
class Secrets:
    """Keys separated by commas → a tuple, in order; empty when unset. Never quoted."""

    empty_is_default: ClassVar[bool] = False

    def parse(self, raw: str, name: str) -> tuple[str, ...]:
        return tuple(filter(None, (part.strip() for part in raw.split(","))))


@dataclass(frozen=True)
class Choice:
    choices: tuple[str, ...]
    empty_is_default: ClassVar[bool] = True

    def parse(self, raw: str, name: str) -> str:
        value = raw.strip().lower()
        if value not in self.choices:
            choices = ", ".join(self.choices)
            raise ConfigError(f"{name} must be one of {choices}, not {value!r}.")
        return value


@dataclass(frozen=True)
class HttpAddress:
    """An http(s) address without a trailing slash (and nothing after the host but a path)."""

    empty_is_default: ClassVar[bool] = False

    def parse(self, raw: str, name: str) -> str:
        value = raw.rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{name} must be an http(s) address, not {value!r}.")
        return value


@dataclass(frozen=True)
class Origins:
    """`https://viewer.example.org,http://127.0.0.1:3000`: exact origins, no paths."""

    empty_is_default: ClassVar[bool] = False

    def parse(self, raw: str, name: str) -> frozenset[str]:
        origins = frozenset(filter(None, (part.strip().rstrip("/") for part in raw.split(","))))
        for origin in origins:
            scheme, _, rest = origin.partition("://")
            if scheme not in ("http", "https") or not rest or "/" in rest:
                raise ConfigError(
                    f"{name} entries must be origins like https://viewer.example.org, "
                    f"not {origin!r}."
                )
        return origins


@dataclass(frozen=True)
class Names:
    """`a,b,c` in order, any case, each one of the known names: a typo stops the start."""

    known: tuple[str, ...]
    empty_is_default: ClassVar[bool] = False

    def parse(self, raw: str, name: str) -> tuple[str, ...]:
        names = tuple(filter(None, (part.strip().lower() for part in raw.split(","))))
        for unknown in (n for n in names if n not in self.known):
            known = ", ".join(self.known)
            raise ConfigError(f"{name} must name only {known}, not {unknown!r}.")
        return names


@dataclass(frozen=True)
class SigningKeys:
    """`kid:secret,kid:secret` → {kid: key}, in order (the first one signs); empty when unset.

    Checked at start so that a typo cannot deny every viewer later.
    """

    min_secret_length: int = 32
    empty_is_default: ClassVar[bool] = False

    def parse(self, raw: str, name: str) -> Mapping[str, bytes]:
        keys: dict[str, bytes] = {}
        for entry in filter(None, (part.strip() for part in raw.split(","))):
            kid, _, secret = entry.partition(":")
            if not kid or len(secret) < self.min_secret_length:
                # Never quote the value: it holds keys.
                raise ConfigError(
                    f"{name} must be kid:secret entries separated by commas, "
                    f"each secret at least {self.min_secret_length} characters long."
                )
            keys[kid] = secret.encode()
        return MappingProxyType(keys)


@dataclass(frozen=True)
class RateLimit:
    """Flask-Limiter's notation (`10 per 15 minutes`), checked by its own parser (`limits`)."""

    empty_is_default: ClassVar[bool] = True

    def parse(self, raw: str, name: str) -> str:
        try:
            parse_many(raw)
        except ValueError:
            raise ConfigError(
                f"{name} must be a rate limit like '10 per 15 minutes', not {raw!r}."
            ) from None
        return raw  # Flask-Limiter takes the text


@dataclass(frozen=True)
class LogLevel:
    empty_is_default: ClassVar[bool] = True

    def parse(self, raw: str, name: str) -> str:
        level = raw.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ConfigError(
                f"{name} must be a logging level (DEBUG, INFO, WARNING, ERROR, CRITICAL), "
                f"not {raw!r}."
            )
        return level


@dataclass(frozen=True)
class TimeZone:
    """An IANA time zone name (`Europe/Berlin`) → ZoneInfo, checked at start."""

    empty_is_default: ClassVar[bool] = True

    def parse(self, raw: str, name: str) -> ZoneInfo:
        try:
            return ZoneInfo(raw.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{name} must be an IANA time zone name like Europe/Berlin, not {raw!r}."
            ) from None


@dataclass(frozen=True)
class LocalImage:
    """An image file on this server, served by StudyShare itself (the CSP allows no other)."""

    path: str
    mimetype: str


def _image_type(head: bytes) -> str | None:
    """The image's media type from its first bytes, for the kinds browsers and mailers show."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.lstrip().startswith(b"<") and b"<svg" in head[:4096]:
        return "image/svg+xml"
    return None


@dataclass(frozen=True)
class ImageFile:
    """A PNG, JPEG, WebP or SVG file → LocalImage (absolute path), or None when empty.

    Checked at start: a missing, unreadable, oversized or non-image file would otherwise
    show as a broken picture on every handout.
    """

    max_bytes: int = 512 * 1024
    empty_is_default: ClassVar[bool] = False

    def parse(self, raw: str, name: str) -> LocalImage | None:
        if not raw.strip():
            return None
        path = Path(raw.strip()).expanduser().resolve()
        try:
            with path.open("rb") as image:
                head = image.read(self.max_bytes + 1)
        except OSError as exc:
            raise ConfigError(
                f"{name} must be a readable image file: {raw!r} is not ({exc.strerror})."
            ) from None
        if len(head) > self.max_bytes:
            raise ConfigError(
                f"{name} must be at most {self.max_bytes // 1024} KB: {raw!r} is larger."
            )
        mimetype = _image_type(head)
        if mimetype is None:
            raise ConfigError(f"{name} must be a PNG, JPEG, WebP or SVG image: {raw!r} is not.")
        return LocalImage(str(path), mimetype)
