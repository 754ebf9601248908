"""Calendar layers, the .ics export read back with icalendar, reminders computed once (clock
injected), and a record's timeline — on both backends."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from crm_desktop.db import Database
from crm_desktop.services.activities.calendar import calendar_items, export_ics
from crm_desktop.services.activities.recurrence import Repeat
from crm_desktop.services.activities.reminders import due_reminders, mark_shown, snooze
from crm_desktop.services.activities.schedule import (
    EventInput,
    create_event,
    edit_event,
    occurrences,
)
from crm_desktop.services.activities.tasks import TaskInput, create_task, set_done
from crm_desktop.services.activities.timeline import timeline
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup
from crm_desktop.services.errors import NotFound
from crm_desktop.services.org.actor import Actor
from tests.test_activities_tasks import PERMS
from tests.test_customers import make_user

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def test_layers_of_a_month(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "戊公司"})
    add_followup(db, admin, target_entity="customer", target_id=c.id, kind="phone", content="再约",
                 followed_at=at(2026, 3, 1), next_contact_at=at(2026, 3, 5, 15))
    create_event(db, admin, EventInput(title="周会", start_at=at(2026, 3, 2, 10), end_at=at(2026, 3, 2, 11),
                                       repeat=Repeat("weekly", count=3), tz="Asia/Shanghai"))
    create_task(db, admin, TaskInput(title="写方案", due_date=dt.date(2026, 3, 4)), tz=SH)
    items = calendar_items(db, admin, at(2026, 3, 1, 0), at(2026, 4, 1, 0), tz=SH)
    assert [(i.layer, i.title, i.start.astimezone(SH).day) for i in items] == [
        ("events", "周会", 2), ("tasks", "写方案", 4), ("followups", "戊公司", 5), ("events", "周会", 9),
        ("events", "周会", 16)]
    only = calendar_items(db, admin, at(2026, 3, 1, 0), at(2026, 4, 1, 0), tz=SH, layers=("tasks",))
    assert [i.layer for i in only] == ["tasks"]


def test_ics_export_reads_back(db: Database, admin: Actor, tmp_path: Path) -> None:
    weekly = EventInput(title="周会", start_at=at(2026, 3, 2, 10), end_at=at(2026, 3, 2, 11), location="A",
                        repeat=Repeat("weekly", weekdays=(0, 2), count=6), tz="Asia/Shanghai", reminders=(15, 1440))
    e = create_event(db, admin, weekly)
    occ = occurrences(db, admin, at(2026, 3, 1, 0), at(2026, 4, 1, 0))
    edit_event(db, admin, e.id, EventInput(**{**weekly.__dict__, "start_at": at(2026, 3, 4, 14),
                                              "end_at": at(2026, 3, 4, 15)}), scope="this", occurrence=occ[1].start)
    create_event(db, admin, EventInput(title="年会", start_at=at(2026, 3, 20), end_at=at(2026, 3, 20), all_day=True,
                                       tz="Asia/Shanghai"))
    path = tmp_path / "mine.ics"
    assert export_ics(db, admin, path) == 3
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    series = next(v for v in events if "RRULE" in v)
    assert str(series["SUMMARY"]) == "周会" and series["RRULE"]["FREQ"] == ["WEEKLY"]
    assert series["RRULE"]["BYDAY"] == ["MO", "WE"] and series["RRULE"]["COUNT"] == [6]
    assert series.decoded("DTSTART") == at(2026, 3, 2, 10)
    assert sorted(a.decoded("TRIGGER") for a in series.walk("VALARM")) == [dt.timedelta(days=-1),
                                                                           dt.timedelta(minutes=-15)]
    exdates = [x.dt for x in series["EXDATE"].dts] if not isinstance(series["EXDATE"], list) else \
        [x.dt for ex in series["EXDATE"] for x in ex.dts]
    assert exdates == [at(2026, 3, 4, 10)]
    moved = next(v for v in events if "RECURRENCE-ID" in v)
    assert moved.decoded("RECURRENCE-ID") == at(2026, 3, 4, 10) and moved.decoded("DTSTART") == at(2026, 3, 4, 14)
    assert str(moved["UID"]) == str(series["UID"])
    allday = next(v for v in events if str(v["SUMMARY"]) == "年会")
    assert allday.decoded("DTSTART") == dt.date(2026, 3, 20) and allday.decoded("DTEND") == dt.date(2026, 3, 21)


def test_reminders_are_computed_once_and_snooze(db: Database, admin: Actor) -> None:
    bob = make_user(db, admin, "13900000051", perms=PERMS)
    create_event(db, admin, EventInput(title="拜访", start_at=at(2026, 3, 2, 10), end_at=at(2026, 3, 2, 11),
                                       reminders=(15, 60), participant_ids=(bob.user_id,),
                                       repeat=Repeat("daily", count=2), tz="Asia/Shanghai"))
    create_task(db, admin, TaskInput(title="交报告", due_at=at(2026, 3, 2, 9, 30)), tz=SH)
    done = create_task(db, admin, TaskInput(title="已完成", due_at=at(2026, 3, 2, 9, 40)), tz=SH)
    set_done(db, admin, done.id)
    c = customers.create(db, admin, {"name": "己公司"})
    add_followup(db, admin, target_entity="customer", target_id=c.id, kind="phone", content="x",
                 followed_at=at(2026, 3, 1), next_contact_at=at(2026, 3, 2, 9, 50))
    due = due_reminders(db, admin, start=at(2026, 3, 2, 0), end=at(2026, 3, 2, 10), tz=SH)
    assert [(r.source, r.title, r.remind_at.astimezone(SH).strftime("%H:%M")) for r in due] == [
        ("event", "拜访", "09:00"), ("task", "交报告", "09:30"), ("event", "拜访", "09:45"),
        ("customer", "己公司", "09:50")]
    assert due[3].entity == "customer" and due[3].record_id == c.id
    # bob takes part: his own copy of the event's reminders
    assert [r.source for r in due_reminders(db, bob, start=at(2026, 3, 2, 0), end=at(2026, 3, 2, 10), tz=SH)] == [
        "event", "event"]
    mark_shown(db, admin, due[:2], at=at(2026, 3, 2, 9, 30))
    mark_shown(db, admin, due[:1], at=at(2026, 3, 2, 9, 31))  # twice is harmless
    again = due_reminders(db, admin, start=at(2026, 3, 2, 0), end=at(2026, 3, 2, 10), tz=SH)
    assert [r.remind_at.astimezone(SH).strftime("%H:%M") for r in again] == ["09:45", "09:50"]
    snooze(db, admin, again[0], until=at(2026, 3, 2, 9, 55))
    later = due_reminders(db, admin, start=at(2026, 3, 2, 9, 46), end=at(2026, 3, 2, 10), tz=SH)
    assert [(r.title, r.snoozed, r.remind_at.astimezone(SH).strftime("%H:%M")) for r in later] == [
        ("己公司", False, "09:50"), ("拜访", True, "09:55")]
    mark_shown(db, admin, later, at=at(2026, 3, 2, 9, 56))
    assert due_reminders(db, admin, start=at(2026, 3, 2, 0), end=at(2026, 3, 2, 10), tz=SH) == []
    # the second day's occurrence reminds on its own
    assert len(due_reminders(db, admin, start=at(2026, 3, 3, 0), end=at(2026, 3, 3, 10), tz=SH)) == 2


def test_timeline_gathers_the_record_newest_first(db: Database, admin: Actor) -> None:
    bob = make_user(db, admin, "13900000061", perms=PERMS)
    c = customers.create(db, admin, {"name": "庚公司"})
    add_followup(db, admin, target_entity="customer", target_id=c.id, kind="visit", content="上门",
                 followed_at=at(2020, 3, 1))
    create_event(db, admin, EventInput(title="演示", start_at=at(2020, 3, 5), end_at=at(2020, 3, 5, 10),
                                       related=(("customer", c.id),)))
    t = create_task(db, admin, TaskInput(title="报价", related=(("customer", c.id),)))
    items = timeline(db, admin, "customer", c.id)
    assert [(i.kind, i.title) for i in items] == [("task", "报价"), ("event", "演示"), ("followup", "上门")]
    assert [i.kind for i in timeline(db, admin, "customer", c.id, kinds=("event",))] == ["event"]
    assert items[0].item_id == t.id and items[0].status == "open"
    with pytest.raises(NotFound):
        timeline(db, bob, "customer", c.id)


def test_a_colleagues_calendar_as_far_as_the_scope_allows(db: Database, admin: Actor) -> None:
    from crm_desktop.services.org.permissions import DataScope

    boss = make_user(db, admin, "13900000081", perms=PERMS, scope=DataScope.ALL)
    alice = make_user(db, admin, "13900000082", perms=PERMS)
    bob = make_user(db, admin, "13900000083", perms=PERMS)
    create_event(db, alice, EventInput(title="甲的拜访", start_at=at(2026, 3, 3, 10), end_at=at(2026, 3, 3, 11)))
    create_task(db, alice, TaskInput(title="甲的任务", due_date=dt.date(2026, 3, 4)), tz=SH)
    month = (at(2026, 3, 1, 0), at(2026, 4, 1, 0))
    seen = calendar_items(db, boss, *month, user_id=alice.user_id, tz=SH)
    assert sorted(i.title for i in seen) == ["甲的任务", "甲的拜访"]
    assert calendar_items(db, bob, *month, user_id=alice.user_id, tz=SH) == []  # self scope: nothing of hers
    assert calendar_items(db, boss, *month, tz=SH) == []  # his own calendar is empty


def test_the_seven_day_reminder_cache_round_trips_and_picks_what_is_due(db: Database, admin: Actor,
                                                                        tmp_path: Path) -> None:
    from crm_desktop.services.activities import reminder_cache
    from crm_desktop.services.activities.schedule import EventInput, create_event

    sh = ZoneInfo("Asia/Shanghai")
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=sh)
    create_event(db, admin, EventInput(title="拜访", start_at=now.replace(hour=10), end_at=now.replace(hour=11),
                                       reminders=(15, 60 * 24)))
    create_event(db, admin, EventInput(title="下周的会", start_at=now + dt.timedelta(days=8),
                                       end_at=now + dt.timedelta(days=8, hours=1), reminders=(15,)))
    cached = reminder_cache.upcoming(db, admin, start=now, tz=sh)
    # The 1-day-before reminder of today's visit was due yesterday: not in the coming week.
    assert [(r.title, r.remind_at.astimezone(sh).hour, r.remind_at.astimezone(sh).minute)
            for r in cached.reminders] == [("拜访", 9, 45)]
    path = tmp_path / "cache" / "reminders.json"
    reminder_cache.save(path, cached)
    assert reminder_cache.load(path, admin.user_id) == cached
    assert reminder_cache.load(path, admin.user_id + 1) is None  # another user's file
    assert reminder_cache.load(tmp_path / "missing.json", admin.user_id) is None
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert reminder_cache.load(tmp_path / "bad.json", admin.user_id) is None

    [visit] = cached.reminders
    assert reminder_cache.due_offline(cached, start=now, end=now.replace(minute=44)) == []
    assert reminder_cache.due_offline(cached, start=now, end=now.replace(minute=46)) == [visit]
    assert reminder_cache.due_offline(cached, start=now, end=now.replace(minute=46), announced={visit.key}) == []


def test_an_ics_in_a_chosen_folder_is_kept_up_to_date(db: Database, admin: Actor, tmp_path: Path) -> None:
    from crm_desktop.services.activities.calendar import sync_ics
    from crm_desktop.services.activities.schedule import EventInput, create_event, edit_event, input_of

    folder = tmp_path / "同步"
    path, written = sync_ics(db, admin, folder)
    assert written and path.parent == folder and list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")) == []
    ev = create_event(db, admin, EventInput(title="周例会", start_at=at(2026, 3, 2, 10), end_at=at(2026, 3, 2, 11),
                                            repeat=Repeat("weekly", count=4), reminders=(15,)))
    assert sync_ics(db, admin, folder) == (path, True)
    stamp = path.stat().st_mtime_ns
    assert sync_ics(db, admin, folder) == (path, False) and path.stat().st_mtime_ns == stamp  # unchanged: untouched
    edit_event(db, admin, ev.id, replace_title(input_of(ev), "周例会（改）"))
    assert sync_ics(db, admin, folder) == (path, True)
    [vevent] = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "周例会（改）" and vevent["RRULE"]["COUNT"] == [4]
    assert not list(folder.glob("*.part"))


def replace_title(data, title: str):  # type: ignore[no-untyped-def]
    from dataclasses import replace
    return replace(data, title=title)


def test_customers_going_to_the_pool_on_the_day_the_rule_recycles_them(db: Database, admin: Actor) -> None:
    from crm_desktop.services.customers import jobs
    from crm_desktop.services.customers.pool import PoolRuleInput
    from crm_desktop.services.org.permissions import RECORD_ACTIONS
    from crm_desktop.services.uow import unit_of_work
    from tests.test_pool import add_customer, make_pool, member

    sh = ZoneInfo("Asia/Shanghai")
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=sh).astimezone(dt.UTC)
    li = make_user(db, admin, "13900000501", perms=PERMS)
    other = make_user(db, admin, "13900000502", perms={"customer": RECORD_ACTIONS, **PERMS})
    p = make_pool(db, admin, member(li), member(other), rules=(PoolRuleInput("no_followup", 30, (), True),))
    soon = add_customer(db, li.user_id, "快到期客户", created_at=now - dt.timedelta(days=25))
    add_customer(db, li.user_id, "刚跟进客户", created_at=now - dt.timedelta(days=25),
                 last_followup_at=now - dt.timedelta(days=1))
    claimed = add_customer(db, li.user_id, "刚领取客户", created_at=now - dt.timedelta(days=28))
    add_customer(db, other.user_id, "别人的客户", created_at=now - dt.timedelta(days=25))
    from crm_desktop.models import PoolEvent
    with unit_of_work(db, None) as uow:  # a claim restarts the clock: due 30 days after it
        uow.session.add(PoolEvent(pool_id=p.id, customer_id=claimed, kind="claim", at=now - dt.timedelta(days=2),
                                  user_id=li.user_id, details={}))
    start = dt.datetime(2026, 3, 1, tzinfo=sh)
    end = dt.datetime(2026, 4, 8, tzinfo=sh)  # the one followed up yesterday goes on 8 April, 12:00
    items = [i for i in calendar_items(db, li, start, end, layers=("pool",), tz=sh)]
    assert [(i.title, i.start.astimezone(sh).date(), i.entity, i.record_id) for i in items] == [
        ("快到期客户", dt.date(2026, 3, 15), "customer", soon), ("刚领取客户", dt.date(2026, 4, 7), "customer", claimed)]
    # The day the calendar shows is the day the recycle job takes it.
    assert jobs.run_recycle(db, now=dt.datetime(2026, 3, 15, 11, 59, tzinfo=sh)).recycled == 0
    taken = jobs.run_recycle(db, now=dt.datetime(2026, 3, 15, 12, 1, tzinfo=sh)).customer_ids
    assert soon in taken and claimed not in taken  # (the colleague's customer goes too: not on li's calendar)
