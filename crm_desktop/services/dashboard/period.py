"""Time ranges of the dashboard, in the company's local time.

A period is a range of local calendar days (both ends included). Date columns (order date,
payment date) compare with the days directly; timestamps (created, followed up) are stored
in UTC and compare with the UTC instants of the local midnights, so a customer created at
00:30 on 1 February in Shanghai (16:30 UTC on 31 January) counts in February.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP


def _company_zone() -> dt.tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # a Windows without tzdata: China keeps no summer time
        return dt.timezone(dt.timedelta(hours=8), "CST")


#: The company's time zone: days, weeks and months of every figure are counted in it.
COMPANY_TZ: dt.tzinfo = _company_zone()


class Preset(StrEnum):
    TODAY = "today"
    YESTERDAY = "yesterday"
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_QUARTER = "this_quarter"
    LAST_QUARTER = "last_quarter"
    THIS_YEAR = "this_year"
    LAST_YEAR = "last_year"
    CUSTOM = "custom"


PRESET_LABELS: dict[Preset, str] = {
    Preset.TODAY: QT_TRANSLATE_NOOP("dashboard", "Today"),
    Preset.YESTERDAY: QT_TRANSLATE_NOOP("dashboard", "Yesterday"),
    Preset.THIS_WEEK: QT_TRANSLATE_NOOP("dashboard", "This week"),
    Preset.LAST_WEEK: QT_TRANSLATE_NOOP("dashboard", "Last week"),
    Preset.THIS_MONTH: QT_TRANSLATE_NOOP("dashboard", "This month"),
    Preset.LAST_MONTH: QT_TRANSLATE_NOOP("dashboard", "Last month"),
    Preset.THIS_QUARTER: QT_TRANSLATE_NOOP("dashboard", "This quarter"),
    Preset.LAST_QUARTER: QT_TRANSLATE_NOOP("dashboard", "Last quarter"),
    Preset.THIS_YEAR: QT_TRANSLATE_NOOP("dashboard", "This year"),
    Preset.LAST_YEAR: QT_TRANSLATE_NOOP("dashboard", "Last year"),
    Preset.CUSTOM: QT_TRANSLATE_NOOP("dashboard", "Custom range"),
}


@dataclass(frozen=True)
class Period:
    """Local calendar days ``start`` … ``end``, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before (what a tile compares with).

        A whole month, quarter or year compares with the whole one before it (February after
        January is 28 days against 31, which is what a person means by "last month")."""
        if self.start.day == 1 and _month_end(self.end) == self.end:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            start = _add_months(self.start, -months)
            return Period(start, self.start - dt.timedelta(days=1))
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def year_before(self) -> Period:
        """The same days one year earlier (29 February becomes 28 February)."""
        return Period(_minus_year(self.start), _minus_year(self.end))

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The UTC instants of local midnight at the start and after the end (half-open)."""
        return local_midnight_utc(self.start), local_midnight_utc(self.end + dt.timedelta(days=1))


def local_midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), COMPANY_TZ).astimezone(dt.UTC)


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the company's time zone (``now`` is an aware instant, for tests)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(COMPANY_TZ).date()


def local_day(moment: dt.datetime) -> dt.date:
    """The company-local calendar day of a stored (UTC) timestamp."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(COMPANY_TZ).date()


def _month_end(day: dt.date) -> dt.date:
    return _add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def month_end(day: dt.date) -> dt.date:
    return _month_end(day)


def period_for(preset: Preset, today: dt.date, *, start: dt.date | None = None,
               end: dt.date | None = None) -> Period:
    """The days a preset means on ``today`` (weeks start on Monday); CUSTOM takes start/end."""
    if preset is Preset.TODAY:
        return Period(today, today)
    if preset is Preset.YESTERDAY:
        day = today - dt.timedelta(days=1)
        return Period(day, day)
    if preset in (Preset.THIS_WEEK, Preset.LAST_WEEK):
        monday = today - dt.timedelta(days=today.weekday())
        if preset is Preset.LAST_WEEK:
            monday -= dt.timedelta(days=7)
        return Period(monday, monday + dt.timedelta(days=6))
    if preset in (Preset.THIS_MONTH, Preset.LAST_MONTH):
        first = _add_months(today.replace(day=1), -1 if preset is Preset.LAST_MONTH else 0)
        return Period(first, _month_end(first))
    if preset in (Preset.THIS_QUARTER, Preset.LAST_QUARTER):
        first = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        if preset is Preset.LAST_QUARTER:
            first = _add_months(first, -3)
        return Period(first, _month_end(_add_months(first, 2)))
    if preset in (Preset.THIS_YEAR, Preset.LAST_YEAR):
        year = today.year - (1 if preset is Preset.LAST_YEAR else 0)
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    if start is None or end is None:
        raise ValueError("a custom range needs both ends")
    return Period(min(start, end), max(start, end))


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def bucket_for(period: Period) -> Bucket:
    """How a trend over ``period`` is cut: by day up to a month, by week up to a quarter."""
    if period.days <= 31:
        return Bucket.DAY
    if period.days <= 92:
        return Bucket.WEEK
    return Bucket.MONTH


def buckets(period: Period, bucket: Bucket) -> list[Period]:
    """``period`` cut into consecutive pieces (the first and last may be partial)."""
    pieces: list[Period] = []
    day = period.start
    while day <= period.end:
        if bucket is Bucket.DAY:
            last = day
        elif bucket is Bucket.WEEK:
            last = day + dt.timedelta(days=6 - day.weekday())
        else:
            last = _month_end(day)
        last = min(last, period.end)
        pieces.append(Period(day, last))
        day = last + dt.timedelta(days=1)
    return pieces
