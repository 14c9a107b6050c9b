"""Fast, browser-free checks on every template for what the browser gates would catch late.

- `hx-*` attributes are not valid HTML (the W3C checker rejects them); htmx 4 reads the
  `data-hx-*` spelling identically (`htmx.config.prefix` defaults to "data-hx-"), so write
  `data-hx-get`, `data-hx-boost:inherited`, `data-hx-target` ...
- The CSP (`script-src 'self'`, `style-src 'self'`) refuses inline `<script>`, `style=""`
  attributes and `on*=` handlers, and htmx's eval is off, so `hx-on` cannot work either.
"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FILES = sorted(TEMPLATES.rglob("*.html"))

RULES = {
    "hx-* attribute (write data-hx-* instead: valid HTML, same htmx behaviour)": re.compile(
        r"(?<![\w-])hx-[a-z]+(?::[a-z:]+)?\s*="
    ),
    "hx-on / data-hx-on (needs eval, which the CSP forbids)": re.compile(r"hx-on\b"),
    "inline <script> (CSP script-src 'self'; put it in a file under static/js/)": re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I
    ),
    "style= attribute (CSP style-src 'self'; use a class in static/css/app.css)": re.compile(
        r"\sstyle\s*=", re.I
    ),
    "inline event handler (CSP; use a feature initialiser in static/js/)": re.compile(
        r"\son[a-z]+\s*=\s*[\"']", re.I
    ),
}


def test_there_are_templates_to_check():
    assert any(f.name == "base.html" for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_markup_is_valid_and_csp_safe(path):
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for rule, pattern in RULES.items():
            if pattern.search(line):
                problems.append(
                    f"{path.relative_to(TEMPLATES)}:{number}: {rule}\n    {line.strip()}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("markup", "caught"),
    [
        ('<button hx-post="/x">', True),
        ('<body hx-boost:inherited="true">', True),
        ('<button data-hx-post="/x">', False),
        ('<body data-hx-boost:inherited="true">', False),
        ('<div data-hx-on:click="x()">', True),
        ("<script>alert(1)</script>", True),
        ('<script src="/static/js/core.js" defer></script>', False),
        ('<script type="application/json" id="code-tests-3">{"a": 1}</script>', False),
        ('<script type="module">import x from "/y.js"</script>', True),
        ('<p style="color:red">', True),
        ('<a onclick="x()">', True),
        ('<p class="on-time">', False),
    ],
)
def test_the_rules_catch_what_they_name(markup, caught):
    assert any(p.search(markup) for p in RULES.values()) is caught
