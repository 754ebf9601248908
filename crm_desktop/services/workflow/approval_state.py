"""The approval data the services own: which flow gates a creation or a status change, whether
a record waits for approval, instances and their log, and withdrawing.

The approval engine (``crm_desktop.automation.approvals``) decides everything else: the
branch, the approvers, what a decision leads to. Services ask it for an approval by recording
an ``ApprovalRequested`` event (``request_creation``, ``request_transition``), never by
calling it. Flow definitions are checked here before they are stored (``check_definition``).

Thread rule: the caller's unit of work and thread.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ApprovalFlow,
    ApprovalInstance,
    ApprovalLog,
    ApprovalTask,
    utcnow,
)
from crm_desktop.services.errors import PermissionDenied, RuleViolation, ValidationError
from crm_desktop.services.events import ApprovalRequested
from crm_desktop.services.records import audit
from crm_desktop.services.workflow import conditions

if TYPE_CHECKING:
    from crm_desktop.services.uow import UnitOfWork

MODES = ("sequential", "countersign", "orsign")
APPROVER_KINDS = ("users", "superior", "role", "submitter_picks")
BINDINGS = ("create", "status", "manual")
OPEN_TASK_STATES = ("pending", "waiting")


class AlreadyDecided(RuleViolation):
    def __init__(self) -> None:
        super().__init__(QT_TRANSLATE_NOOP("errors", "This approval was already decided by someone else."))


class ApprovalPending(RuleViolation):
    def __init__(self) -> None:
        super().__init__(QT_TRANSLATE_NOOP(
            "errors", "This record is waiting for approval: withdraw the approval to change it."))


# --- checking a definition ----------------------------------------------------------------

def check_definition(schema: Any, form: Sequence[Mapping[str, Any]], branches: Sequence[Mapping[str, Any]]) -> None:
    """ValidationError unless the form and branches are well formed for ``schema``'s entity."""
    errors: dict[str, str] = {}
    for item in form:
        if not str(item.get("label") or "").strip() or schema.get(str(item.get("field"))) is None:
            errors["form"] = QT_TRANSLATE_NOOP("errors", "Each form field needs a label and a record field.")
    if not branches:
        errors["branches"] = QT_TRANSLATE_NOOP("errors", "Add at least one branch.")
    for branch in branches:
        conditions.check(schema, branch.get("condition") or {})
        nodes = branch.get("nodes") or []
        if not nodes:
            errors["branches"] = QT_TRANSLATE_NOOP("errors", "Each branch needs at least one node.")
        for node in nodes:
            approver = node.get("approver") or {}
            kind = approver.get("kind")
            if node.get("mode", "sequential") not in MODES or kind not in APPROVER_KINDS:
                errors["nodes"] = QT_TRANSLATE_NOOP("errors", "Each node needs a mode and an approver.")
            elif kind == "users" and not approver.get("users"):
                errors["nodes"] = QT_TRANSLATE_NOOP("errors", "Choose the node's approvers.")
            elif kind == "role" and not approver.get("role_id"):
                errors["nodes"] = QT_TRANSLATE_NOOP("errors", "Choose the node's role.")
            elif kind == "superior" and not 1 <= int(approver.get("levels") or 1) <= 10:
                errors["nodes"] = QT_TRANSLATE_NOOP("errors", "Superior levels must be between 1 and 10.")
    if errors:
        raise ValidationError(errors)


# --- finding the flow that gates something --------------------------------------------------

def creation_flow(uow: UnitOfWork, entity: str) -> ApprovalFlow | None:
    return uow.session.scalars(
        select(ApprovalFlow).where(ApprovalFlow.entity == entity, ApprovalFlow.binding == "create",
                                   ApprovalFlow.enabled.is_(True)).order_by(ApprovalFlow.id).limit(1)
    ).first()


def transition_flow(uow: UnitOfWork, entity: str, field: str, old: Any, new: Any) -> ApprovalFlow | None:
    flows = uow.session.scalars(
        select(ApprovalFlow).where(ApprovalFlow.entity == entity, ApprovalFlow.binding == "status",
                                   ApprovalFlow.status_field == field, ApprovalFlow.enabled.is_(True))
        .order_by(ApprovalFlow.id)
    )
    for flow in flows:
        if flow.from_status not in (None, "") and flow.from_status != old:
            continue
        if flow.to_status not in (None, "") and flow.to_status != new:
            continue
        return flow
    return None


def flow_switched_off(uow: UnitOfWork, flow_id: int) -> bool:
    """True for an existing flow an administrator switched off (a missing one is an error for ``start``)."""
    return uow.session.scalar(select(ApprovalFlow.enabled).where(ApprovalFlow.id == flow_id)) is False


def pending_for(uow: UnitOfWork, entity: str, record_id: int, flow_id: int | None = None) -> bool:
    query = select(func.count(ApprovalInstance.id)).where(
        ApprovalInstance.entity == entity, ApprovalInstance.record_id == record_id,
        ApprovalInstance.status == "pending")
    if flow_id is not None:
        query = query.where(ApprovalInstance.flow_id == flow_id)
    return bool(uow.session.scalar(query))


def newest_pending(session: Any, entity: str, record_id: int) -> int | None:
    """The newest approval of a record that waits for a decision, if any (no scope check: the
    caller has loaded the record through the actor's scope)."""
    return session.scalar(select(ApprovalInstance.id).where(
        ApprovalInstance.entity == entity, ApprovalInstance.record_id == record_id,
        ApprovalInstance.status == "pending").order_by(ApprovalInstance.id.desc()).limit(1))


def acting(uow: UnitOfWork) -> int | None:
    return uow.actor.user_id if uow.actor is not None else None


def request_creation(uow: UnitOfWork, entity: str, row: Any) -> bool:
    """After a record's insert: when an enabled "create" flow exists, ask for its approval (the
    record waits for it) and return True; False when no flow gates the creation."""
    if not hasattr(row, "approval_status"):
        return False
    flow = creation_flow(uow, entity)
    if flow is None:
        return False
    uow.add_event(ApprovalRequested(entity, row.id, acting(uow), flow_id=flow.id, target={"kind": "create"},
                                    submitter_id=acting(uow) or row.owner_id))
    return True


def request_transition(uow: UnitOfWork, entity: str, row: Any, field: str, new: Any) -> bool:
    """Before a status change: when an enabled flow gates it, submit it and return True (the
    caller must not change the status: approval will); False lets the change through."""
    old = getattr(row, field)
    flow = transition_flow(uow, entity, field, old, new)
    if flow is None:
        return False
    if pending_for(uow, entity, row.id, flow.id):
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "A change of this record is already waiting for approval."))
    target = {"kind": "status", "field": field, "from": audit.jsonable(old), "to": audit.jsonable(new)}
    uow.add_event(ApprovalRequested(entity, row.id, acting(uow), flow_id=flow.id, target=target,
                                    submitter_id=acting(uow) or row.owner_id))
    return True


def refuse_edit_while_pending(row: Any) -> None:
    """A record waiting for approval is not edited (withdraw the approval first)."""
    if getattr(row, "approval_status", "") == "pending":
        raise ApprovalPending()


# --- instances --------------------------------------------------------------------------------

def nodes_of(inst: ApprovalInstance) -> list[dict[str, Any]]:
    return list((inst.branch or {}).get("nodes") or [])


def node_name(inst: ApprovalInstance, index: int | None) -> str:
    nodes = nodes_of(inst)
    if index is None or not 0 <= index < len(nodes):
        return ""
    return str(nodes[index].get("name") or "")


def log(uow: UnitOfWork, inst: ApprovalInstance, action: str, *, actor_id: int | None = None,
        node: int | None = None, comment: str = "") -> None:
    uow.session.add(ApprovalLog(instance_id=inst.id, round=inst.round, node_index=node,
                                node_name=node_name(inst, node), actor_id=actor_id, action=action, comment=comment))


def close_tasks(tasks: Sequence[ApprovalTask]) -> None:
    for t in tasks:
        if t.state in OPEN_TASK_STATES:
            t.state = "closed"


def lock_instance(uow: UnitOfWork, instance_id: int) -> ApprovalInstance:
    inst = uow.session.get(ApprovalInstance, instance_id, with_for_update=True, populate_existing=True)
    if inst is None:
        raise ValidationError({"instance": QT_TRANSLATE_NOOP("errors", "This approval no longer exists.")})
    return inst


def withdraw(uow: UnitOfWork, instance_id: int, user_id: int, comment: str = "", *,
             model_of: Callable[[str], type[Any]]) -> ApprovalInstance:
    """The submitter takes a pending approval back: its open tasks close, a record created
    under it becomes "withdrawn" (editable, to be resubmitted). ``model_of`` gives an
    entity's model (the caller knows its record services; this module sits below them)."""
    inst = lock_instance(uow, instance_id)
    if inst.submitter_id != user_id:
        raise PermissionDenied("approval", "withdraw")
    if inst.status != "pending":
        raise AlreadyDecided()
    close_tasks(list(uow.session.scalars(select(ApprovalTask).where(
        ApprovalTask.instance_id == inst.id, ApprovalTask.state.in_(OPEN_TASK_STATES)))))
    inst.status, inst.finished_at = "withdrawn", utcnow()
    log(uow, inst, "withdrawn", actor_id=user_id, node=inst.node_index, comment=comment.strip())
    row = uow.session.get(model_of(inst.entity), inst.record_id)
    if row is not None and (inst.target or {}).get("kind") == "create" and hasattr(row, "approval_status"):
        row.approval_status = "withdrawn"
    uow.session.flush()
    return inst


def count_waiting(session: Any, user_id: int) -> int:
    """How many approval tasks wait for ``user_id`` (the to-do count)."""
    return session.scalar(select(func.count(ApprovalTask.id)).where(
        ApprovalTask.approver_id == user_id, ApprovalTask.state == "pending")) or 0


__all__ = ["APPROVER_KINDS", "AlreadyDecided", "ApprovalPending", "BINDINGS", "MODES", "OPEN_TASK_STATES", "acting",
           "check_definition", "close_tasks", "count_waiting", "creation_flow", "flow_switched_off", "lock_instance",
           "log", "node_name", "nodes_of", "pending_for", "refuse_edit_while_pending", "request_creation",
           "request_transition", "transition_flow", "withdraw"]
