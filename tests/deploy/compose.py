"""deploy/compose.yaml as Docker Compose reads it: YAML, then `${…}` interpolation from .env."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"

# Compose's interpolation: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default},
# ${NAME:?error}, ${NAME?error}, ${NAME:+other}, ${NAME+other}.
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariableError(KeyError):
    """A `${NAME:?…}` or `${NAME?…}` variable without a value: compose refuses to start."""


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """`text` as compose renders it with the variables of `env` (its .env file)."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["plain"]
        op, arg = match["op"], match["arg"] or ""
        value = env.get(name)
        empty = value is None or (value == "" and op is not None and op.startswith(":"))
        if op in (":-", "-"):
            return arg if empty else value  # type: ignore[return-value]
        if op in (":?", "?"):
            if empty:
                raise MissingVariableError(f"{name}: {arg}")
            return value  # type: ignore[return-value]
        if op in (":+", "+"):
            return "" if empty else arg
        return value or ""

    return _VARIABLE.sub(substitute, text)


def required_variables(text: str) -> set[str]:
    """Names compose refuses to start without (`${NAME:?…}`)."""
    return {m["braced"] for m in _VARIABLE.finditer(text) if m["op"] in (":?", "?")}


def _interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_interpolate_tree(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, env) for key, value in node.items()}
    return node


def raw() -> dict[str, Any]:
    """The YAML as written (anchors and merge keys resolved), before interpolation."""
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def rendered(env: Mapping[str, str]) -> dict[str, Any]:
    """The model compose runs: every string value interpolated with `env`."""
    return _interpolate_tree(raw(), env)


def example_env() -> dict[str, str]:
    """A deploy/.env with every required variable, as README's instructions make it."""
    authz_password = "authz-password-0123456789abcdef"
    return {
        "SECRET_KEY": "k" * 48,
        "POSTGRES_PASSWORD": "postgres0123456789abcdef",
        "STUDYSHARE_DB_PASSWORD": "studyshare0123456789abcdef",
        "ORTHANC_DB_PASSWORD": "orthancdb0123456789abcdef",
        "ORTHANC_PASSWORD": "orthanc0123456789abcdef",
        "AUTHZ_PASSWORD": authz_password,
        "AUTHZ_BASIC": base64.b64encode(f"orthanc-plugin:{authz_password}".encode()).decode(),
    }


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping (compose accepts a list of NAME=value too)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def seconds(duration: str) -> float:
    """A compose duration (`200s`, `3m20s`, `1h`) in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", duration)
    assert "".join(n + u for n, u in parts) == duration, f"bad duration {duration!r}"
    assert parts, f"bad duration {duration!r}"
    return sum(float(number) * units[unit] for number, unit in parts)


def host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port


def bind_mounts(service: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """(host path, container path) of the service's `./…` bind mounts."""
    mounts = []
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts.append(((DEPLOY / source).resolve(), target))
    return mounts
