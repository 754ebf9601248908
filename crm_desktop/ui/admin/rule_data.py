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
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication

from crm_desktop.automation import actions as rule_actions
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services import approvals
from crm_desktop.services import automation
from crm_desktop.services import roles as roles_service
from crm_desktop.services import schema as schema_service
from crm_desktop.services.approvals import FlowDTO
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.filters import OP_LABELS, Filter
from crm_desktop.services.schema import EntitySchema
from crm_desktop.ui.admin.custom_fields import entity_label
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.field_editors import EditorOptions, load_editor_options
from crm_desktop.ui.records.filter_editor import FilterFields, field_text, load_filter_fields, with_derived_fields

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
    options = load_editor_options(db, actor, fields.schema)
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
                          condition_fields=with_derived_fields(ctx, fields))


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
        return _t("(empty)")
    if isinstance(value, list):
        return ", ".join(value_text(data, name, v) for v in value)
    if isinstance(value, bool):
        return _t("Yes") if value else _t("No")
    for option, label in data.named_fields.options.get(name.removeprefix("before:"), ()):
        if str(option) == str(value):
            return label
    return str(value)


def field_name_text(data: RuleEditorData, name: str) -> str:
    spec = data.named_fields.schema.get(name.removeprefix("before:"))
    label = field_text(spec) if spec is not None else name
    return _t("{field} (before the change)").format(field=label) if name.startswith("before:") else label


def condition_summary(data: RuleEditorData, condition: Mapping[str, Any] | None) -> str:
    """One line: "注册资本 at least 10000000 and …"; "Always" when there is no condition."""
    try:
        match = str((condition or {}).get("match", "all"))
        groups = [Filter.from_json(g) for g in (condition or {}).get("groups", ())]
    except (KeyError, ValueError, TypeError, AttributeError):
        return json.dumps(condition, ensure_ascii=False)
    parts = []
    for group in groups:
        joined = (_t(" or ") if group.match == "any" else _t(" and ")).join(
            f"{field_name_text(data, c.field)} {QCoreApplication.translate('filters', OP_LABELS[c.op])}"
            + ("" if c.op.value in ("empty", "not_empty") else f" {value_text(data, c.field, c.value)}")
            for c in group.conditions)
        if joined:
            parts.append(joined)
    if not parts:
        return _t("Always")
    if len(parts) == 1:
        return parts[0]
    return (_t(" or ") if match == "any" else _t(" and ")).join(f"({p})" for p in parts)


def action_summary(data: RuleEditorData, action: Mapping[str, Any]) -> str:
    """One action in a few words: "Set Level = A", "Message to role 销售经理: …"."""
    kind = str(action.get("type"))
    if kind == "set_field":
        name = str(action.get("field"))
        if action.get("from_field"):
            source = field_name_text(data, str(action["from_field"]))
            return _t("Set {field} = {source}").format(field=field_name_text(data, name), source=source)
        return _t("Set {field} = {value}").format(field=field_name_text(data, name),
                                                  value=value_text(data, name, action.get("value")))
    if kind == "message":
        return _t("Message to {who}: {title}").format(who=recipient_text(data, action), title=action.get("title", ""))
    if kind == "assign_owner" and action.get("round_robin") is not None:
        names = ", ".join(data.user_name(u) for u in action.get("round_robin") or ())
        return _t("Owner in turn: {users}").format(users=names)
    if kind == "assign_owner":
        return _t("Owner → {user}").format(user=data.user_name(action.get("user_id")))
    if kind == "add_team":
        names = ", ".join(data.user_name(u) for u in action.get("user_ids") or ())
        access = _t("read-write") if action.get("access") == "write" else _t("read")
        return _t("Team + {users} ({access})").format(users=names, access=access)
    if kind == "create_record":
        return _t("Create {entity}").format(entity=entity_label(str(action.get("entity"))))
    if kind == "start_approval":
        return _t("Start approval: {flow}").format(flow=data.flow_name(action.get("flow_id")))
    return action_title(kind)


def recipient_text(data: RuleEditorData, action: Mapping[str, Any]) -> str:
    to = action.get("to")
    if to == "owner":
        return _t("the owner")
    if to == "superior":
        return _t("the owner's superior")
    if to == "team":
        return _t("the team members")
    if to == "role":
        return _t("role {role}").format(role=data.role_name(action.get("role_id")))
    if to == "users":
        return ", ".join(data.user_name(u) for u in action.get("user_ids") or ())
    return str(to)


__all__ = ["ACTION_TITLES", "RuleEditorData", "action_summary", "action_title", "condition_summary",
           "field_name_text", "json_safe", "load_editor_data", "recipient_text", "value_text"]
