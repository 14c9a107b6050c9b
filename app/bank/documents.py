"""Questions, rubrics, round formats and loop plans in the file layout (plain dicts).

The editor fills its forms from these documents, the import compares them to decide
whether a file changed, and the export writes them. `question_content` and
`rubric_content` are what makes one version differ from another.
"""

from __future__ import annotations

import json
from typing import Any

from app.models.bank import LoopPlan, Question, QuestionVersion, RoundFormat, Rubric, RubricVersion


def question_doc(question: Question, version: QuestionVersion | None = None) -> dict:
    """A question (its current version unless `version` is given) in the file layout."""
    v = version or question.current_version
    answer: dict[str, Any] = {
        "kind": v.answer_kind,
        "language": v.code_language if v.answer_kind == "code" else None,
        "value": None,
        "unit": None,
        "tolerance_pct": None,
        "worked_answer": None,
    }
    if v.answer_kind == "estimate":
        answer.update(
            value=v.estimate_value,
            unit=v.estimate_unit,
            tolerance_pct=v.estimate_tolerance_pct,
            worked_answer=v.worked_answer_md or None,
        )
    return {
        "key": question.key,
        "stage": v.stage_key,
        "status": question.status,
        "title": v.title,
        "skills": [s.key for s in v.skills],
        "difficulty": v.difficulty,
        "rubric": v.rubric.key,
        "suggested_minutes": v.suggested_minutes,
        "tags": list(v.tags or []),
        "prompt": v.prompt_md,
        "answer": answer,
        "hints": list(v.hints or []),
        "follow_ups": list(v.follow_ups or []),
        "good_answer": v.good_answer_md,
        "tests": v.code_tests if v.answer_kind == "code" else None,
        "talking_points": [_point_doc(p) for p in v.talking_points or []],
    }


def _point_doc(point: dict) -> dict:
    """One talking point in file order, as plain values."""
    return {
        "id": point["id"],
        "label": point["label"],
        "phrases": list(point.get("phrases") or []),
    }


def plain_tests(tests: dict | None) -> dict | None:
    """A checked tests block as plain JSON values for the version's JSON column."""
    return None if tests is None else json.loads(json.dumps(tests))


def question_content(doc: dict) -> dict:
    """What makes a question version differ from another: the doc without key and status."""
    content = {k: v for k, v in doc.items() if k not in ("key", "status")}
    content["skills"] = sorted(content["skills"])
    content["answer"] = {k: _plain(v) for k, v in doc["answer"].items()}
    content["tests"] = plain_tests(doc.get("tests"))
    for name in ("hints", "follow_ups", "tags"):
        content[name] = list(content.get(name) or [])
    content["talking_points"] = [_point_doc(p) for p in content.get("talking_points") or []]
    return content


def _plain(value: Any) -> Any:
    """A whole number as a float, so 3 and 3.0 in a file are the same content."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def rubric_doc(rubric: Rubric, version: RubricVersion | None = None) -> dict:
    """A rubric (its current version unless `version` is given) in the file layout."""
    v = version or rubric.current_version
    return {
        "key": rubric.key,
        "title": v.title,
        "description": v.description or "",
        "archived": rubric.archived,
        "criteria": [_criterion_doc(c) for c in v.criteria],
        **({"hire_bar": v.hire_bar} if v.hire_bar is not None else {}),
    }


def _criterion_doc(criterion: dict) -> dict:
    """One rubric criterion with its levels, in file order."""
    return {
        "key": criterion["key"],
        "title": criterion["title"],
        "description": criterion.get("description", ""),
        "weight": float(criterion.get("weight", 1.0)),
        "levels": [
            {"value": lv["value"], "label": lv["label"], "descriptor": lv["descriptor"]}
            for lv in criterion["levels"]
        ],
    }


def rubric_content(doc: dict) -> dict:
    """What makes a rubric version differ from another."""
    return {
        "title": doc["title"],
        "description": doc.get("description") or "",
        "criteria": [_criterion_doc(c) for c in doc["criteria"]],
        "hire_bar": doc.get("hire_bar"),
    }


def format_doc(fmt: RoundFormat) -> dict:
    """A round format in the file layout."""
    return {
        "key": fmt.key,
        "name": fmt.name,
        "stage": fmt.stage_key,
        "minutes": fmt.duration_minutes,
        "questions": fmt.question_count,
        "answer_kinds": list(fmt.answer_kinds or []),
        "first_kind": fmt.first_kind,
        "expiry": fmt.expiry_policy,
        "grace_seconds": fmt.grace_seconds,
        "description": fmt.description or "",
        "archived": fmt.archived,
        "hint_cost_minutes": fmt.hint_cost_minutes or 0,
    }


def loop_doc(plan: LoopPlan) -> dict:
    """A loop plan in the file layout."""
    return {
        "key": plan.key,
        "name": plan.name,
        "description": plan.description or "",
        "archived": plan.archived,
        "steps": [
            {
                "format": s.round_format.key,
                "label": s.label or "",
                "gap_minutes": s.gap_minutes,
                "opens_at": s.opens_at,
            }
            for s in plan.steps
        ],
    }
