"""Versioned static URLs, so nginx (or a browser) may cache static files for a year.

`url_for('static', filename=...)` gains `?v=<first 12 hex of the file's SHA-256>`: a
changed file gets a new URL, an unchanged one keeps its cache. Hashes are computed once
per file per process (the files only change with a deploy, which restarts the workers).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, has_request_context, request

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

    app.jinja_env.globals["url_for"] = fixed_urls_cached(app)

    @app.after_request
    def cache_versioned_static(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response


URLS_MAX = 4096
PLAIN_TEXT_MAX = 64  # a longer str value (a search typed in) is built, not kept


def _plain(value) -> bool:
    """A value whose URL text depends on it alone and is worth keeping: an int (not a
    bool) or a short str (an id, a key, a filter), so the table stays small whatever
    a request reflects into its links."""
    kind = type(value)
    return kind is int or (kind is str and len(value) <= PLAIN_TEXT_MAX)


def fixed_urls_cached(app: Flask):
    """The templates' `url_for`, remembering the URLs it has built from plain values.

    Each page links the same dozen places (the navigation) and half a dozen static
    files, each a full `url_for` (~6-9 us: URL map build, defaults, quoting), and a
    round page another dozen URLs of its own round (status, autosave, hint, submit...).
    A call naming an absolute endpoint with no values, or only `int` and short `str`
    values (a `filename`, ids, plain query arguments), depends on nothing but the app's
    URL map, the `v=` default above, those values and the request's script root, so its
    URL is kept, in a table of URLS_MAX emptied when full (the same pages' URLs, and a
    candidate reloading a round, find theirs there). Any other call (`_external`,
    `_anchor` and the like, values of other types, a relative `.endpoint`, outside a
    request) is built as before. The URL map is fixed once the app serves; should any
    other url_defaults function ever be registered, nothing is cached (it could change
    such URLs)."""
    build = app.url_for
    cache: dict[tuple, str] = {}
    ours = None  # whether the url_defaults are only static_version (checked at first use)

    def url_for(endpoint: str, **values) -> str:
        nonlocal ours
        plain = not endpoint.startswith(".") and all(
            _plain(value) and not name.startswith("_") for name, value in values.items()
        )
        if not plain or not has_request_context():
            return build(endpoint, **values)
        if ours is None:
            names = [fn.__name__ for fns in app.url_default_functions.values() for fn in fns]
            ours = names == ["static_version"]
        if not ours:
            return build(endpoint, **values)
        key = (endpoint, request.script_root, *values.items())
        url = cache.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(cache) >= URLS_MAX:
                cache.clear()
            cache[key] = url
        return url

    url_for.cache = cache  # for a test of its bound
    return url_for
