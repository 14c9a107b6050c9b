"""User Markdown to safe HTML: markdown-it-py (no raw HTML) then nh3.

Used for question prompts, "what good looks like" notes, answers shown back, review
comments. No `hx-*`, no `on*` handlers, no `javascript:` links survive.
"""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
# A candidate's answer: typed in a plain text box, so a single line break is a line break
# (Markdown would join the lines), as the answer box says.
_answer_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    "table"
)

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


CACHED_CHARS = 8_000  # prompts, hints and notes; long answers are rendered each time
CACHED_TEXTS = 512  # at most ~512 x (8 KB + its HTML) per worker


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to sanitised HTML, safe to put in a template.

    A pure function of the text, so short texts are memoised: a question version's
    prompt and hints (which never change once saved) are rendered once per worker, not
    on every round page load."""
    text = text or ""
    if len(text) <= CACHED_CHARS:
        return _render_cached(text)
    return _clean(_md.render(text))


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _render_cached(text: str) -> Markup:
    return _clean(_md.render(text))


def render_answer(text: str | None) -> Markup:
    """A candidate's answer: Markdown where every line break is kept."""
    return _clean(_answer_md.render(text or ""))


def _clean(html: str) -> Markup:
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 above
