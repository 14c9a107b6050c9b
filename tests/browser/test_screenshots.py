"""Screenshots of the main pages for the README, taken by the suite itself.

`make screenshots` sets MOCKLOOP_SCREENSHOTS=docs/screenshots and runs these tests, which
then write PNGs there. In a normal `make test` the same page flows run (and must work) but
nothing is written.
"""

import os
from pathlib import Path

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import sign_up

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def shoot(page, name: str, full_page: bool = False) -> None:
    """Save `name`.png into $MOCKLOOP_SCREENSHOTS when set; otherwise only render it."""
    target = os.environ.get("MOCKLOOP_SCREENSHOTS")
    page.wait_for_load_state("load")
    if not target:
        return
    directory = ROOT / target if not os.path.isabs(target) else Path(target)
    directory.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(directory / f"{name}.png"), full_page=full_page, animations="disabled")


def test_screenshots_home_and_dashboard(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/")
    check_page(page)
    shoot(page, "home")
    sign_up(page, "ada@example.com", "Ada")
    check_page(page)
    shoot(page, "dashboard")
