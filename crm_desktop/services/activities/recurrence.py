"""Repeat rules of schedule events: RFC 5545 RRULE text (python-dateutil) and their expansion.

A series repeats in the wall-clock time of its zone: DTSTART is the local start without a
zone (RFC 5545 "floating" form, so UNTIL is local too) and each occurrence is placed in the
zone afterwards, so 09:00 stays 09:00 across a DST change.

Expansion for a window never walks years of occurrences: daily and weekly rules without COUNT
are counted (the first occurrence in the window found by division, ``_simple_starts``);
monthly ones restart a month before the window; yearly ones take one step a year. Nothing is
stored per occurrence.

Monthly "by date" on the 29th–31st and yearly on 29 February fall on the last day of a
shorter month (BYMONTHDAY=d,-1;BYSETPOS=1), as people expect of "every month on the 31st".
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import ValidationError

FREQUENCIES = ("daily", "weekly", "monthly", "yearly")
FREQ_LABELS: dict[str, str] = {
    "daily": QT_TRANSLATE_NOOP("schedule", "Daily"), "weekly": QT_TRANSLATE_NOOP("schedule", "Weekly"),
    "monthly": QT_TRANSLATE_NOOP("schedule", "Monthly"), "yearly": QT_TRANSLATE_NOOP("schedule", "Yearly"),
}
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQ_CODES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
MAX_COUNT = 5000


@dataclass(frozen=True)
class Repeat:
    """How a series repeats, as a person picks it (the form's model of an RRULE).

    ``weekdays``: 0 = Monday … 6 = Sunday (weekly; empty: the start's weekday).
    ``monthly_by``: "date" (the start's day of the month) or "weekday" (e.g. the 2nd Tuesday;
    a start in the month's last 7 days means "the last Tuesday").
    Ends on ``until`` (a local day, inclusive) or after ``count`` occurrences, or never.
    """

    freq: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    monthly_by: str = "date"
    until: dt.date | None = None
    count: int | None = None


def to_rrule(repeat: Repeat, start: dt.datetime) -> str:
    """The RRULE text (without DTSTART) for ``repeat`` starting at local ``start``."""
    errors: dict[str, str] = {}
    if repeat.freq not in FREQUENCIES:
        errors["repeat"] = QT_TRANSLATE_NOOP("errors", "Choose how it repeats.")
    if not 1 <= repeat.interval <= 999:
        errors["repeat"] = QT_TRANSLATE_NOOP("errors", "Repeat every 1 to 999.")
    if repeat.count is not None and not 1 <= repeat.count <= MAX_COUNT:
        errors["repeat"] = QT_TRANSLATE_NOOP("errors", "Repeat 1 to 5000 times.")
    if repeat.until is not None and repeat.until < start.date():
        errors["repeat"] = QT_TRANSLATE_NOOP("errors", "The repeat ends before it starts.")
    if repeat.until is not None and repeat.count is not None:
        errors["repeat"] = QT_TRANSLATE_NOOP("errors", "End on a day or after a number of times, not both.")
    if errors:
        raise ValidationError(errors)
    parts = [f"FREQ={_FREQ_CODES[repeat.freq]}"]
    if repeat.interval != 1:
        parts.append(f"INTERVAL={repeat.interval}")
    if repeat.freq == "weekly":
        days = sorted(set(repeat.weekdays)) or [start.weekday()]
        parts.append("BYDAY=" + ",".join(_DAYS[d] for d in days))
    elif repeat.freq == "monthly" and repeat.monthly_by == "weekday":
        nth = (start.day - 1) // 7 + 1
        last_week = (start + dt.timedelta(days=7)).month != start.month
        parts.append(f"BYDAY={-1 if last_week and nth >= 4 else nth}{_DAYS[start.weekday()]}")
    elif repeat.freq == "monthly" and start.day >= 29:
        parts.append(f"BYMONTHDAY={start.day},-1;BYSETPOS=1")
    elif repeat.freq == "yearly" and start.month == 2 and start.day == 29:
        parts.append("BYMONTH=2;BYMONTHDAY=29,-1;BYSETPOS=1")
    if repeat.until is not None:
        parts.append(f"UNTIL={repeat.until:%Y%m%d}T235959")
    if repeat.count is not None:
        parts.append(f"COUNT={repeat.count}")
    return ";".join(parts)


def parse(text: str) -> Repeat | None:
    """The ``Repeat`` an RRULE text stands for (None: not a series)."""
    if not text:
        return None
    fields = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    freq = {v: k for k, v in _FREQ_CODES.items()}.get(fields.get("FREQ", ""), "daily")
    byday = [d for d in fields.get("BYDAY", "").split(",") if d]
    weekdays = tuple(_DAYS.index(d[-2:]) for d in byday) if freq == "weekly" else ()
    until = dt.datetime.strptime(fields["UNTIL"][:8], "%Y%m%d").date() if "UNTIL" in fields else None
    return Repeat(freq=freq, interval=int(fields.get("INTERVAL", "1")), weekdays=weekdays,
                  monthly_by="weekday" if freq == "monthly" and byday else "date", until=until,
                  count=int(fields["COUNT"]) if "COUNT" in fields else None)


def with_end(text: str, *, until: dt.datetime | None = None, count: int | None = None) -> str:
    """``text`` with its end replaced: UNTIL a local moment, or COUNT, or (both None) never."""
    parts = [p for p in text.split(";") if p and not p.startswith(("UNTIL=", "COUNT="))]
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%S}")
    if count is not None:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


@lru_cache(maxsize=4096)
def _rule(text: str, start: dt.datetime) -> rrule:
    return rrulestr(text, dtstart=start)  # type: ignore[return-value]


def _fast_forward(text: str, start: dt.datetime, before: dt.datetime) -> tuple[str, dt.datetime]:
    """A rule text and a later DTSTART that yield the same occurrences from ``before`` on
    (see the module doc). Monthly rules restart on the 1st of a month of the series a month
    before ``before``, with their day of the month made explicit (dateutil takes it from
    DTSTART otherwise)."""
    if "COUNT=" in text or before <= start:
        return text, start
    fields = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    interval = int(fields.get("INTERVAL", "1"))
    freq = fields.get("FREQ", "")
    if freq == "MONTHLY":
        months = (before.year - start.year) * 12 + before.month - start.month - 1
        periods = months // interval
        if periods <= 0:
            return text, start
        month = start.month - 1 + periods * interval
        if "BYDAY" not in fields and "BYMONTHDAY" not in fields:
            text = f"{text};BYMONTHDAY={start.day}"
        return text, start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)
    step = {"DAILY": dt.timedelta(days=interval), "WEEKLY": dt.timedelta(weeks=interval)}.get(freq)
    if step is None or "BYSETPOS" in fields:
        return text, start
    periods = (before - start) // step - 1
    return text, (start + step * periods if periods > 0 else start)


@dataclass(frozen=True)
class _Simple:
    """A daily or weekly rule without COUNT or BYSETPOS: its occurrences are plain arithmetic."""

    weekly: bool
    interval: int
    #: weekly: the chosen weekdays (0 = Monday), sorted; empty: the start's weekday
    weekdays: tuple[int, ...]
    until: dt.datetime | None


@lru_cache(maxsize=4096)
def _simple(text: str) -> _Simple | None:
    """``text`` as a ``_Simple`` rule, or None when dateutil must walk it (COUNT, BYSETPOS,
    monthly, yearly, a week not starting on Monday, BYDAY on a daily rule)."""
    fields = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    freq = fields.pop("FREQ", "")
    interval = int(fields.pop("INTERVAL", "1"))
    until_text = fields.pop("UNTIL", None)
    byday = fields.pop("BYDAY", None)
    if fields.pop("WKST", "MO") != "MO" or fields or freq not in ("DAILY", "WEEKLY") or interval < 1:
        return None
    weekdays: tuple[int, ...] = ()
    if byday is not None:
        if freq != "WEEKLY" or any(d not in _DAYS for d in byday.split(",")):
            return None
        weekdays = tuple(sorted({_DAYS.index(d) for d in byday.split(",")}))
    until = None
    if until_text is not None:
        if not until_text[:15].replace("T", "").isdigit() or len(until_text) not in (8, 15):
            return None
        until = dt.datetime.strptime(until_text, "%Y%m%dT%H%M%S" if len(until_text) == 15 else "%Y%m%d")
    return _Simple(freq == "WEEKLY", interval, weekdays, until)


def _simple_starts(rule: _Simple, start: dt.datetime, lo: dt.datetime, hi: dt.datetime, *,
                   weekday: int | None = None) -> list[dt.datetime]:
    """The occurrences of ``rule`` from ``start`` within [lo, hi), counted rather than walked:
    the first one in the window is found by division, so a series started years ago costs the
    same as one started yesterday. ``weekday``: the start's weekday on the wall clock, when
    the moments given are the wall clock moved by a fixed offset (``expand``)."""
    weekday = start.weekday() if weekday is None else weekday
    end = hi if rule.until is None else min(hi, rule.until + dt.timedelta(microseconds=1))
    out: list[dt.datetime] = []
    if not rule.weekly:
        step = dt.timedelta(days=rule.interval)
        k = max(0, -((start - lo) // step)) if lo > start else 0  # ceil((lo - start) / step)
        at = start + step * k
        while at < end:
            out.append(at)
            at += step
        return out
    days = rule.weekdays or (weekday,)
    monday = start - dt.timedelta(days=weekday)
    period = dt.timedelta(weeks=rule.interval)
    # The first period whose week can reach lo (a period is ``interval`` weeks from the start's week).
    k = max(0, (lo - monday) // period - 1) if lo > monday else 0
    week = monday + period * k
    while week < end:
        for d in days:
            at = week + dt.timedelta(days=d)
            if at >= end:
                break
            if at >= start and at >= lo:
                out.append(at)
        week += period
    return out


def local_starts(text: str, start: dt.datetime, lo: dt.datetime, hi: dt.datetime) -> list[dt.datetime]:
    """Local (naive) starts of the series ``text`` from local ``start`` within [lo, hi)."""
    if hi <= lo:
        return []
    simple = _simple(text)
    if simple is not None:  # dateutil drops a start's microseconds: so do we
        return _simple_starts(simple, start.replace(microsecond=0), lo, hi)
    moved, first = _fast_forward(text, start, lo)
    until = None
    fields = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    if first != start and "UNTIL" in fields:
        until = dt.datetime.strptime(fields["UNTIL"], "%Y%m%dT%H%M%S")
    rule = _rule(moved, first)
    hits = rule.between(lo, hi, inc=True)
    out = [h for h in hits if h < hi and (until is None or h <= until)]
    return out


def _offset_over(tz: dt.tzinfo, first: dt.date, last: dt.date) -> dt.timedelta | None:
    """The zone's one UTC offset over the local days [first, last], or None when it changes
    (a DST switch inside the window). Checked at every local midnight and the last day's
    end: no zone switches twice within a day."""
    offsets = {dt.datetime.combine(first + dt.timedelta(days=n), dt.time(), tzinfo=tz).utcoffset()
               for n in range((last - first).days + 2)}
    return offsets.pop() if len(offsets) == 1 else None


_cached_offset = lru_cache(maxsize=1024)(_offset_over)


def _fixed_offset(tz: dt.tzinfo, first: dt.date, last: dt.date) -> dt.timedelta | None:
    try:
        return _cached_offset(tz, first, last)
    except TypeError:  # this computer's zone (dateutil's tzlocal) cannot be a cache key
        return _offset_over(tz, first, last)


def expand(text: str, start_utc: dt.datetime, tz: dt.tzinfo, duration: dt.timedelta, window: tuple[dt.datetime, dt.datetime],
           exdates: Iterable[dt.datetime] = ()) -> list[dt.datetime]:
    """UTC starts of the occurrences of a series (first start ``start_utc`` in ``tz``) that
    overlap the UTC ``window`` [from, to), without the ``exdates`` (UTC starts)."""
    lo_utc, hi_utc = window
    start_local = start_utc.astimezone(tz).replace(tzinfo=None)
    # A day of slack each side: the window's ends in local time move with the zone's offset.
    lo = (lo_utc - duration).astimezone(tz).replace(tzinfo=None) - dt.timedelta(days=1)
    hi = hi_utc.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
    skip = set(exdates)
    simple = _simple(text) if hi > lo else None
    offset = _fixed_offset(tz, lo.date(), hi.date()) if simple is not None else None
    if simple is not None and offset is not None:
        # Wall clock and UTC differ by one amount over the whole window (always, in a zone
        # without DST such as Asia/Shanghai): count the occurrences in UTC directly, moved by
        # that amount, instead of converting each one.
        def utc(moment: dt.datetime) -> dt.datetime:
            return (moment - offset).replace(tzinfo=dt.UTC)

        moved = replace(simple, until=None if simple.until is None else utc(simple.until))
        starts = _simple_starts(moved, utc(start_local.replace(microsecond=0)), utc(lo), utc(hi),
                                weekday=start_local.weekday())
    else:
        starts = [local.replace(tzinfo=tz).astimezone(dt.UTC) for local in local_starts(text, start_local, lo, hi)]
    return [at for at in starts if at < hi_utc and (at + duration > lo_utc or at >= lo_utc) and at not in skip]


def last_start(text: str, start_utc: dt.datetime, tz: dt.tzinfo) -> dt.datetime | None:
    """The UTC start of the series' last occurrence (None: it repeats for ever)."""
    if "COUNT=" not in text and "UNTIL=" not in text:
        return None
    start_local = start_utc.astimezone(tz).replace(tzinfo=None)
    found = None
    for found in _rule(text, start_local):  # bounded by COUNT or UNTIL
        pass
    return (found or start_local).replace(tzinfo=tz).astimezone(dt.UTC)


def count_before(text: str, start_utc: dt.datetime, tz: dt.tzinfo, moment: dt.datetime) -> int:
    """How many occurrences start before UTC ``moment``."""
    start_local = start_utc.astimezone(tz).replace(tzinfo=None)
    local = moment.astimezone(tz).replace(tzinfo=None)
    return sum(1 for x in _rule(text, start_local).between(start_local, local, inc=True) if x < local)


def weekday_codes() -> Sequence[str]:
    return _DAYS


__all__: Sequence[str] = ["FREQUENCIES", "FREQ_LABELS", "MAX_COUNT", "Repeat", "count_before", "expand", "last_start",
                          "local_starts", "parse", "to_rrule", "weekday_codes", "with_end"]
