"""Schedule events on both backends: repeats across month ends, leap years and Asia/Shanghai,
series edits (this / this and following / all), deletes, next contact into the schedule."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_desktop.db import Database
from crm_desktop.services.activities import recurrence
from crm_desktop.services.activities.common import zone
from crm_desktop.services.activities.recurrence import Repeat
from crm_desktop.services.activities.schedule import (
    EventInput,
    create_event,
    delete_event,
    edit_event,
    get_event,
    occurrences,
    schedule_next_contact,
)
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org.actor import Actor
from tests.test_activities_tasks import PERMS
from tests.test_customers import make_user

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def days(occ: list, tz: dt.tzinfo = SH) -> list[dt.date]:  # type: ignore[type-arg]
    return [o.start.astimezone(tz).date() for o in occ]


def window(y: int, m: int, months: int = 1) -> tuple[dt.datetime, dt.datetime]:
    end_m = m + months
    return at(y, m, 1, 0), at(y + (end_m - 1) // 12, (end_m - 1) % 12 + 1, 1, 0)


def test_monthly_on_the_31st_falls_on_month_ends(db: Database, admin: Actor) -> None:
    e = create_event(db, admin, EventInput(title="月末对账", start_at=at(2024, 1, 31), end_at=at(2024, 1, 31, 10),
                                           repeat=Repeat("monthly"), tz="Asia/Shanghai"))
    got = days(occurrences(db, admin, *window(2024, 1, 6)))
    assert got == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30),
                   dt.date(2024, 5, 31), dt.date(2024, 6, 30)]
    assert get_event(db, admin, e.id).repeat == Repeat("monthly")


def test_yearly_on_29_february_and_weekday_monthly(db: Database, admin: Actor) -> None:
    create_event(db, admin, EventInput(title="闰日", start_at=at(2024, 2, 29), end_at=at(2024, 2, 29, 10),
                                       repeat=Repeat("yearly", count=5), tz="Asia/Shanghai"))
    got = days(occurrences(db, admin, at(2024, 1, 1, 0), at(2030, 1, 1, 0)))
    assert got == [dt.date(2024, 2, 29), dt.date(2025, 2, 28), dt.date(2026, 2, 28), dt.date(2027, 2, 28),
                   dt.date(2028, 2, 29)]
    # The last Friday of each month (the start is in the month's last 7 days).
    create_event(db, admin, EventInput(title="月会", start_at=at(2026, 1, 30, 15), end_at=at(2026, 1, 30, 16),
                                       repeat=Repeat("monthly", monthly_by="weekday", count=3), tz="Asia/Shanghai"))
    got = [o for o in occurrences(db, admin, at(2026, 1, 1, 0), at(2026, 6, 1, 0)) if o.title == "月会"]
    assert days(got) == [dt.date(2026, 1, 30), dt.date(2026, 2, 27), dt.date(2026, 3, 27)]


def test_shanghai_times_stay_put_and_a_window_reads_few_occurrences(db: Database, admin: Actor) -> None:
    # Daily at 08:30 Shanghai (00:30 UTC) since 2020: a month in 2026 holds 31, and the UTC
    # day boundary (Shanghai is UTC+8 all year) does not shift them.
    create_event(db, admin, EventInput(title="晨会", start_at=at(2020, 1, 1, 8, 30), end_at=at(2020, 1, 1, 9),
                                       repeat=Repeat("daily"), tz="Asia/Shanghai"))
    occ = occurrences(db, admin, *window(2026, 3))
    assert len(occ) == 31 and {o.start.astimezone(SH).time() for o in occ} == {dt.time(8, 30)}
    assert {o.start.astimezone(UTC).time() for o in occ} == {dt.time(0, 30)}


def test_edit_this_following_and_all(db: Database, admin: Actor) -> None:
    weekly = EventInput(title="周会", start_at=at(2026, 3, 2, 10), end_at=at(2026, 3, 2, 11), location="A 会议室",
                        repeat=Repeat("weekly", weekdays=(0,), count=6), tz="Asia/Shanghai", reminders=(15,))
    e = create_event(db, admin, weekly)
    occ = occurrences(db, admin, *window(2026, 3, 2))
    assert days(occ) == [dt.date(2026, 3, d) for d in (2, 9, 16, 23, 30)] + [dt.date(2026, 4, 6)]
    # this one: the 9th moves to Tuesday, the series skips it
    one = edit_event(db, admin, e.id, EventInput(**{**weekly.__dict__, "start_at": at(2026, 3, 10, 10),
                                                    "end_at": at(2026, 3, 10, 11)}),
                     scope="this", occurrence=occ[1].start)
    assert one.series_id == e.id and one.rrule == ""
    occ = occurrences(db, admin, *window(2026, 3, 2))
    assert days(occ) == [dt.date(2026, 3, d) for d in (2, 10, 16, 23, 30)] + [dt.date(2026, 4, 6)]
    # this and following from the 23rd: a new place; the remaining 3 of the 6 times go along
    new = edit_event(db, admin, e.id, EventInput(**{**weekly.__dict__, "location": "B 会议室",
                                                    "start_at": at(2026, 3, 23, 14), "end_at": at(2026, 3, 23, 15)}),
                     scope="following", occurrence=occ[3].start)
    assert new.id != e.id and new.repeat is not None and new.repeat.count == 3
    occ = occurrences(db, admin, *window(2026, 3, 2))
    assert [(o.start.astimezone(SH).date(), o.location) for o in occ] == [
        (dt.date(2026, 3, 2), "A 会议室"), (dt.date(2026, 3, 10), "A 会议室"), (dt.date(2026, 3, 16), "A 会议室"),
        (dt.date(2026, 3, 23), "B 会议室"), (dt.date(2026, 3, 30), "B 会议室"), (dt.date(2026, 4, 6), "B 会议室")]
    assert {o.start.astimezone(SH).hour for o in occ if o.location == "B 会议室"} == {14}
    # all (of the first series, from its first occurrence): an hour later
    ended = get_event(db, admin, e.id).repeat
    assert ended == Repeat("weekly", weekdays=(0,), until=dt.date(2026, 3, 22))
    edit_event(db, admin, e.id, EventInput(**{**weekly.__dict__, "repeat": ended, "title": "周例会", "start_at": at(2026, 3, 2, 11),
                                              "end_at": at(2026, 3, 2, 12)}), scope="all", occurrence=occ[0].start)
    occ = occurrences(db, admin, *window(2026, 3, 2))
    assert [(o.title, o.start.astimezone(SH).hour) for o in occ][:3] == [("周例会", 11), ("周会", 10), ("周例会", 11)]
    # delete this one, then this and following of the second series
    delete_event(db, admin, e.id, scope="this", occurrence=occ[2].start)
    delete_event(db, admin, new.id, scope="following", occurrence=occ[4].start)
    assert days(occurrences(db, admin, *window(2026, 3, 2))) == [dt.date(2026, 3, 2), dt.date(2026, 3, 10),
                                                                 dt.date(2026, 3, 23)]
    delete_event(db, admin, e.id)  # all: the moved occurrence goes with its series
    assert days(occurrences(db, admin, *window(2026, 3, 2))) == [dt.date(2026, 3, 23)]
    with pytest.raises(NotFound):
        edit_event(db, admin, new.id, weekly, scope="this", occurrence=at(2026, 3, 24, 14))  # not an occurrence


def test_events_visibility_and_next_contact(db: Database, admin: Actor) -> None:
    alice = make_user(db, admin, "13900000041", perms=PERMS | {"followup": ("view", "create")})
    bob = make_user(db, admin, "13900000042", perms=PERMS)
    c = customers.create(db, alice, {"name": "丁公司"})
    add_followup(db, alice, target_entity="customer", target_id=c.id, kind="phone", content="约下周",
                 followed_at=at(2026, 3, 2), next_contact_at=at(2026, 3, 9, 10))
    ev = schedule_next_contact(db, alice, "customer", c.id, title="联系 丁公司")
    assert ev.start_at == at(2026, 3, 9, 10) and ev.reminders == (15,) and ev.kind == "followup"
    assert [(r.entity, r.record_id) for r in ev.related] == [("customer", c.id)]
    assert [o.event_id for o in occurrences(db, alice, *window(2026, 3))] == [ev.id]
    assert occurrences(db, bob, *window(2026, 3)) == []
    with pytest.raises(NotFound):
        get_event(db, bob, ev.id)
    with pytest.raises(NotFound):
        schedule_next_contact(db, bob, "customer", c.id)
    with pytest.raises(ValidationError):
        create_event(db, alice, EventInput(title="x", start_at=at(2026, 3, 2, 10), end_at=at(2026, 3, 2, 9)))
    shared = create_event(db, alice, EventInput(title="一起拜访", start_at=at(2026, 3, 3), end_at=at(2026, 3, 3, 10),
                                                participant_ids=(bob.user_id,)))
    assert [o.event_id for o in occurrences(db, bob, *window(2026, 3), user_id=bob.user_id)] == [shared.id]


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2027, 1, 1)),
       freq=st.sampled_from(["daily", "weekly"]), interval=st.integers(1, 5),
       weekdays=st.sets(st.integers(0, 6), max_size=3), offset=st.integers(0, 3000))
def test_fast_forward_gives_what_a_full_walk_gives(start: dt.datetime, freq: str, interval: int,
                                                   weekdays: set[int], offset: int) -> None:
    """Starting a window far from the series' start skips ahead; it must not change the result."""
    start = start.replace(second=0, microsecond=0)
    text = recurrence.to_rrule(Repeat(freq, interval=interval, weekdays=tuple(weekdays)), start)
    lo = start + dt.timedelta(days=offset)
    hi = lo + dt.timedelta(days=40)
    full = [x for x in recurrence._rule(text, start).between(lo, hi, inc=True) if x < hi]
    assert recurrence.local_starts(text, start, lo, hi) == full


@settings(max_examples=200, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2027, 1, 1)),
       freq=st.sampled_from(["daily", "weekly", "monthly", "yearly"]), interval=st.integers(1, 5),
       weekdays=st.sets(st.integers(0, 6), max_size=4), offset=st.integers(-40, 3000),
       until_days=st.one_of(st.none(), st.integers(0, 3000)), count=st.one_of(st.none(), st.integers(1, 60)),
       length=st.integers(1, 60), by=st.sampled_from(["date", "weekday"]))
def test_counted_expansion_gives_what_dateutil_walks(start: dt.datetime, freq: str, interval: int,
                                                     weekdays: set[int], offset: int, until_days: int | None,
                                                     count: int | None, length: int, by: str) -> None:
    """Daily and weekly rules are counted, not walked (recurrence._simple_starts), monthly ones
    restart near the window: the same occurrences as dateutil's walk from the first start,
    whatever the window, end or step."""
    until = start.date() + dt.timedelta(days=until_days) if until_days is not None else None
    text = recurrence.to_rrule(Repeat(freq, interval=interval, weekdays=tuple(weekdays), until=until,
                                      count=None if until else count, monthly_by=by), start)
    lo = start + dt.timedelta(days=offset, hours=offset % 7)
    hi = lo + dt.timedelta(days=length)
    full = [x for x in recurrence._rule(text, start).between(lo, hi, inc=True) if x < hi]
    assert recurrence.local_starts(text, start, lo, hi) == full


@settings(max_examples=150, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2027, 1, 1)),
       freq=st.sampled_from(["daily", "weekly"]), interval=st.integers(1, 3),
       weekdays=st.sets(st.integers(0, 6), max_size=3), offset=st.integers(-30, 2000),
       until_days=st.one_of(st.none(), st.integers(0, 2000)), hours=st.integers(0, 50),
       zone_name=st.sampled_from(["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", ""]))
def test_expansion_in_utc_matches_converting_each_occurrence(start: dt.datetime, freq: str, interval: int,
                                                             weekdays: set[int], offset: int,
                                                             until_days: int | None, hours: int,
                                                             zone_name: str) -> None:
    """Where the zone keeps one offset over the window, occurrences are counted in UTC
    (recurrence.expand); they must be exactly the wall-clock occurrences converted one by one,
    DST zones included (a window across a switch takes the converting path)."""
    tz = zone(zone_name)  # "": this computer's zone (dateutil's tzlocal)
    start = start.replace(second=0, microsecond=0)
    until = start.date() + dt.timedelta(days=until_days) if until_days is not None else None
    text = recurrence.to_rrule(Repeat(freq, interval=interval, weekdays=tuple(weekdays), until=until), start)
    first = start.replace(tzinfo=tz).astimezone(dt.UTC)
    lo_utc = first + dt.timedelta(days=offset)
    window = (lo_utc, lo_utc + dt.timedelta(days=42))
    length = dt.timedelta(hours=hours)
    lo = (window[0] - length).astimezone(tz).replace(tzinfo=None) - dt.timedelta(days=1)
    hi = window[1].astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
    want = [at for at in (x.replace(tzinfo=tz).astimezone(dt.UTC)
                          for x in recurrence._rule(text, start).between(lo, hi, inc=True) if x < hi)
            if at < window[1] and (at + length > window[0] or at >= window[0])]
    assert recurrence.expand(text, first, tz, length, window) == want
