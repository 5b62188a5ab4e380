"""WSGI entry point: `python serve.py` (the server), `flask --app wsgi ...`."""

import sys

from app import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # A missing setting is an operator's mistake, not a crash: say which, without a traceback.
    print(f"Configuration error: {exc}", file=sys.stderr, flush=True)
    sys.exit(ConfigError.EXIT_STATUS)
