"""Scheduled jobs: recycling customers into public pools (回收) and reminding owners first.

``run_jobs`` runs them all; the app calls it at start-up and hourly, ``crm-admin run-jobs``
from the command line or a scheduler. Jobs act as the system (no actor, no permission check).

Recycling is set-based: one ``UPDATE … RETURNING`` per enabled rule of each enabled pool,
pools and rules in id order, each UPDATE taking only customers still outside every pool — so a
customer that several pools' rules match goes to the first pool by id, and a second run finds
nothing left to do (idempotent). The audit entries, pool events and team removals of the
recycled customers are then written in batches (executemany), never row by row.

A rule takes customers that are live, not locked, owned by a member of the pool (see
``pool.member_user_ids``), of one of the rule's levels (none listed = all), not having a deal
when the pool exempts deals, and past the rule's age:

* ``no_followup``: ``COALESCE(last_followup_at, created_at)`` older than N days;
* ``no_deal``: not marked as deal and ``COALESCE(last_deal_at, created_at)`` older than N days;
* ``no_opportunity`` ("no new opportunity for N days", 无新建商机): created more than N days
  ago and no live (not deleted) opportunity of the customer created in the last N days — the
  clock starts at the latest of the customer's creation and its newest opportunity's creation,
  as ``no_followup``'s starts at the last follow-up. An opportunity's later edits do not restart
  it: ``updated_at`` moves on any write (a transfer, an automation, a stage fix), so it says
  nothing about sales activity, which follow-ups and the other rules measure.

A claim or an assignment restarts the clock: a customer claimed from a pool less than N days
ago is not recycled by an N-day rule, however old its last follow-up is. Each recycled
customer is an OwnerChanged event naming its pool, on which the automation engine fires its
"pool_put" rules; when there are any, each customer's event is recorded in a savepoint: a
failing rule is logged and undone for that customer, and the recycling itself stands.

Date rules (``run_date_rules``, automation event date_reached): each enabled rule fires once
per record per occurrence of "``date_field`` + ``offset_days``" (negative: before). A run
takes the window (``last_checked_at`` — or the rule's ``created_at`` the first time —, now],
finds the live records whose occurrence falls in it, records a DateReached event for the
rule on each in a savepoint (acting as the system; the engine runs the rule; a failing record
is logged as failed and skipped), and stores now as ``last_checked_at`` in the same
transaction, so the next run never fires the same occurrence again. A date-time occurrence
is the instant value + N days; a date's is local midnight of date + N days. Records are read in batches of ``DATE_BATCH`` by id; custom date fields
(stored as ISO text in ``custom``) are narrowed in SQL to a few days around the window and
checked exactly in Python. One unit of work per rule.

Thread rule: any thread; each job is one unit of work.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from crm_desktop.models import (
    AuditChange,
    AuditEntry,
    AutomationRule,
    AutomationRun,
    Customer,
    Opportunity,
    Pool,
    PoolEvent,
    PoolRule,
    TeamMember,
    utcnow,
)
from crm_desktop.services.customers.pool import member_user_ids, serialize_writes_for
from crm_desktop.services.errors import RuleFailed
from crm_desktop.services.events import DateReached, DomainEvent, OwnerChanged
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.records.schema import FieldSpec, FieldType, system_schema
from crm_desktop.services.sales.payments import send_plan_reminders
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database

#: Rows per batched statement (keeps IN lists under SQLite's bound-parameter limit).
CHUNK = 500
#: The "user" key of the job's lock: no user has id 0, so it never waits for a claim.
JOB_LOCK_KEY = 0
#: Records read (and run) at a time by the date job.
DATE_BATCH = 200


@dataclass(frozen=True)
class RuleRun:
    """What one rule recycled in one run."""

    pool_id: int
    pool_name: str
    rule_id: int
    kind: str
    days: int
    recycled: int


@dataclass(frozen=True)
class RecycleReport:
    at: dt.datetime
    runs: tuple[RuleRun, ...]
    customer_ids: tuple[int, ...]

    @property
    def recycled(self) -> int:
        return len(self.customer_ids)


@dataclass(frozen=True)
class Reminder:
    """An owner's customer that a rule will recycle within the pool's ``remind_days``."""

    owner_id: int
    customer_id: int
    customer_name: str
    pool_id: int
    pool_name: str
    rule_id: int
    rule_kind: str
    rule_days: int
    due_at: dt.datetime
    days_left: int


@dataclass(frozen=True)
class DateRuleRun:
    """What one date rule did in one run: records whose occurrence fell in the window
    (``due``; the rule's condition decides whether it then acts) and of those how many failed."""

    rule_id: int
    rule_name: str
    since: dt.datetime
    until: dt.datetime
    due: int
    failed: int


@dataclass(frozen=True)
class JobsReport:
    recycle: RecycleReport
    reminders: tuple[Reminder, ...]
    date_rules: tuple[DateRuleRun, ...] = ()
    #: Payment plans whose owners were reminded (sales: ``payments.send_plan_reminders``).
    plan_reminders: int = 0

    def summary(self) -> str:
        """One line for logs and ``crm-admin run-jobs`` (English: administrators' tools)."""
        pools = len({r.pool_id for r in self.recycle.runs if r.recycled})
        owners = len({r.owner_id for r in self.reminders})
        line = (f"Recycled {self.recycle.recycled} customer(s) into {pools} public pool(s); "
                f"{len(self.reminders)} customer(s) due for recycling soon, {owners} owner(s) to remind.")
        if self.date_rules:
            due = sum(r.due for r in self.date_rules)
            failed = sum(r.failed for r in self.date_rules)
            line += f" Date rules: {len(self.date_rules)} checked, {due} record(s) due, {failed} failed."
        return line


def rule_filter(pool: Pool, rule: PoolRule, cutoff: dt.datetime) -> ColumnElement[bool]:
    """Customers ``rule`` of ``pool`` recycles when ``cutoff`` = now − rule.days."""
    restarted = exists().where(
        PoolEvent.customer_id == Customer.id, PoolEvent.kind.in_(("claim", "assign")), PoolEvent.at >= cutoff)
    conds: list[ColumnElement[bool]] = [
        Customer.pool_id.is_(None), Customer.deleted_at.is_(None), Customer.locked.is_(False),
        Customer.approval_status == "",  # not registered yet: never handed to the pool
        Customer.owner_id.in_(member_user_ids(pool.id)), ~restarted,
    ]
    if rule.levels:
        conds.append(Customer.level.in_(list(rule.levels)))
    if pool.exempt_deals:
        conds.append(Customer.deal_status != "deal")
    if rule.kind == "no_followup":
        conds.append(func.coalesce(Customer.last_followup_at, Customer.created_at) < cutoff)
    elif rule.kind == "no_deal":
        conds += [Customer.deal_status != "deal", func.coalesce(Customer.last_deal_at, Customer.created_at) < cutoff]
    elif rule.kind == "no_opportunity":
        recent = exists().where(Opportunity.customer_id == Customer.id, Opportunity.deleted_at.is_(None),
                                Opportunity.created_at >= cutoff)
        conds += [Customer.created_at < cutoff, ~recent]
    else:  # an unknown kind (a newer version's rule): recycle nothing rather than guess
        return Customer.id.is_(None)
    return and_(*conds)


def newest_opportunity_or_creation() -> ColumnElement[dt.datetime]:
    """When a customer's "no opportunity" clock started: its newest live opportunity's
    creation, or its own creation when that is later (or it has none)."""
    newest = (select(func.max(Opportunity.created_at))
              .where(Opportunity.customer_id == Customer.id, Opportunity.deleted_at.is_(None))
              .correlate(Customer).scalar_subquery())
    return case((newest > Customer.created_at, newest), else_=Customer.created_at)


def pool_rules(session: Session) -> list[tuple[Pool, PoolRule]]:
    return list(session.execute(
        select(Pool, PoolRule).join(PoolRule, PoolRule.pool_id == Pool.id)
        .where(Pool.enabled.is_(True), PoolRule.enabled.is_(True)).order_by(Pool.id, PoolRule.id)).all())  # type: ignore[arg-type]


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def run_recycle(db: Database, *, now: dt.datetime | None = None) -> RecycleReport:
    """Recycle every customer an enabled rule matches; see the module docstring."""
    now = now or utcnow()
    with unit_of_work(db, None) as uow:
        s = uow.session
        serialize_writes_for(s, JOB_LOCK_KEY)  # two PCs starting at once: one run after the other
        runs: list[RuleRun] = []
        taken: list[tuple[int, int | None, int, Pool, PoolRule]] = []
        for pool, rule in pool_rules(s):
            cutoff = now - dt.timedelta(days=rule.days)
            rows = s.execute(
                update(Customer).where(rule_filter(pool, rule, cutoff))
                .values(previous_owner_id=Customer.owner_id, owner_id=None, pool_id=pool.id, pooled_at=now,
                        version=Customer.version + 1, updated_at=now)
                .returning(Customer.id, Customer.previous_owner_id, Customer.version)
                .execution_options(synchronize_session=False)).all()
            runs.append(RuleRun(pool.id, pool.name, rule.id, rule.kind, rule.days, len(rows)))
            taken += [(cid, old, version, pool, rule) for cid, old, version in rows]
        isolate = bool(taken) and _has_rules(uow, "customer", "pool_put")
        for batch in _chunks(taken):
            _record(uow, batch, now)
        for batch in _chunks(taken):
            _announce(uow, batch, isolate=isolate)
        return RecycleReport(at=now, runs=tuple(runs), customer_ids=tuple(sorted(t[0] for t in taken)))


def _has_rules(uow: UnitOfWork, entity: str, event: str) -> bool:
    """Whether any enabled rule of ``entity`` is of ``event`` (lets the job skip a savepoint per
    record when no rule can fail)."""
    query = select(AutomationRule.id).where(AutomationRule.entity == entity, AutomationRule.enabled.is_(True),
                                            AutomationRule.event == event).limit(1)
    return uow.session.scalar(query) is not None


def _record(uow: Any, batch: Sequence[tuple[int, int | None, int, Pool, PoolRule]], now: dt.datetime) -> None:
    """Team removal, audit entries and pool events for recycled customers."""
    s = uow.session
    ids = [t[0] for t in batch]
    team: dict[int, list[tuple[int, str]]] = {}
    for rid, uid, access in s.execute(select(TeamMember.record_id, TeamMember.user_id, TeamMember.access).where(
            TeamMember.entity == "customer", TeamMember.record_id.in_(ids))):
        team.setdefault(rid, []).append((uid, access))
    s.execute(delete(TeamMember).where(TeamMember.entity == "customer", TeamMember.record_id.in_(ids)))
    # Each customer is recycled once per run, so its id maps back to its entry (asking the
    # database to keep parameter order would make SQLite insert row by row).
    entry_of = dict(s.execute(
        insert(AuditEntry).returning(AuditEntry.record_id, AuditEntry.id),
        [{"entity": "customer", "record_id": cid, "action": "recycle", "actor_id": None, "at": now,
          "version": version} for cid, _old, version, _p, _r in batch]).all())
    changes: list[dict[str, Any]] = []
    for cid, old, _v, pool, rule in batch:
        entry_id = entry_of[cid]
        changes += [{"entry_id": entry_id, "field": "owner_id", "old": old, "new": None},
                    {"entry_id": entry_id, "field": "pool_id", "old": None, "new": pool.id},
                    {"entry_id": entry_id, "field": "reason", "old": None, "new": rule.kind}]
        changes += [{"entry_id": entry_id, "field": f"team:{uid}", "old": access, "new": None}
                    for uid, access in team.get(cid, [])]
    s.execute(insert(AuditChange), changes)
    s.execute(insert(PoolEvent), [
        {"pool_id": pool.id, "customer_id": cid, "kind": "recycle", "user_id": old, "actor_id": None,
         "reason": rule.kind, "at": now, "details": {"rule_id": rule.id, "days": rule.days}}
        for cid, old, _v, pool, rule in batch])


def _announce(uow: UnitOfWork, batch: Sequence[tuple[int, int | None, int, Pool, PoolRule]], *, isolate: bool) -> None:
    """OwnerChanged (into the pool) for recycled customers: their pool_put rules run on it,
    each customer's in a savepoint when there are any."""
    if not isolate:
        for cid, old, _v, pool, _r in batch:
            uow.add_event(OwnerChanged("customer", cid, None, old_owner_id=old, new_owner_id=None, pool_id=pool.id))
        return
    # The UPDATE bypassed the session: the rules read the rows as they are now, loaded in one query.
    uow.session.scalars(select(Customer).where(Customer.id.in_([t[0] for t in batch]))
                        .execution_options(populate_existing=True)).all()
    for cid, old, _v, pool, _r in batch:
        _isolated(uow, OwnerChanged("customer", cid, None, old_owner_id=old, new_owner_id=None, pool_id=pool.id))


def _isolated(uow: UnitOfWork, event: DomainEvent) -> bool:
    """Record ``event`` in a savepoint: a rule failing on it is undone for its record alone and
    logged as failed in the job's transaction; the event itself stands. Returns whether its
    rules succeeded."""
    events = len(uow.events)
    try:
        with uow.session.begin_nested():
            uow.add_event(event)
        return True
    except RuleFailed as exc:
        del uow.events[events + 1:]  # the undone changes' events must not be published
        exists_ = exc.rule_id is not None and uow.session.get(AutomationRule, exc.rule_id) is not None
        uow.session.add(AutomationRun(
            rule_id=exc.rule_id if exists_ else None, rule_name=exc.rule_name, entity=exc.entity,
            record_id=exc.record_id, outcome="failed", message=exc.reason[:2000], depth=exc.depth))
        uow.session.flush()
        return False


# --- date rules (automation event date_reached) ----------------------------------------------

def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone().date()


def _occurs(spec: FieldSpec, value: Any, offset: dt.timedelta, since: dt.datetime, until: dt.datetime) -> bool:
    """Whether ``value`` + ``offset`` falls in (since, until] (a date: its local midnight)."""
    if value in (None, ""):
        return False
    try:
        if spec.type is FieldType.DATE:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
            if isinstance(day, dt.datetime):
                day = day.date()
            return _local_date(since) < day + offset <= _local_date(until)
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        return False  # a custom value stored before its field's type changed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return since < moment + offset <= until


def _due_clause(model: Any, spec: FieldSpec, offset: dt.timedelta, since: dt.datetime,
                until: dt.datetime) -> ColumnElement[bool]:
    """SQL that keeps the records whose occurrence may fall in the window: exact for a built-in
    column, a few days wider for a custom value (ISO text with any UTC offset)."""
    if spec.is_custom:
        assert spec.key is not None
        text = model.custom[spec.key].as_string()
        low = (_local_date(since) - offset - dt.timedelta(days=2)).isoformat()
        high = (_local_date(until) - offset + dt.timedelta(days=2)).isoformat()
        return and_(text >= low, text < high)
    column = getattr(model, spec.name)
    if spec.type is FieldType.DATE:
        return and_(column > _local_date(since) - offset, column <= _local_date(until) - offset)
    return and_(column > since - offset, column <= until - offset)


def run_date_rules(db: Database, *, now: dt.datetime | None = None) -> list[DateRuleRun]:
    """Run every enabled date_reached rule over its window (see the module docstring)."""
    now = now or utcnow()
    with read_only(db, None) as uow:
        rule_ids = list(uow.session.scalars(select(AutomationRule.id).where(
            AutomationRule.event == "date_reached", AutomationRule.enabled.is_(True)).order_by(AutomationRule.id)))
    runs = []
    for rule_id in rule_ids:
        result = _run_date_rule(db, rule_id, now)
        if result is not None:
            runs.append(result)
    return runs


def _run_date_rule(db: Database, rule_id: int, now: dt.datetime) -> DateRuleRun | None:
    with unit_of_work(db, None) as uow:
        s = uow.session
        serialize_writes_for(s, JOB_LOCK_KEY)  # two PCs at once: the second sees the first's checkpoint
        rule = s.get(AutomationRule, rule_id, with_for_update=True, populate_existing=True)
        if rule is None or not rule.enabled or rule.event != "date_reached":
            return None
        since = rule.last_checked_at or rule.created_at
        if since >= now:
            return None  # checked up to now already (or the clock went back): nothing can be due
        service = record_service(rule.entity)
        schema = system_schema(s, rule.entity)
        spec = schema.get(rule.date_field or "")
        due = failed = 0
        if spec is not None and spec.type in (FieldType.DATE, FieldType.DATETIME):
            offset = dt.timedelta(days=rule.offset_days or 0)
            model = service.model
            query = select(model).where(model.deleted_at.is_(None), service.base_clause(),
                                        _due_clause(model, spec, offset, since, now))
            last_id = 0
            while True:
                batch = s.scalars(query.where(model.id > last_id).order_by(model.id).limit(DATE_BATCH)).all()
                for row in batch:
                    value = (row.custom or {}).get(spec.key) if spec.is_custom else getattr(row, spec.name)
                    if not _occurs(spec, value, offset, since, now):
                        continue
                    due += 1
                    failed += not _isolated(uow, DateReached(rule.entity, row.id, None, rule_id=rule.id))
                if len(batch) < DATE_BATCH:
                    break
                last_id = batch[-1].id
                for row in batch:  # keep the session small on big tables
                    if row in s and not s.is_modified(row):
                        s.expunge(row)
        # A field that is gone (or no longer a date) has nothing due; the checkpoint moves on.
        rule.last_checked_at = now
        return DateRuleRun(rule.id, rule.name, since, now, due, failed)


def due_reminders(db: Database, *, now: dt.datetime | None = None) -> list[Reminder]:
    """Customers a rule will recycle within their pool's ``remind_days`` (not yet due), one
    reminder per customer for the rule that comes first; ordered by owner, then due time."""
    now = now or utcnow()
    found: dict[int, Reminder] = {}
    with read_only(db, None) as uow:
        s = uow.session
        restart = (select(func.max(PoolEvent.at)).where(
            PoolEvent.customer_id == Customer.id, PoolEvent.kind.in_(("claim", "assign")))
            .correlate(Customer).scalar_subquery())
        for pool, rule in pool_rules(s):
            if not pool.remind_days:
                continue
            base = {"no_followup": func.coalesce(Customer.last_followup_at, Customer.created_at),
                    "no_deal": func.coalesce(Customer.last_deal_at, Customer.created_at),
                    "no_opportunity": newest_opportunity_or_creation()}.get(rule.kind, Customer.created_at)
            window = now - dt.timedelta(days=rule.days - pool.remind_days)
            rows = s.execute(select(Customer.id, Customer.name, Customer.owner_id, base, restart)
                             .where(rule_filter(pool, rule, window))).all()
            for cid, name, owner_id, since, restarted in rows:
                start = max(since, restarted) if restarted is not None else since
                due = start + dt.timedelta(days=rule.days)  # aware: the expressions keep UTCDateTime
                if due <= now or (cid in found and found[cid].due_at <= due):
                    continue  # due already (the recycle job takes it) or another rule comes first
                found[cid] = Reminder(
                    owner_id=owner_id, customer_id=cid, customer_name=name, pool_id=pool.id, pool_name=pool.name,
                    rule_id=rule.id, rule_kind=rule.kind, rule_days=rule.days, due_at=due,
                    days_left=math.ceil((due - now).total_seconds() / 86400))
    return sorted(found.values(), key=lambda r: (r.owner_id, r.due_at, r.customer_id))


def run_jobs(db: Database, *, now: dt.datetime | None = None) -> JobsReport:
    """Run every scheduled job: recycle first, so reminders only name customers still owned;
    date rules last, so they see the customers as the recycle left them."""
    now = now or utcnow()
    recycle = run_recycle(db, now=now)
    reminders = tuple(due_reminders(db, now=now))
    date_rules = tuple(run_date_rules(db, now=now))
    return JobsReport(recycle=recycle, reminders=reminders, date_rules=date_rules,
                      plan_reminders=send_plan_reminders(db, now=now))
