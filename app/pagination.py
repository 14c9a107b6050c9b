"""Page numbers for every paginated list: parse and clamp `?page=`, limit, offset, pages.

Pure arithmetic, no Flask and no database, so routes, services and queries share one
rule: a page number is a whole number from 1 to `MAX_PAGE` (anything else, such as
`?page=abc`, `?page=-4` or `?page=99999999999`, becomes the nearest page a database can
take, never an error), and a page holds 1 to `MAX_PER_PAGE` rows. A page past the last
one is allowed and simply empty, as with `db.paginate(..., error_out=False)`.

    page = pagination.page_number(request.args.get("page"))     # in a route
    rows = query.limit(pagination.limit(per_page)).offset(pagination.offset(page, per_page))

`KeysetPage` is the shape of a page of a long list read by key; the reading (SQL) is
`app.keyset`'s, this module only does the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_PAGE = 100_000  # a larger ?page= would overflow the offset some databases accept
MAX_PER_PAGE = 500


def page_number(value: object) -> int:
    """A requested page number (a query-string value, an int or None) clamped to 1..MAX_PAGE.

    Text that is not a whole number, None, 0 and negative numbers give page 1.
    """
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(str(value).strip()) if value is not None else 1
        except ValueError:
            return 1
    return max(1, min(number, MAX_PAGE))


MAX_ROW_ID = 2**31 - 1  # the largest id an INTEGER column holds


def row_id(value: object) -> int | None:
    """A keyset cursor that names a row by id (`?after=`, `?before=`): a whole number from
    1 to MAX_ROW_ID, else None (ignored: the page reads `?page=`), never an error."""
    try:
        number = int(str(value).strip()) if value is not None else 0
    except ValueError:
        return None
    return number if 1 <= number <= MAX_ROW_ID else None


def limit(per_page: int) -> int:
    """How many rows a page holds: `per_page` clamped to 1..MAX_PER_PAGE."""
    return max(1, min(int(per_page), MAX_PER_PAGE))


def offset(page: int, per_page: int) -> int:
    """How many rows come before page `page` (after clamping both numbers)."""
    return (page_number(page) - 1) * limit(per_page)


def total_pages(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (0 when there are none)."""
    return math.ceil(max(0, int(total)) / limit(per_page))


def page_given(value: object) -> int | None:
    """A page number a link carries (`?page=`) when it is there and a whole number, clamped
    to 1..MAX_PAGE; None when it is missing or not a number (a keyset page then shows no
    number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        int(str(value).strip())
    except ValueError:
        return None
    return page_number(value)


@dataclass(frozen=True)
class KeysetPage:
    """A page read after a key (`WHERE (sort key) > last row's key LIMIT n`), not by
    skipping rows: page 50 costs what page 1 costs (the reading: `app.keyset`).

    Shaped like `db.paginate`'s result for the list templates. `next_after` is the key
    the Next link carries (None: last page), `prev_before` the key the Previous link
    carries (None: first page, or no row on this page to read backwards from).

    `total` is a capped count: when `capped`, the list has more than `total` rows and
    shows "1,000+". `page` is the page's number as the link that reached it said
    (`?after=K&page=3`; nothing counts the rows before a keyed page), None when no link
    said it; a page read from the start or by `?page=` alone knows its number."""

    items: list
    page: int | None
    per_page: int
    total: int
    next_after: str | None = None
    prev_before: str | None = None
    capped: bool = False

    @property
    def pages(self) -> int:
        """Pages the (capped) total fills: all of them, or when `capped` a floor."""
        return total_pages(self.total, self.per_page)

    @property
    def shown_total(self) -> str:
        """The total as a page shows it: "37", "1,000+"."""
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"

    @property
    def number(self) -> int | None:
        """The page number to show: `page`, no larger than the last page of an exact total."""
        if self.page is None:
            return None
        if self.capped or not self.total:
            return self.page
        return min(self.page, max(self.pages, 1))

    @property
    def has_prev(self) -> bool:
        return (self.page or 1) > 1 or self.prev_before is not None

    @property
    def prev_num(self) -> int | None:
        if not self.has_prev or self.number is None:
            return None
        return max(self.number - 1, 1)

    @property
    def has_next(self) -> bool:
        return self.next_after is not None

    @property
    def next_num(self) -> int | None:
        return self.number + 1 if self.has_next and self.number is not None else None
