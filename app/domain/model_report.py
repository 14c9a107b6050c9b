"""The optional model's suggestions in a report: a self-vs-model line per criterion.

Pure Python. Each question of a report may carry the model's suggested levels
(`QuestionInput.model_levels`, from `app.learning.grading`); `compare` pairs them with
the candidate's own levels criterion by criterion across the round. Scores use the same
0-100 normalisation as the self-scores (`app.domain.scoring.normalise`), over the answers
the model suggested a level for. A report with no suggestion has no line at all, and
its exports are byte for byte what they were before suggestions existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.scoring import Level, mean, normalise


@dataclass(frozen=True)
class ModelLevel:
    """What the model suggested for one criterion of one answer."""

    level: int
    rationale: str
    quote: str


@dataclass(frozen=True)
class ModelPair:
    position: int
    question_title: str
    self_level: Level | None
    model_level: Level
    rationale: str
    quote: str


@dataclass(frozen=True)
class ModelCriterion:
    key: str
    title: str
    self_score: float | None  # over the answers the model suggested a level for
    model_score: float | None
    pairs: tuple[ModelPair, ...]


def compare(questions: Iterable) -> tuple[ModelCriterion, ...]:
    """Self vs model per criterion key, in the report's criterion order (QuestionReports)."""
    order: list[str] = []
    titles: dict[str, str] = {}
    pairs: dict[str, list[tuple[ModelPair, float | None, float | None]]] = {}
    for q in questions:
        suggested = q.question.model_levels or {}
        for r in q.result.results:
            c = r.criterion
            entry = suggested.get(c.key)
            level = c.level(entry.level) if entry else None
            if level is None:
                continue
            if c.key not in titles:
                order.append(c.key)
                titles[c.key] = c.title
                pairs[c.key] = []
            pair = ModelPair(q.question.position, q.question.title, r.level, level,
                             entry.rationale, entry.quote)  # fmt: skip
            pairs[c.key].append((pair, r.score, normalise(level.value, c)))
    return tuple(
        ModelCriterion(
            key=key,
            title=titles[key],
            self_score=mean(s for _, s, _ in pairs[key]),
            model_score=mean(m for _, _, m in pairs[key]),
            pairs=tuple(p for p, _, _ in pairs[key]),
        )
        for key in order
    )


def _level_text(level: Level | None) -> str:
    return "unscored" if level is None else f"{level.label} ({level.value})"


def _score(score: float | None) -> str:
    return "unscored" if score is None else f"{int(score + 0.5)}/100"


def line(c: ModelCriterion) -> str:
    """ "Cost modeling: you 67/100, model suggests 33/100 (1 answer)"."""
    count = len(c.pairs)
    return (
        f"{c.title}: you {_score(c.self_score)}, model suggests {_score(c.model_score)} "
        f"({count} answer{'s' if count != 1 else ''})"
    )


def as_dict(criteria: tuple[ModelCriterion, ...]) -> list[dict]:
    def level(lv: Level | None) -> dict | None:
        return None if lv is None else {"value": lv.value, "label": lv.label}

    return [
        {
            "key": c.key,
            "title": c.title,
            "self_score": None if c.self_score is None else round(c.self_score, 2),
            "model_score": None if c.model_score is None else round(c.model_score, 2),
            "answers": [
                {
                    "question": p.position + 1,
                    "self_level": level(p.self_level),
                    "model_level": level(p.model_level),
                    "rationale": p.rationale,
                    "quote": p.quote,
                }
                for p in c.pairs
            ],
        }
        for c in criteria
    ]


def markdown_lines(criteria: tuple[ModelCriterion, ...], escape) -> list[str]:
    """The Markdown section; `escape` neutralises text the model or candidate wrote."""
    lines = ["## You and the model", "", "The model's levels are suggestions; yours count.", ""]
    for c in criteria:
        lines.append(f"- {escape(line(c))}")
        for p in c.pairs:
            lines.append(
                f"  - Question {p.position + 1}: you {_level_text(p.self_level)}, model "
                f"{_level_text(p.model_level)}: {escape(p.rationale)} (“{escape(p.quote)}”)"
            )
    return [*lines, ""]


def csv_rows(criteria: tuple[ModelCriterion, ...]):
    """(section, question, key, title, level, label, score, detail) rows."""
    for c in criteria:
        for p in c.pairs:
            detail = f"self {_level_text(p.self_level)}; {p.rationale} (quote: {p.quote})"
            level = p.model_level
            yield ("model_question_criterion", p.position + 1, c.key, c.title, level.value,
                   level.label, None, detail)  # fmt: skip
        yield ("model_criterion", "", c.key, c.title, None, "", c.model_score,
               f"self {_score(c.self_score)}")  # fmt: skip
