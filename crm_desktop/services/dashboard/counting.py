"""Counting records exactly as their list shows them.

One statement shape for every figure: ``visible_filter`` (scope and team), the module's base
clause (e.g. pooled customers are not in the customer list) and ``filter_sql`` of the very
``Filter`` a drill-down opens. Grouping (by day, owner or stage) only splits that set. A field
the actor's roles hide is not summed (the amount is None) nor filtered on (the figure is None).

Where the rollup keeps the figure (``rollup.plan`` translates the filters exactly), the part
of the set whose owner the actor's scope covers is read from the rollup and only the records
seen through a team seat alone are read from the table; otherwise the table is read.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from crm_desktop.services.dashboard import rollup
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.scope import owner_scope_filter, team_clause, unindexed, visible_filter
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


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def total(session: Session, actor: Actor, entity: str, flt: Filter, *, amount: str | None = None) -> Figure | None:
    """The records of ``entity`` the list would show under ``flt`` (None: not for this actor)."""
    figures = several(session, actor, entity, {"total": flt}, amount=amount)
    return None if figures is None else figures["total"]


def grouped(session: Session, actor: Actor, entity: str, flt: Filter, group: str, *,
            amount: str | None = None) -> Mapping[Any, Figure] | None:
    """``total`` split by the value of column ``group`` (a day, an owner, a stage)."""
    figures = several(session, actor, entity, {"grouped": flt}, amount=amount, group=group)
    return None if figures is None else figures["grouped"]


#: Per filter name, per group value (None without grouping): (records, amount or None).
Counts = dict[str, dict[Any, tuple[int, Decimal | None]]]


def _from_records(session: Session, model: Any, visibility: ColumnElement[bool], base: ColumnElement[bool],
                  clauses: Mapping[str, ColumnElement[bool]], outer: ColumnElement[bool] | None,
                  column: Any, group: str | None) -> Counts:
    """Each filter's records counted (and summed) from the table, in one pass: each filter's own
    clause decides, in a CASE, which rows it counts."""
    columns: list[Any] = [getattr(model, group)] if group is not None else []
    for clause in clauses.values():
        columns.append(func.sum(case((clause, 1), else_=0)))
        columns.append(func.sum(case((clause, column))) if column is not None else func.count())
    query = select(*columns).select_from(model).where(visibility, base, or_(*clauses.values()))
    if outer is not None:
        query = query.where(outer)
    if group is not None:
        query = query.group_by(getattr(model, group))
    result: Counts = {name: {} for name in clauses}
    offset = 1 if group is not None else 0
    for row in session.execute(query):
        for i, name in enumerate(clauses):
            count = int(row[offset + 2 * i] or 0)
            if count:  # a group only another filter counted is not this filter's
                result[name][row[0] if group is not None else None] = (
                    count, _money(row[offset + 2 * i + 1]) if column is not None else None)
    return result


def _from_rollup(session: Session, actor: Actor, entity: str, model: Any, planned: rollup.Plan,
                 base: ColumnElement[bool], clauses: Mapping[str, ColumnElement[bool]], summed: bool,
                 column: Any, group: str | None) -> Counts:
    """The rollup's figures for the owners the actor's scope covers, plus the records the actor
    sees only through a team seat (counted from the records: few rows). Disjoint, so the sum
    is what the list shows."""
    owned = rollup.counts(session, actor, entity, planned)
    result: Counts = {name: {key: (count, _money(Decimal(cents).scaleb(-2)) if summed else None)
                             for key, (count, cents) in groups.items()} for name, groups in owned.items()}
    if DataScope.ALL in actor.scopes_for(entity):
        return result  # the scope covers every owner: no record is visible through its team only
    team_only = and_(unindexed(model.deleted_at).is_(None), team_clause(model, actor),
                     or_(model.owner_id.is_(None), not_(owner_scope_filter(model.owner_id, actor, entity))))
    for name, groups in _from_records(session, model, team_only, base, clauses, None, column, group).items():
        mine = result[name]
        for key, (count, amount) in groups.items():
            had_count, had_amount = mine.get(key, (0, Decimal("0.00") if summed else None))
            mine[key] = (had_count + count, _money((had_amount or 0) + (amount or 0)) if summed else None)
    return result


def several(session: Session, actor: Actor, entity: str, filters: Mapping[str, Filter], *, amount: str | None = None,
            group: str | None = None, hull: Filter | None = None, monthly: bool = False) -> dict[str, Any] | None:
    """Several figures of one entity in one pass: for each named filter, a Figure (or, with
    ``group``, a mapping group value → Figure) — the same as ``total``/``grouped`` per filter.

    Each filter's own clause (``filter_sql``, what its list runs) decides, in a CASE, which
    rows it counts, so the figures stay exactly their lists' while the table is read once.
    ``hull`` (a filter every counted row also meets, e.g. the whole date range) only helps the
    database pick the index; it changes no figure. ``monthly`` (grouped by a date field): the
    caller only adds the groups up by calendar month, so a whole month may come as one group
    keyed by its first day.
    """
    if not can_view(actor, entity):
        return None
    service = record_service(entity)
    model = service.model
    schema = schema_for(session, actor, entity)
    try:
        clauses = {name: filter_sql(model, schema, flt) for name, flt in filters.items()}
        outer = filter_sql(model, schema, hull) if hull is not None else None
    except ValidationError:  # a figure needs a field this actor may not see
        return None
    summed = amount is not None and schema.get(amount) is not None
    column = getattr(model, amount) if summed and amount else None
    planned = rollup.plan(entity, filters, group=group, monthly=monthly)
    if planned is not None and (not summed or planned.source.amount == amount):
        counts = _from_rollup(session, actor, entity, model, planned, service.base_clause(), clauses, summed,
                              column, group)
    else:
        counts = _from_records(session, model, visible_filter(model, actor), service.base_clause(), clauses, outer,
                               column, group)

    def figure(found: tuple[int, Decimal | None] | None) -> Figure:
        count, value = found or (0, None)
        return Figure(count, (value if value is not None else _money(0)) if summed else None)

    if group is None:
        return {name: figure(groups.get(None)) for name, groups in counts.items()}
    return {name: {key: figure(found) for key, found in groups.items()} for name, groups in counts.items()}
