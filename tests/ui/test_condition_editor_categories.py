"""The condition editor offers a contract's "Product category" with the category tree as its
picker (rule editor and flow designer), saves the list filter's JSON and reads it back; the
rule it saves fires on a contract whose line is in a sub-category."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QListWidget
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.filters import Op
from crm_desktop.services.sales import products as prod
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.workflow import automation as auto
from crm_desktop.ui.admin.flow_branches import BranchEditor, load_designer_data
from crm_desktop.ui.admin.rule_actions import SetFieldEditor
from crm_desktop.ui.admin.rule_editor import RuleEditorDialog
from crm_desktop.ui.forms import alive
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)
    qtbot.wait(20)
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


def categories(db: Database, admin: Any) -> tuple[int, int, int]:
    equipment = prod.create_category(db, admin, "设备").id
    cnc = prod.create_category(db, admin, "数控机床", parent_id=equipment).id
    consumables = prod.create_category(db, admin, "耗材").id
    return equipment, cnc, consumables


def labels(box: QListWidget) -> list[str]:
    return [box.item(i).text() for i in range(box.count())]


def test_rule_editor_offers_the_category_tree_and_saves_the_condition(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = sqlite_db, ctx.actor
    equipment, cnc, _consumables = categories(db, admin)
    dialog = RuleEditorDialog(ctx, None, entity="contract")
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot)
    assert dialog.ready and dialog.conditions is not None
    dialog.name_edit.setText("设备合同")
    # Only conditions know the derived field: a field event cannot watch it.
    assert dialog.field_combo.findData("product_category") == -1
    dialog.conditions.add_group_button.click()
    row = dialog.conditions.groups[0].rows[0]
    assert row.field_combo.findData("before:product_category") == -1  # no "before the change" twin
    row.set_field("product_category")
    assert row.field_combo.currentText() == "Product category"
    assert [row.op_combo.itemData(i) for i in range(row.op_combo.count())] == [
        "in", "contains", "not_contains", "empty", "not_empty"]
    assert row.op is Op.IN
    [box] = row.editors
    assert isinstance(box, QListWidget)
    assert labels(box) == ["设备", "设备 / 数控机床", "耗材"]
    box.item(0).setCheckState(Qt.CheckState.Checked)
    actions = dialog.action_list
    assert actions is not None
    actions.kind_combo.setCurrentIndex(actions.kind_combo.findData("set_field"))
    actions.add_button.click()
    action = actions.cards[-1].editor
    assert isinstance(action, SetFieldEditor)
    action.field_combo.setCurrentIndex(action.field_combo.findData("payment_terms"))
    action.value_editor.set_value("设备款")  # type: ignore[union-attr]
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settle(qtbot)
    assert not alive(dialog)
    [rule] = auto.list_rules(db, admin, entity="contract")
    assert rule.condition == {"match": "all", "groups": [{"match": "all", "conditions": [
        {"field": "product_category", "op": "in", "value": [equipment]}]}]}

    # The saved rule fires on a contract whose line is in 数控机床, a sub-category of 设备.
    product = prod.products.create(db, admin, {"name": "立式加工中心", "code": "VMC", "price": "100",
                                               "category_id": cnc}).id
    cust = customers.create(db, admin, {"name": "厦门精机有限公司"})
    made = contracts.create(db, admin, {"name": "加工中心合同", "customer_id": cust.id},
                            lines=[LineInput(product, "100")])
    assert made.values["payment_terms"] == "设备款"

    # Editing reads the condition back into the picker.
    again = RuleEditorDialog(ctx, None, entity="contract", rule=rule)
    qtbot.addWidget(again)
    settle(qtbot)
    assert again.conditions is not None
    row = again.conditions.groups[0].rows[0]
    assert (row.spec.name, row.op, again.conditions.groups[0].kept) == ("product_category", Op.IN, [])
    [box] = row.editors
    assert isinstance(box, QListWidget)
    assert [box.item(i).checkState() == Qt.CheckState.Checked for i in range(box.count())] == [True, False, False]
    assert again.conditions.condition() == rule.condition


def test_flow_branch_picks_a_category_and_keeps_it(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    _equipment, cnc, consumables = categories(ctx.db, ctx.actor)
    data = load_designer_data(ctx, "contract")
    assert "product_category" not in {f.name for f in data.fields.schema.fields}  # not a form field
    condition = {"match": "all", "groups": [{"match": "all", "conditions": [
        {"field": "product_category", "op": "contains", "value": cnc}]}]}
    branch = BranchEditor(data, {"name": "机床", "condition": condition, "nodes": []})
    qtbot.addWidget(branch)
    row = branch.conditions.groups[0].rows[0]
    assert (row.spec.name, row.op) == ("product_category", Op.CONTAINS)
    [combo] = row.editors
    assert isinstance(combo, QComboBox)
    assert combo.currentText() == "设备 / 数控机床"
    assert branch.branch()["condition"] == condition
    row.set_op(Op.NOT_CONTAINS)
    [combo] = row.editors
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(consumables))
    assert branch.branch()["condition"]["groups"][0]["conditions"] == [
        {"field": "product_category", "op": "not_contains", "value": consumables}]

    # Other entities have no such field.
    customer_data = load_designer_data(ctx, "customer")
    assert customer_data.condition_fields is not None
    assert customer_data.condition_fields.schema.get("product_category") is None
