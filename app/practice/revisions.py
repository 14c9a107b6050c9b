"""The compare-and-set write that every autosaved answer (main answers and follow-ups) uses.

A save is based on the revision the page last saw. It lands when that is still the
stored revision, or when this same tab (client id) sends a newer save than its last one
(a tab never conflicts with itself). An older save from the same tab that arrives late
is already superseded and changes nothing. Anything else is another tab's or device's
save: refused with the caller's message, nothing written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, false, or_, update

from app.extensions import db
from app.practice.errors import StaleRevision


def write_if_current(
    model,
    row,
    values: dict,
    *,
    base_revision: int,
    client_id: str | None,
    seq: int,
    now: datetime,
    stale_message: str,
) -> bool:
    """Write `values` to `row` (of `model`) if current; True if written, False if this
    tab's late save was superseded; raises StaleRevision otherwise. `row` is refreshed."""
    own_tab = and_(model.client_id == client_id, model.client_seq < seq) if client_id else false()
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, or_(model.revision == base_revision, own_tab))
        .values(
            **values,
            revision=model.revision + 1,
            saved_at=now,
            client_id=client_id,
            client_seq=seq,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    if result.rowcount == 1:
        return True
    if client_id and row.client_id == client_id and seq <= row.client_seq:
        return False  # an older save from this same tab arrived late: already superseded
    raise StaleRevision(stale_message, row.revision)
