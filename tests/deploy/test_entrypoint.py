"""docker-entrypoint.sh: migrations before the server, the switch to skip them, failures stop."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker-entrypoint.sh"

# Stand-ins on PATH that record their arguments: the real ones are tested elsewhere.
RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
exit "${FAIL_%s:-0}"
"""


@pytest.fixture
def run(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"

    def run(
        *command: str, real_python: bool = False, **env: str
    ) -> tuple[subprocess.CompletedProcess[str], list[str]]:
        """The entrypoint with stand-ins for flask and python, or this virtualenv's python."""
        python = f'#!/bin/sh\nexec {sys.executable} "$@"\n' if real_python else RECORDER % "PYTHON"
        for name, text in (("flask", RECORDER % "FLASK"), ("python", python)):
            (bin_dir / name).write_text(text, encoding="utf-8")
            (bin_dir / name).chmod(0o755)
        environ = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CALLS": str(calls), **env}
        done = subprocess.run(
            ["/bin/sh", str(ENTRYPOINT), *command],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        recorded = calls.read_text().splitlines() if calls.exists() else []
        calls.unlink(missing_ok=True)
        return done, recorded

    return run


SERVER = ("python", "serve.py")
CHECK = "python serve.py --print-config"


def test_checks_the_settings_migrates_then_starts_the_server(run):
    done, calls = run(*SERVER)
    assert done.returncode == 0, done.stderr
    assert calls == [CHECK, "flask --app wsgi db upgrade", "python serve.py"]


@pytest.mark.parametrize("value", ["false", "FALSE", "0", "no", "off"])
def test_the_switch_skips_the_migrations(run, value):
    done, calls = run(*SERVER, STUDYSHARE_MIGRATE=value)
    assert done.returncode == 0, done.stderr
    assert calls == [CHECK, "python serve.py"]


def test_a_failed_migration_stops_the_container_before_the_server(run):
    done, calls = run(*SERVER, FAIL_FLASK="3")
    assert done.returncode == 3
    assert calls == [CHECK, "flask --app wsgi db upgrade"]


def test_a_bad_switch_is_a_one_line_configuration_error(run):
    done, calls = run(*SERVER, STUDYSHARE_MIGRATE="sometimes")
    assert done.returncode != 0
    assert calls == [CHECK]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "STUDYSHARE_MIGRATE" in lines[0]
    assert lines[0].startswith("Configuration error:")


@pytest.mark.parametrize("value", ["lots", "-1", "2.5", "0"])
def test_a_bad_server_setting_stops_it_in_one_line_before_migrating(run, value):
    """With the real serve.py: its check runs before `flask db upgrade` (a stand-in here)."""
    done, calls = run(*SERVER, real_python=True, WEB_CONCURRENCY=value)
    assert done.returncode != 0
    assert calls == []
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Configuration error: WEB_CONCURRENCY")


def test_other_commands_run_without_migrating(run):
    done, calls = run("flask", "--app", "wsgi", "shares", "purge-expired")
    assert done.returncode == 0, done.stderr
    assert calls == ["flask --app wsgi shares purge-expired"]


def test_the_server_replaces_the_shell(tmp_path):
    # `exec`: the server becomes PID 1 and gets the stop signal itself.
    text = ENTRYPOINT.read_text(encoding="utf-8")
    assert text.rstrip().endswith('exec "$@"')
    assert os.access(ENTRYPOINT, os.R_OK)
