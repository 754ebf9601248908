"""Approvals in the daily screens, driven as users would: "My approvals" and the detail tab.

The customer registration (报备) flow sends a 福建 customer to the Fujian head; the head rejects
it from "My approvals" (a comment is required), the salesperson resubmits it from the
customer's approvals tab, the head approves it there. Two or-sign approvers racing: the one
who comes second is told, nothing crashes."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow.approvals import FlowInput
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.my_approvals import DECISION_COLUMN, MyApprovalsPage
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from tests.test_approvals import approver, role_named
from tests.test_customers import make_user
from tests.ui_helpers import admin_context

WAIT_MS = 15_000


@pytest.fixture
def ctx(sqlite_db: Database) -> Iterator[AppContext]:
    yield admin_context(sqlite_db)
    ops.wait_idle()


def idle(qtbot: QtBot, *widgets: object) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0 and not any(
        w.is_loading() for w in widgets), timeout=WAIT_MS)  # type: ignore[attr-defined]


def page_for(qtbot: QtBot, user: AppContext) -> MyApprovalsPage:
    page = MyApprovalsPage(user)
    qtbot.addWidget(page)
    page.show()
    idle(qtbot, page)
    return page


def detail_for(qtbot: QtBot, user: AppContext, entity: str, record_id: int) -> RecordDetailWindow:
    window = open_detail(user, entity, record_id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None, timeout=WAIT_MS)
    idle(qtbot, window)
    window.tabs.setCurrentWidget(window.tab("approvals"))
    return window


def test_reject_resubmit_approve_through_the_screens(qtbot: QtBot, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    appr.install_registration_example(db, admin)
    head = approver(db, admin, "13900000051", role_ids=(role_named(db, "福建事业部负责人"),))
    rep = make_user(db, admin, "13900000052")
    customer = customers.create(db, rep, {"name": "福州海峡贸易有限公司", "province": "福建省"})

    # The head's "My approvals": the new customer waits, counted on the box.
    # Each user has a session (context) of their own, as on their own PCs.
    head_ctx, rep_ctx = make_context(db, head), make_context(db, rep)
    page = page_for(qtbot, head_ctx)
    assert [(i.flow_name, i.record_name, i.submitter_name) for i in page.items] == [
        ("客户报备", "福州海峡贸易有限公司", "用户52")]
    assert page.box_buttons["pending"].text().endswith("(1)")
    page.select_item(page.items[0].instance_id)
    assert page.reject_button.isEnabled()
    dialog = page.decide_selected(False)
    assert dialog is not None
    dialog.submit()  # no comment: the service refuses, beside the comment field
    qtbot.waitUntil(lambda: bool(dialog.errors.field_error("comment")), timeout=WAIT_MS)
    assert dialog.errors.field_error("comment") == "Say why you reject it."
    assert dialog.isVisible()
    dialog.comment_edit.setPlainText("请补充手机号")
    dialog.submit()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.items == [] and not page.is_loading(), timeout=WAIT_MS)
    assert page.empty_label.isVisibleTo(page)
    page.set_box("decided")
    idle(qtbot, page)
    assert [(i.record_name, i.decision) for i in page.items] == [("福州海峡贸易有限公司", "rejected")]
    assert page.table.item(0, DECISION_COLUMN).text() == "Rejected"

    # The salesperson's detail window: rejected, the comment readable, Resubmit offered.
    window = detail_for(qtbot, rep_ctx, "customer", customer.id)
    assert window.facts["approval_status"] == "Approval rejected"
    tab = window.tab("approvals")
    [card] = tab.cards
    assert card.status_label.text() == "Rejected"
    assert card.form_values["客户名称"].text() == "福州海峡贸易有限公司"
    assert any(row[1] == "用户51" and row[2] == "Rejected" and row[4] == "请补充手机号" for row in card.history_rows())
    assert card.resubmit_button.isVisibleTo(card) and not card.withdraw_button.isVisibleTo(card)
    assert not card.approve_button.isVisibleTo(card)
    card.resubmit_button.click()
    qtbot.waitUntil(lambda: bool(tab.cards) and tab.cards[0].instance.status == "pending", timeout=WAIT_MS)
    idle(qtbot, window)
    assert window.facts["approval_status"] == "Pending approval"
    assert tab.cards[0].withdraw_button.isVisibleTo(tab.cards[0])
    window.close()

    # The head's list reads again when shown (no signal crosses PCs); the head approves from the customer's own approvals tab.
    page.hide()
    page.show()
    page.set_box("pending")
    idle(qtbot, page)
    assert len(page.items) == 1
    head_window = detail_for(qtbot, head_ctx, "customer", customer.id)
    head_tab = head_window.tab("approvals")
    [card] = head_tab.cards
    assert card.approve_button.isVisibleTo(card) and card.reject_button.isVisibleTo(card)
    assert "Current node: 福建事业部负责人审批" == card.node_label.text()
    card.approve_button.click()
    approve = head_tab.dialog
    assert approve is not None
    approve.comment_edit.setPlainText("同意")
    approve.submit()
    qtbot.waitUntil(lambda: bool(head_tab.cards) and head_tab.cards[0].instance.status == "approved",
                    timeout=WAIT_MS)
    idle(qtbot, head_window, page)
    history = head_tab.cards[0].history_rows()
    assert [(r[1], r[2], r[4]) for r in history] == [
        ("用户52", "Submitted (round 1)", ""), ("用户51", "Rejected", "请补充手机号"), ("System", "Finished", "Rejected"),
        ("用户52", "Resubmitted (round 2)", ""), ("用户51", "Approved", "同意"), ("System", "Finished", "Approved"),
    ]
    assert head_tab.cards[0].status_label.text() == "Approved"
    assert "approval_status" not in head_window.facts  # an active customer shows no badge
    assert not head_tab.cards[0].approve_button.isVisibleTo(head_tab.cards[0])
    assert page.items == []  # the open list of the same session was told
    head_window.close()


def test_second_orsign_approver_is_told_and_nothing_crashes(qtbot: QtBot, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    appr.install_registration_example(db, admin)
    fujian = role_named(db, "福建事业部负责人")
    first = approver(db, admin, "13900000061", role_ids=(fujian,))
    second = approver(db, admin, "13900000062", role_ids=(fujian,))
    rep = make_user(db, admin, "13900000063")
    customers.create(db, rep, {"name": "厦门两人审批有限公司", "province": "福建省"})

    page = page_for(qtbot, make_context(db, second))
    [item] = page.items
    page.select_item(item.instance_id)
    dialog = page.decide_selected(True)
    assert dialog is not None
    # Meanwhile the other head decided (another PC).
    appr.decide(db, first, appr.my_approvals(db, first, "pending")[0].task_id or 0, approve=True)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.message.isVisibleTo(dialog), timeout=WAIT_MS)
    assert dialog.message.text() == "This approval was already decided by someone else."
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    qtbot.waitUntil(lambda: page.items == [] and not page.is_loading(), timeout=WAIT_MS)
    dialog.reject()


def test_submit_a_lead_by_hand_then_withdraw(qtbot: QtBot, ctx: AppContext) -> None:
    """A manual flow on a lead (the tab is generic by entity): submit, withdraw (asked first)."""
    db, admin = ctx.db, ctx.actor
    boss = approver(db, admin, "13900000071")
    appr.create_flow(db, admin, FlowInput(
        name="线索升级审批", entity="lead", binding="manual",
        form=({"key": "name", "label": "线索名称", "field": "name"},),
        branches=({"name": "全部", "condition": {}, "nodes": [
            {"name": "经理审批", "mode": "sequential", "approver": {"kind": "users", "users": [boss.user_id]}}]},)))
    lead = leads.create(db, admin, {"name": "漳州绿源农业科技", "contact_name": "陈丽华"})
    window = detail_for(qtbot, ctx, "lead", lead.id)
    tab = window.tab("approvals")
    assert tab.cards == [] and tab.empty_label.isVisibleTo(tab)
    assert tab.submit_button.isVisibleTo(tab)
    dialog = tab.submit_for_approval()
    assert dialog is not None and dialog.flow_combo.currentText() == "线索升级审批"
    dialog.submit()
    qtbot.waitUntil(lambda: len(tab.cards) == 1, timeout=WAIT_MS)
    idle(qtbot, window)
    card = tab.cards[0]
    assert card.status_label.text() == "Pending" and card.form_values["线索名称"].text() == "漳州绿源农业科技"
    assert "用户71" in card.chain_label.text()
    assert len(appr.my_approvals(db, boss, "pending")) == 1
    card.withdraw_button.click()
    assert tab.pending_question is not None
    tab.pending_question.button(tab.pending_question.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: bool(tab.cards) and tab.cards[0].instance.status == "withdrawn", timeout=WAIT_MS)
    idle(qtbot, window)
    assert tab.cards[0].resubmit_button.isVisibleTo(tab.cards[0])
    assert appr.my_approvals(db, boss, "pending") == []

    # "My approvals" of the submitter lists it; double-click opens the lead on its approvals tab.
    page = page_for(qtbot, ctx)
    page.set_box("submitted")
    idle(qtbot, page)
    assert [(i.record_name, i.status) for i in page.items] == [("漳州绿源农业科技", "withdrawn")]
    assert not page.approve_button.isVisibleTo(page)
    window.close()
    page.select_item(page.items[0].instance_id)
    page.open_selected()
    opened = [w for w in page.findChildren(RecordDetailWindow) if w.isVisible()]
    assert opened and opened[-1].tabs.currentWidget() is opened[-1].tab("approvals")
    idle(qtbot, opened[-1])
    opened[-1].close()


def test_a_contract_waiting_says_what_it_is(qtbot: QtBot, ctx: AppContext) -> None:
    """The list and the decision dialog name the record's kind (translated, never "contract"),
    its number and name, amount, customer and submitter; the dialog's link opens the record."""
    from decimal import Decimal

    from crm_desktop.services.org.permissions import RECORD_ACTIONS
    from crm_desktop.services.sales import contracts as contract_ops
    from crm_desktop.services.sales.contracts import contracts
    from crm_desktop.ui import i18n
    from tests.test_customers import ALL_SALES

    db, admin = ctx.db, ctx.actor
    rep = make_user(db, admin, "13900000081", perms={**ALL_SALES, "contract": RECORD_ACTIONS})
    appr.create_flow(db, admin, FlowInput(name="合同审批", entity="contract", binding="create", branches=(
        {"name": "全部", "condition": {}, "nodes": [
            {"name": "经理审批", "mode": "orsign", "approver": {"kind": "users", "users": [admin.user_id]}}]},)))
    customer = customers.create(db, rep, {"name": "厦门鹭岛机电有限公司"})
    contract = contracts.create(db, rep, {"name": "鹭岛一期", "customer_id": customer.id, "amount": "98000.00"})
    contract_ops.submit(db, rep, contract.id)

    page = page_for(qtbot, ctx)
    [item] = page.items
    assert (item.amount, item.customer_name) == (Decimal("98000.00"), "厦门鹭岛机电有限公司")
    row = [page.table.item(0, c).text() for c in range(page.table.columnCount())]
    headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    shown = dict(zip(headers, row, strict=True))
    assert shown["Kind"] == "Contract" and "contract" not in " ".join(row)
    assert shown["Record"] == f"{contract.values['number']} · 鹭岛一期"
    assert shown["Amount"] == "98,000.00" and shown["Customer"] == "厦门鹭岛机电有限公司"
    assert shown["Submitter"] == "用户81"
    page.select_item(item.instance_id)
    dialog = page.decide_selected(True)
    assert dialog is not None and dialog.record_link is not None
    assert dialog.facts["Contract"] == "鹭岛一期" and dialog.facts["Amount"] == "98,000.00"
    assert dialog.facts["Customer"] == "厦门鹭岛机电有限公司" and dialog.facts["Submitted by"] == "用户81"
    assert dialog.facts["Number"] == contract.values["number"]
    dialog.record_link.linkActivated.emit(f"contract:{contract.id}")
    from crm_desktop.ui.records.details.window import (
        _open_windows,  # the windows open_detail opened
    )

    qtbot.waitUntil(lambda: any(k[1:] == ("contract", contract.id) for k in _open_windows), timeout=WAIT_MS)
    window = next(w for k, w in _open_windows.items() if k[1:] == ("contract", contract.id))
    qtbot.addWidget(window)
    idle(qtbot, window)
    assert window.tabs.currentWidget() is window.tab("approvals")
    window.close()
    dialog.reject()
    # In Chinese the kind reads as the module's name.
    before = i18n.current_language()
    try:
        assert i18n.install_language("zh_CN")
        page.reload()
        idle(qtbot, page)
        assert page.table.item(0, 1).text() == "合同"
    finally:
        i18n.install_language(before)
