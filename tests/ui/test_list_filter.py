"""The advanced filter editor, driven through its widgets against a real database."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QListWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import roles
from crm_desktop.services.records import schema_admin
from crm_desktop.services.records.filters import Op
from crm_desktop.services.records.schema import Access, FieldType
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.customers import CustomersTab
from crm_desktop.ui.records.shared.filter_editor import ConditionRow, FilterEditor
from tests.ui.test_list_views import ctx, open_tab, settle  # noqa: F401 - fixture
from tests.ui.test_record_list_model import make_sales_user


@pytest.fixture
def points(ctx: AppContext) -> str:  # noqa: F811
    """A custom integer field "积分" on customers; returns its field name."""
    spec = schema_admin.create_custom_field(ctx.db, ctx.actor, "customer",
                                      schema_admin.CustomFieldInput(label="积分", type=FieldType.INTEGER))
    return spec.name


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext, points: str) -> Iterator[CustomersTab]:  # noqa: F811
    rows = [("甲", "A", "it", 10), ("乙", "A", "finance", 50), ("丙", "B", "it", 90), ("丁", "C", "retail", None)]
    for name, level, industry, score in rows:
        values = {"name": name, "level": level, "industry": industry}
        if score is not None:
            values[points] = score
        customers.create(ctx.db, ctx.actor, values)
    yield open_tab(qtbot, ctx)
    ops.wait_idle()


def open_editor(qtbot: QtBot, tab: CustomersTab) -> FilterEditor:
    tab.filter_button.click()
    editor = tab.filter_editor
    assert editor is not None
    qtbot.waitUntil(lambda: editor.ready, timeout=5_000)
    return editor


def set_row(row: ConditionRow, field: str, op: Op) -> None:
    row.field_combo.setCurrentIndex(row.field_combo.findData(field))
    row.op_combo.setCurrentIndex(row.op_combo.findData(op.value))


def shown_names(tab: CustomersTab) -> set[str]:
    return {str(tab.model.record(r).values["name"]) for r in range(tab.model.rowCount())}


def test_filter_narrows_list_and_count_and_reopens(qtbot: QtBot, tab: CustomersTab) -> None:
    assert tab.model.total == 4 and tab.filter_button.text() == "Filter"
    assert not tab.clear_filter_button.isVisibleTo(tab)
    editor = open_editor(qtbot, tab)
    assert editor.isVisible() and not editor.isModal()
    row = editor.rows[0]
    set_row(row, "level", Op.EQ)
    [level] = row.editors
    assert isinstance(level, QComboBox)  # options from the "customer_level" dictionary
    level.setCurrentIndex(level.findData("A"))
    second = editor.add_row()
    set_row(second, "industry", Op.EQ)
    [industry] = second.editors
    assert isinstance(industry, QComboBox) and industry.findText("IT/互联网") >= 0
    industry.setCurrentIndex(industry.findData("it"))
    editor.apply_button.click()
    qtbot.waitUntil(lambda: not isValid(editor) or not editor.isVisible(), timeout=5_000)
    settle(qtbot, tab)
    assert shown_names(tab) == {"甲"} and tab.model.total == 1 and tab.count_label.text() == "1 customer"
    assert tab.filter_button.text() == "Filter (2)" and tab.clear_filter_button.isVisibleTo(tab)

    again = open_editor(qtbot, tab)  # shows the conditions in force
    assert [(r.spec.name, r.op) for r in again.rows] == [("level", Op.EQ), ("industry", Op.EQ)]
    assert again.rows[0].editors[0].currentData() == "A"  # type: ignore[attr-defined]
    again.match_combo.setCurrentIndex(again.match_combo.findData("any"))
    again.apply_button.click()
    qtbot.waitUntil(lambda: tab.model.filter.match == "any", timeout=5_000)
    settle(qtbot, tab)
    assert shown_names(tab) == {"甲", "乙", "丙"}

    tab.clear_filter_button.click()
    settle(qtbot, tab)
    assert tab.model.total == 4 and tab.filter_button.text() == "Filter"


def test_bad_number_is_explained_and_nothing_typed_is_lost(qtbot: QtBot, tab: CustomersTab, points: str) -> None:
    editor = open_editor(qtbot, tab)
    row = editor.rows[0]
    set_row(row, points, Op.BETWEEN)
    low, high = row.editors
    assert isinstance(low, QLineEdit) and isinstance(high, QLineEdit)
    low.setText("20")
    high.setText("九十")
    editor.apply_button.click()
    assert "Condition 1" in editor.message_label.text() and "九十" in editor.message_label.text()
    assert editor.isVisible() and high.text() == "九十" and low.text() == "20"
    assert tab.model.filter.conditions == ()  # the list did not change
    high.setText("90")
    editor.apply_button.click()
    qtbot.waitUntil(lambda: len(tab.model.filter.conditions) == 1, timeout=5_000)
    settle(qtbot, tab)
    assert shown_names(tab) == {"乙", "丙"} and tab.model.total == 2


def test_is_one_of_and_empty(qtbot: QtBot, tab: CustomersTab, points: str) -> None:
    editor = open_editor(qtbot, tab)
    row = editor.rows[0]
    set_row(row, "industry", Op.IN)
    [box] = row.editors
    assert isinstance(box, QListWidget)
    for i in range(box.count()):
        if box.item(i).data(Qt.ItemDataRole.UserRole) in ("finance", "retail"):
            box.item(i).setCheckState(Qt.CheckState.Checked)
    empty = editor.add_row()
    set_row(empty, points, Op.EMPTY)
    assert empty.editors == []
    extra = editor.add_row()
    extra.remove_button.click()
    assert editor.rows == [row, empty]
    editor.apply_button.click()
    qtbot.waitUntil(lambda: len(tab.model.filter.conditions) == 2, timeout=5_000)
    settle(qtbot, tab)
    assert shown_names(tab) == {"丁"}


def test_created_between_days(qtbot: QtBot, tab: CustomersTab) -> None:
    editor = open_editor(qtbot, tab)
    row = editor.rows[0]
    set_row(row, "created_at", Op.BETWEEN)
    start, end = row.editors
    assert isinstance(start, QDateEdit) and isinstance(end, QDateEdit)
    today = dt.date.today()
    start.setDate(QDate(today.year, today.month, today.day).addDays(-1))
    end.setDate(QDate(today.year, today.month, today.day))
    editor.apply_button.click()
    qtbot.waitUntil(lambda: len(tab.model.filter.conditions) == 1, timeout=5_000)
    settle(qtbot, tab)
    assert tab.model.total == 4
    again = open_editor(qtbot, tab)
    first, last = again.rows[0].editors
    assert isinstance(last, QDateEdit) and last.date().toPython() == today
    set_row(again.rows[0], "created_at", Op.LT)  # before today: nothing was created then
    again.apply_button.click()
    qtbot.waitUntil(lambda: tab.model.filter.conditions[0].op is Op.LT, timeout=5_000)
    settle(qtbot, tab)
    assert tab.model.total == 0


def test_hidden_field_is_not_offered(qtbot: QtBot, ctx: AppContext, points: str) -> None:  # noqa: F811
    sales = make_sales_user(ctx.db, ctx.actor)
    [role] = [r for r in roles.list_roles(ctx.db, ctx.actor) if r.name == "Sales 13900000001"]
    schema_admin.set_field_permissions(ctx.db, ctx.actor, role.id, "customer", {"industry": Access.HIDDEN,
                                                                         points: Access.HIDDEN})
    tab = open_tab(qtbot, ctx.with_actor(sales))
    editor = open_editor(qtbot, tab)
    offered = {editor.rows[0].field_combo.itemData(i) for i in range(editor.rows[0].field_combo.count())}
    assert "level" in offered and "industry" not in offered and points not in offered
    ops.wait_idle()
