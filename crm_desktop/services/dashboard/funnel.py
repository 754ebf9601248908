"""The sales funnel (销售漏斗): opportunities created in the period, by stage.

Per stage group, the open opportunities' count and amount at each stage, and the conversion
from one stage to the next: of those that reached a stage (are open at it or a later one, or
won), the share that reached the next. Won and lost totals close it. Every figure carries the
filter of the opportunities it counted.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.models import Stage, StageGroup
from crm_desktop.services.dashboard.counting import Figure, can_view, several
from crm_desktop.services.dashboard.selection import Scope, in_range, make_filter
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.filters import Condition, Filter, Op


@dataclass(frozen=True)
class FunnelStage:
    stage_id: int
    name: str
    win_rate: int
    open: Figure
    #: Share of those that reached the previous stage that reached this one (None: first/none).
    conversion: float | None
    filter: Filter


@dataclass(frozen=True)
class FunnelGroup:
    group_id: int
    name: str
    stages: tuple[FunnelStage, ...]


@dataclass(frozen=True)
class Funnel:
    groups: tuple[FunnelGroup, ...]
    won: Figure
    lost: Figure
    won_filter: Filter
    lost_filter: Filter


def _sum(figures: Iterable[Figure]) -> Figure:
    items = list(figures)
    amounts = [f.amount for f in items]
    if any(a is None for a in amounts):
        return Figure(sum(f.count for f in items), None)
    return Figure(sum(f.count for f in items), sum((a for a in amounts if a is not None), Decimal("0.00")))


def _base(scope: Scope) -> tuple[Condition, ...]:
    return in_range("created_at", scope.period, timestamp=True) + scope.owner_conditions()


def stage_filter(scope: Scope, stage_id: int) -> Filter:
    return make_filter(_base(scope), (Condition("status", Op.EQ, "open"), Condition("stage_id", Op.EQ, stage_id)))


def status_filter(scope: Scope, status: str) -> Filter:
    return make_filter(_base(scope), (Condition("status", Op.EQ, status),))


def funnel(session: Session, actor: Actor, scope: Scope) -> Funnel | None:
    if not can_view(actor, "opportunity"):
        return None
    won_filter, lost_filter = status_filter(scope, "won"), status_filter(scope, "lost")
    # Open, won and lost in one read, split by stage; each counted by its own list filter.
    by_stage = several(session, actor, "opportunity", {"open": status_filter(scope, "open"), "won": won_filter,
                                                       "lost": lost_filter},
                       amount="amount", group="stage_id", hull=make_filter(_base(scope)))
    if by_stage is None:
        return None
    open_by_stage = by_stage["open"]
    won, lost = _sum(by_stage["won"].values()), _sum(by_stage["lost"].values())
    rows = session.execute(
        select(StageGroup.id, StageGroup.name, Stage.id, Stage.name, Stage.win_rate)
        .join(Stage, Stage.group_id == StageGroup.id).where(StageGroup.enabled)
        .order_by(StageGroup.sort_order, StageGroup.id, Stage.sort_order, Stage.id)).all()
    by_group: dict[int, tuple[str, list[tuple[int, str, int]]]] = {}
    for group_id, group_name, stage_id, stage_name, win_rate in rows:
        by_group.setdefault(group_id, (group_name, []))[1].append((stage_id, stage_name, win_rate))
    empty = Figure(0, None if won.amount is None else won.amount * 0)
    groups = []
    for group_id, (group_name, stages) in by_group.items():
        counts = [open_by_stage.get(stage_id, empty) for stage_id, _n, _w in stages]
        # Reached a stage = open at it or further on (won ones passed every stage).
        reached = [sum(c.count for c in counts[i:]) + won.count for i in range(len(counts))]
        items = []
        for i, (stage_id, stage_name, win_rate) in enumerate(stages):
            conversion = reached[i] / reached[i - 1] if i and reached[i - 1] else None
            items.append(FunnelStage(stage_id, stage_name, win_rate, counts[i], conversion,
                                     stage_filter(scope, stage_id)))
        groups.append(FunnelGroup(group_id, group_name, tuple(items)))
    return Funnel(tuple(groups), won, lost, won_filter, lost_filter)
