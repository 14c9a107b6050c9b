"""Talking points and glossaries survive import and export, and changing them is a change."""

from __future__ import annotations

from sqlalchemy import func, select

from app.bank.files import reading
from app.extensions import db
from app.models.bank import GlossaryVersion, Question, SkillArea
from tests.bank.conftest import replace_in

FS = "questions/system_design/feature-store.yaml"


def test_import_stores_points_with_the_version_and_glossary_with_the_skill(
    app, bank_dir, import_bank
):
    assert import_bank(bank_dir).exit_code == 0
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == "feature-store"))
        assert question.current_version.talking_points[1] == {
            "id": "point_in_time",
            "label": "Keeps training joins point-in-time correct",
            "phrases": ["point-in-time", "as-of join", "leakage"],
        }
        skill = db.session.get(SkillArea, "inference_cost")
        assert skill.glossary == ["KV cache", "tokens per second", "$/M tokens"]
        assert db.session.get(SkillArea, "algorithmic_coding").glossary == []


def test_changed_points_make_a_new_version_the_old_one_keeps_them(app, bank_dir, import_bank):
    import_bank(bank_dir)
    replace_in(bank_dir / FS, '"as-of join"', '"as-of join", "event time"')
    result = import_bank(bank_dir)
    assert "questions: 0 added, 1 changed, 2 unchanged" in result.output
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == "feature-store"))
        v1, v2 = question.versions
        assert v1.talking_points[1]["phrases"] == ["point-in-time", "as-of join", "leakage"]
        assert v2.talking_points[1]["phrases"] == [
            "point-in-time",
            "as-of join",
            "event time",
            "leakage",
        ]


def test_changed_glossary_changes_the_skill(app, bank_dir, import_bank):
    import_bank(bank_dir)
    replace_in(bank_dir / "skills.yaml", '      - "$/M tokens"', '      - "batching"')
    result = import_bank(bank_dir)
    assert "skills: 0 added, 1 changed, 2 unchanged" in result.output
    with app.app_context():
        assert db.session.get(SkillArea, "inference_cost").glossary[-1] == "batching"
        versions = db.session.scalars(
            select(GlossaryVersion)
            .where(GlossaryVersion.skill_key == "inference_cost")
            .order_by(GlossaryVersion.number)
        ).all()
        # the old terms stay as version 1 (old rounds read them); the new ones are version 2
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].terms == ["KV cache", "tokens per second", "$/M tokens"]
        assert versions[1].terms == ["KV cache", "tokens per second", "batching"]
        assert versions[0].valid_from <= versions[1].valid_from
        count = db.session.scalar(select(func.count()).select_from(GlossaryVersion))
    import_bank(bank_dir)  # changes nothing: adds no version
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GlossaryVersion)) == count


def test_export_writes_points_last_and_glossaries_and_they_read_back(
    app, bank_dir, import_bank, runner, tmp_path
):
    import_bank(bank_dir)
    out = tmp_path / "out"
    assert runner.invoke(args=["bank", "export", str(out)]).exit_code == 0
    text = (out / FS).read_text()
    assert text.split("\n")[-1] == "" and "\ntalking_points:\n- id: online_offline\n" in text
    assert text.index("talking_points:") > text.index("good_answer:")
    skills = (out / "skills.yaml").read_text()
    assert "  glossary:\n  - KV cache\n  - tokens per second\n  - $/M tokens\n" in skills
    assert reading.read_bank(out).problems == []
    exported, source = reading.read_bank(out), reading.read_bank(bank_dir)
    points = {q["key"]: q["talking_points"] for q in source.questions}
    assert {q["key"]: q["talking_points"] for q in exported.questions} == points
    assert [s["glossary"] for s in exported.skills] == [s["glossary"] for s in source.skills]


def test_a_draft_without_points_exports_without_the_key(
    app, bank_dir, import_bank, runner, tmp_path
):
    path = bank_dir / "questions/technical_phone/top-k.yaml"
    path.write_text(path.read_text().split("\ntalking_points:\n")[0] + "\n")
    import_bank(bank_dir)
    runner.invoke(args=["bank", "export", str(tmp_path / "out")])
    assert (
        "talking_points" not in (tmp_path / "out/questions/technical_phone/top-k.yaml").read_text()
    )
