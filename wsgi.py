"""WSGI entry point: `flask --app wsgi` and `gunicorn wsgi:app` both load `app` from here."""

from app import create_app

app = create_app()
