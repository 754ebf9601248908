"""The trigger engine: event → condition → ordered actions, inside the save's transaction.

Promises (thread rule: runs on the thread of the unit of work that calls it):

- ``fire`` is called by the record services after a write, in the same unit of work. It reads
  the ids and revision tokens of the entity's enabled rules for the event in one indexed query
  and returns at once when there are none, so entities without rules pay one small query per
  save. Parsed rules are kept per engine and re-read only when their token changed.
- Rules run in ``sort_order``. A rule whose event and condition match runs its actions in
  order; each run is logged (``automation_runs``) with outcome "ok".
- A failing action raises ``RuleFailed`` naming the rule: the unit of work rolls back, so the
  save that fired it fails and nothing of it (nor of any rule) is kept. The record services
  then log the failure in a transaction of its own (``log_failure``).
- Changes made by actions fire rules again (edited / field changed / owner changed / created
  for a related record) one level deeper. At ``MAX_DEPTH`` matching rules are not run: each
  is logged "skipped" with the reason, and the save succeeds. So a chain of rules that keep
  setting each other's fields always ends.
- ``Trace`` collects what a run changed, sent and created (used by ``try_rule``).
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from crm_desktop.automation import conditions
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import AutomationRule, AutomationRun
from crm_desktop.services.errors import RuleViolation, ServiceError
from crm_desktop.services.record_fields import FieldPolicy
from crm_desktop.services.schema import EntitySchema, FieldSpec, load_fields

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.records import RecordService
    from crm_desktop.services.uow import UnitOfWork

MAX_DEPTH = 3
EVENTS = ("created", "edited", "field_changed", "owner_changed")
#: Which rule events a record event can fire.
_KINDS: dict[str, tuple[str, ...]] = {
    "created": ("created",), "edited": ("edited", "field_changed"), "owner_changed": ("owner_changed",),
}

_RULE_STAMPS = (
    select(AutomationRule.id, AutomationRule.revision)
    .where(AutomationRule.entity == bindparam("entity"), AutomationRule.enabled.is_(True),
           AutomationRule.event.in_(bindparam("kinds", expanding=True)))
    .order_by(AutomationRule.sort_order, AutomationRule.id)
)
_RULE_BODIES = select(
    AutomationRule.id, AutomationRule.revision, AutomationRule.name, AutomationRule.event, AutomationRule.field,
    AutomationRule.from_value, AutomationRule.to_value, AutomationRule.condition, AutomationRule.actions,
).where(AutomationRule.id.in_(bindparam("ids", expanding=True)))

#: Parsed rules per engine, by id: (revision, RuleSpec). A save reads only ids and revisions
#: (no JSON) and parses a rule again only when an administrator changed it, on any PC.
_PARSED: weakref.WeakKeyDictionary[Any, dict[int, tuple[str, RuleSpec]]] = weakref.WeakKeyDictionary()
_PARSED_LOCK = threading.Lock()


class RuleFailed(RuleViolation):
    """A rule's action failed; the save that fired it is refused."""

    def __init__(self, rule_id: int | None, rule_name: str, reason: str, *, entity: str, record_id: int,
                 depth: int) -> None:
        super().__init__(QT_TRANSLATE_NOOP("errors", "The automation rule \"{rule}\" failed: {reason}"),
                         rule=rule_name, reason=reason)
        self.rule_id, self.rule_name, self.reason = rule_id, rule_name, reason
        self.entity, self.record_id, self.depth = entity, record_id, depth


@dataclass
class Trace:
    """What runs did: rules fired, field changes, messages, records created."""

    fired: list[tuple[int | None, str, str, int]] = field(default_factory=list)  # rule id, name, entity, record
    changes: list[tuple[str, int, str, Any, Any]] = field(default_factory=list)  # entity, id, field, old, new
    messages: list[tuple[int, str, str]] = field(default_factory=list)  # recipient, title, body
    created: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[int | None, str, str]] = field(default_factory=list)  # rule id, name, reason


@dataclass(frozen=True)
class RuleSpec:
    id: int | None
    name: str
    event: str
    field: str | None
    from_value: Any
    to_value: Any
    condition: Mapping[str, Any]
    actions: tuple[Mapping[str, Any], ...]

    @cached_property
    def compiled(self) -> conditions.Compiled:
        return conditions.groups_of(self.condition)


@dataclass
class Context:
    """One record event being handled: the record, its service, and the change."""

    uow: UnitOfWork
    service: RecordService[Any]
    row: Any
    event: str
    before: dict[str, Any]
    after: dict[str, Any]
    depth: int
    trace: Trace | None
    schema: EntitySchema
    policy: FieldPolicy
    specs: dict[str, FieldSpec]

    def values(self) -> dict[str, Any]:
        """Every field's current value by name (custom ones as ``cf_key``), plus id and owner."""
        return self.policy.current(self.row) | {"id": self.row.id, "owner_id": self.row.owner_id}


def system_schema(uow: UnitOfWork, entity: str) -> EntitySchema:
    """Every field of the entity, no field permissions: rules act for the company, not the actor."""
    return EntitySchema(entity=entity, fields=tuple(load_fields(uow.session, entity)), access={})


def fire(
    uow: UnitOfWork, service: RecordService[Any], row: Any, *, event: str, before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None, depth: int = 0, trace: Trace | None = None,
) -> None:
    """Run the enabled rules of ``service``'s entity that ``event`` fires on ``row``."""
    stamps = uow.session.execute(_RULE_STAMPS, {"entity": service.module, "kinds": list(_KINDS[event])}).all()
    if not stamps:
        return
    rules = _parsed(uow, stamps)
    run_rules(uow, service, row, rules, event=event, before=before, after=after, depth=depth, trace=trace)


def _parsed(uow: UnitOfWork, stamps: Sequence[Any]) -> list[RuleSpec]:
    engine = uow.session.get_bind()
    with _PARSED_LOCK:
        cache = _PARSED.setdefault(engine, {})
        missing = [sid for sid, rev in stamps if cache.get(sid, ("",))[0] != rev or not rev]
    if missing:
        fresh = {r.id: (r.revision, RuleSpec(r.id, r.name, r.event, r.field, r.from_value, r.to_value,
                                             r.condition or {}, tuple(r.actions or ())))
                 for r in uow.session.execute(_RULE_BODIES, {"ids": missing})}
        with _PARSED_LOCK:
            cache.update({k: v for k, v in fresh.items() if v[0]})  # a rule without a token is never cached
            known = {sid: (fresh.get(sid) or cache.get(sid)) for sid, _rev in stamps}
        # A rule deleted between the two queries is simply not run.
        return [entry[1] for entry in known.values() if entry is not None]
    return [cache[sid][1] for sid, _rev in stamps]


def run_rules(
    uow: UnitOfWork, service: RecordService[Any], row: Any, rules: list[RuleSpec], *, event: str,
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, depth: int, trace: Trace | None,
    force: bool = False,
) -> None:
    """Run ``rules`` in order (``force``: ignore whether the event fits, for trying a rule)."""
    schema = system_schema(uow, service.module)
    policy = FieldPolicy(service.model, service.fields, service.required, schema)
    specs = {f.name: f for f in schema.fields}
    ctx = Context(uow, service, row, event, dict(before or {}), dict(after or {}), depth, trace, schema, policy,
                  specs)
    values = ctx.values()
    for rule in rules:
        try:
            if not force and not _event_fits(ctx, rule):
                continue
            if not conditions.matches(specs, rule.compiled, values, ctx.before):
                continue
        except ServiceError as exc:
            raise _failed(ctx, rule, exc) from None
        if depth >= MAX_DEPTH:
            reason = f"not run: rules fired rules {MAX_DEPTH} levels deep (the depth bound)"
            _log(ctx, rule, "skipped", reason)
            if trace is not None:
                trace.skipped.append((rule.id, rule.name, reason))
            continue
        _run(ctx, rule)
        values = ctx.values()  # the next rule sees what this one changed


def _event_fits(ctx: Context, rule: RuleSpec) -> bool:
    if rule.event != "field_changed":
        return rule.event == ctx.event
    name = rule.field
    if ctx.event != "edited" or not name or name not in ctx.after:
        return False
    spec = ctx.specs.get(name)
    if spec is None:
        return False
    if rule.from_value is not None and not conditions.compare(spec, conditions.Op.EQ, ctx.before.get(name), rule.from_value):
        return False
    return rule.to_value is None or conditions.compare(spec, conditions.Op.EQ, ctx.after.get(name), rule.to_value)


def _run(ctx: Context, rule: RuleSpec) -> None:
    from crm_desktop.automation import actions  # actions fire rules again through this module

    if ctx.trace is not None:
        ctx.trace.fired.append((rule.id, rule.name, ctx.service.module, ctx.row.id))
    # Logged before the actions run, so the log reads in firing order when they fire rules too.
    entry = _log(ctx, rule, "ok", "")
    done: list[str] = []
    for action in rule.actions:
        try:
            done.append(actions.run(ctx, action))
        except RuleFailed:
            raise  # a rule further down the chain failed: it names itself
        except ServiceError as exc:
            raise _failed(ctx, rule, exc) from None
        except Exception as exc:  # noqa: BLE001 - any broken action fails the save, named
            raise _failed(ctx, rule, exc) from exc
    if entry is not None:
        entry.message = "; ".join(done)[:2000]


def _failed(ctx: Context, rule: RuleSpec, exc: Exception) -> RuleFailed:
    return RuleFailed(rule.id, rule.name, str(exc) or type(exc).__name__, entity=ctx.service.module,
                      record_id=ctx.row.id, depth=ctx.depth)


def _log(ctx: Context, rule: RuleSpec, outcome: str, message: str) -> AutomationRun | None:
    if rule.id is None:
        return None
    entry = AutomationRun(
        rule_id=rule.id, rule_name=rule.name, entity=ctx.service.module, record_id=ctx.row.id,
        outcome=outcome, message=message[:2000], depth=ctx.depth,
    )
    ctx.uow.session.add(entry)
    ctx.uow.session.flush()  # the id gives the log its order
    return entry


def log_failure(db: Database, exc: RuleFailed) -> None:
    """Log a failed run after its transaction was rolled back (the save's log went with it)."""
    with db.sessions() as session:
        exists = exc.rule_id is not None and session.get(AutomationRule, exc.rule_id) is not None
        session.add(AutomationRun(
            rule_id=exc.rule_id if exists else None, rule_name=exc.rule_name, entity=exc.entity,
            record_id=exc.record_id, outcome="failed", message=exc.reason[:2000], depth=exc.depth,
        ))
        session.commit()


@contextmanager
def failures_logged(db: Database) -> Iterator[None]:
    """Around a unit of work: a RuleFailed leaving it (after its rollback) is logged, then re-raised."""
    try:
        yield
    except RuleFailed as exc:
        log_failure(db, exc)
        raise


__all__ = ["EVENTS", "failures_logged", "MAX_DEPTH", "Context", "RuleFailed", "RuleSpec", "Trace", "fire", "log_failure", "run_rules",
           "system_schema"]
