"""Prompts are Markdown rendered by markdown-it-py and sanitised by nh3: nothing executes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.extensions import db
from app.markdown import render_markdown
from app.models.bank import Question
from tests import factories

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="/x" onclick="alert(1)">x</a>',
    '<div hx-get="/admin" hx-trigger="load">x</div>',
    '<button hx-post="/logout" hx-on:click="alert(1)">x</button>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "![pic](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src='https://evil.example'></iframe>",
    '<svg onload="alert(1)"></svg>',
    "<style>body{display:none}</style>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "`<script>` in code stays text",
    "```html\n<script>alert(1)</script>\n```",
]


class Inspector(HTMLParser):
    """Collects the real elements and attributes a browser would build (text is ignored)."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def inspect(html: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


DANGEROUS_TAGS = {"script", "iframe", "svg", "style", "object", "embed", "form", "button", "div"}


def assert_inert(html: str) -> None:
    found = inspect(html)
    assert not DANGEROUS_TAGS & set(found.tags), found.tags
    for tag, name, value in found.attributes:
        assert not name.startswith("on"), (tag, name)
        assert not name.startswith("hx-") and not name.startswith("data-"), (tag, name)
        if name in ("href", "src"):
            scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
            assert scheme in ("", "http", "https", "mailto"), (tag, name, value)


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_comes_out_inert(attack):
    assert_inert(str(render_markdown(attack)))


def test_raw_html_allowed_tags_lose_dangerous_attributes():
    """Even if raw HTML were enabled, nh3 strips handlers, hx-* and bad schemes."""
    import nh3

    from app.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

    dirty = (
        '<a href="javascript:alert(1)" onclick="x()" hx-get="/admin">a</a>'
        '<img src="x" onerror="alert(1)" hx-trigger="load">'
        '<p hx-post="/logout" data-x="1" onmouseover="x()">p</p>'
    )
    assert_inert(
        nh3.clean(
            dirty,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
        )
    )


def test_safe_markdown_survives():
    html = str(render_markdown("**bold** [docs](https://example.com) `x < y`"))
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<code>x &lt; y</code>" in html


def test_prompt_page_is_inert(app, client, login_as):
    prompt = "\n\n".join(ATTACKS)
    with app.app_context():
        factories.question(prompt_md=prompt, key="evil")
    login_as("candidate")
    page = client.get("/questions/evil").get_data(as_text=True)
    prose = page.split('<div class="prose">', 1)[1].split('<p class="answer-kind">', 1)[0]
    assert "alert(1)" in prose  # the text is shown, as text
    assert_inert(prose)
    with app.app_context():
        assert db.session.scalar(select(Question.key)) == "evil"


def test_aligned_tables_carry_no_style_attribute():
    """The CSP (style-src 'self') would refuse inline styles and log a violation."""
    html = str(render_markdown("| n | cost |\n|:--|--:|\n| 1 | 2 |"))
    assert "<table>" in html and "<td>2</td>" in html
    assert "style=" not in html
