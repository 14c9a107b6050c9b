"""Talking points and skill glossaries in the real bank, read from the YAML files (issue 13).

The bank reader's schema is taught these keys separately; this test reads the files with
PyYAML directly so the content is checked on its own: every published question lists the
points a strong answer covers (with phrases a candidate would actually write), and every
skill area has a glossary of job terms. Limits follow question_bank/README.md.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
import yaml

BANK = Path(__file__).resolve().parents[2] / "question_bank"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
POINT_KEYS = {"id", "label", "phrases"}
MIN_POINTS, MAX_POINTS = 3, 8
MIN_PHRASES, MAX_PHRASES = 1, 10
MIN_GLOSSARY, MAX_GLOSSARY = 10, 50
MAX_ID, MAX_LABEL, MAX_TERM = 60, 200, 80
COPIED_RUN = 6  # words in a row a label may not share with good_answer (original wording)


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


QUESTIONS = {
    p.relative_to(BANK).as_posix(): _load(p) for p in sorted(BANK.glob("questions/*/*.yaml"))
}
PUBLISHED = {
    name: q for name, q in QUESTIONS.items() if q.get("status", "published") == "published"
}
SKILLS = _load(BANK / "skills.yaml")["skills"]


def _norm(text: str) -> str:
    """Lowercase, Markdown emphasis and punctuation at the ends dropped, spaces collapsed."""
    text = re.sub(r"[*_`]", "", text.lower())
    return " ".join(text.split()).strip(" .;:,-")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _copied_run(label: str, good_answer: str, run: int = COPIED_RUN) -> str | None:
    """The first `run` consecutive words of the label that also appear in good_answer, if any."""
    words, haystack = _words(label), " " + " ".join(_words(good_answer)) + " "
    for i in range(len(words) - run + 1):
        piece = " ".join(words[i : i + run])
        if f" {piece} " in haystack:
            return piece
    return None


def _sentences(markdown: str) -> set[str]:
    """The sentences of a good_answer, split on sentence ends, bullets and line breaks."""
    parts = re.split(r"(?<=[.!?])\s+|\n\s*[-*]\s+|\n{2,}", markdown)
    return {_norm(p) for p in parts if _norm(p)}


def _problems(question: dict) -> list[str]:
    points = question.get("talking_points")
    if not isinstance(points, list):
        return ["no talking_points list"]
    problems = []
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        problems.append(f"{len(points)} talking points (want {MIN_POINTS}-{MAX_POINTS})")
    ids = [p.get("id") for p in points if isinstance(p, dict)]
    if len(set(ids)) != len(ids):
        problems.append(f"duplicate ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    sentences = _sentences(question["good_answer"])
    for n, point in enumerate(points):
        where = f"point {n} ({point.get('id') if isinstance(point, dict) else point!r})"
        if not isinstance(point, dict) or set(point) != POINT_KEYS:
            problems.append(f"{where}: keys must be exactly {sorted(POINT_KEYS)}")
            continue
        pid, label, phrases = point["id"], point["label"], point["phrases"]
        if not isinstance(pid, str) or not SLUG.match(pid) or len(pid) > MAX_ID:
            problems.append(f"{where}: id must be a slug of at most {MAX_ID} characters")
        if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
            problems.append(f"{where}: label must be non-empty text of at most {MAX_LABEL}")
        elif "\n" in label:
            problems.append(f"{where}: label must be one line")
        elif _norm(label) in sentences:
            problems.append(f"{where}: label copies good_answer verbatim: {label!r}")
        elif copied := _copied_run(label, question["good_answer"]):
            problems.append(f"{where}: label repeats good_answer's words {copied!r}")
        if not isinstance(phrases, list) or not MIN_PHRASES <= len(phrases) <= MAX_PHRASES:
            problems.append(f"{where}: want {MIN_PHRASES}-{MAX_PHRASES} phrases")
            continue
        if any(not isinstance(x, str) or not x.strip() or len(x) > MAX_TERM for x in phrases):
            problems.append(f"{where}: each phrase is non-empty text of at most {MAX_TERM}")
        elif len({x.strip().lower() for x in phrases}) != len(phrases):
            problems.append(f"{where}: duplicate phrases")
    return problems


def test_the_bank_has_published_questions_to_check():
    assert len(PUBLISHED) >= 150, f"only {len(PUBLISHED)} published questions found"


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_every_published_question_has_valid_talking_points(name):
    assert _problems(PUBLISHED[name]) == []


def test_talking_point_counts_across_the_bank():
    """The totals the issue asks the content test to count: every question in range."""
    counts = [len(q.get("talking_points") or []) for q in PUBLISHED.values()]
    assert min(counts) >= MIN_POINTS and max(counts) <= MAX_POINTS
    assert statistics.median(counts) >= 4, f"median {statistics.median(counts)} points"
    assert sum(counts) >= MIN_POINTS * len(PUBLISHED)


@pytest.mark.parametrize("skill", SKILLS, ids=lambda s: s["key"])
def test_every_skill_area_has_a_glossary(skill):
    terms = skill.get("glossary")
    assert isinstance(terms, list), f"{skill['key']}: no glossary list"
    assert MIN_GLOSSARY <= len(terms) <= MAX_GLOSSARY, f"{skill['key']}: {len(terms)} terms"
    assert all(isinstance(t, str) and t.strip() and len(t) <= MAX_TERM for t in terms)
    lowered = [t.strip().lower() for t in terms]
    assert len(set(lowered)) == len(lowered), f"{skill['key']}: duplicate terms"


def test_the_checker_catches_what_it_claims_to():
    """The checks fail on a copied label, a bad id, too few points and an empty phrase list."""
    good = (
        "A strong answer names the metric that decides the launch.\n- Quotes the baseline number.\n"
    )
    ok = {"id": "metric", "label": "Says which metric decides", "phrases": ["metric", "f1"]}
    base = {"good_answer": good, "talking_points": [ok, {**ok, "id": "b"}, {**ok, "id": "c"}]}
    assert _problems(base) == []
    copied = {**ok, "id": "d", "label": "Quotes the baseline number."}
    assert "copies good_answer" in " ".join(
        _problems({**base, "talking_points": [*base["talking_points"], copied]})
    )
    assert _problems({**base, "talking_points": base["talking_points"][:2]})
    assert _problems(
        {**base, "talking_points": [{**ok, "id": "Bad Id"}, *base["talking_points"][1:]]}
    )
    assert _problems(
        {**base, "talking_points": [{**ok, "phrases": []}, *base["talking_points"][1:]]}
    )
    assert _problems({**base, "talking_points": [ok, ok, {**ok, "id": "c"}]})
    near = {**ok, "id": "e", "label": "Early on, names the metric that decides the launch"}
    assert "repeats" in " ".join(
        _problems({**base, "talking_points": [*base["talking_points"], near]})
    )
