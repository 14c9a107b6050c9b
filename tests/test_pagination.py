"""The one page-number rule (app/pagination.py) every paginated list uses."""

from __future__ import annotations

import pytest

from app import pagination


@pytest.mark.parametrize(
    ("raw", "page"),
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("2.5", 1),
        ("0", 1),
        ("-4", 1),
        (-4, 1),
        (True, 1),
        ("3", 3),
        (" 7 ", 7),
        (12, 12),
        ("99999999999999999999", pagination.MAX_PAGE),
        (10**30, pagination.MAX_PAGE),
    ],
)
def test_page_number_parses_and_clamps(raw, page):
    assert pagination.page_number(raw) == page


def test_limit_offset_and_total_pages():
    assert pagination.limit(20) == 20
    assert pagination.limit(0) == 1
    assert pagination.limit(10**9) == pagination.MAX_PER_PAGE
    assert pagination.offset(1, 20) == 0
    assert pagination.offset(3, 20) == 40
    assert pagination.offset(-2, 20) == 0  # a bad page number is page 1
    assert pagination.total_pages(0, 20) == 0
    assert pagination.total_pages(20, 20) == 1
    assert pagination.total_pages(21, 20) == 2
    assert pagination.total_pages(-5, 20) == 0
