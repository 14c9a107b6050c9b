"""Helpers for bank editor tests: load the fixture bank, build form payloads, count queries."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, select

from app.bank import transfer
from app.bank.files import reading, writing
from app.clock import utcnow
from app.extensions import db
from app.models.bank import Question, Rubric
from tests.bank.conftest import FIXTURE_BANK


def load_fixture_bank() -> None:
    """Import tests/questions/fixtures/bank (call inside an app context)."""
    files = reading.read_bank(FIXTURE_BANK)
    assert files.ok, [str(p) for p in files.problems]
    transfer.import_bank(files, now=utcnow())


def question_id(key: str) -> int:
    return db.session.scalar(select(Question.id).where(Question.key == key))


def rubric_id(key: str) -> int:
    return db.session.scalar(select(Rubric.id).where(Rubric.key == key))


def question_form(doc: dict, **changes) -> dict:
    """Form fields for a question document (as the editor page would post them)."""
    answer = doc["answer"]
    data = {
        "action": "save",
        "key": doc["key"],
        "title": doc["title"],
        "stage": doc["stage"],
        "skills": list(doc["skills"]),
        "difficulty": doc["difficulty"],
        "rubric": doc["rubric"],
        "suggested_minutes": str(doc["suggested_minutes"]),
        "tags": ", ".join(doc.get("tags") or []),
        "prompt": doc["prompt"],
        "answer_kind": answer["kind"],
        "code_language": answer.get("language") or "",
        "estimate_value": "" if answer.get("value") is None else f"{answer['value']:g}",
        "estimate_unit": answer.get("unit") or "",
        "estimate_tolerance_pct": ""
        if answer.get("tolerance_pct") is None
        else f"{answer['tolerance_pct']:g}",
        "worked_answer": answer.get("worked_answer") or "",
        "good_answer": doc["good_answer"],
        "talking_points": writing.dump_yaml(doc["talking_points"])
        if doc.get("talking_points")
        else "",
        "tests_yaml": writing.dump_yaml(writing.tests_file_doc(doc["tests"]))
        if doc.get("tests")
        else "",
        "change_note": "",
    }
    for i, hint in enumerate(doc["hints"]):
        data[f"hints-{i}"] = hint
    for i, follow_up in enumerate(doc["follow_ups"]):
        data[f"follow_ups-{i}"] = follow_up
    data.update(changes)
    return data


def rubric_form(doc: dict, **changes) -> dict:
    """Form fields for a rubric document."""
    data = {
        "action": "save",
        "key": doc["key"],
        "title": doc["title"],
        "description": doc.get("description") or "",
        "change_note": "",
    }
    for i, criterion in enumerate(doc["criteria"]):
        prefix = f"criteria-{i}-"
        data[prefix + "key"] = criterion["key"]
        data[prefix + "title"] = criterion["title"]
        data[prefix + "description"] = criterion["description"]
        data[prefix + "weight"] = f"{criterion.get('weight', 1):g}"
        for j, level in enumerate(criterion["levels"]):
            data[f"{prefix}levels-{j}-value"] = str(level["value"])
            data[f"{prefix}levels-{j}-label"] = level["label"]
            data[f"{prefix}levels-{j}-descriptor"] = level["descriptor"]
    data.update(changes)
    return data


@contextmanager
def count_queries(app):
    """Count SQL statements executed inside the block: `with count_queries(app) as n: ...`."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
