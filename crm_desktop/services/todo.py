"""The to-do counts (待办) of the main window: what needs the actor's attention today.

``todo_counts`` reads, in one read-only unit of work:

- ``followups_due_today``: the actor's own leads, customers and contacts whose next contact
  falls on today's local date — exactly what ``followups.due_followups`` lists (same view
  permissions, field permissions and data scope);
- ``approvals_waiting``: approval tasks waiting for the actor's decision (the approval
  engine's ``count_waiting``, which ``services.approvals.count_waiting`` also uses);
- ``recycle_soon``: customers the actor owns that an enabled public-pool rule would recycle
  within ``within_days`` days (already due ones included: the next job run takes them).
  It is the recycle job's own condition (``jobs.rule_filter``) with the cutoff moved ahead,
  so the count cannot drift from what the job does.

Each count is permission-aware on its own: a module the actor may not view counts 0, rather
than the whole call failing. Thread rule: any thread.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from crm_desktop.automation import approvals as approval_engine
from crm_desktop.models import Customer, Pool, PoolRule, utcnow
from crm_desktop.services.actor import Actor
from crm_desktop.services.followups import due_in
from crm_desktop.services.jobs import rule_filter
from crm_desktop.services.scope import visible_filter
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database

#: How far ahead "about to be recycled" looks, in days.
RECYCLE_SOON_DAYS = 3


@dataclass(frozen=True)
class TodoCounts:
    followups_due_today: int
    approvals_waiting: int
    recycle_soon: int
    #: The due follow-ups per module, e.g. (("customer", 2), ("lead", 1)): where a click goes.
    followups_by_entity: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> int:
        return self.followups_due_today + self.approvals_waiting + self.recycle_soon


def todo_counts(
    db: Database, actor: Actor, *, now: dt.datetime | None = None, tz: dt.tzinfo | None = None,
    within_days: int = RECYCLE_SOON_DAYS,
) -> TodoCounts:
    """The actor's to-do counts; "today" is ``now``'s date in ``tz`` (default: this computer's zone)."""
    now = now or utcnow()
    today = (now.astimezone(tz) if tz is not None else now.astimezone()).date()
    with read_only(db, actor) as uow:
        me = uow.actor
        assert me is not None
        per_entity: dict[str, int] = {}
        for item in due_in(uow, day=today, tz=tz):
            per_entity[item.entity] = per_entity.get(item.entity, 0) + 1
        return TodoCounts(
            followups_due_today=sum(per_entity.values()),
            approvals_waiting=approval_engine.count_waiting(uow.session, me.user_id),
            recycle_soon=_recycle_soon(uow.session, me, now=now, within_days=within_days),
            followups_by_entity=tuple(per_entity.items()),
        )


def _recycle_soon(session: Session, actor: Actor, *, now: dt.datetime, within_days: int) -> int:
    if not actor.can("customer", "view"):
        return 0
    rules = session.execute(
        select(Pool, PoolRule).join(PoolRule, PoolRule.pool_id == Pool.id)
        .where(Pool.enabled.is_(True), PoolRule.enabled.is_(True))).all()
    if not rules:
        return 0
    # A rule recycles what is older than now − days; within N days it will also take what
    # is older than (now + N) − days.
    ahead = now + dt.timedelta(days=within_days)
    matches = [rule_filter(pool, rule, ahead - dt.timedelta(days=rule.days)) for pool, rule in rules]
    return session.scalar(
        select(func.count(Customer.id)).where(
            Customer.owner_id == actor.user_id, visible_filter(Customer, actor), or_(*matches))) or 0


__all__ = ["RECYCLE_SOON_DAYS", "TodoCounts", "todo_counts"]
