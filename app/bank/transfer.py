"""`flask bank import` and `flask bank export`: the database and the files in step.

Import is one transaction (all or nothing) and idempotent: a question or rubric whose
content differs from its current version gets a new version; everything else is left
alone. Export writes the current versions in the canonical layout, so importing an
export changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.bank.documents import (
    format_doc,
    loop_doc,
    question_content,
    question_doc,
    rubric_content,
    rubric_doc,
)
from app.bank.files import reading, roundtrip, writing
from app.bank.formats import sync_attributes, sync_loop_steps
from app.bank.versions import add_question_version, add_rubric_version
from app.domain import follow_ups as follow_up_rules
from app.extensions import db
from app.models import audit
from app.models.bank import (
    GlossaryVersion,
    LoopPlan,
    LoopStep,
    Question,
    QuestionStatus,
    QuestionVersion,
    RoundFormat,
    Rubric,
    SkillArea,
    Stage,
)

IMPORT_NOTE = "imported from files"  # the change note of versions the import adds
KINDS = ("stages", "skills", "rubrics", "questions", "formats", "loops")


@dataclass
class ImportReport:
    """Counts of added / changed / unchanged per kind of bank item."""

    counts: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})

    def tally(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    @property
    def changed_anything(self) -> bool:
        return any(c["added"] or c["changed"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{kind}: {c['added']} added, {c['changed']} changed, {c['unchanged']} unchanged"
            for kind, c in self.counts.items()
        ]

    def as_dict(self) -> dict:
        return {kind: dict(c) for kind, c in self.counts.items()}


def import_bank(
    bank: reading.BankFiles,
    *,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> ImportReport:
    """Load a validated bank into the database in one transaction (all or nothing).

    `now` stamps the questions it adds or changes (the CLI reads the clock once). The audit
    row names the `source` (the folder or the uploaded ZIP) and who imported it; an admin's
    import is audited even when it changed nothing.
    """
    if not bank.ok:
        raise ValueError("refusing to import a bank with problems; validate it first")
    report = ImportReport()
    try:
        _import_stages(bank.stages, report)
        skills = _import_skills(bank.skills, report, now)
        rubric_ids = _import_rubrics(bank.rubrics, report)
        _import_questions(bank.questions, rubric_ids, skills, report, now)
        format_ids = _import_formats(bank.formats, report)
        _import_loops(bank.loops, format_ids, report)
        if report.changed_anything or actor_id is not None:
            audit.record(
                "bank.import",
                actor_id=actor_id,
                target_type="bank",
                target_id=source[-64:] if source else "files",
                counts=report.as_dict(),
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _upsert(existing: dict, model: type, key: str, values: dict, kind: str, report) -> None:
    """Add the row `key` (kept in `existing`) or bring its attributes up to `values`."""
    row = existing.get(key)
    if row is None:
        existing[key] = model(key=key, **values)
        db.session.add(existing[key])
        report.tally(kind, "added")
    else:
        report.tally(kind, "changed" if sync_attributes(row, values) else "unchanged")


def _import_stages(stages: list[dict], report: ImportReport) -> None:
    existing = {s.key: s for s in db.session.scalars(select(Stage))}
    for position, doc in enumerate(stages):
        values = {
            "name": doc["name"],
            "default_minutes": doc["default_minutes"],
            "description": doc["description"],
            "position": position,
        }
        _upsert(existing, Stage, doc["key"], values, "stages", report)
    db.session.flush()


def _import_skills(skills: list[dict], report: ImportReport, now: datetime) -> dict[str, SkillArea]:
    existing = {s.key: s for s in db.session.scalars(select(SkillArea))}
    for position, doc in enumerate(skills):
        values = {
            "name": doc["name"],
            "description": doc["description"],
            "glossary": list(doc["glossary"]),
            "position": position,
        }
        _upsert(existing, SkillArea, doc["key"], values, "skills", report)
    db.session.flush()
    _version_glossaries(skills, now)
    return existing


def _version_glossaries(skills: list[dict], now: datetime) -> None:
    """A new glossary version for each skill whose terms differ from its latest version."""
    latest: dict[str, GlossaryVersion] = {}
    for version in db.session.scalars(select(GlossaryVersion).order_by(GlossaryVersion.number)):
        latest[version.skill_key] = version
    for doc in skills:
        terms, last = list(doc["glossary"]), latest.get(doc["key"])
        if last is None or list(last.terms) != terms:
            number = last.number + 1 if last else 1
            db.session.add(
                GlossaryVersion(skill_key=doc["key"], number=number, terms=terms, valid_from=now)
            )
    db.session.flush()


def _import_rubrics(rubrics: list[dict], report: ImportReport) -> dict[str, int]:
    existing = {
        r.key: r
        for r in db.session.scalars(
            select(Rubric).options(
                selectinload(Rubric.current_version), selectinload(Rubric.versions)
            )
        )
    }
    for doc in rubrics:
        rubric = existing.get(doc["key"])
        if rubric is None:
            rubric = Rubric(key=doc["key"], archived=doc["archived"])
            db.session.add(rubric)
            db.session.flush()
            add_rubric_version(rubric, doc, actor_id=None, change_note=IMPORT_NOTE, first=True)
            existing[rubric.key] = rubric
            report.tally("rubrics", "added")
            continue
        changed = sync_attributes(rubric, {"archived": doc["archived"]})
        if rubric.current_version is None or rubric_content(doc) != rubric_content(
            rubric_doc(rubric)
        ):
            add_rubric_version(rubric, doc, actor_id=None, change_note=IMPORT_NOTE)
            changed = True
        report.tally("rubrics", "changed" if changed else "unchanged")
    db.session.flush()
    return {key: r.id for key, r in existing.items()}


def _import_questions(
    questions: list[dict],
    rubric_ids: dict[str, int],
    skills: dict[str, SkillArea],
    report: ImportReport,
    now: datetime,
) -> None:
    existing = {
        q.key: q
        for q in db.session.scalars(
            select(Question).options(
                selectinload(Question.versions),
                selectinload(Question.current_version).selectinload(QuestionVersion.skills),
                selectinload(Question.current_version).selectinload(QuestionVersion.rubric),
            )
        )
    }
    for doc in questions:
        question = existing.get(doc["key"])
        if question is None:
            question = Question(key=doc["key"], status=doc["status"], created_at=now)
            question.updated_at = now
            if doc["status"] == QuestionStatus.PUBLISHED.value:
                question.first_published_at = now
            db.session.add(question)
            db.session.flush()
            add_question_version(
                question,
                doc,
                rubric_ids=rubric_ids,
                skills=skills,
                actor_id=None,
                change_note=IMPORT_NOTE,
                first=True,
            )
            report.tally("questions", "added")
            continue
        changed = sync_attributes(question, {"status": doc["status"]})
        if question.current_version is None or question_content(doc) != question_content(
            question_doc(question)
        ):
            add_question_version(
                question,
                doc,
                rubric_ids=rubric_ids,
                skills=skills,
                actor_id=None,
                change_note=IMPORT_NOTE,
            )
            changed = True
        if changed:
            question.updated_at = now
            if (
                question.status == QuestionStatus.PUBLISHED.value
                and not question.first_published_at
            ):
                question.first_published_at = now
        report.tally("questions", "changed" if changed else "unchanged")
    db.session.flush()


def _import_formats(formats: list[dict], report: ImportReport) -> dict[str, int]:
    existing = {f.key: f for f in db.session.scalars(select(RoundFormat))}
    for position, doc in enumerate(formats):
        values = {
            "name": doc["name"],
            "stage_key": doc["stage"],
            "duration_minutes": doc["minutes"],
            "question_count": doc["questions"],
            "answer_kinds": list(doc["answer_kinds"]),
            "first_kind": doc["first_kind"],
            "expiry_policy": doc["expiry"],
            "grace_seconds": doc["grace_seconds"],
            "description": doc["description"],
            "position": position,
            "archived": doc["archived"],
            "follow_up_count": doc["follow_ups"] or follow_up_rules.default_count(doc["stage"]),
            "hint_cost_minutes": doc["hint_cost_minutes"],
        }
        _upsert(existing, RoundFormat, doc["key"], values, "formats", report)
    db.session.flush()
    return {key: f.id for key, f in existing.items()}


def _import_loops(loops: list[dict], format_ids: dict[str, int], report: ImportReport) -> None:
    existing = {
        p.key: p for p in db.session.scalars(select(LoopPlan).options(selectinload(LoopPlan.steps)))
    }
    for position, doc in enumerate(loops):
        values = {
            "name": doc["name"],
            "description": doc["description"],
            "archived": doc["archived"],
            "position": position,
        }
        plan = existing.get(doc["key"])
        added = plan is None
        if added:
            plan = LoopPlan(key=doc["key"], **values)
            db.session.add(plan)
            changed = True
        else:
            changed = sync_attributes(plan, values)
        changed = sync_loop_steps(plan, doc["steps"], format_ids) or changed
        report.tally("loops", "added" if added else "changed" if changed else "unchanged")
    db.session.flush()


# --- export ------------------------------------------------------------------------------


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def bank_documents() -> dict[str, object]:
    """Every file of the bank as {relative path: document}, from the current versions."""
    docs: dict[str, object] = {}
    stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.key)).all()
    docs["stages.yaml"] = {
        "stages": [
            _drop_empty(
                {
                    "key": s.key,
                    "name": s.name,
                    "default_minutes": s.default_minutes,
                    "description": s.description,
                }
            )
            for s in stages
        ]
    }
    skills = db.session.scalars(select(SkillArea).order_by(SkillArea.position, SkillArea.key))
    docs["skills.yaml"] = {
        "skills": [
            _drop_empty(
                {
                    "key": s.key,
                    "name": s.name,
                    "description": s.description,
                    "glossary": list(s.glossary or []),
                }
            )
            for s in skills
        ]
    }
    formats = db.session.scalars(
        select(RoundFormat)
        .where(RoundFormat.drill.is_(False))  # built-in drill formats are not bank content
        .order_by(RoundFormat.position, RoundFormat.key)
    ).all()
    docs["formats.yaml"] = {"formats": [_format_doc(f) for f in formats]}
    loops = db.session.scalars(
        select(LoopPlan)
        .options(selectinload(LoopPlan.steps).selectinload(LoopStep.round_format))
        .order_by(LoopPlan.position, LoopPlan.key)
    )
    docs["loops.yaml"] = {"loops": [_loop_doc(p) for p in loops]}
    rubrics = db.session.scalars(
        select(Rubric).options(selectinload(Rubric.current_version)).order_by(Rubric.key)
    )
    for rubric in rubrics:
        if rubric.current_version is None:
            continue
        doc = rubric_doc(rubric)
        if not doc["archived"]:
            doc.pop("archived")
        docs[f"rubrics/{rubric.key}.yaml"] = _drop_empty(doc)
    questions = db.session.scalars(
        select(Question)
        .options(
            selectinload(Question.current_version).selectinload(QuestionVersion.skills),
            selectinload(Question.current_version).selectinload(QuestionVersion.rubric),
        )
        .order_by(Question.key)
    )
    for question in questions:
        if question.current_version is None:
            continue
        doc = writing.question_file_doc(question_doc(question))
        docs[f"questions/{doc['stage']}/{question.key}.yaml"] = doc
    return docs


def _drop_empty(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if v not in ("", None, [])}


def _short(doc: dict) -> dict:
    """The editor's full doc as the files write it: `archived` only when true, no empties."""
    if not doc.get("archived"):
        doc.pop("archived", None)
    return _drop_empty(doc)


def _format_doc(fmt: RoundFormat) -> dict:
    """A format as the files write it: `follow_ups` only where it is not the stage's default
    (so files that never set it export unchanged)."""
    doc = _short(format_doc(fmt))
    if not doc.get("hint_cost_minutes"):
        doc.pop("hint_cost_minutes", None)  # free hints, as in files that never set it
    if fmt.follow_up_count != follow_up_rules.default_count(fmt.stage_key):
        doc["follow_ups"] = fmt.follow_up_count
    return doc


def _loop_doc(plan: LoopPlan) -> dict:
    doc = loop_doc(plan)
    # A step leaves out a zero gap and an unset time, as well as an empty label.
    doc["steps"] = [{k: v for k, v in step.items() if v} for step in doc["steps"]]
    return _short(doc)


def export_bank(
    directory: str | Path, *, prune: bool = False, like: str | Path | None = None
) -> ExportReport:
    """Write the bank to `directory` in the file layout; report (or remove) stale files.

    A file whose content is unchanged keeps its earlier text byte for byte, and an edited
    one keeps its comments and layout (`files.roundtrip`): the earlier text is the file
    already at the target path. A file under `like` (the shipped bank) that says the same
    is copied as it is, so an export into an empty folder reproduces `question_bank/`.
    """
    root = Path(directory)
    report = ExportReport()
    docs = bank_documents()
    for relative, doc in docs.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        earlier = _earlier_text(path)
        reference = _earlier_text(Path(like) / relative) if like else None
        text = roundtrip.file_text(doc, earlier, reference)
        if text != earlier:
            path.write_text(text, encoding="utf-8")
        report.written.append(path)
    wanted = {root / r for r in docs}
    for pattern in ("rubrics/*.yaml", "questions/*/*.yaml"):
        for path in sorted(root.glob(pattern)):
            if path not in wanted:
                if prune:
                    path.unlink()
                    report.removed.append(path)
                else:
                    report.stale.append(path)
    return report


def _earlier_text(path: Path) -> str | None:
    """The text of `path` when it is a regular file of a readable size, else None."""
    if path.is_symlink() or not path.is_file() or path.stat().st_size > reading.MAX_FILE_BYTES:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
