"""Counting records exactly as their list shows them.

One statement shape for every figure: ``visible_filter`` (scope and team), the module's base
clause (e.g. pooled customers are not in the customer list) and ``filter_sql`` of the very
``Filter`` a drill-down opens. Grouping (by day, owner or stage) only splits that set. A field
the actor's roles hide is not summed (the amount is None) nor filtered on (the figure is None).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records.filters import Filter, filter_sql
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.records.schema import schema_for


@dataclass(frozen=True)
class Figure:
    """How many records (and their amount; None when the amount is hidden or not summed)."""

    count: int
    amount: Decimal | None


def can_view(actor: Actor, entity: str) -> bool:
    return actor.can(entity, "view")


def _statement(session: Session, actor: Actor, entity: str, flt: Filter, amount: str | None,
               group: str | None) -> tuple[Any, bool] | None:
    service = record_service(entity)
    model = service.model
    schema = schema_for(session, actor, entity)
    try:
        where = filter_sql(model, schema, flt)
    except ValidationError:  # the figure needs a field this actor may not see
        return None
    summed = amount is not None and schema.get(amount) is not None
    columns: list[Any] = [func.count()]
    columns.append(func.sum(getattr(model, amount)) if summed and amount else func.count())
    if group is not None:
        columns.insert(0, getattr(model, group))
    query = select(*columns).select_from(model).where(visible_filter(model, actor), service.base_clause(), where)
    if group is not None:
        query = query.group_by(getattr(model, group))
    return query, summed


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def total(session: Session, actor: Actor, entity: str, flt: Filter, *, amount: str | None = None) -> Figure | None:
    """The records of ``entity`` the list would show under ``flt`` (None: not for this actor)."""
    if not can_view(actor, entity):
        return None
    built = _statement(session, actor, entity, flt, amount, None)
    if built is None:
        return None
    query, summed = built
    count, summed_amount = session.execute(query).one()
    return Figure(int(count or 0), _money(summed_amount) if summed else None)


def grouped(session: Session, actor: Actor, entity: str, flt: Filter, group: str, *,
            amount: str | None = None) -> Mapping[Any, Figure] | None:
    """``total`` split by the value of column ``group`` (a day, an owner, a stage)."""
    if not can_view(actor, entity):
        return None
    built = _statement(session, actor, entity, flt, amount, group)
    if built is None:
        return None
    query, summed = built
    return {key: Figure(int(count or 0), _money(value) if summed else None)
            for key, count, value in session.execute(query)}


def several(session: Session, actor: Actor, entity: str, filters: Mapping[str, Filter], *, amount: str | None = None,
            group: str | None = None, hull: Filter | None = None) -> dict[str, Any] | None:
    """Several figures of one entity in one pass: for each named filter, a Figure (or, with
    ``group``, a mapping group value → Figure) — the same as ``total``/``grouped`` per filter.

    Each filter's own clause (``filter_sql``, what its list runs) decides, in a CASE, which
    rows it counts, so the figures stay exactly their lists' while the table is read once.
    ``hull`` (a filter every counted row also meets, e.g. the whole date range) only helps the
    database pick the index; it changes no figure.
    """
    if not can_view(actor, entity):
        return None
    service = record_service(entity)
    model = service.model
    schema = schema_for(session, actor, entity)
    try:
        clauses = {name: filter_sql(model, schema, flt) for name, flt in filters.items()}
        outer = filter_sql(model, schema, hull) if hull is not None else None
    except ValidationError:
        return None
    summed = amount is not None and schema.get(amount) is not None
    column = getattr(model, amount) if summed and amount else None
    columns: list[Any] = [getattr(model, group)] if group is not None else []
    for clause in clauses.values():
        columns.append(func.sum(case((clause, 1), else_=0)))
        columns.append(func.sum(case((clause, column))) if column is not None else func.count())
    query = select(*columns).select_from(model).where(visible_filter(model, actor), service.base_clause(),
                                                      or_(*clauses.values()))
    if outer is not None:
        query = query.where(outer)
    if group is not None:
        query = query.group_by(getattr(model, group))
    names = list(clauses)

    def figures(row: Any, offset: int) -> dict[str, Figure]:
        return {name: Figure(int(row[offset + 2 * i] or 0), _money(row[offset + 2 * i + 1]) if summed else None)
                for i, name in enumerate(names)}

    rows = session.execute(query).all()
    if group is None:
        return figures(rows[0], 0)
    result: dict[str, dict[Any, Figure]] = {name: {} for name in names}
    for row in rows:
        for name, figure in figures(row, 1).items():
            if figure.count:  # a group only another filter counted is not this filter's
                result[name][row[0]] = figure
    return result
