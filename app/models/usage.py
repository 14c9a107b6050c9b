"""Item-statistics counters: how often each question and each of its versions was sat in
finished rounds, kept up to date by the writes that change them (issue 14).

The admin's item statistics read these instead of aggregating every finished attempt, so
a page costs the same with 300 attempts or 300,000. Each row is changed only by
`UPDATE … SET n = n + :delta` (an upsert, `app.bank.stats`), in the transaction of the
write it counts: a round finishing (`app.practice.lifecycle.finish`), self-scoring being
finished (`app.learning.scoring`), an account being erased (`app.privacy.deletion`).

- `question_usage`: one row per question (made with the question, at 0), its finished
  attempts: the list's "most sat" / "least sat" order is a walk of its index;
- `question_version_usage`: per version, the sums behind every figure but the median;
- `question_time_usage`: per version, how many attempts took each whole number of
  seconds: a histogram from which the median is exact, bounded by the distinct times
  rather than by the number of attempts.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.bank import Question, QuestionVersion


class QuestionUsage(db.Model):
    __tablename__ = "question_usage"
    __table_args__ = (Index("ix_question_usage_attempts", "attempts", "question_id"),)

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class QuestionVersionUsage(db.Model):
    __tablename__ = "question_version_usage"

    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    hints: Mapped[int] = mapped_column(Integer, default=0)  # hints revealed, summed
    scored: Mapped[int] = mapped_column(Integer, default=0)  # completed self-scores
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)  # their 0-100 scores, summed
    estimates_checked: Mapped[int] = mapped_column(Integer, default=0)
    estimates_within: Mapped[int] = mapped_column(Integer, default=0)


class QuestionTimeUsage(db.Model):
    __tablename__ = "question_time_usage"
    __table_args__ = (Index("ix_question_time_usage_question", "question_id", "seconds"),)

    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id"), primary_key=True
    )
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)


@event.listens_for(Question, "after_insert")
def _zero_usage(mapper, connection, question) -> None:
    """Every question has its counter row from the start (at 0 attempts), so that the
    list's order by attempts needs no outer join and can follow the index."""
    connection.execute(insert(QuestionUsage).values(question_id=question.id, attempts=0))


# the list's "title" order, walked by index (the join from version to question uses
# ix_questions_current_version, on the Question model)
Index("ix_question_versions_title", QuestionVersion.title, QuestionVersion.id)
