"""Reminders: what is due to remind a user in a time window, each shown once, with snooze.

Sources: the user's events (owned or taking part; each reminder offset of each occurrence),
their unfinished tasks with a due time, their own leads', customers' and contacts' next
contact times, and their contracts' payment plans with "remind N days before" (at 09:00 of
that local day). Everything goes through the one visibility clause / scope filter.

Promises (thread rule: any thread; the clock is the caller's — nothing here reads it):

- ``due_reminders(start, end)`` lists reminders whose moment falls in [start, end) and that
  were never shown, plus snoozed ones whose snooze ends in the window. A reminder is named
  by (source, item, occurrence, offset).
- ``mark_shown`` records reminders as shown: ``due_reminders`` never lists them again, in this
  process or another (the key is unique in the database; recording twice is harmless).
- ``snooze`` shows a reminder again at a later moment (once).

The app's scheduler asks for [now − 7 days, now] at start (what was missed while it was
closed) and then every half minute.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select, tuple_
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ActivityParticipant,
    Contact,
    Contract,
    Customer,
    Lead,
    Message,
    PaymentPlan,
    ReminderShown,
    Task,
)
from crm_desktop.services.activities.common import day_start, zone
from crm_desktop.services.activities.schedule import (
    MAX_REMINDER_MINUTES,
    expand_rows,
    window_rows,
)
from crm_desktop.services.activities.visibility import task_visible
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

MISSED_REACH = dt.timedelta(days=7)
PAYMENT_REMIND_HOUR = 9


@dataclass(frozen=True)
class Reminder:
    """One reminder to show. (source, item_id, occurrence, offset_minutes) names it."""

    source: str  # event · task · customer · lead · contact · payment_plan
    item_id: int
    occurrence: dt.datetime
    offset_minutes: int
    remind_at: dt.datetime
    title: str
    #: The record to open from the notification.
    entity: str
    record_id: int
    snoozed: bool = False

    @property
    def key(self) -> tuple[str, int, dt.datetime, int]:
        return (self.source, self.item_id, self.occurrence, self.offset_minutes)


def _candidates(db: Database, actor: Actor, start: dt.datetime, end: dt.datetime,
                tz: dt.tzinfo) -> list[Reminder]:
    out: list[Reminder] = []
    with read_only(db, actor) as uow:
        a = uow.actor
        assert a is not None
        s = uow.session
        if a.can("event", "view"):
            reach = end + dt.timedelta(minutes=MAX_REMINDER_MINUTES)
            rows = window_rows(s, a, start, reach, user_id=a.user_id)
            for o in expand_rows(rows, start, reach):
                for minutes in o.reminders:
                    when = o.start - dt.timedelta(minutes=minutes)
                    if start <= when < end:
                        out.append(Reminder("event", o.event_id, o.start, minutes, when, o.title, "event", o.event_id))
        if a.can("task", "view"):
            involved = select(ActivityParticipant.activity_id).where(
                ActivityParticipant.kind == "task", ActivityParticipant.user_id == a.user_id)
            for tid, title, due in s.execute(select(Task.id, Task.title, Task.due_at).where(
                    task_visible(a), Task.done.is_(False), or_(Task.owner_id == a.user_id, Task.id.in_(involved)),
                    Task.due_at >= start, Task.due_at < end)):
                out.append(Reminder("task", tid, due, 0, due, title, "task", tid))
        for model in (Customer, Lead, Contact):
            if not a.can(model.entity, "view"):
                continue
            for rid, name, when in s.execute(select(model.id, model.name, model.next_contact_at).where(
                    visible_filter(model, a), model.owner_id == a.user_id,
                    model.next_contact_at >= start, model.next_contact_at < end)):
                out.append(Reminder(model.entity, rid, when, 0, when, name, model.entity, rid))
        if a.can("contract", "view"):
            first = (start - dt.timedelta(days=1)).astimezone(tz).date()
            last = end.astimezone(tz).date() + dt.timedelta(days=366)
            for pid, cid, name, number, day, days in s.execute(
                    select(PaymentPlan.id, Contract.id, Contract.name, PaymentPlan.instalment, PaymentPlan.planned_date,
                           PaymentPlan.remind_days)
                    .join(Contract, Contract.id == PaymentPlan.contract_id)
                    .where(visible_filter(Contract, a), Contract.owner_id == a.user_id,
                           PaymentPlan.remind_days.is_not(None), PaymentPlan.received_amount < PaymentPlan.amount,
                           PaymentPlan.planned_date >= first, PaymentPlan.planned_date <= last)):
                when = day_start(day - dt.timedelta(days=days or 0), tz) + dt.timedelta(hours=PAYMENT_REMIND_HOUR)
                if start <= when < end:
                    out.append(Reminder("payment_plan", pid, day_start(day, tz), (days or 0) * 1440, when,
                                        f"{name} #{number}", "contract", cid))
    return out


def due_reminders(db: Database, actor: Actor, *, start: dt.datetime, end: dt.datetime,
                  tz: dt.tzinfo | None = None) -> list[Reminder]:
    """Reminders of the actor due in [start, end) and not shown yet, plus snoozes ending then;
    by moment."""
    tz = tz or zone()
    found = _candidates(db, actor, start, end, tz)
    with read_only(db, actor) as uow:
        shown: dict[tuple[str, int, dt.datetime, int], dt.datetime | None] = {}
        keys = [r.key for r in found]
        for chunk in (keys[i:i + 300] for i in range(0, len(keys), 300)):
            for src, item, occ, off, snoozed in uow.session.execute(
                    select(ReminderShown.source, ReminderShown.item_id, ReminderShown.occurrence,
                           ReminderShown.offset_minutes, ReminderShown.snoozed_until)
                    .where(ReminderShown.user_id == actor.user_id,
                           tuple_(ReminderShown.source, ReminderShown.item_id, ReminderShown.occurrence,
                                  ReminderShown.offset_minutes).in_(chunk))):
                shown[(src, item, occ, off)] = snoozed
        fresh = [r for r in found if r.key not in shown]
        # Snoozed ones come back when their snooze ends (whatever their first moment was).
        snoozed_rows = uow.session.execute(select(ReminderShown).where(
            ReminderShown.user_id == actor.user_id, ReminderShown.snoozed_until >= start,
            ReminderShown.snoozed_until < end)).scalars().all()
        back = _resolve(db, actor, snoozed_rows, tz)
    return sorted(fresh + back, key=lambda r: (r.remind_at, r.source, r.item_id))


def _resolve(db: Database, actor: Actor, rows: Sequence[ReminderShown], tz: dt.tzinfo) -> list[Reminder]:
    """Snoozed reminders as they were first found (their titles and records), due at the snooze's end."""
    out = []
    for row in rows:
        when = row.occurrence - dt.timedelta(minutes=row.offset_minutes)
        if row.source == "payment_plan":
            when = row.occurrence - dt.timedelta(minutes=row.offset_minutes) + dt.timedelta(hours=PAYMENT_REMIND_HOUR)
        hits = [r for r in _candidates(db, actor, when, when + dt.timedelta(seconds=1), tz)
                if (r.source, r.item_id, r.occurrence, r.offset_minutes)
                == (row.source, row.item_id, row.occurrence, row.offset_minutes)]
        if hits and row.snoozed_until is not None:
            first = hits[0]
            out.append(Reminder(first.source, first.item_id, first.occurrence, first.offset_minutes, row.snoozed_until,
                                first.title, first.entity, first.record_id, snoozed=True))
    return out


def _record_shown(session: Session, user_id: int, items: Sequence[Reminder], at: dt.datetime) -> None:
    for r in items:
        row = session.scalar(select(ReminderShown).where(
            ReminderShown.user_id == user_id, ReminderShown.source == r.source,
            ReminderShown.item_id == r.item_id, ReminderShown.occurrence == r.occurrence,
            ReminderShown.offset_minutes == r.offset_minutes))
        if row is None:
            session.add(ReminderShown(user_id=user_id, source=r.source, item_id=r.item_id,
                                      occurrence=r.occurrence, offset_minutes=r.offset_minutes, shown_at=at))
        else:
            row.snoozed_until, row.shown_at = None, at
    session.flush()


def mark_shown(db: Database, actor: Actor, reminders: Iterable[Reminder], *, at: dt.datetime) -> None:
    """Record the reminders as shown to the actor (a snoozed one: its snooze is over). Two PCs
    of one user recording the same reminder at once: the unique key refuses the second, and
    that is what "shown once" means — its error is not the user's concern."""
    items = list(reminders)
    if not items:
        return
    try:
        with unit_of_work(db, actor) as uow:
            _record_shown(uow.session, actor.user_id, items, at)
    except ValidationError:  # the unique key: another PC of the same user recorded them first
        pass


REMINDER_TITLE = QT_TRANSLATE_NOOP("messages", "Reminder: {title}")
REMINDER_BODY = QT_TRANSLATE_NOOP("messages", "{when}")


def deliver(db: Database, actor: Actor, reminders: Iterable[Reminder], *, at: dt.datetime) -> None:
    """Record ``reminders`` as shown and put each into the actor's message centre (about its
    record), in one unit of work. What the tray showed is then also kept to read later."""
    items = list(reminders)
    if not items:
        return
    with unit_of_work(db, actor) as uow:
        _record_shown(uow.session, actor.user_id, items, at)
        for r in items:
            if r.source == "payment_plan":  # the payment job messages the plan's owner already
                continue
            uow.session.add(Message(recipient_id=actor.user_id, title=REMINDER_TITLE, body="", entity=r.entity,
                                    record_id=r.record_id,
                                    params={"title": r.title, "when": r.occurrence.isoformat()}))


def snooze(db: Database, actor: Actor, reminder: Reminder, *, until: dt.datetime) -> None:
    """Show ``reminder`` again at ``until``."""
    with unit_of_work(db, actor) as uow:
        row = uow.session.scalar(select(ReminderShown).where(and_(
            ReminderShown.user_id == actor.user_id, ReminderShown.source == reminder.source,
            ReminderShown.item_id == reminder.item_id, ReminderShown.occurrence == reminder.occurrence,
            ReminderShown.offset_minutes == reminder.offset_minutes)))
        if row is None:
            row = ReminderShown(user_id=actor.user_id, source=reminder.source, item_id=reminder.item_id,
                                occurrence=reminder.occurrence, offset_minutes=reminder.offset_minutes)
            uow.session.add(row)
        row.snoozed_until = until


__all__: Sequence[str] = ["MISSED_REACH", "Reminder", "deliver", "due_reminders", "mark_shown", "snooze"]
