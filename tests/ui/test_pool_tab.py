"""The public pool tab and its dialogs, driven as a user would, on a fresh SQLite database.

The last test checks the pool service's reads added for these screens (put-in targets, the
owned count, the reason column) on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid
from sqlalchemy import update

from crm_desktop.db import Database
from crm_desktop.models import Customer, utcnow
from crm_desktop.services.customers import jobs, pool
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.pool import (
    PoolInput,
    PoolMemberInput,
    PoolRuleInput,
)
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.uow import unit_of_work
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.records.lists.pool import PoolCustomerModel, PoolTab
from crm_desktop.ui.records.lists.pool_dialogs import put_in_pool
from crm_desktop.ui.records.shared.list_model import ColumnSpec
from tests.ui_helpers import admin_context

PASSWORD = "sales1234"
SALES = frozenset({("customer", a) for a in ("view", "create", "edit", "put_in_pool")}
                  | {("pool", a) for a in ("view", "claim")})


def make_user(db: Database, admin: Actor, mobile: str, name: str, *,
              perms: frozenset[tuple[str, str]] = SALES) -> Actor:
    role = roles.create_role(db, admin, roles.RoleInput(name=f"r{mobile}", permissions=perms,
                                                        scopes={"customer": DataScope.SELF}))
    users.create_user(db, admin, users.UserInput(mobile=mobile, name=name, department_id=admin.department_id,
                                                 role_ids=(role.id,)), password=PASSWORD)
    return auth.login(db, mobile, PASSWORD)


def pooled(ctx: AppContext, pool_id: int, *names: str) -> list[int]:
    """Customers the administrator creates and puts into the pool."""
    ids = [customers.create(ctx.db, ctx.actor, {"name": n, "level": "A"}).id for n in names]
    pool.put_many_in_pool(ctx.db, ctx.actor, ids, pool_id=pool_id, reason="无人跟进")
    return ids


def settle(qtbot: QtBot, tab: PoolTab) -> None:
    qtbot.waitUntil(lambda: not tab.is_loading() and ops.running_count() == 0, timeout=15_000)


def shown_ids(tab: PoolTab) -> list[int]:
    return [tab.model.customer(r).id for r in range(tab.model.rowCount())]


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def rep(ctx: AppContext) -> Actor:
    return make_user(ctx.db, ctx.actor, "13900000001", "李销售")


def open_tab(qtbot: QtBot, ctx: AppContext, actor: Actor) -> PoolTab:
    tab = PoolTab(make_context(ctx.db, actor))
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    settle(qtbot, tab)
    return tab


@pytest.fixture(autouse=True)
def _idle() -> Iterator[None]:
    yield
    ops.wait_idle()


def test_member_claims_a_customer(qtbot: QtBot, ctx: AppContext, rep: Actor) -> None:
    p = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="华东公海", daily_claim_limit=2,
                                                      members=(PoolMemberInput(user_id=rep.user_id),)))
    first, second, third = pooled(ctx, p.id, "厦门甲公司", "厦门乙公司", "厦门丙公司")
    tab = open_tab(qtbot, ctx, rep)
    assert sorted(shown_ids(tab)) == [first, second, third]
    assert tab.count_label.text() == "3 customers in this pool"
    assert tab.quota_label.text() == "Claimed today: 0 / 2    Owned customers: 0 / no limit"
    row = tab.model.row_of(first)
    assert row is not None
    assert tab.model.text(tab.model.customer(row), "previous_owner_name") == "管理员"
    assert tab.model.text(tab.model.customer(row), "reason") == "无人跟进"
    assert not tab.assign_button.isVisible()  # not an administrator of this pool
    assert not tab.claim_button.isEnabled()  # nothing selected

    tab.select_ids([first])
    with qtbot.waitSignal(tab.ctx.signals.changed, check_params_cb=lambda e, i: (e, i) == ("customer", first)):
        tab.claim_button.click()
    qtbot.waitUntil(lambda: tab.model.row_of(first) is None, timeout=5_000)
    settle(qtbot, tab)
    assert customers.get(ctx.db, rep, first).owner_id == rep.user_id
    assert sorted(shown_ids(tab)) == [second, third]
    assert tab.message.isVisible() and tab.message.text() == "Claimed: 1. These customers are yours now."
    assert tab.quota_label.text() == "Claimed today: 1 / 2    Owned customers: 1 / no limit"
    # A customer put in elsewhere (another window, another PC) shows up by itself.
    [fourth] = pooled(ctx, p.id, "厦门丁公司")
    qtbot.waitUntil(lambda: tab.model.row_of(fourth) is not None, timeout=5_000)


def test_pool_list_reads_levels_as_the_customer_list(qtbot: QtBot, ctx: AppContext, rep: Actor) -> None:
    """"A（重点客户）" in both lists, not "A" in the pool (the dictionary's label)."""
    from crm_desktop.ui.records.lists.customers import CustomersTab

    p = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="华东公海", members=(PoolMemberInput(user_id=rep.user_id),)))
    [pooled_id] = pooled(ctx, p.id, "厦门甲公司")
    kept = customers.create(ctx.db, ctx.actor, {"name": "厦门乙公司", "level": "A"})
    customers_tab = CustomersTab(ctx)
    qtbot.addWidget(customers_tab)
    model = customers_tab.model
    level = model.column_of("level")
    assert level is not None
    qtbot.waitUntil(lambda: model.row_of(kept.id) is not None
                    and model.data(model.index(model.row_of(kept.id), level)) != "A", timeout=5_000)
    in_list = model.data(model.index(model.row_of(kept.id), level))
    tab = open_tab(qtbot, ctx, rep)
    row, column = tab.model.row_of(pooled_id), tab.model.column_of("level")
    assert row is not None and column is not None
    qtbot.waitUntil(lambda: tab.model.data(tab.model.index(row, column)) != "A", timeout=5_000)
    assert tab.model.data(tab.model.index(row, column)) == in_list
    assert in_list.startswith("A") and in_list != "A"


def test_claiming_beyond_the_daily_limit_is_refused(qtbot: QtBot, ctx: AppContext, rep: Actor) -> None:
    p = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="华东公海", daily_claim_limit=1,
                                                      members=(PoolMemberInput(user_id=rep.user_id),)))
    ids = pooled(ctx, p.id, "厦门甲公司", "厦门乙公司")
    tab = open_tab(qtbot, ctx, rep)
    tab.select_ids(ids)
    assert tab.claim_button.text() == "Claim (2)"
    tab.claim_button.click()
    qtbot.waitUntil(lambda: tab.message.isVisible(), timeout=5_000)
    settle(qtbot, tab)
    assert tab.message.property("tone") == "error"
    assert tab.message.text() == "You may claim 1 customers a day from this pool and have 1 left today."
    assert sorted(shown_ids(tab)) == sorted(ids)
    assert sorted(tab.selected_ids()) == sorted(ids)  # still selected after the refresh
    assert sorted(c.id for c in pool.list_pool_customers(ctx.db, rep, p.id).rows) == sorted(ids)


def test_a_user_without_pool_sees_why(qtbot: QtBot, ctx: AppContext, rep: Actor) -> None:
    pool.create_pool(ctx.db, ctx.actor, PoolInput(name="别人的公海", members=(PoolMemberInput(user_id=ctx.actor.user_id),)))
    tab = open_tab(qtbot, ctx, rep)
    assert tab.stack.currentWidget() is tab.empty_label
    assert "not a member of any public pool" in tab.empty_label.text()
    assert tab.pool_combo.count() == 0 and tab.quota_label.text() == ""


def test_pool_administrator_assigns(qtbot: QtBot, ctx: AppContext, rep: Actor) -> None:
    boss = make_user(ctx.db, ctx.actor, "13900000002", "王经理", perms=SALES | {("pool", "assign")})
    p = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="华东公海", daily_claim_limit=1, members=(
        PoolMemberInput(user_id=boss.user_id, is_admin=True), PoolMemberInput(user_id=rep.user_id))))
    ids = pooled(ctx, p.id, "厦门甲公司", "厦门乙公司")
    tab = open_tab(qtbot, ctx, boss)
    assert tab.assign_button.isVisible()
    tab.select_ids(ids)
    tab.assign_button.click()
    qtbot.waitUntil(lambda: tab.assign_dialog is not None and tab.assign_dialog.isVisible(), timeout=5_000)
    dialog = tab.assign_dialog
    assert dialog is not None
    dialog.select_user(rep.user_id)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=5_000)
    settle(qtbot, tab)
    # The claim limit (1 a day) does not bind an administrator's assignment.
    assert [customers.get(ctx.db, rep, i).owner_id for i in ids] == [rep.user_id, rep.user_id]
    assert tab.message.text() == "Assigned: 2."


def test_put_in_pool_needs_a_reason(qtbot: QtBot, ctx: AppContext, rep: Actor) -> None:
    disabled = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="停用公海", enabled=False,
                                                             members=(PoolMemberInput(user_id=rep.user_id),)))
    p = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="华东公海", members=(PoolMemberInput(user_id=rep.user_id),)))
    rep_ctx = make_context(ctx.db, rep)
    ids = [customers.create(ctx.db, rep, {"name": n}).id for n in ("厦门甲公司", "厦门乙公司")]
    parent = QWidget()
    qtbot.addWidget(parent)
    done: list[int] = []
    dialog = put_in_pool(parent, rep_ctx, ids, done.append)
    qtbot.waitUntil(dialog.is_ready, timeout=5_000)
    assert [dialog.pool_combo.itemData(i) for i in range(dialog.pool_combo.count())] == [p.id]
    assert disabled.id != p.id
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.field_error("reason")), timeout=5_000)
    assert dialog.errors.field_error("reason") == "Give a reason."
    assert dialog.isVisible() and done == []
    assert customers.get(ctx.db, rep, ids[0]).owner_id == rep.user_id

    dialog.reason_edit.setPlainText("客户已转向竞争对手")
    ok.click()
    qtbot.waitUntil(lambda: done == [2], timeout=5_000)
    assert not isValid(dialog) or not dialog.isVisible()
    page = pool.list_pool_customers(ctx.db, rep, p.id)
    assert sorted(c.id for c in page.rows) == sorted(ids)
    assert {c.reason for c in page.rows} == {"客户已转向竞争对手"}


def test_pool_model_reads_page_by_page(qtbot: QtBot, ctx: AppContext) -> None:
    p = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="华东公海", members=(PoolMemberInput(user_id=ctx.actor.user_id),)))
    ids = pooled(ctx, p.id, *(f"客户{i}" for i in range(7)))
    model = PoolCustomerModel(ctx, (ColumnSpec("name", "Name"),), page_size=3)
    model.set_pool(p.id)
    qtbot.waitUntil(lambda: not model.is_loading() and model.total == 7, timeout=5_000)
    assert model.rowCount() == 3 and model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 6, timeout=5_000)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 7, timeout=5_000)
    assert not model.canFetchMore()
    assert sorted(model.customer(r).id for r in range(7)) == sorted(ids)
    model.set_search("客户3")
    qtbot.waitUntil(lambda: not model.is_loading() and model.rowCount() == 1 and model.total == 1, timeout=5_000)


def test_service_reads_for_the_pool_screens(db: Database, admin: Actor) -> None:
    """put_targets, member_pools' owned count and the reason of put and recycled customers."""
    p = pool.create_pool(db, admin, PoolInput(name="B公海", members=(PoolMemberInput(user_id=admin.user_id),),
                                              rules=(PoolRuleInput("no_followup", 30),)))
    off = pool.create_pool(db, admin, PoolInput(name="A公海", enabled=False,
                                                members=(PoolMemberInput(user_id=admin.user_id),)))
    assert [t.id for t in pool.put_targets(db, admin)] == [p.id]
    kept, given, quiet = (customers.create(db, admin, {"name": n}).id for n in ("甲", "乙", "丙"))
    pool.put_in_pool(db, admin, given, pool_id=p.id, reason="不再跟进")
    with unit_of_work(db, None) as uow:
        uow.session.execute(update(Customer).where(Customer.id == quiet).values(
            created_at=utcnow() - dt.timedelta(days=60), last_followup_at=None))
    jobs.run_recycle(db)
    reasons = {c.id: c.reason for c in pool.list_pool_customers(db, admin, p.id).rows}
    assert reasons == {given: "不再跟进", quiet: "no_followup"}
    assert {m.id: m.owned for m in pool.member_pools(db, admin)} == {p.id: 1, off.id: 1}
    assert customers.get(db, admin, kept).owner_id == admin.user_id


def test_someone_else_claimed_it_first(qtbot: QtBot, ctx: AppContext, rep: Actor) -> None:
    other = make_user(ctx.db, ctx.actor, "13900000003", "赵销售")
    p = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="华东公海", members=(
        PoolMemberInput(user_id=rep.user_id), PoolMemberInput(user_id=other.user_id))))
    [gone] = pooled(ctx, p.id, "厦门甲公司")
    tab = open_tab(qtbot, ctx, rep)
    tab.select_ids([gone])
    pool.claim(ctx.db, other, [gone], pool_id=p.id)  # before the tab has heard of it
    tab.claim_button.click()
    qtbot.waitUntil(lambda: tab.message.isVisible(), timeout=5_000)
    settle(qtbot, tab)
    assert tab.message.text() == "A customer you chose has already been claimed or is no longer in this pool."
    assert tab.model.rowCount() == 0
    assert customers.get(ctx.db, other, gone).owner_id == other.user_id
