"""The trigger engine: event → condition → ordered actions, inside the save's transaction.

Promises (thread rule: runs on the thread of the unit of work whose event it handles):

- The engine subscribes to the domain events of every unit of work (``on_event``, wired by
  ``crm_desktop.bootstrap``); no service calls it. ``CHANGES`` says which rule events each
  event class fires. For each event it reads the ids and revision tokens of the entity's
  enabled rules of those kinds in one indexed query (once per unit of work and kind) and
  returns at once when there are none, so entities without rules pay one small query per
  save. Parsed rules are kept per engine and re-read only when their token changed; their
  conditions are compiled once per schema (``conditions.compile_condition``), and a save reads
  only the field types conditions need (``condition_specs``), the whole schema only when an
  action runs.
- Rules run in ``sort_order``. A rule whose event and condition match runs its actions in
  order; each run is logged (``automation_runs``) with outcome "ok".
- A failing action raises ``RuleFailed`` naming the rule: the unit of work rolls back, so the
  save that fired it fails and nothing of it (nor of any rule) is kept. The failure is then
  logged in a transaction of its own (``log_failure``, subscribed to the bus's rolled_back phase).
- Changes made by actions are events too, recorded while the unit of work's ``depth`` is one
  more than the running rule's: their rules run one level deeper. At ``MAX_DEPTH`` matching
  rules are not run: each is logged "skipped" with the reason, and the save succeeds. So a
  chain of rules that keep setting each other's fields always ends.
- ``Trace`` collects what a run changed, sent and created (used by trying a rule).

Rule events (``rule_format.EVENTS``) and the domain events that fire them (``CHANGES``):

- created (RecordCreated) · edited (RecordUpdated) · owner_changed (OwnerChanged, a transfer):
  every write of the record that records them — the services' own saves, lead conversion's
  customer and contact, records made by rules, the record's status-like system fields.
- field_changed: one field changed (optionally from / to a value) by an update *or* a status
  change (RecordUpdated, StatusChanged), so "deal status changed to deal" works either way.
- status_changed (StatusChanged): a status field changed through its own operation (customer
  ``deal_status``; lead ``status``; contract ``execution_status``; opportunity ``status`` and,
  for a stage move, ``stage_id``). The rule's ``field`` is the status field
  (``STATUS_FIELDS``), optionally with from / to values like field_changed.
- followup_added (FollowUpAdded): on the follow-up's parent (customer, lead, contact,
  opportunity or contract) after its summary (if it has one) was updated. Conditions and message placeholders see the parent's fields and
  the follow-up's under ``followup.`` (``followup.content``, …). (Rules of entity "followup"
  with event "created" fire on the follow-up itself.)
- pool_put / pool_claimed (OwnerChanged with a ``pool_id``): a customer was put into a public
  pool (by a user or recycled by the job) / taken out of one (claimed or assigned); before /
  after carry owner_id and pool_id. After pool_put the customer has no owner.
- approval_approved / approval_rejected (ApprovalDecided): an approval of the record finished.
- date_reached (DateReached): time-based, recorded by the date job (services/jobs.py) for one
  rule and record: N days after (negative: before) a date or date-time field, once per
  record per occurrence.

Conditions may name the entity's derived fields (``schema.DERIVED_FIELDS``: a contract's or an
opportunity's ``product_category``, the categories of its lines' products and those above
them); their values are computed (``services.derived_fields``) only when a rule run for the
save names one.

Saves pay little for rules that cannot fire: the stamp query only returns rules of the
event's kinds, and field rules (field_changed, status_changed) only when their field is among
those that changed.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, or_, select

from crm_desktop.automation import actions
from crm_desktop.automation.context import Context, Trace, condition_specs, state_of
from crm_desktop.models import AutomationRule, AutomationRun, FollowUp
from crm_desktop.services.errors import RuleFailed, ServiceError
from crm_desktop.services.events import (
    ApprovalDecided,
    DateReached,
    DomainEvent,
    FollowUpAdded,
    OwnerChanged,
    RecordCreated,
    RecordUpdated,
    StatusChanged,
    TaskCompleted,
    TaskCreated,
    TaskOverdue,
)
from crm_desktop.services.records.derived_fields import derived_names, derived_values
from crm_desktop.services.records.registry import RECORD_SERVICES, record_service
from crm_desktop.services.records.schema import (
    DERIVED_FIELDS,
    EntitySchema,
    FieldSpec,
    system_schema,
)
from crm_desktop.services.workflow import conditions
from crm_desktop.services.workflow.rule_format import (
    EVENTS,
    FIELD_EVENTS,
    FOLLOWUP_PREFIX,
    STATUS_FIELDS,
    condition_schema,
    followup_fields,
    followup_values,
)

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.records.records import RecordService
    from crm_desktop.services.uow import UnitOfWork

MAX_DEPTH = 3


@dataclass(frozen=True)
class Change:
    """What a domain event means to the rules: the rule events it fires and the changed
    fields' old and new values."""

    kinds: tuple[str, ...]
    before: Mapping[str, Any]
    after: Mapping[str, Any]


def _owner_change(e: OwnerChanged) -> Change:
    if e.put_in_pool:
        return Change(("pool_put",), {"owner_id": e.old_owner_id, "pool_id": None},
                      {"owner_id": None, "pool_id": e.pool_id})
    if e.claimed_from_pool:
        return Change(("pool_claimed",), {"owner_id": None, "pool_id": e.pool_id},
                      {"owner_id": e.new_owner_id, "pool_id": None})
    return Change(("owner_changed",), {"owner_id": e.old_owner_id}, {"owner_id": e.new_owner_id})


#: Which rule events each domain event fires (the one map from the event vocabulary to the
#: rules' stored event names).
CHANGES: dict[type[DomainEvent], Callable[[Any], Change]] = {
    RecordCreated: lambda e: Change(("created",), {}, {}),
    RecordUpdated: lambda e: Change(("edited", "field_changed"), e.before, e.after),
    OwnerChanged: _owner_change,
    StatusChanged: lambda e: Change(("status_changed", "field_changed"), {e.field_name: e.old}, {e.field_name: e.new}),
    FollowUpAdded: lambda e: Change(("followup_added",), {}, {}),
    ApprovalDecided: lambda e: Change(("approval_approved",) if e.approved else ("approval_rejected",), {}, {}),
    DateReached: lambda e: Change(("date_reached",), {}, {}),
    # A task about the record (issue 16); the task's own copy (entity "task") fires nothing.
    TaskCreated: lambda e: Change(("task_created",), {}, {}),
    TaskCompleted: lambda e: Change(("task_completed",), {}, {}),
    TaskOverdue: lambda e: Change(("task_overdue",), {}, {}),
}

_RULE_STAMPS = (
    select(AutomationRule.id, AutomationRule.revision)
    .where(AutomationRule.entity == bindparam("entity"), AutomationRule.enabled.is_(True),
           AutomationRule.event.in_(bindparam("kinds", expanding=True)),
           # A field rule is only worth reading when its field is among those that changed.
           or_(AutomationRule.event.not_in(FIELD_EVENTS), AutomationRule.field.in_(bindparam("fields", expanding=True))))
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
    #: Compiled conditions by schema token (the fields' names and types they were compiled against).
    _predicates: dict[int, conditions.Predicate] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def compiled(self) -> conditions.Compiled:
        return conditions.groups_of(self.condition)

    @cached_property
    def named(self) -> frozenset[str]:
        """The fields the condition reads (a derived one is computed only when named)."""
        return conditions.fields_named(self.condition)

    def predicate(self, specs: Mapping[str, FieldSpec], token: int) -> conditions.Predicate:
        """The condition compiled against ``specs`` (kept while the schema's ``token`` holds)."""
        found = self._predicates.get(token)
        if found is None:
            found = self._predicates[token] = conditions.compile_condition(specs, self.compiled)
        return found


def spec_of(rule: AutomationRule) -> RuleSpec:
    """A stored rule as the engine runs it."""
    return RuleSpec(rule.id, rule.name, rule.event, rule.field, rule.from_value, rule.to_value,
                    rule.condition or {}, tuple(rule.actions or ()))


# --- handling domain events -------------------------------------------------------------------

def on_event(event: DomainEvent, uow: UnitOfWork) -> None:
    """The bus's in-transaction handler: run the rules ``event`` fires on its record."""
    service = RECORD_SERVICES.get(event.entity)
    if service is None:  # not a record rules can watch (a pool's settings)
        return
    change = CHANGES[type(event)](event)
    stamps = _stamps(uow, service.module, change)
    if not stamps:
        return
    rules = _parsed(uow, stamps)
    if isinstance(event, DateReached):  # the date job asks for one rule
        rules = [r for r in rules if r.id == event.rule_id]
    row = uow.session.get(service.model, event.record_id)
    if row is None or not rules:
        return
    extra = None
    if isinstance(event, FollowUpAdded):
        followup = uow.session.get(FollowUp, event.followup_id)
        extra = followup_values(followup) if followup is not None else None
    run_rules(uow, service, row, rules, kinds=change.kinds, before=change.before, after=change.after,
              depth=event.depth, trace=state_of(uow).trace, extra=extra)


def _stamps(uow: UnitOfWork, entity: str, change: Change) -> Sequence[Any]:
    """Ids and revisions of the enabled rules ``change`` may fire, in run order (read once per
    unit of work: a bulk write asks the same for every record)."""
    fields = tuple(change.after) if any(k in FIELD_EVENTS for k in change.kinds) else ()
    key = (entity, change.kinds, fields)
    cache = state_of(uow).stamps
    found = cache.get(key)
    if found is None:
        params = {"entity": entity, "kinds": list(change.kinds), "fields": list(fields)}
        # Core on the session's connection: plain rows, no ORM result machinery (and no
        # autoflush: the save has flushed, and nothing pending touches the rules).
        found = cache[key] = uow.session.connection().execute(_RULE_STAMPS, params).all()
    return found


def fire_event(
    uow: UnitOfWork, service: RecordService[Any] | str, row: Any, event: str,
    before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
) -> None:
    """Record the domain event that rule event ``event`` (e.g. "approval_approved") stands for
    on ``row``, in the caller's unit of work: its rules run as the bus hands it over.

    For callers that think in rule events; services record the event classes themselves.
    A failing rule raises RuleFailed: the caller's unit of work must roll back.
    """
    entity = service if isinstance(service, str) else service.module
    actor = uow.actor.user_id if uow.actor is not None else None
    before, after = dict(before or {}), dict(after or {})
    if event in ("approval_approved", "approval_rejected"):
        uow.add_event(ApprovalDecided(entity, row.id, actor, approved=event == "approval_approved"))
    elif event == "created":
        uow.add_event(RecordCreated(entity, row.id, actor))
    elif event == "edited":
        uow.add_event(RecordUpdated(entity, row.id, actor, before=before, after=after))
    elif event == "owner_changed":
        uow.add_event(OwnerChanged(entity, row.id, actor, old_owner_id=before.get("owner_id"),
                                   new_owner_id=after.get("owner_id")))
    elif event == "status_changed" and len(after) == 1:
        (name, new), = after.items()
        uow.add_event(StatusChanged(entity, row.id, actor, field_name=name, old=before.get(name), new=new))
    else:
        raise ValueError(f"no domain event stands for the automation event {event!r} here")


def _parsed(uow: UnitOfWork, stamps: Sequence[Any]) -> list[RuleSpec]:
    engine = uow.session.get_bind()
    with _PARSED_LOCK:
        cache = _PARSED.setdefault(engine, {})
        missing = [sid for sid, rev in stamps if cache.get(sid, ("",))[0] != rev or not rev]
    if missing:
        fresh = {r.id: (r.revision, spec_of(r)) for r in uow.session.execute(_RULE_BODIES, {"ids": missing})}
        with _PARSED_LOCK:
            cache.update({k: v for k, v in fresh.items() if v[0]})  # a rule without a token is never cached
            known = {sid: (fresh.get(sid) or cache.get(sid)) for sid, _rev in stamps}
        # A rule deleted between the two queries is simply not run.
        return [entry[1] for entry in known.values() if entry is not None]
    return [cache[sid][1] for sid, _rev in stamps]


def run_rules(
    uow: UnitOfWork, service: RecordService[Any], row: Any, rules: list[RuleSpec], *, kinds: tuple[str, ...],
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, depth: int, trace: Trace | None,
    force: bool = False, extra: Mapping[str, Any] | None = None, schema: EntitySchema | None = None,
) -> None:
    """Run ``rules`` in order (``force``: ignore whether the event fits, for trying a rule).

    ``kinds``: the rule events the change fires (``Change.kinds``); ``schema``: the entity's
    ``system_schema`` when the caller already has it.
    """
    specs = {f.name: f for f in schema.fields} if schema is not None else condition_specs(uow, service.module)
    specs |= {f.name: f for f in DERIVED_FIELDS.get(service.module, ())}
    if extra and any(k.startswith(FOLLOWUP_PREFIX) for k in extra):
        specs |= {f.name: f for f in followup_fields(uow.session)}
    ctx = Context(uow, service, row, kinds, dict(before or {}), dict(after or {}), depth, trace, specs,
                  dict(extra or {}), full_schema=schema)
    # Conditions are compiled once per rule and schema: a custom field added, removed or
    # retyped changes the token, and the rule is compiled again.
    token = hash(tuple((f.name, f.type, f.builtin) for f in specs.values()))
    values = ctx.values()
    # Derived values (a contract's product categories) cost a query each: read when the first
    # rule that names one is tested, then kept (no action changes a record's lines).
    derived = derived_names(service.module)
    known: dict[str, Any] = {}
    for rule in rules:
        try:
            # The common case inline (an event kind of its own, not a field rule): this loop
            # runs per rule per save.
            if not force and (rule.event not in kinds or rule.event in FIELD_EVENTS) and not _event_fits(ctx, rule):
                continue
            if derived and (wanted := (derived & rule.named) - known.keys()):
                known |= derived_values(uow.session, service.module, row.id, wanted)
                values |= known
            if not rule.predicate(specs, token)(values, ctx.before):
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
        values = ctx.values() | known  # the next rule sees what this one changed


def _event_fits(ctx: Context, rule: RuleSpec) -> bool:
    # A status change is a field change too (its kinds say so); an edit is never a status change.
    if rule.event not in ctx.kinds:
        return False
    if rule.event not in FIELD_EVENTS:
        return True
    name = rule.field
    if not name or name not in ctx.after:
        return False
    spec = ctx.specs.get(name)
    if spec is None:
        return False
    if rule.from_value is not None and not conditions.compare(spec, conditions.Op.EQ, ctx.before.get(name), rule.from_value):
        return False
    return rule.to_value is None or conditions.compare(spec, conditions.Op.EQ, ctx.after.get(name), rule.to_value)


def _run(ctx: Context, rule: RuleSpec) -> None:
    if ctx.trace is not None:
        ctx.trace.fired.append((rule.id, rule.name, ctx.service.module, ctx.row.id))
    # Logged before the actions run, so the log reads in firing order when they fire rules too.
    entry = _log(ctx, rule, "ok", "")
    ctx.rule_id = rule.id
    done: list[str] = []
    uow = ctx.uow
    outer = uow.depth
    uow.depth = ctx.depth + 1  # what the actions write fires rules one level deeper
    try:
        for action in rule.actions:
            try:
                done.append(actions.run(ctx, action))
            except RuleFailed:
                raise  # a rule further down the chain failed: it names itself
            except ServiceError as exc:
                raise _failed(ctx, rule, exc) from None
            except Exception as exc:  # noqa: BLE001 - any broken action fails the save, named
                raise _failed(ctx, rule, exc) from exc
    finally:
        uow.depth = outer
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


# --- trying a rule, logging failures ----------------------------------------------------------

def try_rule(uow: UnitOfWork, rule_id: int, record_id: int) -> tuple[Trace, str]:
    """Run rule ``rule_id`` on the record (whatever its event) in ``uow``, which the caller
    rolls back; returns what it (and every rule it fired) did, and the failure's text if any.
    A followup_added rule is tried with the record's newest follow-up."""
    rule = uow.session.get(AutomationRule, rule_id)
    assert rule is not None  # the caller loaded it
    service = record_service(rule.entity)
    row = uow.session.get(service.model, record_id)
    assert row is not None  # the caller checked the actor may see it
    extra = _newest_followup(uow, rule.entity, record_id) if rule.event == "followup_added" else None
    trace = state_of(uow).trace = Trace()
    error = ""
    try:
        run_rules(uow, service, row, [spec_of(rule)], kinds=("edited", "field_changed"), before={}, after={},
                  depth=0, trace=trace, force=True, extra=extra)
    except RuleFailed as exc:
        error = str(exc)
    return trace, error


def _newest_followup(uow: UnitOfWork, entity: str, record_id: int) -> dict[str, Any]:
    """The record's newest live follow-up as a followup_added rule sees it (empty values if none)."""
    newest = uow.session.scalar(select(FollowUp).where(
        FollowUp.target_entity == entity, FollowUp.target_id == record_id, FollowUp.deleted_at.is_(None),
    ).order_by(FollowUp.followed_at.desc(), FollowUp.id.desc()).limit(1))
    if newest is None:
        return {k: None for k in followup_values(FollowUp())}
    return followup_values(newest)


def log_failure(db: Database, exc: RuleFailed) -> None:
    """Log a failed run after its transaction was rolled back (the save's log went with it)."""
    with db.sessions() as session:
        exists = exc.rule_id is not None and session.get(AutomationRule, exc.rule_id) is not None
        session.add(AutomationRun(
            rule_id=exc.rule_id if exists else None, rule_name=exc.rule_name, entity=exc.entity,
            record_id=exc.record_id, outcome="failed", message=exc.reason[:2000], depth=exc.depth,
        ))
        session.commit()


def on_rolled_back(error: Exception, db: Database) -> None:
    """The bus's rolled_back handler: a unit of work that failed because of a rule logs it."""
    if isinstance(error, RuleFailed):
        log_failure(db, error)


__all__ = ["CHANGES", "EVENTS", "FIELD_EVENTS", "FOLLOWUP_PREFIX", "MAX_DEPTH", "STATUS_FIELDS", "Change", "Context",
           "RuleFailed", "RuleSpec", "Trace", "condition_schema", "fire_event", "followup_fields", "followup_values",
           "log_failure", "on_event", "on_rolled_back", "run_rules", "spec_of", "system_schema", "try_rule"]
