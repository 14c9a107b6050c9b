"""The question bank as YAML files: read with line numbers, validate, and write back.

No Flask and no database here: `read_bank(dir)` returns the normalised documents and a
list of `Problem`s (`file:line: message`); `dump_yaml(doc)` writes one document in the
canonical layout (fixed key order, block-style Markdown) that `flask bank export` uses.
The schema lives in this module once and is also used by the admin editor
(`check_question`, `check_rubric`), so the browser and the files obey the same rules.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

QUESTION_STATUSES = ("draft", "published", "archived")
DIFFICULTIES = ("easy", "medium", "hard")
ANSWER_KINDS = ("text", "code", "estimate", "deliverable")
EXPIRY_POLICIES = ("auto_submit", "grace_then_close")

MAX_PROMPT_CHARS = 20_000
MAX_MARKDOWN_CHARS = 20_000
MAX_DESCRIPTION_CHARS = 5_000
MAX_ITEM_CHARS = 2_000  # one hint, follow-up or level descriptor
MAX_MINUTES = 10_080  # a week
MAX_GAP_MINUTES = 43_200  # thirty days
MAX_FILE_BYTES = 512 * 1024

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


# --- YAML with line numbers --------------------------------------------------------------


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


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x


class LineLoader(_BaseLoader):
    """Safe YAML loading that records line numbers, reports duplicate keys, refuses aliases."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, Any]] = []
        self.node_ids: set[int] = set()


def _child(loader: LineLoader, node: yaml.Node) -> Any:
    """Construct a child node; an alias shows up as a node seen before, which is refused."""
    if id(node) in loader.node_ids:
        raise yaml.constructor.ConstructorError(
            None, None, "anchors and aliases (*name) are not supported", node.start_mark
        )
    loader.node_ids.add(id(node))
    return loader.construct_object(node, deep=True)


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    data = LineDict()
    data.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise yaml.constructor.ConstructorError(
                None, None, "merge keys (<<) are not supported", key_node.start_mark
            )
        key = _child(loader, key_node)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in data:
            loader.duplicate_keys.append((line, key))
        data[key] = _child(loader, value_node)
        data.key_lines[key] = line
    return data


def _construct_sequence(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    data = LineList()
    data.line = node.start_mark.line + 1
    for child in node.value:
        data.append(_child(loader, child))
        data.item_lines.append(child.start_mark.line + 1)
    return data


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_yaml(text: str, display: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document; never raises. Returns (data or None, problems)."""
    loader = None
    try:
        loader = LineLoader(text)  # the reader already refuses unprintable characters
        data = loader.get_single_data()
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        return None, [
            Problem(
                display, line, f"malformed YAML: character #x{error.character:04x} is not allowed"
            )
        ]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        detail = error.problem or error.context or "cannot be read"
        return None, [Problem(display, line, f"malformed YAML: {detail}")]
    except yaml.YAMLError as error:
        return None, [Problem(display, 1, f"malformed YAML: {error}")]
    except RecursionError:
        return None, [Problem(display, 1, "malformed YAML: nested too deeply")]
    except (ValueError, TypeError, OverflowError) as error:
        # e.g. an impossible date such as 2026-13-45 that YAML 1.1 tries to construct
        return None, [Problem(display, 1, f"malformed YAML: a value cannot be read ({error})")]
    finally:
        if loader is not None:
            loader.dispose()
    problems = [
        Problem(display, line, f"duplicate key {key!r} (the later one would silently win)")
        for line, key in loader.duplicate_keys
    ]
    return data, problems


# --- the checker -------------------------------------------------------------------------


class Check:
    """Collects problems for one file (or one form submission)."""

    def __init__(self, display: str, problems: list[Problem] | None = None):
        self.display = display
        self.problems = problems if problems is not None else []

    def add(self, line: int, message: str, path: tuple = ()) -> None:
        self.problems.append(Problem(self.display, max(int(line or 1), 1), message, path))


INVALID = object()


def _type_name(value: Any) -> str:
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


def text(max_chars: int, *, allow_empty: bool = False):
    """A text field of at most `max_chars` characters (non-blank unless `allow_empty`)."""

    def _check(ck: Check, value: Any, line: int, path: tuple) -> Any:
        if not isinstance(value, str):
            hint = " (put it in quotes)" if isinstance(value, bool | int | float) else ""
            ck.add(line, f"'{path[-1]}' must be text, not {_type_name(value)}{hint}", path)
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
            ck.add(line, f"'{path[-1]}' must be a whole number, not {_type_name(value)}", path)
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
            ck.add(line, f"'{path[-1]}' must be a number, not {_type_name(value)}", path)
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
            ck.add(line, f"'{path[-1]}' must be a list, not {_type_name(value)}", path)
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
            ck.add(line, f"{label} must be a mapping of fields, not {_type_name(value)}", path)
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


def _line_of(obj: Any, key: str | None = None) -> int:
    if key is not None and isinstance(obj, LineDict):
        return obj.key_lines.get(key, obj.line)
    return getattr(obj, "line", 1) or 1


# --- the schema --------------------------------------------------------------------------

KEY_LIMITS = {"stage": 40, "skill": 40, "rubric": 60, "question": 80, "format": 60, "loop": 60}


def _check_levels(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    ok = True
    levels = out["levels"]
    raw_levels = obj.get("levels") if isinstance(obj, dict) else None
    lines = getattr(raw_levels, "item_lines", [])
    for i in range(1, len(levels)):
        if levels[i]["value"] <= levels[i - 1]["value"]:
            line = lines[i] if i < len(lines) else _line_of(obj, "levels")
            ck.add(
                line,
                f"criterion '{out['key']}': level values must increase "
                f"({levels[i - 1]['value']} then {levels[i]['value']})",
                (*path, "levels", i, "value"),
            )
            ok = False
    return ok


LEVEL = record(
    {
        "value": Field(integer(0, 100)),
        "label": Field(text(60)),
        "descriptor": Field(text(MAX_ITEM_CHARS)),
    }
)
CRITERION = record(
    {
        "key": Field(slug(60)),
        "title": Field(text(200)),
        "description": Field(text(MAX_DESCRIPTION_CHARS)),
        "weight": Field(number(positive=True, maximum=100), required=False, default=1.0),
        "levels": Field(list_of(LEVEL, min_items=2, max_items=10)),
    },
    after=_check_levels,
)


def _check_criteria_keys(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    seen: set[str] = set()
    ok = True
    raw = obj.get("criteria") if isinstance(obj, dict) else None
    lines = getattr(raw, "item_lines", [])
    for i, criterion in enumerate(out["criteria"]):
        if criterion["key"] in seen:
            line = lines[i] if i < len(lines) else _line_of(obj, "criteria")
            ck.add(
                line,
                f"criterion key '{criterion['key']}' is used twice in this rubric",
                (*path, "criteria", i, "key"),
            )
            ok = False
        seen.add(criterion["key"])
    return ok


RUBRIC = record(
    {
        "key": Field(slug(KEY_LIMITS["rubric"])),
        "title": Field(text(200)),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
        "archived": Field(boolean, False, False),
        "criteria": Field(list_of(CRITERION, min_items=1, max_items=30)),
    },
    after=_check_criteria_keys,
)

ESTIMATE_FIELDS = ("value", "unit", "tolerance_pct", "worked_answer")


def _check_answer(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    kind = out["kind"]
    ok = True
    if kind == "code" and out["language"] is None:
        ck.add(_line_of(obj), "a code answer needs a 'language' (e.g. python)", (*path, "language"))
        ok = False
    if kind != "code" and out["language"] is not None:
        ck.add(
            _line_of(obj, "language"),
            f"'language' only applies to code answers, not {kind}",
            (*path, "language"),
        )
        ok = False
    for name in ESTIMATE_FIELDS:
        if kind == "estimate" and out[name] is None:
            ck.add(_line_of(obj), f"an estimate answer needs '{name}'", (*path, name))
            ok = False
        if kind != "estimate" and out[name] is not None:
            ck.add(
                _line_of(obj, name),
                f"'{name}' only applies to estimate answers, not {kind}",
                (*path, name),
            )
            ok = False
    return ok


ANSWER = record(
    {
        "kind": Field(choice(ANSWER_KINDS)),
        "language": Field(text(32), False),
        "value": Field(number(maximum=1e15), False),
        "unit": Field(text(40), False),
        "tolerance_pct": Field(number(positive=True, maximum=1000), False),
        "worked_answer": Field(text(MAX_MARKDOWN_CHARS), False),
    },
    after=_check_answer,
)

QUESTION = record(
    {
        "key": Field(slug(KEY_LIMITS["question"])),
        "stage": Field(slug(KEY_LIMITS["stage"])),
        "status": Field(choice(QUESTION_STATUSES), False, "published"),
        "title": Field(text(200)),
        "skills": Field(list_of(slug(KEY_LIMITS["skill"]), min_items=1, max_items=9, unique=True)),
        "difficulty": Field(choice(DIFFICULTIES)),
        "rubric": Field(slug(KEY_LIMITS["rubric"])),
        "suggested_minutes": Field(integer(1, MAX_MINUTES)),
        "prompt": Field(text(MAX_PROMPT_CHARS)),
        "answer": Field(ANSWER),
        "hints": Field(list_of(text(MAX_ITEM_CHARS), min_items=2, max_items=20)),
        "follow_ups": Field(list_of(text(MAX_ITEM_CHARS), min_items=2, max_items=20)),
        "good_answer": Field(text(MAX_MARKDOWN_CHARS)),
        "tags": Field(list_of(slug(40), max_items=20, unique=True), False, []),
    }
)

STAGE = record(
    {
        "key": Field(slug(KEY_LIMITS["stage"])),
        "name": Field(text(120)),
        "default_minutes": Field(integer(1, MAX_MINUTES)),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
    }
)
SKILL = record(
    {
        "key": Field(slug(KEY_LIMITS["skill"])),
        "name": Field(text(120)),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
    }
)
FORMAT = record(
    {
        "key": Field(slug(KEY_LIMITS["format"])),
        "name": Field(text(120)),
        "stage": Field(slug(KEY_LIMITS["stage"])),
        "minutes": Field(integer(1, MAX_MINUTES)),
        "questions": Field(integer(1, 50)),
        "answer_kinds": Field(list_of(choice(ANSWER_KINDS), max_items=4, unique=True), False, []),
        "expiry": Field(choice(EXPIRY_POLICIES), False, "auto_submit"),
        "grace_seconds": Field(integer(0, 86_400), False, 60),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
        "archived": Field(boolean, False, False),
    }
)
STEP = record(
    {
        "format": Field(slug(KEY_LIMITS["format"])),
        "label": Field(text(120, allow_empty=True), False, ""),
        "gap_minutes": Field(integer(0, MAX_GAP_MINUTES), False, 0),
        "opens_at": Field(time_of_day, False),
    }
)
LOOP = record(
    {
        "key": Field(slug(KEY_LIMITS["loop"])),
        "name": Field(text(120)),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
        "archived": Field(boolean, False, False),
        "steps": Field(list_of(STEP, min_items=1, max_items=20)),
    }
)

LIST_FILES = {  # file name -> (top-level key, item schema, kind of key)
    "stages.yaml": ("stages", STAGE, "stage"),
    "skills.yaml": ("skills", SKILL, "skill"),
    "formats.yaml": ("formats", FORMAT, "format"),
    "loops.yaml": ("loops", LOOP, "loop"),
}


# --- whole-bank reading ------------------------------------------------------------------


@dataclass
class BankFiles:
    """The normalised contents of a bank folder (only items that passed their schema)."""

    stages: list[dict] = field(default_factory=list)
    skills: list[dict] = field(default_factory=list)
    rubrics: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    formats: list[dict] = field(default_factory=list)
    loops: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def display_path(path: Path) -> str:
    """A path as printed in problems: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _read_text(path: Path, ck: Check) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        ck.add(1, f"cannot be read: {error.strerror or error}")
        return None
    if len(raw) > MAX_FILE_BYTES:
        ck.add(1, f"file is too large ({len(raw):,} bytes, at most {MAX_FILE_BYTES:,})")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        ck.add(line, "not valid UTF-8 text")
        return None


def check_document(text_: str, display: str, schema, path: tuple = ()) -> tuple[Any, list[Problem]]:
    """Parse and check one YAML document against `schema`; never raises."""
    data, problems = load_yaml(text_, display)
    if data is None and problems:
        return INVALID, problems
    ck = Check(display, problems)
    result = schema(ck, data, getattr(data, "line", 1) or 1, path)
    return result, ck.problems


def _list_file(root: Path, name: str, bank: BankFiles) -> list[tuple[dict, int]]:
    top, schema, kind = LIST_FILES[name]
    path = root / name
    ck = Check(display_path(path), bank.problems)
    if not path.is_file():
        ck.add(1, f"missing: the bank needs {name} with a '{top}:' list")
        return []
    content = _read_text(path, ck)
    if content is None:
        return []
    data, problems = load_yaml(content, ck.display)
    bank.problems.extend(problems)
    if data is None:
        if not problems:
            ck.add(1, f"empty file: expected a mapping with a '{top}:' list")
        return []
    if not isinstance(data, dict) or set(data) != {top}:
        extra = sorted(str(k) for k in data) if isinstance(data, dict) else []
        detail = f" (found keys: {', '.join(extra)})" if extra else ""
        ck.add(_line_of(data), f"expected exactly one top-level key '{top}:'{detail}")
        return []
    items = data[top]
    if not isinstance(items, list):
        ck.add(_line_of(data, top), f"'{top}' must be a list, not {_type_name(items)}")
        return []
    out = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        line = items.item_lines[i] if isinstance(items, LineList) else 1
        checked = schema(ck, item, line, (top, i))
        if checked is INVALID:
            continue
        if checked["key"] in seen:
            ck.add(
                line,
                f"duplicate {kind} key '{checked['key']}' (first on line {seen[checked['key']]})",
            )
            continue
        seen[checked["key"]] = line
        out.append((checked, line))
    return out


def _yaml_files(folder: Path, ck_for: Callable[[Path], Check]) -> list[Path]:
    """The *.yaml files directly in `folder`; flag .yml files and other stray entries."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.suffix.lower() == ".md":
            continue
        if entry.is_file() and entry.suffix == ".yaml":
            found.append(entry)
        elif entry.is_file() and entry.suffix in (".yml", ".YAML", ".YML"):
            ck_for(entry).add(1, "use the .yaml extension (this file is not read)")
    return found


def read_bank(directory: str | os.PathLike) -> BankFiles:
    """Read and check every file of a bank folder, with all cross-references."""
    root = Path(directory)
    bank = BankFiles()
    if not root.is_dir():
        bank.problems.append(Problem(display_path(root), 1, "not a folder"))
        return bank

    def ck_for(path: Path) -> Check:
        return Check(display_path(path), bank.problems)

    stages = _list_file(root, "stages.yaml", bank)
    skills = _list_file(root, "skills.yaml", bank)
    formats = _list_file(root, "formats.yaml", bank)
    loops = _list_file(root, "loops.yaml", bank)
    stage_keys = {s["key"] for s, _ in stages}
    skill_keys = {s["key"] for s, _ in skills}
    format_keys = {f["key"] for f, _ in formats}

    formats_ck = ck_for(root / "formats.yaml")
    for fmt, _line in formats:
        if fmt["stage"] not in stage_keys:
            formats_ck.add(
                _line_of(fmt, "stage"), f"format '{fmt['key']}': unknown stage '{fmt['stage']}'"
            )
        else:
            bank.formats.append(fmt)
    loops_ck = ck_for(root / "loops.yaml")
    for loop, _line in loops:
        unknown = [s for s in loop["steps"] if s["format"] not in format_keys]
        for step in unknown:
            loops_ck.add(
                _line_of(step, "format"),
                f"loop '{loop['key']}': unknown format '{step['format']}' (see formats.yaml)",
            )
        if not unknown:
            bank.loops.append(loop)
    bank.stages = [s for s, _ in stages]
    bank.skills = [s for s, _ in skills]

    rubric_keys: set[str] = set()
    archived: set[str] = set()
    rubrics_dir = root / "rubrics"
    if rubrics_dir.is_dir():
        for path in _yaml_files(rubrics_dir, ck_for):
            rubric = _read_one(path, RUBRIC, bank)
            if rubric is INVALID:
                rubric_keys.add(path.stem)  # don't cascade "unknown rubric" errors
                continue
            if rubric["key"] != path.stem:
                ck_for(path).add(
                    1, f"key '{rubric['key']}' must match the file name '{path.stem}.yaml'"
                )
                rubric_keys.add(path.stem)
                continue
            rubric_keys.add(rubric["key"])
            if rubric["archived"]:
                archived.add(rubric["key"])
            bank.rubrics.append(rubric)

    questions_dir = root / "questions"
    question_files: dict[str, Path] = {}
    if questions_dir.is_dir():
        for entry in sorted(questions_dir.iterdir()):
            if entry.name.startswith(".") or entry.suffix.lower() == ".md":
                continue
            if entry.is_file():
                ck_for(entry).add(1, "question files belong in questions/<stage>/ (not read)")
                continue
            if entry.name not in stage_keys:
                ck_for(entry).add(1, f"folder '{entry.name}' is not a stage key in stages.yaml")
                continue
            for path in _yaml_files(entry, ck_for):
                question = _read_one(path, QUESTION, bank)
                if question is INVALID:
                    continue
                known = (stage_keys, skill_keys, rubric_keys)
                ck = ck_for(path)
                if not _question_refs(question, path, entry.name, ck, question_files, known):
                    continue
                if question["status"] == "published" and question["rubric"] in archived:
                    ck.add(
                        _line_of(question, "rubric"),
                        f"rubric '{question['rubric']}' is archived; a published question "
                        "needs a rubric in use",
                        ("rubric",),
                    )
                    continue
                bank.questions.append(question)
    return bank


def _read_one(path: Path, schema, bank: BankFiles) -> Any:
    ck = Check(display_path(path), bank.problems)
    content = _read_text(path, ck)
    if content is None:
        return INVALID
    result, problems = check_document(content, ck.display, schema)
    bank.problems.extend(problems)
    if result is INVALID and not problems:
        ck.add(1, "empty file")
    return result


def _question_refs(
    question: dict,
    path: Path,
    folder: str,
    ck: Check,
    seen: dict[str, Path],
    known: tuple[set, set, set],
) -> bool:
    stage_keys, skill_keys, rubric_keys = known
    ok = True
    key = question["key"]
    if key != path.stem:
        ck.add(
            _line_of(question, "key"),
            f"key '{key}' must match the file name '{path.stem}.yaml'",
            ("key",),
        )
        ok = False
    if key in seen:
        ck.add(
            _line_of(question, "key"),
            f"duplicate question key '{key}' (also in {display_path(seen[key])})",
            ("key",),
        )
        ok = False
    seen.setdefault(key, path)
    if question["stage"] != folder:
        ck.add(
            _line_of(question, "stage"),
            f"stage '{question['stage']}' must match the folder 'questions/{folder}/'",
            ("stage",),
        )
        ok = False
    return check_question_refs(ck, question, stage_keys, skill_keys, rubric_keys) and ok


def check_question_refs(
    ck: Check, question: dict, stage_keys: set, skill_keys: set, rubric_keys: set
) -> bool:
    """Cross-references of one question: its stage, skills and rubric must exist.

    Tolerates a document that failed its schema (values of the wrong type are skipped),
    so the editor can report every problem at once.
    """
    ok = True
    stage = question.get("stage")
    if isinstance(stage, str) and stage not in stage_keys:
        ck.add(_line_of(question, "stage"), f"unknown stage '{stage}'", ("stage",))
        ok = False
    skills = question.get("skills")
    lines = getattr(skills, "item_lines", [])
    for i, key in enumerate(skills if isinstance(skills, list) else []):
        if isinstance(key, str) and key not in skill_keys:
            line = lines[i] if i < len(lines) else _line_of(question, "skills")
            ck.add(line, f"unknown skill '{key}' (see skills.yaml)", ("skills",))
            ok = False
    rubric = question.get("rubric")
    if isinstance(rubric, str) and rubric not in rubric_keys:
        ck.add(
            _line_of(question, "rubric"),
            f"unknown rubric '{rubric}' (no rubrics/{rubric}.yaml)",
            ("rubric",),
        )
        ok = False
    return ok


# --- writing -----------------------------------------------------------------------------


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Block-style Markdown, no key sorting: stable, reviewable files (libyaml when present)."""


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_float(dumper: yaml.SafeDumper, value: float):
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(float, _represent_float)
_Dumper.add_representer(LineDict, _Dumper.represent_dict)
_Dumper.add_representer(LineList, _Dumper.represent_list)


def dump_yaml(doc: Any) -> str:
    """One document as canonical YAML text (the key order is the order of `doc`)."""
    return yaml.dump(
        doc,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def question_file_doc(question: dict) -> dict:
    """A normalised question in file order, leaving out empty optional fields."""
    answer = {k: v for k, v in question["answer"].items() if v is not None}
    doc = {k: question[k] for k in QUESTION_ORDER if k in question}
    doc["answer"] = answer
    if not doc.get("tags"):
        doc.pop("tags", None)
    return doc


QUESTION_ORDER = (
    "key",
    "stage",
    "status",
    "title",
    "skills",
    "difficulty",
    "rubric",
    "suggested_minutes",
    "tags",
    "prompt",
    "answer",
    "hints",
    "follow_ups",
    "good_answer",
)
