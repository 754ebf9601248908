"""The customers tab's "More" menu (customer_actions.py): star, lock and deal status, driven
through the menu's actions on a fresh SQLite database and checked through the services."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.customer_actions import STAR
from crm_desktop.ui.records.lists.customers import CustomersTab
from tests.ui.test_record_list_model import make_sales_user
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, tab: CustomersTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Iterator[CustomersTab]:
    widget = CustomersTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 700)
    settle(qtbot, widget)
    yield widget
    ops.wait_idle()


def add(ctx: AppContext, name: str) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": name})


def select(qtbot: QtBot, tab: CustomersTab, *records: RecordDTO) -> None:
    qtbot.waitUntil(lambda: all(tab.model.row_of(r.id) is not None for r in records), timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([r.id for r in records])
    assert set(tab.selected_ids()) == {r.id for r in records}


def shown(tab: CustomersTab, record: RecordDTO, field: str) -> str:
    row = tab.model.row_of(record.id)
    assert row is not None
    return tab.display_text(row, field)


def test_star_shows_a_mark_and_the_starred_view(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    a, b = add(ctx, "甲公司"), add(ctx, "乙公司")
    select(qtbot, tab, a)
    actions = tab.actions
    assert actions.button.isEnabled()
    assert actions.star_action.isEnabled() and not actions.unstar_action.isEnabled()
    actions.star_action.trigger()
    qtbot.waitUntil(lambda: tab.message_label.text() == "Starred: 1", timeout=5_000)
    assert customer_ops.starred_ids(ctx.db, ctx.actor) == {a.id}
    starred_view = customers.list_page(ctx.db, ctx.actor, view="starred")
    assert [r.id for r in starred_view.rows] == [a.id]
    assert shown(tab, a, "name") == f"{STAR} 甲公司" and shown(tab, b, "name") == "乙公司"
    # The list's own "Starred" view shows it.
    tab.model.set_view("starred")
    qtbot.waitUntil(lambda: tab.model.total == 1 and tab.model.rowCount() == 1, timeout=5_000)
    assert tab.model.record(0).id == a.id
    tab.model.set_view("all")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=5_000)
    # After the list reloads the mark is read back from the database.
    tab.model.refresh()
    settle(qtbot, tab)
    qtbot.waitUntil(lambda: shown(tab, a, "name") == f"{STAR} 甲公司", timeout=5_000)
    tab.select_ids([a.id])
    assert not actions.star_action.isEnabled() and actions.unstar_action.isEnabled()
    actions.unstar_action.trigger()
    qtbot.waitUntil(lambda: tab.message_label.text() == "Unstarred: 1", timeout=5_000)
    assert customer_ops.starred_ids(ctx.db, ctx.actor) == set()
    assert shown(tab, a, "name") == "甲公司"


def test_star_of_another_user_is_not_shown(qtbot: QtBot, ctx: AppContext) -> None:
    record = add(ctx, "甲公司")
    sales = make_sales_user(ctx.db, ctx.actor)
    customers.transfer(ctx.db, ctx.actor, [record.id], new_owner_id=sales.user_id)
    customer_ops.set_star(ctx.db, sales, record.id, starred=True)
    widget = CustomersTab(ctx)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.row_of(record.id) is not None, timeout=5_000)
    settle(qtbot, widget)
    assert shown(widget, record, "name") == "甲公司"  # stars are personal
    ops.wait_idle()


def test_lock_and_unlock(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    a, b = add(ctx, "甲公司"), add(ctx, "乙公司")
    select(qtbot, tab, a, b)
    actions = tab.actions
    assert actions.lock_action.isEnabled() and not actions.unlock_action.isEnabled()
    actions.lock_action.trigger()
    qtbot.waitUntil(lambda: tab.message_label.text() == "Locked: 2", timeout=5_000)
    assert all(customers.get(ctx.db, ctx.actor, r.id).values["locked"] for r in (a, b))
    qtbot.waitUntil(lambda: shown(tab, a, "locked") == "✓", timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([a.id])
    assert not actions.lock_action.isEnabled() and actions.unlock_action.isEnabled()
    actions.unlock_action.trigger()
    qtbot.waitUntil(lambda: tab.message_label.text() == "Unlocked: 1", timeout=5_000)
    assert not customers.get(ctx.db, ctx.actor, a.id).values["locked"]
    assert customers.get(ctx.db, ctx.actor, b.id).values["locked"]
    assert [e.action for e in customers.operation_log(ctx.db, ctx.actor, a.id)][-2:] == ["lock", "unlock"]
    qtbot.waitUntil(lambda: shown(tab, a, "locked") == "", timeout=5_000)


def test_deal_status(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    a, b = add(ctx, "甲公司"), add(ctx, "乙公司")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=5_000)
    assert shown(tab, a, "deal_status") == "No deal"
    select(qtbot, tab, a, b)
    actions = tab.actions
    assert [a.text() for a in actions.deal_menu.actions()] == ["No deal", "Deal"]
    assert actions.deal_actions["none"].isChecked()
    actions.deal_actions["deal"].trigger()
    qtbot.waitUntil(lambda: tab.message_label.text() == "Deal status set to “Deal”: 2", timeout=5_000)
    for record in (a, b):
        stored = customers.get(ctx.db, ctx.actor, record.id).values
        assert stored["deal_status"] == "deal" and stored["last_deal_at"] is not None
    qtbot.waitUntil(lambda: shown(tab, a, "deal_status") == "Deal", timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([a.id, b.id])
    assert actions.deal_actions["deal"].isChecked() and not actions.deal_actions["none"].isChecked()


def test_menu_follows_permissions_and_selection(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    assert not tab.actions.button.isEnabled()  # nothing selected
    viewer = make_sales_user(ctx.db, ctx.actor, actions=("view",))
    record = customers.create(ctx.db, ctx.actor, {"name": "甲公司"}, owner_id=viewer.user_id)
    widget = CustomersTab(ctx.with_actor(viewer))
    qtbot.addWidget(widget)
    select(qtbot, widget, record)
    actions = widget.actions
    # A viewer may star (it is personal) but neither lock nor set the deal status.
    assert actions.button.isEnabled() and actions.star_action.isEnabled()
    assert not actions.lock_action.isVisible() and not actions.lock_action.isEnabled()
    assert not actions.unlock_action.isVisible()
    assert not actions.deal_menu.menuAction().isVisible() and not actions.deal_menu.isEnabled()
    assert tab.actions.lock_action.isVisible() and tab.actions.deal_menu.menuAction().isVisible()
    ops.wait_idle()


def test_marks_follow_their_column_when_columns_change(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    record = add(ctx, "甲公司")
    customer_ops.set_star(ctx.db, ctx.actor, record.id, starred=True)
    customer_ops.lock(ctx.db, ctx.actor, [record.id])
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=5_000)
    settle(qtbot, tab)

    def painted(field: str) -> str:
        column = tab.model.column_of(field)
        assert column is not None
        option = QStyleOptionViewItem()
        tab.view.itemDelegate().initStyleOption(option, tab.model.index(0, column))
        return option.text

    qtbot.waitUntil(lambda: painted("name") == f"{STAR} 甲公司", timeout=5_000)
    assert painted("locked") == "✓" and painted("deal_status") == "No deal"
    # The user puts other columns first: the marks stay with their fields.
    columns = tab.model.columns
    tab.model.set_columns([c for c in columns if c.field in ("owner_name", "locked")]
                          + [c for c in columns if c.field not in ("owner_name", "locked")])
    qtbot.waitUntil(lambda: painted("name") == f"{STAR} 甲公司", timeout=5_000)
    assert painted("locked") == "✓" and painted("owner_name") == ctx.actor.name


def test_put_in_pool_from_the_list_and_claim_it_back(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    """The pool round trip through the widgets: More → Put in public pool…, then Claim."""
    from PySide6.QtWidgets import QDialogButtonBox

    from crm_desktop.services.customers import pool
    from crm_desktop.services.customers.pool import PoolInput, PoolMemberInput
    from crm_desktop.ui.records.lists.pool import PoolTab

    east = pool.create_pool(ctx.db, ctx.actor, PoolInput(name="华东公海", members=(
        PoolMemberInput(user_id=ctx.actor.user_id, is_admin=True),)))
    keep, give_up, locked = add(ctx, "留着的公司"), add(ctx, "放弃的公司"), add(ctx, "锁定的公司")
    customer_ops.lock(ctx.db, ctx.actor, [locked.id])
    select(qtbot, tab, locked)
    tab.actions.update_actions()
    assert not tab.actions.pool_action.isEnabled()  # locked customers stay with their owner
    select(qtbot, tab, give_up)
    tab.actions.update_actions()
    assert tab.actions.pool_action.isVisible() and tab.actions.pool_action.isEnabled()
    tab.actions.pool_action.trigger()
    dialog = tab.actions.pool_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.is_ready, timeout=5_000)
    dialog.reason_edit.setPlainText("预算取消，暂无需求")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: tab.model.row_of(give_up.id) is None and not tab.model.is_loading(), timeout=5_000)
    assert "1" in tab.message_label.text()
    assert tab.model.row_of(keep.id) is not None
    assert [c.id for c in pool.list_pool_customers(ctx.db, ctx.actor, east.id).rows] == [give_up.id]

    pool_tab = PoolTab(ctx)
    qtbot.addWidget(pool_tab)
    qtbot.waitUntil(lambda: pool_tab.model.rowCount() == 1 and ops.running_count() == 0, timeout=5_000)
    pool_tab.view.selectRow(0)
    pool_tab.claim_button.click()
    qtbot.waitUntil(lambda: tab.model.row_of(give_up.id) is not None, timeout=5_000)
    assert customers.get(ctx.db, ctx.actor, give_up.id).owner_id == ctx.actor.user_id
