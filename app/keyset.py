"""Reading one page of a long list by key, with a capped count (SQLAlchemy Core on the
app's session; the page's shape and numbers are `app.pagination.KeysetPage`'s).

Every long list pages here: the bank's browse page, the bank editor's question list and
the audit log. A list is a `select()` of one entity narrowed by its filters, without an
ORDER BY; an `Order` says how it is sorted and which column its links name a row by:

    order = keyset.Order((AuditEvent.at, AuditEvent.id), cursor=AuditEvent.id, descending=True)
    page = keyset.read(select(AuditEvent), order, after=3, page=2, per_page=20)

What one page costs, however long the list (each statement an index range read where an
index matches the filter and the sort key; `tests/test_list_indexes.py`):

* a capped count: COUNT over at most `count_cap` + 1 rows, so a longer list shows
  "1,000+" instead of being counted whole (as the coach queue does);
* with `after` (Next) or `before` (Previous): the sort key of the row the cursor names,
  looked up by the cursor column; a cursor not on the (filtered) list is ignored;
* the page itself: `WHERE (sort key) > (that key) ORDER BY sort key LIMIT per_page + 1`
  (the extra row says whether there is a Next); Previous reads the other way and turns
  the rows round, and when it reaches the start the page is the first page.

Nothing counts the rows before a keyed page: its number is the one its link carries
(`?after=K&page=3`), a label only. `?page=N` without a cursor skips rows (OFFSET), at
most `count_cap` of them (a larger N reads the page just past the cap), over the sort key
and cursor only, then reads that page's rows by cursor.

A list whose sort key spans tables (no single index can serve it) hands in `narrow`: a
clause that keeps the rows the page can come from (a superset), which the database can
read from its indexes; the page is still cut from them by the same key, order and limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select, tuple_

from app import pagination
from app.extensions import db

COUNT_CAP = 1000  # a list counts up to this many rows, then shows "1,000+"

# narrow(key, ascending, limit): a WHERE clause keeping at least the first `limit` rows
# read in that direction past `key` (None: from the start), or None for no narrowing;
# used for reads by key and for the first page, not for a typed `?page=`
Narrow = Callable[[tuple | None, bool, int], Any]


@dataclass(frozen=True)
class Order:
    """A list's sort key, most significant column first, and the column a link names a
    row by (unique on the list: an id or a unique key). `descending`: the list shows the
    largest key first (newest first)."""

    columns: tuple
    cursor: Any
    descending: bool = False


def capped_count(query, cap: int = COUNT_CAP) -> int:
    """How many rows `query` has, counting at most `cap` + 1 of them."""
    limited = (
        query.with_only_columns(literal(1), maintain_column_froms=True)
        .order_by(None)
        .limit(cap + 1)
        .subquery()
    )
    return int(db.session.scalar(select(func.count()).select_from(limited)) or 0)


def read(
    query,
    order: Order,
    *,
    after: object = None,
    before: object = None,
    page: int | None = None,
    per_page: int,
    count_cap: int = COUNT_CAP,
    options: Sequence = (),
    narrow: Narrow | None = None,
    counted=None,
) -> pagination.KeysetPage:
    """One page of `query` in `order`: after the row `after` names (Next), before the row
    `before` names (Previous), else page `page` from the start (None: the first).

    `options` are loader options for the page's rows. A cursor is a value of
    `order.cursor`, already checked by the caller (`pagination.row_id`, a cleaned key);
    one naming no row on the list is ignored. `counted`: a query with the same rows as
    `query` that is cheaper to count (None: `query` is counted)."""
    size = pagination.limit(per_page)
    found = capped_count(query if counted is None else counted, count_cap)
    total, capped = min(found, count_cap), found > count_cap
    key, backwards = _key(query, order, after), False
    if key is None:
        key = _key(query, order, before)
        backwards = key is not None
    number = page
    if key is None:
        number = min(pagination.page_number(page), count_cap // size + 1)
        start = (number - 1) * size
        rows = _rows(query, order, None, True, size + 1, start, options, narrow)
        items, more_before, more_after = rows[:size], start > 0, len(rows) > size
    elif not backwards:
        rows = _rows(query, order, key, True, size + 1, 0, options, narrow)
        items, more_before, more_after = rows[:size], True, len(rows) > size
        number = max(page, 2) if page is not None else None
    else:
        rows = _rows(query, order, key, False, size + 1, 0, options, narrow)
        more_before = len(rows) > size
        if not more_before and len(rows) < size:  # back at the start, short: read it full
            rows = _rows(query, order, None, True, size + 1, 0, options, narrow)
            items, more_after = rows[:size], len(rows) > size
        else:
            items, more_after = list(reversed(rows[:size])), True
        if not more_before:
            number = 1
        elif page is not None:
            number = max(page, 2)
    return pagination.KeysetPage(
        items=items,
        page=number,
        per_page=size,
        total=total,
        capped=capped,
        next_after=_cursor(items[-1], order) if items and more_after else None,
        prev_before=_cursor(items[0], order) if items and more_before else None,
    )


def _key(query, order: Order, cursor: object) -> tuple | None:
    """The sort key of the row `cursor` names when it is on the list, else None."""
    if cursor is None or cursor == "":
        return None
    row = db.session.execute(
        query.with_only_columns(*order.columns, maintain_column_froms=True)
        .where(order.cursor == cursor)
        .limit(1)
    ).one_or_none()
    return tuple(row) if row is not None else None


def _rows(query, order: Order, key, forward: bool, limit: int, offset: int, options, narrow):
    """Up to `limit` rows past `key` (None: from the start) in the list's order (`forward`)
    or against it, skipping `offset` (a typed `?page=`)."""
    ascending = forward != order.descending
    by = [c.asc() if ascending else c.desc() for c in order.columns]
    if offset:
        # skip rows over the narrow sort key and cursor only, then load just the page's
        # rows: a list sorted across tables sorts ids, not whole rows (no narrowing: a
        # per-stage read of `offset` rows each costs more than this one sort)
        cursors = list(
            db.session.scalars(
                query.with_only_columns(order.cursor, maintain_column_froms=True)
                .order_by(*by)
                .offset(offset)
                .limit(limit)
            )
        )
        if not cursors:
            return []
        query = query.where(order.cursor.in_(cursors))
    else:
        if key is not None:
            sort_key, values = tuple_(*order.columns), tuple_(*key)
            query = query.where(sort_key > values if ascending else sort_key < values)
        if narrow is not None:
            clause = narrow(key, ascending, limit)
            if clause is not None:
                query = query.where(clause)
    return list(db.session.scalars(query.options(*options).order_by(*by).limit(limit)))


def _cursor(item, order: Order) -> str:
    return str(getattr(item, order.cursor.key))
