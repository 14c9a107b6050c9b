"""Exporting over existing files: unchanged files keep their bytes, edited ones their comments.

`flask bank export` writes what the database holds. When a file already says exactly that
(the same content the import would read from it), its text is kept byte for byte, so
exporting into `question_bank/` gives a clean diff. When the content changed, the old file is
updated in place with ruamel.yaml's round-trip mode: only the values that changed are
replaced, so comments, key order, quoting and layout of the rest survive. A file with no
earlier text (or one that is not a mapping) is written canonically (`writing.dump_yaml`).
"""

from __future__ import annotations

import io
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from app.bank.files import writing

# Lists the database keeps as a set (a question version's skill areas): their order in a
# file carries no meaning, so a reordering is not a change.
UNORDERED = frozenset({"skills"})


def plain(doc: Any) -> Any:
    """A document as plain Python values, exactly as a file written from it would load."""
    return yaml.safe_load(writing.dump_yaml(doc))


def _comparable(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _comparable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_comparable(v) for v in value]
        if key in UNORDERED and all(isinstance(v, str) for v in items):
            return sorted(items)
        return items
    return value


def same_content(old: Any, new: Any) -> bool:
    """Would a file holding `old` import as `new`? (Both plain values.)"""
    return _comparable(old) == _comparable(new)


def _load(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def file_text(doc: Any, earlier: str | None, reference: str | None = None) -> str:
    """The text to write for `doc`, given the file's earlier text (None: there is none).

    `reference` (the shipped bank's file of the same name) is used only when it says the
    same as `doc`: its text is then kept as it is.
    """
    new = plain(doc)
    old = _load(earlier)
    if old is not None and same_content(old, new):
        return earlier
    ref = _load(reference)
    if ref is not None and same_content(ref, new):
        return reference
    if isinstance(old, dict) and isinstance(new, dict):
        return _updated(earlier, new)
    return writing.dump_yaml(doc)


def _updated(earlier: str, new: dict) -> str:
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap a line that did not change
    _, indent, block_seq_indent = load_yaml_guess_indent(earlier)
    indent = indent or 2
    block_seq_indent = block_seq_indent or 0
    rt.indent(mapping=2, sequence=indent, offset=block_seq_indent)
    tree = rt.load(earlier)
    tree = _merge(tree, new)
    out = io.StringIO()
    rt.dump(tree, out)
    return out.getvalue()


def _merge(node: Any, new: Any, key: str | None = None) -> Any:
    """`node` (round-trip) brought to the plain value `new`, keeping what did not change."""
    if _comparable(_to_plain(node), key) == _comparable(new, key):
        return node
    if isinstance(node, CommentedMap) and isinstance(new, dict):
        for gone in [k for k in node if k not in new]:
            del node[gone]
        for position, (k, v) in enumerate(new.items()):
            if k in node:
                node[k] = _merge(node[k], v, k)
            else:
                node.insert(min(position, len(node)), k, _fresh(v))
        return node
    if _same_keyed_items(node, new):
        for index, value in enumerate(new):
            node[index] = _merge(node[index], value)
        return node
    return _fresh(new)


def _same_keyed_items(node: Any, new: Any) -> bool:
    """Two lists of the same keyed items in the same order (stages, skills, criteria...)."""
    if not (isinstance(node, CommentedSeq) and isinstance(new, list) and len(node) == len(new)):
        return False
    if not all(isinstance(v, dict) for v in new):
        return False
    old_keys = [item.get("key") if isinstance(item, dict) else None for item in node]
    return old_keys == [v.get("key") for v in new]


def _to_plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _fresh(value: Any) -> Any:
    """A new value for the round-trip tree: Markdown (multi-line) as a `|` block."""
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, dict):
        fresh = CommentedMap()
        for k, v in value.items():
            fresh[k] = _fresh(v)
        return fresh
    if isinstance(value, list):
        return CommentedSeq([_fresh(v) for v in value])
    return value
