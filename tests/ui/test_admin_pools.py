"""The public pool administration page: list, the pool dialog, validation beside the fields."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QSpinBox, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers import pool
from crm_desktop.services.customers.pool import (
    PoolInput,
    PoolMemberInput,
    PoolRuleInput,
)
from crm_desktop.services.org import departments, users
from crm_desktop.services.org.users import UserDTO, UserInput
from crm_desktop.ui.admin.pools import PoolDialog, PoolsPage
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, page: PoolsPage | None = None) -> None:
    qtbot.waitUntil(lambda: running_count() == 0 and not (page and page.is_loading()), timeout=15_000)


def ok(dialog: PoolDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def closed(dialog: QWidget) -> bool:
    return not isValid(dialog) or not dialog.isVisible()


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def rep(ctx: AppContext) -> UserDTO:
    return users.create_user(ctx.db, ctx.actor, UserInput(mobile="13900000002", name="李小明",
                                                          department_id=ctx.actor.department_id), password="abc12345")


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext, rep: UserDTO) -> Iterator[PoolsPage]:
    widget = PoolsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    settle(qtbot, widget)
    yield widget
    settle(qtbot)


def rule_cells(dialog: PoolDialog, row: int) -> tuple[QComboBox, QSpinBox, QComboBox]:
    kinds, days, level = (dialog.rules.table.cellWidget(row, c) for c in range(3))
    assert isinstance(kinds, QComboBox) and isinstance(days, QSpinBox) and isinstance(level, QComboBox)
    return kinds, days, level


def test_admin_creates_a_pool(qtbot: QtBot, page: PoolsPage, ctx: AppContext, rep: UserDTO) -> None:
    east = departments.create_department(ctx.db, ctx.actor, "华东区", parent_id=ctx.actor.department_id)
    page.reload()  # written behind the page's back: nothing announced it
    settle(qtbot, page)
    dialog = page.new_pool()
    dialog.name_edit.setFocus()
    dialog.name_edit.insert("华东公海")
    dialog.members.set_member(user_id=rep.id, admin=True)
    dialog.members.set_member(department_id=east.id)
    dialog.limit_spin.setValue(5)
    dialog.cooldown_spin.setValue(7)
    row = dialog.rules.add_rule()
    kinds, days, level = rule_cells(dialog, row)
    kinds.setCurrentIndex(kinds.findData("no_deal"))
    days.setValue(45)
    level.setCurrentIndex(level.findData("A"))
    ok(dialog)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    settle(qtbot, page)
    [made] = pool.list_pools(ctx.db, ctx.actor)
    assert (made.name, made.daily_claim_limit, made.reclaim_cooldown_days, made.owned_cap) == ("华东公海", 5, 7, 0)
    assert {(m.user_id, m.department_id, m.is_admin) for m in made.members} == {
        (rep.id, None, True), (None, east.id, False)}
    assert [(r.kind, r.days, r.levels, r.enabled) for r in made.rules] == [("no_deal", 45, ("A",), True)]
    assert page.table.rowCount() == 1 and page.selected_id() == made.id
    assert page.table.item(0, 0).text() == "华东公海"
    assert page.table.item(0, 6).text() == "No deal for 45 days (A)"


def test_errors_appear_beside_the_fields(qtbot: QtBot, page: PoolsPage, ctx: AppContext) -> None:
    dialog = page.new_pool()
    dialog.remind_spin.setValue(30)
    dialog.rules.add_rule(days=30)
    ok(dialog)
    qtbot.waitUntil(lambda: bool(dialog.errors.field_error("name")), timeout=5_000)
    assert dialog.isVisible()
    assert dialog.errors.field_error("name") == "Required."
    assert dialog.errors.field_error("members") == "Add at least one member: a user or a department."
    assert dialog.errors.field_error("remind_days") == "Remind fewer days ahead than the shortest recycle rule."
    assert pool.list_pools(ctx.db, ctx.actor) == []
    dialog.reject()


def test_edit_keeps_and_changes_settings(qtbot: QtBot, page: PoolsPage, ctx: AppContext, rep: UserDTO) -> None:
    made = pool.create_pool(ctx.db, ctx.actor, PoolInput(
        name="华南公海", daily_claim_limit=3, owned_cap=50, members=(PoolMemberInput(user_id=rep.id),),
        rules=(PoolRuleInput("no_followup", 30, ("B",)), PoolRuleInput("no_deal", 90, enabled=False))))
    page.reload()
    settle(qtbot, page)
    assert page.select(made.id)
    dialog = page.edit_selected()
    assert dialog is not None
    assert (dialog.name_edit.text(), dialog.limit_spin.value(), dialog.cap_spin.value()) == ("华南公海", 3, 50)
    item = dialog.members.items[("u", rep.id)]
    assert item.checkState(0) == Qt.CheckState.Checked and item.checkState(1) == Qt.CheckState.Unchecked
    # Ticking "administrator" makes a member; unticking "member" drops the administrator too.
    item.setCheckState(1, Qt.CheckState.Checked)
    assert item.checkState(0) == Qt.CheckState.Checked
    assert dialog.rules.rules() == (PoolRuleInput("no_followup", 30, ("B",)),
                                    PoolRuleInput("no_deal", 90, (), enabled=False))
    dialog.rules.table.selectRow(1)
    dialog.rules.remove_current()
    dialog.cap_spin.setValue(0)
    ok(dialog)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    settle(qtbot, page)
    saved = pool.get_pool(ctx.db, ctx.actor, made.id)
    assert saved.owned_cap == 0 and [r.kind for r in saved.rules] == ["no_followup"]
    assert [(m.user_id, m.is_admin) for m in saved.members] == [(rep.id, True)]
    assert page.table.item(0, 5).text() == "No cap"
