"""Versioned static URLs, so nginx (or a browser) may cache static files for a year.

`url_for('static', filename=...)` gains `?v=<first 12 hex of the file's SHA-256>`: a
changed file gets a new URL, an unchanged one keeps its cache. Hashes are computed once
per file per process (the files only change with a deploy, which restarts the workers).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=1024)
def file_version(path: str) -> str | None:
    """Short content hash of a static file, or None when it does not exist."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None
    return digest[:12]


def init_app(app: Flask) -> None:
    """Add `v=` to static URLs; serve a versioned request with a year-long cache."""
    static_folder = Path(app.static_folder or "")

    @lru_cache(maxsize=1024)
    def version_of(filename: str) -> str | None:
        """By the name in url_for (a page links ~6 assets): no path join per link."""
        return file_version(str(static_folder / filename))

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            filename = values["filename"]
            version = (
                version_of(filename)
                if isinstance(filename, str)
                else file_version(str(static_folder / filename))
            )
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned_static(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
