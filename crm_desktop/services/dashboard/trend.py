"""The sales trend (销售趋势): contract amount and payments per month, week or day of the
period, beside the same days a year earlier and the target.

One grouped statement per series and year (grouped by the date itself, at most a year of
days), cut into buckets here: not one query per bucket.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.dashboard.brief import APPROVED
from crm_desktop.services.dashboard.counting import Figure, several
from crm_desktop.services.dashboard.period import Bucket, Period, bucket_for, buckets
from crm_desktop.services.dashboard.selection import Scope, in_range, make_filter
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.filters import Filter

#: series key → (entity, date field, label)
SERIES: dict[str, tuple[str, str, str]] = {
    "contracts": ("contract", "order_date", QT_TRANSLATE_NOOP("dashboard", "Contract amount")),
    "payments": ("payment", "paid_date", QT_TRANSLATE_NOOP("dashboard", "Payments received")),
}


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    current: Figure
    last_year: Figure
    #: The target for these days (None: no target set or not visible).
    target: Decimal | None
    filter: Filter


@dataclass(frozen=True)
class TrendSeries:
    key: str
    label: str
    entity: str
    bucket: Bucket
    points: tuple[TrendPoint, ...]


def series_filter(scope: Scope, key: str, period: Period) -> Filter:
    _entity, field, _label = SERIES[key]
    return make_filter(in_range(field, period, timestamp=False), scope.owner_conditions(), APPROVED)


def _sum(days: Mapping[dt.date, Figure], period: Period, summed: bool) -> Figure:
    inside = [f for day, f in days.items() if day is not None and period.start <= day <= period.end]
    amount = sum((f.amount or Decimal(0) for f in inside), Decimal("0.00")) if summed else None
    return Figure(sum(f.count for f in inside), amount)


def trend(session: Session, actor: Actor, scope: Scope, *,
          targets: Mapping[str, Mapping[tuple[int, int], Decimal]] | None = None) -> tuple[TrendSeries, ...]:
    """``targets``: series key → {(year, month): target of that month} (prorated by day)."""
    bucket = bucket_for(scope.period)
    result = []
    for key, (entity, field, label) in SERIES.items():
        before_period = scope.period.year_before()
        # This period and a year earlier in one read, by day; each by its own list filter.
        hull = make_filter(in_range(field, Period(before_period.start, scope.period.end), timestamp=False))
        # Month buckets may take a whole month's rollup row (keyed by its first day) in one.
        days = several(session, actor, entity, {"now": series_filter(scope, key, scope.period),
                                                "before": series_filter(scope, key, before_period)},
                       amount="amount", group=field, hull=hull, monthly=bucket is Bucket.MONTH)
        if days is None:
            continue
        now, before = days["now"], days["before"]
        summed = any(f.amount is not None for f in (*now.values(), *before.values())) or _amount_visible(
            session, actor, entity)
        points = []
        for piece in buckets(scope.period, bucket):
            last = piece.year_before()
            target = prorated((targets or {}).get(key), piece)
            points.append(TrendPoint(piece, _sum(now, piece, summed), _sum(before, last, summed), target,
                                     series_filter(scope, key, piece)))
        result.append(TrendSeries(key, label, entity, bucket, tuple(points)))
    return tuple(result)


def _amount_visible(session: Session, actor: Actor, entity: str) -> bool:
    from crm_desktop.services.records.schema import schema_for
    return schema_for(session, actor, entity).get("amount") is not None


def prorated(monthly: Mapping[tuple[int, int], Decimal] | None, period: Period) -> Decimal | None:
    """The target of ``period``: each month's target × the share of its days inside."""
    if not monthly:
        return None
    from calendar import monthrange
    total = Decimal(0)
    day = period.start
    while day <= period.end:
        days_in_month = monthrange(day.year, day.month)[1]
        last = min(period.end, day.replace(day=days_in_month))
        share = Decimal((last - day).days + 1) / Decimal(days_in_month)
        total += monthly.get((day.year, day.month), Decimal(0)) * share
        day = last + dt.timedelta(days=1)
    return total.quantize(Decimal("0.01"))
