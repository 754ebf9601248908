"""The derived "Product category" where the UI shows or takes it besides the condition editor:
the rules table's condition summary (label and category paths, not the key and ids), the flow
designer's error labels, and the contracts list's advanced filter (offered with the category
tree; picking 设备 narrows the list to contracts with a line in 设备 or below, also once saved
as a view)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QListWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records.filters import Filter, Op
from crm_desktop.services.sales import products as prod
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.automation import RuleInput
from crm_desktop.ui import ops
from crm_desktop.ui.admin.automation_rules import AutomationRulesPage
from crm_desktop.ui.admin.flow_designer import FlowDesignerDialog
from crm_desktop.ui.admin.rule_actions import SetFieldEditor
from crm_desktop.ui.admin.rule_data import load_editor_data
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.contracts import ContractsTab
from crm_desktop.ui.records.shared.filter_editor import FilterEditor
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0, timeout=15_000)
    qtbot.wait(20)  # results queued by the last op arrive
    qtbot.waitUntil(lambda: ops.running_count() == 0, timeout=15_000)


@dataclass(frozen=True)
class Tree:
    """设备 ⊃ 数控机床; 耗材."""

    equipment: int
    cnc: int
    consumables: int


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def tree(ctx: AppContext) -> Tree:
    equipment = prod.create_category(ctx.db, ctx.actor, "设备").id
    cnc = prod.create_category(ctx.db, ctx.actor, "数控机床", parent_id=equipment).id
    consumables = prod.create_category(ctx.db, ctx.actor, "耗材").id
    return Tree(equipment, cnc, consumables)


def in_categories(*ids: int) -> dict[str, Any]:
    return {"match": "all", "groups": [{"match": "all", "conditions": [
        {"field": "product_category", "op": "in", "value": list(ids)}]}]}


def labels(box: QListWidget) -> list[str]:
    return [box.item(i).text() for i in range(box.count())]


# --- the rules table --------------------------------------------------------------------------

def test_rules_table_names_the_category_field_and_paths(qtbot: QtBot, ctx: AppContext, tree: Tree) -> None:
    auto.create_rule(ctx.db, ctx.actor, RuleInput(
        name="设备合同", entity="contract", event="created", condition=in_categories(tree.equipment, tree.cnc),
        actions=({"type": "set_field", "field": "payment_terms", "value": "设备款"},)))
    page = AutomationRulesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    settle(qtbot)
    page.select_entity("contract")
    settle(qtbot)
    assert page.table.rowCount() == 1
    assert page.table.item(0, 3).text() == "Product category is one of 设备, 设备 / 数控机床"
    assert "Set Payment terms = 设备款" in page.table.item(0, 4).text()

    # The summary knows the field; the actions do not offer it (it cannot be set or copied).
    data = load_editor_data(ctx, "contract")
    assert data.fields.schema.get("product_category") is None
    assert data.condition_fields is not None and data.condition_fields.schema.get("product_category") is not None
    page.select_rule(auto.list_rules(ctx.db, ctx.actor, entity="contract")[0].id)
    dialog = page.edit_current()
    assert dialog is not None
    settle(qtbot)
    assert dialog.action_list is not None
    action = dialog.action_list.cards[0].editor
    assert isinstance(action, SetFieldEditor)
    assert action.field_combo.findData("product_category") == -1
    assert action.source_combo.findData("product_category") == -1
    dialog.reject()


# --- the flow designer -----------------------------------------------------------------------

def test_flow_designer_labels_a_product_category_error(
    qtbot: QtBot, ctx: AppContext, tree: Tree, monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = FlowDesignerDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot)
    dialog.entity_combo.setCurrentIndex(dialog.entity_combo.findData("contract"))
    settle(qtbot)
    assert dialog.ready
    dialog.name_edit.setText("设备合同审批")
    [branch] = dialog.branches
    branch.conditions.add_group_button.click()
    row = branch.conditions.groups[0].rows[0]
    row.set_field("product_category")
    [box] = row.editors
    assert isinstance(box, QListWidget)
    box.item(0).setCheckState(Qt.CheckState.Checked)

    # A refusal the service keys by the condition's field (as for a category value it cannot take).
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise ValidationError({"product_category": QT_TRANSLATE_NOOP("errors", "Choose a listed value.")})

    monkeypatch.setattr(appr, "create_flow", refuse)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settle(qtbot)
    assert dialog.isVisible()
    assert "Product category: Choose a listed value." in dialog.branches_error.text()
    assert "product_category" not in dialog.message.text()


# --- the contracts list's filter -------------------------------------------------------------

@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext, tree: Tree) -> Iterator[ContractsTab]:
    db, admin = ctx.db, ctx.actor

    def product(code: str, category: int | None) -> int:
        return prod.products.create(db, admin, {"name": f"产品{code}", "code": code, "price": "100",
                                                "category_id": category}).id

    cnc, consumable, plain = product("CNC", tree.cnc), product("CON", tree.consumables), product("PLAIN", None)
    equipment = product("EQ", tree.equipment)
    cust = customers.create(db, admin, {"name": "厦门精机有限公司"}).id
    for name, products in (("机床合同", [cnc, consumable]), ("设备合同", [equipment]), ("耗材合同", [consumable]),
                           ("服务合同", [plain]), ("空合同", [])):
        contracts.create(db, admin, {"name": name, "customer_id": cust}, lines=[LineInput(p, "100") for p in products])
    tab = ContractsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    qtbot.waitUntil(lambda: tab.view_bar.ready and tab.column_control.ready, timeout=15_000)
    settle_tab(qtbot, tab)
    yield tab
    ops.wait_idle()


def settle_tab(qtbot: QtBot, tab: ContractsTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)


def shown(tab: ContractsTab) -> set[str]:
    return {str(tab.model.record(r).values["name"]) for r in range(tab.model.rowCount())}


def open_editor(qtbot: QtBot, tab: ContractsTab) -> FilterEditor:
    tab.filter_button.click()
    editor = tab.filter_editor
    assert editor is not None
    qtbot.waitUntil(lambda: editor.ready, timeout=5_000)
    return editor


def test_contract_filter_by_category_narrows_the_list_and_saves_as_a_view(
    qtbot: QtBot, tab: ContractsTab, tree: Tree,
) -> None:
    assert tab.model.total == 5
    editor = open_editor(qtbot, tab)
    row = editor.rows[0]
    assert row.field_combo.findData("product_category") >= 0
    row.set_field("product_category")
    assert row.field_combo.currentText() == "Product category"
    assert [row.op_combo.itemData(i) for i in range(row.op_combo.count())] == [
        "in", "contains", "not_contains", "empty", "not_empty"]
    [box] = row.editors
    assert isinstance(box, QListWidget)
    assert labels(box) == ["设备", "设备 / 数控机床", "耗材"]
    box.item(0).setCheckState(Qt.CheckState.Checked)
    editor.apply_button.click()
    qtbot.waitUntil(lambda: not isValid(editor) or not editor.isVisible(), timeout=5_000)
    settle_tab(qtbot, tab)
    assert shown(tab) == {"机床合同", "设备合同"} and tab.model.total == 2  # 数控机床 is under 设备
    assert tab.filter_button.text() == "Filter (1)"

    # Reopened, the dialog shows the category condition in force.
    again = open_editor(qtbot, tab)
    [row] = again.rows
    assert (row.spec.name, row.op) == ("product_category", Op.IN)
    [box] = row.editors
    assert isinstance(box, QListWidget)
    assert [box.item(i).checkState() == Qt.CheckState.Checked for i in range(box.count())] == [True, False, False]
    row.set_op(Op.EMPTY)  # no categorised line: the plain product's and the line-less contract
    again.apply_button.click()
    qtbot.waitUntil(lambda: tab.model.filter.conditions[0].op is Op.EMPTY, timeout=5_000)
    settle_tab(qtbot, tab)
    assert shown(tab) == {"服务合同", "空合同"}

    # Saved as a view, the category filter narrows the list whenever the view is chosen.
    again = open_editor(qtbot, tab)
    [row] = again.rows
    row.set_op(Op.CONTAINS)
    [combo] = row.editors
    combo.setCurrentIndex(combo.findData(tree.consumables))  # type: ignore[attr-defined]
    again.apply_button.click()
    qtbot.waitUntil(lambda: tab.model.filter.conditions[0].op is Op.CONTAINS, timeout=5_000)
    settle_tab(qtbot, tab)
    assert shown(tab) == {"机床合同", "耗材合同"}
    save = tab.view_bar.open_save_dialog()
    save.name_edit.setText("耗材合同")
    save.ok_button.click()
    qtbot.waitUntil(lambda: tab.view_bar.combo.currentText() == "耗材合同", timeout=5_000)
    settle_tab(qtbot, tab)
    saved = tab.view_bar.current_view()
    assert saved is not None and not saved.builtin
    for key, names in (("all", {"机床合同", "设备合同", "耗材合同", "服务合同", "空合同"}),
                       (saved.key, {"机床合同", "耗材合同"})):
        index = tab.view_bar.combo.findData(key)
        tab.view_bar.combo.setCurrentIndex(index)
        tab.view_bar.combo.activated.emit(index)
        settle_tab(qtbot, tab)
        assert shown(tab) == names


def test_customers_filter_has_no_category(qtbot: QtBot, ctx: AppContext, tree: Tree) -> None:
    editor = FilterEditor(ctx, "customer", Filter(), check=lambda _flt: 0)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.ready, timeout=5_000)
    assert editor.rows[0].field_combo.findData("product_category") == -1
    settle(qtbot)
