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
* ``no_opportunity``: created more than N days ago (opportunities do not exist yet).

A claim or an assignment restarts the clock: a customer claimed from a pool less than N days
ago is not recycled by an N-day rule, however old its last follow-up is.

Thread rule: any thread; each job is one unit of work.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, insert, select, update

from crm_desktop.models import AuditChange, AuditEntry, Customer, Pool, PoolEvent, PoolRule, TeamMember, utcnow
from crm_desktop.services.events import OwnerChanged
from crm_desktop.services.pool import member_user_ids, serialize_writes_for
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database

#: Rows per batched statement (keeps IN lists under SQLite's bound-parameter limit).
CHUNK = 500
#: The "user" key of the job's lock: no user has id 0, so it never waits for a claim.
JOB_LOCK_KEY = 0


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
class JobsReport:
    recycle: RecycleReport
    reminders: tuple[Reminder, ...]

    def summary(self) -> str:
        """One line for logs and ``crm-admin run-jobs`` (English: administrators' tools)."""
        pools = len({r.pool_id for r in self.recycle.runs if r.recycled})
        owners = len({r.owner_id for r in self.reminders})
        return (f"Recycled {self.recycle.recycled} customer(s) into {pools} public pool(s); "
                f"{len(self.reminders)} customer(s) due for recycling soon, {owners} owner(s) to remind.")


def rule_filter(pool: Pool, rule: PoolRule, cutoff: dt.datetime) -> ColumnElement[bool]:
    """Customers ``rule`` of ``pool`` recycles when ``cutoff`` = now − rule.days."""
    restarted = exists().where(
        PoolEvent.customer_id == Customer.id, PoolEvent.kind.in_(("claim", "assign")), PoolEvent.at >= cutoff)
    conds: list[ColumnElement[bool]] = [
        Customer.pool_id.is_(None), Customer.deleted_at.is_(None), Customer.locked.is_(False),
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
        # TODO(sales issue: opportunities): "no opportunity for N days" must become
        # NOT EXISTS (an opportunity of this customer created or updated after cutoff) once the
        # opportunity model exists; until then no customer has one, so only its age counts.
        conds.append(Customer.created_at < cutoff)
    else:  # an unknown kind (a newer version's rule): recycle nothing rather than guess
        return Customer.id.is_(None)
    return and_(*conds)


def _rules(session: Session) -> list[tuple[Pool, PoolRule]]:
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
        for pool, rule in _rules(s):
            cutoff = now - dt.timedelta(days=rule.days)
            rows = s.execute(
                update(Customer).where(rule_filter(pool, rule, cutoff))
                .values(previous_owner_id=Customer.owner_id, owner_id=None, pool_id=pool.id, pooled_at=now,
                        version=Customer.version + 1, updated_at=now)
                .returning(Customer.id, Customer.previous_owner_id, Customer.version)
                .execution_options(synchronize_session=False)).all()
            runs.append(RuleRun(pool.id, pool.name, rule.id, rule.kind, rule.days, len(rows)))
            taken += [(cid, old, version, pool, rule) for cid, old, version in rows]
        for batch in _chunks(taken):
            _record(uow, batch, now)
        return RecycleReport(at=now, runs=tuple(runs), customer_ids=tuple(sorted(t[0] for t in taken)))


def _record(uow: Any, batch: Sequence[tuple[int, int | None, int, Pool, PoolRule]], now: dt.datetime) -> None:
    """Team removal, audit entries, pool events and OwnerChanged for recycled customers."""
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
    for cid, old, _v, _p, _r in batch:
        uow.add_event(OwnerChanged("customer", cid, None, old_owner_id=old, new_owner_id=None))


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
        for pool, rule in _rules(s):
            if not pool.remind_days:
                continue
            base = {"no_followup": func.coalesce(Customer.last_followup_at, Customer.created_at),
                    "no_deal": func.coalesce(Customer.last_deal_at, Customer.created_at)}.get(
                        rule.kind, Customer.created_at)
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
    """Run every scheduled job: recycle first, so reminders only name customers still owned."""
    now = now or utcnow()
    recycle = run_recycle(db, now=now)
    return JobsReport(recycle=recycle, reminders=tuple(due_reminders(db, now=now)))
