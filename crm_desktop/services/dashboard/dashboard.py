"""The whole dashboard in one read: every panel for one actor and one filter bar selection.

Thread rule: a worker thread (``ui.ops``); returns frozen DTOs only.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crm_desktop.db import Database
from crm_desktop.services.dashboard.brief import TILE_SPECS, Tile, brief, tile
from crm_desktop.services.dashboard.completion import (
    Completion,
    Pipeline,
    completions,
    pipeline,
    visible_subjects,
)
from crm_desktop.services.dashboard.forgotten import ForgottenBucket, forgotten
from crm_desktop.services.dashboard.funnel import Funnel, funnel
from crm_desktop.services.dashboard.period import Period
from crm_desktop.services.dashboard.rankings import Ranking, rankings
from crm_desktop.services.dashboard.selection import Scope, Selection, resolve
from crm_desktop.services.dashboard.targets import TargetKind, monthly_targets
from crm_desktop.services.dashboard.trend import TrendSeries, trend
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.uow import read_only


@dataclass(frozen=True)
class Dashboard:
    selection: Selection
    period: Period
    previous: Period
    tiles: tuple[Tile, ...]
    completions: tuple[Completion, ...]
    pipeline: Pipeline | None
    funnel: Funnel | None
    trend: tuple[TrendSeries, ...]
    rankings: tuple[Ranking, ...]
    forgotten: tuple[ForgottenBucket, ...]

    def tile(self, key: str) -> Tile | None:
        return next((t for t in self.tiles if t.key == key), None)


def _trend_targets(session: Session, actor: Actor, selection: Selection, scope: Scope) -> dict[str, Any]:
    subjects = visible_subjects(session, actor, selection, scope)
    if not subjects:
        return {}
    years = sorted({scope.period.start.year, scope.period.end.year})
    return {"contracts": monthly_targets(session, subjects, TargetKind.CONTRACT_AMOUNT, years),
            "payments": monthly_targets(session, subjects, TargetKind.PAYMENTS, years)}


def load_dashboard(db: Database, actor: Actor, selection: Selection) -> Dashboard:
    """Every panel the actor may see, counted through the one data-scope filter."""
    with read_only(db, actor) as uow:
        session, me = uow.session, uow.actor
        scope = resolve(session, me, selection)
        tiles = brief(session, me, scope)
        by_key = {t.key: t for t in tiles}
        return Dashboard(
            selection=selection, period=scope.period, previous=scope.period.previous(), tiles=tiles,
            completions=completions(session, me, selection, scope, by_key), pipeline=pipeline(session, me, scope),
            funnel=funnel(session, me, scope),
            trend=trend(session, me, scope, targets=_trend_targets(session, me, selection, scope)),
            rankings=rankings(session, me, scope), forgotten=forgotten(session, me, scope),
        )


def _achieved(session: Session, actor: Actor, scope: Scope) -> dict[str, Tile]:
    """The two tiles target completion needs (the brief computes them with the rest)."""
    found = {key: tile(session, actor, scope, TILE_SPECS[key]) for key in ("new_contracts", "payments")}
    return {key: t for key, t in found.items() if t is not None}


#: One panel on its own (the benchmark times each): name → fn(session, actor, selection, scope).
PANELS: dict[str, Callable[[Session, Actor, Selection, Scope], Any]] = {
    "brief": lambda s, a, sel, sc: brief(s, a, sc),
    "completion": lambda s, a, sel, sc: (completions(s, a, sel, sc, _achieved(s, a, sc)), pipeline(s, a, sc)),
    "funnel": lambda s, a, sel, sc: funnel(s, a, sc),
    "trend": lambda s, a, sel, sc: trend(s, a, sc, targets=_trend_targets(s, a, sel, sc)),
    "rankings": lambda s, a, sel, sc: rankings(s, a, sc),
    "forgotten": lambda s, a, sel, sc: forgotten(s, a, sc),
}


def load_panel(db: Database, actor: Actor, selection: Selection, name: str) -> Any:
    with read_only(db, actor) as uow:
        scope = resolve(uow.session, uow.actor, selection)
        return PANELS[name](uow.session, uow.actor, selection, scope)
