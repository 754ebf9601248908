"""Whose records and which days a dashboard shows (the filter bar), as list filters.

The owner choice narrows by owner *inside* what the actor may see: the records themselves
always pass the one data-scope filter (``visible_filter``, team membership included), so
choosing a department outside one's scope shows nothing of it but shared records.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db import Database
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Department, User
from crm_desktop.services.dashboard.period import (
    Period,
    Preset,
    local_today,
    period_for,
)
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.scope import (
    department_tree_ids,
    owner_in_scope,
    subordinate_ids,
)
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.uow import read_only

#: The modules whose scope decides which colleagues the owner choice offers.
SCOPE_MODULES = ("customer", "contract", "opportunity", "payment", "followup", "contact")


class Owners(StrEnum):
    ALL = "all"  # everything the actor may see
    ME = "me"
    SUBORDINATES = "subordinates"  # me and everyone below me in the superior chain
    DEPARTMENT = "department"
    DEPARTMENT_TREE = "department_tree"  # a department and its sub-departments
    USER = "user"


OWNER_LABELS: dict[Owners, str] = {
    Owners.ALL: QT_TRANSLATE_NOOP("dashboard", "Everything I can see"),
    Owners.ME: QT_TRANSLATE_NOOP("dashboard", "Me"),
    Owners.SUBORDINATES: QT_TRANSLATE_NOOP("dashboard", "Me and my subordinates"),
    Owners.DEPARTMENT: QT_TRANSLATE_NOOP("dashboard", "Department"),
    Owners.DEPARTMENT_TREE: QT_TRANSLATE_NOOP("dashboard", "Department and sub-departments"),
    Owners.USER: QT_TRANSLATE_NOOP("dashboard", "One colleague"),
}


@dataclass(frozen=True)
class Selection:
    """The filter bar: whose records (``owners`` with ``department_id``/``user_id``) and when."""

    owners: Owners = Owners.ALL
    department_id: int | None = None
    user_id: int | None = None
    preset: Preset = Preset.THIS_MONTH
    start: dt.date | None = None
    end: dt.date | None = None
    #: The local day the presets count from (None: today in the company's time zone).
    today: dt.date | None = None

    def day(self) -> dt.date:
        return self.today or local_today()

    def period(self) -> Period:
        return period_for(self.preset, self.day(), start=self.start, end=self.end)


@dataclass(frozen=True)
class Scope:
    """A selection resolved in one session: the owners (None: no narrowing) and the days."""

    owner_ids: tuple[int, ...] | None
    period: Period
    today: dt.date

    def owner_conditions(self) -> tuple[Condition, ...]:
        if self.owner_ids is None:
            return ()
        return (Condition("owner_id", Op.IN, list(self.owner_ids)),)


def resolve(session: Session, actor: Actor, selection: Selection) -> Scope:
    """The owner ids a selection means (read now: the org may have changed since)."""
    owners: tuple[int, ...] | None
    mode = selection.owners
    if mode is Owners.ALL:
        owners = None
    elif mode is Owners.ME:
        owners = (actor.user_id,)
    elif mode is Owners.SUBORDINATES:
        owners = tuple(sorted(session.scalars(subordinate_ids(actor.user_id))))
    elif mode is Owners.USER:
        owners = (selection.user_id,) if selection.user_id is not None else (actor.user_id,)
    else:
        dept = selection.department_id if selection.department_id is not None else actor.department_id
        departments = department_tree_ids(dept) if mode is Owners.DEPARTMENT_TREE else select(Department.id).where(
            Department.id == dept)
        owners = tuple(sorted(session.scalars(select(User.id).where(User.department_id.in_(departments)))))
    return Scope(owners, selection.period(), selection.day())


def in_range(name: str, period: Period, *, timestamp: bool) -> tuple[Condition, ...]:
    """``name`` within ``period``: local days for a date field, their UTC instants for a timestamp."""
    if timestamp:
        start, end = period.utc_bounds()
        return (Condition(name, Op.GTE, start.isoformat()), Condition(name, Op.LT, end.isoformat()))
    return (Condition(name, Op.BETWEEN, [period.start.isoformat(), period.end.isoformat()]),)


def make_filter(*parts: Sequence[Condition]) -> Filter:
    return Filter(conditions=tuple(c for part in parts for c in part))


@dataclass(frozen=True)
class OwnerChoices:
    """What the filter bar offers: the departments and colleagues inside the actor's scope."""

    departments: tuple[tuple[int, int | None, str], ...] = ()  # (id, parent id, name)
    users: tuple[tuple[int, str, int], ...] = field(default_factory=tuple)  # (id, name, department id)
    has_subordinates: bool = False


def owner_choices(db: Database, actor: Actor) -> OwnerChoices:
    """Departments and users the actor may narrow the dashboard to (their data scope)."""
    with read_only(db, actor) as uow:
        session, me = uow.session, uow.actor
        rows = session.execute(select(User.id, User.name, User.department_id).where(User.enabled)
                               .order_by(User.department_id, User.id)).all()
        wide = any(DataScope.ALL in me.scopes_for(m) for m in SCOPE_MODULES)
        users = tuple((r.id, r.name, r.department_id) for r in rows
                      if wide or r.id == me.user_id or any(owner_in_scope(session, me, m, r.id) for m in SCOPE_MODULES))
        depts = session.execute(select(Department.id, Department.parent_id, Department.name)
                                .order_by(Department.sort_order, Department.id)).all()
        used = {d for _u, _n, d in users}
        parents = {d.id: d.parent_id for d in depts}
        shown: set[int] = set()
        for dept in used:  # a department with someone in scope, and the way up to the top
            while dept is not None and dept not in shown:
                shown.add(dept)
                dept = parents.get(dept)
        below = session.scalar(select(User.id).where(User.superior_id == me.user_id).limit(1)) is not None
        return OwnerChoices(tuple((d.id, d.parent_id, d.name) for d in depts if wide or d.id in shown), users, below)
