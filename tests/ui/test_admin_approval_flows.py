"""The approval flows page and designer: the seed-003 registration flow built in the designer
gates a real creation and can be paused; a branch without nodes is refused with the dialog
kept open; the example button; editing round-trips every field; delete asks first."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import roles, users
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.filters import Op
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.ui.admin.approval_flows import ENABLED, GATES, ApprovalFlowsPage
from crm_desktop.ui.admin.flow_branches import NodeCard
from crm_desktop.ui.admin.flow_designer import FlowDesignerDialog
from crm_desktop.ui.forms import alive
from crm_desktop.ui.ops import running_count
from tests.test_approvals import FUJIAN, approver, only_task, status_of
from tests.test_customers import make_user
from tests.ui_helpers import admin_context

FORM = (("客户名称", "name"), ("省份", "province"), ("所属行业", "industry"), ("手机", "mobile"),
        ("负责人", "owner_id"))


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)
    qtbot.wait(20)  # results queued by the last op arrive
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


def ok(qtbot: QtBot, dialog: FlowDesignerDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settle(qtbot)


def closed(dialog: FlowDesignerDialog) -> bool:
    return not alive(dialog) or not dialog.isVisible()


def choose(combo: Any, value: Any) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def set_node(node: NodeCard, name: str, mode: str, kind: str) -> None:
    node.name_edit.setText(name)
    choose(node.mode_combo, mode)
    choose(node.kind_combo, kind)


def open_page(qtbot: QtBot, ctx: Any) -> ApprovalFlowsPage:
    page = ApprovalFlowsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    settle(qtbot)
    return page


def test_registration_flow_built_in_the_designer_gates_creation_and_pauses(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = sqlite_db, ctx.actor
    fujian_role = roles.create_role(db, admin, RoleInput(name="福建事业部负责人")).id
    head = approver(db, admin, "13900000021", role_ids=(fujian_role,))
    director = approver(db, admin, "13900000022")
    rep = make_user(db, admin, "13900000023")
    page = open_page(qtbot, ctx)
    assert page.table.rowCount() == 0 and not page.edit_button.isEnabled()

    dialog = page.new_flow()
    settle(qtbot)
    assert dialog.ready and dialog.isVisible()
    assert dialog.entity_combo.currentText() == "Customers" and dialog.binding_combo.currentData() == "create"
    assert not dialog.status_field_combo.isVisibleTo(dialog)  # only a status flow names a field
    dialog.name_edit.setText("客户报备")
    for label, field in FORM:
        dialog.add_form_field_button.click()
        row = dialog.form_rows[-1]
        choose(row.field_combo, field)
        row.label_edit.setText(label)

    # A new flow starts with one branch; it becomes the 福建 branch.
    [fujian] = dialog.branches
    fujian.name_edit.setText("福建客户")
    fujian.conditions.add_group_button.click()
    condition = fujian.conditions.groups[0].rows[0]
    condition.set_field("province")
    condition.set_op(Op.CONTAINS)
    condition.editors[0].setText("福建")
    fujian.add_node_button.click()
    set_node(fujian.nodes[0], "福建事业部负责人审批", "orsign", "role")
    choose(fujian.nodes[0].role_combo, fujian_role)
    assert fujian.chain.texts == ["Submit", "福建事业部负责人审批", "End"]
    assert "Or-sign" in fujian.nodes[0].summary() and "福建事业部负责人" in fujian.nodes[0].summary()

    # The default branch has no node yet: refused, the dialog stays open with everything typed.
    dialog.add_branch_button.click()
    other = dialog.branches[1]
    other.name_edit.setText("其他客户")
    dialog.branch_list.setCurrentRow(0)
    ok(qtbot, dialog)
    assert dialog.isVisible()
    assert "Each branch needs at least one node." in dialog.message.text()
    assert "Each branch needs at least one node." in dialog.branches_error.text()
    assert dialog.branch_list.currentRow() == 1  # the branch at fault is shown
    assert fujian.name_edit.text() == "福建客户" and condition.editors[0].text() == "福建"
    assert [r.label_edit.text() for r in dialog.form_rows] == [label for label, _f in FORM]

    other.add_node_button.click()
    set_node(other.nodes[0], "销售总监审批", "orsign", "users")
    other.nodes[0].users_list.check(director.user_id)
    assert dialog.branch_list.item(1).text() == "2. 其他客户"
    ok(qtbot, dialog)
    assert closed(dialog)

    [flow] = appr.list_flows(db, admin)
    assert (flow.name, flow.entity, flow.binding, flow.enabled) == ("客户报备", "customer", "create", True)
    assert (flow.resubmit_from, flow.no_approver, flow.admin_id) == ("first", "admin", None)
    assert flow.form == tuple({"key": field, "label": label, "field": field} for label, field in FORM)
    assert flow.branches == (
        {"name": "福建客户", "condition": FUJIAN, "nodes": [
            {"name": "福建事业部负责人审批", "mode": "orsign", "approver": {"kind": "role", "role_id": fujian_role}}]},
        {"name": "其他客户", "condition": {}, "nodes": [
            {"name": "销售总监审批", "mode": "orsign", "approver": {"kind": "users", "users": [director.user_id]}}]},
    )
    assert page.table.rowCount() == 1 and page.table.item(0, GATES).text() == "Record creation"
    assert "客户报备" in page.message.text()

    # A salesperson's customer in 福建 waits for the role's user; others for the director.
    fj = customers.create(db, rep, {"name": "福州海峡贸易有限公司", "province": "福建省"})
    assert status_of(db, fj.id) == "pending"
    appr.decide(db, head, only_task(db, head), approve=True)
    assert status_of(db, fj.id) == ""
    gd = customers.create(db, rep, {"name": "广州南方电子有限公司", "province": "广东省"})
    assert status_of(db, gd.id) == "pending" and only_task(db, director)

    # Unticked in the page, the flow lets creations through.
    page.table.item(0, ENABLED).setCheckState(Qt.CheckState.Unchecked)
    settle(qtbot)
    assert not appr.list_flows(db, admin)[0].enabled
    assert page.table.item(0, ENABLED).checkState() == Qt.CheckState.Unchecked
    free = customers.create(db, rep, {"name": "厦门自由贸易有限公司", "province": "福建省"})
    assert status_of(db, free.id) == ""


def test_example_button_edit_round_trip_and_delete(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = sqlite_db, ctx.actor
    a = users.create_user(db, admin, UserInput(mobile="13900000031", name="陈审批", department_id=admin.department_id),
                          password="abc12345").id
    b = users.create_user(db, admin, UserInput(mobile="13900000032", name="林审批", department_id=admin.department_id),
                          password="abc12345").id
    page = open_page(qtbot, ctx)
    page.example_button.click()
    settle(qtbot)
    [example] = appr.list_flows(db, admin)
    assert example.name == "客户报备" and [br["name"] for br in example.branches] == ["福建客户", "其他客户"]
    assert page.table.rowCount() == 1 and page.current_id() == example.id
    director = next(r.id for r in roles.list_roles(db, admin) if r.name == "销售总监")

    # Opened and saved unchanged, the example stays exactly as it was.
    dialog = page.edit_current()
    assert dialog is not None
    settle(qtbot)
    assert [e.chain.texts for e in dialog.branches] == [
        ["Submit", "福建事业部负责人审批", "End"], ["Submit", "销售总监审批", "End"]]
    ok(qtbot, dialog)
    assert closed(dialog) and appr.list_flows(db, admin) == [example]

    # Change every part.
    dialog = page.edit_current()
    assert dialog is not None
    settle(qtbot)
    dialog.name_edit.setText("成交审批")
    choose(dialog.binding_combo, "status")
    assert dialog.status_field_combo.isVisibleTo(dialog) and dialog.status_field_combo.currentData() == "deal_status"
    assert [dialog.to_combo.itemData(i) for i in range(dialog.to_combo.count())] == [None, "none", "deal"]
    choose(dialog.from_combo, "none")
    choose(dialog.to_combo, "deal")
    choose(dialog.resubmit_combo, "rejected")
    chooser = dialog.choose_admin()
    assert chooser is not None
    chooser.select_user(a)
    chooser.accept()
    assert dialog.admin_id == a and "陈审批" in dialog.admin_label.text()
    dialog.enabled_box.setChecked(False)
    dialog.form_rows[-1].remove_button.click()  # 负责人
    dialog.form_rows[0].label_edit.setText("公司名称")
    fujian, others = dialog.branches
    fujian.submitter_users.check(b)
    fujian.submitter_departments.check(admin.department_id)
    fujian.submitter_roles.check(director)
    fujian.add_node_button.click()
    set_node(fujian.nodes[1], "三级上级会签", "countersign", "superior")
    fujian.nodes[1].levels_box.setValue(3)
    fujian.add_node_button.click()
    set_node(fujian.nodes[2], "自选审批人", "sequential", "submitter_picks")
    fujian.nodes[2].up_button.click()  # now second
    assert [n.name_edit.text() for n in fujian.nodes] == ["福建事业部负责人审批", "自选审批人", "三级上级会签"]
    assert fujian.chain.texts == ["Submit", "福建事业部负责人审批", "自选审批人", "三级上级会签", "End"]
    node = others.nodes[0]
    set_node(node, "依次审批", "sequential", "users")
    node.users_list.check(b)
    node.users_list.check(a)  # asked in the order ticked: b, then a
    assert node.order_label.text() == "Order: 林审批 → 陈审批"
    dialog.branch_list.setCurrentRow(1)
    dialog.up_branch_button.click()
    assert [e.name() for e in dialog.branches] == ["其他客户", "福建客户"]
    ok(qtbot, dialog)
    assert closed(dialog)

    [changed] = appr.list_flows(db, admin)
    assert (changed.name, changed.binding, changed.status_field, changed.from_status, changed.to_status) == (
        "成交审批", "status", "deal_status", "none", "deal")
    assert (changed.enabled, changed.resubmit_from, changed.no_approver, changed.admin_id) == (
        False, "rejected", "admin", a)
    assert changed.form == (
        {"key": "name", "label": "公司名称", "field": "name"}, {"key": "province", "label": "省份", "field": "province"},
        {"key": "industry", "label": "所属行业", "field": "industry"}, {"key": "mobile", "label": "手机", "field": "mobile"})
    fujian_role = example.branches[0]["nodes"][0]["approver"]["role_id"]
    assert changed.branches == (
        {"name": "其他客户", "condition": {}, "nodes": [
            {"name": "依次审批", "mode": "sequential", "approver": {"kind": "users", "users": [b, a]}}]},
        {"name": "福建客户", "condition": FUJIAN,
         "submitters": {"users": [b], "departments": [admin.department_id], "roles": [director]}, "nodes": [
             {"name": "福建事业部负责人审批", "mode": "orsign", "approver": {"kind": "role", "role_id": fujian_role}},
             {"name": "自选审批人", "mode": "sequential", "approver": {"kind": "submitter_picks"}},
             {"name": "三级上级会签", "mode": "countersign", "approver": {"kind": "superior", "levels": 3}}]},
    )
    assert page.table.item(0, GATES).text() == "A status change: Deal status No deal → Deal"
    assert page.table.item(0, ENABLED).checkState() == Qt.CheckState.Unchecked

    # Reopened, the designer shows all of it; saved unchanged, nothing moves.
    dialog = page.edit_current()
    assert dialog is not None
    settle(qtbot)
    assert dialog.to_combo.currentData() == "deal" and dialog.resubmit_combo.currentData() == "rejected"
    assert not dialog.enabled_box.isChecked() and "陈审批" in dialog.admin_label.text()
    assert dialog.branches[1].nodes[2].levels_box.value() == 3
    assert dialog.branches[0].nodes[0].users_list.checked() == [b, a]
    ok(qtbot, dialog)
    assert appr.list_flows(db, admin) == [changed]

    # Delete asks first: No keeps the flow, Yes removes it.
    page.delete_current()
    box = page.dialog
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.No).click()
    settle(qtbot)
    assert len(appr.list_flows(db, admin)) == 1
    page.delete_current()
    box = page.dialog
    assert isinstance(box, QMessageBox) and "成交审批" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    settle(qtbot)
    assert appr.list_flows(db, admin) == [] and page.table.rowCount() == 0
