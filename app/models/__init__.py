"""All models, imported so Alembic and `db.create_all()` see every table.

One module per aggregate: users, audit, bank, practice, scoring (self-scores and the
practise-next schedule) and review (coach links, reviews, notifications); search holds
the full-text search DDL, per dialect.
"""

from app.models import (  # noqa: F401
    audit,
    bank,
    grading,
    jobs,
    practice,
    review,
    scoring,
    search,
    signins,
    signups,
    usage,
    users,
)
