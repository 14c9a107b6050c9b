"""What a person typed into a form the server refused (a stale CSRF token), to give back.

Nothing a user typed may be lost, but a request with a bad CSRF token must change
nothing. So the refusal page shows the typed text back, read-only, for copying: never
the CSRF token, never a password, never the hidden bookkeeping fields, and never a
button that would send it again (a cross-site form must not ride on a click).

Which posted names are passwords, hidden or labelled is read once from the app's own
FlaskForm classes, so a new form is covered the day it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, request, url_for
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from wtforms import HiddenField, PasswordField
from wtforms.fields.core import UnboundField

SECRET_NAME = re.compile(r"pass(word|wd|phrase)?|secret|token", re.IGNORECASE)
# A value no person types: an id, a revision, a client id ("12", "a1b2c3-d4").
MACHINE_VALUE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class FieldInfo:
    """What the app's forms say about a field name."""

    label: str | None  # the label given in code, when every form agrees on one
    secret: bool  # a PasswordField somewhere
    hidden: bool  # a HiddenField in every form that has it


@dataclass(frozen=True)
class TypedField:
    """One field to give back: its label, its posted name and what was typed."""

    label: str
    name: str
    value: str


def _form_classes(base: type = FlaskForm):
    for cls in base.__subclasses__():
        yield cls
        yield from _form_classes(cls)


def _explicit_label(unbound: UnboundField) -> str | None:
    label = unbound.args[0] if unbound.args else unbound.kwargs.get("label")
    return label if isinstance(label, str) and label else None


def known_fields() -> dict[str, FieldInfo]:
    """Every field name of the app's forms with its label, and whether it is secret or hidden."""
    seen: dict[str, list[UnboundField]] = {}
    for cls in _form_classes():
        for name in dir(cls):
            value = getattr(cls, name, None)
            if isinstance(value, UnboundField):
                seen.setdefault(name, []).append(value)
    fields = {}
    for name, unbound in seen.items():
        labels = {_explicit_label(u) for u in unbound}
        fields[name] = FieldInfo(
            label=labels.pop() if len(labels) == 1 else None,
            secret=any(issubclass(u.field_class, PasswordField) for u in unbound),
            hidden=all(issubclass(u.field_class, HiddenField) for u in unbound),
        )
    return fields


def humanise(name: str) -> str:
    """ "answer_text" -> "Answer text"."""
    words = re.sub(r"[_\-\[\].]+", " ", name).strip()
    return (words[:1].upper() + words[1:]) or name


def typed_fields(
    form: MultiDict, fields: dict[str, FieldInfo], csrf_field: str = "csrf_token"
) -> list[TypedField]:
    """The posted fields worth giving back, in the order they were sent."""
    typed = []
    for name in form:
        info = fields.get(name)
        if name == csrf_field or SECRET_NAME.search(name):
            continue
        if info and (info.secret or info.hidden):
            continue
        value = "\n".join(v for v in form.getlist(name) if v.strip())
        if not value.strip():
            continue
        if info and info.label is None and MACHINE_VALUE.fullmatch(value):
            continue  # revision, seq, client_id, format_id: bookkeeping, not typing
        label = (info.label if info else None) or humanise(name)
        typed.append(TypedField(label=label, name=name, value=value))
    return typed


def origin_of(url: str | None) -> tuple[str, str] | None:
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


def is_same_origin(url: str | None) -> bool:
    """True when `url` is on this site (scheme and host as the request saw them)."""
    here = origin_of(request.host_url)
    return here is not None and origin_of(url) == here


def request_is_same_origin() -> bool:
    """The request came from one of our own pages (Origin, else Sec-Fetch-Site, else Referer).

    Browsers send Origin with every form POST; without any of the three, say no.
    """
    origin = request.headers.get("Origin")
    if origin:
        return is_same_origin(origin)
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site == "same-origin"
    return is_same_origin(request.referrer)


def back_url(app: Flask) -> str:
    """Where "back to the page" goes: the Referer when it is ours, else this URL by GET."""
    referrer = request.referrer
    if is_same_origin(referrer):
        parts = urlsplit(referrer)
        path = parts.path or "/"
        return f"{path}?{parts.query}" if parts.query else path
    try:
        app.create_url_adapter(request).match(request.path, method="GET")
    except HTTPException:
        return url_for("home.landing")
    return request.script_root + request.path
