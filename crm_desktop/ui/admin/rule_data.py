"""What the rule editor offers, and the short texts that describe rules in lists.

``RuleEditorData`` holds what the action editors offer (the entity's fields, option lists,
users, roles, approval flows, the schemas of records a rule may create); ``load_editor_data``
reads it off the GUI thread, through ``ui.ops.op`` like every other read. The summaries
(``condition_summary``, ``action_summary``) are what the rules table and the run log show;
they name fields through ``condition_fields``, so a condition on a derived field reads
"Product category is one of 设备 / 数控机床" rather than its key and ids.
Thread rule: ``load_editor_data`` runs off the GUI thread; the rest is plain functions.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QCoreApplication

from crm_desktop.automation import actions as rule_actions
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.activities.tasks import PRIORITY_LABELS
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.org import roles as roles_service
from crm_desktop.services.records import schema as schema_service
from crm_desktop.services.records.filters import OP_LABELS, Filter
from crm_desktop.services.records.schema import EntitySchema
from crm_desktop.services.workflow import approvals, automation
from crm_desktop.services.workflow.approvals import FlowDTO
from crm_desktop.ui.admin.custom_fields import entity_label
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.shared.field_editors import (
    EditorOptions,
    load_editor_options,
)
from crm_desktop.ui.records.shared.filter_editor import (
    FilterFields,
    field_text,
    load_filter_fields,
    with_derived_fields,
)

#: The translation context of these texts (they were written in ``rule_actions``).
_CTX = "RuleActions"


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


# --- what the editors offer ------------------------------------------------------------------

@dataclass(frozen=True)
class RuleEditorData:
    """The entity's fields and option lists, users, roles, the entity's approval flows and the
    creatable records' schemas."""

    entity: str
    fields: FilterFields
    options: EditorOptions
    users: tuple[tuple[int, str], ...] = ()
    roles: tuple[tuple[int, str], ...] = ()
    targets: Mapping[str, EntitySchema] = field(default_factory=dict)
    #: followup_added rules may test the new follow-up's fields (``followup.content`` …).
    followup: FilterFields | None = None
    #: The approval flows of the entity (a start_approval action names one), disabled ones too.
    flows: tuple[FlowDTO, ...] = ()
    #: What a condition may name: ``fields`` plus the derived ones (a contract's product
    #: category, with its category paths); None: just ``fields``. Kept apart from ``fields``
    #: because the actions (set or copy a field) must never offer a derived field.
    condition_fields: FilterFields | None = None
    #: The schemas of the records an action may act on instead (the record's customer, a
    #: contract's opportunity: ``rule_format.RELATED_TARGETS``), those the actor may read.
    related: Mapping[str, EntitySchema] = field(default_factory=dict)

    @property
    def schema(self) -> EntitySchema:
        return self.fields.schema

    @property
    def named_fields(self) -> FilterFields:
        """The fields a summary may name: the condition fields, which include ``fields``."""
        return self.condition_fields or self.fields

    def user_name(self, user_id: Any) -> str:
        return next((name for uid, name in self.users if str(uid) == str(user_id)), f"#{user_id}")

    def role_name(self, role_id: Any) -> str:
        return next((name for rid, name in self.roles if str(rid) == str(role_id)), f"#{role_id}")

    def flow_name(self, flow_id: Any) -> str:
        return next((f.name for f in self.flows if str(f.id) == str(flow_id)), f"#{flow_id}")


def load_editor_data(ctx: AppContext, entity: str) -> RuleEditorData:
    """Read everything the rule editor offers for ``entity``. Runs off the GUI thread."""
    db, actor = ctx.db, ctx.actor
    fields = load_filter_fields(ctx, entity)
    related: dict[str, EntitySchema] = {}
    for on in getattr(rule_actions, "RELATED_TARGETS", {}).get(entity, ()):
        try:
            related[on] = schema_service.get_schema(db, actor, on)
        except PermissionDenied:
            continue
    # One set of option lists for the record's fields and its related records' (a set-field
    # action on the customer offers the customer's levels).
    options = load_editor_options(db, actor, [*fields.schema.fields, *(f for s in related.values() for f in s.fields)])
    try:  # a settings administrator may not see roles: messages to a role then show ids
        roles = tuple((r.id, r.name) for r in roles_service.list_roles(db, actor))
    except PermissionDenied:
        roles = ()
    followup = None
    if entity in getattr(automation, "EVENT_ENTITIES", {}).get("followup_added", ()):
        try:
            followup = load_filter_fields(ctx, "followup")
        except PermissionDenied:
            followup = None
    try:  # only settings administrators read flows; the others see flow ids
        flows = tuple(approvals.list_flows(db, actor, entity=entity))
    except PermissionDenied:
        flows = ()
    targets: dict[str, EntitySchema] = {}
    for target in rule_actions.CREATE_TARGETS:
        try:
            targets[target] = schema_service.get_schema(db, actor, target)
        except PermissionDenied:
            continue
    return RuleEditorData(entity=entity, fields=fields, options=options, users=options.users, roles=roles,
                          targets=targets, followup=followup, flows=flows,
                          condition_fields=with_derived_fields(ctx, fields), related=related)


def json_safe(value: Any) -> Any:
    """Editor values as the JSON the rule is stored as (exact decimals as text, dates ISO)."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    return value


# --- texts: action titles, summaries -----------------------------------------------------------

ACTION_TITLES = {
    "set_field": QT_TRANSLATE_NOOP("RuleActions", "Set a field"),
    "message": QT_TRANSLATE_NOOP("RuleActions", "Send a message"),
    "assign_owner": QT_TRANSLATE_NOOP("RuleActions", "Assign the owner"),
    "add_team": QT_TRANSLATE_NOOP("RuleActions", "Add team members"),
    "create_record": QT_TRANSLATE_NOOP("RuleActions", "Create a related record"),
    "start_approval": QT_TRANSLATE_NOOP("RuleActions", "Start an approval"),
    "create_task": QT_TRANSLATE_NOOP("RuleActions", "Create a task"),
}


def action_title(kind: str) -> str:
    """A known action type's name; a newer type's label from the actions module, or its key."""
    if kind in ACTION_TITLES:
        return _t(ACTION_TITLES[kind])
    labels = getattr(rule_actions, "ACTION_LABELS", {})
    return QCoreApplication.translate("automation", labels[kind]) if kind in labels else kind


def value_text(data: RuleEditorData, name: str, value: Any) -> str:
    """A stored value as the user reads it: option labels, user names, plain text."""
    if value is None or value == "":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "(empty)"))
    if isinstance(value, list):
        return ", ".join(value_text(data, name, v) for v in value)
    if isinstance(value, bool):
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Yes")) if value else _t(QT_TRANSLATE_NOOP("RuleActions", "No"))
    for option, label in data.named_fields.options.get(name.removeprefix("before:"), ()):
        if str(option) == str(value):
            return label
    return str(value)


def field_name_text(data: RuleEditorData, name: str) -> str:
    spec = data.named_fields.schema.get(name.removeprefix("before:"))
    label = field_text(spec) if spec is not None else name
    return _t(QT_TRANSLATE_NOOP("RuleActions", "{field} (before the change)")).format(field=label) if name.startswith("before:") else label


def condition_summary(data: RuleEditorData, condition: Mapping[str, Any] | None) -> str:
    """One line: "注册资本 at least 10000000 and …"; "Always" when there is no condition."""
    try:
        match = str((condition or {}).get("match", "all"))
        groups = [Filter.from_json(g) for g in (condition or {}).get("groups", ())]
    except (KeyError, ValueError, TypeError, AttributeError):
        return json.dumps(condition, ensure_ascii=False)
    parts = []
    for group in groups:
        joined = (_t(QT_TRANSLATE_NOOP("RuleActions", " or ")) if group.match == "any" else _t(QT_TRANSLATE_NOOP("RuleActions", " and "))).join(
            f"{field_name_text(data, c.field)} {QCoreApplication.translate('filters', OP_LABELS[c.op])}"
            + ("" if c.op.value in ("empty", "not_empty") else f" {value_text(data, c.field, c.value)}")
            for c in group.conditions)
        if joined:
            parts.append(joined)
    if not parts:
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Always"))
    if len(parts) == 1:
        return parts[0]
    return (_t(QT_TRANSLATE_NOOP("RuleActions", " or ")) if match == "any" else _t(QT_TRANSLATE_NOOP("RuleActions", " and "))).join(f"({p})" for p in parts)


RELATED_NAMES = {
    "customer": QT_TRANSLATE_NOOP("RuleActions", "Customer"),
    "opportunity": QT_TRANSLATE_NOOP("RuleActions", "Opportunity"),
}


def action_summary(data: RuleEditorData, action: Mapping[str, Any]) -> str:
    """One action in a few words: "Set Level = A", "Message to role 销售经理: …"; one on a
    related record says which: "Customer: Set Level = A"."""
    on = action.get("on")
    if on not in (None, "", "record"):
        related = data.related.get(str(on))
        inner = {k: v for k, v in action.items() if k != "on"}
        if related is not None and action.get("type") == "set_field":  # the field is the related record's
            text = action_summary(replace(data, fields=FilterFields(schema=related, options={}), condition_fields=None),
                                  inner)
        else:  # a message: its text is the rule's record's
            text = action_summary(data, inner)
        name = _t(RELATED_NAMES[str(on)]) if str(on) in RELATED_NAMES else str(on)
        return _t(QT_TRANSLATE_NOOP("RuleActions", "{record}: {action}")).format(record=name, action=text)
    kind = str(action.get("type"))
    if kind == "set_field":
        name = str(action.get("field"))
        if action.get("from_field"):
            source = field_name_text(data, str(action["from_field"]))
            return _t(QT_TRANSLATE_NOOP("RuleActions", "Set {field} = {source}")).format(field=field_name_text(data, name), source=source)
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Set {field} = {value}")).format(field=field_name_text(data, name),
                                                  value=value_text(data, name, action.get("value")))
    if kind == "message":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Message to {who}: {title}")).format(who=recipient_text(data, action), title=action.get("title", ""))
    if kind == "assign_owner" and action.get("round_robin") is not None:
        names = ", ".join(data.user_name(u) for u in action.get("round_robin") or ())
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Owner in turn: {users}")).format(users=names)
    if kind == "assign_owner":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Owner → {user}")).format(user=data.user_name(action.get("user_id")))
    if kind == "add_team":
        names = ", ".join(data.user_name(u) for u in action.get("user_ids") or ())
        access = _t(QT_TRANSLATE_NOOP("RuleActions", "read-write")) if action.get("access") == "write" else _t(QT_TRANSLATE_NOOP("RuleActions", "read"))
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Team + {users} ({access})")).format(users=names, access=access)
    if kind == "create_record":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Create {entity}")).format(entity=entity_label(str(action.get("entity"))))
    if kind == "start_approval":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "Start approval: {flow}")).format(flow=data.flow_name(action.get("flow_id")))
    if kind == "create_task":
        return task_summary(data, action)
    return action_title(kind)


def task_summary(data: RuleEditorData, action: Mapping[str, Any]) -> str:
    """"Task for the owner: Call {name} (due in 2 days, priority High)"."""
    ids = list(action.get("user_ids") or ())
    who = (", ".join(data.user_name(u) for u in ids) if action.get("to") == "users" and ids
           else recipient_text(data, {"to": action.get("to") or "owner"}))
    days = action.get("due_in_days")
    due = _t(QT_TRANSLATE_NOOP("RuleActions", "no due date")) if days in (None, "") else (
        _t(QT_TRANSLATE_NOOP("RuleActions", "due today")) if int(days) == 0 else _t(QT_TRANSLATE_NOOP("RuleActions", "due in {n} days")).format(n=int(days)))
    priority = str(action.get("priority") or "none")
    label = PRIORITY_LABELS.get(priority)
    details = due if priority == "none" or label is None else _t(QT_TRANSLATE_NOOP("RuleActions", "{due}, priority {priority}")).format(
        due=due, priority=QCoreApplication.translate("tasks", label))
    return _t(QT_TRANSLATE_NOOP("RuleActions", "Task for {who}: {title} ({details})")).format(who=who, title=action.get("title", ""), details=details)


def recipient_text(data: RuleEditorData, action: Mapping[str, Any]) -> str:
    to = action.get("to")
    if to == "owner":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "the owner"))
    if to == "superior":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "the owner's superior"))
    if to == "team":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "the team members"))
    if to == "role":
        return _t(QT_TRANSLATE_NOOP("RuleActions", "role {role}")).format(role=data.role_name(action.get("role_id")))
    if to == "users":
        return ", ".join(data.user_name(u) for u in action.get("user_ids") or ())
    return str(to)


__all__ = ["ACTION_TITLES", "RELATED_NAMES", "RuleEditorData", "action_summary", "action_title", "condition_summary",
           "field_name_text", "json_safe", "load_editor_data", "recipient_text", "task_summary", "value_text"]
