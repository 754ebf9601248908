"""The trigger engine: event → condition → ordered actions, inside the save's transaction.

Promises (thread rule: runs on the thread of the unit of work that calls it):

- ``fire`` is called by the record services after a write, in the same unit of work. It reads
  the ids and revision tokens of the entity's enabled rules for the event in one indexed query
  and returns at once when there are none, so entities without rules pay one small query per
  save. Parsed rules are kept per engine and re-read only when their token changed; their
  conditions are compiled once per schema (``conditions.compile_condition``), and a save reads
  only the field types conditions need (``condition_specs``), the whole schema only when an
  action runs.
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

Events (``EVENTS``; the record services fire them, ``fire_event`` is the entry point for
other engines such as approvals):

- created · edited · owner_changed: the record's own saves (all create paths: RecordService,
  contacts, follow-ups, lead conversion's customer and contact, records made by rules).
- field_changed: one field changed (optionally from / to a value) by a save *or* a status
  change, so "deal status changed to deal" works either way it is written.
- status_changed: a status field changed through its own operation (customer ``deal_status``;
  lead ``status``: following, invalid, reopened, converted). The rule's ``field`` is the status
  field (``STATUS_FIELDS``), optionally with from / to values like field_changed.
- followup_added: fired on the follow-up's parent (customer, lead or contact) after its
  summary was updated. Conditions and message placeholders see the parent's fields and the
  follow-up's under ``followup.`` (``followup.content``, ``followup.kind``,
  ``followup.next_contact_at``, …): "a follow-up whose content contains 感兴趣" is the
  condition ``followup.content contains 感兴趣`` on the customer. (Rules of entity
  "followup" with event "created" also fire, on the follow-up itself.)
- pool_put / pool_claimed: a customer was put into a public pool (by a user or recycled by
  the job) / taken out of one (claimed or assigned). After pool_put the customer has no owner.
- approval_approved / approval_rejected: fired by the approval engine through ``fire_event``.
- date_reached: time-based, run by the date job (services/jobs.py), never by a save: N days
  after (negative: before) a date or date-time field, once per record per occurrence.

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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, or_, select

from crm_desktop.automation import conditions
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import AutomationRule, AutomationRun, CustomField
from crm_desktop.services.errors import RuleViolation, ServiceError
from crm_desktop.services.derived_fields import derived_names, derived_values
from crm_desktop.services.record_fields import FieldPolicy
from crm_desktop.services.schema import (
    BUILTIN_FIELDS,
    CUSTOM_PREFIX,
    DERIVED_FIELDS,
    EntitySchema,
    FieldSpec,
    FieldType,
    load_fields,
    with_derived,
)

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.records import RecordService
    from crm_desktop.services.uow import UnitOfWork

MAX_DEPTH = 3
EVENTS = (
    "created", "edited", "field_changed", "owner_changed", "status_changed", "followup_added", "pool_put",
    "pool_claimed", "approval_approved", "approval_rejected", "date_reached",
)
#: Rule events that name a field (``AutomationRule.field``) and may give from / to values.
FIELD_EVENTS = ("field_changed", "status_changed")
#: The status fields of each entity (what a status_changed rule may watch).
STATUS_FIELDS: dict[str, tuple[str, ...]] = {"customer": ("deal_status",), "lead": ("status",),
                                             "contract": ("execution_status",),
                                             # a stage move fires status_changed on "stage_id" too
                                             # (field_changed rules on "stage_id" see it)
                                             "opportunity": ("status",)}
#: Prefix of a follow-up's fields in the values a followup_added rule sees.
FOLLOWUP_PREFIX = "followup."
#: Which rule events a record event can fire.
_KINDS: dict[str, tuple[str, ...]] = {
    "created": ("created",), "edited": ("edited", "field_changed"), "owner_changed": ("owner_changed",),
    "status_changed": ("status_changed", "field_changed"), "followup_added": ("followup_added",),
    "pool_put": ("pool_put",), "pool_claimed": ("pool_claimed",),
    "approval_approved": ("approval_approved",), "approval_rejected": ("approval_rejected",),
    "date_reached": ("date_reached",),
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
    #: Every field by name, as conditions need them (type, custom key); see ``condition_specs``.
    specs: dict[str, FieldSpec]
    #: Values that are not the record's own (a new follow-up's, as ``followup.content``).
    extra: dict[str, Any] = field(default_factory=dict)
    #: The rule whose actions are running (actions that keep per-rule state read it).
    rule_id: int | None = None
    full_schema: EntitySchema | None = None

    @property
    def schema(self) -> EntitySchema:
        """The entity's complete schema, read when an action first needs it (a save whose rules
        do not match never does)."""
        if self.full_schema is None:
            self.full_schema = system_schema(self.uow, self.service.module)
        return self.full_schema

    @cached_property
    def policy(self) -> FieldPolicy:
        return FieldPolicy(self.service.model, self.service.fields, self.service.required, self.schema)

    def values(self) -> dict[str, Any]:
        """Every field's current value by name (custom ones as ``cf_key``), plus id, owner and ``extra``."""
        row = self.row
        values = {f: getattr(row, f) for f in self.service.fields}
        stored = row.custom or {}
        values.update({name: stored.get(spec.key) for name, spec in self.specs.items()
                       if spec.key is not None and not name.startswith(FOLLOWUP_PREFIX)})
        return values | {"id": row.id, "owner_id": row.owner_id} | self.extra


def system_schema(uow: UnitOfWork, entity: str) -> EntitySchema:
    """Every field of the entity, no field permissions: rules act for the company, not the actor."""
    # No autoflush: the save's pending audit rows do not touch the custom fields read here,
    # and flushing them now would only move the commit's work into the engine.
    with uow.session.no_autoflush:
        return EntitySchema(entity=entity, fields=tuple(load_fields(uow.session, entity)), access={})


_CUSTOM_TYPES = select(CustomField.key, CustomField.type).where(
    CustomField.entity == bindparam("entity"), CustomField.hidden.is_(False))


def condition_specs(uow: UnitOfWork, entity: str) -> dict[str, FieldSpec]:
    """Every field of the entity by name, with what conditions and values need of it (type,
    custom key) — built from one narrow query instead of the whole schema, which a save whose
    rules do not match never needs."""
    specs = {f.name: f for f in BUILTIN_FIELDS[entity]}
    for key, type_ in uow.session.connection().execute(_CUSTOM_TYPES, {"entity": entity}):
        specs[CUSTOM_PREFIX + key] = FieldSpec(entity=entity, name=CUSTOM_PREFIX + key, label="",
                                               type=FieldType(type_), builtin=False, key=key)
    return specs


def followup_fields(uow: UnitOfWork) -> tuple[FieldSpec, ...]:
    """A follow-up's fields named as a followup_added rule sees them (``followup.content``, …)."""
    return tuple(replace(f, name=FOLLOWUP_PREFIX + f.name) for f in load_fields(uow.session, "followup"))


def followup_values(row: Any) -> dict[str, Any]:
    """A follow-up's values under ``FOLLOWUP_PREFIX`` (the ``extra`` of a followup_added event)."""
    names = ("id", "kind", "content", "followed_at", "next_contact_at", "owner_id", "created_at")
    values = {FOLLOWUP_PREFIX + n: getattr(row, n) for n in names}
    values.update({FOLLOWUP_PREFIX + CUSTOM_PREFIX + k: v for k, v in (row.custom or {}).items()})
    return values


def condition_schema(uow: UnitOfWork, entity: str, event: str) -> EntitySchema:
    """The fields a rule of ``event`` on ``entity`` may test (the entity's and its derived
    ones, plus the follow-up's)."""
    schema = with_derived(system_schema(uow, entity))
    if event == "followup_added":
        schema = EntitySchema(entity=entity, fields=schema.fields + followup_fields(uow), access={})
    return schema


def spec_of(rule: AutomationRule) -> RuleSpec:
    """A stored rule as the engine runs it."""
    return RuleSpec(rule.id, rule.name, rule.event, rule.field, rule.from_value, rule.to_value,
                    rule.condition or {}, tuple(rule.actions or ()))


def has_rules(uow: UnitOfWork, entity: str, event: str) -> bool:
    """Whether any enabled rule of ``entity`` could fire on ``event`` (lets bulk paths skip
    loading their rows when nothing listens)."""
    query = select(AutomationRule.id).where(
        AutomationRule.entity == entity, AutomationRule.enabled.is_(True),
        AutomationRule.event.in_(list(_KINDS[event]))).limit(1)
    return uow.session.scalar(query) is not None


def fire(
    uow: UnitOfWork, service: RecordService[Any], row: Any, *, event: str, before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None, depth: int = 0, trace: Trace | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Run the enabled rules of ``service``'s entity that ``event`` fires on ``row``.

    ``before`` / ``after`` hold the changed fields' old and new values; ``extra`` values the
    conditions see besides the record's (a followup_added event passes ``followup_values``).
    """
    params = {"entity": service.module, "kinds": list(_KINDS[event]), "fields": list(after or ())}
    # Core on the session's connection: plain rows, no ORM result machinery (and no autoflush:
    # the save has flushed, and nothing pending touches the rules).
    stamps = uow.session.connection().execute(_RULE_STAMPS, params).all()
    if not stamps:
        return
    rules = _parsed(uow, stamps)
    run_rules(uow, service, row, rules, event=event, before=before, after=after, depth=depth, trace=trace,
              extra=extra)


def fire_event(
    uow: UnitOfWork, service: RecordService[Any] | str, row: Any, event: str,
    before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
) -> None:
    """Fire ``event`` (e.g. "approval_approved") on ``row`` inside the caller's unit of work.

    For engines other than the record services (approvals). ``service`` is the record's
    RecordService or its entity name. A failing rule raises RuleFailed: the caller's unit of
    work must roll back; wrap it in ``failures_logged(db)`` so the failure is logged.
    """
    if event not in _KINDS:
        raise ValueError(f"unknown automation event {event!r}")
    if isinstance(service, str):
        from crm_desktop.automation.actions import service_for  # actions import this module

        service = service_for(service)
    fire(uow, service, row, event=event, before=before, after=after)


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
    uow: UnitOfWork, service: RecordService[Any], row: Any, rules: list[RuleSpec], *, event: str,
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, depth: int, trace: Trace | None,
    force: bool = False, extra: Mapping[str, Any] | None = None, schema: EntitySchema | None = None,
) -> None:
    """Run ``rules`` in order (``force``: ignore whether the event fits, for trying a rule).

    ``schema``: the entity's ``system_schema`` when the caller runs many records (the date job).
    """
    specs = {f.name: f for f in schema.fields} if schema is not None else condition_specs(uow, service.module)
    specs |= {f.name: f for f in DERIVED_FIELDS.get(service.module, ())}
    if extra and any(k.startswith(FOLLOWUP_PREFIX) for k in extra):
        specs |= {f.name: f for f in followup_fields(uow)}
    ctx = Context(uow, service, row, event, dict(before or {}), dict(after or {}), depth, trace, specs,
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
            # The common case inline (same event, not a field rule): this loop runs per rule per save.
            if not force and (rule.event != event or rule.event in FIELD_EVENTS) and not _event_fits(ctx, rule):
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
    if rule.event not in FIELD_EVENTS:
        return rule.event == ctx.event
    # A status change is a field change too; an edit is never a status change.
    allowed = ("edited", "status_changed") if rule.event == "field_changed" else ("status_changed",)
    name = rule.field
    if ctx.event not in allowed or not name or name not in ctx.after:
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
    ctx.rule_id = rule.id
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


__all__ = ["EVENTS", "FIELD_EVENTS", "FOLLOWUP_PREFIX", "MAX_DEPTH", "STATUS_FIELDS", "Context", "RuleFailed",
           "RuleSpec", "Trace", "condition_schema", "failures_logged", "fire", "fire_event", "followup_fields",
           "followup_values", "has_rules", "log_failure", "run_rules", "spec_of", "system_schema"]
