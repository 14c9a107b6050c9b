"""Property-based tests: random documents at the validator, random forms at the editor."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.bank import questions, rubrics
from app.bank.documents import question_doc, rubric_doc
from app.bank.files import checks, reading, schema, writing
from app.extensions import db
from app.models.bank import Question, QuestionVersion, Rubric, RubricVersion
from tests.bank.bankdata import (
    load_fixture_bank,
    question_form,
    question_id,
    rubric_form,
    rubric_id,
)
from tests.bank.conftest import FIXTURE_BANK

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["draft", "text", "code", "estimate", "system_design", "design", "09:00"]),
)
FIELD_NAMES = st.sampled_from(
    [
        "key",
        "stage",
        "status",
        "title",
        "skills",
        "difficulty",
        "rubric",
        "suggested_minutes",
        "prompt",
        "answer",
        "hints",
        "follow_ups",
        "good_answer",
        "tags",
        "kind",
        "value",
        "unit",
        "tolerance_pct",
        "worked_answer",
        "language",
        "criteria",
        "levels",
        "descriptor",
        "label",
        "weight",
        "steps",
        "format",
        "opens_at",
        "stages",
        "skills",
    ]
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(FIELD_NAMES, st.text(max_size=10)), children, max_size=8),
    ),
    max_leaves=30,
)
VALID_QUESTION = yaml.safe_load(
    (FIXTURE_BANK / "questions/system_design/gpu-cost.yaml").read_text()
)
SCHEMAS = [schema.QUESTION, schema.RUBRIC, schema.STAGE, schema.FORMAT, schema.LOOP]


def check(text: str, schema) -> None:
    result, problems = reading.check_document(text, "f.yaml", schema)
    assert (result is checks.INVALID) == bool(problems)
    for problem in problems:
        assert problem.line >= 1 and str(problem).startswith(f"f.yaml:{problem.line}: ")
    if result is not checks.INVALID:  # a valid document stays valid when read again
        again, more = reading.check_document(writing.dump_yaml(result), "f.yaml", schema)
        assert more == [] and again == result


@SETTINGS
@given(doc=documents, schema=st.sampled_from(SCHEMAS))
def test_validator_never_raises_on_random_documents(doc, schema):
    check(yaml.safe_dump(doc, allow_unicode=True), schema)


@SETTINGS
@given(text=st.text(max_size=300))
def test_validator_never_raises_on_random_text(text):
    check(text, schema.QUESTION)


@SETTINGS
@given(
    field=st.sampled_from(sorted(VALID_QUESTION) + ["answer.kind", "answer.value", "extra"]),
    value=documents,
)
def test_validator_on_a_valid_question_with_one_field_changed(field, value):
    doc = yaml.safe_load(yaml.safe_dump(VALID_QUESTION))
    if field.startswith("answer."):
        doc["answer"][field.split(".")[1]] = value
    else:
        doc[field] = value
    check(yaml.safe_dump(doc, allow_unicode=True), schema.QUESTION)


@settings(max_examples=25, deadline=None)
@given(text=st.text(max_size=200), name=st.sampled_from(["stages.yaml", "rubrics/design.yaml"]))
def test_read_bank_never_raises(tmp_path_factory, text, name):
    import shutil

    root = tmp_path_factory.mktemp("bank")
    shutil.copytree(FIXTURE_BANK, root, dirs_exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    files = reading.read_bank(root)
    assert files.ok or all(p.line >= 1 for p in files.problems)


# --- the editor ---------------------------------------------------------------------------

form_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e999",
            "nan",
            "inf",
            "10",
            "99999999999999999999",
            "design",
            "coding",
            "nope",
            "system_design",
            "estimate",
            "code",
            "\x00",
        ]
    ),
)
QUESTION_KEYS = [
    "key",
    "title",
    "stage",
    "skills",
    "difficulty",
    "rubric",
    "suggested_minutes",
    "tags",
    "prompt",
    "answer_kind",
    "code_language",
    "estimate_value",
    "estimate_unit",
    "estimate_tolerance_pct",
    "worked_answer",
    "good_answer",
    "change_note",
    "hints-0",
    "hints-1",
    "hints-7",
    "follow_ups-0",
    "follow_ups-1",
    "action",
]


def snapshot(model, parent_model) -> tuple:
    return (
        db.session.scalar(select(func.count(model.id))),
        db.session.scalar(select(func.count(parent_model.id))),
        tuple(
            db.session.scalars(select(parent_model.current_version_id).order_by(parent_model.id))
        ),
    )


@SETTINGS
@given(changes=st.dictionaries(st.sampled_from(QUESTION_KEYS), form_text, max_size=8))
def test_random_question_form_never_500_never_partial(app, client, login_as, changes):
    if not hasattr(app, "_bank_ready"):
        with app.app_context():
            load_fixture_bank()
        login_as("admin")
        app._bank_ready = True
    with app.app_context():
        qid = question_id("gpu-cost")
        doc = question_doc(db.session.get(Question, qid))
        before = snapshot(QuestionVersion, Question)
    data = question_form(doc, **changes)
    response = client.post(f"/admin/bank/questions/{qid}/edit", data=data)
    assert response.status_code in (200, 302, 422)
    with app.app_context():
        after = snapshot(QuestionVersion, Question)
        question = db.session.get(Question, qid)
        if response.status_code == 302:
            assert after[0] in (before[0], before[0] + 1)
            questions.check_question_doc(question_doc(question))  # saved = valid
        else:
            assert after == before
    created = client.post("/admin/bank/questions/new", data=data)
    assert created.status_code in (200, 302, 422)
    with app.app_context():
        now = snapshot(QuestionVersion, Question)
        grew = now[0] - after[0], now[1] - after[1]
        assert grew == ((1, 1) if created.status_code == 302 else (0, 0))


RUBRIC_KEYS = [
    "key",
    "title",
    "description",
    "change_note",
    "action",
    "criteria-0-key",
    "criteria-0-title",
    "criteria-0-description",
    "criteria-0-weight",
    "criteria-0-levels-0-value",
    "criteria-0-levels-1-value",
    "criteria-0-levels-1-label",
    "criteria-0-levels-1-descriptor",
    "criteria-1-levels-5-value",
    "criteria-3-key",
]


@SETTINGS
@given(changes=st.dictionaries(st.sampled_from(RUBRIC_KEYS), form_text, max_size=6))
def test_random_rubric_form_never_500_never_partial(app, client, login_as, changes):
    if not hasattr(app, "_bank_ready"):
        with app.app_context():
            load_fixture_bank()
        login_as("admin")
        app._bank_ready = True
    with app.app_context():
        rid = rubric_id("design")
        doc = rubric_doc(db.session.get(Rubric, rid))
        before = snapshot(RubricVersion, Rubric)
    response = client.post(f"/admin/bank/rubrics/{rid}/edit", data=rubric_form(doc, **changes))
    assert response.status_code in (200, 302, 422)
    with app.app_context():
        after = snapshot(RubricVersion, Rubric)
        if response.status_code == 302:
            assert after[0] in (before[0], before[0] + 1)
            rubrics.check_rubric_doc(rubric_doc(db.session.get(Rubric, rid)))
        else:
            assert after == before


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "stage", "skill", "status", "page"]), form_text, max_size=4
    )
)
def test_random_list_filters_never_500(app, client, login_as, params):
    if not hasattr(app, "_bank_ready"):
        with app.app_context():
            load_fixture_bank()
        login_as("admin")
        app._bank_ready = True
    assert client.get("/admin/bank/questions", query_string=params).status_code == 200
    assert client.get("/questions/", query_string=params).status_code == 200
