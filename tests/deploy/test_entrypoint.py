"""docker-entrypoint.sh: migrations before the server, the switch to skip them, failures stop."""

from __future__ import annotations

import os
import subprocess
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
    for name in ("flask", "gunicorn"):
        script = bin_dir / name
        script.write_text(RECORDER % name.upper(), encoding="utf-8")
        script.chmod(0o755)
    calls = tmp_path / "calls"

    def run(*command: str, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
        environ = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CALLS": str(calls), **env}
        done = subprocess.run(
            ["/bin/sh", str(ENTRYPOINT), *command],
            env=environ,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        recorded = calls.read_text().splitlines() if calls.exists() else []
        calls.unlink(missing_ok=True)
        return done, recorded

    return run


SERVER = ("gunicorn", "-c", "gunicorn.conf.py", "wsgi:app")


def test_migrates_then_starts_the_server(run):
    done, calls = run(*SERVER)
    assert done.returncode == 0, done.stderr
    assert calls == ["flask --app wsgi db upgrade", "gunicorn -c gunicorn.conf.py wsgi:app"]


@pytest.mark.parametrize("value", ["false", "FALSE", "0", "no", "off"])
def test_the_switch_skips_the_migrations(run, value):
    done, calls = run(*SERVER, STUDYSHARE_MIGRATE=value)
    assert done.returncode == 0, done.stderr
    assert calls == ["gunicorn -c gunicorn.conf.py wsgi:app"]


def test_a_failed_migration_stops_the_container_before_the_server(run):
    done, calls = run(*SERVER, FAIL_FLASK="3")
    assert done.returncode == 3
    assert calls == ["flask --app wsgi db upgrade"]


def test_a_bad_switch_is_a_one_line_configuration_error(run):
    done, calls = run(*SERVER, STUDYSHARE_MIGRATE="sometimes")
    assert done.returncode != 0
    assert calls == []
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "STUDYSHARE_MIGRATE" in lines[0]
    assert lines[0].startswith("Configuration error:")


@pytest.mark.parametrize("value", ["lots", "-1", "2.5", " 4"])
def test_a_worker_count_that_is_not_a_number_is_a_one_line_error(run, value):
    # gunicorn would stop with a traceback: it reads WEB_CONCURRENCY before its config file.
    done, calls = run(*SERVER, WEB_CONCURRENCY=value)
    assert done.returncode == 3
    assert calls == []
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Configuration error: WEB_CONCURRENCY")


def test_a_worker_count_goes_on_to_gunicorn(run):
    done, calls = run(*SERVER, WEB_CONCURRENCY="4")
    assert done.returncode == 0, done.stderr
    assert calls[-1] == "gunicorn -c gunicorn.conf.py wsgi:app"


def test_other_commands_run_without_migrating(run):
    done, calls = run("flask", "--app", "wsgi", "shares", "purge-expired")
    assert done.returncode == 0, done.stderr
    assert calls == ["flask --app wsgi shares purge-expired"]


def test_the_server_replaces_the_shell(tmp_path):
    # `exec`: gunicorn becomes PID 1 and gets the stop signal itself.
    text = ENTRYPOINT.read_text(encoding="utf-8")
    assert text.rstrip().endswith('exec "$@"')
    assert os.access(ENTRYPOINT, os.R_OK)
