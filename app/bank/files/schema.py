"""The schema of the bank files: every record's fields, limits and defaults, declared once.

The files (`reading.read_bank`) and the admin editor (`app.bank.questions`,
`app.bank.rubrics`, `app.bank.formats`) check documents with these records, so the
browser and the files obey the same rules. To add a field to a kind of record, add it to
that record's declaration below (QUESTION_FIELDS for a question, SKILL for a skill area);
the checker, the unknown-key message and the file order follow from it.
"""

from __future__ import annotations

from typing import Any

from app.bank.files.checks import (
    INVALID,
    Check,
    Field,
    LineDict,
    boolean,
    choice,
    integer,
    line_of,
    list_of,
    number,
    record,
    slug,
    text,
    time_of_day,
)
from app.config import DEFAULT_GRACE_SECONDS
from app.domain import codetests

QUESTION_STATUSES = ("draft", "published", "archived")
DIFFICULTIES = ("easy", "medium", "hard")
ANSWER_KINDS = ("text", "code", "estimate", "deliverable")
EXPIRY_POLICIES = ("auto_submit", "grace_then_close")

MAX_PROMPT_CHARS = 20_000
MAX_MARKDOWN_CHARS = 20_000
MAX_DESCRIPTION_CHARS = 5_000
MAX_ITEM_CHARS = 2_000  # one hint, follow-up or level descriptor
MAX_MINUTES = 10_080  # a week
MAX_GAP_MINUTES = 43_200  # thirty days

MAX_FOLLOW_UPS_SHOWN = 5  # a format's follow_ups: at least one, as a panel asks
MAX_HINT_COST_MINUTES = 30  # a format's hint_cost_minutes: whole minutes per hint (issue 18)
KEY_LIMITS = {"stage": 40, "skill": 40, "rubric": 60, "question": 80, "format": 60, "loop": 60}


def _check_levels(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    ok = True
    levels = out["levels"]
    raw_levels = obj.get("levels") if isinstance(obj, dict) else None
    lines = getattr(raw_levels, "item_lines", [])
    for i in range(1, len(levels)):
        if levels[i]["value"] <= levels[i - 1]["value"]:
            line = lines[i] if i < len(lines) else line_of(obj, "levels")
            ck.add(
                line,
                f"criterion '{out['key']}': level values must increase "
                f"({levels[i - 1]['value']} then {levels[i]['value']})",
                (*path, "levels", i, "value"),
            )
            ok = False
    return ok


LEVEL = record(
    {
        "value": Field(integer(0, 100)),
        "label": Field(text(60)),
        "descriptor": Field(text(MAX_ITEM_CHARS)),
    }
)
CRITERION = record(
    {
        "key": Field(slug(60)),
        "title": Field(text(200)),
        "description": Field(text(MAX_DESCRIPTION_CHARS)),
        "weight": Field(number(positive=True, maximum=100), required=False, default=1.0),
        "levels": Field(list_of(LEVEL, min_items=2, max_items=10)),
    },
    after=_check_levels,
)


def _check_criteria_keys(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    seen: set[str] = set()
    ok = True
    raw = obj.get("criteria") if isinstance(obj, dict) else None
    lines = getattr(raw, "item_lines", [])
    for i, criterion in enumerate(out["criteria"]):
        if criterion["key"] in seen:
            line = lines[i] if i < len(lines) else line_of(obj, "criteria")
            ck.add(
                line,
                f"criterion key '{criterion['key']}' is used twice in this rubric",
                (*path, "criteria", i, "key"),
            )
            ok = False
        seen.add(criterion["key"])
    bar = out.get("hire_bar")
    if bar is not None:
        for criterion in out["criteria"]:
            values = [lv["value"] for lv in criterion["levels"]]
            if bar not in values:
                ck.add(
                    line_of(obj, "hire_bar"),
                    f"hire_bar {bar} is not a level of criterion '{criterion['key']}' "
                    f"(its levels are {', '.join(str(v) for v in values)})",
                    (*path, "hire_bar"),
                )
                ok = False
                break
    return ok


RUBRIC = record(
    {
        "key": Field(slug(KEY_LIMITS["rubric"])),
        "title": Field(text(200)),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
        "archived": Field(boolean, False, False),
        "criteria": Field(list_of(CRITERION, min_items=1, max_items=30)),
        # the level value that meets the hire bar (issue 18): strengths, gaps and
        # readiness follow it; without one the report keeps its fixed 75/50 thresholds
        "hire_bar": Field(integer(0, 1000), False, None),
    },
    after=_check_criteria_keys,
)

ESTIMATE_FIELDS = ("value", "unit", "tolerance_pct", "worked_answer")


def _check_answer(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    kind = out["kind"]
    ok = True
    if kind == "code" and out["language"] is None:
        ck.add(line_of(obj), "a code answer needs a 'language' (e.g. python)", (*path, "language"))
        ok = False
    if kind != "code" and out["language"] is not None:
        ck.add(
            line_of(obj, "language"),
            f"'language' only applies to code answers, not {kind}",
            (*path, "language"),
        )
        ok = False
    for name in ESTIMATE_FIELDS:
        if kind == "estimate" and out[name] is None:
            ck.add(line_of(obj), f"an estimate answer needs '{name}'", (*path, name))
            ok = False
        if kind != "estimate" and out[name] is not None:
            ck.add(
                line_of(obj, name),
                f"'{name}' only applies to estimate answers, not {kind}",
                (*path, name),
            )
            ok = False
    return ok


ANSWER = record(
    {
        "kind": Field(choice(ANSWER_KINDS)),
        "language": Field(text(32), False),
        "value": Field(number(maximum=1e15), False),
        "unit": Field(text(40), False),
        "tolerance_pct": Field(number(positive=True, maximum=1000), False),
        "worked_answer": Field(text(MAX_MARKDOWN_CHARS), False),
    },
    after=_check_answer,
)

# --- talking points (issue 13): what a strong answer covers, matched by app.domain.insights
MIN_TALKING_POINTS, MAX_TALKING_POINTS = 3, 8
MAX_POINT_LABEL_CHARS = 200
MAX_PHRASES = 10
MAX_PHRASE_CHARS = 80  # one key phrase of a talking point, or one glossary term
MAX_GLOSSARY_TERMS = 50

TALKING_POINT = record(
    {
        "id": Field(slug(60)),
        "label": Field(text(MAX_POINT_LABEL_CHARS, one_line=True)),
        "phrases": Field(
            list_of(
                text(MAX_PHRASE_CHARS, one_line=True),
                min_items=1,
                max_items=MAX_PHRASES,
                unique=True,
            )
        ),
    }
)


def _check_question(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    """Talking-point ids are unique within the question; a published question needs points."""
    ok = True
    points = out["talking_points"]
    raw = obj.get("talking_points") if isinstance(obj, dict) else None
    lines = getattr(raw, "item_lines", [])
    seen: set[str] = set()
    for i, point in enumerate(points):
        if point["id"] in seen:
            line = lines[i] if i < len(lines) else line_of(obj, "talking_points")
            ck.add(
                line,
                f"talking point id '{point['id']}' is used twice in this question",
                (*path, "talking_points", i, "id"),
            )
            ok = False
        seen.add(point["id"])
    if out["status"] == "published" and not points:
        ck.add(
            line_of(obj, "status"),
            f"a published question needs 'talking_points' ({MIN_TALKING_POINTS} to "
            f"{MAX_TALKING_POINTS} points a strong answer covers); add them, or keep it a draft",
            (*path, "talking_points"),
        )
        ok = False
    return ok


# --- code tests (issue 12): a code question's `tests` block ------------------------------
# The rules live in app/domain/codetests.py; here they only meet the file reader's lines.


class TestsDoc(LineDict):
    """A checked `tests` block in file layout that remembers each case's line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_lines: dict[tuple[str, int], int] = {}


def code_tests(ck: Check, value: Any, line: int, path: tuple) -> Any:
    """The `tests` field: shape, values and comparison rules (counts: `_check_tests_use`)."""
    checked, problems = codetests.check_tests(value, published=False, path=path, line=line)
    for problem in problems:
        ck.add(problem.line, str(problem), problem.path)
    if checked is None:
        return INVALID
    doc = TestsDoc(codetests.tests_doc(checked))
    doc.line = getattr(value, "line", 0) or line
    for which in codetests.SETS:
        cases = value[which]
        lines = getattr(cases, "item_lines", [])
        for i in range(len(cases)):
            doc.case_lines[(which, i)] = lines[i] if i < len(lines) else doc.line
    return doc


def _check_tests_use(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    """`tests` only on code answers; a published code question needs enough of them."""
    tests, kind = out.get("tests"), out["answer"]["kind"]
    if tests is not None and kind != "code":
        ck.add(
            line_of(obj, "tests"), f"'tests' only applies to code answers, not {kind}", ("tests",)
        )
        return False
    if kind != "code" or out["status"] != "published":
        return True
    if tests is None:
        ck.add(
            line_of(obj, "answer"),
            "a published code question needs 'tests' (see question_bank/README.md)",
            ("tests",),
        )
        return False
    ok = True
    for which, minimum in (("examples", codetests.MIN_EXAMPLES), ("hidden", codetests.MIN_HIDDEN)):
        if len(tests[which]) < minimum:
            where = getattr(obj.get("tests"), "key_lines", {}).get(which, line_of(obj, "tests"))
            ck.add(
                where,
                f"tests.{which}: a published question needs at least {minimum} "
                f"(has {len(tests[which])})",
                ("tests", which),
            )
            ok = False
    return ok


# --- a question's fields: THE place to declare one ------------------------------------
# Declaration order is the order of the fields in a question file (`writing.dump_yaml`).
# A new field also needs its column in app/models/bank.py (QuestionVersion), its line in
# app/bank/documents.py (question_doc) and app/bank/versions.py (add_question_version),
# and, if admins edit it, a field in app/bank/forms/questions.py.

QUESTION_FIELDS: dict[str, Field] = {
    "key": Field(slug(KEY_LIMITS["question"])),
    "stage": Field(slug(KEY_LIMITS["stage"])),
    "status": Field(choice(QUESTION_STATUSES), False, "published"),
    "title": Field(text(200)),
    "skills": Field(list_of(slug(KEY_LIMITS["skill"]), min_items=1, max_items=9, unique=True)),
    "difficulty": Field(choice(DIFFICULTIES)),
    "rubric": Field(slug(KEY_LIMITS["rubric"])),
    "suggested_minutes": Field(integer(1, MAX_MINUTES)),
    "tags": Field(list_of(slug(40), max_items=20, unique=True), False, []),
    "prompt": Field(text(MAX_PROMPT_CHARS)),
    "answer": Field(ANSWER),
    "tests": Field(code_tests, False),  # code answers only (issue 12)
    "hints": Field(list_of(text(MAX_ITEM_CHARS), min_items=2, max_items=20)),
    "follow_ups": Field(list_of(text(MAX_ITEM_CHARS), min_items=2, max_items=20)),
    "good_answer": Field(text(MAX_MARKDOWN_CHARS)),
    # optional for drafts, required for published questions (_check_question)
    "talking_points": Field(
        list_of(TALKING_POINT, min_items=MIN_TALKING_POINTS, max_items=MAX_TALKING_POINTS),
        False,
        [],
    ),
}


def _check_question_rules(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    """Every cross-field rule of a question: its talking points and its code tests."""
    points_ok = _check_question(ck, out, obj, path)
    return _check_tests_use(ck, out, obj, path) and points_ok


QUESTION = record(QUESTION_FIELDS, after=_check_question_rules)
QUESTION_ORDER = tuple(QUESTION_FIELDS)

# --- the other records ---------------------------------------------------------------------


def _check_first_kind(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    """A format's `first_kind` must be one of its `answer_kinds` when it lists any."""
    first, kinds = out["first_kind"], out["answer_kinds"]
    if first is not None and kinds and first not in kinds:
        ck.add(
            line_of(obj, "first_kind"),
            f"'first_kind' {first!r} is not one of this format's answer_kinds",
            (*path, "first_kind"),
        )
        return False
    return True


STAGE = record(
    {
        "key": Field(slug(KEY_LIMITS["stage"])),
        "name": Field(text(120)),
        "default_minutes": Field(integer(1, MAX_MINUTES)),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
    }
)


def _check_glossary(ck: Check, out: dict, obj: Any, path: tuple) -> bool:
    """A glossary lists each term once, whatever its case ("KV cache" and "kv cache")."""
    ok = True
    raw = obj.get("glossary") if isinstance(obj, dict) else None
    lines = getattr(raw, "item_lines", [])
    seen: dict[str, str] = {}
    for i, term in enumerate(out["glossary"]):
        folded = " ".join(term.casefold().split())
        if folded in seen:
            line = lines[i] if i < len(lines) else line_of(obj, "glossary")
            ck.add(
                line,
                f"skill '{out['key']}': glossary term {term!r} repeats {seen[folded]!r}",
                (*path, "glossary", i),
            )
            ok = False
        seen.setdefault(folded, term)
    return ok


# a skill area's fields: THE place to declare one
SKILL = record(
    {
        "key": Field(slug(KEY_LIMITS["skill"])),
        "name": Field(text(120)),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
        # job-related terms of the area (issue 13): insights list those an answer used
        "glossary": Field(
            list_of(
                text(MAX_PHRASE_CHARS, one_line=True),
                min_items=1,
                max_items=MAX_GLOSSARY_TERMS,
                unique=True,
            ),
            False,
            [],
        ),
    },
    after=_check_glossary,
)
FORMAT = record(
    {
        "key": Field(slug(KEY_LIMITS["format"])),
        "name": Field(text(120)),
        "stage": Field(slug(KEY_LIMITS["stage"])),
        "minutes": Field(integer(1, MAX_MINUTES)),
        "questions": Field(integer(1, 50)),
        "answer_kinds": Field(list_of(choice(ANSWER_KINDS), max_items=4, unique=True), False, []),
        "first_kind": Field(choice(ANSWER_KINDS), False),
        "expiry": Field(choice(EXPIRY_POLICIES), False, "auto_submit"),
        "grace_seconds": Field(integer(0, 86_400), False, DEFAULT_GRACE_SECONDS),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
        "archived": Field(boolean, False, False),
        # follow-up questions a round reveals per question (issue 13); absent: the stage's
        # default (app.domain.follow_ups.default_count: 2 for design and deep dives, else 1)
        "follow_ups": Field(integer(1, MAX_FOLLOW_UPS_SHOWN), False),
        # minutes each hint opened in a round takes off its deadline (issue 18); 0: free
        "hint_cost_minutes": Field(integer(0, MAX_HINT_COST_MINUTES), False, 0),
    },
    after=_check_first_kind,
)
STEP = record(
    {
        "format": Field(slug(KEY_LIMITS["format"])),
        "label": Field(text(120, allow_empty=True), False, ""),
        "gap_minutes": Field(integer(0, MAX_GAP_MINUTES), False, 0),
        "opens_at": Field(time_of_day, False),
    }
)
LOOP = record(
    {
        "key": Field(slug(KEY_LIMITS["loop"])),
        "name": Field(text(120)),
        "description": Field(text(MAX_DESCRIPTION_CHARS, allow_empty=True), False, ""),
        "archived": Field(boolean, False, False),
        "steps": Field(list_of(STEP, min_items=1, max_items=20)),
    }
)

LIST_FILES = {  # file name -> (top-level key, item schema, kind of key)
    "stages.yaml": ("stages", STAGE, "stage"),
    "skills.yaml": ("skills", SKILL, "skill"),
    "formats.yaml": ("formats", FORMAT, "format"),
    "loops.yaml": ("loops", LOOP, "loop"),
}

# --- references between records ----------------------------------------------------------


def check_question_refs(
    ck: Check, question: dict, stage_keys: set, skill_keys: set, rubric_keys: set
) -> bool:
    """Cross-references of one question: its stage, skills and rubric must exist.

    Tolerates a document that failed its schema (values of the wrong type are skipped),
    so the editor can report every problem at once.
    """
    ok = True
    stage = question.get("stage")
    if isinstance(stage, str) and stage not in stage_keys:
        ck.add(line_of(question, "stage"), f"unknown stage '{stage}'", ("stage",))
        ok = False
    skills = question.get("skills")
    lines = getattr(skills, "item_lines", [])
    for i, key in enumerate(skills if isinstance(skills, list) else []):
        if isinstance(key, str) and key not in skill_keys:
            line = lines[i] if i < len(lines) else line_of(question, "skills")
            ck.add(line, f"unknown skill '{key}' (see skills.yaml)", ("skills",))
            ok = False
    rubric = question.get("rubric")
    if isinstance(rubric, str) and rubric not in rubric_keys:
        ck.add(
            line_of(question, "rubric"),
            f"unknown rubric '{rubric}' (no rubrics/{rubric}.yaml)",
            ("rubric",),
        )
        ok = False
    return ok
