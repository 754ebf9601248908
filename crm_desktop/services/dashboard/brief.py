"""The sales brief (销售简报): what happened in the period, against the period before."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.dashboard.counting import Figure, several
from crm_desktop.services.dashboard.period import Period
from crm_desktop.services.dashboard.selection import Scope, in_range, make_filter
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.filters import Condition, Filter, Op

#: Contracts and payments count once approved (a draft is not a sale).
APPROVED = (Condition("approval_status", Op.EQ, "approved"),)


@dataclass(frozen=True)
class TileSpec:
    key: str
    label: str
    entity: str
    #: The field the period applies to, and whether it is a timestamp (else a date).
    when: str
    timestamp: bool
    amount: str | None = None
    extra: tuple[Condition, ...] = ()

    def filter(self, scope: Scope, period: Period) -> Filter:
        return make_filter(in_range(self.when, period, timestamp=self.timestamp), scope.owner_conditions(),
                           self.extra)


TILES: tuple[TileSpec, ...] = (
    TileSpec("new_customers", QT_TRANSLATE_NOOP("dashboard", "New customers"), "customer", "created_at", True),
    TileSpec("new_contacts", QT_TRANSLATE_NOOP("dashboard", "New contacts"), "contact", "created_at", True),
    TileSpec("new_opportunities", QT_TRANSLATE_NOOP("dashboard", "New opportunities"), "opportunity", "created_at",
             True, "amount"),
    TileSpec("new_contracts", QT_TRANSLATE_NOOP("dashboard", "New contracts"), "contract", "order_date", False,
             "amount", APPROVED),
    TileSpec("payments", QT_TRANSLATE_NOOP("dashboard", "Payments received"), "payment", "paid_date", False,
             "amount", APPROVED),
    TileSpec("followups", QT_TRANSLATE_NOOP("dashboard", "Follow-ups"), "followup", "followed_at", True),
)
TILE_SPECS = {spec.key: spec for spec in TILES}


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    entity: str
    current: Figure
    previous: Figure
    #: Opens exactly the records ``current`` counted (in ``entity``'s list).
    filter: Filter
    previous_filter: Filter

    @property
    def count_change(self) -> float | None:
        """Change against the previous period as a fraction (None: nothing to compare with)."""
        return change(Decimal(self.current.count), Decimal(self.previous.count))

    @property
    def amount_change(self) -> float | None:
        if self.current.amount is None or self.previous.amount is None:
            return None
        return change(self.current.amount, self.previous.amount)


def change(now: Decimal, before: Decimal) -> float | None:
    if before == 0:
        return None
    return float((now - before) / before)


def tile(session: Session, actor: Actor, scope: Scope, spec: TileSpec) -> Tile | None:
    before = scope.period.previous()
    current_filter = spec.filter(scope, scope.period)
    previous_filter = spec.filter(scope, before)
    # Both periods in one read of the table; each still counted by its own list filter.
    hull = make_filter(in_range(spec.when, Period(before.start, scope.period.end), timestamp=spec.timestamp))
    figures = several(session, actor, spec.entity, {"current": current_filter, "previous": previous_filter},
                      amount=spec.amount, hull=hull)
    if figures is None:
        return None
    return Tile(spec.key, spec.label, spec.entity, figures["current"], figures["previous"], current_filter,
                previous_filter)


def brief(session: Session, actor: Actor, scope: Scope) -> tuple[Tile, ...]:
    """The tiles the actor may see (a module they may not view has no tile)."""
    return tuple(t for spec in TILES if (t := tile(session, actor, scope, spec)) is not None)
