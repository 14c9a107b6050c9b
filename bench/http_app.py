"""WSGI entry points for `python -m bench.http_load`, served by gunicorn.

`bench.http_app:app` is mockloop in its production configuration (DATABASE_URL,
REDIS_URL and SECRET_KEY come from the environment bench.http_load sets);
`bench.http_app:hello` is the bare Flask "hello" baseline and `bench.http_app:readwrite`
the bare Flask app doing one indexed read and one write (then a commit) on the same
PostgreSQL database, both built without importing mockloop at all.
"""

import os
import random
import threading

from flask import Flask

hello = Flask("bare_hello")
hello.add_url_rule("/", "hello", lambda: "hello")

readwrite = Flask("bare_readwrite")
_local = threading.local()
BARE_ROWS = 1000  # rows in bench_bare; a random one per request, like autosaves of many answers


def _connection():
    """One psycopg connection per worker thread (what SQLAlchemy's pool amounts to)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        import psycopg

        url = os.environ["BENCH_BARE_DSN"]
        conn = _local.conn = psycopg.connect(url)
    return conn


def _read_write():
    conn = _connection()
    row_id = random.randint(1, BARE_ROWS)
    with conn.cursor() as cur:
        cur.execute("SELECT name, hits FROM bench_bare WHERE id = %s", (row_id,))
        name, hits = cur.fetchone()
        cur.execute("UPDATE bench_bare SET hits = hits + 1 WHERE id = %s", (row_id,))
    conn.commit()
    return {"name": name, "hits": hits + 1}


readwrite.add_url_rule("/", "readwrite", _read_write)


def __getattr__(name: str):
    """Create mockloop only when gunicorn asks for `app` (the baselines must not pay for it)."""
    if name == "app":
        from app import create_app

        globals()["app"] = application = create_app()
        return application
    raise AttributeError(name)
