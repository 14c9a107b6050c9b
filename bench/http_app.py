"""WSGI entry points for `python -m bench.http_load`, served by gunicorn.

`bench.http_app:app` is mockloop in its production configuration (DATABASE_URL and
SECRET_KEY come from the environment bench.http_load sets); `bench.http_app:hello` is
the bare Flask "hello" baseline, built without importing mockloop at all.
"""

from flask import Flask

hello = Flask("bare_hello")
hello.add_url_rule("/", "hello", lambda: "hello")


def __getattr__(name: str):
    """Create mockloop only when gunicorn asks for `app` (the baseline must not pay for it)."""
    if name == "app":
        from app import create_app

        globals()["app"] = application = create_app()
        return application
    raise AttributeError(name)
