"""Reading the dashboard rollup (models/dashboard.py) in place of the records, exactly.

A figure is "the live records the list shows under a filter". The list's rows are those the
actor sees through the data scope of their owner, or through a team seat. The first part is
the rollup's rows whose owner the scope covers (``owner_scope_filter``), narrowed by the same
filter translated to the rollup's columns; the second — records the actor sees only as a team
member — is counted from the records (few rows) by the caller. The two never overlap, so
their sum is the list's count and sum.

``plan`` translates a filter only when the translation is exact: every condition must be one
the rollup keeps (the measure's day, owner, status, stage) and a timestamp range must start
and end on local midnights where the rollup's fixed offset equals the company's zone. Anything
else returns None and the caller counts the records as before.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from crm_desktop.models import DashboardRollup, Measure
from crm_desktop.models.dashboard import (
    DAY_GRAIN,
    LOCAL_OFFSET_HOURS,
    MONTH_GRAIN,
    NO_DAY,
    NO_OWNER,
    NO_STAGE,
)
from crm_desktop.services.dashboard.period import local_midnight_utc
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import owner_scope_filter
from crm_desktop.services.records.filters import Condition, Filter, Op


class Source(NamedTuple):
    measure: Measure
    #: The day column is a UTC timestamp (bucketed by local day) rather than a date.
    timestamp: bool
    status: str | None = None
    stage: str | None = None
    amount: str | None = None


#: (entity, day field) → what the rollup keeps of it (migration 0016 keeps the same).
SOURCES: dict[tuple[str, str], Source] = {
    ("customer", "created_at"): Source(Measure.CUSTOMER_CREATED, True),
    ("customer", "last_followup_at"): Source(Measure.CUSTOMER_FOLLOWED, True),
    ("contact", "created_at"): Source(Measure.CONTACT_CREATED, True),
    ("opportunity", "created_at"): Source(Measure.OPPORTUNITY_CREATED, True, "status", "stage_id", "amount"),
    ("opportunity", "expected_close_date"): Source(Measure.OPPORTUNITY_CLOSING, False, "status", "stage_id", "amount"),
    ("contract", "order_date"): Source(Measure.CONTRACT_ORDERED, False, "approval_status", None, "amount"),
    ("payment", "paid_date"): Source(Measure.PAYMENT_PAID, False, "approval_status", None, "amount"),
    ("followup", "followed_at"): Source(Measure.FOLLOWUP_DONE, True),
}
_OFFSET = dt.timedelta(hours=LOCAL_OFFSET_HOURS)
R = DashboardRollup


@dataclass(frozen=True)
class Plan:
    """Filters of one entity translated to rollup conditions (one per named filter)."""

    source: Source
    clauses: dict[str, ColumnElement[bool]]
    #: The rollup column to group by (None: no grouping) and the sentinel meaning "none".
    group: Any
    group_none: Any


def _local_day(value: Any) -> dt.date | None:
    """The local day whose midnight ``value`` (a UTC instant, ISO text or datetime) is, if the
    rollup's fixed offset and the company's zone agree on it; else None."""
    try:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    wall = moment + _OFFSET
    if wall.time() != dt.time(0) or wall.microsecond:
        return None
    day = wall.date()
    return day if local_midnight_utc(day) == moment else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


#: The first and last real days a range may name (NO_DAY is below every real one).
_FIRST, _LAST = NO_DAY + dt.timedelta(days=1), dt.date.max


def _day_bounds(source: Source, conds: list[Condition]) -> tuple[dt.date, dt.date] | bool | None:
    """The real days ``conds`` (all on the measure's day field) allow, as one inclusive range;
    True for "no day" (EMPTY); None when the rollup cannot answer them exactly."""
    low, high = _FIRST, _LAST
    for cond in conds:
        if cond.op is Op.EMPTY:
            return True if len(conds) == 1 else None
        if cond.op is Op.NOT_EMPTY:
            continue
        if source.timestamp:
            # Only whole local days translate: [midnight, …) and […, midnight).
            day = _local_day(cond.value)
            if day is None or cond.op not in (Op.GTE, Op.LT):
                return None
            if cond.op is Op.GTE:
                low = max(low, day)
            else:
                high = min(high, day - dt.timedelta(days=1))
            continue
        if cond.op is Op.BETWEEN:
            ends = cond.value if isinstance(cond.value, (list, tuple)) and len(cond.value) == 2 else (None, None)
            first, last = _date(ends[0]), _date(ends[1])
            if first is None or last is None:
                return None
            low, high = max(low, first), min(high, last)
            continue
        day = _date(cond.value)
        if day is None or cond.op not in (Op.EQ, Op.GT, Op.GTE, Op.LT, Op.LTE):
            return None
        if cond.op in (Op.EQ, Op.GTE):
            low = max(low, day)
        if cond.op in (Op.EQ, Op.LTE):
            high = min(high, day)
        if cond.op is Op.GT:
            low = max(low, day + dt.timedelta(days=1))
        if cond.op is Op.LT:
            high = min(high, day - dt.timedelta(days=1))
    return low, high


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date | None:
    if day.year == dt.MAXYEAR and day.month == 12:
        return None
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _days(low: dt.date, high: dt.date) -> ColumnElement[bool]:
    return and_(R.grain == DAY_GRAIN, R.day.between(low, high))


def _range_clause(low: dt.date, high: dt.date, *, days_only: bool) -> ColumnElement[bool]:
    """The rows counting each record of days ``low``…``high`` exactly once: the month rows of
    the whole months inside, the day rows of the days before and after them."""
    if low > high:
        return false()
    first = low if low.day == 1 else _next_month(low)  # first whole month
    after_high = high + dt.timedelta(days=1) if high < dt.date.max else None
    end = _month_start(after_high) if after_high is not None else _next_month(_month_start(high))
    # ``end``: the first day after the last whole month (None: past the calendar's end).
    if days_only or first is None or (end is not None and first >= end):
        return _days(low, high)
    parts = [and_(R.grain == MONTH_GRAIN, R.day >= first, *([R.day < end] if end is not None else []))]
    if low < first:
        parts.append(_days(low, first - dt.timedelta(days=1)))
    if end is not None and end <= high:
        parts.append(_days(end, high))
    return or_(*parts)


def _ints(value: Any) -> list[int] | None:
    values = value if isinstance(value, (list, tuple)) else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    return list(values)


def _clause(source: Source, cond: Condition) -> ColumnElement[bool] | None:
    """``cond`` (not on the day field) on the rollup's columns, or None when the rollup cannot
    answer it exactly."""
    if cond.field == "owner_id" and cond.op in (Op.IN, Op.EQ):
        ids = _ints(cond.value)
        if ids is None:
            return None
        return R.owner_id.in_([i for i in ids if i != NO_OWNER]) if ids else false()
    if cond.field == source.status and cond.op is Op.EQ and isinstance(cond.value, str) and cond.value:
        return R.status == cond.value
    if cond.field == source.stage and cond.op is Op.EQ:
        ids = _ints(cond.value)
        return R.stage_id == ids[0] if ids and ids[0] != NO_STAGE else None
    return None


def _source(entity: str, filters: Mapping[str, Filter]) -> tuple[str, Source] | None:
    """The one day field the filters restrict (each filter on the same one)."""
    found: set[str] = set()
    for flt in filters.values():
        days = {c.field for c in flt.conditions if (entity, c.field) in SOURCES}
        if len(days) != 1:
            return None
        found |= days
    if len(found) != 1:
        return None
    field = found.pop()
    return field, SOURCES[(entity, field)]


def plan(entity: str, filters: Mapping[str, Filter], *, group: str | None, monthly: bool = False) -> Plan | None:
    """The rollup conditions for ``filters`` of ``entity`` (grouped by ``group``), or None.

    Grouped by the day field, only day rows are read (a month row's day is not its records'
    day) — unless ``monthly``: the caller adds the days up by calendar month, and a month row,
    keyed by the month's first day, lands in the same month as its records."""
    found = _source(entity, filters)
    if found is None:
        return None
    day_field, source = found
    days_only = group == day_field and not monthly
    clauses: dict[str, ColumnElement[bool]] = {}
    for name, flt in filters.items():
        if flt.match != "all":
            return None
        bounds = _day_bounds(source, [c for c in flt.conditions if c.field == day_field])
        if bounds is None:
            return None
        days = (and_(R.grain == DAY_GRAIN, R.day == NO_DAY) if bounds is True
                else _range_clause(*bounds, days_only=days_only))  # type: ignore[misc]
        parts = [_clause(source, c) for c in flt.conditions if c.field != day_field]
        if any(p is None for p in parts):
            return None
        clauses[name] = and_(days, *parts)
    if group is None:
        return Plan(source, clauses, None, None)
    columns = {"owner_id": (R.owner_id, NO_OWNER), source.stage: (R.stage_id, NO_STAGE)}
    if not source.timestamp:  # a date field groups by its day; a timestamp's day is not its value
        columns[day_field] = (R.day, NO_DAY)
    if group not in columns:
        return None
    column, none = columns[group]
    return Plan(source, clauses, column, none)


def counts(session: Session, actor: Actor, entity: str, planned: Plan) -> dict[str, dict[Any, tuple[int, int]]]:
    """Per filter, per group (None: no grouping), (records, cents) of the records whose owner
    the actor's scope covers. One read of the rollup for every filter."""
    columns: list[Any] = [planned.group] if planned.group is not None else []
    for clause in planned.clauses.values():
        columns.append(func.sum(case((clause, R.record_count), else_=0)))
        columns.append(func.sum(case((clause, R.amount_cents), else_=0)))
    query = select(*columns).where(R.measure == planned.source.measure.value,
                                   owner_scope_filter(R.owner_id, actor, entity), or_(*planned.clauses.values()))
    if planned.group is not None:
        query = query.group_by(planned.group)
    result: dict[str, dict[Any, tuple[int, int]]] = {name: {} for name in planned.clauses}
    offset = 1 if planned.group is not None else 0
    for row in session.execute(query):
        key = row[0] if planned.group is not None else None
        if key == planned.group_none:
            key = None
        for i, name in enumerate(planned.clauses):
            count, cents = int(row[offset + 2 * i] or 0), int(row[offset + 2 * i + 1] or 0)
            if count:
                result[name][key] = count, cents
    return result


# --- bulk inserts (the import) ---------------------------------------------------------------

def insert_trigger(table: str) -> str:
    """SQLite's row trigger (migration 0016) that adds an inserted record of ``table`` to the rollup."""
    return f"dashboard_rollup_{table}_insert"


_UPSERT = re.compile(r"INSERT INTO dashboard_rollup \((?P<columns>[^()]*)\) SELECT (?P<select>.+) "
                     r"WHERE (?P<where>.+) ON CONFLICT \((?P<key>[^()]*)\) DO UPDATE SET (?P<set>.+)", re.DOTALL)


def grouped_insert_sql(trigger_sql: str, table: str) -> str | None:
    """One statement that adds to the rollup every row of ``table`` whose id lies between its
    named parameters ``:first_id`` and ``:last_id`` (inclusive) — what the insert
    trigger ``trigger_sql`` would add row by row, grouped: one upsert per rollup row instead of
    four per record.

    It is derived from the trigger's own SQL as SQLite keeps it (``sqlite_master``), so it
    counts exactly what the trigger counts: each of the trigger's upserts ``INSERT INTO
    dashboard_rollup (…) SELECT <the row's key and sign> WHERE <it counts> ON CONFLICT …`` reads
    the inserted rows under the trigger's own name for them, ``NEW``. None when the trigger is
    not of that shape (the caller then leaves the trigger in place)."""
    start, end = trigger_sql.find(" BEGIN"), trigger_sql.rfind("END")
    if start < 0 or end < start or not re.fullmatch(r"\w+", table):
        return None
    parts: list[str] = []
    columns = key = assign = None
    for statement in filter(None, (s.strip() for s in trigger_sql[start + 6:end].split(";"))):
        m = _UPSERT.fullmatch(statement)
        if m is None or columns not in (None, m["columns"]) or key not in (None, m["key"]) \
                or assign not in (None, m["set"]):
            return None
        columns, key, assign = m["columns"], m["key"], m["set"]
        parts.append(f"SELECT {m['select']} FROM {table} AS NEW WHERE ({m['where']}) AND NEW.id BETWEEN :first_id AND :last_id")
    if not parts or columns is None or key is None:
        return None
    names = [c.strip() for c in columns.split(",")]
    keys = [c.strip() for c in key.split(",")]
    if names[:len(keys)] != keys or len(names) == len(keys):
        return None
    measures = names[len(keys):]
    # The first (empty) branch names the union's columns; a compound SELECT takes its names from it.
    header = "SELECT " + ", ".join(f"NULL AS {n}" for n in names) + " WHERE 0"
    rows = "\n  UNION ALL ".join([header, *parts])
    sums = ", ".join(f"sum({n})" for n in measures)
    # "WHERE true": SQLite would otherwise read ON CONFLICT's ON as a join's.
    return (f"INSERT INTO dashboard_rollup ({columns}) SELECT {', '.join(keys)}, {sums} FROM (\n  {rows}\n) "
            f"WHERE true GROUP BY {', '.join(keys)} ON CONFLICT ({key}) DO UPDATE SET {assign}")
