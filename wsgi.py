"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import sys

from app import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # A missing setting is an operator's mistake, not a crash: say which, without a traceback.
    sys.exit(f"Configuration error: {exc}")
