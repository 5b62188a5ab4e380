"""What the Dockerfile promises that can be checked without a container engine."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy import dockerfile
from tests.deploy.dockerfile import ROOT, Instruction

SERVER_COMMAND = ["python", "serve.py"]


@pytest.fixture(scope="module")
def items() -> list[Instruction]:
    return dockerfile.instructions()


@pytest.fixture(scope="module")
def final(items) -> list[Instruction]:
    return dockerfile.stages(items)[-1]


def only(stage: list[Instruction], keyword: str) -> list[Instruction]:
    return [item for item in stage if item.keyword == keyword]


def test_no_parser_directive():
    # `# syntax=` makes BuildKit fetch a frontend image from a registry at every build.
    first = dockerfile.DOCKERFILE.read_text(encoding="utf-8").splitlines()[0]
    assert not re.match(r"#\s*syntax\s*=", first, re.IGNORECASE)
    assert not any(
        re.match(r"#\s*(syntax|escape|check)\s*=", line, re.IGNORECASE)
        for line in dockerfile.DOCKERFILE.read_text(encoding="utf-8").splitlines()
    )


def test_multi_stage_on_one_base(items):
    stages = dockerfile.stages(items)
    assert len(stages) >= 2
    bases = {stage[0].arguments.split()[0] for stage in stages}
    assert bases == {"${PYTHON_IMAGE}"}, "every stage on the one pinned base"


def test_the_base_is_pinned_by_digest_or_says_how(items):
    (base,) = [i for i in items if i.keyword == "ARG" and i.arguments.startswith("PYTHON_IMAGE=")]
    image = base.arguments.split("=", 1)[1]
    assert image.startswith("python:3.11-slim-bookworm")
    if not re.search(r"@sha256:[0-9a-f]{64}$", image):
        text = dockerfile.DOCKERFILE.read_text(encoding="utf-8")
        assert "TODO(pin)" in text
        assert "docker buildx imagetools inspect python:3.11-slim-bookworm" in text


def test_the_server_runs_as_a_numeric_non_root_user(final):
    users = only(final, "USER")
    assert users, "the final stage sets a USER"
    user = users[-1].arguments
    assert re.fullmatch(r"\d+(:\d+)?", user), f"USER {user}: numeric, for runAsNonRoot"
    assert all(int(part) != 0 for part in user.split(":"))
    assert int(user.split(":")[0]) == 10001


def test_the_code_is_owned_by_root(final):
    user_at = final.index(only(final, "USER")[-1])
    for item in only(final, "COPY") + only(final, "ADD"):
        assert "--chown" not in item.arguments, item
        assert final.index(item) < user_at, "copied before USER, so owned by root"
    assert not [item for item in only(final, "RUN") if final.index(item) > user_at]


def test_dependencies_are_installed_before_the_code_is_copied(items):
    (build,) = [s for s in dockerfile.stages(items) if dockerfile.stage_name(s) == "build"]
    install = next(i for i in build if i.keyword == "RUN" and "pip" in i.arguments)
    assert "-c constraints.txt" in install.arguments
    assert "--only-binary=:all:" in install.arguments
    before = [i for i in build[: build.index(install)] if i.keyword in ("COPY", "ADD")]
    copied = {word for i in before for word in i.arguments.split() if not word.startswith("-")}
    assert copied <= {"constraints.txt", "./", "/requirements.txt"}, copied
    code = next(i for i in build if i.keyword == "COPY" and i.arguments.startswith("app "))
    assert build.index(install) < build.index(code)


def test_the_final_stage_keeps_no_wheels_and_no_build_tools(final):
    text = " ".join(item.arguments for item in final)
    assert "wheel" not in text
    assert "pip install" not in text
    copies = [item.arguments for item in only(final, "COPY")]
    assert "--from=build /opt/venv /opt/venv" in copies


def test_translations_are_compiled_in_the_image(items):
    assert any("pybabel compile" in i.arguments for i in items if i.keyword == "RUN")


def test_the_healthcheck_follows_the_configured_port(final):
    (check,) = only(final, "HEALTHCHECK")
    command = " ".join(check.exec_form() or [])
    assert "os.environ.get('PORT', '8000')" in command
    assert "/healthz" in command
    env = " ".join(item.arguments for item in only(final, "ENV"))
    assert "PORT=8000" in env
    assert only(final, "EXPOSE")[-1].arguments == "8000"


def test_entrypoint_migrates_then_runs_the_server(final):
    (entrypoint,) = only(final, "ENTRYPOINT")
    assert entrypoint.exec_form() == ["/bin/sh", "/app/docker-entrypoint.sh"]
    (command,) = only(final, "CMD")
    assert command.exec_form() == SERVER_COMMAND
    assert only(final, "STOPSIGNAL")[-1].arguments == "SIGTERM"


def test_what_the_dockerfile_copies_is_sent_and_the_rest_is_not(items):
    for item in items:
        if item.keyword != "COPY" or "--from=" in item.arguments:
            continue
        *sources, _target = [w for w in item.arguments.split() if not w.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), source
            assert dockerfile.sent_to_builder(source), f".dockerignore leaves out {source}"
    assert dockerfile.sent_to_builder("app/__init__.py")
    assert dockerfile.sent_to_builder("app/translations/de/LC_MESSAGES/messages.po")
    for path in (
        ".venv/bin/python",
        "instance/studyshare.db",
        "test-output/screenshot.png",
        ".cache/ohif/index.html",
        ".git/HEAD",
        "app/__pycache__/config.cpython-311.pyc",
        "app/static/node_modules/x/index.js",
        "deploy/.env",
        "tests/conftest.py",
    ):
        assert not dockerfile.sent_to_builder(path), path


def runtime_closure() -> dict[str, str]:
    """Every package the image installs (pyproject's dependencies and theirs): name → version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pending = [Requirement(spec) for spec in project["dependencies"]]
    seen: dict[str, str] = {}
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen[name] = metadata.version(requirement.name)
        for spec in metadata.requires(requirement.name) or []:
            dependency = Requirement(spec)
            extras = requirement.extras or {""}
            if dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in extras
            ):
                pending.append(dependency)
    return seen


def test_the_lock_pins_every_package_the_image_installs():
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[canonicalize_name(name)] = version
    closure = runtime_closure()
    assert {"flask", "granian", "psycopg-binary", "babel"} <= set(closure)
    assert "gunicorn" not in closure  # the benchmarks' comparison only (dev extras)
    missing = {name: version for name, version in closure.items() if pinned.get(name) != version}
    assert missing == {}, "installed by the image but not pinned (at that version): make lock"
