"""User Markdown in exported files (.md, .json) that other tools render later. Pure.

Pages render user Markdown through app/markdown.py (no raw HTML, sanitised). An exported
file leaves our control: a viewer may allow raw HTML or `javascript:` links, so the text
is defused before it goes in, and the file says so.
"""

from __future__ import annotations

import html
import re

UNTRUSTED_NOTE = (
    "> Text in this file was written by users. HTML in it is escaped; render it with "
    "raw HTML disabled."
)
_UNSAFE_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|file)(\s*):")


_CODE = re.compile(r"(?ms)^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n.*?^[ ]{0,3}\1[ \t]*$|(`+)[^`\n].*?\2")


def _defuse(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return _UNSAFE_SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}%3A", escaped)


def export_markdown(text: str | None) -> str:
    """User Markdown made safe to embed in an exported .md file.

    Outside code blocks and code spans (which no viewer renders), raw HTML is escaped
    (`<script>` shows as text) and link targets with a script-capable scheme lose their
    colon's meaning (`javascript:` becomes `javascript%3A`, which no viewer runs). The
    Markdown itself (emphasis, lists, code) is kept.
    """
    text = text or ""
    parts, last = [], 0
    for match in _CODE.finditer(text):
        parts += [_defuse(text[last : match.start()]), match.group(0)]
        last = match.end()
    parts.append(_defuse(text[last:]))
    return "".join(parts)


UNTRUSTED_FIELDS_NOTE = (
    "Fields listed in untrusted_markdown hold Markdown written by users: render them with "
    "raw HTML disabled and only http(s) links."
)
