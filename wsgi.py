"""WSGI entry point: `flask --app wsgi` and `gunicorn wsgi:app` both load `app` from here.

A configuration that cannot be used (no SECRET_KEY; production without PostgreSQL or Redis
and without MOCKLOOP_ALLOW_SINGLE_HOST=1) is refused with one line on stderr and exit
code 4, gunicorn's "application failed to load": the gunicorn master then stops instead
of restarting workers forever, and every `flask` command stops the same way.
"""

import sys

from app import create_app
from app.config import ConfigError

APP_LOAD_ERROR = 4  # gunicorn.arbiter.Arbiter.APP_LOAD_ERROR

try:
    app = create_app()
except ConfigError as error:
    print(f"mockloop: {error}", file=sys.stderr)
    sys.exit(APP_LOAD_ERROR)
