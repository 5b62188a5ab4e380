"""WSGI entry point: `gunicorn -c gunicorn.conf.py wsgi:app`, `flask --app wsgi ...`."""

import sys

from app import create_app
from config import ConfigError

# gunicorn's "worker failed to boot": a worker exiting with it stops gunicorn (the image
# preloads the app in the master, which then exits with it) instead of being restarted forever.
BOOT_ERROR = 3

try:
    app = create_app()
except ConfigError as exc:
    # A missing setting is an operator's mistake, not a crash: say which, without a traceback.
    print(f"Configuration error: {exc}", file=sys.stderr, flush=True)
    sys.exit(BOOT_ERROR)
