"""Which talking points an answer covers, sentence by sentence (issue 13).

Pure Python: no Flask, no database, no clock. Semantic similarity comes from a `Matcher`
passed in by the caller (the WordLlama one in app.embeddings, loaded once per process);
the rest is rapidfuzz string matching and fixed rules, so the result is deterministic for
a given model.

The answer is split into sentences (lines, then `.`/`!`/`?` boundaries; bullet marks and
fenced code dropped). Three kinds of sentence are set aside and count for nothing:

- *instructions to the grader*: a sentence that tells whoever scores the answer to ignore
  the rubric, mark points covered, give full marks... (`ADDRESSES_GRADER`). Quoting an
  injection while discussing prompt injection ("a document saying 'ignore previous
  instructions'") is not set aside: the rule needs a grading word (rubric, covered, marks).
- *echoes of the prompt*: at least ECHO_SHARE of the sentence's word pairs appear in the
  prompt, so pasting the prompt back (or restating it) covers nothing;
- *fragments* of fewer than MIN_WORDS words ("Canary." "PII."): a point needs a sentence
  (and a sentence repeated word for word counts once).

For each remaining sentence s and point p:

    meaning(s, p) = max(cos(s, label), cos(s, label + phrases))
    phrase(s, p)  = a key phrase of p found in s (rapidfuzz ratio >= PHRASE_FUZZ over a
                    window of the sentence's words, plurals cut on both sides; phrases of
                    <= 4 characters must match whole words), ignoring phrases the prompt
                    itself contains: repeating the question's words is no evidence

and s covers p when

    phrase(s, p) and meaning(s, p) >= MEANING_WITH_PHRASE          (the words, on topic)
 or meaning(s, p) >= MEANING_ALONE                                  (the sense alone)
    and meaning(s, p) >= meaning(s, q) + ALONE_MARGIN for every other point q
    and meaning(s, p) >= prompt(p) + PROMPT_MARGIN

where prompt(p) is the best meaning(prompt sentence, p): the sense alone must single this
point out among the question's points, and match it at least as well as the prompt
itself does. (WordLlama averages word vectors, so the sense alone finds paraphrases that
share some vocabulary, not those that share none: bench/insights.py reports it.)

A sentence covers at most PER_SENTENCE points (its best ones). A *keyword list* (at
least LIST_MIN_WORDS words, fewer than LIST_STOP_SHARE of them stop words: no sentence
structure) covers at most one, and none when it holds key phrases of more than
LIST_MAX_POINTS points. A *word salad* covers nothing: at least SALAD_PHRASES key phrases
of at least SALAD_POINTS different points, making at least SALAD_DENSITY of its words
(one phrase every five words). In the labelled set, real sentences touching 3 or more
points hold at most 6 phrases at a density of 0.13 or less; salads of every phrase hold
12 or more at 0.24 or more. A run-on sentence of more than LONG_SENTENCE_WORDS words
(dictated text often has no full stops) that is not a salad is matched in LONG_CHUNK-word
parts. Each covered point keeps the sentence that matched it best. Thresholds are
calibrated on tests/domain/insights_labelled.yaml: `python -m bench.insights` prints
precision and recall, `--sweep` the grid they were chosen from.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz, process

MEANING_WITH_PHRASE = 0.20
MEANING_ALONE = 0.30
ALONE_MARGIN = 0.05
PROMPT_MARGIN = 0.0
PHRASE_BONUS = 0.1
PHRASE_FUZZ = 88.0
SHORT_PHRASE_CHARS = 4
MIN_WORDS = 4
LONG_SENTENCE_WORDS = 80
LONG_CHUNK = 40
ECHO_SHARE = 0.6
PER_SENTENCE = 3
LIST_MIN_WORDS = 6
LIST_STOP_SHARE = 0.12
LIST_MAX_POINTS = 2
SALAD_PHRASES = 7
SALAD_DENSITY = 0.2
SALAD_POINTS = 3

_STOP_TEXT = """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves also get got would may might must shall let us one two
    i'd i'll i'm i've we'd we'll we're we've it's that's there's don't doesn't didn't isn't
    wasn't aren't can't won't wouldn't shouldn't"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "etc.", "approx.", "cf.", "mr.", "dr.", "fig.", "no.")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)]|#+)\s+")
_TOKEN = re.compile(r"[a-z0-9$%+#]+(?:['.,][a-z0-9]+)*")
_GRADING_WORDS = re.compile(
    r"\b(rubric|grader|grading|graded|marker|evaluator|scorer|full marks|"
    r"(points?|everything|all|each|every|answer)\W+(\w+\W+){0,3}covered|"
    r"(maximum|top|perfect|full) (score|marks|points)|talking points?|every point|all points|"
    r"all the points|this answer|my answer)\b"
)
_VOCATIVE = re.compile(
    r"^((note|message|instructions?) (to|for) (the )?(grader|evaluator|marker|reviewer|scorer|"
    r"ai|assistant|model|llm)|(dear |hey |attention,? |as (the |an? )?)?"
    r"(grader|evaluator|marker|scorer))\b\W"
)
_ADDRESSES_GRADER = re.compile(
    r"^(please\s+)?(ignore|disregard|forget|override|mark|score|grade|rate|give|treat|"
    r"consider|count|assume|pretend|award|tick|accept)\b"
    r"|\byou (should|must|will|can|need to|have to)\b"
    r"|\b(ignore|disregard) (the|this|your|all|any|previous) (rubric|criteria|grading|instructions)"
    r"|\bmark (every|all|each)\b|\bfull marks\b"
    r"|\b(this|my) answer (covers|addresses|meets|satisfies|includes|hits|mentions)\b"
    r"|\b(every|all|each) (of the )?(talking )?points? (is |are |as |as being )?"
    r"(covered|met|satisfied)"
)


class Matcher(Protocol):
    """Semantic similarity of texts: the model is loaded by the caller and passed in."""

    def similarities(self, left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
        """Cosine similarity of every text of `left` with every text of `right`."""
        ...


@dataclass(frozen=True)
class TalkingPoint:
    id: str
    label: str
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    text: str
    tokens: tuple[str, ...]
    set_aside: str | None = None  # "grader", "echo", "fragment" or None

    @property
    def is_list(self) -> bool:
        """Keyword list: many words, almost no stop words (no sentence structure)."""
        if len(self.tokens) < LIST_MIN_WORDS:
            return False
        stops = sum(1 for t in self.tokens if t in STOP_WORDS)
        return stops / len(self.tokens) < LIST_STOP_SHARE


@dataclass(frozen=True)
class PointMatch:
    """Why a point counts as covered: the best sentence, its meaning score, the phrase."""

    point: TalkingPoint
    sentence: str
    score: float  # meaning, plus PHRASE_BONUS when a key phrase was found
    phrase: str | None


@dataclass(frozen=True)
class Coverage:
    covered: tuple[PointMatch, ...]
    missed: tuple[TalkingPoint, ...]
    sentences: tuple[Sentence, ...]

    @property
    def set_aside(self) -> tuple[Sentence, ...]:
        return tuple(s for s in self.sentences if s.set_aside in ("grader", "echo"))


def normalise(text: str) -> str:
    """Lower-case, NFKC, typographic quotes and dashes made plain, × read as x."""
    text = unicodedata.normalize("NFKC", text).lower()
    for old, new in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("×", " x ")):
        text = text.replace(old, new)
    return re.sub(r"[‐‑‒–—_/-]", " ", text)


def _singular(word: str) -> str:
    """A crude plural strip (keys -> key, queries -> query), the same on both sides."""
    if word in STOP_WORDS:
        return word  # this, does, its stay whole
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word[-2].isalpha():
        return word[:-1]
    return word


def tokens(text: str) -> tuple[str, ...]:
    """Words of a text as the matcher sees them: numbers (86,400, 2.5) whole, plurals cut."""
    return tuple(_singular(t.rstrip(".,'")) for t in _TOKEN.findall(normalise(text)))


def split_sentences(text: str) -> list[str]:
    """Sentences of an answer: each line, cut after . ! ? unless an abbreviation ends it."""
    out: list[str] = []
    in_fence = False
    for raw in text.splitlines():
        if raw.strip().startswith("```"):
            in_fence = not in_fence
            continue
        line = _BULLET.sub("", raw).strip()
        if not line or in_fence:
            continue
        pending = ""
        for part in _SENTENCE_END.split(line):
            pending = f"{pending} {part}".strip() if pending else part
            if not pending.lower().endswith(_ABBREVIATIONS):
                out.append(pending)
                pending = ""
        if pending:
            out.append(pending)
    return out


def _cut_long(sentence: Sentence) -> list[Sentence]:
    """A run-on sentence (no full stops, as dictated text often is) in LONG_CHUNK-word parts."""
    parts = sentence.text.split()
    if len(parts) <= LONG_SENTENCE_WORDS:
        return [sentence]
    texts = [" ".join(parts[i : i + LONG_CHUNK]) for i in range(0, len(parts), LONG_CHUNK)]
    return [Sentence(text, tokens(text), sentence.set_aside) for text in texts]


@functools.lru_cache(maxsize=4096)
def _windows(words: tuple[str, ...], size: int) -> tuple[str, ...]:
    """Every run of `size` consecutive words, joined by spaces (the whole text if shorter)."""
    if len(words) <= size:
        return (" ".join(words),)
    return tuple(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def find_phrase(phrase: str, words: Sequence[str]) -> bool:
    """Whether `phrase` occurs in `words`, allowing small spelling differences."""
    target = tokens(phrase)
    if not target or not words:
        return False
    words = tuple(words)
    joined = " ".join(target)
    if len(joined) <= SHORT_PHRASE_CHARS:
        windows = _windows(words, len(target))
        return joined in windows or f"{joined}s" in windows
    n = len(target)
    return any(
        process.extractOne(
            joined, _windows(words, size), scorer=fuzz.ratio, score_cutoff=PHRASE_FUZZ
        )
        for size in sorted({max(1, n - 1), n, n + 1})
    )


def addresses_grader(sentence: str) -> bool:
    """A sentence telling whoever scores the answer what to conclude (a prompt injection)."""
    text = normalise(sentence).strip(" \"'*>")
    if _VOCATIVE.search(text):
        return True
    return bool(_GRADING_WORDS.search(text) and _ADDRESSES_GRADER.search(text))


def _bigrams(words: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:], strict=False))


def classify(sentences: Sequence[str], prompt_text: str) -> list[Sentence]:
    """Sentences with their words, and the reason each one is set aside (if any)."""
    prompt_pairs = _bigrams(tokens(prompt_text))
    seen: set[tuple[str, ...]] = set()
    out: list[Sentence] = []
    for text in sentences:
        words = tokens(text)
        reason = None
        if addresses_grader(text):
            reason = "grader"
        elif len(words) < MIN_WORDS:
            reason = "fragment"
        elif words in seen:
            reason = "repeat"
        else:
            pairs = _bigrams(words)
            if pairs and len(pairs & prompt_pairs) / len(pairs) >= ECHO_SHARE:
                reason = "echo"
        seen.add(words)
        out.append(Sentence(text, words, reason))
    return out


def is_salad(sentence: Sentence, phrases_found: Sequence[Sequence[str]]) -> bool:
    """Key phrases strung together: too many, too dense, or a keyword list across points."""
    total = sum(len(found) for found in phrases_found)
    points = sum(1 for found in phrases_found if found)
    if sentence.is_list and points > LIST_MAX_POINTS:
        return True
    dense = total >= SALAD_PHRASES and total / len(sentence.tokens) >= SALAD_DENSITY
    return dense and points >= SALAD_POINTS


def _point_texts(point: TalkingPoint) -> list[str]:
    return [point.label, f"{point.label}: {', '.join(point.phrases)}"]


def _meaning(matrix: list[list[float]], row: int, col: int) -> float:
    return max(matrix[row][2 * col], matrix[row][2 * col + 1])


def match_points(
    answer_text: str,
    points: Sequence[TalkingPoint],
    prompt_text: str,
    matcher: Matcher,
) -> Coverage:
    """The talking points the answer covers (each with its best sentence) and those missed."""
    sentences = tuple(classify(split_sentences(answer_text), prompt_text))
    if not points:
        return Coverage((), (), sentences)
    prompt_words = tokens(prompt_text)
    live_phrases = [[ph for ph in p.phrases if not find_phrase(ph, prompt_words)] for p in points]
    live = [
        part
        for s in sentences
        if s.set_aside is None
        and not is_salad(
            s, [[ph for ph in phs if find_phrase(ph, s.tokens)] for phs in live_phrases]
        )
        for part in _cut_long(s)
    ]
    if not live:
        return Coverage((), tuple(points), sentences)
    point_texts = [t for p in points for t in _point_texts(p)]
    prompt_sentences = split_sentences(prompt_text)
    sims = matcher.similarities([s.text for s in live], point_texts)
    prompt_sims = matcher.similarities(prompt_sentences, point_texts) if prompt_sentences else []
    prompt_best = [
        max((_meaning(prompt_sims, r, c) for r in range(len(prompt_sentences))), default=0.0)
        for c in range(len(points))
    ]
    best: dict[int, PointMatch] = {}
    for row, sentence in enumerate(live):
        found = [
            next((ph for ph in phs if find_phrase(ph, sentence.tokens)), None)
            for phs in live_phrases
        ]
        meanings = [_meaning(sims, row, col) for col in range(len(points))]
        hits: list[tuple[float, int]] = []
        for col, meaning in enumerate(meanings):
            runner_up = max((m for c, m in enumerate(meanings) if c != col), default=0.0)
            by_phrase = found[col] is not None and meaning >= MEANING_WITH_PHRASE
            alone = (
                meaning >= MEANING_ALONE
                and meaning >= runner_up + ALONE_MARGIN
                and meaning >= prompt_best[col] + PROMPT_MARGIN
            )
            if by_phrase or alone:
                hits.append((meaning + (PHRASE_BONUS if found[col] else 0.0), col))
        hits.sort(key=lambda h: (-h[0], h[1]))
        for score, col in hits[: 1 if sentence.is_list else PER_SENTENCE]:
            current = best.get(col)
            if current is None or score > current.score:
                best[col] = PointMatch(points[col], sentence.text, score, found[col])
    covered = tuple(best[c] for c in sorted(best))
    missed = tuple(p for c, p in enumerate(points) if c not in best)
    return Coverage(covered, missed, sentences)
