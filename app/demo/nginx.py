"""Debian's nginx (nginx-light) running exactly the shipped deploy/nginx/ templates.

The templates are rendered as the nginx Docker image does (envsubst of `${NAME}`, nothing
else) into `<workdir>/conf.d/`, under a small main configuration that stands for the
image's /etc/nginx/nginx.conf. The process is ours: started on loopback ports, stopped by PID.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from app.demo.orthanc_server import (  # noqa: F401  (free_port: for callers)
    file_tail,
    free_port,
    stop_process,
)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
TLS_TEMPLATES = sorted((DEPLOY / "templates").glob("*.template"))
PLAIN_HTTP_TEMPLATES = sorted((DEPLOY / "plain-http").glob("*.template"))
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A documented variable: `#   NAME   what it is` in the comment block opening the template.
DOCUMENTED = re.compile(r"^#\s+([A-Z][A-Z0-9_]+)\s{2,}\S")
STARTUP_TIMEOUT = 10.0

MAIN_CONF = """\
{user}worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {workdir}/access.log;
    client_body_temp_path {workdir}/temp/body;
    proxy_temp_path {workdir}/temp/proxy;
    fastcgi_temp_path {workdir}/temp/fastcgi;
    uwsgi_temp_path {workdir}/temp/uwsgi;
    scgi_temp_path {workdir}/temp/scgi;
    include conf.d/*.conf;
}}
"""


def nginx_executable() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        raise RuntimeError("nginx is missing: run `make setup` (Debian package nginx-light).")
    return found


def render(text: str, values: Mapping[str, str]) -> str:
    """`${NAME}` replaced by its value; a name without a value is an error, not left as is."""
    missing = sorted({name for name in VARIABLE.findall(text) if name not in values})
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return VARIABLE.sub(lambda match: values[match.group(1)], text)


def used_variables(text: str) -> set[str]:
    return set(VARIABLE.findall(text))


def documented_variables(text: str) -> set[str]:
    """Names documented in the template's opening comment block."""
    names = set()
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = DOCUMENTED.match(line)
        if match:
            names.add(match.group(1))
    return names


def output_name(template: Path) -> str:
    """What the Docker image writes for it: the name without `.template`."""
    return template.name.removesuffix(".template")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, and its key."""
    certificate, key = directory / "tls.crt", directory / "tls.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


class NginxServer:
    """One nginx master process running the rendered templates from `workdir`."""

    def __init__(self, workdir: Path, templates: list[Path], values: Mapping[str, str]) -> None:
        self.workdir = Path(workdir)
        self.templates = list(templates)
        self.values = dict(values)
        self.conf = self.workdir / "nginx.conf"
        self._process: subprocess.Popen[bytes] | None = None

    def write(self) -> None:
        """Render the templates into conf.d/ and write the main configuration."""
        conf_d = self.workdir / "conf.d"
        conf_d.mkdir(parents=True, exist_ok=True)
        (self.workdir / "temp").mkdir(exist_ok=True)
        for template in self.templates:
            rendered = render(template.read_text(encoding="utf-8"), self.values)
            (conf_d / output_name(template)).write_text(rendered, encoding="utf-8")
        # As root, workers would run as nobody, who cannot enter pytest's private folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.conf.write_text(MAIN_CONF.format(user=user, workdir=self.workdir), encoding="utf-8")

    def command(self, *extra: str) -> list[str]:
        return [
            nginx_executable(), "-p", str(self.workdir), "-c", str(self.conf),
            "-e", str(self.workdir / "error.log"), *extra,
        ]  # fmt: skip

    def test(self) -> subprocess.CompletedProcess[str]:
        """`nginx -t` on the rendered configuration."""
        self.write()
        return subprocess.run(self.command("-t"), capture_output=True, text=True, check=False)

    def start(self, ports: list[int]) -> Self:
        """Check the configuration, start nginx in the foreground and wait for `ports`."""
        checked = self.test()
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
        self._process = subprocess.Popen(
            self.command("-g", "daemon off;"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        for port in ports:
            while not _accepts(port):
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"nginx did not start:\n{self.log_tail()}")
                time.sleep(0.05)
        return self

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of nginx's error log."""
        return file_tail(self.workdir / "error.log", lines)

    def stop(self) -> None:
        """Stop the master process we started (its workers follow it)."""
        process, self._process = self._process, None
        if process is not None:
            stop_process(process, 10.0)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False
