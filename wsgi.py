"""WSGI entry point: `python serve.py` (the server), `flask --app wsgi ...`."""

from app import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    exc.stop_process()
