"""Reading the bank folder: YAML with line numbers, every file checked, cross-references.

No Flask and no database here: `read_bank(dir)` returns the normalised documents and a
list of `Problem`s (`file:line: message`). The records themselves are in `schema.py`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.bank.files.checks import (
    INVALID,
    Check,
    LineDict,
    LineList,
    Problem,
    line_of,
    type_name,
)
from app.bank.files.schema import LIST_FILES, QUESTION, RUBRIC, check_question_refs

MAX_FILE_BYTES = 512 * 1024


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


def refusal(root: Path, path: Path) -> str | None:
    """Why `path` must not be opened: a symlink on the way, outside `root`, not a file."""
    here = root
    for part in path.relative_to(root).parts:
        here = here / part
        if here.is_symlink():
            where = "this file" if here == path else f"{display_path(here)}"
            return f"{where} is a symbolic link; the bank reads only real files in its folder"
    try:
        inside = path.resolve(strict=True).is_relative_to(root.resolve(strict=True))
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    if not inside:
        return "is outside the bank folder (not read)"
    return None


def _read_text(root: Path, path: Path, ck: Check) -> str | None:
    """The file's text, refusing symlinks, escapes and oversized files before reading."""
    reason = refusal(root, path)
    if reason:
        ck.add(1, reason)
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        ck.add(1, f"cannot be read: {error.strerror or error}")
        return None
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:
            ck.add(1, f"file is too large ({size:,} bytes, at most {MAX_FILE_BYTES:,})")
            return None
        raw = handle.read(MAX_FILE_BYTES + 1)  # a file growing while read is still capped
    if len(raw) > MAX_FILE_BYTES:
        ck.add(1, f"file is too large (over {MAX_FILE_BYTES:,} bytes)")
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
    content = _read_text(root, path, ck)
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
        ck.add(line_of(data), f"expected exactly one top-level key '{top}:'{detail}")
        return []
    items = data[top]
    if not isinstance(items, list):
        ck.add(line_of(data, top), f"'{top}' must be a list, not {type_name(items)}")
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
                line_of(fmt, "stage"), f"format '{fmt['key']}': unknown stage '{fmt['stage']}'"
            )
        else:
            bank.formats.append(fmt)
    loops_ck = ck_for(root / "loops.yaml")
    for loop, _line in loops:
        unknown = [s for s in loop["steps"] if s["format"] not in format_keys]
        for step in unknown:
            loops_ck.add(
                line_of(step, "format"),
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
            rubric = _read_one(root, path, RUBRIC, bank)
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
                question = _read_one(root, path, QUESTION, bank)
                if question is INVALID:
                    continue
                known = (stage_keys, skill_keys, rubric_keys)
                ck = ck_for(path)
                if not _question_refs(question, path, entry.name, ck, question_files, known):
                    continue
                if question["status"] == "published" and question["rubric"] in archived:
                    ck.add(
                        line_of(question, "rubric"),
                        f"rubric '{question['rubric']}' is archived; a published question "
                        "needs a rubric in use",
                        ("rubric",),
                    )
                    continue
                bank.questions.append(question)
    return bank


def _read_one(root: Path, path: Path, schema, bank: BankFiles) -> Any:
    ck = Check(display_path(path), bank.problems)
    content = _read_text(root, path, ck)
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
            line_of(question, "key"),
            f"key '{key}' must match the file name '{path.stem}.yaml'",
            ("key",),
        )
        ok = False
    if key in seen:
        ck.add(
            line_of(question, "key"),
            f"duplicate question key '{key}' (also in {display_path(seen[key])})",
            ("key",),
        )
        ok = False
    seen.setdefault(key, path)
    if question["stage"] != folder:
        ck.add(
            line_of(question, "stage"),
            f"stage '{question['stage']}' must match the folder 'questions/{folder}/'",
            ("stage",),
        )
        ok = False
    return check_question_refs(ck, question, stage_keys, skill_keys, rubric_keys) and ok
