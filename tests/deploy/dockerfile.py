"""The Dockerfile and .dockerignore read the way the builder reads them, without an engine."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY…
    arguments: str
    stage: int  # 0 for the first FROM's stage; -1 before any FROM (global ARGs)

    def exec_form(self) -> list[str] | None:
        """The JSON array of CMD/ENTRYPOINT/HEALTHCHECK CMD, or None in shell form."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            text = text.split(" CMD ", 1)[1] if " CMD " in f" {text}" else ""
        text = text.strip()
        return json.loads(text) if text.startswith("[") else None


def instructions(text: str | None = None) -> list[Instruction]:
    """Instructions in order, continuation lines joined and comment lines dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8") if text is None else text
    result: list[Instruction] = []
    stage, pending = -1, ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        pending = ""
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        result.append(Instruction(keyword, " ".join(arguments.split()), stage))
    return result


def stages(items: list[Instruction]) -> list[list[Instruction]]:
    count = max(item.stage for item in items) + 1
    return [[item for item in items if item.stage == index] for index in range(count)]


def stage_name(stage: list[Instruction]) -> str | None:
    match = re.search(r"\bAS\s+(\S+)$", stage[0].arguments, re.IGNORECASE)
    return match.group(1) if match else None


def ignore_rules() -> list[tuple[bool, str]]:
    """(excluded?, pattern) in order; the last rule matching a path decides."""
    rules = []
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line[1:] if negated else line
        rules.append((not negated, pattern.strip("/")))
    return rules


def _matches(pattern: str, path: str) -> bool:
    # A pattern matches the path or one of its parent folders; `**` spans folders.
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    regex = re.compile(
        "^"
        + re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        .replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        + "$"
    )  # fmt: skip
    return any(regex.match(candidate) for candidate in candidates)


def sent_to_builder(path: str) -> bool:
    """Whether the build context includes `path` (relative to the repository root)."""
    included = True
    for excluded, pattern in ignore_rules():
        if _matches(pattern, path):
            included = not excluded
    return included
