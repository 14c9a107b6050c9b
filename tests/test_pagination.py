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


def test_a_keyset_page_numbers_itself_like_an_offset_page():
    middle = pagination.KeysetPage(items=[1] * 20, page=2, per_page=20, total=45, next_after="k")
    assert (middle.pages, middle.has_prev, middle.prev_num) == (3, True, 1)
    assert (middle.has_next, middle.next_num) == (True, 3)
    last = pagination.KeysetPage(items=[1] * 5, page=3, per_page=20, total=45)
    assert (last.has_next, last.next_num, last.prev_num) == (False, None, 2)
    first = pagination.KeysetPage(items=[], page=1, per_page=20, total=0)
    assert (first.pages, first.has_prev, first.prev_num) == (0, False, None)
