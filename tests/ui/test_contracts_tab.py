"""ContractsTab and the contract detail window driven as a user would (issue 5): a contract with
lines through the form, submitted (no flow: approved, the customer becomes a deal), searched and
filtered; execution status through the menu with one gated transition; the service's refusals."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.products import ProductOption, products
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow.approvals import FlowInput
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from crm_desktop.ui.records.forms.contract_form import ContractDialog
from crm_desktop.ui.records.lists.contracts import ContractsTab
from crm_desktop.ui.records.shared.lines_editor import QUANTITY
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, tab: ContractsTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Iterator[ContractsTab]:
    widget = ContractsTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    settle(qtbot, widget)
    yield widget
    ops.wait_idle()


def open_form(qtbot: QtBot, tab: ContractsTab, record_id: int | None = None) -> ContractDialog:
    tab.record_dialog = None
    if record_id is None:
        tab.new_record()
    else:
        tab.select_ids([record_id])
        tab.edit_selected()
    qtbot.waitUntil(lambda: isinstance(tab.record_dialog, ContractDialog) and tab.record_dialog.is_ready(),
                    timeout=10_000)
    dialog = tab.record_dialog
    assert isinstance(dialog, ContractDialog)
    return dialog


def option(ctx: AppContext, product_id: int) -> ProductOption:
    p = products.get(ctx.db, ctx.actor, product_id)
    return ProductOption(p.id, p.values["name"], p.values["code"], p.values["unit"], p.values["price"], None)


def row_of(tab: ContractsTab, record_id: int) -> int:
    row = tab.model.row_of(record_id)
    assert row is not None
    return row


def test_contract_form_submit_search_and_execution_status(qtbot: QtBot, tab: ContractsTab, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    cust = customers.create(db, admin, {"name": "厦门鹭岛机电有限公司"})
    signer = contacts.create(db, admin, {"customer_id": cust.id, "name": "陈经理"})
    other = customers.create(db, admin, {"name": "泉州港务集团"})
    gateway = products.create(db, admin, {"name": "工业网关", "code": "GW-01", "unit": "台", "price": "33.33"})

    # A new contract through the form: customer, its signer, a line of 3 × 33.33 at 10 % off.
    dialog = open_form(qtbot, tab)
    dialog.set_value("name", "鹭岛一期")
    dialog.select_customer(cust.id)
    qtbot.waitUntil(lambda: dialog.is_ready() and dialog.editors["customer_signer_id"].count() == 2)
    dialog.choose("customer_signer_id", signer.id)
    dialog.lines_editor.add_product(option(ctx, gateway.id))
    dialog.lines_editor.table.item(0, QUANTITY).setText("3")
    assert dialog.value("amount") == "99.99"  # the amount follows the lines
    dialog.save()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=10_000)
    settle(qtbot, tab)
    [created] = [r for r in (tab.model.record(i) for i in range(tab.model.rowCount())) if r.values["name"] == "鹭岛一期"]
    assert created.values["amount"] == Decimal("99.99") and created.values["customer_signer_id"] == signer.id
    assert [ln.subtotal for ln in ct.contract_lines(db, admin, created.id)] == [Decimal("99.99")]
    row = row_of(tab, created.id)
    assert tab.display_text(row, "customer_name") == "厦门鹭岛机电有限公司"
    assert tab.display_text(row, "outstanding_amount") == "99.99"
    contracts.create(db, admin, {"name": "港务维保", "customer_id": other.id, "amount": "5000"})
    settle(qtbot, tab)

    # Submit: no flow, so approved at once; the customer becomes a deal; execution starts.
    tab.select_ids([created.id])
    assert tab.submit_button.isEnabled() and not tab.status_button.isEnabled()
    tab.submit_button.click()
    qtbot.waitUntil(lambda: "approved" in tab.message_label.text() or "已" in tab.message_label.text())
    # The screen says why it was approved at once (no flow), not merely that it was.
    assert "No approval flow applies" in tab.message_label.text()
    settle(qtbot, tab)
    assert customers.get(db, admin, cust.id).values["deal_status"] == "deal"
    row = row_of(tab, created.id)
    assert tab.display_text(row, "execution_status") == "已确认"
    tab.select_ids([created.id])
    assert tab.status_button.isEnabled() and tab.void_button.isEnabled() and not tab.submit_button.isEnabled()

    # Search by the customer's name; filter on the amount.
    tab.search_edit.setText("鹭岛机电")
    tab._apply_search()
    settle(qtbot, tab)
    assert [tab.model.record(i).id for i in range(tab.model.rowCount())] == [created.id]
    tab.search_edit.setText("")
    tab._apply_search()
    tab.view_bar.apply_filter(Filter((Condition("amount", Op.GTE, "1000"),)))
    settle(qtbot, tab)
    assert [tab.model.record(i).values["name"] for i in range(tab.model.rowCount())] == ["港务维保"]
    tab.clear_filter()
    settle(qtbot, tab)

    # Execution status through the menu: 已确认 → 生产中 is gated by a flow, 生产中 → 准备发货 is not.
    appr.create_flow(db, admin, FlowInput(
        name="投产审批", entity="contract", binding="status", status_field="execution_status",
        from_status="confirmed", to_status="producing",
        branches=({"name": "", "condition": {}, "nodes": [
            {"name": "经理审批", "mode": "orsign", "approver": {"kind": "users", "users": [admin.user_id]}}]},)))
    labels = [a.text() for a in tab.actions.status_menu.actions()]
    assert labels[:3] == ["已确认", "生产中", "准备发货"]
    tab.select_ids([created.id])
    tab.actions.status_menu.actions()[1].trigger()
    qtbot.waitUntil(lambda: "approv" in tab.message_label.text() or "审批" in tab.message_label.text())
    settle(qtbot, tab)
    assert contracts.get(db, admin, created.id).values["execution_status"] == "confirmed"
    [item] = appr.my_approvals(db, admin, "pending")
    assert item.task_id is not None
    appr.decide(db, admin, item.task_id, approve=True)
    assert contracts.get(db, admin, created.id).values["execution_status"] == "producing"
    tab.select_ids([created.id])
    tab.set_execution_status_selected("ready")
    qtbot.waitUntil(lambda: contracts.get(db, admin, created.id).values["execution_status"] == "ready")

    # Editing a pending contract: the service's refusal is shown in the form.
    pending = contracts.create(db, admin, {"name": "待审合同", "customer_id": other.id, "amount": "10"})
    appr.create_flow(db, admin, FlowInput(
        name="合同审批", entity="contract", binding="create",
        branches=({"name": "", "condition": {}, "nodes": [
            {"name": "经理审批", "mode": "orsign", "approver": {"kind": "users", "users": [admin.user_id]}}]},)))
    ct.submit(db, admin, pending.id)
    settle(qtbot, tab)
    dialog = open_form(qtbot, tab, pending.id)
    dialog.set_value("name", "待审合同（改）")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.message_label.text() != "")
    assert contracts.get(db, admin, pending.id).values["name"] == "待审合同"
    dialog.reject()


def test_contract_detail_window(qtbot: QtBot, ctx: AppContext) -> None:
    db, admin = ctx.db, ctx.actor
    cust = customers.create(db, admin, {"name": "漳州重工有限公司"})
    gateway = products.create(db, admin, {"name": "工业网关", "code": "GW-01", "unit": "台", "price": "100"})
    from crm_desktop.services.sales.product_lines import LineInput

    c = contracts.create(db, admin, {"name": "重工一期", "customer_id": cust.id},
                         lines=[LineInput(gateway.id, "100", "2")])
    window = open_detail(ctx, "contract", c.id, parent=None)
    qtbot.addWidget(window)
    assert isinstance(window, RecordDetailWindow)
    qtbot.waitUntil(lambda: window.data is not None and not window.is_loading(), timeout=10_000)
    assert window.tab_keys()[:4] == ["info", "contract_lines", "plans", "contract_payments"]
    assert window.facts["customer_id"] == "漳州重工有限公司"
    assert window.facts["outstanding_amount"] == "200.00"
    assert window.tab("contract_lines").editor.total() == Decimal("200.00")
    bar = window.header_part
    assert bar.submit_button.isEnabled() and not bar.status_button.isEnabled()
    bar.submit_button.click()
    qtbot.waitUntil(lambda: window.data is not None and window.data.record.values["approval_status"] == "approved"
                    and not window.is_loading(), timeout=10_000)
    assert bar.status_button.isEnabled()
    window.close()
    # The customer's Contracts tab lists it, and "New contract…" there opens the form on that customer.
    customer_window = open_detail(ctx, "customer", cust.id, parent=None)
    qtbot.waitUntil(lambda: not customer_window.is_loading(), timeout=10_000)
    related = customer_window.tab("contracts")
    qtbot.waitUntil(lambda: [r.id for r in related.rows] == [c.id], timeout=10_000)
    assert related.new_button is not None
    related.new_button.click()
    qtbot.waitUntil(lambda: isinstance(related.record_dialog, ContractDialog), timeout=10_000)
    form = related.record_dialog
    qtbot.waitUntil(form.is_ready, timeout=10_000)
    assert str(form.value("customer_id")) == str(cust.id)
    form.reject()
    customer_window.close()
