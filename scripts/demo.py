"""`make demo`: a local Orthanc with demo studies, a migrated database, a demo clinician, and
the app on http://127.0.0.1:5000 until Ctrl-C (which stops Orthanc and nginx too). Safe to
re-run: the demo's Orthanc storage, database and keys live under instance/demo/ and are reused.

Laid out like a deployment: the internal Orthanc StudyShare searches (with credentials); a
public Orthanc for viewers, where every request is checked by StudyShare's token service
(app/demo/authz_filter/ stands in for the authorization plugin, which Debian does not
package); and in front of that public Orthanc the shipped nginx guard (deploy/nginx/, the
plain-http variant, rendered like the tests render it), which asks StudyShare's
`/auth/nginx/check` about each request. Viewer links (the Orthanc Web Viewer) go through the
guard. The plain-http template also has StudyShare's own site, served on a free port; the
demo's links use the app's own address. The public Orthanc has its own copy of the demo
studies, so anonymized copies made during the demo are not in it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.demo.dicom import demo_instances, upload_demo_studies  # noqa: E402
from app.demo.nginx import (  # noqa: E402
    PLAIN_HTTP_TEMPLATES,
    TLS_TEMPLATES,
    NginxServer,
    nginx_executable,
)
from app.demo.orthanc_server import OrthancServer, free_port  # noqa: E402
from app.demo.public_orthanc import public_orthanc  # noqa: E402
from app.extensions import db  # noqa: E402
from app.orthanc.flask_client import client_for  # noqa: E402
from app.users.models import Role, User  # noqa: E402
from config import DevelopmentConfig  # noqa: E402

DEMO_DIR = ROOT / "instance" / "demo"
APP_HOST, APP_PORT = "127.0.0.1", 5000
PREFERRED_ORTHANC_PORT = 8042
PREFERRED_PUBLIC_ORTHANC_PORT = 8043
PREFERRED_GUARD_PORT = 8044
# The plain-http site and the two `.locations` files it includes.
GUARD_TEMPLATES = PLAIN_HTTP_TEMPLATES + [
    template for template in TLS_TEMPLATES if template.name.endswith(".locations.template")
]
AUTHZ_USERNAME = "public-orthanc"
# Demo-only account, printed on every start; never use it on real data.
DEMO_EMAIL = "demo@studyshare.example"
DEMO_PASSWORD = "demo-password-2026"


def main() -> int:
    # `kill` (or a closed terminal) stops the demo like Ctrl-C does: app and Orthancs with it.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    if port_in_use(APP_PORT):
        print(
            f"Port {APP_PORT} is already in use: stop what runs there and retry.", file=sys.stderr
        )
        return 1
    try:
        nginx_executable()
    except RuntimeError as exc:
        print(f"Cannot start the demo: {exc}", file=sys.stderr)
        return 1
    settings = demo_settings()
    print("Starting Orthanc (internal and public) and the nginx guard...", flush=True)
    app_url = f"http://{APP_HOST}:{APP_PORT}"
    public = public_orthanc(
        DEMO_DIR / "public-orthanc",
        token_service_url=app_url,
        username=AUTHZ_USERNAME,
        password=settings["authz_password"],
        port=port_or_free(PREFERRED_PUBLIC_ORTHANC_PORT),
        name="StudyShare demo public",
    )
    internal = OrthancServer(
        DEMO_DIR / "orthanc",
        port=port_or_free(PREFERRED_ORTHANC_PORT),
        username="studyshare",
        password=settings["orthanc_password"],
        plugins=("dicomweb",),
    )
    guard_port = port_or_free(PREFERRED_GUARD_PORT)
    guard_url = f"http://127.0.0.1:{guard_port}"
    with internal as orthanc, public, start_guard(public.url, guard_port, settings) as guard:
        env = {
            **os.environ,
            "STUDYSHARE_ENV": "development",
            "SECRET_KEY": settings["secret_key"],
            "DATABASE_URL": f"sqlite:///{DEMO_DIR / 'studyshare.db'}",
            "ORTHANC_URL": orthanc.url,
            "ORTHANC_USERNAME": "studyshare",
            "ORTHANC_PASSWORD": settings["orthanc_password"],
            "PUBLIC_BASE_URL": app_url,
            # Viewers reach the public Orthanc only through the guard, as in a deployment.
            "PUBLIC_ORTHANC_ROOT": guard_url,
            "EXTERNAL_VIEWERS": "webviewer",
            "AUTHZ_USERNAME": AUTHZ_USERNAME,
            "AUTHZ_PASSWORD": settings["authz_password"],
            "CLINIC_NAME": os.environ.get("CLINIC_NAME", "StudyShare demo clinic"),
        }
        prepare(env)
        print_banner(orthanc.url, public.url, guard_url, guard.values["STUDYSHARE_HTTP_LISTEN"])
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "run",
                "--host",
                APP_HOST,
                "--port",
                str(APP_PORT),
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            return server.wait()
        except KeyboardInterrupt:
            server.terminate()
            server.wait(timeout=10)
            print("\nStopped the app, Orthanc and nginx.")
            return 0


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def demo_settings() -> dict[str, str]:
    """Keys that must stay the same across runs, created on the first one."""
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    path = DEMO_DIR / "settings.json"
    settings = json.loads(path.read_text()) if path.exists() else {}
    wanted = {
        "secret_key": lambda: secrets.token_urlsafe(32),
        "orthanc_password": lambda: secrets.token_urlsafe(16),
        "authz_password": lambda: secrets.token_urlsafe(16),  # added later: older demos lack it
    }
    if not wanted.keys() <= settings.keys():
        settings = {key: settings.get(key) or make() for key, make in wanted.items()}
        path.write_text(json.dumps(settings))
        path.chmod(0o600)
    return settings


def start_guard(public_orthanc_url: str, port: int, settings: dict[str, str]) -> NginxServer:
    """The shipped guard (plain-http variant) in front of the public Orthanc, started."""
    workdir = DEMO_DIR / "nginx"
    # The rendered configuration holds the token service's credentials.
    workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    workdir.chmod(0o700)
    credentials = f"{AUTHZ_USERNAME}:{settings['authz_password']}".encode()
    studyshare_site = f"127.0.0.1:{free_port()}"
    values = {
        "ORTHANC_HTTP_LISTEN": f"127.0.0.1:{port}",
        "ORTHANC_SERVER_NAME": "127.0.0.1",
        "PUBLIC_ORTHANC_UPSTREAM": public_orthanc_url.removeprefix("http://"),
        "STUDYSHARE_UPSTREAM": f"{APP_HOST}:{APP_PORT}",
        "TOKEN_SERVICE_UPSTREAM": f"{APP_HOST}:{APP_PORT}",  # one app answers both here
        "AUTHZ_BASIC": base64.b64encode(credentials).decode(),
        "STUDYSHARE_HTTP_LISTEN": studyshare_site,
        "STUDYSHARE_SERVER_NAME": "localhost",
        # The demo's public Orthanc calls the app directly; only loopback reaches /auth/.
        "ORTHANC_SIDE_NETWORK": "127.0.0.1/32",
    }
    nginx = NginxServer(workdir, GUARD_TEMPLATES, values)
    return nginx.start([port, int(studyshare_site.rpartition(":")[2])])


def prepare(env: dict[str, str]) -> None:
    """Migrate the database, load the demo studies and make sure the demo clinician exists."""
    app = create_app(DevelopmentConfig(env))
    with app.app_context():
        upgrade()
        report = upload_demo_studies(client_for(app), demo_instances())
        print(f"Demo studies in Orthanc: {len(report.study_ids)}.")
        if User.find_by_email(DEMO_EMAIL) is None:
            user = User(email=DEMO_EMAIL, name="Demo Clinician", role=Role.ADMIN)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.commit()


def print_banner(
    orthanc_url: str, public_orthanc_url: str, guard_url: str, studyshare_site: str
) -> None:
    print(
        "\n"
        "  StudyShare demo is starting.\n"
        f"  Open      http://{APP_HOST}:{APP_PORT}/\n"
        f"  Log in    {DEMO_EMAIL} / {DEMO_PASSWORD}   (demo-only account)\n"
        f"  Guard     {guard_url} (nginx in front of the public Orthanc: viewer links)\n"
        f"            http://{studyshare_site} (StudyShare through the same nginx)\n"
        f"  Orthanc   {orthanc_url} (internal, for StudyShare only)\n"
        f"            {public_orthanc_url} (public, behind the guard)\n"
        "  E-mails   written to instance/mail/, not sent (unless MAIL_BACKEND=smtp)\n"
        "  Stop      Ctrl-C (stops Orthanc and nginx too)\n",
        flush=True,
    )


def port_or_free(preferred: int) -> int:
    return free_port() if port_in_use(preferred) else preferred


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    sys.exit(main())
