"""The calendar: a window's items over switchable layers, the .ics export, and an .ics kept up
to date in a chosen folder (``sync_ics``).

Layers (``LAYERS``): my events (owned or taking part; with ``user_id`` a colleague's, as far
as the scope lets the actor see them) · tasks due · follow-ups' next contact times · payment
plan dates · contract end dates · customers a public-pool rule will recycle (on the day it
will, ``_pool_days``). Every layer reads through the one scope filter (events and
tasks through ``visibility``, records through ``visible_filter``) and shows the user's own
items (the owner's). Thread rule: any thread.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icalendar import Alarm, Calendar, Event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    Contact,
    Contract,
    Customer,
    Lead,
    PaymentPlan,
    PoolEvent,
    ScheduleEvent,
    Task,
)
from crm_desktop.services.activities.common import day_start, zone
from crm_desktop.services.activities.schedule import (
    expand_rows,
    mine_clause,
    window_clause,
    window_rows,
)
from crm_desktop.services.activities.visibility import event_visible, task_visible
from crm_desktop.services.customers.jobs import (
    newest_opportunity_or_creation as opportunity_clock,
)
from crm_desktop.services.customers.jobs import pool_rules, rule_filter
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database

LAYERS = ("events", "tasks", "followups", "payment_plans", "contract_ends", "pool")
LAYER_LABELS: dict[str, str] = {
    "events": QT_TRANSLATE_NOOP("schedule", "My events"), "tasks": QT_TRANSLATE_NOOP("schedule", "Tasks due"),
    "followups": QT_TRANSLATE_NOOP("schedule", "Next contacts"),
    "payment_plans": QT_TRANSLATE_NOOP("schedule", "Planned payments"),
    "contract_ends": QT_TRANSLATE_NOOP("schedule", "Contracts ending"),
    "pool": QT_TRANSLATE_NOOP("schedule", "Going to the pool"),
}
LAYER_COLOURS = {"tasks": "#ef4444", "followups": "#8b5cf6", "payment_plans": "#0ea5e9", "contract_ends": "#a16207",
                 "pool": "#64748b"}


@dataclass(frozen=True)
class CalendarItem:
    """One thing on the calendar. ``layer`` says what it is; ``item_id`` is the event, task,
    record or plan; ``entity`` / ``record_id`` the record to open (if any)."""

    layer: str
    item_id: int
    title: str
    start: dt.datetime
    end: dt.datetime
    all_day: bool
    colour: str
    entity: str | None = None
    record_id: int | None = None
    #: Events: the occurrence's original start (names it for edits).
    occurrence: dt.datetime | None = None
    repeating: bool = False
    done: bool = False


def calendar_items(db: Database, actor: Actor, start: dt.datetime, end: dt.datetime, *,
                   layers: Collection[str] = LAYERS, user_id: int | None = None,
                   tz: dt.tzinfo | None = None) -> list[CalendarItem]:
    """What the calendar shows in [start, end) for ``user_id`` (default: the actor), sorted by start."""
    tz = tz or zone()
    who = user_id or actor.user_id
    first, last = start.astimezone(tz).date(), (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
    out: list[CalendarItem] = []
    with read_only(db, actor) as uow:
        a = uow.actor
        assert a is not None
        session = uow.session
        if "events" in layers and a.can("event", "view"):
            rows = window_rows(session, a, start, end, user_id=who)
            out += [CalendarItem("events", o.event_id, o.title, o.start, o.end, o.all_day, o.colour,
                                 occurrence=o.original_start, repeating=o.repeating)
                    for o in expand_rows(rows, start, end)]

        def whole_day(layer: str, item_id: int, title: str, day: dt.date, entity: str | None, record_id: int | None,
                      done: bool = False) -> CalendarItem:
            return CalendarItem(layer, item_id, title, day_start(day, tz), day_start(day + dt.timedelta(days=1), tz),
                                True, LAYER_COLOURS[layer], entity, record_id, done=done)

        if "tasks" in layers and a.can("task", "view"):
            for tid, title, day, due_at, done in session.execute(
                    select(Task.id, Task.title, Task.due_date, Task.due_at, Task.done).where(
                        task_visible(a), Task.owner_id == who, Task.due_date >= first, Task.due_date <= last)):
                item = whole_day("tasks", tid, title, day, "task", tid, bool(done))
                if due_at is not None:
                    item = CalendarItem("tasks", tid, title, due_at, due_at, False, item.colour, "task", tid,
                                        done=bool(done))
                out.append(item)
        if "followups" in layers:
            for model in (Customer, Lead, Contact):
                if not a.can(model.entity, "view"):
                    continue
                for rid, name, when in session.execute(select(model.id, model.name, model.next_contact_at).where(
                        visible_filter(model, a), model.owner_id == who, model.next_contact_at >= start,
                        model.next_contact_at < end)):
                    out.append(CalendarItem("followups", rid, name, when, when, False, LAYER_COLOURS["followups"],
                                            model.entity, rid))
        if "payment_plans" in layers and a.can("contract", "view"):
            for pid, cid, number, name, day in session.execute(
                    select(PaymentPlan.id, Contract.id, PaymentPlan.instalment, Contract.name, PaymentPlan.planned_date)
                    .join(Contract, Contract.id == PaymentPlan.contract_id)
                    .where(visible_filter(Contract, a), Contract.owner_id == who,
                           PaymentPlan.received_amount < PaymentPlan.amount,
                           PaymentPlan.planned_date >= first, PaymentPlan.planned_date <= last)):
                out.append(whole_day("payment_plans", pid, f"{name} #{number}", day, "contract", cid))
        if "contract_ends" in layers and a.can("contract", "view"):
            for cid, name, day in session.execute(select(Contract.id, Contract.name, Contract.end_date).where(
                    visible_filter(Contract, a), Contract.owner_id == who, Contract.end_date >= first,
                    Contract.end_date <= last)):
                out.append(whole_day("contract_ends", cid, name, day, "contract", cid))
        if "pool" in layers and a.can("customer", "view"):
            for cid, (name, due) in _pool_days(session, a, who, start, end).items():
                out.append(whole_day("pool", cid, name, due.astimezone(tz).date(), "customer", cid))
    out.sort(key=lambda i: (i.start, not i.all_day, i.layer, i.item_id))
    return out


def _pool_days(session: Session, actor: Actor, owner_id: int, start: dt.datetime,
               end: dt.datetime) -> dict[int, tuple[str, dt.datetime]]:
    """The owner's customers (visible to the actor) that a public-pool rule recycles in
    [start, end): name and moment, the first rule's. It is the recycle job's own condition
    (``jobs.rule_filter``) with its cutoff at the window's end, and its clock dated as the job's
    reminders date it (the later of the rule's start and the last claim or assignment), so the
    calendar cannot promise a day the job does not keep."""
    restart = (select(func.max(PoolEvent.at)).where(
        PoolEvent.customer_id == Customer.id, PoolEvent.kind.in_(("claim", "assign")))
        .correlate(Customer).scalar_subquery())
    found: dict[int, tuple[str, dt.datetime]] = {}
    for pool, rule in pool_rules(session):
        base = {"no_followup": func.coalesce(Customer.last_followup_at, Customer.created_at),
                "no_deal": func.coalesce(Customer.last_deal_at, Customer.created_at),
                "no_opportunity": opportunity_clock()}.get(rule.kind, Customer.created_at)
        cutoff = end - dt.timedelta(days=rule.days)
        for cid, name, since, restarted in session.execute(
                select(Customer.id, Customer.name, base, restart).where(
                    rule_filter(pool, rule, cutoff), visible_filter(Customer, actor), Customer.owner_id == owner_id)):
            due = (max(since, restarted) if restarted is not None else since) + dt.timedelta(days=rule.days)
            if start <= due < end and (cid not in found or due < found[cid][1]):
                found[cid] = (name, due)
    return found


def ics_bytes(db: Database, actor: Actor, *, since: dt.datetime | None = None) -> tuple[bytes, int]:
    """The actor's own events (owned or taking part; those ending after ``since``, and every
    series still running) as iCalendar bytes, and how many events they hold.

    Series keep their RRULE and EXDATEs, moved occurrences are RECURRENCE-ID overrides, and
    reminders are VALARMs, so Outlook or a phone shows the same calendar. Times are UTC except
    a series' start, which is written in its zone (a series repeats in wall-clock time). The
    bytes depend only on the events (DTSTAMP is each event's last change), so an unchanged
    calendar gives the same bytes.
    """
    cal = Calendar()
    cal.add("prodid", "-//CRM Desktop//Schedule//EN")
    cal.add("version", "2.0")
    with read_only(db, actor) as uow:
        a = uow.actor
        assert a is not None
        require(a, "event", "view")
        query = select(ScheduleEvent).where(event_visible(a), mine_clause(a.user_id))
        if since is not None:
            query = query.where(window_clause(since, dt.datetime(9999, 1, 1, tzinfo=dt.UTC)))
        rows = list(uow.session.scalars(query.order_by(ScheduleEvent.id)))
        for row in rows:
            cal.add_component(_vevent(row, rows))
    return cal.to_ical(), len(rows)


def export_ics(db: Database, actor: Actor, path: Path, *, since: dt.datetime | None = None) -> int:
    """Write the actor's calendar (``ics_bytes``) to ``path``; returns how many events it holds."""
    data, count = ics_bytes(db, actor, since=since)
    path.write_bytes(data)
    return count


def sync_file_name(actor: Actor) -> str:
    return f"crm-calendar-{actor.user_id}.ics"


def sync_ics(db: Database, actor: Actor, folder: Path) -> tuple[Path, bool]:
    """Keep ``folder``/``sync_file_name`` equal to the actor's calendar (Outlook or a phone
    subscribed to the file sees each change). The file is replaced whole (a reader never sees
    half of it) and only when its bytes change, so a calendar app polling it re-reads nothing
    in vain. Returns the file and whether it was written."""
    data, _count = ics_bytes(db, actor)
    path = folder / sync_file_name(actor)
    try:
        if path.read_bytes() == data:
            return path, False
    except OSError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    os.replace(part, path)
    return path, True


def _vevent(row: ScheduleEvent, rows: Sequence[ScheduleEvent]) -> Event:
    ev = Event()
    root = next((r for r in rows if r.id == row.series_id), None)
    ev.add("uid", f"crm-event-{row.series_id if root is not None else row.id}@crm-desktop")
    ev.add("summary", row.title)
    if row.location:
        ev.add("location", row.location)
    if row.description:
        ev.add("description", row.description)
    ev.add("dtstamp", row.updated_at)
    tz = zone(row.tz)
    if row.all_day:
        ev.add("dtstart", row.start_at.astimezone(tz).date())
        ev.add("dtend", row.end_at.astimezone(tz).date())
    elif row.rrule and row.tz:
        ev.add("dtstart", row.start_at.astimezone(tz))
        ev.add("dtend", row.end_at.astimezone(tz))
    else:
        ev.add("dtstart", row.start_at)
        ev.add("dtend", row.end_at)
    if row.rrule:
        ev.add("rrule", _rrule_for_ics(row))
        for x in row.exdates or ():
            ev.add("exdate", dt.datetime.fromisoformat(x))
    if root is not None and row.original_start is not None:
        ev.add("recurrence-id", row.original_start)
    for minutes in row.reminders or ():
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", row.title)
        alarm.add("trigger", dt.timedelta(minutes=-minutes))
        ev.add_component(alarm)
    return ev


def _rrule_for_ics(row: ScheduleEvent) -> dict[str, Any]:
    """The stored RRULE as icalendar's mapping; a local UNTIL becomes UTC when DTSTART is UTC."""
    out: dict[str, Any] = {}
    tz = zone(row.tz)
    for part in row.rrule.split(";"):
        key, _eq, value = part.partition("=")
        if key == "UNTIL":
            local = dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=tz)
            out[key] = local.astimezone(dt.UTC)
        elif key in ("INTERVAL", "COUNT", "BYSETPOS") or key == "BYMONTHDAY" or key == "BYMONTH":
            out[key] = [int(v) for v in value.split(",")]
        else:
            out[key] = value.split(",")
    return out


__all__: Sequence[str] = ["LAYERS", "LAYER_COLOURS", "LAYER_LABELS", "CalendarItem", "calendar_items", "export_ics",
                          "ics_bytes", "sync_file_name", "sync_ics"]
