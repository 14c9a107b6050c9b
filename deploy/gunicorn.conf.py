"""gunicorn settings for mockloop: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Each value can be changed from the environment (MOCKLOOP_BIND, MOCKLOOP_WORKERS,
MOCKLOOP_THREADS, MOCKLOOP_TIMEOUT). The access log is off: the app writes one JSON line
per request with its request id (app/logs.py). `on_starting` checks the settings in the
master before any worker is forked, so a host without PostgreSQL or Redis (and without
MOCKLOOP_ALLOW_SINGLE_HOST=1) stops with one line and exit code 4 instead of restarting
workers forever.
"""

import os
import sys

bind = os.environ.get("MOCKLOOP_BIND", "127.0.0.1:8000")  # behind nginx; see deploy/nginx
workers = int(os.environ.get("MOCKLOOP_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("MOCKLOOP_THREADS", "4"))
timeout = int(os.environ.get("MOCKLOOP_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = 10_000  # recycle workers now and then; jitter keeps them from all going at once
max_requests_jitter = 1_000
accesslog = None
errorlog = "-"
loglevel = "info"
# The app decides whom to believe about the client's address (TRUSTED_PROXY_IPS).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXY_IPS", "127.0.0.1,::1")


def on_starting(server):
    """Refuse an unusable configuration before forking (the master exits, code 4)."""
    from app.config import ConfigError, load_config

    try:
        load_config()
    except ConfigError as error:
        print(f"mockloop: {error}", file=sys.stderr)
        sys.exit(4)
