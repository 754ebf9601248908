"""The rule editor's "Record:" choice (issue 13, seed 001): a contract rule that sets a field of
the contract's customer and tells the customer's owner, built in the editor, runs on a real save
and round-trips."""
from __future__ import annotations

from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.workflow import automation as auto
from crm_desktop.ui.admin.automation_rules import AutomationRulesPage
from crm_desktop.ui.admin.rule_actions import MessageEditor, SetFieldEditor
from crm_desktop.ui.forms import alive
from tests.test_contracts import SALES
from tests.test_customers import make_user
from tests.ui.test_admin_automation import add_action, ok, settle
from tests.ui_helpers import admin_context


def test_a_contract_rule_on_its_customer_made_in_the_editor(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = sqlite_db, ctx.actor
    rep = make_user(db, admin, "13900000601", perms=SALES)
    page = AutomationRulesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    settle(qtbot)
    page.select_entity("contract")
    settle(qtbot)

    dialog = page.new_rule()
    settle(qtbot)
    dialog.name_edit.setText("合同回写客户")
    level = add_action(dialog, "set_field")
    assert isinstance(level, SetFieldEditor) and level.on_choice is not None
    assert [level.on_choice.itemData(i) for i in range(level.on_choice.count())] == [None, "customer", "opportunity"]
    assert level.field_combo.findData("payment_terms") >= 0 and level.field_combo.findData("level") < 0
    level.on_choice.setCurrentIndex(level.on_choice.findData("customer"))  # the customer's fields now
    assert level.field_combo.findData("level") >= 0 and level.field_combo.findData("payment_terms") < 0
    level.field_combo.setCurrentIndex(level.field_combo.findData("level"))
    level.value_editor.set_value("A")  # type: ignore[union-attr]
    message = add_action(dialog, "message")
    assert isinstance(message, MessageEditor) and message.on_choice is not None
    message.on_choice.setCurrentIndex(message.on_choice.findData("customer"))
    message.title_edit.setText("新合同：{name}")
    # The customer's name, not its id, can go into the text.
    at = message.insert_combo.findData("customer.name")
    assert at > 0 and message.insert_combo.itemText(at) == "Customer: Customer name"
    message.insert_combo.setCurrentIndex(at)
    message.insert_combo.activated.emit(at)
    assert message.body_edit.toPlainText() == "{customer.name}"
    ok(qtbot, dialog)
    assert not alive(dialog)
    [rule] = auto.list_rules(db, admin, entity="contract")
    assert rule.actions == (
        {"type": "set_field", "field": "level", "value": "A", "on": "customer"},
        {"type": "message", "to": "owner", "title": "新合同：{name}", "body": "{customer.name}", "on": "customer"})
    summary = page.table.item(0, 4).text()
    assert "Customer: Set Level = A" in summary and "Customer: Message to the owner" in summary

    cust = customers.create(db, rep, {"name": "厦门鹭岛机电有限公司"})
    contracts.create(db, admin, {"name": "鹭岛一期", "customer_id": cust.id})
    assert customers.get(db, rep, cust.id).values["level"] == "A"
    assert [m.title for m in auto.list_messages(db, rep)] == ["新合同：鹭岛一期"]

    # Editing shows the stored choice and saves it back unchanged.
    page.select_rule(rule.id)
    again = page.edit_current()
    assert again is not None
    settle(qtbot)
    assert again.action_list is not None
    first = again.action_list.cards[0].editor
    assert isinstance(first, SetFieldEditor) and first.on_choice is not None
    assert first.on_choice.value() == "customer" and first.field_combo.currentData() == "level"
    ok(qtbot, again)
    assert auto.list_rules(db, admin, entity="contract")[0].actions == rule.actions

    # A customer's rule offers no "Record:" choice (a customer has no customer).
    page.select_entity("customer")
    settle(qtbot)
    plain = page.new_rule()
    settle(qtbot)
    editor = add_action(plain, "set_field")
    assert isinstance(editor, SetFieldEditor) and editor.on_choice is None
    plain.reject()
