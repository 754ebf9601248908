"""The approval engine (审批流): submit, decide, withdraw, resubmit — inside the caller's unit of work.

Flow definition (``ApprovalFlow``), JSON parts:

- ``form``: ``[{"key": "name", "label": "客户名称", "field": "name"}, …]`` — embedded fields: each is
  filled from the record's field at (re)submission and shown to the approvers.
- ``branches``: ``[{"name": "福建", "condition": {"match": "all", "groups": [Filter JSON]},
  "submitters": {"users": [..], "departments": [..], "roles": [..]}, "nodes": [node, …]}, …]``.
  The first branch whose condition (record fields, the list filter's operators; also the
  entity's derived fields such as a contract's ``product_category``, the categories of its
  lines' products with the categories above them, computed only when a branch names one) and submitter
  test (the submitter is one of the users, in one of the departments or below, or has one of
  the roles; empty = anyone) both hold is taken.
- node: ``{"name": "福建事业部审批", "mode": "sequential"|"countersign"|"orsign",
  "approver": {"kind": "users", "users": [..]} | {"kind": "superior", "levels": 1}
  | {"kind": "role", "role_id": n} | {"kind": "submitter_picks"}}``. Submitter picks: the
  users the submitter named for the node (``services.approver_picks``: a submit by hand must
  name them; a request nobody submits by hand has none, and the node goes to the administrator).
  Sequential: the approvers decide one after another. Countersign (会签): all at once, all must
  approve. Or-sign (或签): all at once, the first decision counts and the others' tasks close.
  Superior N levels up walks the submitter's direct-superior chain; where the chain ends before
  N levels, the highest superior found approves (a missing level is skipped).
- A node without approvers (or no branch at all) is approved automatically (``no_approver``
  "auto") or goes to the approval administrator (``admin_id``, else the super administrators).

Promises (thread rule: the caller's unit of work and thread):

- ``start`` snapshots the form data and the chosen branch (later flow edits do not change an
  instance under way), creates the first node's tasks, messages the approvers and adds them to
  the record's team (read) so that they can open the record whatever their data scope.
- ``decide`` locks the instance (``SELECT … FOR UPDATE`` on PostgreSQL, and the instance's
  version counter everywhere), so of two approvers deciding at the same moment exactly one
  counts; the other gets ``AlreadyDecided``. Rejection ends the instance; approval moves on by
  the node's mode; after the last node the instance is approved.
- Approval releases what the flow gated: a record created under a "create" flow becomes active
  (``approval_status`` ""), a "status" flow sets the status field to the requested value
  through the audit path. Rejection leaves a created record "rejected" (its submitter can edit
  it and resubmit) and a status unchanged. The submitter is told either way, and an
  ApprovalDecided event is recorded (the record's approval_approved / approval_rejected
  trigger rules fire on it).
- A finished instance calls its entity's ``FINISH_HOOKS`` entry (the owning service's follow-on
  work). A node with ``"sets_status": value`` sets the entity's ``NODE_STATUS_FIELDS`` field to
  the value when a person approves that node (auto-approved nodes set nothing).
- ``withdraw`` (submitter, pending only; ``services.approval_state``) and ``resubmit``
  (submitter, rejected or withdrawn; from the first node or from the rejected node, by the
  flow's setting) keep every earlier round's tasks and log entries: the history shows them all.

How it is reached: services record ``ApprovalRequested`` (a gated creation or status change, a
flow started by hand) and ``RecordDeleted`` (its open approvals are withdrawn), to which this
engine subscribes (``on_requested``, ``on_deleted``); deciding and resubmitting are commands
(``services.commands``). The data the services own — which flow gates what, pending checks,
instance locks, the log — lives in ``services.approval_state``.

Resubmitting snapshots the record again, so an acting submitter must still be able to edit it
(else NotFound/PermissionDenied, as for ``submit``): a record that left their scope is never
shown to them in a new form.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ApprovalFlow,
    ApprovalInstance,
    ApprovalTask,
    DictionaryItem,
    Message,
    Role,
    TeamMember,
    User,
    user_roles,
    utcnow,
)
from crm_desktop.services.commands import DecideApproval, ResubmitApproval
from crm_desktop.services.customers.customers import apply_deal_status
from crm_desktop.services.errors import PermissionDenied, RuleViolation, ValidationError
from crm_desktop.services.events import (
    ApprovalDecided,
    ApprovalRequested,
    RecordDeleted,
    StatusChanged,
)
from crm_desktop.services.records import audit
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.sales.contracts import (
    apply_execution_status,
    contract_finished,
)
from crm_desktop.services.sales.payments import payment_finished
from crm_desktop.services.workflow.approval_state import (  # noqa: F401 - re-exported: the engine's vocabulary
    APPROVER_KINDS,
    BINDINGS,
    MODES,
    OPEN_TASK_STATES,
    AlreadyDecided,
    ApprovalPending,
    acting,
    check_definition,
    close_tasks,
    count_waiting,
    creation_flow,
    flow_switched_off,
    lock_instance,
    log,
    node_name,
    nodes_of,
    pending_for,
    refuse_edit_while_pending,
    transition_flow,
)
from crm_desktop.services.workflow.approver_picks import (
    branch_for,
    check_picks,
    record_values,
)

if TYPE_CHECKING:
    from crm_desktop.services.records.records import RecordService
    from crm_desktop.services.uow import UnitOfWork

#: How an approved status flow sets a status, per (entity, field), when the owning service has
#: its own rule for it (e.g. a deal status also stamps the deal time). Each takes (unit of
#: work, row, new value) and returns whether it changed anything.
STATUS_APPLIERS: dict[tuple[str, str], Callable[[Any, Any, Any], bool]] = {
    ("customer", "deal_status"): apply_deal_status,
    ("contract", "execution_status"): apply_execution_status,
}
#: The owning service's follow-on work when an instance on one of its records finishes, per
#: entity: (unit of work, row, instance, approved). An approved contract sets its customer's
#: deal status; an approved payment updates the received amounts.
FINISH_HOOKS: dict[str, Callable[[Any, Any, Any, bool], None]] = {
    "contract": contract_finished,
    "payment": payment_finished,
}
#: Per entity, the status field a node's ``"sets_status"`` value is written to (through
#: STATUS_APPLIERS) when that node is approved: "one flow whose nodes each set a status".
NODE_STATUS_FIELDS: dict[str, str] = {"contract": "execution_status"}


# --- starting ----------------------------------------------------------------------------

def start(
    uow: UnitOfWork, service: RecordService[Any], row: Any, *, flow_id: int | None = None,
    flow: ApprovalFlow | None = None, submitter_id: int | None = None, target: Mapping[str, Any] | None = None,
    picks: Mapping[int | str, Sequence[int]] | None = None,
) -> ApprovalInstance:
    """Submit ``row`` to a flow (by id or object); returns the new instance (pending or already decided)."""
    if flow is None:
        flow = uow.session.get(ApprovalFlow, flow_id)
        if flow is None or flow.entity != service.module:
            raise ValidationError({"flow": QT_TRANSLATE_NOOP("errors", "Choose an approval flow of this record's kind.")})
    submitter = submitter_id or acting(uow) or row.owner_id
    inst = ApprovalInstance(
        flow_id=flow.id, flow_name=flow.name, entity=service.module, record_id=row.id,
        record_name=str(getattr(row, "name", "") or "")[:200], submitter_id=submitter, status="pending",
        target=dict(target or {"kind": "manual"}), picks={str(k): list(v) for k, v in (picks or {}).items()},
        node_index=0, round=1,
    )
    _snapshot(uow, service, row, flow, inst)
    uow.session.add(inst)
    uow.session.flush()
    if inst.target.get("kind") == "create" and hasattr(row, "approval_status"):
        row.approval_status = "pending"
    log(uow, inst, "submitted", actor_id=submitter)
    _activate(uow, inst, 0)
    return inst


def _snapshot(uow: UnitOfWork, service: RecordService[Any], row: Any, flow: ApprovalFlow, inst: ApprovalInstance) -> None:
    """Fill the form from the record and choose the branch, as things are now (the branch
    choice is ``approver_picks.branch_for``: the one a submitter's approver choice was checked
    against)."""
    specs, values = record_values(uow.session, service, row, flow)
    inst.form_data = {"fields": [
        {"key": str(item.get("key") or item.get("field")), "label": str(item.get("label") or ""),
         "field": str(item.get("field")),
         "value": _readable(uow, specs.get(str(item.get("field"))), values.get(str(item.get("field"))))}
        for item in (flow.form or [])
    ]}
    chosen = branch_for(uow.session, flow, specs, values, inst.submitter_id)
    chosen |= {"no_approver": flow.no_approver, "admin_id": flow.admin_id, "resubmit_from": flow.resubmit_from}
    inst.branch = chosen


def _readable(uow: UnitOfWork, spec: Any, value: Any) -> Any:
    """A form value as the approver should read it, fixed at submission: people by name,
    dictionary options by label (an id or a code means nothing to an approver)."""
    if spec is None or value in (None, ""):
        return audit.jsonable(value)
    if spec.type == FieldType.USER or spec.name in ("owner_id", "creator_id"):
        return uow.session.scalar(select(User.name).where(User.id == value)) or audit.jsonable(value)
    if spec.type == FieldType.SELECT and spec.dictionary:
        label = uow.session.scalar(select(DictionaryItem.label).where(
            DictionaryItem.dictionary == spec.dictionary, DictionaryItem.value == str(value)))
        return label or value
    return audit.jsonable(value)


# --- nodes and tasks -----------------------------------------------------------------------

def resolve_approvers(uow: UnitOfWork, inst: ApprovalInstance, index: int) -> list[int]:
    node = nodes_of(inst)[index]
    approver = node.get("approver") or {}
    kind = approver.get("kind")
    found: list[int] = []
    if kind == "users":
        found = [int(u) for u in approver.get("users") or []]
    elif kind == "superior":
        found = _superior(uow, inst.submitter_id, int(approver.get("levels") or 1))
    elif kind == "role":
        found = list(uow.session.scalars(
            select(user_roles.c.user_id).join(User, User.id == user_roles.c.user_id)
            .where(user_roles.c.role_id == int(approver.get("role_id") or 0)).order_by(User.id)))
    elif kind == "submitter_picks":
        found = [int(u) for u in (inst.picks or {}).get(str(index)) or []]
    enabled = set(uow.session.scalars(select(User.id).where(User.id.in_(found), User.enabled.is_(True)))) if found else set()
    return list(dict.fromkeys(u for u in found if u in enabled))


def _superior(uow: UnitOfWork, user_id: int, levels: int) -> list[int]:
    current, highest = user_id, None
    seen = {user_id}
    for _ in range(levels):
        boss = uow.session.scalar(select(User.superior_id).where(User.id == current))
        if boss is None or boss in seen:
            break  # the chain ends: the highest superior found approves
        highest = current = boss
        seen.add(boss)
    return [highest] if highest is not None else []


def _admins(uow: UnitOfWork, inst: ApprovalInstance) -> list[int]:
    admin_id = (inst.branch or {}).get("admin_id")
    if admin_id and uow.session.scalar(select(User.enabled).where(User.id == admin_id)):
        return [int(admin_id)]
    return list(uow.session.scalars(
        select(User.id).join(user_roles, user_roles.c.user_id == User.id).join(Role, Role.id == user_roles.c.role_id)
        .where(Role.is_super.is_(True), User.enabled.is_(True)).order_by(User.id)))


def _activate(uow: UnitOfWork, inst: ApprovalInstance, index: int) -> None:
    """Open node ``index`` (or finish when past the last); nodes without approvers are skipped
    or given to the administrator, by the flow's setting."""
    nodes = nodes_of(inst)
    while True:
        inst.node_index = index
        if index >= len(nodes):
            if not nodes and (inst.branch or {}).get("no_approver") != "auto":
                # No branch applied: the administrator decides, as for a node without approvers.
                approvers = _admins(uow, inst)
                if approvers:
                    inst.branch = {**inst.branch, "nodes": [{"name": "", "mode": "orsign",
                                                             "approver": {"kind": "users", "users": approvers}}]}
                    nodes = nodes_of(inst)
                    log(uow, inst, "to_admin", node=0)
                    _open_tasks(uow, inst, 0, approvers, "orsign")
                    return
            _finish(uow, inst, approved=True)
            return
        node = nodes[index]
        approvers = resolve_approvers(uow, inst, index)
        mode = str(node.get("mode") or "sequential")
        if not approvers:
            if (inst.branch or {}).get("no_approver") == "auto":
                log(uow, inst, "auto_approved", node=index)
                index += 1
                continue
            approvers = _admins(uow, inst)
            log(uow, inst, "to_admin", node=index)
            if not approvers:
                raise RuleViolation(QT_TRANSLATE_NOOP(
                    "errors", "The approval step \"{node}\" has no approver and there is no approval administrator."),
                    node=node_name(inst, index))
            # The administrators decide this node as an or-sign; the snapshot says so for later.
            nodes[index] = {**node, "mode": "orsign", "to_admin": True}
            inst.branch = {**inst.branch, "nodes": nodes}
            mode = "orsign"
        _open_tasks(uow, inst, index, approvers, mode)
        return


def _open_tasks(uow: UnitOfWork, inst: ApprovalInstance, index: int, approvers: list[int], mode: str) -> None:
    for position, user_id in enumerate(approvers):
        state = "waiting" if mode == "sequential" and position > 0 else "pending"
        uow.session.add(ApprovalTask(instance_id=inst.id, round=inst.round, node_index=index, position=position,
                                     approver_id=user_id, state=state))
        _share(uow, inst, user_id)
        if state == "pending":
            _tell_approver(uow, inst, user_id)
    uow.session.flush()


def _share(uow: UnitOfWork, inst: ApprovalInstance, user_id: int) -> None:
    """Approvers see the record they decide on, whatever their data scope: a read team seat."""
    owner = uow.session.scalar(select(_model(inst).owner_id).where(_model(inst).id == inst.record_id))
    if user_id == owner or uow.session.get(TeamMember, (inst.entity, inst.record_id, user_id)) is not None:
        return
    uow.session.add(TeamMember(entity=inst.entity, record_id=inst.record_id, user_id=user_id, access="read"))


def _model(inst: ApprovalInstance) -> Any:
    return record_service(inst.entity).model


def _tell_approver(uow: UnitOfWork, inst: ApprovalInstance, user_id: int) -> None:
    _message(uow, user_id, inst, QT_TRANSLATE_NOOP("messages", "Approval waiting for you: {flow} — {record}"))


def _message(uow: UnitOfWork, user_id: int, inst: ApprovalInstance, title: str, comment: str = "") -> None:
    uow.session.add(Message(
        recipient_id=user_id, title=title, body=comment, entity=inst.entity, record_id=inst.record_id, read=False,
        params={"flow": inst.flow_name, "record": inst.record_name, "kind": "approval", "instance_id": inst.id},
    ))


# --- deciding ------------------------------------------------------------------------------

def decide(uow: UnitOfWork, task_id: int, user_id: int, *, approve: bool, comment: str = "") -> ApprovalInstance:
    """The approver's decision on their task. AlreadyDecided when someone else's counted first."""
    instance_id = uow.session.scalar(select(ApprovalTask.instance_id).where(ApprovalTask.id == task_id))
    if instance_id is None:
        raise ValidationError({"task": QT_TRANSLATE_NOOP("errors", "This approval no longer exists.")})
    inst = lock_instance(uow, instance_id)  # the second of two deciders waits here, then sees the first
    task = uow.session.get(ApprovalTask, task_id, populate_existing=True)
    assert task is not None
    if task.approver_id != user_id:
        raise PermissionDenied("approval", "approve")
    if inst.status != "pending" or task.state != "pending" or task.round != inst.round:
        raise AlreadyDecided()
    if not approve and not comment.strip():
        raise ValidationError({"comment": QT_TRANSLATE_NOOP("errors", "Say why you reject it.")})
    now = utcnow()
    task.state, task.comment, task.decided_at = ("approved" if approve else "rejected"), comment.strip(), now
    inst.updated_at = now  # bumps the version: a concurrent decision on SQLite fails its UPDATE
    log(uow, inst, "approved" if approve else "rejected", actor_id=user_id, node=task.node_index, comment=task.comment)
    node_tasks = list(uow.session.scalars(select(ApprovalTask).where(
        ApprovalTask.instance_id == inst.id, ApprovalTask.round == inst.round,
        ApprovalTask.node_index == task.node_index).order_by(ApprovalTask.position)))
    if not approve:
        close_tasks(node_tasks)
        _finish(uow, inst, approved=False, comment=task.comment)
    else:
        mode = _mode(inst, task.node_index)
        if mode == "orsign":
            close_tasks(node_tasks)
            _node_approved(uow, inst, task.node_index)
            _activate(uow, inst, task.node_index + 1)
        elif mode == "countersign":
            if all(t.state == "approved" for t in node_tasks):
                _node_approved(uow, inst, task.node_index)
                _activate(uow, inst, task.node_index + 1)
        else:
            waiting = [t for t in node_tasks if t.state == "waiting"]
            if waiting:
                waiting[0].state = "pending"
                _tell_approver(uow, inst, waiting[0].approver_id)
            else:
                _node_approved(uow, inst, task.node_index)
                _activate(uow, inst, task.node_index + 1)
    try:
        uow.session.flush()
    except StaleDataError:
        raise AlreadyDecided() from None
    return inst


def _node_approved(uow: UnitOfWork, inst: ApprovalInstance, index: int) -> None:
    """A node a person approved: when it says ``"sets_status"``, set the record's status field
    (``NODE_STATUS_FIELDS``) to it through the entity's STATUS_APPLIERS entry."""
    nodes = nodes_of(inst)
    value = nodes[index].get("sets_status") if 0 <= index < len(nodes) else None
    field = NODE_STATUS_FIELDS.get(inst.entity)
    applier = STATUS_APPLIERS.get((inst.entity, field)) if field else None
    if value in (None, "") or applier is None:
        return
    row = uow.session.get(_model(inst), inst.record_id)
    if row is not None:
        applier(uow, row, value)


def _mode(inst: ApprovalInstance, index: int) -> str:
    nodes = nodes_of(inst)
    return str(nodes[index].get("mode") or "sequential") if 0 <= index < len(nodes) else "orsign"


def _finish(uow: UnitOfWork, inst: ApprovalInstance, *, approved: bool, comment: str = "") -> None:
    inst.status = "approved" if approved else "rejected"
    inst.finished_at = utcnow()
    log(uow, inst, "finished", comment=inst.status)
    service = record_service(inst.entity)
    row = uow.session.get(service.model, inst.record_id)
    if row is None:
        return
    kind = (inst.target or {}).get("kind")
    if kind == "create" and hasattr(row, "approval_status"):
        # Customers are simply active once registered (""); contracts and payments say "approved".
        row.approval_status = getattr(type(row), "approved_status", "") if approved else "rejected"
    elif kind == "status" and approved:
        _apply_status(uow, service, row, inst)
    hook = FINISH_HOOKS.get(inst.entity)
    if hook is not None:
        hook(uow, row, inst, approved)
    _message(uow, inst.submitter_id, inst,
             QT_TRANSLATE_NOOP("messages", "Approved: {flow} — {record}") if approved
             else QT_TRANSLATE_NOOP("messages", "Rejected: {flow} — {record}"), comment)
    uow.session.flush()
    uow.add_event(ApprovalDecided(inst.entity, row.id, acting(uow), instance_id=inst.id, approved=approved))


def _apply_status(uow: UnitOfWork, service: RecordService[Any], row: Any, inst: ApprovalInstance) -> None:
    field, new = str(inst.target["field"]), inst.target.get("to")
    applier = STATUS_APPLIERS.get((inst.entity, field))
    if applier is not None:
        applier(uow, row, new)
        return
    old = getattr(row, field)
    if audit.jsonable(old) == new:
        return
    setattr(row, field, new)
    uow.session.flush()
    audit.write_audit(uow.session, entity=inst.entity, record_id=row.id, action="status",
                      actor_id=inst.submitter_id, changes={field: (old, new)}, version=row.version)
    uow.add_event(StatusChanged(inst.entity, row.id, inst.submitter_id, field_name=field, old=audit.jsonable(old), new=new))


# --- resubmitting (withdrawing: services.approval_state) ------------------------------------------------------------

def resubmit(uow: UnitOfWork, instance_id: int, user_id: int, *,
             picks: Mapping[int | str, Sequence[int]] | None = None) -> ApprovalInstance:
    inst = lock_instance(uow, instance_id)
    if inst.submitter_id != user_id:
        raise PermissionDenied("approval", "resubmit")
    if inst.status not in ("rejected", "withdrawn"):
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Only a rejected or withdrawn approval can be resubmitted."))
    service = record_service(inst.entity)
    if uow.actor is not None:
        # The new round snapshots the record as it is now, so the submitter must still be
        # allowed to edit it, as ``submit`` asks: a record that left their scope since (or went
        # to the recycle bin) is answered like one that does not exist, never shown in a form.
        row = service.load_row(uow.session, uow.actor, inst.record_id, for_edit=True)
    else:
        row = uow.session.get(service.model, inst.record_id)
        if row is None or getattr(row, "deleted_at", None) is not None:
            raise ValidationError({"record": QT_TRANSLATE_NOOP("errors", "The record no longer exists.")})
    if pending_for(uow, inst.entity, inst.record_id):
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "A change of this record is already waiting for approval."))
    from_rejected = inst.status == "rejected" and (inst.branch or {}).get("resubmit_from") == "rejected"
    start_at = inst.node_index if from_rejected else 0
    flow = uow.session.get(ApprovalFlow, inst.flow_id) if inst.flow_id is not None else None
    if picks is not None:
        inst.picks = {str(k): list(v) for k, v in picks.items()}
    kept_branch = inst.branch
    if flow is not None:
        _snapshot(uow, service, row, flow, inst)  # the edited record, the flow as it is now
        if from_rejected:
            inst.branch = kept_branch  # resume the same path at the node that rejected it
    if uow.actor is not None and inst.picks:
        # A submitter who chose approvers resubmits: each node they choose for needs one (the
        # earlier choice stands unless ``picks`` changes it), as ``submit`` asks. A request
        # nobody chose for (a gated creation) still goes to the administrator.
        check_picks(uow.session, inst.branch or {}, inst.picks, submitter_id=inst.submitter_id)
    inst.round += 1
    inst.status, inst.finished_at, inst.updated_at = "pending", None, utcnow()
    if (inst.target or {}).get("kind") == "create" and hasattr(row, "approval_status"):
        row.approval_status = "pending"
    log(uow, inst, "resubmitted", actor_id=user_id, node=start_at)
    _activate(uow, inst, start_at)
    uow.session.flush()
    return inst


def close_for_record(uow: UnitOfWork, entity: str, record_id: int) -> None:
    """A record deleted while pending: its open approvals are withdrawn (nobody decides on it)."""
    ids = list(uow.session.scalars(select(ApprovalInstance.id).where(
        ApprovalInstance.entity == entity, ApprovalInstance.record_id == record_id,
        ApprovalInstance.status == "pending")))
    if not ids:
        return
    uow.session.execute(update(ApprovalTask).where(ApprovalTask.instance_id.in_(ids),
                                                   ApprovalTask.state.in_(OPEN_TASK_STATES)).values(state="closed"))
    for inst in uow.session.scalars(select(ApprovalInstance).where(ApprovalInstance.id.in_(ids))):
        inst.status, inst.finished_at = "withdrawn", utcnow()
        log(uow, inst, "withdrawn", comment="record deleted")


# --- what the bus hands over (wired by crm_desktop.bootstrap) -----------------------------------

def on_requested(event: ApprovalRequested, uow: UnitOfWork) -> None:
    """A service asked for an approval (a gated creation or status change, a flow started by
    hand): start the instance on the record."""
    service = record_service(event.entity)
    row = uow.session.get(service.model, event.record_id)
    if row is None:
        raise ValidationError({"record": QT_TRANSLATE_NOOP("errors", "The record no longer exists.")})
    start(uow, service, row, flow_id=event.flow_id, submitter_id=event.submitter_id,
          target=event.target or None, picks=event.picks or None)


def on_deleted(event: RecordDeleted, uow: UnitOfWork) -> None:
    close_for_record(uow, event.entity, event.record_id)


def on_decide(command: DecideApproval, uow: UnitOfWork) -> ApprovalInstance:
    assert uow.actor is not None
    return decide(uow, command.task_id, uow.actor.user_id, approve=command.approve, comment=command.comment)


def on_resubmit(command: ResubmitApproval, uow: UnitOfWork) -> ApprovalInstance:
    assert uow.actor is not None
    return resubmit(uow, command.instance_id, uow.actor.user_id, picks=command.picks)


__all__ = ["APPROVER_KINDS", "AlreadyDecided", "ApprovalPending", "BINDINGS", "FINISH_HOOKS", "MODES",
           "NODE_STATUS_FIELDS", "STATUS_APPLIERS", "check_definition", "close_for_record", "count_waiting",
           "creation_flow", "decide", "lock_instance", "node_name", "on_decide", "on_deleted", "on_requested",
           "on_resubmit", "pending_for", "refuse_edit_while_pending", "resolve_approvers", "resubmit", "start",
           "transition_flow"]
