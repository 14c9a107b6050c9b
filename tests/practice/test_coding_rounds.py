"""Every technical-phone and on-site coding round includes a coding problem (issue 12).

The formats name `first_kind: code`; this draws 200 fresh rounds of each from the real
bank, through the same path a candidate's Start button takes, and finds a code question
in every one (before, about a quarter of fresh technical-phone rounds had none).
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from app.bank import transfer
from app.bank.files import reading
from app.clock import utcnow
from app.config import ROOT
from app.extensions import db
from app.models.bank import RoundFormat
from app.models.users import User
from app.practice import starting

ROUNDS = 200


@pytest.fixture
def real_bank(app):
    files = reading.read_bank(ROOT / "question_bank")
    assert files.ok, "\n".join(str(p) for p in files.problems)
    with app.app_context():
        transfer.import_bank(files, now=utcnow())
        db.session.commit()


@pytest.mark.parametrize("format_key", ["technical_phone", "onsite_coding"])
def test_every_fresh_coding_round_has_a_code_question_first(app, real_bank, format_key):
    with app.app_context():
        fmt = db.session.scalar(select(RoundFormat).where(RoundFormat.key == format_key))
        assert fmt.first_kind == "code"
        kinds_seen: Counter = Counter()
        for n in range(ROUNDS):
            user = User(  # a fresh candidate each time: nothing seen, no weakness map
                email=f"fresh{n}-{format_key}@example.com",
                display_name=f"Fresh {n}",
                password_hash="!",
                role="candidate",
            )
            db.session.add(user)
            db.session.commit()
            session = starting.start_round(user.id, fmt.id, now=utcnow(), seed=n)
            kinds = [item.question_version.answer_kind for item in session.items]
            assert len(kinds) == fmt.question_count
            assert kinds[0] == "code", (n, kinds)
            kinds_seen.update(kinds[1:])
        if format_key == "technical_phone":
            # the second question is the prompt-engineering or estimation task
            assert set(kinds_seen) == {"text", "estimate"}, kinds_seen
