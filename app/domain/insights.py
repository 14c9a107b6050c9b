"""Insights on one answer: what it mentions, never a grade (issue 13).

Pure Python, deterministic: the caller passes plain values (the answer, the question's
talking points and prompt, the glossary terms of its skill areas, the seconds spent) and
a `Matcher` (app.embeddings.shared_matcher, or any object with `similarities`).

- Talking points covered (each with the sentence that covers it) and missed:
  app.domain.matching explains the rules.
- Glossary terms used (case-insensitive, fuzzy over word windows like the key phrases)
  and the terms of the question's skill areas the answer did not use, in glossary order.
- Most-used words: the TOP_WORDS most frequent words of at least 3 letters that are not
  stop words or numbers, used at least twice (ties: first used first).
- Filler phrases ("um", "basically", "you know", "kind of", "I think"...), with counts.
- Length in words and words per minute of the time spent (None without a time).
- Code answers are not prose: `is_code` is set and only the length is given, so the
  caller shows the code's test results instead.

Sentences that only address the grader or echo the prompt are counted for nothing and
listed in `set_aside` so the page can say why.

From a service (the model is loaded once per process, at first use; the glossary terms
are those of the question's skills, in skill order; `as_dict()` is for the exports):

    matcher = shared_matcher(Path(instance_path) / "wordllama")   # app.embeddings
    insights = answer_insights(
        item.answer_text, talking_points_from(version_talking_points), terms,
        item.time_spent_seconds, version_prompt, matcher, is_code=kind == "code",
    )
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.domain.matching import (
    STOP_WORDS,
    Matcher,
    TalkingPoint,
    find_phrase,
    match_points,
    normalise,
    split_sentences,
    tokens,
)

TOP_WORDS = 5
MIN_WORD_LETTERS = 3
FILLERS = (
    "um",
    "uh",
    "erm",
    "hmm",
    "basically",
    "actually",
    "literally",
    "honestly",
    "obviously",
    "you know",
    "kind of",
    "sort of",
    "i think",
    "i guess",
    "i mean",
    "i feel like",
    "to be honest",
    "at the end of the day",
    "so yeah",
    "stuff like that",
)
_WORD = re.compile(r"[^\W_]+(?:(?:['’.\-+/]|(?<=\d),(?=\d))[^\W_]+)*")
_FILLER_RES = {f: re.compile(rf"(?<![\w']){re.escape(f)}(?![\w'])") for f in FILLERS}


@dataclass(frozen=True)
class CoveredPoint:
    id: str
    label: str
    sentence: str
    phrase: str | None  # the key phrase found in the sentence, if any
    score: float  # similarity of the sentence to the point, + PHRASE_BONUS with a phrase


@dataclass(frozen=True)
class AnswerInsights:
    is_code: bool
    word_count: int
    words_per_minute: float | None
    covered: tuple[CoveredPoint, ...] = ()
    missed: tuple[TalkingPoint, ...] = ()
    terms_used: tuple[str, ...] = ()
    terms_unused: tuple[str, ...] = ()
    top_words: tuple[tuple[str, int], ...] = ()
    fillers: tuple[tuple[str, int], ...] = ()
    set_aside: tuple[tuple[str, str], ...] = ()  # (sentence, "grader" or "echo")

    @property
    def covered_ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.covered)

    def as_dict(self) -> dict:
        """Plain JSON-ready values, for the exports."""
        return {
            "is_code": self.is_code,
            "word_count": self.word_count,
            "words_per_minute": self.words_per_minute,
            "covered": [
                {"id": p.id, "label": p.label, "sentence": p.sentence, "phrase": p.phrase}
                for p in self.covered
            ],
            "missed": [{"id": p.id, "label": p.label} for p in self.missed],
            "terms_used": list(self.terms_used),
            "terms_unused": list(self.terms_unused),
            "top_words": [{"word": w, "count": n} for w, n in self.top_words],
            "fillers": [{"phrase": f, "count": n} for f, n in self.fillers],
            "set_aside": [{"sentence": s, "reason": r} for s, r in self.set_aside],
        }


def words(text: str) -> list[str]:
    """The words of a text, lower-cased (low-rank, it's, 2.5 and 5,120 count as one)."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def words_per_minute(word_count: int, seconds_spent: int | float | None) -> float | None:
    """Words per minute of time spent, to one decimal; None when no time was recorded."""
    if not seconds_spent or seconds_spent <= 0:
        return None
    return round(word_count * 60 / seconds_spent, 1)


def top_words(all_words: Sequence[str], limit: int = TOP_WORDS) -> tuple[tuple[str, int], ...]:
    """Most frequent content words used at least twice, ties in order of first use."""
    content = [
        w
        for w in all_words
        if w not in STOP_WORDS
        and sum(c.isalpha() for c in w) >= MIN_WORD_LETTERS
        and not any(c.isdigit() for c in w)
    ]
    counts = Counter(content)
    first = {w: i for i, w in reversed(list(enumerate(content)))}
    ranked = sorted((w for w in counts if counts[w] >= 2), key=lambda w: (-counts[w], first[w]))
    return tuple((w, counts[w]) for w in ranked[:limit])


def filler_counts(text: str) -> tuple[tuple[str, int], ...]:
    """Filler phrases and how often each occurs, most frequent first."""
    flat = " ".join(words(text))
    found = [(f, len(rx.findall(flat))) for f, rx in _FILLER_RES.items()]
    return tuple(sorted(((f, n) for f, n in found if n), key=lambda fn: (-fn[1], fn[0])))


def glossary_use(
    sentences: Iterable[str], terms: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(terms the sentences use, terms they do not), each in glossary order, no repeats."""
    unique = list(dict.fromkeys(t for t in terms if t.strip()))
    seen = [tokens(s) for s in sentences]
    used = [t for t in unique if any(find_phrase(t, ws) for ws in seen)]
    return tuple(used), tuple(t for t in unique if t not in used)


def answer_insights(
    answer_text: str,
    talking_points: Sequence[TalkingPoint],
    glossary_terms: Sequence[str],
    seconds_spent: int | float | None,
    prompt_text: str,
    matcher: Matcher,
    *,
    is_code: bool = False,
) -> AnswerInsights:
    """Everything the insights panel shows for one answer, from plain values."""
    all_words = words(answer_text)
    wpm = words_per_minute(len(all_words), seconds_spent)
    if is_code:
        return AnswerInsights(is_code=True, word_count=len(all_words), words_per_minute=wpm)
    coverage = match_points(answer_text, talking_points, prompt_text, matcher)
    counted = [s.text for s in coverage.sentences if s.set_aside not in ("grader", "echo")]
    used, unused = glossary_use(counted, glossary_terms)
    return AnswerInsights(
        is_code=False,
        word_count=len(all_words),
        words_per_minute=wpm,
        covered=tuple(
            CoveredPoint(m.point.id, m.point.label, m.sentence, m.phrase, round(m.score, 3))
            for m in coverage.covered
        ),
        missed=coverage.missed,
        terms_used=used,
        terms_unused=unused,
        top_words=top_words(all_words),
        fillers=filler_counts(answer_text),
        set_aside=tuple((s.text, s.set_aside or "") for s in coverage.set_aside),
    )


def talking_points_from(raw: Iterable[dict]) -> tuple[TalkingPoint, ...]:
    """TalkingPoint values from the bank's YAML/JSON mappings (id, label, phrases)."""
    return tuple(
        TalkingPoint(str(p["id"]), str(p["label"]), tuple(str(x) for x in p.get("phrases", ())))
        for p in raw
    )


__all__ = [
    "AnswerInsights",
    "CoveredPoint",
    "Matcher",
    "TalkingPoint",
    "answer_insights",
    "filler_counts",
    "glossary_use",
    "normalise",
    "split_sentences",
    "talking_points_from",
    "top_words",
    "words",
    "words_per_minute",
]
