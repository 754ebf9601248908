"""Automation settings (trigger rules), their run log, trying a rule, and the message centre.

Promises (thread rule: any thread; each call is one unit of work):

- Rules are managed with the "setting"/"manage" permission: create, update, delete, enable or
  disable, reorder within an entity. Input is checked against the entity's fields (built-in
  and custom), the list filter's operators and the known action types before it is stored.
- Actions that set a field or send a message may act on the record's customer or a
  contract's opportunity (``"on"``, ``rule_format.RELATED_TARGETS``): the field must be one of
  that record's; anything else naming ``"on"`` is refused.
- ``list_runs``: the run log, newest first (same permission).
- Events (``EVENT_LABELS``; the stored vocabulary is ``services.rule_format``; see
  ``crm_desktop.automation.engine`` for when each fires):
  field_changed and status_changed rules name a ``field`` (status_changed: a status field,
  ``STATUS_FIELDS``, defaulting to the entity's only one) and optional from / to values;
  followup_added rules (customer, lead, contact, opportunity, contract) may test the follow-up's fields as
  ``followup.content`` etc.; pool_put / pool_claimed are customer events; date_reached rules
  name a date or date-time ``date_field`` and ``offset_days`` (negative: before) and are run
  by the date job. A date rule created, re-enabled or given another date starts counting
  from then: occurrences before that never fire.
- ``try_rule`` runs one rule's condition and actions on an existing record inside a
  transaction that is always rolled back, and reports whether it fired and what it (and any
  rule it fired) would change, send and create. Nothing is saved, logged or published. A
  followup_added rule is tried with the record's newest follow-up. (The automation engine
  runs it, asked through the ``TryRule`` command: services never import the engine.)
- Messages: every user reads and marks their own (``list_messages``, ``unread_count``,
  ``mark_read``); no permission needed beyond being logged in.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ApprovalFlow,
    AutomationRule,
    AutomationRun,
    Message,
    User,
    utcnow,
)
from crm_desktop.services.commands import TryRule
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.records.schema import FieldType, system_schema
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work
from crm_desktop.services.workflow import conditions
from crm_desktop.services.workflow.rule_format import (
    ACTIONS,
    CREATE_TARGETS,
    EVENTS,
    FIELD_EVENTS,
    RECIPIENTS,
    RELATED_ACTIONS,
    RELATED_TARGETS,
    STATUS_FIELDS,
    condition_schema,
)

if TYPE_CHECKING:
    from crm_desktop.db import Database

ENTITIES = ("customer", "lead", "contact", "followup", "contract", "payment", "product", "opportunity")
EVENT_LABELS = {
    "created": QT_TRANSLATE_NOOP("automation", "Record created"),
    "edited": QT_TRANSLATE_NOOP("automation", "Record edited"),
    "field_changed": QT_TRANSLATE_NOOP("automation", "Field changed"),
    "owner_changed": QT_TRANSLATE_NOOP("automation", "Owner changed"),
    "status_changed": QT_TRANSLATE_NOOP("automation", "Status changed"),
    "followup_added": QT_TRANSLATE_NOOP("automation", "Follow-up added"),
    "pool_put": QT_TRANSLATE_NOOP("automation", "Put into a public pool"),
    "pool_claimed": QT_TRANSLATE_NOOP("automation", "Claimed or assigned from a public pool"),
    "approval_approved": QT_TRANSLATE_NOOP("automation", "Approval approved"),
    "approval_rejected": QT_TRANSLATE_NOOP("automation", "Approval rejected"),
    "date_reached": QT_TRANSLATE_NOOP("automation", "Date reached"),
    "task_created": QT_TRANSLATE_NOOP("automation", "Task created about the record"),
    "task_completed": QT_TRANSLATE_NOOP("automation", "Task about the record finished"),
    "task_overdue": QT_TRANSLATE_NOOP("automation", "Task about the record overdue"),
}
#: Entities each event can happen to (events not listed: every entity of ``ENTITIES``).
EVENT_ENTITIES: dict[str, tuple[str, ...]] = {
    "status_changed": tuple(STATUS_FIELDS),
    "followup_added": ("customer", "lead", "contact", "opportunity", "contract"),
    "pool_put": ("customer",), "pool_claimed": ("customer",),
    **{e: ("customer", "contact", "opportunity", "contract", "lead")
       for e in ("task_created", "task_completed", "task_overdue")},
}
#: How far a date rule may fire from its date, in days.
MAX_OFFSET_DAYS = 3650


@dataclass(frozen=True)
class RuleInput:
    name: str
    entity: str
    event: str
    field: str | None = None
    from_value: Any = None
    to_value: Any = None
    enabled: bool = True
    condition: Mapping[str, Any] = dc_field(default_factory=dict)
    actions: tuple[Mapping[str, Any], ...] = ()
    #: date_reached only: the date / date-time field and the days after it (negative: before).
    date_field: str | None = None
    offset_days: int = 0


@dataclass(frozen=True)
class RuleDTO(RuleInput):
    id: int = 0
    sort_order: int = 0


@dataclass(frozen=True)
class RunDTO:
    id: int
    rule_id: int | None
    rule_name: str
    entity: str
    record_id: int
    outcome: str
    message: str
    depth: int
    at: dt.datetime


@dataclass(frozen=True)
class TrialDTO:
    """What a rule would do on a record: ``fired`` lists (rule name, entity, record id)."""

    matched: bool
    fired: tuple[tuple[str, str, int], ...]
    changes: tuple[tuple[str, int, str, Any, Any], ...]
    messages: tuple[tuple[int, str, str], ...]
    created: tuple[tuple[str, int], ...]
    skipped: tuple[tuple[str, str], ...]
    error: str = ""


@dataclass(frozen=True)
class MessageDTO:
    id: int
    title: str
    body: str
    entity: str | None
    record_id: int | None
    read: bool
    created_at: dt.datetime
    #: Set for system messages (approvals): title and body are templates of translation context
    #: "messages", to be filled with these values in the reader's language.
    params: Mapping[str, Any] | None = None


def _dto(rule: AutomationRule) -> RuleDTO:
    return RuleDTO(
        id=rule.id, name=rule.name, entity=rule.entity, event=rule.event, field=rule.field,
        from_value=rule.from_value, to_value=rule.to_value, enabled=rule.enabled, sort_order=rule.sort_order,
        condition=rule.condition or {}, actions=tuple(rule.actions or ()), date_field=rule.date_field,
        offset_days=rule.offset_days or 0,
    )


def _check(uow: UnitOfWork, data: RuleInput) -> RuleInput:
    """Refuse a rule that names unknown things; returns it with defaults filled in (the status field)."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    if data.entity not in ENTITIES:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    if data.event not in EVENTS:
        raise ValidationError({"event": QT_TRANSLATE_NOOP("errors", "Choose an event.")})
    if data.entity not in EVENT_ENTITIES.get(data.event, ENTITIES):
        errors["event"] = QT_TRANSLATE_NOOP("errors", "This event does not happen to these records.")
    schema = system_schema(uow.session, data.entity)
    if data.event == "field_changed" and (not data.field or schema.get(data.field) is None):
        errors["field"] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
    if data.event == "status_changed":
        statuses = STATUS_FIELDS.get(data.entity, ())
        if not data.field and len(statuses) == 1:
            data = replace(data, field=statuses[0])
        if data.field not in statuses:
            errors["field"] = QT_TRANSLATE_NOOP("errors", "Choose a status field.")
    if data.event == "date_reached":
        spec = schema.get(data.date_field or "")
        if spec is None or spec.type not in (FieldType.DATE, FieldType.DATETIME):
            errors["date_field"] = QT_TRANSLATE_NOOP("errors", "Choose a date field.")
        if not isinstance(data.offset_days, int) or abs(data.offset_days) > MAX_OFFSET_DAYS:
            errors["offset_days"] = QT_TRANSLATE_NOOP("errors", "Enter a number of days between -3650 and 3650.")
    if not data.actions:
        errors["actions"] = QT_TRANSLATE_NOOP("errors", "Add at least one action.")
    for action in data.actions:
        error = _action_error(uow, data, schema, action)
        if error:
            errors["actions"] = error
    if errors:
        raise ValidationError(errors)
    conditions.check(condition_schema(uow.session, data.entity, data.event), data.condition)
    return data


def _action_error(uow: UnitOfWork, data: RuleInput, schema: Any, action: Mapping[str, Any]) -> str | None:
    """Why an action cannot be stored (an untranslated source text), or None."""
    kind = action.get("type")
    if kind not in ACTIONS:
        return QT_TRANSLATE_NOOP("errors", "Unknown action.")
    on = action.get("on")
    if on not in (None, "", "record"):
        if kind not in RELATED_ACTIONS or on not in RELATED_TARGETS.get(data.entity, ()):
            return QT_TRANSLATE_NOOP("errors", "This record has no such related record.")
        schema = system_schema(uow.session, str(on))  # a related record's field is set
    if kind == "set_field" and schema.get(str(action.get("field"))) is None:
        return QT_TRANSLATE_NOOP("errors", "Unknown field.")
    if kind == "create_record":
        if action.get("entity") not in CREATE_TARGETS:
            return QT_TRANSLATE_NOOP("errors", "This record cannot be created by a rule.")
        if data.event == "date_reached":
            return QT_TRANSLATE_NOOP("errors", "Creating a record needs a signed-in user: it cannot run in a scheduled job.")
    if kind == "create_task" and not str(action.get("title") or "").strip():
        return QT_TRANSLATE_NOOP("errors", "A task needs a title.")
    if kind == "message" and action.get("to") not in RECIPIENTS:
        return QT_TRANSLATE_NOOP("errors", "Choose who receives the message.")
    if kind == "assign_owner":
        users = action.get("round_robin") if action.get("round_robin") is not None else [action.get("user_id")]
        try:
            ids = [int(u) for u in users]
        except (TypeError, ValueError):
            ids = []
        found = uow.session.scalar(select(func.count(User.id)).where(User.id.in_(ids))) if ids else 0
        if not ids or found != len(set(ids)):
            return QT_TRANSLATE_NOOP("errors", "Choose an enabled user as owner.")
    if kind == "start_approval":
        try:
            flow = uow.session.get(ApprovalFlow, int(action.get("flow_id")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            flow = None
        if flow is None:
            return QT_TRANSLATE_NOOP("errors", "Choose an approval flow.")
    return None


def _apply(rule: AutomationRule, data: RuleInput) -> None:
    field_rule = data.event in FIELD_EVENTS
    date_rule = data.event == "date_reached"
    if date_rule and (rule.event != data.event or rule.date_field != data.date_field
                      or rule.offset_days != data.offset_days or rule.id is None):
        # Count from now: changing what a date rule watches must not fire every past occurrence.
        rule.last_checked_at = utcnow()
    rule.name, rule.entity, rule.event = data.name.strip(), data.entity, data.event
    rule.field = data.field if field_rule else None
    rule.from_value = data.from_value if field_rule else None
    rule.to_value = data.to_value if field_rule else None
    rule.date_field = data.date_field if date_rule else None
    rule.offset_days = data.offset_days if date_rule else 0
    rule.enabled = data.enabled
    rule.condition = dict(data.condition)
    rule.actions = [dict(a) for a in data.actions]
    rule.revision = uuid.uuid4().hex


def _load(uow: UnitOfWork, rule_id: int) -> AutomationRule:
    rule = uow.session.get(AutomationRule, rule_id)
    if rule is None:
        raise NotFound("automation rule", rule_id)
    return rule


def list_rules(db: Database, actor: Actor, *, entity: str | None = None) -> list[RuleDTO]:
    """Rules in run order (per entity, by sort order)."""
    with read_only(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        query = select(AutomationRule).order_by(AutomationRule.entity, AutomationRule.sort_order, AutomationRule.id)
        if entity is not None:
            query = query.where(AutomationRule.entity == entity)
        return [_dto(r) for r in uow.session.scalars(query)]


def create_rule(db: Database, actor: Actor, data: RuleInput) -> RuleDTO:
    """Add a rule at the end of its entity's order."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        data = _check(uow, data)
        last = uow.session.scalar(select(func.max(AutomationRule.sort_order)).where(AutomationRule.entity == data.entity))
        rule = AutomationRule(sort_order=(last or 0) + 1, created_by_id=uow.actor.user_id if uow.actor else None)
        _apply(rule, data)
        uow.session.add(rule)
        uow.session.flush()
        return _dto(rule)


def update_rule(db: Database, actor: Actor, rule_id: int, data: RuleInput) -> RuleDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        rule = _load(uow, rule_id)
        data = _check(uow, data)
        _apply(rule, data)
        uow.session.flush()
        return _dto(rule)


def set_enabled(db: Database, actor: Actor, rule_id: int, enabled: bool) -> RuleDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        rule = _load(uow, rule_id)
        if enabled and not rule.enabled and rule.event == "date_reached":
            rule.last_checked_at = utcnow()  # a re-enabled date rule does not catch up on what it missed
        rule.enabled = enabled
        uow.session.flush()
        return _dto(rule)


def delete_rule(db: Database, actor: Actor, rule_id: int) -> None:
    """Remove a rule; its run log stays (with the rule's name)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        uow.session.delete(_load(uow, rule_id))


def reorder_rules(db: Database, actor: Actor, entity: str, rule_ids: Sequence[int]) -> None:
    """Set the run order of an entity's rules: ``rule_ids`` must be exactly its rules."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        rules = {r.id: r for r in uow.session.scalars(select(AutomationRule).where(AutomationRule.entity == entity))}
        if sorted(rules) != sorted(rule_ids):
            raise ValidationError({"rules": QT_TRANSLATE_NOOP("errors", "The list of rules changed; reload it.")})
        for position, rule_id in enumerate(rule_ids, start=1):
            rules[rule_id].sort_order = position


def list_runs(
    db: Database, actor: Actor, *, rule_id: int | None = None, entity: str | None = None,
    record_id: int | None = None, limit: int = 200,
) -> list[RunDTO]:
    """The run log, newest first."""
    with read_only(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        query = select(AutomationRun).order_by(AutomationRun.id.desc()).limit(limit)
        if rule_id is not None:
            query = query.where(AutomationRun.rule_id == rule_id)
        if entity is not None:
            query = query.where(AutomationRun.entity == entity)
        if record_id is not None:
            query = query.where(AutomationRun.record_id == record_id)
        return [RunDTO(r.id, r.rule_id, r.rule_name, r.entity, r.record_id, r.outcome, r.message, r.depth, r.at)
                for r in uow.session.scalars(query)]


def try_rule(db: Database, actor: Actor, rule_id: int, record_id: int) -> TrialDTO:
    """Run the rule on the record (whatever its event) in a transaction that is rolled back."""
    with read_only(db, actor) as uow:  # never commits: everything below is thrown away
        require(uow.actor, "setting", "manage")
        assert uow.actor is not None
        rule = _load(uow, rule_id)
        require(uow.actor, rule.entity, "view")
        record_service(rule.entity).load_row(uow.session, uow.actor, record_id, for_edit=False)
        trial: TrialDTO = uow.handle(TryRule(rule_id, record_id))
        uow.session.rollback()
        return trial


# --- messages (message centre) --------------------------------------------------------

def list_messages(db: Database, actor: Actor, *, unread_only: bool = False, limit: int = 200) -> list[MessageDTO]:
    """The actor's messages, newest first."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        query = select(Message).where(Message.recipient_id == uow.actor.user_id)
        if unread_only:
            query = query.where(Message.read.is_(False))
        rows = uow.session.scalars(query.order_by(Message.id.desc()).limit(limit))
        return [MessageDTO(m.id, m.title, m.body, m.entity, m.record_id, m.read, m.created_at, m.params) for m in rows]


def unread_count(db: Database, actor: Actor) -> int:
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        return uow.session.scalar(select(func.count(Message.id)).where(
            Message.recipient_id == uow.actor.user_id, Message.read.is_(False))) or 0


def mark_read(db: Database, actor: Actor, message_ids: Sequence[int] | None = None) -> int:
    """Mark the actor's messages read (all of them when ``message_ids`` is None); returns how many changed."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        stmt = update(Message).where(Message.recipient_id == uow.actor.user_id, Message.read.is_(False))
        if message_ids is not None:
            stmt = stmt.where(Message.id.in_(list(message_ids)))
        return uow.session.execute(stmt.values(read=True)).rowcount or 0


__all__ = ["ENTITIES", "EVENT_ENTITIES", "EVENT_LABELS", "MAX_OFFSET_DAYS", "MessageDTO", "RuleDTO", "RuleInput", "RunDTO", "TrialDTO", "create_rule",
           "delete_rule", "list_messages", "list_rules", "list_runs", "mark_read", "reorder_rules", "set_enabled",
           "try_rule", "unread_count", "update_rule"]
