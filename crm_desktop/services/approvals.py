"""Approval workflows for the UI: flow settings, submitting, deciding, the record's history, "My approvals".

Promises (thread rule: any thread; each call is one unit of work; the engine is
``crm_desktop.automation.approvals``):

- Flows are managed with "setting"/"manage": create, update, delete, switch on and off. Input
  is checked against the entity's fields, the list filter's operators, node modes and approver
  kinds. A switched-off flow gates nothing (creations and transitions go through).
- ``install_registration_example`` adds the ready customer registration (报备) flow: gates
  customer creation; customers in 福建 go to the role "福建事业部负责人", the others to
  "销售总监" (both roles are created when missing, with no permissions of their own); a node
  without anyone in its role goes to the approval administrator.
- ``submit`` (record "edit" rights), ``decide`` (the task's approver), ``withdraw`` and
  ``resubmit`` (the submitter) each commit or change nothing. Of two approvers deciding at the
  same moment, exactly one counts; the other gets AlreadyDecided.
- ``record_approvals`` shows every instance of a record with its form data, tasks and full log
  to whoever may see the record (approvers may: they are on its team).
- ``my_approvals``: "pending" (tasks waiting for me), "submitted" (by me), "decided" (by me).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from crm_desktop.automation import approvals as engine
from crm_desktop.automation.actions import service_for
from crm_desktop.automation.engine import system_schema
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ApprovalFlow,
    ApprovalInstance,
    ApprovalLog,
    ApprovalTask,
    Role,
    RolePermission,
    User,
)
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.permissions import require
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work

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
    schema = system_schema(uow, data.entity)
    if data.binding not in engine.BINDINGS:
        errors["binding"] = QT_TRANSLATE_NOOP("errors", "Choose what the flow gates.")
    if data.binding == "status" and (not data.status_field or schema.get(data.status_field) is None):
        errors["status_field"] = QT_TRANSLATE_NOOP("errors", "Choose the status field.")
    if data.resubmit_from not in ("first", "rejected"):
        errors["resubmit_from"] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
    if data.no_approver not in ("auto", "admin"):
        errors["no_approver"] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
    try:
        engine.check_definition(schema, data.form, data.branches)
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
           picks: Mapping[int | str, Sequence[int]] | None = None) -> InstanceDTO:
    """Start a "manual" flow on a record the actor may edit."""
    with unit_of_work(db, actor) as uow:
        service = service_for(entity)
        require(uow.actor, entity, "edit")
        assert uow.actor is not None
        row = service.load_row(uow.session, uow.actor, record_id, for_edit=True)
        if engine.pending_for(uow, entity, record_id, flow_id):
            raise ValidationError({"flow": QT_TRANSLATE_NOOP("errors", "This record is already waiting for this approval.")})
        inst = engine.start(uow, service, row, flow_id=flow_id, submitter_id=uow.actor.user_id, picks=picks)
        return _instance_dto(uow, inst)


def decide(db: Database, actor: Actor, task_id: int, *, approve: bool, comment: str = "") -> InstanceDTO:
    try:
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            inst = engine.decide(uow, task_id, uow.actor.user_id, approve=approve, comment=comment)
            return _instance_dto(uow, inst)
    except StaleDataError:
        # SQLite has no row locks: the instance's version check decided the race instead.
        raise engine.AlreadyDecided() from None


def withdraw(db: Database, actor: Actor, instance_id: int, comment: str = "") -> InstanceDTO:
    try:
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            inst = engine.withdraw(uow, instance_id, uow.actor.user_id, comment)
            return _instance_dto(uow, inst)
    except StaleDataError:
        raise engine.AlreadyDecided() from None  # decided while the submitter withdrew (SQLite)


def resubmit(db: Database, actor: Actor, instance_id: int, *,
             picks: Mapping[int | str, Sequence[int]] | None = None) -> InstanceDTO:
    try:
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            inst = engine.resubmit(uow, instance_id, uow.actor.user_id, picks=picks)
            return _instance_dto(uow, inst)
    except StaleDataError:
        raise engine.AlreadyDecided() from None


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
        node_name=engine.node_name(inst, inst.node_index), round=inst.round,
        form=tuple((str(f.get("label")), f.get("value")) for f in (inst.form_data or {}).get("fields", [])),
        tasks=tuple(TaskDTO(t.id, t.round, t.node_index, engine.node_name(inst, t.node_index), t.approver_id,
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
        service_for(inst.entity).load_row(uow.session, uow.actor, inst.record_id, for_edit=False)
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
        service_for(entity).load_row(uow.session, uow.actor, record_id, for_edit=False)
        rows = uow.session.scalars(select(ApprovalInstance).where(
            ApprovalInstance.entity == entity, ApprovalInstance.record_id == record_id)
            .order_by(ApprovalInstance.id.desc()))
        return [_instance_dto(uow, inst) for inst in rows]


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
        return [ApprovalItemDTO(
            instance_id=inst.id, task_id=task.id if task is not None else None, flow_name=inst.flow_name,
            entity=inst.entity, record_id=inst.record_id, record_name=inst.record_name,
            submitter_name=names.get(inst.submitter_id, ""), status=inst.status,
            node_name=engine.node_name(inst, task.node_index if task is not None else inst.node_index),
            created_at=inst.created_at, decided_at=task.decided_at if task is not None else inst.finished_at,
            decision=task.state if task is not None else "",
        ) for inst, task in pairs]


#: ``count_waiting(session, user_id)``: tasks waiting for a user, for a caller's read-only unit of
#: work (the to-do counts read it beside their other counts in one transaction).
count_waiting = engine.count_waiting


__all__ = ["ACTION_LABELS", "ApprovalItemDTO", "ENTITIES", "FlowDTO", "FlowInput", "InstanceDTO", "LogDTO",
           "REGISTRATION_ROLES", "STATUS_LABELS", "TaskDTO", "count_waiting", "create_flow", "decide", "delete_flow",
           "get_instance", "install_registration_example", "list_flows", "manual_flows", "my_approvals",
           "record_approvals", "registration_example", "resubmit", "set_flow_enabled", "submit", "update_flow",
           "withdraw"]
