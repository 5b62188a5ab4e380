"""`nginx -t` on the templates compose mounts, rendered with the nginx service's own values.

The values name compose's services (`studyshare:8000`) and container paths
(`/etc/nginx/tls/share.crt`), which nginx resolves and opens while checking. The check runs in
a mount namespace of its own where /etc/hosts maps those names to loopback and a tmpfs on
/etc/nginx holds a self-signed certificate at those paths: nothing on the machine changes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from app.demo.nginx import NginxServer, self_signed_certificate
from tests.deploy import compose

TEMPLATES_DIR = "/etc/nginx/templates/"

# Runs as `sh -c SCRIPT hosts tls_source tls_target nginx …` inside `unshare --mount`.
NAMESPACE_SCRIPT = """
set -e
hosts=$1 tls_source=$2 tls_target=$3
shift 3
mount --bind "$hosts" /etc/hosts
mount -t tmpfs tmpfs /etc/nginx
mkdir -p "$tls_target"
mount --bind "$tls_source" "$tls_target"
exec "$@"
"""


def mounted_templates(tmp_path: Path, model: dict) -> list[Path]:
    """The nginx service's templates, as files (inline compose configs written out)."""
    nginx = model["services"]["nginx"]
    templates = [
        source for source, target in compose.bind_mounts(nginx) if target.startswith(TEMPLATES_DIR)
    ]
    inline = tmp_path / "inline"
    inline.mkdir()
    for config in nginx["configs"]:
        if config["target"].startswith(TEMPLATES_DIR):
            path = inline / config["target"].removeprefix(TEMPLATES_DIR)
            path.write_text(model["configs"][config["source"]]["content"], encoding="utf-8")
            templates.append(path)
    return templates


def certificates(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A folder holding a certificate and key under every name the values give; its target."""
    paths = [value for name, value in env.items() if "_TLS_CERTIFICATE" in name]
    folders = {str(Path(path).parent) for path in paths}
    assert len(folders) == 1, folders  # compose mounts one folder of certificates
    certificate, key = self_signed_certificate(tmp_path)
    tls = tmp_path / "tls"
    tls.mkdir()
    for path in paths:
        source = key if path.endswith(".key") else certificate
        shutil.copy(source, tls / Path(path).name)
    return tls, folders.pop()


def hosts_file(tmp_path: Path, env: dict[str, str]) -> Path:
    upstreams = {value.split(":")[0] for name, value in env.items() if name.endswith("_UPSTREAM")}
    path = tmp_path / "hosts"
    path.write_text(f"127.0.0.1 localhost {' '.join(sorted(upstreams))}\n", encoding="utf-8")
    return path


def test_nginx_accepts_the_templates_rendered_with_composes_values(tmp_path):
    model = compose.rendered(compose.example_env())
    env = compose.environment(model["services"]["nginx"])
    templates = mounted_templates(tmp_path, model)
    assert {path.name for path in templates} >= {
        "studyshare.conf.template",
        "orthanc-guard.conf.template",
        "viewer.conf.template",
    }
    server = NginxServer(tmp_path / "nginx", templates, env)
    server.write()
    tls, tls_target = certificates(tmp_path, env)
    unshare = shutil.which("unshare") or "/usr/bin/unshare"
    command = [
        unshare, "--mount", "sh", "-c", NAMESPACE_SCRIPT, "sh",
        str(hosts_file(tmp_path, env)), str(tls), tls_target, *server.command("-t"),
    ]  # fmt: skip
    checked = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    rendered = "\n".join(p.read_text() for p in (tmp_path / "nginx" / "conf.d").iterdir())
    assert "${" not in rendered
    for name in ("share.example.org", "pacs.example.org", "viewer.example.org"):
        assert f"server_name {name};" in rendered
