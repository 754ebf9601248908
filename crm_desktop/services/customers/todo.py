"""The to-do counts (待办) of the main window: what needs the actor's attention today.

``todo_counts`` reads, in one read-only unit of work:

- ``followups_due_today``: the actor's own leads, customers and contacts whose next contact
  falls on today's local date — exactly what ``followups.due_followups`` lists (same view
  permissions, field permissions and data scope);
- ``approvals_waiting``: approval tasks waiting for the actor's decision
  (``approval_state.count_waiting``, which ``services.approvals.count_waiting`` also uses);
- ``recycle_soon``: customers the actor owns that an enabled public-pool rule would recycle
  within ``within_days`` days (already due ones included: the next job run takes them).
  It is the recycle job's own condition (``jobs.rule_filter``) with the cutoff moved ahead,
  so the count cannot drift from what the job does.

- ``tasks_overdue`` / ``tasks_today``: open tasks the actor owns or takes part in whose due
  day is before / on today (the workbench's own ``bucket_clause`` under ``task_visible``);
- ``events_today``: occurrences of the actor's own schedule events (owned or taking part)
  overlapping today (the calendar's own ``window_rows`` / ``expand_rows``).

``todo_items`` lists the tasks, events and follow-ups; ``todo_counts`` counts that very list,
so the strip's number and the list it opens cannot disagree.

Each count is permission-aware on its own: a module the actor may not view counts 0, rather
than the whole call failing. Thread rule: any thread.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from crm_desktop.models import Customer, Pool, PoolRule, Task, utcnow
from crm_desktop.services.activities.schedule import expand_rows, window_rows
from crm_desktop.services.activities.visibility import task_visible
from crm_desktop.services.activities.workbench import bucket_clause, own_or_involved
from crm_desktop.services.customers.followups import day_bounds, due_in
from crm_desktop.services.customers.jobs import rule_filter
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.uow import read_only
from crm_desktop.services.workflow.approval_state import count_waiting

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database
    from crm_desktop.services.uow import UnitOfWork

#: How far ahead "about to be recycled" looks, in days.
RECYCLE_SOON_DAYS = 3


@dataclass(frozen=True)
class TodoCounts:
    followups_due_today: int
    approvals_waiting: int
    recycle_soon: int
    #: The due follow-ups per module, e.g. (("customer", 2), ("lead", 1)): where a click goes.
    followups_by_entity: tuple[tuple[str, int], ...] = ()
    tasks_overdue: int = 0
    tasks_today: int = 0
    events_today: int = 0

    @property
    def activities(self) -> int:
        """Tasks overdue or due today plus today's events (the strip's "Tasks and events")."""
        return self.tasks_overdue + self.tasks_today + self.events_today

    @property
    def total(self) -> int:
        return self.followups_due_today + self.approvals_waiting + self.recycle_soon + self.activities


#: The kinds of ``TodoItem``, in the order the list shows them.
ITEM_KINDS = ("task_overdue", "task_today", "event", "followup")


@dataclass(frozen=True)
class TodoItem:
    """One line of the to-do list: ``kind`` (``ITEM_KINDS``), what it opens (``entity``,
    ``record_id``: "task", "event" or the followed-up record's module), its title and when
    (a task's due day or time, an event's start, a follow-up's next contact)."""

    kind: str
    entity: str
    record_id: int
    title: str
    when: dt.date | dt.datetime | None


def _today(now: dt.datetime, tz: dt.tzinfo | None) -> dt.date:
    return (now.astimezone(tz) if tz is not None else now.astimezone()).date()


def _items(uow: UnitOfWork, today: dt.date, tz: dt.tzinfo | None) -> list[TodoItem]:
    me = uow.actor
    assert me is not None
    items: list[TodoItem] = []
    if me.can("task", "view"):
        for kind, bucket in (("task_overdue", "overdue"), ("task_today", "today")):
            rows = uow.session.execute(
                select(Task.id, Task.title, Task.due_date, Task.due_at)
                .where(task_visible(me), own_or_involved(me), bucket_clause(bucket, today))
                .order_by(Task.due_date, Task.due_at, Task.id))
            items += [TodoItem(kind, "task", i, t, at or day) for i, t, day, at in rows]
    if me.can("event", "view"):
        start, end = day_bounds(today, tz)
        for o in expand_rows(window_rows(uow.session, me, start, end, user_id=me.user_id), start, end):
            items.append(TodoItem("event", "event", o.event_id, o.title, o.start))
    items += [TodoItem("followup", d.entity, d.record_id, d.name, d.next_contact_at)
              for d in due_in(uow, day=today, tz=tz)]
    return items


def todo_items(db: Database, actor: Actor, *, now: dt.datetime | None = None,
               tz: dt.tzinfo | None = None) -> list[TodoItem]:
    """What the strip's tasks, events and follow-ups count, in ``ITEM_KINDS`` order."""
    today = _today(now or utcnow(), tz)
    with read_only(db, actor) as uow:
        return _items(uow, today, tz)


def todo_counts(
    db: Database, actor: Actor, *, now: dt.datetime | None = None, tz: dt.tzinfo | None = None,
    within_days: int = RECYCLE_SOON_DAYS,
) -> TodoCounts:
    """The actor's to-do counts; "today" is ``now``'s date in ``tz`` (default: this computer's zone)."""
    now = now or utcnow()
    today = _today(now, tz)
    with read_only(db, actor) as uow:
        me = uow.actor
        assert me is not None
        items = _items(uow, today, tz)  # counted from the list itself: they cannot drift apart
        per_kind = {k: sum(1 for i in items if i.kind == k) for k in ITEM_KINDS}
        per_entity: dict[str, int] = {}
        for item in items:
            if item.kind == "followup":
                per_entity[item.entity] = per_entity.get(item.entity, 0) + 1
        return TodoCounts(
            followups_due_today=per_kind["followup"],
            tasks_overdue=per_kind["task_overdue"], tasks_today=per_kind["task_today"],
            events_today=per_kind["event"],
            approvals_waiting=count_waiting(uow.session, me.user_id),
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


__all__ = ["ITEM_KINDS", "RECYCLE_SOON_DAYS", "TodoCounts", "TodoItem", "todo_counts", "todo_items"]
