"""An answer's insights in the report's exports (issue 13): Markdown lines, CSV rows, JSON.

Pure: takes the `AnswerInsights` app.domain.insights computed. Insights describe what an
answer mentions; they sit beside the candidate's self-score in every export and never
replace or change it.
"""

from __future__ import annotations

from app.domain.insights import AnswerInsights

HEADING = "What the answer mentions"
NOT_A_GRADE = "Described, not graded: your own score above is the score."


def length_text(ins: AnswerInsights) -> str:
    """'182 words, 91.0 words per minute' (no rate when no time was recorded)."""
    text = f"{ins.word_count} word{'s' if ins.word_count != 1 else ''}"
    if ins.words_per_minute is not None:
        text += f", {ins.words_per_minute:.1f} words per minute"
    return text


def counted(pairs) -> str:
    """'latency (4), cache (3)' from (text, count) pairs."""
    return ", ".join(f"{text} ({count})" for text, count in pairs)


def as_dict(ins: AnswerInsights | None) -> dict | None:
    """The JSON export's `insights` of one question (None when none were computed)."""
    return None if ins is None else ins.as_dict()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def markdown_lines(ins: AnswerInsights | None) -> list[str]:
    """The Markdown section of one question's insights (nothing when none were computed)."""
    if ins is None:
        return []
    lines = [f"#### {HEADING}", "", NOT_A_GRADE, "", f"- Length: {length_text(ins)}"]
    if ins.is_code:
        lines += ["- Code answer: talking points and terms are not matched in code.", ""]
        return lines
    if ins.covered or ins.missed:
        lines.append(f"- Talking points covered: {len(ins.covered)} of "
                     f"{len(ins.covered) + len(ins.missed)}")  # fmt: skip
        lines += [f"  - Covered: {p.label} — “{_one_line(p.sentence)}”" for p in ins.covered]
        lines += [f"  - Not mentioned: {p.label}" for p in ins.missed]
    else:
        lines.append("- Talking points: this version of the question has none.")
    lines.append(f"- Terms used: {', '.join(ins.terms_used) or 'none of the glossary'}")
    if ins.terms_unused:
        lines.append(f"- Terms not used: {', '.join(ins.terms_unused)}")
    if ins.top_words:
        lines.append(f"- Most-used words: {counted(ins.top_words)}")
    if ins.fillers:
        lines.append(f"- Filler phrases: {counted(ins.fillers)}")
    if ins.set_aside:
        lines.append(f"- Sentences counted for nothing: {len(ins.set_aside)}")
    lines.append("")
    return lines


def csv_rows(ins: AnswerInsights | None) -> list[tuple[str, str, str, str]]:
    """(key, title, label, detail) rows of one question's insights for the CSV export."""
    if ins is None:
        return []
    rows = [("length", "Length", "", length_text(ins))]
    rows += [(p.id, p.label, "covered", _one_line(p.sentence)) for p in ins.covered]
    rows += [(p.id, p.label, "missed", "") for p in ins.missed]
    if not ins.is_code:
        rows.append(("terms_used", "Terms used", "", "; ".join(ins.terms_used)))
        rows.append(("terms_unused", "Terms not used", "", "; ".join(ins.terms_unused)))
        rows.append(("top_words", "Most-used words", "", counted(ins.top_words)))
        rows.append(("fillers", "Filler phrases", "", counted(ins.fillers)))
    return rows
