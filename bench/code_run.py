"""`python -m bench.code_run`: the code runner in real Chromium (Playwright).

* time from clicking Run to the first result: cold (empty browser cache, Python loads
  and compiles), warm worker (the next Run on the same page) and warm cache (a new page
  whose browser cache already holds Pyodide, so only the worker starts afresh);
* the round page's transfer weight (bytes over the wire, headers included) for a text
  question (no editor), a code question (editor bundle, no Python yet) and a code
  question after its first Run (editor and Pyodide).

The round is served by the app from a thread, on SQLite in a temporary folder, with
Debian's Chromium (/usr/bin/chromium). Until the server renders a question's tests, the
tests are put next to the textarea as the server will render them (see
tests/browser/test_code_run.py). Nothing is asserted; read the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from bench.__main__ import mockloop_app

SPEC = {
    "function": "top_k",
    "time_limit_s": 5,
    "examples": [
        {"args": [[3, 1, 2], 2], "kwargs": {}, "expected": [3, 2], "call": "top_k([3, 1, 2], 2)"},
        {"args": [[5, 5, 1], 1], "kwargs": {}, "expected": [5], "call": "top_k([5, 5, 1], 1)"},
        {"args": [[], 3], "kwargs": {}, "expected": [], "call": "top_k([], 3)"},
    ],
}
CODE = "def top_k(xs, k):\n    return sorted(xs, reverse=True)[:k]\n"
INJECT = """([text]) => {
  const s = document.createElement("script");
  s.type = "application/json"; s.id = "code-tests-1"; s.textContent = text;
  document.querySelector("textarea[data-code-editor]").after(s);
  window.mockloop.initAll(document);
}"""


def build(app) -> dict[str, str]:
    """Two candidates, each with a one-question format (text, code); returns format names."""
    from tests import factories

    with app.app_context():
        names = {}
        for kind, stage in (("text", "technical_phone"), ("code", "system_design")):
            factories.user(email=f"{kind}@example.com")
            fmt = factories.round_format(stage, minutes=45, count=1, name=f"{kind} round")
            factories.question(
                stage, answer_kind=kind, code_language="python" if kind == "code" else None
            )
            names[kind] = fmt.name
        return names


class Weigher:
    """Bytes received by a page (encoded body plus headers), from Playwright's sizes()."""

    def __init__(self, page):
        self.total = 0
        self.files: list[tuple[str, int]] = []
        page.on("requestfinished", self.add)

    def add(self, request):
        try:
            sizes = request.sizes()
        except Exception:
            return
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        self.total += size
        self.files.append((request.url, size))


def start_round(browser, base: str, kind: str, name: str) -> tuple[dict, str]:
    """Sign in as the `kind` candidate and start their round: (cookies, round URL)."""
    from tests.factories import PASSWORD

    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(f"{kind}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    page.goto("/practice/")
    page.get_by_role("button", name=f"Start {name}").click()
    page.wait_for_url(re.compile(r".*/practice/sessions/\d+$"))
    state, url = context.storage_state(), page.url
    context.close()
    return state, url


def open_code_page(page, url: str) -> None:
    page.goto(url)
    page.locator(".cm-editor").wait_for()
    page.evaluate(INJECT, [json.dumps(SPEC)])
    page.locator("#answer_text").fill(CODE)


def run_once(page) -> float:
    """Click Run; seconds until the result is on the page."""
    button = page.get_by_role("button", name="Run examples")
    page.evaluate("() => document.querySelector('.code-run-result').replaceChildren()")
    started = time.perf_counter()
    button.click()
    page.locator(".code-run-summary").wait_for(timeout=120_000)
    elapsed = time.perf_counter() - started
    page.wait_for_function("() => !document.querySelector('.code-run button').disabled")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cold runs to take the median of")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    with tempfile.TemporaryDirectory() as tmp:
        app = mockloop_app(Path(tmp))
        names = build(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                rounds = {k: start_round(browser, base, k, n) for k, n in names.items()}
                weights = {}
                for kind, (state, url) in rounds.items():
                    context = browser.new_context(base_url=base, storage_state=state)
                    page = context.new_page()
                    weigher = Weigher(page)
                    page.goto(url)
                    page.wait_for_load_state("networkidle")
                    weights[kind] = weigher.total
                    context.close()

                state, url = rounds["code"]
                cold, warm_worker, warm_cache = [], [], []
                for _ in range(args.repeat):
                    context = browser.new_context(base_url=base, storage_state=state)
                    page = context.new_page()
                    weigher = Weigher(page)
                    open_code_page(page, url)
                    page.wait_for_load_state("networkidle")
                    before = weigher.total
                    cold.append(run_once(page))
                    weights["pyodide"] = weigher.total - before
                    warm_worker.append(run_once(page))
                    page.close()
                    page = context.new_page()  # same context: the HTTP cache holds Pyodide
                    weigher = Weigher(page)
                    open_code_page(page, url)
                    page.wait_for_load_state("networkidle")
                    before = weigher.total
                    warm_cache.append(run_once(page))
                    weights["pyodide_cached"] = weigher.total - before
                    context.close()
                browser.close()
        finally:
            server.shutdown()

    kib = 1024
    print(f"Code runner (Chromium, median of {args.repeat})")
    print(f"  first Run, cold cache:        {statistics.median(cold):6.2f} s")
    print(f"  next Run, warm worker:        {statistics.median(warm_worker):6.2f} s")
    print(f"  first Run, new page, cached:  {statistics.median(warm_cache):6.2f} s")
    print("Round page transfer (bytes over the wire, headers included)")
    print(f"  text question (no editor):    {weights['text'] / kib:8.1f} KiB")
    print(f"  code question, editor:        {weights['code'] / kib:8.1f} KiB")
    print(f"  + Pyodide on the first Run:   {weights['pyodide'] / kib:8.1f} KiB")
    print(
        f"  code question after a Run:    {(weights['code'] + weights['pyodide']) / kib:8.1f} KiB"
    )
    print(f"  Pyodide again, browser cache: {weights['pyodide_cached'] / kib:8.1f} KiB")


if __name__ == "__main__":
    main()
