"""The view switcher above a record list: built-in views, saving, switching, the default."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records import views
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.customers import CustomersTab
from tests.ui.test_record_list_model import make_sales_user
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, tab: CustomersTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)


def open_tab(qtbot: QtBot, ctx: AppContext) -> CustomersTab:
    """A customers tab with its views and column preference loaded."""
    tab = CustomersTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    qtbot.waitUntil(lambda: tab.view_bar.ready and tab.column_control.ready, timeout=15_000)
    settle(qtbot, tab)
    return tab


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def seeded(ctx: AppContext) -> AppContext:
    for i in range(6):
        customers.create(ctx.db, ctx.actor, {"name": f"甲{i}", "level": "A" if i < 2 else "B", "industry": "it"})
    return ctx


@pytest.fixture
def tab(qtbot: QtBot, seeded: AppContext) -> Iterator[CustomersTab]:
    yield open_tab(qtbot, seeded)
    ops.wait_idle()


def combo_texts(tab: CustomersTab) -> list[str]:
    return [tab.view_bar.combo.itemText(i) for i in range(tab.view_bar.combo.count())]


def choose(qtbot: QtBot, tab: CustomersTab, key: str) -> None:
    index = tab.view_bar.combo.findData(key)
    assert index >= 0, key
    tab.view_bar.combo.setCurrentIndex(index)
    tab.view_bar.combo.activated.emit(index)
    settle(qtbot, tab)


def test_builtin_views_offered_and_all_is_default(tab: CustomersTab) -> None:
    assert combo_texts(tab) == ["All", "Mine", "My subordinates'", "My team's", "Starred"]
    assert tab.view_bar.combo.currentData() == "all"
    assert tab.model.view_key == "all" and tab.model.total == 6
    assert not tab.view_bar.delete_button.isEnabled()  # built-in views cannot be deleted


def test_starred_view_narrows_the_list(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    first = customers.visible_ids(ctx.db, ctx.actor).pop()
    views.set_star(ctx.db, ctx.actor, customers.model, first, starred=True)
    choose(qtbot, tab, "starred")
    assert tab.model.total == 1 and tab.model.record(0).id == first
    assert tab.count_label.text() == "1 customer"


def test_save_switch_back_and_default_after_reopening(qtbot: QtBot, tab: CustomersTab, seeded: AppContext) -> None:
    level_a = Filter(conditions=(Condition("level", Op.EQ, "A"),))
    tab.view_bar.apply_filter(level_a)
    settle(qtbot, tab)
    assert tab.model.total == 2 and tab.filter_button.text() == "Filter (1)"

    dialog = tab.view_bar.open_save_dialog()
    dialog.ok_button.click()  # no name: refused in the dialog, which stays open
    assert "name" in dialog.message_label.text() and dialog.isVisible()
    dialog.name_edit.setText("A 级客户")
    dialog.default_check.setChecked(True)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: tab.view_bar.combo.currentText() == "A 级客户", timeout=5_000)
    settle(qtbot, tab)
    saved = tab.view_bar.current_view()
    assert saved is not None and not saved.builtin and saved.is_default
    assert tab.model.view_key == saved.key and tab.model.total == 2
    assert tab.view_bar.delete_button.isEnabled()

    choose(qtbot, tab, "all")
    assert tab.model.total == 6 and tab.model.filter == Filter() and tab.filter_button.text() == "Filter"
    choose(qtbot, tab, saved.key)
    assert tab.model.total == 2 and tab.filter_button.text() == "Filter (1)"

    again = open_tab(qtbot, seeded)  # the default view opens with the tab
    assert again.view_bar.combo.currentText() == "A 级客户"
    assert again.model.view_key == saved.key and again.model.total == 2
    assert {again.model.record(r).values["level"] for r in range(again.model.rowCount())} == {"A"}


def test_editing_a_saved_views_filter_can_widen_it(qtbot: QtBot, tab: CustomersTab, seeded: AppContext) -> None:
    saved = views.save_view(seeded.db, seeded.actor, "customer", views.ViewInput(
        name="A", filter=Filter(conditions=(Condition("level", Op.EQ, "A"),))), model=customers.model)
    tab.view_bar.load(select_key=saved.key)
    qtbot.waitUntil(lambda: tab.model.view_key == saved.key, timeout=5_000)
    settle(qtbot, tab)
    assert tab.model.total == 2 and not tab.view_bar.modified_label.isVisible()
    tab.view_bar.apply_filter(Filter(conditions=(Condition("industry", Op.EQ, "it"),)))
    settle(qtbot, tab)
    assert tab.model.total == 6  # not "level A and industry it"
    assert tab.view_bar.modified_label.isVisibleTo(tab)
    tab.clear_filter()
    settle(qtbot, tab)
    assert tab.model.total == 6 and not tab.clear_filter_button.isVisibleTo(tab)


def test_delete_own_view(qtbot: QtBot, tab: CustomersTab, seeded: AppContext) -> None:
    saved = views.save_view(seeded.db, seeded.actor, "customer", views.ViewInput(
        name="B", filter=Filter(conditions=(Condition("level", Op.EQ, "B"),))), model=customers.model)
    tab.view_bar.load(select_key=saved.key)
    qtbot.waitUntil(lambda: tab.view_bar.combo.currentText() == "B", timeout=5_000)
    settle(qtbot, tab)
    assert tab.model.total == 4
    box = tab.view_bar.ask_delete()
    assert box is not None
    box.done(QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: "B" not in combo_texts(tab), timeout=5_000)
    settle(qtbot, tab)
    assert tab.view_bar.combo.currentData() == "all" and tab.model.total == 6
    assert [v.key for v in views.list_views(seeded.db, seeded.actor, "customer") if not v.builtin] == []


def test_views_are_per_user(qtbot: QtBot, seeded: AppContext) -> None:
    views.save_view(seeded.db, seeded.actor, "customer", views.ViewInput(name="管理员的", is_default=True),
                    model=customers.model)
    sales = make_sales_user(seeded.db, seeded.actor)
    tab = open_tab(qtbot, seeded.with_actor(sales))
    assert "管理员的" not in combo_texts(tab) and tab.view_bar.combo.currentData() == "all"
    assert tab.model.total == 0  # the sales user's scope is "self"
    ops.wait_idle()
