"""User Markdown in exported files stays inert even in a viewer that allows raw HTML."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from app.domain.untrusted import export_markdown

# A permissive viewer: raw HTML allowed, links as written (what a .md file may meet later).
viewer = MarkdownIt("commonmark", {"html": True})
viewer.validateLink = lambda url: True

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click]( JavaScript :alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_becomes_live_html(payload):
    html = viewer.render(export_markdown(f"before {payload} after")).lower()
    assert not re.search(r"<(script|img|svg|iframe)\b", html), html
    assert not re.search(r"<a\b(?![^>]*href=)", html), html  # no raw <a> tag got through
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [h for h in hrefs if re.match(r"\s*(javascript|data|vbscript):", h)], hrefs


def test_the_raw_payloads_are_live_without_it():
    """The check above can fail: the same viewer runs the payloads when not defused."""
    assert "<script>" in viewer.render("<script>alert(1)</script>")
    assert 'href="javascript:alert(1)"' in viewer.render("x [c](javascript:alert(1))")


def test_markdown_and_code_are_kept():
    text = "**bold** and `a < b`\n\n```python\nif a < b:\n    print('<x>')\n```\n"
    out = export_markdown(text)
    assert "**bold**" in out and "`a < b`" in out and "print('<x>')" in out
    assert "<strong>bold</strong>" in viewer.render(out)
