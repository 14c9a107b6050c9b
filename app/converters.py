"""Bounded input at the edge: numbers the database can hold, bodies a form endpoint can read.

Every id in a URL, every whole number in a query string and every form POST passes here
before a view runs, so no input reaches a query it could overflow (PostgreSQL's INTEGER is
32-bit signed) and none gets a 500:

- `<int:...>` in every route is `BoundedInt`: 0..DB_INT_MAX, anything else is no route (404).
- `request.args.get(name, type=int)` (and `request.form`) give the default for a number out
  of that range, as for any text that is not a number.
- A POST, PUT or PATCH with a body that is not a form (JSON, XML, text) is refused with 400
  and a message naming what is accepted, before CSRF or the view read it; a view marked
  `@accepts_json` takes a JSON body too.
- A NUL character (which PostgreSQL cannot store in text) in a form value is refused with
  422 and a message, like any refused form value; a query pair holding one is ignored;
  in a path part it is 404.

Forms bound their IntegerFields with `NumberRange(max=DB_INT_MAX)` (a 422 with a message).
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask.wrappers import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER (and the largest SQLite id we ever hand out)

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_A_FORM = (
    "This address takes a form (application/x-www-form-urlencoded or multipart/form-data), "
    "not {kind}. Nothing was saved."
)


def bounded_int(value: object) -> int:
    """A whole number a database INTEGER holds, or ValueError (like `int` on bad text)."""
    number = int(str(value).strip())
    if not -DB_INT_MAX - 1 <= number <= DB_INT_MAX:
        raise ValueError(f"{number} is out of range")
    return number


class BoundedInt(IntegerConverter):
    """Flask's `int` URL converter limited to ids that can exist (0..DB_INT_MAX)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        bounded = DB_INT_MAX if max is None or max > DB_INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded, signed=signed)


class BoundedArgs(ImmutableMultiDict):
    """Query and form values where `get(..., type=int)` never yields an unstorable number."""

    def get(self, key, default=None, type=None):  # noqa: A002
        if type is int:
            type = bounded_int
        return super().get(key, default=default, type=type)


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs

    @cached_property
    def args(self) -> BoundedArgs:
        """The query string without pairs holding a NUL: a filter or page number that
        cannot be stored is ignored, like any other junk value (`?stage=%00` lists all)."""
        parsed = super().args
        return BoundedArgs(
            (key, value)
            for key, value in parsed.items(multi=True)
            if "\x00" not in key and "\x00" not in value
        )


JSON_ATTR = "_mockloop_accepts_json"


def accepts_json(view):
    """Mark a view that reads a JSON body (e.g. a code run's results): JSON is let through
    to it; every other view takes forms only. The view still validates what it reads."""
    setattr(view, JSON_ATTR, True)
    return view


def body_kind() -> str | None:
    """What the request's body is, when it has one its endpoint cannot read; else None."""
    if request.method not in BODY_METHODS:
        return None
    mimetype = request.mimetype
    if mimetype in FORM_TYPES:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if mimetype == "application/json" and getattr(view, JSON_ATTR, False):
        return None
    if not mimetype and not request.content_length:
        return None  # an empty POST (a button with no fields) is a form
    return mimetype or "a body without a content type"


NUL_MESSAGE = (
    "What you sent contains a NUL character (\\0), which cannot be stored. Remove it and "
    "try again; nothing was saved."
)


def has_nul(values) -> bool:
    """True when any key or value of a MultiDict (or any value of a dict) holds a NUL."""
    items = values.items(multi=True) if hasattr(values, "items") else values
    return any("\x00" in str(key) or "\x00" in str(value) for key, value in items)


def install(app: Flask) -> None:
    """Use the bounded converter and request everywhere; call before any route is added."""
    app.url_map.converters["int"] = BoundedInt
    app.request_class = BoundedRequest

    @app.before_request
    def refuse_bodies_that_are_not_forms():
        kind = body_kind()
        if kind is not None:
            abort(400, NOT_A_FORM.format(kind=kind))
        if request.view_args and has_nul(request.view_args.items()):
            abort(404)
        if request.method in BODY_METHODS and has_nul(request.form):
            abort(422, NUL_MESSAGE)
