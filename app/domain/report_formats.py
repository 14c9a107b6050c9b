"""The feedback report written out: JSON-ready data, Markdown and CSV.

Pure Python, like `app.domain.report`, which builds the `Report` these functions read;
nothing here derives a score, it only lays out what the report holds. Scores are shown
0-100 (rounded to 2 places in JSON and CSV, to whole points in Markdown); user text is
escaped for Markdown tables and neutralised against spreadsheet formulas in CSV.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from datetime import datetime

from app.domain import answer_formats, follow_up_formats, insight_formats, model_report
from app.domain.estimates import EstimateCheck
from app.domain.report import CoachReviewReport, CriterionSummary, Report, rounded
from app.domain.scoring import Level
from app.domain.untrusted import UNTRUSTED_NOTE, export_markdown


def format_score(score: float | None) -> str:
    """ "63/100", or "unscored"."""
    return "unscored" if score is None else f"{rounded(score)}/100"


def format_minutes(seconds: int) -> str:
    """Seconds as a short human duration: "45 s", "12 min", "1 h 05 min"."""
    if seconds < 60:
        return f"{seconds} s"
    minutes = int(math.floor(seconds / 60 + 0.5))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _num(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _level(level: Level | None) -> dict | None:
    if level is None:
        return None
    return {"value": level.value, "label": level.label, "descriptor": level.descriptor}


def _estimate(check: EstimateCheck | None) -> dict | None:
    if check is None:
        return None
    return {
        "status": check.status.value,
        "answer": check.answer,
        "answer_unit": check.answer_unit,
        "reference": check.reference,
        "reference_unit": check.reference_unit,
        "tolerance_pct": check.tolerance_pct,
        "ratio": _num(check.ratio, 4),
        "error_pct": _num(check.error_pct),
        "unit_mismatch": check.unit_mismatch,
    }


def to_dict(report: Report) -> dict:
    """The whole report as JSON-ready data (scores 0-100, rounded to 2 places)."""
    s = report.session
    return {
        "session": {
            "id": s.id,
            "stage": s.stage_key,
            "stage_name": s.stage_name,
            "format": s.format_name,
            "status": s.status,
            "started_at": _iso(s.started_at),
            "finished_at": _iso(s.finished_at),
            "ran_out_of_time": s.ran_out_of_time,
        },
        "scored_at": _iso(report.completed_at),
        "scale": "0-100: (level - min) / (max - min) * 100, weighted mean over scored criteria",
        "overall": _num(report.overall),
        "criteria": [
            {
                "key": c.key,
                "title": c.title,
                "score": _num(c.score),
                "verdict": c.verdict,
                "evidence": [
                    {
                        "question": e.position + 1,
                        "question_title": e.question_title,
                        "level": _level(e.level),
                        "top_level": e.top_level.value,
                        "score": _num(e.score),
                        "next_level": _level(e.next_level),
                        "note": e.note,
                    }
                    for e in c.evidence
                ],
                "unscored_in_questions": [p + 1 for p in c.unscored_positions],
            }
            for c in report.criteria
        ],
        "strengths": [c.key for c in report.strengths],
        "gaps": [c.key for c in report.gaps],
        "skills": [
            {"key": k.key, "name": k.name, "score": _num(k.score), "questions": k.question_count}
            for k in report.skills
        ],
        "questions": [
            {
                "number": q.question.position + 1,
                "title": q.question.title,
                "rubric": {"title": q.question.rubric_title, "version": q.question.rubric_version},
                "skills": [k.key for k in q.question.skills],
                "score": _num(q.result.score),
                "criteria": [
                    {
                        "key": r.criterion.key,
                        "title": r.criterion.title,
                        "weight": r.criterion.weight,
                        "level": _level(r.level),
                        "score": _num(r.score),
                        "note": r.note,
                    }
                    for r in q.result.results
                ],
                "time": {
                    "spent_seconds": q.time.spent_seconds,
                    "suggested_seconds": q.time.suggested_seconds,
                    "over": q.time.over,
                },
                "estimate": _estimate(q.question.estimate),
                "hints": {
                    "used": q.question.hints_used,
                    "total": q.question.hints_total,
                    # issue 18: only when hints cost time, so older exports stay as they were
                    **(
                        {"seconds_lost": q.question.hints_seconds_lost}
                        if q.question.hints_seconds_lost
                        else {}
                    ),
                },
                "insights": insight_formats.as_dict(q.question.insights),
                "code_tests": q.question.tests.to_dict() if q.question.tests else None,
                **(answer_formats.as_dict(q.question.answer) or {}),
                # issue 13: only when revealed, so older exports stay as they were
                **(
                    {"follow_ups": follow_up_formats.as_dicts(q.question.follow_ups)}
                    if q.question.follow_ups
                    else {}
                ),
            }
            for q in report.questions
        ],
        "time": {
            "spent_seconds": report.time_spent_seconds,
            "suggested_seconds": report.suggested_seconds,
            "ran_out_of_time": s.ran_out_of_time,
        },
        "estimates": {
            "checked": report.estimates.checked,
            "within_tolerance": report.estimates.within,
            "unanswered": report.estimates.unanswered,
        },
        "reflection": report.reflection,
        "practise_next": dict(report.practise_next),
        "coach_reviews": [_coach_dict(report, c) for c in report.coach_reviews],
        **(
            {"model_suggestions": model_report.as_dict(report.model_criteria)}
            if report.model_criteria
            else {}
        ),
    }


def _coach_dict(report: Report, review: CoachReviewReport) -> dict:
    return {
        "coach": review.coach_name,
        "revision": review.revision,
        "published_at": _iso(review.published_at),
        "overall": _num(review.overall),
        "self_overall": _num(report.overall),
        "gap": "self minus coach, over the answers both scored (levels and 0-100 points)",
        "criteria": [
            {
                "key": c.key,
                "title": c.title,
                "self_score": _num(c.self_score),
                "coach_score": _num(c.coach_score),
                "gap_levels": _num(c.gap_levels),
                "gap_points": _num(c.gap_points),
                "answers_compared": c.gap.pairs if c.gap else 0,
                "reading": c.gap.verdict if c.gap else None,
            }
            for c in review.criteria
        ],
        "questions": [
            {
                "number": q.question.position + 1,
                "title": q.question.title,
                "score": _num(result.score),
                "comment": review.answer_comments.get(q.question.position, ""),
                "criteria": [
                    {
                        "key": r.criterion.key,
                        "level": _level(r.level),
                        "self_level": _level(mine.level),
                        "score": _num(r.score),
                        "comment": r.note,
                    }
                    for r, mine in zip(result.results, q.result.results, strict=True)
                ],
            }
            for q, result in zip(report.questions, review.questions, strict=True)
        ],
        "strengths": review.strengths_md,
        "gaps": review.gaps_md,
        "next_steps": review.next_steps_md,
    }


def _cell(text: str) -> str:
    """Escape a Markdown table cell (pipes and line breaks; HTML defused, as user text)."""
    return " ".join(export_markdown(str(text)).replace("|", "\\|").split())


def to_markdown(report: Report) -> str:
    """The report as a Markdown document."""
    s = report.session
    lines = [
        f"# mockloop report: {s.format_name}",
        "",
        UNTRUSTED_NOTE,
        "",
        f"- Stage: {s.stage_name}",
        f"- Session: {s.id}, started {s.started_at:%Y-%m-%d %H:%M} UTC",
        f"- Ended: {'ran out of time' if s.ran_out_of_time else 'submitted'}",
        f"- Overall: {format_score(report.overall)}",
        "",
        "Scores are 0-100: (level - lowest) / (highest - lowest) x 100 per criterion, "
        "weighted by the rubric's weights; unscored criteria are left out.",
        "",
        "## Strengths",
        "",
    ]
    lines += _verdict_lines(report.strengths) or ["None yet."]
    lines += ["", "## Gaps", ""]
    lines += _verdict_lines(report.gaps) or ["None found."]
    lines += ["", "## Scores by criterion", "", "| Criterion | Score | Verdict |", "|---|---|---|"]
    lines += [
        f"| {_cell(c.title)} | {format_score(c.score)} | {c.verdict} |" for c in report.criteria
    ]
    lines += [
        "",
        "## Scores by skill area",
        "",
        "| Skill area | Score | Questions |",
        "|---|---|---|",
    ]
    lines += [
        f"| {_cell(k.name)} | {format_score(k.score)} | {k.question_count} |" for k in report.skills
    ]
    lines += ["", "## Questions", ""]
    for q in report.questions:
        qi = q.question
        lines += [
            f"### Question {qi.position + 1}: {qi.title}",
            "",
            f"- Score: {format_score(q.result.score)}",
            f"- Rubric: {qi.rubric_title} (version {qi.rubric_version})",
            f"- Time: {format_minutes(q.time.spent_seconds)} of "
            f"{format_minutes(q.time.suggested_seconds)} suggested"
            + (" (over)" if q.time.over else ""),
        ]
        if qi.hints_total:
            lines.append(f"- Hints: {qi.hints_line}")
        if qi.estimate is not None:
            lines.append(f"- Estimate: {_estimate_text(qi.estimate)}")
        if qi.tests is not None:
            lines.append(f"- Tests: {qi.tests.line} (run in the candidate's browser)")
        lines += ["", "| Criterion | Level | Score | Note |", "|---|---|---|---|"]
        for r in q.result.results:
            level = f"{r.level.label} ({r.level.value})" if r.level else "unscored"
            lines.append(
                f"| {_cell(r.criterion.title)} | {_cell(level)} | {format_score(r.score)} "
                f"| {_cell(r.note)} |"
            )
        lines.append("")
        lines += answer_formats.markdown_lines(qi.answer)
        lines += follow_up_formats.markdown_lines(qi.follow_ups)
        lines += insight_formats.markdown_lines(qi.insights)
    lines += [
        "## Time",
        "",
        f"{format_minutes(report.time_spent_seconds)} used of "
        f"{format_minutes(report.suggested_seconds)} suggested; "
        + ("the round ran out of time." if s.ran_out_of_time else "submitted before time ran out."),
        "",
    ]
    if report.estimates.checked or report.estimates.unanswered:
        e = report.estimates
        lines += [
            "## Estimates",
            "",
            f"{e.within} of {e.checked} checked estimates within tolerance"
            + (f"; {e.unanswered} without a number." if e.unanswered else "."),
            "",
        ]
    if report.reflection.strip():
        lines += ["## Reflection", "", export_markdown(report.reflection.strip()), ""]
    for review in report.coach_reviews:
        lines += _coach_markdown(report, review)
    if report.model_criteria:
        lines += model_report.markdown_lines(report.model_criteria, _cell)
    lines += ["## Practise next", ""]
    lines += _practise_next_lines(report.practise_next) or ["Nothing scheduled yet."]
    return "\n".join(lines).rstrip() + "\n"


def _signed(value: float | None, places: int = 1) -> str:
    if value is None:
        return "-"
    text = f"{round(value, places):+g}"
    return "0" if text in ("+0", "-0") else text


def _coach_markdown(report: Report, review: CoachReviewReport) -> list[str]:
    lines = [
        f"## Coach review: {review.coach_name}",
        "",
        f"Revision {review.revision}, published {review.published_at:%Y-%m-%d %H:%M} UTC. "
        f"Coach's overall: {format_score(review.overall)} "
        f"(yours: {format_score(report.overall)}).",
        "",
        "Gap = your score minus the coach's, over the answers you both scored.",
        "",
        "| Criterion | You | Coach | Gap (levels) | Gap (points) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {_cell(c.title)} | {format_score(c.self_score)} | {format_score(c.coach_score)} "
        f"| {_signed(c.gap_levels)} | {_signed(c.gap_points, 0)} |"
        for c in review.criteria
    ]
    lines.append("")
    for q, result in zip(report.questions, review.questions, strict=True):
        qi = q.question
        lines += [
            f"### Coach on question {qi.position + 1}: {qi.title}",
            "",
            "| Criterion | Your level | Coach's level | Coach's comment |",
            "|---|---|---|---|",
        ]
        for r, mine in zip(result.results, q.result.results, strict=True):
            yours = f"{mine.level.label} ({mine.level.value})" if mine.level else "unscored"
            theirs = f"{r.level.label} ({r.level.value})" if r.level else "unscored"
            cells = (r.criterion.title, yours, theirs, r.note)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        comment = review.answer_comments.get(qi.position, "").strip()
        if comment:
            lines += ["", export_markdown(comment)]
        lines.append("")
    for title, text in (
        ("Strengths", review.strengths_md),
        ("Gaps", review.gaps_md),
        ("Next steps", review.next_steps_md),
    ):
        if text.strip():
            lines += [f"### Coach's {title.lower()}", "", export_markdown(text.strip()), ""]
    return lines


def _verdict_lines(summaries: tuple[CriterionSummary, ...]) -> list[str]:
    lines = []
    for c in summaries:
        lines.append(f"- **{c.title}**: {c.verdict} ({format_score(c.score)})")
        for e in c.evidence:
            text = (
                f"  - Question {e.position + 1} ({e.question_title}): "
                f"{e.level.label}, level {e.level.value} of {e.top_level.value}"
            )
            if e.next_level is not None:
                text += f"; next level up, {e.next_level.label}: {e.next_level.descriptor}"
            lines.append(text)
    return lines


def _estimate_text(check: EstimateCheck) -> str:
    unit = f" {check.reference_unit}" if check.reference_unit else ""
    if check.answer is None:
        return f"{check.label} (reference {check.reference:g}{unit})"
    text = f"{check.answer:g} against {check.reference:g}{unit}"
    if check.tolerance_pct is not None:
        text += f" (±{check.tolerance_pct:g}%)"
    text += f": {check.label}"
    if check.ratio is not None:
        text += f", ratio {check.ratio:.2f}"
    if check.unit_mismatch:
        text += f" (your unit: {check.answer_unit})"
    return text


def _practise_next_lines(practise_next: Mapping) -> list[str]:
    lines = [
        f"- {item['title']} ({item['kind']}"
        + (
            f", recent score {rounded(item['recent_score'])}"
            if item.get("recent_score") is not None
            else ""
        )
        + ")"
        for item in practise_next.get("items", [])
    ]
    lines += [f"- Question: {q['title']}" for q in practise_next.get("questions", [])]
    return lines


CSV_HEADER = [
    "section",
    "question",
    "question_title",
    "key",
    "title",
    "level",
    "level_label",
    "score",
    "detail",
    "coach",
]


def _csv_safe(value) -> str:
    """Neutralise spreadsheet formulas in user text (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def to_csv(report: Report) -> str:
    """The report as CSV rows: one per question criterion, question, criterion, skill, overall."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)

    def row(section, number, qtitle, key, title, level, label, score, detail="", coach=""):
        writer.writerow(
            [
                section,
                number,
                _csv_safe(qtitle),
                key,
                _csv_safe(title),
                "" if level is None else level,
                _csv_safe(label),
                "" if score is None else f"{score:.2f}",
                _csv_safe(detail),
                _csv_safe(coach),
            ]
        )

    for q in report.questions:
        qi = q.question
        for r in q.result.results:
            row(
                "question_criterion",
                qi.position + 1,
                qi.title,
                r.criterion.key,
                r.criterion.title,
                r.level.value if r.level else None,
                r.level.label if r.level else "unscored",
                r.score,
                r.note,
            )
        detail = f"time {q.time.spent_seconds}s of {q.time.suggested_seconds}s"
        if qi.hints_total:
            detail += f"; hints {qi.hints_used} of {qi.hints_total}"
            if qi.hints_seconds_lost:
                detail += f" (-{qi.hints_seconds_lost}s)"
        if qi.estimate is not None:
            detail += f"; estimate {qi.estimate.status.value}"
            if qi.estimate.ratio is not None:
                detail += f" ratio {qi.estimate.ratio:.4f}"
        if qi.tests is not None:
            detail += f"; tests {qi.tests.line} (browser)"
        row("question", qi.position + 1, qi.title, "", "", None, "", q.result.score, detail)
        for key, text in answer_formats.csv_rows(qi.answer):
            row("question_text", qi.position + 1, qi.title, key, "", None, "", None, text)
        for key, prompt, when, answer in follow_up_formats.csv_rows(qi.follow_ups):
            row(
                "question_follow_up",
                qi.position + 1,
                qi.title,
                key,
                prompt,
                None,
                when,
                None,
                answer,
            )
        for key, title, label, text in insight_formats.csv_rows(qi.insights):
            row("question_mentions", qi.position + 1, qi.title, key, title, None, label, None, text)
    for c in report.criteria:
        row("criterion", "", "", c.key, c.title, None, c.verdict, c.score)
    for k in report.skills:
        row("skill", "", "", k.key, k.name, None, "", k.score, f"{k.question_count} questions")
    row("overall", "", "", "", "Overall", None, "", report.overall)
    for review in report.coach_reviews:
        who = f"{review.coach_name} (revision {review.revision})"
        for q, result in zip(report.questions, review.questions, strict=True):
            qi = q.question
            for r in result.results:
                row(
                    "coach_question_criterion",
                    qi.position + 1,
                    qi.title,
                    r.criterion.key,
                    r.criterion.title,
                    r.level.value if r.level else None,
                    r.level.label if r.level else "unscored",
                    r.score,
                    r.note,
                    who,
                )
            comment = review.answer_comments.get(qi.position, "")
            row(
                "coach_question",
                qi.position + 1,
                qi.title,
                "",
                "",
                None,
                "",
                result.score,
                comment,
                who,
            )
        for c in review.criteria:
            detail = f"self {_num(c.self_score)}; gap (self - coach) " + (
                f"{c.gap_levels:+.2f} levels, {c.gap_points:+.2f} points over {c.gap.pairs} answers"
                if c.gap
                else "none (not scored by both)"
            )
            row("coach_criterion", "", "", c.key, c.title, None, "", c.coach_score, detail, who)
        row("coach_overall", "", "", "", "Overall", None, "", review.overall, "", who)
        for key, text in (
            ("strengths", review.strengths_md),
            ("gaps", review.gaps_md),
            ("next_steps", review.next_steps_md),
        ):
            if text.strip():
                row("coach_summary", "", "", key, "", None, "", None, text.strip(), who)
    for section, number, key, title, level, label, score, detail in model_report.csv_rows(
        report.model_criteria
    ):
        row(section, number, "", key, title, level, label, score, detail, "model")
    return out.getvalue()
