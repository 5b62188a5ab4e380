"""`make demo`: a local Orthanc with demo studies, a migrated database, a demo clinician, and
the app on http://127.0.0.1:5000 until Ctrl-C (which stops Orthanc too). Safe to re-run: the
demo's Orthanc storage, database and keys live under instance/demo/ and are reused.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.demo.dicom import demo_instances, upload_demo_studies  # noqa: E402
from app.extensions import db  # noqa: E402
from app.orthanc.flask_client import client_for  # noqa: E402
from app.users.models import Role, User  # noqa: E402
from config import DevelopmentConfig  # noqa: E402
from tests.orthanc.server import OrthancServer  # noqa: E402

DEMO_DIR = ROOT / "instance" / "demo"
APP_HOST, APP_PORT = "127.0.0.1", 5000
PREFERRED_ORTHANC_PORT = 8042
# Demo-only account, printed on every start; never use it on real data.
DEMO_EMAIL = "demo@studyshare.example"
DEMO_PASSWORD = "demo-password-2026"


def main() -> int:
    if port_in_use(APP_PORT):
        print(
            f"Port {APP_PORT} is already in use: stop what runs there and retry.", file=sys.stderr
        )
        return 1
    settings = demo_settings()
    orthanc_port = None if port_in_use(PREFERRED_ORTHANC_PORT) else PREFERRED_ORTHANC_PORT
    print("Starting Orthanc...", flush=True)
    with OrthancServer(
        DEMO_DIR / "orthanc",
        port=orthanc_port,
        username="studyshare",
        password=settings["orthanc_password"],
        plugins=("dicomweb",),
    ) as orthanc:
        env = {
            **os.environ,
            "STUDYSHARE_ENV": "development",
            "SECRET_KEY": settings["secret_key"],
            "DATABASE_URL": f"sqlite:///{DEMO_DIR / 'studyshare.db'}",
            "ORTHANC_URL": orthanc.url,
            "ORTHANC_USERNAME": "studyshare",
            "ORTHANC_PASSWORD": settings["orthanc_password"],
            "PUBLIC_BASE_URL": f"http://{APP_HOST}:{APP_PORT}",
            "CLINIC_NAME": os.environ.get("CLINIC_NAME", "StudyShare demo clinic"),
        }
        prepare(env)
        print_banner(orthanc.url)
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
            print("\nStopped the app and Orthanc.")
            return 0


def demo_settings() -> dict[str, str]:
    """Keys that must stay the same across runs, created on the first one."""
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    path = DEMO_DIR / "settings.json"
    if path.exists():
        return json.loads(path.read_text())
    settings = {
        "secret_key": secrets.token_urlsafe(32),
        "orthanc_password": secrets.token_urlsafe(16),
    }
    path.write_text(json.dumps(settings))
    path.chmod(0o600)
    return settings


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


def print_banner(orthanc_url: str) -> None:
    print(
        "\n"
        "  StudyShare demo is starting.\n"
        f"  Open      http://{APP_HOST}:{APP_PORT}/\n"
        f"  Log in    {DEMO_EMAIL} / {DEMO_PASSWORD}   (demo-only account)\n"
        f"  Orthanc   {orthanc_url} (internal, for StudyShare only)\n"
        "  Stop      Ctrl-C (stops Orthanc too)\n",
        flush=True,
    )


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    sys.exit(main())
