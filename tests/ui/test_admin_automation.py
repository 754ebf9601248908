"""The automation rules page: the seed rule built in the editor fires on a real save; the
enabled box, reordering, trying a rule, the run log, editing round trips, validation errors
that keep the dialog open, and delete (asked first)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.filters import Op
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from crm_desktop.services.workflow import approvals
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.automation import RuleInput
from crm_desktop.ui.admin.automation_rules import ENABLED, AutomationRulesPage
from crm_desktop.ui.admin.rule_actions import (
    MessageEditor,
    SetFieldEditor,
    StartApprovalEditor,
    UnknownActionEditor,
)
from crm_desktop.ui.admin.rule_editor import RuleEditorDialog
from crm_desktop.ui.admin.rule_runs import RunLogDialog, TryRuleDialog
from crm_desktop.ui.forms import alive
from crm_desktop.ui.ops import running_count
from tests.test_approvals import users_flow
from tests.ui_helpers import admin_context

THRESHOLD = "10000000"


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)
    qtbot.wait(20)  # results queued by the last op arrive
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


def ok(qtbot: QtBot, dialog: RuleEditorDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settle(qtbot)


def add_action(dialog: RuleEditorDialog, kind: str):  # type: ignore[no-untyped-def]
    assert dialog.action_list is not None
    combo = dialog.action_list.kind_combo
    combo.setCurrentIndex(combo.findData(kind))
    dialog.action_list.add_button.click()
    return dialog.action_list.cards[-1].editor


def test_seed_rule_made_in_the_editor_runs_pauses_reorders_tries_and_logs(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = sqlite_db, ctx.actor
    capital = create_custom_field(db, admin, "customer", CustomFieldInput("注册资本", FieldType.MONEY)).name
    manager_role = roles.create_role(db, admin, RoleInput(name="销售经理"))
    users.create_user(db, admin, UserInput(mobile="13900000012", name="黄经理", department_id=admin.department_id,
                                           role_ids=(manager_role.id,)), password="abc12345")
    manager = auth.login(db, "13900000012", "abc12345")

    page = AutomationRulesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    settle(qtbot)
    assert page.entity_combo.itemText(0) == "Customers" and page.table.rowCount() == 0

    # --- a rule without actions is refused; the dialog stays open with what was typed ------
    dialog = page.new_rule()
    settle(qtbot)
    assert dialog.ready
    dialog.name_edit.setText("大客户定级")
    assert dialog.event_combo.currentData() == "created"
    assert not dialog.field_combo.isVisibleTo(dialog)  # only field events name a field
    assert dialog.conditions is not None
    dialog.conditions.add_group_button.click()
    row = dialog.conditions.groups[0].rows[0]
    row.set_field(capital)
    row.set_op(Op.GTE)
    row.editors[0].setText(THRESHOLD)
    ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.errors.field_error("actions") == "Add at least one action."
    assert dialog.name_edit.text() == "大客户定级" and row.editors[0].text() == THRESHOLD
    assert auto.list_rules(db, admin) == []

    # --- the seed rule: level A and a message to the managers ------------------------------
    level = add_action(dialog, "set_field")
    assert isinstance(level, SetFieldEditor)
    level.field_combo.setCurrentIndex(level.field_combo.findData("level"))
    level.value_editor.set_value("A")  # type: ignore[union-attr]
    message = add_action(dialog, "message")
    assert isinstance(message, MessageEditor)
    message.to_combo.setCurrentIndex(message.to_combo.findData("role"))
    assert message.role_combo.isVisibleTo(message) and not message.users_list.isVisibleTo(message)
    message.role_combo.setCurrentIndex(message.role_combo.findData(manager_role.id))
    message.title_edit.setText("{name} 注册资本过千万")
    message.body_edit.setPlainText("注册资本 ")
    message.body_edit.moveCursor(QTextCursor.MoveOperation.End)  # where the user's caret would be
    message.insert_combo.setCurrentIndex(message.insert_combo.findData(capital))
    message.insert_combo.activated.emit(message.insert_combo.currentIndex())
    assert message.body_edit.toPlainText() == "注册资本 {%s}" % capital
    ok(qtbot, dialog)
    assert not alive(dialog)
    [rule] = auto.list_rules(db, admin)
    assert rule.condition == {"match": "all", "groups": [
        {"match": "all", "conditions": [{"field": capital, "op": "gte", "value": "10000000.00"}]}]}  # money, exact
    assert rule.actions == (
        {"type": "set_field", "field": "level", "value": "A"},
        {"type": "message", "to": "role", "role_id": manager_role.id, "title": "{name} 注册资本过千万",
         "body": "注册资本 {%s}" % capital})
    assert page.table.rowCount() == 1
    assert page.table.item(0, 3).text() == "注册资本 at least 10000000.00"
    assert "Set Level = A" in page.table.item(0, 4).text() and "role 销售经理" in page.table.item(0, 4).text()

    big = customers.create(db, admin, {"name": "厦门大鹏集团"}, custom={capital: "12000000"})
    assert big.values["level"] == "A"
    assert [(m.title, m.body) for m in auto.list_messages(db, manager)] == [
        ("厦门大鹏集团 注册资本过千万", "注册资本 12000000.00")]

    # --- editing round-trips the stored rule unchanged ---------------------------------------
    page.select_rule(rule.id)
    editor = page.edit_current()
    assert editor is not None
    settle(qtbot)
    assert editor.conditions is not None and editor.conditions.groups[0].rows[0].editors[0].text() == "10000000.00"
    ok(qtbot, editor)
    assert not alive(editor)
    again = auto.list_rules(db, admin)[0]
    assert (again.condition, again.actions, again.event) == (rule.condition, rule.actions, rule.event)

    # --- the enabled box pauses the rule -------------------------------------------------------
    page.table.item(0, ENABLED).setCheckState(Qt.CheckState.Unchecked)
    settle(qtbot)
    assert not auto.list_rules(db, admin)[0].enabled
    assert page.table.item(0, ENABLED).checkState() == Qt.CheckState.Unchecked
    quiet = customers.create(db, admin, {"name": "厦门海沧大成公司"}, custom={capital: "50000000"})
    assert quiet.values["level"] == "" and len(auto.list_messages(db, manager)) == 1

    # --- reorder: a second rule moved to the top ----------------------------------------------
    second = auto.create_rule(db, admin, RuleInput(
        name="新客户提醒", entity="customer", event="created",
        actions=({"type": "message", "to": "owner", "title": "新客户 {name}"},)))
    ctx.signals.notify("automation")
    settle(qtbot)
    assert [r.id for r in page.rules] == [rule.id, second.id]
    page.select_rule(second.id)
    assert page.up_button.isEnabled() and not page.down_button.isEnabled()
    page.up_button.click()
    settle(qtbot)
    assert [r.id for r in auto.list_rules(db, admin, entity="customer")] == [second.id, rule.id]
    assert [page.table.item(i, 0).text() for i in range(2)] == ["新客户提醒", "大客户定级"]
    assert page.current_id() == second.id  # the moved rule stays selected

    # --- try the (paused) seed rule on the quiet customer: it would set A and tell the manager --
    page.select_rule(rule.id)
    trial = page.try_current()
    assert isinstance(trial, TryRuleDialog)
    trial.search_edit.setText("海沧大成")
    trial.search_button.click()
    settle(qtbot)
    assert trial.results.count() == 1 and trial.id_box.value() == quiet.id
    trial.try_button.click()
    settle(qtbot)
    assert trial.outcome_label.text() == "The condition holds: the rule would run."
    shown = trial.sections()
    assert ["Level", "—", "A"] in shown["Changes"]
    assert shown["Messages"] == [["黄经理", "厦门海沧大成公司 注册资本过千万", "注册资本 50000000.00"]]
    assert customers.get(db, admin, quiet.id).values["level"] == ""  # nothing saved
    small = customers.create(db, admin, {"name": "小商行"}, custom={capital: "100"})
    trial.id_box.setValue(small.id)
    trial.try_button.click()
    settle(qtbot)
    assert trial.outcome_label.text() == "The condition does not hold: nothing would happen."
    trial.close()

    # --- the run log lists the run of the first customer (and the second rule's runs) ---------
    log = page.show_log()
    assert isinstance(log, RunLogDialog)
    settle(qtbot)
    rows = [[log.table.item(r, c).text() for c in range(6)] for r in range(log.table.rowCount())]
    assert ["大客户定级", "Customers", f"#{big.id}", "OK"] in [r[1:5] for r in rows]
    assert rows[0][1:4] == ["新客户提醒", "Customers", f"#{small.id}"]  # newest first
    log.close()

    # --- delete asks first ---------------------------------------------------------------------
    page.select_rule(second.id)
    page.delete_button.click()
    box = page.dialog
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    settle(qtbot)
    assert [r.id for r in auto.list_rules(db, admin)] == [rule.id] and page.table.rowCount() == 1


def test_unknown_actions_and_conditions_are_kept_and_field_events_use_the_fields_editors(
    qtbot: QtBot, sqlite_db: Database,
) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = sqlite_db, ctx.actor
    rule = auto.create_rule(db, admin, RuleInput(
        name="降级提醒", entity="customer", event="field_changed", field="level", from_value="A", to_value=None,
        condition={"match": "all", "groups": [{"match": "any", "conditions": [
            {"field": "before:level", "op": "eq", "value": "A"}, {"field": "name", "op": "contains", "value": "厦门"}]}]},
        actions=({"type": "message", "to": "owner", "title": "{name} 不再是A级"},),
    ))
    page = AutomationRulesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    settle(qtbot)
    assert page.table.item(0, 1).text() == "Field changed: Level"
    assert page.table.item(0, 3).text() == "Level (before the change) is A（重点客户） or Customer name contains 厦门"

    page.select_rule(rule.id)
    dialog = page.edit_current()
    assert dialog is not None
    settle(qtbot)
    assert dialog.field_combo.isVisibleTo(dialog) and dialog.field_combo.currentData() == "level"
    assert not dialog.from_any.isChecked() and dialog.from_editor is not None
    assert dialog.from_editor.value() == "A" and dialog.to_any.isChecked()
    group = dialog.conditions.groups[0]  # type: ignore[union-attr]
    assert group.match_combo.currentData() == "any" and [r.spec.name for r in group.rows] == ["before:level", "name"]
    # An action type this editor does not know (as a newer version would store it) is shown
    # read-only and saved back as it was; so is a condition on a field the editor does not offer.
    assert dialog.action_list is not None
    card = dialog.action_list.add_action({"type": "from_the_future", "flow_id": 7})
    assert isinstance(card.editor, UnknownActionEditor) and card.editor.json_view.isReadOnly()
    group.kept.append(group.rows[1].condition())
    group.rows[1].remove_button.click()
    dialog.to_any.setChecked(False)
    dialog.to_editor.set_value("B")  # type: ignore[union-attr]
    input_ = dialog.rule_input()
    assert input_.to_value == "B" and input_.actions[-1] == {"type": "from_the_future", "flow_id": 7}
    assert input_.condition["groups"][0]["conditions"][-1] == {"field": "name", "op": "contains", "value": "厦门"}
    ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.errors.field_error("actions") == "Unknown action."  # the service's word
    dialog.action_list.remove(card)
    ok(qtbot, dialog)
    assert not alive(dialog)
    saved = auto.list_rules(db, admin)[0]
    assert (saved.from_value, saved.to_value) == ("A", "B")

    # --- a rule that starts an approval: the flows of the entity, a paused one marked ---------
    node = {"name": "主管审批", "mode": "orsign", "approver": {"kind": "users", "users": [admin.user_id]}}
    flow = users_flow(db, admin, [node])
    paused = users_flow(db, admin, [node], enabled=False)
    ctx.signals.notify("automation")
    dialog = page.new_rule()
    settle(qtbot)
    dialog.name_edit.setText("新客户复核")
    start = add_action(dialog, "start_approval")
    assert isinstance(start, StartApprovalEditor)
    assert [start.flow_combo.itemText(i) for i in range(start.flow_combo.count())] == [
        flow.name, f"{paused.name} (disabled)"]
    start.flow_combo.setCurrentIndex(start.flow_combo.findData(flow.id))
    ok(qtbot, dialog)
    assert not alive(dialog)
    started = next(r for r in auto.list_rules(db, admin) if r.name == "新客户复核")
    assert started.actions == ({"type": "start_approval", "flow_id": flow.id},)
    page.select_rule(started.id)
    assert page.table.item(page.current_row(), 4).text() == f"Start approval: {flow.name}"
    new = customers.create(db, admin, {"name": "厦门新客户"})
    [approval] = approvals.record_approvals(db, admin, "customer", new.id)
    assert approval.flow_id == flow.id and approval.status == "pending"
