"""The operator docs stay true to the code: every setting documented, links and commands real."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import click
import pytest
from flask import has_app_context
from flask.cli import FlaskGroup, ScriptInfo

from app import create_app
from config import TestConfig, config_from_environ
from config.settings import BY_NAME, PROFILE, PROFILES, SETTINGS, Setting

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
REFERENCE = DOCS / "configuration.md"
SYSTEMD = ROOT / "deploy" / "systemd"
# A table row whose first cell names one or more settings: | `NAME`, `OTHER` | ... |
SETTING_ROW = re.compile(r"^\|\s*(`[A-Z][A-Z0-9_]*`(?:\s*,\s*`[A-Z][A-Z0-9_]*`)*)\s*\|")
NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
LITERAL = re.compile(r"`([^`]*)`")
# `flask --app wsgi db upgrade`, `flask --app wsgi shares purge-expired`: group and command.
FLASK_COMMAND = re.compile(r"flask --app wsgi ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?")
# Read by the test profile only: in the reference, not in the README's deployment table.
TEST_ONLY = {"MAIL_SUPPRESS_SEND"}
SCREENSHOTS_BUDGET = 1_500_000  # bytes: the repository carries them


class RecordingEnviron(Mapping[str, str]):
    """An environment that remembers every name the configuration asks for."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def deployment_settings() -> set[str]:
    """Every variable the production and development profiles read."""
    # Production refuses to start without its required variables: give it those.
    required = {"SECRET_KEY": "s" * 40, "DATABASE_URL": "sqlite://", "ORTHANC_URL": "http://o"}
    asked: set[str] = set()
    for values in ({"STUDYSHARE_ENV": "production", **required}, {"STUDYSHARE_ENV": "development"}):
        environ = RecordingEnviron(values)
        config_from_environ(environ)
        asked |= environ.asked
    return asked


def read_by_test_profile() -> set[str]:
    """The test profile reads a few more (and never looks at STUDYSHARE_ENV)."""
    environ = RecordingEnviron({})
    TestConfig(environ)
    return environ.asked


def table_names(text: str) -> set[str]:
    names: set[str] = set()
    for line in text.splitlines():
        match = SETTING_ROW.match(line)
        if match:
            names.update(NAME.findall(match.group(1)))
    return names


def readme_configuration_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Configuration\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def doc_files() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def test_the_recording_sees_the_settings():
    names = deployment_settings()
    assert {"SECRET_KEY", "STUDYSHARE_ENV", "VIEWER_TOKEN_KEYS", "LOG_LEVEL"} <= names
    assert read_by_test_profile() - names == TEST_ONLY


def test_the_reference_documents_every_setting_and_only_those():
    documented = table_names(REFERENCE.read_text(encoding="utf-8"))
    read = deployment_settings() | read_by_test_profile()
    assert sorted(read - documented) == [], "settings missing from docs/configuration.md"
    assert sorted(documented - read) == [], "docs/configuration.md names unknown settings"


def test_the_readme_table_lists_the_deployment_settings():
    listed = table_names(readme_configuration_section())
    read = deployment_settings()
    assert sorted(read - listed) == [], "settings missing from the README's table"
    assert sorted(listed - read) == [], "the README's table names unknown settings"


def setting_rows(text: str) -> list[tuple[list[str], str]]:
    """(names, default cell) of each table row that names settings."""
    rows = []
    for line in text.splitlines():
        match = SETTING_ROW.match(line)
        if match:
            default = line.strip().strip("|").split("|")[1].strip()
            rows.append((NAME.findall(match.group(1)), default))
    return rows


def documented_defaults(setting: Setting, profiles: tuple[str, ...]) -> list[str]:
    """The values a default cell shows, in order: the default, then where a profile differs."""
    if setting.shown is not None:
        return LITERAL.findall(setting.shown)
    if callable(setting.default):  # made at start (a random key): described in words
        return []
    values = [setting.default]
    for profile in profiles:
        value = setting.default_in(profile)
        if profile in setting.read_in and value not in values:
            values.append(value)
    return [value for value in values if value]


@pytest.mark.parametrize(
    ("text", "profiles"),
    [
        pytest.param(readme_configuration_section, ("production", "development"), id="README"),
        pytest.param(lambda: REFERENCE.read_text(encoding="utf-8"), PROFILES, id="reference"),
    ],
)
def test_the_tables_give_the_settings_table_names_and_defaults(text, profiles):
    rows = setting_rows(text())
    listed = sorted(name for names, _ in rows for name in names)
    settings = [s for s in (PROFILE, *SETTINGS) if set(s.read_in) & set(profiles)]
    assert listed == sorted(s.name for s in settings), "not the settings table's names"
    for names, cell in rows:
        rows_settings = [BY_NAME[name] for name in names]
        expected = [value for s in rows_settings for value in documented_defaults(s, profiles)]
        assert LITERAL.findall(cell) == expected, f"{', '.join(names)}: {cell}"
        required = {"production" in s.required_in for s in rows_settings}
        assert required == {cell.startswith("required in production")}, names


@pytest.mark.parametrize(
    "path", [*doc_files(), README, README.parent / "SECURITY.md"], ids=lambda path: path.name
)
def test_relative_links_resolve(path):
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file_part = target.split("#", 1)[0]
        assert (path.parent / file_part).exists(), f"{path.name} links to missing {target}"


def test_the_screenshots_stay_small():
    total = sum(path.stat().st_size for path in (DOCS / "screenshots").glob("*.png"))
    assert 0 < total < SCREENSHOTS_BUDGET


def documented_commands() -> set[tuple[str, ...]]:
    commands = set()
    for path in [*doc_files(), *SYSTEMD.iterdir()]:
        for match in FLASK_COMMAND.finditer(path.read_text(encoding="utf-8")):
            commands.add(tuple(word for word in match.groups() if word))
    return commands


def test_the_docs_name_real_flask_commands():
    app = create_app(TestConfig({"DATABASE_URL": "sqlite://"}))
    cli = FlaskGroup(create_app=lambda: app)
    commands = documented_commands()
    assert {("db", "upgrade"), ("shares", "purge-expired")} <= commands
    # FlaskGroup.get_command pushes an app context onto the click context: closing the context
    # pops it, or it outlives this test and later CLI tests run against this app.
    with click.Context(cli, obj=ScriptInfo(create_app=lambda: app)) as context:
        for words in commands:
            command: click.Command | None = cli
            for word in words:
                assert isinstance(command, click.Group), f"flask {' '.join(words)}: not a group"
                command = command.get_command(context, word)
                assert command is not None, f"`flask --app wsgi {' '.join(words)}` does not exist"
    assert not has_app_context(), "the command lookup left an app context pushed"
