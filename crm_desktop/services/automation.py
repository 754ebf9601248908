"""Automation settings (trigger rules), their run log, trying a rule, and the message centre.

Promises (thread rule: any thread; each call is one unit of work):

- Rules are managed with the "setting"/"manage" permission: create, update, delete, enable or
  disable, reorder within an entity. Input is checked against the entity's fields (built-in
  and custom), the list filter's operators and the known action types before it is stored.
- ``list_runs``: the run log, newest first (same permission).
- ``try_rule`` runs one rule's condition and actions on an existing record inside a
  transaction that is always rolled back, and reports whether it fired and what it (and any
  rule it fired) would change, send and create. Nothing is saved, logged or published.
- Messages: every user reads and marks their own (``list_messages``, ``unread_count``,
  ``mark_read``); no permission needed beyond being logged in.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from crm_desktop.automation import actions as rule_actions
from crm_desktop.automation import conditions
from crm_desktop.automation.engine import EVENTS, RuleFailed, RuleSpec, Trace, run_rules, system_schema
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import AutomationRule, AutomationRun, Message
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.permissions import require
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

ENTITIES = ("customer", "lead", "contact", "followup")
EVENT_LABELS = {
    "created": QT_TRANSLATE_NOOP("automation", "Record created"),
    "edited": QT_TRANSLATE_NOOP("automation", "Record edited"),
    "field_changed": QT_TRANSLATE_NOOP("automation", "Field changed"),
    "owner_changed": QT_TRANSLATE_NOOP("automation", "Owner changed"),
}


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


def _dto(rule: AutomationRule) -> RuleDTO:
    return RuleDTO(
        id=rule.id, name=rule.name, entity=rule.entity, event=rule.event, field=rule.field,
        from_value=rule.from_value, to_value=rule.to_value, enabled=rule.enabled, sort_order=rule.sort_order,
        condition=rule.condition or {}, actions=tuple(rule.actions or ()),
    )


def _check(uow: UnitOfWork, data: RuleInput) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    if data.entity not in ENTITIES:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    if data.event not in EVENTS:
        errors["event"] = QT_TRANSLATE_NOOP("errors", "Choose an event.")
    schema = system_schema(uow, data.entity)
    if data.event == "field_changed" and (not data.field or schema.get(data.field) is None):
        errors["field"] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
    if not data.actions:
        errors["actions"] = QT_TRANSLATE_NOOP("errors", "Add at least one action.")
    for action in data.actions:
        kind = action.get("type")
        if kind not in rule_actions.ACTIONS:
            errors["actions"] = QT_TRANSLATE_NOOP("errors", "Unknown action.")
        elif kind == "set_field" and schema.get(str(action.get("field"))) is None:
            errors["actions"] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
        elif kind == "create_record" and action.get("entity") not in rule_actions.CREATE_TARGETS:
            errors["actions"] = QT_TRANSLATE_NOOP("errors", "This record cannot be created by a rule.")
    if errors:
        raise ValidationError(errors)
    conditions.check(schema, data.condition)


def _apply(rule: AutomationRule, data: RuleInput) -> None:
    rule.name, rule.entity, rule.event = data.name.strip(), data.entity, data.event
    rule.field = data.field if data.event == "field_changed" else None
    rule.from_value = data.from_value if data.event == "field_changed" else None
    rule.to_value = data.to_value if data.event == "field_changed" else None
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
        _check(uow, data)
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
        _check(uow, data)
        _apply(rule, data)
        uow.session.flush()
        return _dto(rule)


def set_enabled(db: Database, actor: Actor, rule_id: int, enabled: bool) -> RuleDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        rule = _load(uow, rule_id)
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
        spec = RuleSpec(rule.id, rule.name, rule.event, rule.field, rule.from_value, rule.to_value,
                        rule.condition or {}, tuple(rule.actions or ()))
        service = rule_actions.service_for(rule.entity)
        require(uow.actor, rule.entity, "view")
        row = service.load_row(uow.session, uow.actor, record_id, for_edit=False)
        trace = Trace()
        error = ""
        try:
            run_rules(uow, service, row, [spec], event="edited", before={}, after={}, depth=0, trace=trace, force=True)
        except RuleFailed as exc:
            error = str(exc)
        uow.session.rollback()
        return TrialDTO(
            matched=any(f[0] == rule.id for f in trace.fired) or bool(error),
            fired=tuple((name, entity, rid) for _id, name, entity, rid in trace.fired),
            changes=tuple(trace.changes), messages=tuple(trace.messages), created=tuple(trace.created),
            skipped=tuple((name, reason) for _id, name, reason in trace.skipped), error=error,
        )


# --- messages (message centre) --------------------------------------------------------

def list_messages(db: Database, actor: Actor, *, unread_only: bool = False, limit: int = 200) -> list[MessageDTO]:
    """The actor's messages, newest first."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        query = select(Message).where(Message.recipient_id == uow.actor.user_id)
        if unread_only:
            query = query.where(Message.read.is_(False))
        rows = uow.session.scalars(query.order_by(Message.id.desc()).limit(limit))
        return [MessageDTO(m.id, m.title, m.body, m.entity, m.record_id, m.read, m.created_at) for m in rows]


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


__all__ = ["ENTITIES", "EVENT_LABELS", "MessageDTO", "RuleDTO", "RuleInput", "RunDTO", "TrialDTO", "create_rule",
           "delete_rule", "list_messages", "list_rules", "list_runs", "mark_read", "reorder_rules", "set_enabled",
           "try_rule", "unread_count", "update_rule"]
