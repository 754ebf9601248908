"""The execution stages page (seed 000) and the number rules page: which rule or flow applies to
each change of execution status, a notify rule created right there, the preview of numbers."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.records import numbering
from crm_desktop.services.sales import payments as pay
from crm_desktop.services.sales import won_on_approval
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.approvals import FlowInput
from crm_desktop.services.workflow.automation import RuleInput
from crm_desktop.ui import ops
from crm_desktop.ui.admin.execution_stages import (
    ExecutionStagesPage,
    NotifyRuleDialog,
    TransitionFlowDesigner,
)
from crm_desktop.ui.admin.flow_designer import FlowDesignerDialog
from crm_desktop.ui.admin.number_rules import NumberRulesPage
from tests.ui_helpers import admin_context


def idle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0, timeout=15_000)


def test_execution_stages_page(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = ctx.db, ctx.actor
    flow = appr.create_flow(db, admin, FlowInput(
        name="投产审批", entity="contract", binding="status", status_field="execution_status",
        from_status="confirmed", to_status="producing",
        branches=({"name": "", "condition": {}, "nodes": [
            {"name": "经理审批", "mode": "orsign", "approver": {"kind": "users", "users": [admin.user_id]}}]},)))
    auto.create_rule(db, admin, RuleInput(
        name="通知仓库", entity="contract", event="status_changed", field="execution_status", to_value="ready",
        actions=({"type": "message", "to": "owner", "title": "准备发货 {number}", "body": ""},)))
    page = ExecutionStagesPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    assert [page.item_table.item(r, 1).text() for r in range(3)] == ["已确认", "生产中", "准备发货"]

    # Each transition says what happens and what applies.
    row = page.row_of("confirmed", "producing")
    assert row is not None
    assert page.mode_text(row) == "Needs approval" and "投产审批" in page.applies_text(row)
    row = page.row_of("producing", "ready")
    assert page.mode_text(row) == "Change it and notify" and "通知仓库" in page.applies_text(row)
    assert page.mode_text(page.row_of(None, "ready")) == "Change it and notify"
    assert page.mode_text(page.row_of("ready", "shipped")) == "Just change it"

    # The gated transition opens its flow in the designer; an ungated one a new preset flow.
    page.select_transition("confirmed", "producing")
    designer = page.open_flow()
    assert isinstance(designer, FlowDesignerDialog) and designer.flow is not None and designer.flow.id == flow.id
    designer.reject()
    page.select_transition("shipped", "accepted")
    designer = page.open_flow()
    assert isinstance(designer, TransitionFlowDesigner)
    qtbot.waitUntil(lambda: designer.ready, timeout=10_000)
    assert (designer.from_combo.currentData(), designer.to_combo.currentData()) == ("shipped", "accepted")
    designer.reject()

    # A notify rule for 已发货 → 已验收, to a role, created right here.
    page.select_transition("shipped", "accepted")
    dialog = page.add_notify_rule()
    assert isinstance(dialog, NotifyRuleDialog)
    dialog.to_combo.setCurrentIndex(dialog.to_combo.findData("role"))
    dialog.submit()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=10_000)
    idle(qtbot)
    [rule] = [r for r in auto.list_rules(db, admin, entity="contract") if r.to_value == "accepted"]
    assert (rule.event, rule.field, rule.from_value, rule.actions[0]["to"]) == (
        "status_changed", "execution_status", "shipped", "role")
    qtbot.waitUntil(lambda: page.mode_text(page.row_of("shipped", "accepted")) == "Change it and notify",
                    timeout=10_000)
    assert rule.name in page.applies_text(page.row_of("shipped", "accepted"))

    # "Just change it" switches the flow off (asked first).
    page.select_transition("confirmed", "producing")
    page.make_plain()
    page.dialog.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.mode_text(page.row_of("confirmed", "producing")) == "Just change it",
                    timeout=10_000)
    assert not appr.list_flows(db, admin, entity="contract")[0].enabled


def test_number_rules_page(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    page = NumberRulesPage(ctx)
    qtbot.addWidget(page)
    idle(qtbot)
    editor = page.editors["contract"]
    assert editor.example_label.text().startswith("HT-")
    editor.prefix_edit.setText("SO")
    editor.date_combo.setCurrentIndex(editor.date_combo.findData("%Y"))
    assert editor.example_label.text().startswith("SO-") and editor.example_label.text().endswith("-0001")
    editor.save()  # a daily reset with only the year would repeat numbers: refused beside the field
    idle(qtbot)
    assert editor.errors.field_error("reset") != ""
    editor.reset_combo.setCurrentIndex(editor.reset_combo.findData("yearly"))
    editor.save()
    idle(qtbot)
    assert numbering.get_rule(ctx.db, ctx.actor, "contract").prefix == "SO"
    page.overpayment_box.click()
    idle(qtbot)
    assert pay.get_allow_overpayment(ctx.db, ctx.actor)
    assert not page.won_box.isChecked()  # off by default
    page.won_box.click()
    idle(qtbot)
    assert won_on_approval.get_win_on_approval(ctx.db, ctx.actor)
    assert page.message.text() == "An approved contract now marks its opportunity won."
