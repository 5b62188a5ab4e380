"""Run a real, private Orthanc process for tests and demos."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import requests

PLUGIN_DIR = Path("/usr/share/orthanc/plugins")
PLUGINS = {
    "dicomweb": "libOrthancDicomWeb.so",
    "webviewer": "libOrthancWebViewer.so",
    "python": "libOrthancPython.so",
}
FALLBACK_EXECUTABLE = "/usr/sbin/Orthanc"
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


def orthanc_executable() -> str:
    """Path of the Orthanc binary, or a RuntimeError saying how to install it."""
    found = shutil.which("Orthanc")
    if found:
        return found
    if os.access(FALLBACK_EXECUTABLE, os.X_OK):
        return FALLBACK_EXECUTABLE
    raise RuntimeError(
        "The Orthanc executable was not found: run `make setup` "
        "(or `apt-get install orthanc orthanc-python orthanc-dicomweb orthanc-webviewer`)."
    )


def stop_process(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM, wait, then SIGKILL: by the PID we started, never by name."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def file_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a process's log file, for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OrthancServer:
    """One Orthanc process with its own config, storage and log in `workdir`."""

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        username: str = "studyshare",
        password: str | None = None,
        authentication: bool = True,
        python_script: Path | None = None,
        plugins: Sequence[str] = (),
        extra_config: dict[str, Any] | None = None,
        name: str = "StudyShare test",
    ) -> None:
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.authentication = authentication
        self.username = username if authentication else None
        self.password = (password or secrets.token_urlsafe(16)) if authentication else None
        self.python_script = python_script
        self.plugins = list(plugins)
        self.extra_config = dict(extra_config or {})
        self.name = name
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path = self.workdir / "orthanc.json"
        self.log_path = self.workdir / "orthanc.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.username is None or self.password is None:
            return None
        return (self.username, self.password)

    def config(self) -> dict[str, Any]:
        """The Orthanc configuration this server runs with."""
        config: dict[str, Any] = {
            "Name": self.name,
            "HttpPort": self.port,
            "StorageDirectory": str(self.workdir / "storage"),
            "IndexDirectory": str(self.workdir / "index"),
            "DicomServerEnabled": False,
            # Orthanc 1.10 cannot bind to loopback only; this refuses other hosts instead.
            "RemoteAccessAllowed": False,
            "WebDavEnabled": False,
            "ExecuteLuaEnabled": False,
            "SaveJobs": False,
            "HttpDescribeErrors": True,
            "AuthenticationEnabled": self.authentication,
            "Plugins": [str(plugin_path(p)) for p in self.plugins],
        }
        if self.auth:
            config["RegisteredUsers"] = {self.auth[0]: self.auth[1]}
        if self.python_script is not None:
            config["Plugins"].append(str(plugin_path("python")))
            config["PythonScript"] = str(self.python_script)
        config.update(self.extra_config)
        return config

    def start(self) -> Self:
        """Write the config, start Orthanc and wait until its REST API answers."""
        if self._process is not None:
            raise RuntimeError("This Orthanc server is already started.")
        executable = orthanc_executable()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(self.config(), indent=2), encoding="utf-8")
        # The Python plugin embeds Debian's python3; our virtualenv's paths would break it.
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [executable, str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=env,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        if self._process is None:
            raise RuntimeError("Orthanc was not started.")
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with requests.Session() as session:
            session.auth = self.auth
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    self._fail(f"Orthanc exited with code {self._process.returncode}")
                try:
                    response = session.get(f"{self.url}/system", timeout=(1, 2))
                except requests.RequestException:
                    time.sleep(0.05)
                    continue
                if response.status_code == 401 and self.auth:
                    self._fail("Orthanc refused the configured credentials")
                return
        self._fail(f"Orthanc did not answer within {STARTUP_TIMEOUT:.0f} s")

    def _fail(self, reason: str) -> None:
        raise RuntimeError(f"{reason} (port {self.port}). Log tail:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of Orthanc's log."""
        return file_tail(self.log_path, lines)

    def stop(self) -> None:
        """Stop the process this object started."""
        process, self._process = self._process, None
        if process is not None:
            stop_process(process, STOP_TIMEOUT)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def plugin_path(plugin: str) -> Path:
    """A plugin's shared library, from a short name (`dicomweb`) or a path."""
    path = PLUGIN_DIR / PLUGINS[plugin] if plugin in PLUGINS else Path(plugin)
    if not path.exists():
        raise RuntimeError(f"Orthanc plugin not found: {path} (run `make setup`).")
    return path
