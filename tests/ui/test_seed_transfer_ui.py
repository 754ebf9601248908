"""Seed 004 in the GUI: the customer transfer dialog carries opportunities and contracts; the
contract's transfer keeps the old owner on the team; submitting a contract or a payment asks
for the approver when its flow wants the submitter to choose."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QListWidget
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.payments import payments
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow.approvals import FlowInput
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.contracts import ContractsTab
from crm_desktop.ui.records.lists.customer_actions import CustomerTransferDialog
from crm_desktop.ui.records.lists.customers import CustomersTab
from crm_desktop.ui.records.lists.payments import PaymentsTab
from crm_desktop.ui.records.lists.record_tab import RecordTab
from crm_desktop.ui.records.shared.approver_picker import ChooseApproversDialog
from tests.ui.test_record_list_model import make_sales_user
from tests.ui_helpers import admin_context


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


def shown(qtbot: QtBot, tab: RecordTab, *records: RecordDTO) -> None:
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    qtbot.waitUntil(lambda: all(tab.model.row_of(r.id) is not None for r in records), timeout=15_000)
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)
    tab.select_ids([r.id for r in records])


def test_customer_transfer_carries_opportunities_and_contracts(qtbot: QtBot, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    sales = make_sales_user(db, admin)
    cust = customers.create(db, admin, {"name": "鹭岛机电"})
    other = customers.create(db, admin, {"name": "别家公司"})
    opp = opportunities.create(db, admin, {"name": "一期", "customer_id": cust.id})
    deal = contracts.create(db, admin, {"name": "一期合同", "customer_id": cust.id})
    elsewhere = contracts.create(db, admin, {"name": "别家合同", "customer_id": other.id})
    tab = CustomersTab(ctx)
    shown(qtbot, tab, cust)
    tab.transfer_button.click()
    qtbot.waitUntil(lambda: tab.transfer_dialog is not None, timeout=5_000)
    dialog = tab.transfer_dialog
    assert isinstance(dialog, CustomerTransferDialog)
    # The administrator may transfer every module: all three offered, all ticked.
    for check in (dialog.contacts_check, dialog.opportunities_check, dialog.contracts_check):
        assert not check.isHidden() and check.isChecked()
    dialog.contacts_check.setChecked(False)
    dialog.select_user(sales.user_id)
    dialog.set_keep_old_owner("read")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: tab.message_label.text().startswith("Transferred"), timeout=10_000)
    assert tab.message_label.text() == ("Transferred 1 customers and 0 contacts. "
                                        "Carried along: 1 opportunities, 1 contracts.")
    assert opportunities.get(db, admin, opp.id).owner_id == sales.user_id
    assert contracts.get(db, admin, deal.id).owner_id == sales.user_id
    assert contracts.get(db, admin, elsewhere.id).owner_id == admin.user_id
    assert [(m.user_id, m.access) for m in contracts.team(db, admin, deal.id)] == [(admin.user_id, "read")]
    ops.wait_idle()


def test_contract_transfer_offers_keeping_the_old_owner(qtbot: QtBot, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    sales = make_sales_user(db, admin)
    cust = customers.create(db, admin, {"name": "鹭岛机电"})
    deal = contracts.create(db, admin, {"name": "一期合同", "customer_id": cust.id})
    tab = ContractsTab(ctx)
    shown(qtbot, tab, deal)
    tab.transfer_selected()
    qtbot.waitUntil(lambda: tab.transfer_dialog is not None, timeout=5_000)
    dialog = tab.transfer_dialog
    assert dialog is not None and dialog.team_combo is not None
    assert [dialog.team_combo.itemData(i) for i in range(dialog.team_combo.count())] == [None, "read", "write"]
    dialog.select_user(sales.user_id)
    dialog.set_keep_old_owner("write")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: contracts.get(db, admin, deal.id).owner_id == sales.user_id, timeout=10_000)
    assert [(m.user_id, m.access) for m in contracts.team(db, admin, deal.id)] == [(admin.user_id, "write")]
    qtbot.waitUntil(lambda: tab.message_label.text() == "Transferred: 1", timeout=5_000)
    ops.wait_idle()


def picks_flow(ctx: AppContext, entity: str, mode: str = "orsign") -> None:
    appr.create_flow(ctx.db, ctx.actor, FlowInput(name="自选审批", entity=entity, binding="create", branches=(
        {"name": "", "condition": {}, "nodes": [
            {"name": "自选审批人", "mode": mode, "approver": {"kind": "submitter_picks"}}]},)))


def test_submitting_a_contract_asks_for_its_approver(qtbot: QtBot, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    manager = make_sales_user(db, admin, mobile="13900000011", name="经理老陈")
    picks_flow(ctx, "contract")
    cust = customers.create(db, admin, {"name": "鹭岛机电"})
    deal = contracts.create(db, admin, {"name": "一期合同", "customer_id": cust.id})
    tab = ContractsTab(ctx)
    shown(qtbot, tab, deal)
    tab.submit_button.click()
    qtbot.waitUntil(lambda: tab.actions.approver_dialog is not None, timeout=10_000)
    dialog = tab.actions.approver_dialog
    assert isinstance(dialog, ChooseApproversDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    picker = dialog.pickers[0]
    assert isinstance(picker, QListWidget)  # or-sign: several may be chosen
    offered = {picker.item(r).text() for r in range(picker.count())}
    # Enabled users but the submitter: nobody approves their own submission.
    assert any(t.startswith("经理老陈") for t in offered) and not any(t.startswith("管理员") for t in offered)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "Submit"
    ok.click()  # nobody chosen: the dialog says so and stays
    assert dialog.errors.field_error("node0") == "Choose who approves this step."
    assert contracts.get(db, admin, deal.id).values["approval_status"] == "draft"
    # The search box narrows the list; the tick is kept.
    dialog.filters[picker].setText("老陈")
    assert [picker.item(r).text() for r in range(picker.count()) if not picker.item(r).isHidden()] == [
        t for t in sorted(offered) if t.startswith("经理老陈")]
    dialog.choose(0, [manager.user_id])
    dialog.filters[picker].clear()
    assert dialog.picks() == {0: [manager.user_id]}
    ok.click()
    qtbot.waitUntil(lambda: contracts.get(db, admin, deal.id).values["approval_status"] == "pending",
                    timeout=10_000)
    qtbot.waitUntil(lambda: "submitted for approval" in tab.message_label.text(), timeout=5_000)
    waiting = appr.my_approvals(db, manager, "pending")
    assert [(w.record_id, w.entity) for w in waiting] == [(deal.id, "contract")]
    ops.wait_idle()


def test_submitting_a_payment_asks_for_one_approver(qtbot: QtBot, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    finance = make_sales_user(db, admin, mobile="13900000012", name="财务小林")
    cust = customers.create(db, admin, {"name": "回款客户"})
    deal = contracts.create(db, admin, {"name": "回款合同", "customer_id": cust.id, "amount": "1000"})
    ct.submit(db, admin, deal.id)  # no contract flow: approved at once
    picks_flow(ctx, "payment", mode="sequential")
    pay = payments.create(db, admin, {"contract_id": deal.id, "amount": "100",
                                      "paid_date": dt.date.today().isoformat()})
    tab = PaymentsTab(ctx)
    shown(qtbot, tab, pay)
    tab.submit_button.click()
    qtbot.waitUntil(lambda: tab.approver_dialog is not None, timeout=10_000)
    dialog = tab.approver_dialog
    assert dialog is not None
    picker = dialog.pickers[0]
    assert isinstance(picker, QComboBox) and picker.currentIndex() == -1  # one person, none preselected
    dialog.choose(0, [finance.user_id])
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: payments.get(db, admin, pay.id).values["approval_status"] == "pending",
                    timeout=10_000)
    assert [w.record_id for w in appr.my_approvals(db, finance, "pending")] == [pay.id]
    ops.wait_idle()


def test_no_choice_asked_when_the_flow_does_not_want_one(qtbot: QtBot, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    cust = customers.create(db, admin, {"name": "鹭岛机电"})
    deal = contracts.create(db, admin, {"name": "一期合同", "customer_id": cust.id})
    tab = ContractsTab(ctx)
    shown(qtbot, tab, deal)
    tab.submit_button.click()
    qtbot.waitUntil(lambda: contracts.get(db, admin, deal.id).values["approval_status"] == "approved",
                    timeout=10_000)
    assert tab.actions.approver_dialog is None
    ops.wait_idle()


def test_a_manual_flow_asks_for_its_approver_on_the_approvals_tab(qtbot: QtBot, ctx: AppContext) -> None:
    from crm_desktop.services.customers.leads import leads
    from crm_desktop.ui.records.details.window import open_detail

    db, admin = ctx.db, ctx.actor
    boss = make_sales_user(db, admin, mobile="13900000013", name="经理老王")
    appr.create_flow(db, admin, FlowInput(name="线索升级审批", entity="lead", binding="manual", branches=(
        {"name": "全部", "condition": {}, "nodes": [
            {"name": "自选审批人", "mode": "sequential", "approver": {"kind": "submitter_picks"}}]},)))
    lead = leads.create(db, admin, {"name": "漳州绿源农业科技", "contact_name": "陈丽华"})
    window = open_detail(ctx, "lead", lead.id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None, timeout=15_000)
    tab = window.tab("approvals")
    qtbot.waitUntil(lambda: bool(tab.flows), timeout=15_000)
    dialog = tab.submit_for_approval()
    assert dialog is not None
    dialog.submit()
    qtbot.waitUntil(lambda: isinstance(tab.dialog, ChooseApproversDialog), timeout=15_000)
    chooser = tab.dialog
    assert isinstance(chooser, ChooseApproversDialog)
    chooser.choose(0, [boss.user_id])
    chooser.submit()
    qtbot.waitUntil(lambda: len(tab.cards) == 1, timeout=15_000)
    assert [i.record_id for i in appr.my_approvals(db, boss, "pending")] == [lead.id]
    ops.wait_idle()
