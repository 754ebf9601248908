"""Rankings (排行榜): the top colleagues by contract amount, payments, new customers and
follow-ups in the period — each entry opens the records it counted."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import User
from crm_desktop.services.dashboard.brief import TILE_SPECS
from crm_desktop.services.dashboard.counting import Figure, grouped
from crm_desktop.services.dashboard.selection import Scope
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.filters import Condition, Filter, Op

TOP = 10

#: ranking key → (brief tile it ranks, by amount?, label)
RANKINGS: dict[str, tuple[str, bool, str]] = {
    "contract_amount": ("new_contracts", True, QT_TRANSLATE_NOOP("dashboard", "Contract amount")),
    "payments": ("payments", True, QT_TRANSLATE_NOOP("dashboard", "Payments received")),
    "new_customers": ("new_customers", False, QT_TRANSLATE_NOOP("dashboard", "New customers")),
    "followups": ("followups", False, QT_TRANSLATE_NOOP("dashboard", "Follow-ups")),
}


@dataclass(frozen=True)
class RankingEntry:
    user_id: int
    name: str
    figure: Figure
    filter: Filter

    @property
    def value(self) -> Decimal:
        return self.figure.amount if self.figure.amount is not None else Decimal(self.figure.count)


@dataclass(frozen=True)
class Ranking:
    key: str
    label: str
    entity: str
    by_amount: bool
    entries: tuple[RankingEntry, ...]


def owner_filter(base: Filter, user_id: int) -> Filter:
    return Filter(conditions=base.conditions + (Condition("owner_id", Op.EQ, user_id),))


def rankings(session: Session, actor: Actor, scope: Scope, *, top: int = TOP) -> tuple[Ranking, ...]:
    result = []
    names: dict[int, str] | None = None
    for key, (tile_key, by_amount, label) in RANKINGS.items():
        spec = TILE_SPECS[tile_key]
        base = spec.filter(scope, scope.period)
        per_owner = grouped(session, actor, spec.entity, base, "owner_id", amount=spec.amount if by_amount else None)
        if per_owner is None:
            continue
        if by_amount and any(f.amount is None for f in per_owner.values()):
            continue  # the amount is hidden from this actor: no ranking by it
        if names is None:
            names = {uid: name for uid, name in session.execute(select(User.id, User.name))}

        def value(item: tuple[int, Figure], by_amount: bool = by_amount) -> tuple[Decimal, int]:
            figure = item[1]
            return (figure.amount if by_amount and figure.amount is not None else Decimal(figure.count), -item[0])

        ordered = sorted(((uid, f) for uid, f in per_owner.items() if uid is not None), key=value, reverse=True)
        entries = tuple(RankingEntry(uid, names.get(uid, ""), f, owner_filter(base, uid)) for uid, f in ordered[:top])
        result.append(Ranking(key, label, spec.entity, by_amount, entries))
    return tuple(result)
