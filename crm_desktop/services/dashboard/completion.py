"""Target completion (业绩指标): target, achieved, % and gap for contracts and payments, the
pace expected by today, and the weighted pipeline (amount × stage win rate) of the open
opportunities expected to close in the period."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Stage
from crm_desktop.services.dashboard.brief import Tile
from crm_desktop.services.dashboard.counting import grouped
from crm_desktop.services.dashboard.period import Period
from crm_desktop.services.dashboard.selection import (
    Owners,
    Scope,
    Selection,
    in_range,
    make_filter,
)
from crm_desktop.services.dashboard.targets import (
    COMPANY,
    Subject,
    SubjectKey,
    TargetKind,
    monthly_targets,
)
from crm_desktop.services.dashboard.trend import prorated
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.scope import subordinate_ids
from crm_desktop.services.records.filters import Condition, Filter, Op

#: completion key → (target kind, brief tile whose amount is the achievement)
COMPLETIONS: dict[str, tuple[TargetKind, str]] = {
    "contracts": (TargetKind.CONTRACT_AMOUNT, "new_contracts"),
    "payments": (TargetKind.PAYMENTS, "payments"),
}
COMPLETION_LABELS: dict[str, str] = {
    "contracts": QT_TRANSLATE_NOOP("dashboard", "Contract amount"),
    "payments": QT_TRANSLATE_NOOP("dashboard", "Payments received"),
}


@dataclass(frozen=True)
class Completion:
    key: str
    kind: TargetKind
    #: None: no target set for the selection, or the actor may not view targets.
    target: Decimal | None
    achieved: Decimal | None
    #: The target share the days gone by call for (target × elapsed days / period days).
    expected_by_today: Decimal | None
    filter: Filter
    #: The selection covers colleagues whose targets the actor may not view (no
    #: ``target.view``): the panel says so rather than "no target set".
    hidden: bool = False

    @property
    def label(self) -> str:
        return COMPLETION_LABELS[self.key]

    @property
    def ratio(self) -> float | None:
        if self.target is None or self.achieved is None or self.target == 0:
            return None
        return float(self.achieved / self.target)

    @property
    def gap(self) -> Decimal | None:
        if self.target is None or self.achieved is None:
            return None
        return max(self.target - self.achieved, Decimal("0.00"))


@dataclass(frozen=True)
class Pipeline:
    """Open opportunities expected to close in the period, weighted by their stage's win rate."""

    amount: Decimal
    weighted: Decimal
    count: int
    filter: Filter


def target_subjects(session: Session, actor: Actor, selection: Selection, scope: Scope) -> list[SubjectKey]:
    """Whose targets the selection compares with: the company, a department or the users."""
    mode = selection.owners
    if mode is Owners.ALL:
        if DataScope.ALL in actor.scopes_for("contract"):
            return [COMPANY]
        ids = tuple(session.scalars(subordinate_ids(actor.user_id)))
        return [(Subject.USER, uid) for uid in ids]
    if mode in (Owners.DEPARTMENT, Owners.DEPARTMENT_TREE):
        dept = selection.department_id if selection.department_id is not None else actor.department_id
        return [(Subject.DEPARTMENT, dept)]
    return [(Subject.USER, uid) for uid in scope.owner_ids or ()]


def visible_subjects(session: Session, actor: Actor, selection: Selection, scope: Scope) -> list[SubjectKey]:
    """The subjects whose targets the actor may compare with: any, with ``target.view``; else
    only their own, when the selection is them alone (a rep sees their own target)."""
    if actor.can("target", "view"):
        return target_subjects(session, actor, selection, scope)
    if only_self(actor, selection, scope):
        return [(Subject.USER, actor.user_id)]
    return []


def only_self(actor: Actor, selection: Selection, scope: Scope) -> bool:
    """The selection is the actor's own: "me", or "all I can see" for someone whose contract
    and payment scopes are "self" (their records, and those a team shares with them)."""
    if scope.owner_ids == (actor.user_id,):
        return True
    return selection.owners is Owners.ALL and all(
        actor.scopes_for(module) == frozenset({DataScope.SELF}) for module in ("contract", "payment"))


def elapsed_share(period: Period, today: object) -> Decimal:
    import datetime as dt
    assert isinstance(today, dt.date)
    if today < period.start:
        return Decimal(0)
    if today > period.end:
        return Decimal(1)
    return Decimal((today - period.start).days + 1) / Decimal(period.days)


def completions(session: Session, actor: Actor, selection: Selection, scope: Scope,
                tiles: dict[str, Tile]) -> tuple[Completion, ...]:
    subjects = visible_subjects(session, actor, selection, scope)
    years = sorted({scope.period.start.year, scope.period.end.year})
    share = elapsed_share(scope.period, scope.today)
    result = []
    for key, (kind, tile_key) in COMPLETIONS.items():
        tile = tiles.get(tile_key)
        if tile is None:
            continue
        monthly = monthly_targets(session, subjects, kind, years) if subjects else {}
        target = prorated(monthly, scope.period) if monthly else None
        expected = (target * share).quantize(Decimal("0.01")) if target is not None else None
        result.append(Completion(key, kind, target, tile.current.amount, expected, tile.filter,
                                 hidden=not subjects and not actor.can("target", "view")))
    return tuple(result)


def pipeline_filter(scope: Scope) -> Filter:
    return make_filter(in_range("expected_close_date", scope.period, timestamp=False), scope.owner_conditions(),
                       (Condition("status", Op.EQ, "open"),))


def pipeline(session: Session, actor: Actor, scope: Scope) -> Pipeline | None:
    flt = pipeline_filter(scope)
    per_stage = grouped(session, actor, "opportunity", flt, "stage_id", amount="amount")
    if per_stage is None or any(f.amount is None for f in per_stage.values()):
        return None
    rates = {sid: rate for sid, rate in session.execute(select(Stage.id, Stage.win_rate))}
    amount = sum((f.amount or Decimal(0) for f in per_stage.values()), Decimal("0.00"))
    weighted = sum(((f.amount or Decimal(0)) * Decimal(rates.get(stage, 0) if stage is not None else 0) / 100
                    for stage, f in per_stage.items()), Decimal("0.00"))
    return Pipeline(amount, weighted.quantize(Decimal("0.01")), sum(f.count for f in per_stage.values()), flt)
