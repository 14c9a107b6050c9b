"""`flask bank import` / `flask bank export`: one transaction, idempotent, round trip."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from app.bank import transfer
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.bank import (
    LoopPlan,
    Question,
    QuestionVersion,
    RoundFormat,
    Rubric,
    RubricVersion,
    Stage,
)
from tests.bank.conftest import replace_in

FS = "questions/system_design/feature-store.yaml"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def question(key: str) -> Question:
    return db.session.scalar(select(Question).where(Question.key == key))


def test_first_import_adds_everything(app, bank_dir, import_bank):
    result = import_bank(bank_dir)
    assert result.exit_code == 0, result.output
    assert "stages: 2 added, 0 changed, 0 unchanged" in result.output
    assert "skills: 3 added, 0 changed, 0 unchanged" in result.output
    assert "rubrics: 2 added, 0 changed, 0 unchanged" in result.output
    assert "questions: 3 added, 0 changed, 0 unchanged" in result.output
    assert "formats: 2 added, 0 changed, 0 unchanged" in result.output
    assert "loops: 1 added, 0 changed, 0 unchanged" in result.output
    with app.app_context():
        gpu = question("gpu-cost").current_version
        assert (gpu.answer_kind, gpu.estimate_value, gpu.estimate_unit) == (
            "estimate",
            21600.0,
            "USD per month",
        )
        assert gpu.estimate_tolerance_pct == 50.0
        assert gpu.worked_answer_md.startswith("SECRET-WORKED-ANSWER")
        assert {s.key for s in gpu.skills} == {"inference_cost", "ml_system_design"}
        assert gpu.created_by_id is None and gpu.change_note == "imported from files"
        assert question("gpu-cost").status == "published"  # the default
        assert question("top-k").status == "draft"
        assert question("top-k").current_version.code_language == "python"
        fs = question("feature-store")
        assert fs.first_published_at is not None and fs.current_version.tags == [
            "storage",
            "latency",
        ]
        design = db.session.scalar(select(Rubric).where(Rubric.key == "design"))
        criteria = design.current_version.criteria
        assert [c["key"] for c in criteria] == ["cost_modeling", "failure_modes"]
        assert criteria[0]["weight"] == 2.0 and criteria[1]["weight"] == 1.0
        assert criteria[0]["levels"][2]["descriptor"] == (
            "Numbers with units and a stated assumption."
        )
        assert [s.key for s in db.session.scalars(select(Stage).order_by(Stage.position))] == [
            "technical_phone",
            "system_design",
        ]
        fmt = db.session.scalar(select(RoundFormat).where(RoundFormat.key == "design"))
        assert (fmt.answer_kinds, fmt.expiry_policy, fmt.grace_seconds) == (
            ["text", "estimate"],
            "grace_then_close",
            120,
        )
        plan = db.session.scalar(select(LoopPlan))
        assert [(s.round_format.key, s.gap_minutes, s.opens_at) for s in plan.steps] == [
            ("phone", 0, None),
            ("design", 30, "13:00"),
        ]


def test_second_import_changes_nothing(app, bank_dir, import_bank):
    import_bank(bank_dir)
    with app.app_context():
        before = (count(QuestionVersion), count(RubricVersion), count(AuditEvent))
    result = import_bank(bank_dir)
    assert result.exit_code == 0
    for kind, n in [("stages", 2), ("skills", 3), ("rubrics", 2), ("questions", 3)]:
        assert f"{kind}: 0 added, 0 changed, {n} unchanged" in result.output
    assert "formats: 0 added, 0 changed, 2 unchanged" in result.output
    assert "loops: 0 added, 0 changed, 1 unchanged" in result.output
    with app.app_context():
        assert (count(QuestionVersion), count(RubricVersion), count(AuditEvent)) == before


def test_changed_question_gets_a_new_version(app, bank_dir, import_bank):
    import_bank(bank_dir)
    replace_in(bank_dir / FS, "title: Design a feature store", "title: Design a feature platform")
    result = import_bank(bank_dir)
    assert "questions: 0 added, 1 changed, 2 unchanged" in result.output
    with app.app_context():
        fs = question("feature-store")
        assert [v.number for v in fs.versions] == [1, 2]
        assert fs.versions[0].title == "Design a feature store"
        assert fs.current_version.title == "Design a feature platform"


def test_skill_order_in_the_file_is_not_a_change(app, bank_dir, import_bank):
    import_bank(bank_dir)
    replace_in(
        bank_dir / "questions/system_design/gpu-cost.yaml",
        "skills: [inference_cost, ml_system_design]",
        "skills: [ml_system_design, inference_cost]",
    )
    assert "questions: 0 added, 0 changed, 3 unchanged" in import_bank(bank_dir).output


def test_status_change_alone_adds_no_version(app, bank_dir, import_bank):
    import_bank(bank_dir)
    replace_in(bank_dir / FS, "status: published", "status: archived")
    assert "questions: 0 added, 1 changed, 2 unchanged" in import_bank(bank_dir).output
    with app.app_context():
        fs = question("feature-store")
        assert fs.status == "archived" and len(fs.versions) == 1


def test_changed_rubric_gets_a_new_version(app, bank_dir, import_bank):
    import_bank(bank_dir)
    replace_in(bank_dir / "rubrics/coding.yaml", "Fails the examples.", "Fails an example.")
    assert "rubrics: 0 added, 1 changed, 1 unchanged" in import_bank(bank_dir).output
    with app.app_context():
        coding = db.session.scalar(select(Rubric).where(Rubric.key == "coding"))
        assert [v.number for v in coding.versions] == [1, 2]
        assert coding.versions[0].criteria[0]["levels"][0]["descriptor"] == "Fails the examples."


def test_invalid_bank_changes_nothing(app, bank_dir, import_bank):
    replace_in(bank_dir / FS, "rubric: design", "rubric: nope")
    result = import_bank(bank_dir)
    assert result.exit_code != 0
    assert "unknown rubric 'nope'" in result.output
    with app.app_context():
        assert count(Stage) == 0 and count(Question) == 0


def test_failure_midway_rolls_everything_back(app, bank_dir, import_bank, monkeypatch):
    import_bank(bank_dir)
    replace_in(bank_dir / FS, "title: Design a feature store", "title: Changed")
    replace_in(bank_dir / "stages.yaml", "name: Technical phone", "name: Phone screen")

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(transfer, "_import_loops", explode)
    result = import_bank(bank_dir)
    assert result.exit_code != 0
    with app.app_context():
        assert question("feature-store").current_version.title == "Design a feature store"
        assert count(QuestionVersion) == 3
        assert db.session.get(Stage, "technical_phone").name == "Technical phone"


def test_if_empty_skips_a_bank_with_questions(app, bank_dir, import_bank):
    import_bank(bank_dir)
    replace_in(bank_dir / FS, "title: Design a feature store", "title: Changed")
    result = import_bank(bank_dir, "--if-empty")
    assert result.exit_code == 0 and "nothing imported" in result.output
    with app.app_context():
        assert question("feature-store").current_version.title == "Design a feature store"


def test_if_empty_works_without_questions_folder(app, bank_dir, import_bank):
    shutil.rmtree(bank_dir / "questions")
    for _ in range(2):  # a second `make run` re-imports harmlessly while there are no questions
        result = import_bank(bank_dir, "--if-empty")
        assert result.exit_code == 0, result.output
    assert "stages: 0 added, 0 changed, 2 unchanged" in result.output
    with app.app_context():
        assert count(Stage) == 2 and count(Question) == 0


def test_loop_steps_are_updated_in_place(app, bank_dir, import_bank):
    import_bank(bank_dir)
    replace_in(
        bank_dir / "loops.yaml",
        "      - format: design\n        label: Design\n        gap_minutes: 30\n"
        '        opens_at: "13:00"\n',
        "",
    )
    assert "loops: 0 added, 1 changed, 0 unchanged" in import_bank(bank_dir).output
    with app.app_context():
        assert [s.round_format.key for s in db.session.scalar(select(LoopPlan)).steps] == ["phone"]


def test_round_trip(app, bank_dir, import_bank, runner, tmp_path):
    import_bank(bank_dir)
    first, second = tmp_path / "export1", tmp_path / "export2"
    result = runner.invoke(args=["bank", "export", str(first)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["bank", "validate", str(first)]).exit_code == 0
    result = import_bank(first)
    for kind in ("stages", "skills", "rubrics", "questions", "formats", "loops"):
        assert f"{kind}: 0 added, 0 changed" in result.output
    runner.invoke(args=["bank", "export", str(second)])
    files = sorted(p.relative_to(first) for p in first.rglob("*.yaml"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.yaml"))
    assert len(files) == 9
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes()


def test_export_writes_block_markdown_and_stable_order(
    app, bank_dir, import_bank, runner, tmp_path
):
    import_bank(bank_dir)
    runner.invoke(args=["bank", "export", str(tmp_path / "out")])
    text = (tmp_path / "out" / FS).read_text()
    assert text.startswith("key: feature-store\nstage: system_design\nstatus: published\n")
    assert "prompt: |\n  Design a **feature store**" in text
    gpu = (tmp_path / "out/questions/system_design/gpu-cost.yaml").read_text()
    assert "  value: 21600\n" in gpu and "  tolerance_pct: 50\n" in gpu


def test_export_keeps_archived_flags(app, bank_dir, import_bank, runner, tmp_path):
    """An archived rubric is exported as archived, so re-importing elsewhere keeps it so."""
    replace_in(bank_dir / "rubrics/coding.yaml", "title: Coding", "title: Coding\narchived: true")
    import_bank(bank_dir)
    runner.invoke(args=["bank", "export", str(tmp_path / "out")])
    text = (tmp_path / "out/rubrics/coding.yaml").read_text()
    assert "archived: true" in text


def test_export_reports_and_prunes_stale_files(app, bank_dir, import_bank, runner, tmp_path):
    import_bank(bank_dir)
    out = tmp_path / "out"
    (out / "questions/system_design").mkdir(parents=True)
    (out / "questions/system_design/old.yaml").write_text("key: old\n")
    result = runner.invoke(args=["bank", "export", str(out)])
    assert (
        "not in the database" in result.output
        and (out / "questions/system_design/old.yaml").exists()
    )
    result = runner.invoke(args=["bank", "export", str(out), "--prune"])
    assert "removed" in result.output
    assert not (out / "questions/system_design/old.yaml").exists()


def test_the_real_bank_imports_and_round_trips(app, runner, import_bank, tmp_path):
    source = app.config["QUESTION_BANK_DIR"]
    assert import_bank(source).exit_code == 0
    runner.invoke(args=["bank", "export", str(tmp_path / "out")])
    result = import_bank(tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "unchanged" in line]
    assert len(lines) == 6
    assert all(": 0 added, 0 changed," in line for line in lines), result.output


def test_a_format_sets_its_follow_up_count_or_gets_its_stages(
    app, bank_dir, import_bank, runner, tmp_path
):
    """`follow_ups` in formats.yaml is how many follow-ups a round of it reveals; absent,
    the stage's default; the export writes it only where it differs from that default."""
    import yaml

    from app.domain import follow_ups as follow_up_rules
    from app.models.bank import RoundFormat

    path = bank_dir / "formats.yaml"
    data = yaml.safe_load(path.read_text())
    chosen = data["formats"][0]
    chosen["follow_ups"] = 3
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert import_bank(bank_dir).exit_code == 0
    with app.app_context():
        formats = {f.key: f for f in db.session.scalars(select(RoundFormat))}
        assert formats[chosen["key"]].follow_up_count == 3
        for doc in data["formats"][1:]:
            assert formats[doc["key"]].follow_up_count == follow_up_rules.default_count(
                doc["stage"]
            )
    out = tmp_path / "out"
    assert runner.invoke(args=["bank", "export", str(out)]).exit_code == 0
    exported = yaml.safe_load((out / "formats.yaml").read_text())["formats"]
    assert [f.get("follow_ups") for f in exported] == [3] + [None] * (len(exported) - 1)
    chosen["follow_ups"] = 0
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    refused = runner.invoke(args=["bank", "validate", str(bank_dir)])
    assert refused.exit_code != 0 and "follow_ups" in refused.output


def test_a_format_sets_its_hint_cost_and_the_files_check_it(
    app, bank_dir, import_bank, runner, tmp_path
):
    """Issue 18: `hint_cost_minutes` in formats.yaml (absent: 0, free); the export writes it
    only where it is set; out of range the check names the field and the bounds."""
    import yaml

    from app.models.bank import RoundFormat

    path = bank_dir / "formats.yaml"
    data = yaml.safe_load(path.read_text())
    chosen = data["formats"][0]
    chosen["hint_cost_minutes"] = 2
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert import_bank(bank_dir).exit_code == 0
    with app.app_context():
        formats = {f.key: f for f in db.session.scalars(select(RoundFormat))}
        assert formats[chosen["key"]].hint_cost_minutes == 2
        assert {formats[d["key"]].hint_cost_minutes for d in data["formats"][1:]} == {0}
    out = tmp_path / "out"
    assert runner.invoke(args=["bank", "export", str(out)]).exit_code == 0
    exported = yaml.safe_load((out / "formats.yaml").read_text())["formats"]
    assert [f.get("hint_cost_minutes") for f in exported] == [2] + [None] * (len(exported) - 1)
    chosen["hint_cost_minutes"] = 45
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    refused = runner.invoke(args=["bank", "validate", str(bank_dir)])
    assert refused.exit_code != 0
    assert "'hint_cost_minutes' must be between 0 and 30, not 45" in refused.output
