"""Issue 18 in real Chromium: dark chosen in Settings in one browser follows the user to a
fresh browser (its own cookies, the system light) once they sign in there, axe-clean;
signed out, that fresh browser still follows its system."""

from __future__ import annotations

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import body_background, sign_in
from tests.browser.test_round_autosave import candidate  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

DARK = "rgb(21, 23, 26)"
LIGHT = "rgb(247, 247, 245)"


def test_dark_chosen_in_one_browser_follows_the_user_to_another(open_page, candidate):  # noqa: F811
    first = open_page("candidate", color_scheme="light")
    sign_in(first, "sitter@example.com")
    first.goto("/settings")
    first.get_by_label("Dark", exact=True).check()
    first.get_by_role("button", name="Save colours").click()
    first.get_by_text("Colours saved for your account.").wait_for()
    assert body_background(first) == DARK
    check_page(first)

    fresh = open_page("candidate", color_scheme="light")
    fresh.goto("/login")
    assert body_background(fresh) == LIGHT  # signed out: this browser's own (system) colours
    sign_in(fresh, "sitter@example.com")
    assert fresh.evaluate("() => document.documentElement.classList.contains('theme-dark')")
    assert body_background(fresh) == DARK
    check_page(fresh)
    fresh.goto("/settings")
    assert fresh.get_by_label("Dark", exact=True).is_checked()
    check_page(fresh)
