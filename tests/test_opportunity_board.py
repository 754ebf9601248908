"""The opportunity board's reads (issue 13): columns per stage with counts and amounts, won and
lost, keyset pages per column, the data scope and field permissions."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS
from crm_desktop.services.org.roles import DataScope, RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.schema import Access
from crm_desktop.services.records.schema_admin import set_field_permissions
from crm_desktop.services.sales.opportunities import (
    lose,
    opportunities,
    set_stage,
    stage_bar,
    win,
)
from crm_desktop.services.sales.opportunity_board import (
    board_groups,
    board_summary,
    column_page,
    stage_key,
)
from crm_desktop.services.sales.stages import StageGroupInput, StageInput, create_group
from tests.test_customers import ALL_SALES

SALES = {**ALL_SALES, "opportunity": RECORD_ACTIONS}


def rep(db: Database, admin: Actor, mobile: str, *, hidden: tuple[str, ...] = ()) -> Actor:
    role = roles.create_role(db, admin, RoleInput(
        name=f"销售{mobile[-2:]}", permissions=frozenset((m, a) for m, acts in SALES.items() for a in acts),
        scopes={m: DataScope.SELF for m in ("customer", "contact", "lead", "opportunity", "followup")}))
    if hidden:
        set_field_permissions(db, admin, role.id, "opportunity", {n: Access.HIDDEN for n in hidden})
    users.create_user(db, admin, UserInput(mobile=mobile, name=f"销售{mobile[-2:]}", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    return auth.login(db, mobile, "abc12345")


def test_columns_counts_amounts_and_pages(db: Database, admin: Actor) -> None:
    me, other = rep(db, admin, "13700000001"), rep(db, admin, "13700000002")
    mine = customers.create(db, me, {"name": "我的客户"})
    theirs = customers.create(db, other, {"name": "别人的客户"})
    made = [opportunities.create(db, me, {"name": f"商机{n:02d}", "customer_id": mine.id, "amount": str(100 + n)})
            for n in range(23)]
    opportunities.create(db, other, {"name": "别人的商机", "customer_id": theirs.id, "amount": "99999"})
    groups, my_group = board_groups(db, me)
    assert [g.id for g in groups] == [my_group]
    stages = stage_bar(db, me, made[0].id).stages
    first, second = stages[0].id, stages[1].id
    set_stage(db, me, made[0].id, stage_id=second)
    set_stage(db, me, made[1].id, stage_id=second)
    win(db, me, made[2].id)
    lose(db, me, made[3].id, reason="预算取消")

    board = board_summary(db, me, my_group)
    counts = {c.key: (c.count, c.amount) for c in board.columns}
    assert [c.key for c in board.columns] == [stage_key(s.id) for s in stages] + ["won", "lost"]
    assert counts[stage_key(first)] == (19, Decimal(sum(100 + n for n in range(4, 23))).quantize(Decimal("0.01")))
    assert counts[stage_key(second)] == (2, Decimal("201.00"))
    assert counts["won"] == (1, Decimal("102.00")) and counts["lost"] == (1, Decimal("103.00"))
    assert counts[stage_key(stages[2].id)] == (0, Decimal("0.00"))
    assert [c.name for c in board.columns[:2]] == [stages[0].name, stages[1].name]
    assert [c.key for c in board_summary(db, me, my_group, closed=False).columns] == [stage_key(s.id) for s in stages]
    # The whole company for the administrator (scope "all"), the other rep's included.
    assert {c.key: c.count for c in board_summary(db, admin, my_group).columns}[stage_key(first)] == 20

    # Keyset pages: the most recently changed first, never the whole column at once.
    page = column_page(db, me, my_group, stage_key(first), limit=10)
    assert len(page.rows) == 10 and page.next_cursor is not None
    seen = [r.id for r in page.rows]
    while page.next_cursor is not None:
        page = column_page(db, me, my_group, stage_key(first), after=page.next_cursor, limit=10)
        seen += [r.id for r in page.rows]
    assert len(seen) == len(set(seen)) == 19
    assert set(seen) == {o.id for o in made[4:]}
    stamps = [opportunities.get(db, me, i).updated_at for i in seen]
    assert stamps == sorted(stamps, reverse=True)
    assert [r.values["name"] for r in column_page(db, me, my_group, "won").rows] == ["商机02"]
    assert column_page(db, other, my_group, "won").rows == ()  # scope: not theirs
    with pytest.raises(ValidationError):
        column_page(db, me, my_group, "everything")
    with pytest.raises(NotFound):
        board_summary(db, me, 999_999)


def test_hidden_fields_and_permissions(db: Database, admin: Actor) -> None:
    blind = rep(db, admin, "13700000003", hidden=("amount",))
    cust = customers.create(db, blind, {"name": "客户"})
    made = opportunities.create(db, admin, {"name": "商机", "customer_id": cust.id, "amount": "500"},
                                owner_id=blind.user_id)
    _groups, group = board_groups(db, blind)
    board = board_summary(db, blind, group)
    assert all(c.amount is None for c in board.columns) and board.columns[0].count == 1
    [row] = column_page(db, blind, group, board.columns[0].key).rows
    assert row.id == made.id and "amount" not in row.values and row.values["name"] == "商机"

    no_stage = rep(db, admin, "13700000004", hidden=("stage_id",))
    with pytest.raises(RuleViolation):
        board_summary(db, no_stage, group)
    with pytest.raises(RuleViolation):
        column_page(db, no_stage, group, board.columns[0].key)

    role = roles.create_role(db, admin, RoleInput(name="只看客户", permissions=frozenset({("customer", "view")})))
    users.create_user(db, admin, UserInput(mobile="13700000005", name="王", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    nobody = auth.login(db, "13700000005", "abc12345")
    for call in (lambda: board_groups(db, nobody), lambda: board_summary(db, nobody, group),
                 lambda: column_page(db, nobody, group, "won")):
        with pytest.raises(PermissionDenied):
            call()


def test_groups_by_department(db: Database, admin: Actor) -> None:
    east = create_group(db, admin, StageGroupInput(
        name="华东项目", stages=(StageInput("立项", 20), StageInput("招投标", 50)), department_ids=(admin.department_id,)))
    off = create_group(db, admin, StageGroupInput(name="停用", stages=(StageInput("x", 1),), enabled=False))
    groups, mine = board_groups(db, admin)
    assert mine == east.id and off.id not in [g.id for g in groups] and east.id in [g.id for g in groups]
    board = board_summary(db, admin, east.id)
    assert [c.name for c in board.columns] == ["立项", "招投标", "", ""] and board.group_name == "华东项目"
