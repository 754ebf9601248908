"""Forgotten customers (遗忘提醒): customers not followed up for 7, 15, 30 or 90 days, and
those never followed up (counted from local midnight today, whatever the period)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crm_desktop.services.dashboard.counting import Figure, several
from crm_desktop.services.dashboard.period import local_midnight_utc
from crm_desktop.services.dashboard.selection import Scope, make_filter
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.filters import Condition, Filter, Op

DAYS = (7, 15, 30, 90)


@dataclass(frozen=True)
class ForgottenBucket:
    #: Days without a follow-up (0: never followed up).
    days: int
    figure: Figure
    filter: Filter


def forgotten_filter(scope: Scope, days: int) -> Filter:
    if days == 0:
        return make_filter(scope.owner_conditions(), (Condition("last_followup_at", Op.EMPTY),))
    cutoff = local_midnight_utc(scope.today) - dt.timedelta(days=days)
    return make_filter(scope.owner_conditions(), (Condition("last_followup_at", Op.LT, cutoff.isoformat()),))


def forgotten(session: Session, actor: Actor, scope: Scope) -> tuple[ForgottenBucket, ...]:
    filters = {str(days): forgotten_filter(scope, days) for days in (*DAYS, 0)}
    figures = several(session, actor, "customer", filters)  # one read for every bucket
    if figures is None:
        return ()
    return tuple(ForgottenBucket(int(key), Figure(figures[key].count, None), flt) for key, flt in filters.items())
