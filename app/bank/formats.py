"""Round formats and loop plans: the editor's saves, and keeping loop steps in step.

`save_format` and `save_loop` are one use case each (one commit), checked with the same
schema as the files; `sync_loop_steps` is shared with the file import.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.bank.documents import format_doc
from app.bank.errors import BankError, BankNotFound, commit_or_refuse
from app.bank.files import checks, schema
from app.bank.queries import get_loop
from app.domain import follow_ups as follow_up_rules
from app.extensions import db
from app.models import audit
from app.models.bank import LoopPlan, LoopStep, RoundFormat, Stage


def sync_attributes(obj: Any, values: dict) -> bool:
    """Set the attributes that differ; say whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def sync_loop_steps(plan: LoopPlan, steps: list[dict], format_ids: dict[str, int]) -> bool:
    """Make `plan.steps` match `steps` in place (keeps row ids where positions survive)."""
    changed = False
    current = {s.position: s for s in plan.steps}
    for position, doc in enumerate(steps):
        values = {
            "round_format_id": format_ids[doc["format"]],
            "gap_minutes": doc["gap_minutes"],
            "opens_at": doc["opens_at"],
            "label": doc["label"],
        }
        step = current.pop(position, None)
        if step is None:
            plan.steps.append(LoopStep(position=position, **values))
            changed = True
        else:
            changed = sync_attributes(step, values) or changed
    for step in current.values():
        plan.steps.remove(step)
        changed = True
    return changed


def save_format(format_id: int | None, doc: dict, *, actor_id: int | None) -> RoundFormat:
    """Create (format_id None) or update a round format after checking it like the files."""
    ck = checks.Check("format")
    fmt = db.session.get(RoundFormat, format_id) if format_id else None
    if format_id and fmt is None:
        raise BankNotFound("There is no such round format.")
    if fmt is not None:
        doc = dict(doc, key=fmt.key)
        doc.setdefault("first_kind", fmt.first_kind)  # not on the editor's form yet
        doc.setdefault("follow_ups", fmt.follow_up_count)  # nor this (set in formats.yaml)
        doc.setdefault("hint_cost_minutes", fmt.hint_cost_minutes)
    checked = schema.FORMAT(ck, doc, 1, ())
    stage = doc.get("stage")
    if isinstance(stage, str) and db.session.get(Stage, stage) is None:
        ck.add(1, f"unknown stage '{stage}'", ("stage",))
    if fmt is None and db.session.scalar(
        select(RoundFormat.id).where(RoundFormat.key == str(doc.get("key")))
    ):
        ck.add(1, "this key is already used", ("key",))
    if ck.problems:
        raise BankError("Please correct the highlighted fields; nothing was saved.", ck.problems)
    values = {
        "name": checked["name"],
        "stage_key": checked["stage"],
        "duration_minutes": checked["minutes"],
        "question_count": checked["questions"],
        "answer_kinds": list(checked["answer_kinds"]),
        "first_kind": checked["first_kind"],
        "expiry_policy": checked["expiry"],
        "grace_seconds": checked["grace_seconds"],
        "description": checked["description"],
        "archived": checked["archived"],
        "follow_up_count": checked["follow_ups"] or follow_up_rules.default_count(checked["stage"]),
        "hint_cost_minutes": checked["hint_cost_minutes"],
    }
    if fmt is None:
        position = db.session.scalar(select(func.max(RoundFormat.position))) or 0
        fmt = RoundFormat(key=checked["key"], position=position + 1, **values)
        db.session.add(fmt)
        action = "format.create"
    else:
        before = format_doc(fmt)
        for name, value in values.items():
            setattr(fmt, name, value)
        action = "format.edit"
        values = {k: v for k, v in format_doc(fmt).items() if before.get(k) != v}
    audit.record(
        action,
        actor_id=actor_id,
        target_type="round_format",
        target_id=checked["key"],
        changes=sorted(values),
    )
    commit_or_refuse("A round format with this key was created meanwhile; nothing was saved.")
    return fmt


def save_loop(plan_id: int | None, doc: dict, *, actor_id: int | None) -> LoopPlan:
    """Create (plan_id None) or update a loop plan and its ordered steps."""
    ck = checks.Check("loop")
    plan = get_loop(plan_id) if plan_id else None
    if plan_id and plan is None:
        raise BankNotFound("There is no such loop plan.")
    if plan is not None:
        doc = dict(doc, key=plan.key)
    checked = schema.LOOP(ck, doc, 1, ())
    format_ids = {k: i for k, i in db.session.execute(select(RoundFormat.key, RoundFormat.id))}
    steps = doc.get("steps")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        key = step.get("format") if isinstance(step, dict) else None
        if isinstance(key, str) and key not in format_ids:
            ck.add(1, f"unknown format '{key}'", ("steps", i, "format"))
    if plan is None and db.session.scalar(
        select(LoopPlan.id).where(LoopPlan.key == str(doc.get("key")))
    ):
        ck.add(1, "this key is already used", ("key",))
    if ck.problems:
        raise BankError("Please correct the highlighted fields; nothing was saved.", ck.problems)
    values = {
        "name": checked["name"],
        "description": checked["description"],
        "archived": checked["archived"],
    }
    if plan is None:
        position = db.session.scalar(select(func.max(LoopPlan.position))) or 0
        plan = LoopPlan(key=checked["key"], position=position + 1, **values)
        db.session.add(plan)
        action = "loop.create"
    else:
        for name, value in values.items():
            setattr(plan, name, value)
        action = "loop.edit"
    sync_loop_steps(plan, checked["steps"], format_ids)
    audit.record(
        action,
        actor_id=actor_id,
        target_type="loop_plan",
        target_id=checked["key"],
        steps=[s["format"] for s in checked["steps"]],
    )
    commit_or_refuse("A loop plan with this key was created meanwhile; nothing was saved.")
    return plan
