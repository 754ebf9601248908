"""Payment plans and payments through the GUI (issue 5): a plan on the contract's detail page, a
payment recorded for it, submitted (no flow: approved), received / outstanding in the contract
list and the plan's status; an overpayment refused with the outstanding amount."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales import payments as pay
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.ui import ops
from crm_desktop.ui.records.details.window import open_detail
from crm_desktop.ui.records.forms.payment_form import PaymentDialog
from crm_desktop.ui.records.lists.contracts import ContractsTab
from crm_desktop.ui.records.lists.payments import PaymentsTab
from tests.ui_helpers import admin_context


def idle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0, timeout=15_000)


def test_plan_payment_received_and_overpayment(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = ctx.db, ctx.actor
    cust = customers.create(db, admin, {"name": "福州闽江物流有限公司"})
    c = contracts.create(db, admin, {"name": "物流系统", "customer_id": cust.id, "amount": "1000"})
    ct.submit(db, admin, c.id)

    # A payment plan through the contract's detail page.
    window = open_detail(ctx, "contract", c.id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None and not window.is_loading(), timeout=10_000)
    plans = window.tab("plans")
    dialog = plans.add_plan()
    dialog.amount_edit.setText("600")
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(10))
    dialog.remind_spin.setValue(3)
    dialog.submit()
    qtbot.waitUntil(lambda: len(plans.plans) == 1, timeout=10_000)
    plan = plans.plans[0]
    assert (plan.instalment, plan.amount, plan.remind_days, plan.status) == (1, Decimal("600.00"), 3, "pending")
    assert plans.status_text(0) in ("Not yet received", "待回款")

    # "Record a payment" on the plan: the form comes with the contract and the plan chosen.
    plans.select_plan(plan.id)
    plans.pay_selected()
    qtbot.waitUntil(lambda: isinstance(getattr(plans, "payment_dialog", None), PaymentDialog)
                    and plans.payment_dialog.is_ready(), timeout=10_000)
    form: PaymentDialog = plans.payment_dialog
    assert form.value("contract_id") == str(c.id) and form.value("plan_id") == str(plan.id)
    assert "1,000.00" in form.outstanding_label.text()
    assert str(form.value("amount")) in ("600.00", "600")  # what is still due on the plan, to start with
    form.set_value("amount", "250")
    form.save()
    qtbot.waitUntil(lambda: not isValid(form) or not form.isVisible(), timeout=10_000)
    payments_tab = window.tab("contract_payments")
    qtbot.waitUntil(lambda: len(payments_tab.rows) == 1, timeout=10_000)
    payments_tab.select_payment(payments_tab.rows[0].id)
    payments_tab.submit_button.click()
    qtbot.waitUntil(lambda: contracts.get(db, admin, c.id).values["received_amount"] == Decimal("250.00"))
    qtbot.waitUntil(lambda: "No approval flow applies" in payments_tab.message_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: not window.is_loading() and plans.plans and plans.plans[0].status == "partly_received",
                    timeout=10_000)
    qtbot.waitUntil(lambda: window.facts.get("outstanding_amount") == "750.00", timeout=10_000)
    window.close()

    # The contract list shows received and outstanding.
    contracts_tab = ContractsTab(ctx)
    qtbot.addWidget(contracts_tab)
    qtbot.waitUntil(lambda: not contracts_tab.model.is_loading() and contracts_tab.model.rowCount() == 1)
    assert contracts_tab.display_text(0, "received_amount") == "250.00"
    assert contracts_tab.display_text(0, "outstanding_amount") == "750.00"

    # The payments list; a new payment above the outstanding amount is refused, saying how much is left.
    tab = PaymentsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 600)
    qtbot.waitUntil(lambda: not tab.model.is_loading() and tab.model.rowCount() == 1, timeout=10_000)
    assert tab.display_text(0, "contract_number") == c.values["number"]
    assert tab.display_text(0, "customer_name") == "福州闽江物流有限公司"
    tab.new_record()
    qtbot.waitUntil(lambda: isinstance(tab.record_dialog, PaymentDialog), timeout=10_000)
    form = tab.record_dialog
    assert [form.editors["contract_id"].itemData(i) for i in range(form.editors["contract_id"].count())] == [
        "", str(c.id)]  # approved contracts only
    form.select_contract(c.id)
    qtbot.waitUntil(form.is_ready)
    form.set_value("amount", "800")
    form.save()
    qtbot.waitUntil(lambda: form.message_label.text() != "", timeout=10_000)
    assert "750.00" in form.message_label.text()
    assert len(pay.contract_payments(db, admin, c.id)) == 1
    form.set_value("amount", "750")
    form.set_value("paid_date", dt.date(2026, 11, 30))
    form.save()
    qtbot.waitUntil(lambda: not isValid(form) or not form.isVisible(), timeout=10_000)
    idle(qtbot)
    assert len(pay.contract_payments(db, admin, c.id)) == 2

    # Double-click opens the payment's own detail window: its facts, approvals and log.
    qtbot.waitUntil(lambda: not tab.model.is_loading() and tab.model.rowCount() == 2, timeout=10_000)
    first = next(r for r in range(2) if tab.display_text(r, "amount") == "250.00")
    tab.view.selectRow(first)
    tab.open_selected()
    detail = tab.detail_window
    qtbot.waitUntil(lambda: detail.data is not None and not detail.is_loading(), timeout=10_000)
    assert detail.entity == "payment" and detail.facts["amount"] == "250.00"
    assert detail.tab_keys() == ["info", "approvals", "attachments", "log"]
    assert detail.name_label.text().startswith("HK-")
    detail.close()
