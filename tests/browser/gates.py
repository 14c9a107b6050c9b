"""Quality gates the browser journeys run on every page they visit.

- `assert_accessible(page)`: axe-core (vendored from the npm package) finds no violation of
  impact serious or critical.
- `assert_no_console_errors(page)`: no console error, uncaught exception or CSP violation
  since the page fixture opened the page (see `watch_page`).
- `assert_responsive(page)`: no horizontal scrolling at 375 px and 1440 px; during a round
  the timer stays inside the viewport, even scrolled to the bottom of the page.
- `HtmlCollector` + `run_vnu`: every distinct page as each role saw it (collected from the
  responses themselves) is checked by the W3C Nu HTML checker in ONE JVM run at the end.

How axe gets into a page without weakening CSP: the app's CSP is `script-src 'self'`, so
`page.add_script_tag(path=...)` (an inline <script>) is refused, exactly as it should be.
Instead the axe source is run with `page.evaluate`, which goes through the DevTools
protocol (Runtime.evaluate): it is the test harness executing code, not the page, so CSP
does not apply to it and the page keeps its production CSP. `bypass_csp=True` would have
worked too, but it switches CSP off for the whole page and would hide the very violations
`assert_no_console_errors` must catch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import BROWSER_GROUPS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AXE_JS = HERE / "vendor" / "axe.min.js"
VNU_VERSION = "26.9.27"
BLOCKING_IMPACTS = ("serious", "critical")
WIDTHS = (375, 1440)
DEFAULT_VIEWPORT = {"width": 1280, "height": 900}

# --- console errors and CSP violations -------------------------------------------------

# Runs in every document before any page script (Playwright injects init scripts through
# the DevTools protocol, so CSP does not block it). Reports each CSP violation to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  if (window.__mockloopCsp) {
    window.__mockloopCsp([e.violatedDirective, e.blockedURI || "inline", e.sourceFile || "",
                          e.lineNumber || 0].join(" "));
  }
});
"""


class PageErrors(list):
    """Console errors, uncaught exceptions and CSP violations seen by a page."""

    def __init__(self):
        super().__init__()
        self.csp: list[str] = []


def watch_page(page, collector: HtmlCollector | None = None, role: str = "anonymous"):
    """Attach the listeners every browser test relies on; return the page."""
    errors = PageErrors()

    def on_console(msg):
        if msg.type == "error":
            errors.append(msg.text)
        if "Content Security Policy" in msg.text:
            errors.csp.append(msg.text)

    def on_csp(report: str):
        errors.csp.append(f"securitypolicyviolation: {report}")
        errors.append(f"CSP violation: {report}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.expose_function("__mockloopCsp", on_csp)
    page.add_init_script(CSP_LISTENER)
    page.errors = errors
    page.role = role
    if collector is not None:
        page.on("response", lambda response: collector.capture(page, response))
    return page


def assert_no_console_errors(page, allow: tuple[str, ...] = ()) -> None:
    """No console error or CSP violation so far, except messages matching `allow` (regexes).

    Chromium logs "Failed to load resource: ... status of 409" for every refused fetch, so a
    journey that provokes a refusal on purpose passes that pattern in `allow`. CSP
    violations are never allowed.
    """
    assert not page.errors.csp, "CSP violations:\n  " + "\n  ".join(page.errors.csp)
    unexpected = [e for e in page.errors if not any(re.search(p, e) for p in allow)]
    assert not unexpected, f"console errors on {page.url}:\n  " + "\n  ".join(unexpected)


# --- axe-core --------------------------------------------------------------------------

_axe_source: str | None = None


def _axe() -> str:
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    return _axe_source


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the current page; return violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe())  # see the module docstring: not subject to the page's CSP
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          return r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
          }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the current page."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + format_violations(violations)


# --- responsive ------------------------------------------------------------------------


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def in_viewport(locator) -> bool:
    """The element's box lies entirely inside the visible viewport."""
    return locator.evaluate(
        """el => { const r = el.getBoundingClientRect();
                   return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 &&
                          r.bottom <= window.innerHeight && r.right <= window.innerWidth; }"""
    )


def assert_responsive(page, timer=None) -> None:
    """No horizontal scroll at 375 px and 1440 px; `timer` (a locator) stays in view."""
    original = page.viewport_size or DEFAULT_VIEWPORT
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800 if width < 800 else 900})
            overflow = horizontal_overflow(page)
            assert overflow <= 0, (
                f"{page.url} scrolls sideways at {width} px (content {overflow} px too wide): "
                + widest_elements(page)
            )
            if timer is not None:
                for where in ("top", "bottom"):
                    page.evaluate(
                        "w => window.scrollTo(0, w === 'top' ? 0 : document.body.scrollHeight)",
                        where,
                    )
                    assert in_viewport(timer), (
                        f"the timer is out of view at {width} px, scrolled to the {where}"
                    )
                page.evaluate("() => window.scrollTo(0, 0)")
    finally:
        page.set_viewport_size(original)


def widest_elements(page) -> str:
    """Name the elements sticking out to the right, to make an overflow failure actionable."""
    return page.evaluate(
        """() => {
          const w = document.documentElement.clientWidth, out = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > w + 1) {
              out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string'
                  ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                ' (right edge ' + Math.round(r.right) + ')');
            }
            if (out.length >= 5) break;
          }
          return out.join(', ') || 'no single element found';
        }"""
    )


# --- focus -----------------------------------------------------------------------------


def focus_is_visible(page) -> bool:
    """The focused element shows a focus indicator (outline or box-shadow)."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return false;
          const s = getComputedStyle(el);
          const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
          return outline || (s.boxShadow && s.boxShadow !== 'none');
        }"""
    )


def focus_is_unobscured(page) -> bool:
    """The focused element is on screen and not hidden under a sticky header (WCAG 2.4.11)."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return false;
          const r = el.getBoundingClientRect();
          const x = Math.min(Math.max(r.left + Math.min(r.width / 2, 20), 0), innerWidth - 1);
          const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 10), 0), innerHeight - 1);
          if (r.bottom < 0 || r.top > innerHeight) return false;
          const hit = document.elementFromPoint(x, y);
          return !!hit && (hit === el || el.contains(hit) || hit.contains(el) ||
                           (el.labels && [...el.labels].some(l => l.contains(hit))));
        }"""
    )


def describe_focus(page) -> str:
    return page.evaluate(
        """() => { const el = document.activeElement; if (!el) return 'nothing';
                   return el.outerHTML.slice(0, 160); }"""
    )


# --- all gates at once -----------------------------------------------------------------


def assert_titled(page) -> None:
    """The page has a plain-text title of its own (WCAG 2.4.2), not markup leaking into it."""
    title = page.title()
    assert title.strip(), f"{page.url} has an empty <title>"
    assert "<" not in title and "{" not in title, f"{page.url} has markup in <title>: {title!r}"


def check_page(page, timer=None, allow_console: tuple[str, ...] = ()) -> None:
    """Title, axe, console/CSP and responsive gates on the page as it is now."""
    page.wait_for_load_state("load")
    assert_titled(page)
    assert_accessible(page)
    assert_responsive(page, timer=timer)
    assert_no_console_errors(page, allow=allow_console)


# --- W3C Nu HTML checker ---------------------------------------------------------------


def page_key(role: str, method: str, url: str, status: int) -> str:
    """One key per page template as a role sees it: ids in paths collapse, queries drop."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url).split("?")[0].split("#")[0]
    path = re.sub(r"/\d+(?=/|$)", "/{id}", path) or "/"
    return f"{role} {method} {path} {status}"


@dataclass
class HtmlCollector:
    """Full HTML documents the browser received, one per (role, method, path, status)."""

    pages: dict[str, str] = field(default_factory=dict)

    def capture(self, page, response) -> None:
        try:
            if not response.headers.get("content-type", "").startswith("text/html"):
                return
            if response.request.resource_type not in ("document", "fetch", "xhr"):
                return
            status = response.status
            if 300 <= status < 400:
                return
            key = page_key(
                getattr(page, "role", "anonymous"), response.request.method, response.url, status
            )
            if key in self.pages:
                return
            body = response.text()
        except Exception:  # the page navigated away before the body could be read
            return
        # htmx fragments are not documents; they are validated inside the pages they land in
        if body.lstrip()[:15].lower().startswith("<!doctype html"):
            self.pages[key] = body


def vnu_jar() -> Path | None:
    """The pinned vnu.jar: $VNU_JAR, else .venv/vnu/, fetched with `npm pack` when missing."""
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"])
    cache = ROOT / ".venv" / "vnu"
    jar = cache / f"vnu-{VNU_VERSION}.jar"
    if jar.exists():
        return jar
    if not shutil.which("npm"):
        return None
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        subprocess.run(
            ["npm", "pack", f"vnu-jar@{VNU_VERSION}", "--silent"],
            cwd=tmp,
            check=True,
            capture_output=True,
            timeout=300,
        )
        tarball = next(Path(tmp).glob("vnu-jar-*.tgz"))
        subprocess.run(
            ["tar", "xzf", tarball.name, "package/build/dist/vnu.jar"],
            cwd=tmp,
            check=True,
            capture_output=True,
            timeout=120,
        )
        (Path(tmp) / "package/build/dist/vnu.jar").replace(jar)
    return jar


def run_vnu(jar: Path, pages: dict[str, str]) -> list[str]:
    """Validate every collected page in one JVM; return "page: line: message" errors."""
    with tempfile.TemporaryDirectory() as tmp:
        names = {}
        for i, (key, html) in enumerate(sorted(pages.items())):
            name = f"{i:03d}-" + re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")[:80] + ".html"
            (Path(tmp) / name).write_text(html, encoding="utf-8")
            names[name] = key
        # -Xss: the schema evaluation overflows small thread stacks (vnu asks for >= 512k)
        proc = subprocess.run(
            ["java", "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json"]
            + sorted(names),
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
        )
    messages = None
    for stream in (proc.stdout, proc.stderr):  # vnu has used both for its JSON
        try:
            messages = json.loads(stream)["messages"]
            break
        except (ValueError, KeyError, TypeError):
            continue
    if messages is None:
        raise AssertionError(
            f"vnu did not answer in JSON (exit {proc.returncode}):\n"
            f"{proc.stdout[:1000]}\n{proc.stderr[:2000]}"
        )
    if proc.returncode != 0 and not messages:
        raise AssertionError(f"vnu failed (exit {proc.returncode}): {proc.stderr[:2000]}")
    problems = []
    for m in messages:
        if m.get("type") not in ("error", "non-document-error"):
            continue
        name = m.get("url", "").rsplit("/", 1)[-1]
        problems.append(
            f"{names.get(name, name)}: line {m.get('lastLine', '?')}: {m.get('message')}"
            + (f"\n      {m['extract'].strip()}" if m.get("extract") else "")
        )
    return problems


# --- the page-template check across xdist workers (test_html_validity) ----------------


def run_directory(tmp_path_factory) -> Path:
    """A directory every process of this run shares (xdist workers' base directories are
    siblings in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def templates_seen_by_both(directory: Path, group: str, seen: set[str]) -> set[str] | None:
    """Leave this group's templates in `directory`; the union with the other groups' when
    they have all left theirs (None while one is still running: it will compare)."""
    mine = directory / f"templates-{group}.json"
    partial = mine.with_suffix(".partial")
    partial.write_text(json.dumps(sorted(seen)))
    partial.replace(mine)  # whole or absent, never half-written, for the other to read
    union = set()
    for other in BROWSER_GROUPS:
        path = directory / f"templates-{other}.json"
        if not path.exists():
            return None
        union |= set(json.loads(path.read_text()))
    return union
