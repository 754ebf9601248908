"""The opportunity board (商机看板): a stage group's opportunities as columns, read in pages.

Promises (thread rule: any thread; each call is one read-only unit of work; opportunity
"view" first, then the one data-scope filter — the board shows exactly what the list shows):

- ``board_groups``: the enabled stage groups (plus the actor's own group, which is always
  enabled or the default) and which one is the actor's (``stages.group_for_user``).
- ``board_summary(group_id, closed=…)``: one column per stage of the group (its open
  opportunities), then — with ``closed`` — "won" and "lost" (the group's opportunities closed
  so); each column with its count and the sum of its amounts. One grouped query. The amount
  sum is None when a field permission hides the amount from the actor.
- ``column_page(group_id, column, after=…, limit=…)``: one keyset page of a column (most
  recently changed first), never the whole column; ``next_cursor`` for "show more".
- A board needs the stage and the status: when a field permission hides either, the board
  is refused (it would tell them by the column a card stands in).
- Moving a card is not here: the board calls ``opportunities.set_stage`` / ``win`` / ``lose``,
  the stage bar's own operations, with their rules and refusals.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, tuple_

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Opportunity, StageGroup, User
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records.record_fields import FieldPolicy
from crm_desktop.services.records.records import Page
from crm_desktop.services.records.schema import Access
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.stages import group_for_user, stages_of
from crm_desktop.services.uow import UnitOfWork, read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: Cards a column reads at a time.
COLUMN_PAGE = 20
#: The closed columns a board may add after the stages (their key is the status).
CLOSED_COLUMNS = ("won", "lost")


@dataclass(frozen=True)
class BoardGroupDTO:
    id: int
    name: str


@dataclass(frozen=True)
class BoardColumnDTO:
    """One column: ``key`` is "stage:<id>" for a stage, or "won" / "lost"."""

    key: str
    stage_id: int | None
    #: The status of the column's opportunities: "open" for a stage, else the key.
    status: str
    #: The stage's name ("" for won and lost: the screen names those).
    name: str
    win_rate: int | None
    count: int
    #: None when the actor may not see amounts.
    amount: Decimal | None


@dataclass(frozen=True)
class BoardDTO:
    group_id: int
    group_name: str
    columns: tuple[BoardColumnDTO, ...]


def stage_key(stage_id: int) -> str:
    return f"stage:{stage_id}"


def _policy(uow: UnitOfWork) -> FieldPolicy:
    """The actor's view of opportunity fields; refused when the stage or status is hidden."""
    assert uow.actor is not None
    require(uow.actor, "opportunity", "view")
    policy = opportunities.policy(uow.session, uow.actor)
    schema = policy.schema
    if schema is not None and any(schema.access.get(f) is Access.HIDDEN for f in ("stage_id", "status")):
        raise RuleViolation(QT_TRANSLATE_NOOP(
            "errors", "Your roles hide the stage or status of opportunities: the board cannot show them."))
    return policy


def _group(uow: UnitOfWork, group_id: int) -> StageGroup:
    group = uow.session.get(StageGroup, group_id)
    if group is None:
        raise NotFound("stage group", group_id)
    return group


def _amount_shown(policy: FieldPolicy) -> bool:
    return "amount" in policy.shown[0]


def board_groups(db: Database, actor: Actor) -> tuple[list[BoardGroupDTO], int]:
    """(the groups a board can show, in order; the id of the actor's own group)."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "opportunity", "view")
        mine = group_for_user(uow.session, uow.actor.user_id)
        groups = uow.session.scalars(select(StageGroup).order_by(StageGroup.sort_order, StageGroup.id)).all()
        shown = [BoardGroupDTO(g.id, g.name) for g in groups if g.enabled or g.id == mine.id]
        return shown, mine.id


def board_summary(db: Database, actor: Actor, group_id: int, *, closed: bool = True) -> BoardDTO:
    """The group's columns with their counts and amounts (see the module docstring)."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        policy = _policy(uow)
        group = _group(uow, group_id)
        rows = uow.session.execute(
            select(Opportunity.stage_id, Opportunity.status, func.count(), func.sum(Opportunity.amount))
            .where(Opportunity.stage_group_id == group.id, visible_filter(Opportunity, uow.actor),
                   opportunities.base_clause())
            .group_by(Opportunity.stage_id, Opportunity.status)).all()
        shown = _amount_shown(policy)
        open_by_stage: dict[int | None, tuple[int, Decimal]] = {}
        by_status: dict[str, tuple[int, Decimal]] = {}
        for stage_id, status, count, total in rows:
            total = Decimal(total or 0)
            if status == "open":
                open_by_stage[stage_id] = (count, total)
            else:
                n, t = by_status.get(status, (0, Decimal("0")))
                by_status[status] = (n + count, t + total)

        def money(total: Decimal) -> Decimal | None:
            return total.quantize(Decimal("0.01")) if shown else None

        columns = [BoardColumnDTO(stage_key(s.id), s.id, "open", s.name, s.win_rate,
                                  open_by_stage.get(s.id, (0, Decimal("0")))[0],
                                  money(open_by_stage.get(s.id, (0, Decimal("0")))[1]))
                   for s in stages_of(uow.session, group.id)]
        if closed:
            columns += [BoardColumnDTO(status, None, status, "", None, by_status.get(status, (0, Decimal("0")))[0],
                                       money(by_status.get(status, (0, Decimal("0")))[1]))
                        for status in CLOSED_COLUMNS]
        return BoardDTO(group.id, group.name, tuple(columns))


def column_page(
    db: Database, actor: Actor, group_id: int, column: str, *, after: tuple[Any, int] | None = None,
    limit: int = COLUMN_PAGE,
) -> Page:
    """One page of a column's opportunities, most recently changed first (keyset on
    (updated_at, id)); fields hidden from the actor are left out of each record."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        policy = _policy(uow)
        group = _group(uow, group_id)
        query = (select(Opportunity, User.name).outerjoin(User, User.id == Opportunity.owner_id)
                 .where(Opportunity.stage_group_id == group.id, visible_filter(Opportunity, uow.actor),
                        opportunities.base_clause()))
        if column.startswith("stage:"):
            try:
                stage_id = int(column.removeprefix("stage:"))
            except ValueError:
                raise ValidationError({"column": QT_TRANSLATE_NOOP("errors", "Choose a listed value.")}) from None
            query = query.where(Opportunity.stage_id == stage_id, Opportunity.status == "open")
        elif column in CLOSED_COLUMNS:
            query = query.where(Opportunity.status == column)
        else:
            raise ValidationError({"column": QT_TRANSLATE_NOOP("errors", "Choose a listed value.")})
        key = tuple_(Opportunity.updated_at, Opportunity.id)
        if after is not None:
            bound = tuple_(bindparam("after_key", after[0], type_=Opportunity.updated_at.type),
                           bindparam("after_id", int(after[1])))
            query = query.where(key < bound)
        found = uow.session.execute(
            query.order_by(Opportunity.updated_at.desc(), Opportunity.id.desc()).limit(limit + 1)).all()
        more = len(found) > limit
        found = found[:limit]
        rows = tuple(opportunities.to_dto(row, name or "", policy) for row, name in found)
        cursor = (found[-1][0].updated_at, found[-1][0].id) if more and found else None
        return Page(rows=rows, next_cursor=cursor)


__all__ = ["CLOSED_COLUMNS", "COLUMN_PAGE", "BoardColumnDTO", "BoardDTO", "BoardGroupDTO", "board_groups",
           "board_summary", "column_page", "stage_key"]
