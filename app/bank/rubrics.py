"""Rubric use cases of the bank editor: create, edit, archive, restore, delete.

Each public function that changes data is one use case with exactly one commit. A rubric
that published questions still use is neither archived nor deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from app.bank.documents import rubric_content, rubric_doc
from app.bank.errors import BankError, BankNotFound, commit_or_refuse
from app.bank.files import checks, schema
from app.bank.queries import published_questions_using
from app.bank.versions import add_rubric_version, audit_edit
from app.extensions import db
from app.models import audit
from app.models.bank import QuestionVersion, Rubric, RubricVersion
from app.models.practice import SessionQuestion


def check_rubric_doc(doc: dict, *, display: str = "rubric") -> dict:
    """Validate an edited rubric with the file schema."""
    ck = checks.Check(display)
    checked = schema.RUBRIC(ck, doc, 1, ())
    if ck.problems:
        raise BankError("Please correct the highlighted fields; nothing was saved.", ck.problems)
    return checked


def _rubric_or_error(rubric_id: int) -> Rubric:
    """The rubric, or BankNotFound."""
    rubric = db.session.get(Rubric, rubric_id)
    if rubric is None:
        raise BankNotFound("There is no such rubric.")
    return rubric


def create_rubric(
    doc: dict, *, actor_id: int | None, now: datetime, change_note: str = ""
) -> Rubric:
    """Create a rubric with its version 1."""
    checked = check_rubric_doc(dict(doc, archived=False))
    if db.session.scalar(select(Rubric.id).where(Rubric.key == checked["key"])):
        raise BankError(
            "Please correct the highlighted fields; nothing was saved.",
            [checks.Problem("rubric", 1, "this key is already used", ("key",))],
        )
    rubric = Rubric(key=checked["key"], created_at=now)
    db.session.add(rubric)
    db.session.flush()
    add_rubric_version(
        rubric, checked, actor_id=actor_id, change_note=change_note or "created", first=True
    )
    audit.record("rubric.create", actor_id=actor_id, target_type="rubric", target_id=rubric.key)
    commit_or_refuse("A rubric with this key was created meanwhile; nothing was saved.")
    return rubric


def update_rubric(
    rubric_id: int, doc: dict, *, actor_id: int | None, change_note: str = ""
) -> RubricVersion | None:
    """Save a rubric edit as a new version; None when nothing changed."""
    rubric = _rubric_or_error(rubric_id)
    if "hire_bar" not in doc and rubric.current_version is not None:
        # an editor form without the field keeps the rubric's hire bar (issue 18)
        doc = dict(doc, hire_bar=rubric.current_version.hire_bar)
    checked = check_rubric_doc(dict(doc, key=rubric.key, archived=rubric.archived))
    if rubric_content(checked) == rubric_content(rubric_doc(rubric)):
        return None
    version = add_rubric_version(rubric, checked, actor_id=actor_id, change_note=change_note)
    audit_edit("rubric", rubric.key, version.number, actor_id, change_note)
    commit_or_refuse("This rubric was changed meanwhile; reload and try again.")
    return version


def _in_use_message(rubric: Rubric, keys: list[str], verb: str) -> str:
    """Why a rubric cannot be archived or deleted: the published questions that use it."""
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    return (
        f"Rubric '{rubric.key}' cannot be {verb}: {len(keys)} published "
        f"question{'s' if len(keys) != 1 else ''} still use{'s' if len(keys) == 1 else ''} "
        f"it ({shown}). Move them to another rubric or archive them first."
    )


def archive_rubric(rubric_id: int, *, actor_id: int | None) -> Rubric:
    """Archive a rubric no published question uses (old sessions keep their versions)."""
    rubric = _rubric_or_error(rubric_id)
    if rubric.archived:
        raise BankError("This rubric is already archived.")
    keys = published_questions_using(rubric.id)
    if keys:
        raise BankError(_in_use_message(rubric, keys, "archived"))
    rubric.archived = True
    audit.record("rubric.archive", actor_id=actor_id, target_type="rubric", target_id=rubric.key)
    db.session.commit()
    return rubric


def restore_rubric(rubric_id: int, *, actor_id: int | None) -> Rubric:
    """Bring an archived rubric back into use."""
    rubric = _rubric_or_error(rubric_id)
    if not rubric.archived:
        raise BankError("This rubric is not archived.")
    rubric.archived = False
    audit.record("rubric.restore", actor_id=actor_id, target_type="rubric", target_id=rubric.key)
    db.session.commit()
    return rubric


def delete_rubric(rubric_id: int, *, actor_id: int | None) -> str:
    """Delete a rubric nothing refers to (no question version, no session); returns its key."""
    rubric = _rubric_or_error(rubric_id)
    keys = published_questions_using(rubric.id)
    if keys:
        raise BankError(_in_use_message(rubric, keys, "deleted"))
    referenced = db.session.scalar(
        select(func.count(QuestionVersion.id)).where(QuestionVersion.rubric_id == rubric.id)
    ) or db.session.scalar(
        select(func.count(SessionQuestion.id))
        .join(RubricVersion, RubricVersion.id == SessionQuestion.rubric_version_id)
        .where(RubricVersion.rubric_id == rubric.id)
    )
    if referenced:
        raise BankError(
            f"Rubric '{rubric.key}' cannot be deleted: draft, archived or older question "
            "versions or practice sessions refer to it. Archive it instead."
        )
    key = rubric.key
    rubric.current_version_id = None
    db.session.flush()
    db.session.execute(delete(RubricVersion).where(RubricVersion.rubric_id == rubric.id))
    db.session.delete(rubric)
    audit.record("rubric.delete", actor_id=actor_id, target_type="rubric", target_id=key)
    db.session.commit()
    return key
