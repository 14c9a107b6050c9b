"""Writing bank files: one document as canonical YAML (what `flask bank export` writes).

Fixed key order and block-style Markdown, so exported files are stable and reviewable
and importing an export changes nothing.
"""

from __future__ import annotations

from typing import Any

import yaml

from app.bank.files.checks import LineDict, LineList
from app.bank.files.schema import QUESTION_ORDER, TestsDoc
from app.domain import codetests


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
_Dumper.add_representer(TestsDoc, _Dumper.represent_dict)


class _Flow(list):
    """A test case's value, written on one line as in the shipped files."""


class _FlowMap(dict):
    pass


_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)


def _flow(value: Any) -> Any:
    if isinstance(value, list):
        return _Flow(value)
    if isinstance(value, dict):
        return _FlowMap(value)
    return value


def tests_file_doc(tests: dict) -> dict:
    """A stored `tests` block for a file: each case's values in flow style."""
    doc = {k: v for k, v in tests.items() if k not in codetests.SETS}
    for which in codetests.SETS:
        doc[which] = [
            {k: _flow(v) if k in ("args", "kwargs", "expected") else v for k, v in case.items()}
            for case in tests.get(which, [])
        ]
    return doc


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
    if doc.get("tests") is None:
        doc.pop("tests", None)
    else:
        doc["tests"] = tests_file_doc(doc["tests"])
    for optional in ("tags", "talking_points"):
        if not doc.get(optional):
            doc.pop(optional, None)
    return doc
