"""The checking machinery of the bank files: problems, and field checkers that compose.

A checker is `check(ck, value, line, path) -> value | INVALID`: it adds a `Problem` to `ck`
(with the line and the field path) for whatever is wrong, and returns the normalised value
or `INVALID`. `record(spec)` checks a mapping field by field; `list_of(item)` a list. The
schema built from them is in `schema.py`; no Flask and no database here.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
# C0 controls other than tab/newline/carriage return, and lone surrogates, which no
# database column can store faithfully.
BAD_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the bank, where it is and what to do about it."""

    file: str
    line: int
    message: str
    field: tuple = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class LineDict(dict):
    """A mapping from YAML that remembers its own line and each key's line (1-based)."""

    line = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: dict = {}


class LineList(list):
    """A sequence from YAML that remembers its own line and each item's line (1-based)."""

    line = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_lines: list[int] = []


class Check:
    """Collects problems for one file (or one form submission)."""

    def __init__(self, display: str, problems: list[Problem] | None = None):
        self.display = display
        self.problems = problems if problems is not None else []

    def add(self, line: int, message: str, path: tuple = ()) -> None:
        self.problems.append(Problem(self.display, max(int(line or 1), 1), message, path))


INVALID = object()


def type_name(value: Any) -> str:
    """How a value of the wrong type is named in a message ("a list", "true/false")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__  # dates and times that YAML recognised


@dataclass
class Field:
    """One field of a record: how to check it, whether it is required, its default."""

    check: Callable[[Check, Any, int, tuple], Any]
    required: bool = True
    default: Any = None


def text(max_chars: int, *, allow_empty: bool = False, one_line: bool = False):
    """A text field of at most `max_chars` characters (non-blank unless `allow_empty`;
    without line breaks when `one_line`)."""

    def _check(ck: Check, value: Any, line: int, path: tuple) -> Any:
        if not isinstance(value, str):
            hint = " (put it in quotes)" if isinstance(value, bool | int | float) else ""
            ck.add(line, f"'{path[-1]}' must be text, not {type_name(value)}{hint}", path)
            return INVALID
        if not allow_empty and not value.strip():
            ck.add(line, f"'{path[-1]}' must not be empty", path)
            return INVALID
        if len(value) > max_chars:
            ck.add(
                line,
                f"'{path[-1]}' is too long: {len(value):,} characters (at most {max_chars:,})",
                path,
            )
            return INVALID
        if BAD_CHARS_RE.search(value):
            ck.add(line, f"'{path[-1]}' contains a control character", path)
            return INVALID
        if one_line and ("\n" in value or "\r" in value):
            ck.add(line, f"'{path[-1]}' must be one line (no line breaks)", path)
            return INVALID
        return value

    return _check


def slug(max_chars: int):
    """A key: lowercase letters, digits, '_' and '-'."""

    def _check(ck: Check, value: Any, line: int, path: tuple) -> Any:
        if not isinstance(value, str) or not SLUG_RE.match(value) or len(value) > max_chars:
            ck.add(
                line,
                f"'{path[-1]}' must be a key of lowercase letters, digits, '_' or '-' "
                f"(at most {max_chars} characters), not {value!r}",
                path,
            )
            return INVALID
        return value

    return _check


def integer(minimum: int, maximum: int):
    """A whole number in [minimum, maximum] (true/false is not a number)."""

    def _check(ck: Check, value: Any, line: int, path: tuple) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            ck.add(line, f"'{path[-1]}' must be a whole number, not {type_name(value)}", path)
            return INVALID
        if not minimum <= value <= maximum:
            ck.add(line, f"'{path[-1]}' must be between {minimum} and {maximum}, not {value}", path)
            return INVALID
        return value

    return _check


def number(*, positive: bool = False, maximum: float | None = None):
    """A finite number, optionally > 0 and at most `maximum` in size."""

    def _check(ck: Check, value: Any, line: int, path: tuple) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            ck.add(line, f"'{path[-1]}' must be a number, not {type_name(value)}", path)
            return INVALID
        value = float(value)
        if not math.isfinite(value):
            ck.add(line, f"'{path[-1]}' must be a finite number", path)
            return INVALID
        if positive and value <= 0:
            ck.add(line, f"'{path[-1]}' must be greater than 0, not {value:g}", path)
            return INVALID
        if maximum is not None and abs(value) > maximum:
            ck.add(line, f"'{path[-1]}' must be at most {maximum:g}", path)
            return INVALID
        return value

    return _check


def choice(options: Iterable[str]):
    """One of `options`."""

    options = tuple(options)

    def _check(ck: Check, value: Any, line: int, path: tuple) -> Any:
        if value not in options or not isinstance(value, str):
            ck.add(line, f"'{path[-1]}' must be one of {', '.join(options)}, not {value!r}", path)
            return INVALID
        return value

    return _check


def boolean(ck: Check, value: Any, line: int, path: tuple) -> Any:
    """true or false."""

    if not isinstance(value, bool):
        ck.add(line, f"'{path[-1]}' must be true or false, not {value!r}", path)
        return INVALID
    return value


def time_of_day(ck: Check, value: Any, line: int, path: tuple) -> Any:
    """A quoted "HH:MM" time of day."""

    if not isinstance(value, str) or not TIME_RE.match(value):
        hint = ' (quote it: "09:00")' if isinstance(value, int) else ""
        ck.add(line, f"'{path[-1]}' must be a time \"HH:MM\", not {value!r}{hint}", path)
        return INVALID
    return value


def list_of(item, *, min_items: int = 0, max_items: int = 50, unique: bool = False):
    """A list whose items each pass `item`."""

    def _check(ck: Check, value: Any, line: int, path: tuple) -> Any:
        if not isinstance(value, list):
            ck.add(line, f"'{path[-1]}' must be a list, not {type_name(value)}", path)
            return INVALID
        if len(value) < min_items:
            noun = "item" if min_items == 1 else "items"
            ck.add(line, f"'{path[-1]}' needs at least {min_items} {noun}, has {len(value)}", path)
            return INVALID
        if len(value) > max_items:
            ck.add(line, f"'{path[-1]}' has {len(value)} items (at most {max_items})", path)
            return INVALID
        lines = getattr(value, "item_lines", [])
        out, ok = LineList(), True
        out.line = line
        for i, element in enumerate(value):
            element_line = lines[i] if i < len(lines) else line
            checked = item(ck, element, element_line, (*path, i))
            if checked is INVALID:
                ok = False
            elif unique and checked in out:
                ck.add(element_line, f"'{path[-1]}' lists {checked!r} twice", (*path, i))
                ok = False
            else:
                out.append(checked)
                out.item_lines.append(element_line)
        return out if ok else INVALID

    return _check


def record(spec: dict[str, Field], after: Callable | None = None):
    """Check a mapping against `spec`; `after(ck, out, obj, path)` adds cross-field rules."""

    def _check(ck: Check, value: Any, line: int, path: tuple) -> Any:
        name = path[-1] if path else "document"
        if not isinstance(value, dict):
            label = f"item {name + 1}" if isinstance(name, int) else f"'{name}'"
            ck.add(line, f"{label} must be a mapping of fields, not {type_name(value)}", path)
            return INVALID
        own_line = getattr(value, "line", 0) or line
        key_lines = getattr(value, "key_lines", {})
        ok = True
        for key in value:
            if key not in spec:
                close = difflib.get_close_matches(str(key), list(spec), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                allowed = ", ".join(spec)
                ck.add(
                    key_lines.get(key, own_line),
                    f"unknown key {key!r}{hint}; allowed: {allowed}",
                    (*path, str(key)),
                )
                ok = False
        out = LineDict()
        out.line = own_line
        out.key_lines = {k: key_lines.get(k, own_line) for k in spec}
        for key, fld in spec.items():
            raw = value.get(key)
            if raw is None:
                if fld.required:
                    where = key_lines.get(key, own_line)
                    ck.add(where, f"missing required field '{key}'", (*path, key))
                    ok = False
                else:
                    out[key] = list(fld.default) if isinstance(fld.default, list) else fld.default
                continue
            checked = fld.check(ck, raw, key_lines.get(key, own_line), (*path, key))
            if checked is INVALID:
                ok = False
            else:
                out[key] = checked
        if not ok:
            return INVALID
        if after is not None and after(ck, out, value, path) is False:
            return INVALID
        return out

    return _check


def line_of(obj: Any, key: str | None = None) -> int:
    """The line of `obj` (or of its `key`) in its file; 1 when unknown."""
    if key is not None and isinstance(obj, LineDict):
        return obj.key_lines.get(key, obj.line)
    return getattr(obj, "line", 1) or 1
