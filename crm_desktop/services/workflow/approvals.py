"""Approval workflows for the UI: flow settings, submitting, deciding, the record's history, "My approvals".

Promises (thread rule: any thread; each call is one unit of work; the engine is
``crm_desktop.automation.approvals``, reached through events and commands only: submitting
records ``ApprovalRequested``, deciding and resubmitting are the ``DecideApproval`` and
``ResubmitApproval`` commands; withdrawing is plain data, ``services.approval_state``):

- Flows are managed with "setting"/"manage": create, update, delete, switch on and off. Input
  is checked against the entity's fields, the list filter's operators, node modes and approver
  kinds. A switched-off flow gates nothing (creations and transitions go through).
- ``install_registration_example`` adds the ready customer registration (报备) flow: gates
  customer creation; customers in 福建 go to the role "福建事业部负责人", the others to
  "销售总监" (both roles are created when missing, with no permissions of their own); a node
  without anyone in its role goes to the approval administrator.
- ``approvers_to_choose``: the nodes of the flow that applies whose approvers the submitter
  chooses (the GUI asks for them before ``submit``; ``submit`` refuses without them).
- ``submit`` (record "edit" rights), ``decide`` (the task's approver), ``withdraw`` and
  ``resubmit`` (the submitter; resubmitting also needs edit rights on the record still, as it
  snapshots the record anew) each commit or change nothing. Of two approvers deciding at the
  same moment, exactly one counts; the other gets AlreadyDecided.
- ``record_approvals`` shows every instance of a record with its form data, tasks and full log
  to whoever may see the record (approvers may: they are on its team).
- ``my_approvals``: "pending" (tasks waiting for me), "submitted" (by me), "decided" (by me).
- ``pending_instance_id``: a record's approval waiting for a decision; a record the actor cannot
  see is NotFound, like one that does not exist.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ApprovalFlow,
    ApprovalInstance,
    ApprovalLog,
    ApprovalTask,
    Customer,
    Role,
    RolePermission,
    User,
)
from crm_desktop.services.commands import DecideApproval, ResubmitApproval
from crm_desktop.services.db_errors import StaleRecord
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.events import ApprovalRequested
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.records.schema import system_schema
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work
from crm_desktop.services.workflow import approval_state
from crm_desktop.services.workflow.approval_state import AlreadyDecided, node_name
from crm_desktop.services.workflow.approver_picks import (
    PickNode,
    nodes_to_pick,
    resolve_picks,
)

if TYPE_CHECKING:
    from crm_desktop.db import Database

ENTITIES = ("customer", "lead", "contact", "contract", "payment")
STATUSES = ("pending", "approved", "rejected", "withdrawn")
STATUS_LABELS = {
    "pending": QT_TRANSLATE_NOOP("approvals", "Pending"),
    "approved": QT_TRANSLATE_NOOP("approvals", "Approved"),
    "rejected": QT_TRANSLATE_NOOP("approvals", "Rejected"),
    "withdrawn": QT_TRANSLATE_NOOP("approvals", "Withdrawn"),
}
ACTION_LABELS = {
    "submitted": QT_TRANSLATE_NOOP("approvals", "Submitted"),
    "resubmitted": QT_TRANSLATE_NOOP("approvals", "Resubmitted"),
    "approved": QT_TRANSLATE_NOOP("approvals", "Approved"),
    "rejected": QT_TRANSLATE_NOOP("approvals", "Rejected"),
    "withdrawn": QT_TRANSLATE_NOOP("approvals", "Withdrawn"),
    "auto_approved": QT_TRANSLATE_NOOP("approvals", "Approved automatically (no approver)"),
    "to_admin": QT_TRANSLATE_NOOP("approvals", "No approver: sent to the approval administrator"),
    "finished": QT_TRANSLATE_NOOP("approvals", "Finished"),
}
REGISTRATION_ROLES = ("福建事业部负责人", "销售总监")


@dataclass(frozen=True)
class FlowInput:
    name: str
    entity: str
    binding: str = "manual"
    enabled: bool = True
    status_field: str | None = None
    from_status: Any = None
    to_status: Any = None
    form: tuple[Mapping[str, Any], ...] = ()
    branches: tuple[Mapping[str, Any], ...] = ()
    resubmit_from: str = "first"
    no_approver: str = "admin"
    admin_id: int | None = None


@dataclass(frozen=True)
class FlowDTO(FlowInput):
    id: int = 0


@dataclass(frozen=True)
class TaskDTO:
    id: int
    round: int
    node_index: int
    node_name: str
    approver_id: int
    approver_name: str
    state: str
    comment: str
    decided_at: dt.datetime | None


@dataclass(frozen=True)
class LogDTO:
    id: int
    round: int
    node_name: str
    actor_name: str
    action: str
    comment: str
    at: dt.datetime


@dataclass(frozen=True)
class InstanceDTO:
    id: int
    flow_id: int | None
    flow_name: str
    entity: str
    record_id: int
    record_name: str
    submitter_id: int
    submitter_name: str
    status: str
    target: Mapping[str, Any]
    node_index: int
    node_name: str
    round: int
    #: (label, value) pairs of the form as submitted.
    form: tuple[tuple[str, Any], ...]
    tasks: tuple[TaskDTO, ...]
    log: tuple[LogDTO, ...]
    created_at: dt.datetime
    finished_at: dt.datetime | None
    #: The actor's open task on this instance (to approve or reject), if any.
    my_task_id: int | None = None
    can_withdraw: bool = False
    can_resubmit: bool = False
    node_names: tuple[str, ...] = dc_field(default=())


@dataclass(frozen=True)
class ApprovalItemDTO:
    """One line of "My approvals"."""

    instance_id: int
    task_id: int | None
    flow_name: str
    entity: str
    record_id: int
    record_name: str
    submitter_name: str
    status: str
    node_name: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision: str = ""
    #: What is being approved, as the record is now (``_record_facts``): its amount (contracts,
    #: payments, opportunities), its number (contracts, payments) and its customer's name — ""
    #: when the customer is outside the actor's data scope.
    amount: Decimal | None = None
    record_number: str = ""
    customer_name: str = ""


# --- flows (settings) -----------------------------------------------------------------------

def _flow_dto(f: ApprovalFlow) -> FlowDTO:
    return FlowDTO(
        id=f.id, name=f.name, entity=f.entity, binding=f.binding, enabled=f.enabled, status_field=f.status_field,
        from_status=f.from_status, to_status=f.to_status, form=tuple(f.form or ()), branches=tuple(f.branches or ()),
        resubmit_from=f.resubmit_from, no_approver=f.no_approver, admin_id=f.admin_id,
    )


def _check_flow(uow: UnitOfWork, data: FlowInput) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    if data.entity not in ENTITIES:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    schema = system_schema(uow.session, data.entity)
    if data.binding not in approval_state.BINDINGS:
        errors["binding"] = QT_TRANSLATE_NOOP("errors", "Choose what the flow gates.")
    if data.binding == "status" and (not data.status_field or schema.get(data.status_field) is None):
        errors["status_field"] = QT_TRANSLATE_NOOP("errors", "Choose the status field.")
    if data.resubmit_from not in ("first", "rejected"):
        errors["resubmit_from"] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
    if data.no_approver not in ("auto", "admin"):
        errors["no_approver"] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
    try:
        approval_state.check_definition(schema, data.form, data.branches)
    except ValidationError as exc:
        errors = exc.field_errors | errors
    if errors:
        raise ValidationError(errors)


def _apply_flow(flow: ApprovalFlow, data: FlowInput) -> None:
    flow.name, flow.entity, flow.binding, flow.enabled = data.name.strip(), data.entity, data.binding, data.enabled
    status = data.binding == "status"
    flow.status_field = data.status_field if status else None
    flow.from_status = data.from_status if status else None
    flow.to_status = data.to_status if status else None
    flow.form = [dict(f) for f in data.form]
    flow.branches = [dict(b) for b in data.branches]
    flow.resubmit_from, flow.no_approver, flow.admin_id = data.resubmit_from, data.no_approver, data.admin_id


def _load_flow(uow: UnitOfWork, flow_id: int) -> ApprovalFlow:
    flow = uow.session.get(ApprovalFlow, flow_id)
    if flow is None:
        raise NotFound("approval flow", flow_id)
    return flow


def list_flows(db: Database, actor: Actor, *, entity: str | None = None) -> list[FlowDTO]:
    with read_only(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        query = select(ApprovalFlow).order_by(ApprovalFlow.entity, ApprovalFlow.id)
        if entity is not None:
            query = query.where(ApprovalFlow.entity == entity)
        return [_flow_dto(f) for f in uow.session.scalars(query)]


def manual_flows(db: Database, actor: Actor, entity: str) -> list[FlowDTO]:
    """Enabled flows a user may start on a record of ``entity`` by hand."""
    with read_only(db, actor) as uow:
        require(uow.actor, entity, "view")
        return [_flow_dto(f) for f in uow.session.scalars(select(ApprovalFlow).where(
            ApprovalFlow.entity == entity, ApprovalFlow.binding == "manual", ApprovalFlow.enabled.is_(True))
            .order_by(ApprovalFlow.id))]


def create_flow(db: Database, actor: Actor, data: FlowInput) -> FlowDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        _check_flow(uow, data)
        flow = ApprovalFlow()
        _apply_flow(flow, data)
        uow.session.add(flow)
        uow.session.flush()
        return _flow_dto(flow)


def update_flow(db: Database, actor: Actor, flow_id: int, data: FlowInput) -> FlowDTO:
    """Change a flow; instances under way keep the branch they were given."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        flow = _load_flow(uow, flow_id)
        _check_flow(uow, data)
        _apply_flow(flow, data)
        uow.session.flush()
        return _flow_dto(flow)


def set_flow_enabled(db: Database, actor: Actor, flow_id: int, enabled: bool) -> FlowDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        flow = _load_flow(uow, flow_id)
        flow.enabled = enabled
        uow.session.flush()
        return _flow_dto(flow)


def delete_flow(db: Database, actor: Actor, flow_id: int) -> None:
    """Remove a flow; its instances keep their history (with the flow's name)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        uow.session.delete(_load_flow(uow, flow_id))


def registration_example(fujian_role_id: int, director_role_id: int) -> FlowInput:
    """The customer registration (报备) flow of seed 003, for the two roles' ids."""
    fujian = {"match": "all", "groups": [{"match": "all", "conditions": [
        {"field": "province", "op": "contains", "value": "福建"}]}]}
    return FlowInput(
        name="客户报备", entity="customer", binding="create", enabled=True,
        form=(
            {"key": "name", "label": "客户名称", "field": "name"},
            {"key": "province", "label": "省份", "field": "province"},
            {"key": "industry", "label": "所属行业", "field": "industry"},
            {"key": "mobile", "label": "手机", "field": "mobile"},
            {"key": "owner", "label": "负责人", "field": "owner_id"},
        ),
        branches=(
            {"name": "福建客户", "condition": fujian, "nodes": [
                {"name": "福建事业部负责人审批", "mode": "orsign", "approver": {"kind": "role", "role_id": fujian_role_id}}]},
            {"name": "其他客户", "condition": {}, "nodes": [
                {"name": "销售总监审批", "mode": "orsign", "approver": {"kind": "role", "role_id": director_role_id}}]},
        ),
        resubmit_from="first", no_approver="admin",
    )


def install_registration_example(db: Database, actor: Actor, *, enabled: bool = True) -> FlowDTO:
    """Add the customer registration flow (and its two roles when missing)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        ids = []
        for name in REGISTRATION_ROLES:
            role = uow.session.scalars(select(Role).where(Role.name == name)).first()
            if role is None:
                # An approver must be able to open the customer it decides on (its team seat
                # gives the data; the permission to view customers comes with the role).
                role = Role(name=name, description="客户报备审批人",
                            permissions=[RolePermission(module="customer", action="view")])
                uow.session.add(role)
                uow.session.flush()
            ids.append(role.id)
        data = registration_example(ids[0], ids[1])
        data = FlowInput(**{**data.__dict__, "enabled": enabled})
        _check_flow(uow, data)
        flow = ApprovalFlow()
        _apply_flow(flow, data)
        uow.session.add(flow)
        uow.session.flush()
        return _flow_dto(flow)


# --- submitting and deciding ----------------------------------------------------------------

def submit(db: Database, actor: Actor, entity: str, record_id: int, flow_id: int, *,
           picks: Mapping[int | str, Sequence[int]] | None = None,
           approver_ids: Sequence[int] | None = None) -> InstanceDTO:
    """Start a "manual" flow on a record the actor may edit. A node whose approver the
    submitter chooses takes ``approver_ids`` (every such node) or ``picks`` (per node index);
    without them, ValidationError on ``approver_ids`` (``approver_picks``)."""
    with unit_of_work(db, actor) as uow:
        service = record_service(entity)
        require(uow.actor, entity, "edit")
        assert uow.actor is not None
        row = service.load_row(uow.session, uow.actor, record_id, for_edit=True)
        if approval_state.pending_for(uow, entity, record_id, flow_id):
            raise ValidationError({"flow": QT_TRANSLATE_NOOP("errors", "This record is already waiting for this approval.")})
        flow = uow.session.get(ApprovalFlow, flow_id)
        chosen = ({str(k): [int(u) for u in v] for k, v in (picks or {}).items()}
                  if flow is None or flow.entity != entity  # the engine refuses it, as before
                  else resolve_picks(uow.session, service, row, flow, uow.actor.user_id,
                                     approver_ids=approver_ids, picks=picks))
        uow.add_event(ApprovalRequested(
            entity, row.id, uow.actor.user_id, flow_id=flow_id, target={"kind": "manual"},
            submitter_id=uow.actor.user_id, picks=chosen))
        # The approval engine started it as the event was recorded (see services/uow.py).
        inst = uow.session.scalar(select(ApprovalInstance).where(
            ApprovalInstance.entity == entity, ApprovalInstance.record_id == row.id,
            ApprovalInstance.flow_id == flow_id).order_by(ApprovalInstance.id.desc()).limit(1))
        if inst is None:
            raise LookupError("no approval engine handled the request (see crm_desktop.bootstrap)")
        return _instance_dto(uow, inst)


def approvers_to_choose(db: Database, actor: Actor, entity: str, record_id: int, *,
                        flow_id: int | None = None) -> list[PickNode]:
    """The nodes whose approvers the actor must choose when submitting the record now: those of
    the branch it takes in ``flow_id`` (a manual flow), or in the entity's enabled "create" flow
    (contracts, payments: their ``submit``); empty when none asks (or no flow applies). The
    record must be one the actor may edit, as for submitting."""
    with read_only(db, actor) as uow:
        service = record_service(entity)
        require(uow.actor, entity, "edit")
        assert uow.actor is not None
        row = service.load_row(uow.session, uow.actor, record_id, for_edit=True)
        flow = (uow.session.get(ApprovalFlow, flow_id) if flow_id is not None
                else approval_state.creation_flow(uow, entity))
        if flow is None or flow.entity != entity:
            return []
        return nodes_to_pick(uow.session, service, row, flow, uow.actor.user_id)


def decide(db: Database, actor: Actor, task_id: int, *, approve: bool, comment: str = "") -> InstanceDTO:
    try:
        with unit_of_work(db, actor) as uow:
            inst = uow.handle(DecideApproval(task_id, approve, comment))
            return _instance_dto(uow, inst)
    except StaleRecord:
        # SQLite has no row locks: the instance's version check decided the race instead.
        raise AlreadyDecided() from None


def withdraw(db: Database, actor: Actor, instance_id: int, comment: str = "") -> InstanceDTO:
    try:
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            inst = approval_state.withdraw(uow, instance_id, uow.actor.user_id, comment, model_of=_model_of)
            return _instance_dto(uow, inst)
    except StaleRecord:
        raise AlreadyDecided() from None  # decided while the submitter withdrew (SQLite)


def resubmit(db: Database, actor: Actor, instance_id: int, *,
             picks: Mapping[int | str, Sequence[int]] | None = None) -> InstanceDTO:
    try:
        with unit_of_work(db, actor) as uow:
            inst = uow.handle(ResubmitApproval(instance_id, picks))
            return _instance_dto(uow, inst)
    except StaleRecord:
        raise AlreadyDecided() from None


def _model_of(entity: str) -> Any:
    return record_service(entity).model


# --- reading --------------------------------------------------------------------------------

def _names(uow: UnitOfWork, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(uow.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def _instance_dto(uow: UnitOfWork, inst: ApprovalInstance) -> InstanceDTO:
    tasks = list(uow.session.scalars(select(ApprovalTask).where(ApprovalTask.instance_id == inst.id)
                                     .order_by(ApprovalTask.round, ApprovalTask.node_index, ApprovalTask.position)))
    log = list(uow.session.scalars(select(ApprovalLog).where(ApprovalLog.instance_id == inst.id).order_by(ApprovalLog.id)))
    names = _names(uow, {inst.submitter_id} | {t.approver_id for t in tasks} | {e.actor_id for e in log})
    me = uow.actor.user_id if uow.actor is not None else None
    nodes = (inst.branch or {}).get("nodes") or []
    mine = next((t.id for t in tasks if t.approver_id == me and t.state == "pending" and t.round == inst.round
                 and inst.status == "pending"), None)
    return InstanceDTO(
        id=inst.id, flow_id=inst.flow_id, flow_name=inst.flow_name, entity=inst.entity, record_id=inst.record_id,
        record_name=inst.record_name, submitter_id=inst.submitter_id, submitter_name=names.get(inst.submitter_id, ""),
        status=inst.status, target=dict(inst.target or {}), node_index=inst.node_index,
        node_name=node_name(inst, inst.node_index), round=inst.round,
        form=tuple((str(f.get("label")), f.get("value")) for f in (inst.form_data or {}).get("fields", [])),
        tasks=tuple(TaskDTO(t.id, t.round, t.node_index, node_name(inst, t.node_index), t.approver_id,
                            names.get(t.approver_id, ""), t.state, t.comment, t.decided_at) for t in tasks),
        log=tuple(LogDTO(e.id, e.round, e.node_name, names.get(e.actor_id or 0, ""), e.action, e.comment, e.at)
                  for e in log),
        created_at=inst.created_at, finished_at=inst.finished_at, my_task_id=mine,
        can_withdraw=inst.status == "pending" and inst.submitter_id == me,
        can_resubmit=inst.status in ("rejected", "withdrawn") and inst.submitter_id == me,
        node_names=tuple(str(n.get("name") or "") for n in nodes),
    )


def _may_read(uow: UnitOfWork, inst: ApprovalInstance) -> bool:
    assert uow.actor is not None
    me = uow.actor.user_id
    if inst.submitter_id == me or uow.session.scalar(select(func.count(ApprovalTask.id)).where(
            ApprovalTask.instance_id == inst.id, ApprovalTask.approver_id == me)):
        return True
    try:
        record_service(inst.entity).load_row(uow.session, uow.actor, inst.record_id, for_edit=False)
    except (NotFound, PermissionDenied):
        return False
    return True


def get_instance(db: Database, actor: Actor, instance_id: int) -> InstanceDTO:
    with read_only(db, actor) as uow:
        inst = uow.session.get(ApprovalInstance, instance_id)
        if inst is None or not _may_read(uow, inst):
            raise NotFound("approval", instance_id)
        return _instance_dto(uow, inst)


def record_approvals(db: Database, actor: Actor, entity: str, record_id: int) -> list[InstanceDTO]:
    """Every approval of a record, newest first, with form, tasks and history."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        record_service(entity).load_row(uow.session, uow.actor, record_id, for_edit=False)
        rows = uow.session.scalars(select(ApprovalInstance).where(
            ApprovalInstance.entity == entity, ApprovalInstance.record_id == record_id)
            .order_by(ApprovalInstance.id.desc()))
        return [_instance_dto(uow, inst) for inst in rows]


def pending_instance_id(db: Database, actor: Actor, entity: str, record_id: int) -> int | None:
    """The newest approval of a record that waits for a decision, if any. The record must be
    one the actor can see: any other id is answered NotFound, as one that does not exist."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, entity, "view")
        record_service(entity).load_row(uow.session, uow.actor, record_id, for_edit=False)
        return approval_state.newest_pending(uow.session, entity, record_id)


def my_approvals(db: Database, actor: Actor, box: str, *, limit: int = 200) -> list[ApprovalItemDTO]:
    """"pending": waiting for me · "submitted": by me · "decided": by me; newest first."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        me = uow.actor.user_id
        if box == "submitted":
            pairs = [(inst, None) for inst in uow.session.scalars(
                select(ApprovalInstance).where(ApprovalInstance.submitter_id == me)
                .order_by(ApprovalInstance.id.desc()).limit(limit))]
        elif box in ("pending", "decided"):
            states = ("pending",) if box == "pending" else ("approved", "rejected")
            pairs = list(uow.session.execute(
                select(ApprovalInstance, ApprovalTask).join(ApprovalTask, ApprovalTask.instance_id == ApprovalInstance.id)
                .where(ApprovalTask.approver_id == me, ApprovalTask.state.in_(states))
                .order_by(ApprovalTask.id.desc()).limit(limit)).all())
        else:
            raise ValidationError({"box": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
        names = _names(uow, {inst.submitter_id for inst, _t in pairs})
        facts = _record_facts(uow, [inst for inst, _t in pairs])
        return [ApprovalItemDTO(
            instance_id=inst.id, task_id=task.id if task is not None else None, flow_name=inst.flow_name,
            entity=inst.entity, record_id=inst.record_id, record_name=inst.record_name,
            submitter_name=names.get(inst.submitter_id, ""), status=inst.status,
            node_name=node_name(inst, task.node_index if task is not None else inst.node_index),
            created_at=inst.created_at, decided_at=task.decided_at if task is not None else inst.finished_at,
            decision=task.state if task is not None else "",
            **facts.get((inst.entity, inst.record_id), {}),
        ) for inst, task in pairs]


def _record_facts(uow: UnitOfWork, instances: Sequence[ApprovalInstance]) -> dict[tuple[str, int], dict[str, Any]]:
    """Amount, number and customer name of each instance's record, one query per kind of record
    (and one for the customers). Only for lines of the actor's own boxes (submitted by them or
    waiting for / decided by them: they may see the record); the customer is named only when it
    is inside the actor's data scope."""
    assert uow.actor is not None
    wanted: dict[str, set[int]] = {}
    for inst in instances:
        wanted.setdefault(inst.entity, set()).add(inst.record_id)
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for entity, ids in wanted.items():
        model = record_service(entity).model
        columns = [c for c in ("amount", "number", "customer_id") if hasattr(model, c)]
        if not columns:
            continue
        for found in uow.session.execute(select(model.id, *(getattr(model, c) for c in columns))
                                         .where(model.id.in_(ids))):
            rows[(entity, found[0])] = dict(zip(columns, found[1:], strict=True))
    customer_ids = {int(r["customer_id"]) for r in rows.values() if r.get("customer_id") is not None}
    customers = dict(uow.session.execute(select(Customer.id, Customer.name).where(
        Customer.id.in_(customer_ids), visible_filter(Customer, uow.actor))).all()) if customer_ids else {}
    return {key: {"amount": r.get("amount"), "record_number": str(r.get("number") or ""),
                  "customer_name": str(customers.get(r.get("customer_id"), "") or "")}
            for key, r in rows.items()}


#: ``count_waiting(session, user_id)``: tasks waiting for a user, for a caller's read-only unit of
#: work (the to-do counts read it beside their other counts in one transaction).
count_waiting = approval_state.count_waiting


__all__ = ["ACTION_LABELS", "ApprovalItemDTO", "ENTITIES", "FlowDTO", "FlowInput", "InstanceDTO", "LogDTO",
           "PickNode", "approvers_to_choose",
           "REGISTRATION_ROLES", "STATUS_LABELS", "TaskDTO", "count_waiting", "create_flow", "decide", "delete_flow",
           "get_instance", "install_registration_example", "list_flows", "manual_flows", "my_approvals",
           "pending_instance_id",
           "record_approvals", "registration_example", "resubmit", "set_flow_enabled", "submit", "update_flow",
           "withdraw"]
