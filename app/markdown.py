"""User Markdown to safe HTML: markdown-it-py (no raw HTML) then nh3.

Used for question prompts, "what good looks like" notes, answers shown back, review
comments. No `hx-*`, no `on*` handlers, no `javascript:` links survive.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "del",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
}


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to sanitised HTML, safe to put in a template."""
    html = _md.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 above


# --- exports: user Markdown in files that other tools render later ---------------------------

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
