"""Issue 5, acceptance 1: the whole sales chain driven through the real widgets (pytest-qt).

product (Products tab) → opportunity with two product lines (opportunity form, LinesEditor and
its product picker) → stages advanced on the stage bar → won → the won rule makes a draft
contract with the same lines → submitted (Contracts tab) → approved by the manager (contract
detail, Approvals tab card) → execution status through the status menu: 已确认 → 生产中 is gated
(rejected once from "My approvals", a comment required; asked again and approved), 生产中 → 准备发货
notifies the warehouse (message centre) → a payment plan (contract detail, Payment plans tab) →
a payment recorded for it (the form comes with contract and plan chosen) → submitted → approved
by the manager ("My approvals") → received / outstanding in the contract's header and in the
contract list, the plan received, the customer a deal.

Three users, each with a session of their own (as on their own PCs): the salesperson owns the
customer, opportunity, contract and payment; the manager approves; the warehouse is told.
Administration (the won rule, the flows, the notifying rule) is set up through services, as
the brief allows; every step under test goes through widgets.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales import payments as pay
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.products import products
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.approvals import FlowInput
from crm_desktop.services.workflow.automation import RuleInput
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.messages import MessageCentre
from crm_desktop.ui.my_approvals import MyApprovalsPage
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from crm_desktop.ui.records.forms.opportunity_form import OpportunityDialog
from crm_desktop.ui.records.forms.payment_form import PaymentDialog
from crm_desktop.ui.records.lists.contracts import ContractsTab
from crm_desktop.ui.records.lists.opportunities import OpportunitiesTab
from crm_desktop.ui.records.lists.products import ProductsTab
from crm_desktop.ui.records.shared.lines_editor import (
    DISCOUNT,
    PRICE,
    QUANTITY,
    LinesEditor,
)
from tests.test_customers import ALL_SALES, make_user
from tests.ui_helpers import admin_context

WAIT_MS = 15_000
#: A salesperson's rights in the sales modules (products: only to pick them for lines).
SALES = {**ALL_SALES, "opportunity": RECORD_ACTIONS, "contract": RECORD_ACTIONS,
         "payment": ("view", "create", "edit", "delete"), "product": ("view",)}


def idle(qtbot: QtBot, *busy: Callable[[], bool]) -> None:
    """No background op under way and none of the given views still reading."""
    qtbot.waitUntil(lambda: ops.running_count() == 0 and not any(b() for b in busy), timeout=WAIT_MS)


def answer_yes(qtbot: QtBot, owner: object) -> None:
    """Click "Yes" on the question the widget asked (``pending_question``)."""
    qtbot.waitUntil(lambda: getattr(owner, "pending_question") is not None, timeout=WAIT_MS)
    box: QMessageBox = getattr(owner, "pending_question")
    box.button(QMessageBox.StandardButton.Yes).click()


def closed(widget: object) -> Callable[[], bool]:
    return lambda: not isValid(widget) or not widget.isVisible()  # type: ignore[attr-defined]


def fields_text(text: str) -> str:
    """A schema label as the running language shows it."""
    return QCoreApplication.translate("fields", text)


def line_tuples(editor: LinesEditor) -> list[tuple[object, ...]]:
    """The lines a LinesEditor shows: product, price, quantity, discount (as typed) and subtotal."""
    return [(ln.product_id, Decimal(ln.price), Decimal(ln.quantity), Decimal(ln.discount or "0"),
             editor.table.item(row, 7).text()) for row, ln in enumerate(editor.lines())]


#: Detail windows opened by the test: they delete themselves on close, so pytest-qt must not
#: hold them (it would close a deleted window); the fixture closes whatever is still open.
_windows: list[RecordDetailWindow] = []


def open_window(qtbot: QtBot, ctx: AppContext, entity: str, record_id: int) -> RecordDetailWindow:
    window = open_detail(ctx, entity, record_id, parent=None)
    _windows.append(window)
    window.resize(1150, 760)
    qtbot.waitUntil(lambda: window.data is not None, timeout=WAIT_MS)
    idle(qtbot, window.is_loading)
    return window


def approvals_page(qtbot: QtBot, ctx: AppContext) -> MyApprovalsPage:
    page = MyApprovalsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 500)
    page.show()
    idle(qtbot, page.is_loading)
    return page


def waiting_item(qtbot: QtBot, page: MyApprovalsPage, entity: str, record_id: int) -> int:
    """Refresh "Waiting for me" until the record's item is listed; select it; its instance id."""
    def listed() -> bool:
        if page.is_loading() or ops.running_count():
            return False
        if any(i.entity == entity and i.record_id == record_id for i in page.items):
            return True
        page.refresh_button.click()  # what the manager does when the list has not caught up yet
        return False

    qtbot.waitUntil(listed, timeout=WAIT_MS)
    [item] = [i for i in page.items if i.entity == entity and i.record_id == record_id]
    page.select_item(item.instance_id)
    return item.instance_id


@pytest.fixture
def admin_ctx(sqlite_db: Database) -> Iterator[AppContext]:
    yield admin_context(sqlite_db)
    ops.wait_idle()
    for window in _windows:
        if isValid(window):
            window.close()
    _windows.clear()


def test_sales_chain_end_to_end(qtbot: QtBot, admin_ctx: AppContext) -> None:
    db, admin = admin_ctx.db, admin_ctx.actor

    # --- the people -------------------------------------------------------------------------
    rep = make_user(db, admin, "13900000501", perms=SALES)                          # 用户01: salesperson
    manager = make_user(db, admin, "13900000502", perms=SALES, scope=DataScope.ALL)  # 用户02: approves
    warehouse = make_user(db, admin, "13900000503")                                  # 用户03: is told
    rep_ctx, manager_ctx, warehouse_ctx = (make_context(db, a) for a in (rep, manager, warehouse))

    # --- administration, through services (what the admin screens would store) --------------
    def one_node(name: str) -> dict[str, object]:
        return {"name": "", "condition": {}, "nodes": [
            {"name": name, "mode": "orsign", "approver": {"kind": "users", "users": [manager.user_id]}}]}

    # Seed 001: an opportunity marked won makes a draft contract with its product lines.
    auto.create_rule(db, admin, RuleInput(
        name="赢单生成合同", entity="opportunity", event="status_changed", field="status", to_value="won",
        actions=({"type": "create_record", "entity": "contract", "mapping": {}},)))
    appr.create_flow(db, admin, FlowInput(name="合同审批", entity="contract", binding="create",
                                          branches=(one_node("经理审批"),)))
    # Seed 000: 已确认 → 生产中 waits for the manager; 准备发货 tells the warehouse.
    appr.create_flow(db, admin, FlowInput(
        name="投产审批", entity="contract", binding="status", status_field="execution_status",
        from_status="confirmed", to_status="producing", branches=(one_node("投产审批"),)))
    auto.create_rule(db, admin, RuleInput(
        name="通知仓库", entity="contract", event="status_changed", field="execution_status", to_value="ready",
        actions=({"type": "message", "to": "users", "user_ids": [warehouse.user_id], "title": "准备发货 {number}",
                  "body": "合同 {name} 准备发货。"},)))
    appr.create_flow(db, admin, FlowInput(name="回款审批", entity="payment", binding="create",
                                          branches=(one_node("财务审批"),)))
    customer = customers.create(db, rep, {"name": "厦门海晟物流有限公司"})

    # === 1. Two products through the Products tab (the administrator) =======================
    products_tab = ProductsTab(admin_ctx)
    qtbot.addWidget(products_tab)
    products_tab.resize(1200, 700)
    idle(qtbot, products_tab.model.is_loading)
    for name, code, unit, price in (("星辰 CRM 企业版", "CRM-ENT", "套", "19800.00"),
                                    ("实施服务", "SVC", "人天", "1500.00")):
        products_tab.record_dialog = None
        products_tab.new_record()
        qtbot.waitUntil(lambda: products_tab.record_dialog is not None, timeout=WAIT_MS)
        form = products_tab.record_dialog
        form.set_value("name", name)
        form.set_value("code", code)
        form.set_value("unit", unit)
        form.set_value("price", price)
        form.save()
        qtbot.waitUntil(closed(form), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: products_tab.model.rowCount() == 2 and not products_tab.model.is_loading(),
                    timeout=WAIT_MS)
    by_code = {p.values["code"]: p for p in products.list_page(db, admin).rows}
    crm, service = by_code["CRM-ENT"], by_code["SVC"]
    assert crm.values["price"] == Decimal("19800.00") and crm.values["on_shelf"] is True

    # === 2. The salesperson's opportunity: the form, two lines picked in the product picker ===
    opp_tab = OpportunitiesTab(rep_ctx)
    qtbot.addWidget(opp_tab)
    opp_tab.resize(1200, 700)
    idle(qtbot, opp_tab.model.is_loading)
    opp_tab.record_dialog = None
    opp_tab.new_record()
    qtbot.waitUntil(lambda: isinstance(opp_tab.record_dialog, OpportunityDialog), timeout=WAIT_MS)
    dialog = opp_tab.record_dialog
    assert isinstance(dialog, OpportunityDialog)
    dialog.set_value("name", "海晟物流 CRM 升级")
    dialog.select_customer(customer.id)
    idle(qtbot, dialog.is_loading)
    for code in ("CRM-ENT", "SVC"):
        picker = dialog.lines_editor.pick_product()
        qtbot.waitUntil(lambda: picker.results.count() == 2, timeout=WAIT_MS)  # both are on the shelf
        idle(qtbot)
        [row] = [r for r in range(picker.results.count()) if code in picker.results.item(r).text()]
        picker.results.setCurrentRow(row)
        picker.accept()
        assert not picker.isVisible()
    table = dialog.lines_editor.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["星辰 CRM 企业版", "实施服务"]
    table.item(0, PRICE).setText("18800.10")    # 18800.10 × 3 = 56,400.30
    table.item(0, QUANTITY).setText("3")
    table.item(1, QUANTITY).setText("2.5")      # 1500.00 × 2.5 × 90 % = 3,375.00
    table.item(1, DISCOUNT).setText("10")
    assert dialog.lines_editor.total() == Decimal("59775.30")
    assert dialog.amount_follows_lines() and dialog.value("amount") == "59775.30"
    dialog.save()
    qtbot.waitUntil(closed(dialog), timeout=WAIT_MS)
    idle(qtbot, opp_tab.model.is_loading)
    [opp] = opportunities.list_page(db, rep).rows
    assert opp.values["amount"] == Decimal("59775.30") and opp.owner_id == rep.user_id
    opp_lines = opportunity_ops.get_lines(db, rep, opp.id)
    assert [(ln.product_id, ln.subtotal) for ln in opp_lines] == [
        (crm.id, Decimal("56400.30")), (service.id, Decimal("3375.00"))]

    # === 3. The detail page: two clicks on the stage bar, then Won ===========================
    opp_tab.select_ids([opp.id])
    opp_tab.open_selected()
    opp_window = opp_tab.detail_window
    assert isinstance(opp_window, RecordDetailWindow)
    _windows.append(opp_window)
    opp_window.resize(1150, 760)
    idle(qtbot, opp_window.is_loading)
    header = opp_window.header_part
    bar = header.stage_bar
    stages = bar.bar.stages
    assert [s.name for s in stages] == ["初步接洽", "需求确认", "方案报价", "谈判审核"]
    for index in (1, 3):  # 需求确认, then straight on to 谈判审核
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.segment_rect(index).center().toPoint())
        answer_yes(qtbot, header)
        qtbot.waitUntil(lambda: header.bar is not None and header.bar.current_stage_id == stages[index].id,
                        timeout=WAIT_MS)
        idle(qtbot, opp_window.is_loading)
    assert [bar.state_of(s.id) for s in stages] == ["passed", "passed", "passed", "current"]
    header.win_button.click()
    answer_yes(qtbot, header)
    qtbot.waitUntil(lambda: header.bar is not None and header.bar.status == "won", timeout=WAIT_MS)
    idle(qtbot, opp_window.is_loading)
    assert opp_window.facts["status"] == fields_text("Won")
    opp_window_lines = line_tuples(opp_window.tab("lines").editor)

    # === 4. The rule made a draft contract with the opportunity's lines ======================
    contracts_tab = ContractsTab(rep_ctx)
    qtbot.addWidget(contracts_tab)
    contracts_tab.resize(1300, 700)
    qtbot.waitUntil(lambda: not contracts_tab.model.is_loading() and contracts_tab.model.rowCount() == 1,
                    timeout=WAIT_MS)
    contract = contracts_tab.model.record(0)
    cid = contract.id
    assert contract.values["opportunity_id"] == opp.id and contract.values["customer_id"] == customer.id
    assert contract.values["approval_status"] == "draft" and contract.owner_id == rep.user_id
    assert contract.values["amount"] == Decimal("59775.30")
    number = str(contract.values["number"])
    assert contracts_tab.display_text(0, "number") == number
    assert contracts_tab.display_text(0, "outstanding_amount") == "59,775.30"
    key = lambda ln: (ln.product_id, ln.product_name, ln.price, ln.quantity, ln.discount, ln.subtotal)  # noqa: E731
    assert [key(ln) for ln in ct.contract_lines(db, rep, cid)] == [key(ln) for ln in opp_lines]
    rep_window = open_window(qtbot, rep_ctx, "contract", cid)  # the salesperson's contract page, kept open
    assert line_tuples(rep_window.tab("contract_lines").editor) == opp_window_lines
    assert rep_window.tab("contract_lines").editor.total() == Decimal("59775.30")
    opp_window.close()

    # === 5. Submitted from the list; the manager approves on the contract's Approvals tab =====
    contracts_tab.select_ids([cid])
    assert contracts_tab.submit_button.isEnabled() and not contracts_tab.status_button.isEnabled()
    contracts_tab.submit_button.click()
    qtbot.waitUntil(lambda: contracts.get(db, rep, cid).values["approval_status"] == "pending", timeout=WAIT_MS)
    manager_window = open_window(qtbot, manager_ctx, "contract", cid)
    approvals_tab = manager_window.tab("approvals")
    manager_window.tabs.setCurrentWidget(approvals_tab)
    [card] = approvals_tab.cards
    assert card.instance.flow_name == "合同审批" and card.approve_button.isVisibleTo(card)
    card.approve_button.click()
    decision = approvals_tab.dialog
    assert decision is not None
    decision.comment_edit.setPlainText("同意签约")
    decision.submit()
    qtbot.waitUntil(closed(decision), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(approvals_tab.cards) and approvals_tab.cards[0].instance.status == "approved",
                    timeout=WAIT_MS)
    idle(qtbot, manager_window.is_loading)
    assert ("用户02", "同意签约") in [(r[1], r[4]) for r in approvals_tab.cards[0].history_rows()]
    manager_window.close()
    approved = contracts.get(db, rep, cid).values
    assert approved["approval_status"] == "approved" and approved["execution_status"] == "confirmed"
    assert customers.get(db, rep, customer.id).values["deal_status"] == "deal"

    # === 6. Execution status through the list's status menu ==================================
    def status_action(value: str) -> None:
        """Choose ``value`` in the contract's "Execution status" menu (its QAction)."""
        contracts_tab.select_ids([cid])
        qtbot.waitUntil(lambda: contracts_tab.status_button.isEnabled(), timeout=WAIT_MS)
        values = [v for v, _label in contracts_tab.actions.statuses]
        contracts_tab.actions.status_menu.actions()[values.index(value)].trigger()
        idle(qtbot, contracts_tab.model.is_loading)

    def shown_status() -> str:
        row = contracts_tab.model.row_of(cid)
        return contracts_tab.display_text(row, "execution_status") if row is not None else ""

    qtbot.waitUntil(lambda: shown_status() == "已确认", timeout=WAIT_MS)
    assert [label for _v, label in contracts_tab.actions.statuses][:3] == ["已确认", "生产中", "准备发货"]

    # 已确认 → 生产中 is gated: asked, it waits for the manager, who rejects it ("My approvals").
    status_action("producing")
    assert contracts.get(db, rep, cid).values["execution_status"] == "confirmed"
    page = approvals_page(qtbot, manager_ctx)
    waiting_item(qtbot, page, "contract", cid)
    assert page.items[0].flow_name == "投产审批"
    reject = page.decide_selected(False)
    assert reject is not None
    reject.submit()  # no comment: refused beside the comment field, the dialog stays
    qtbot.waitUntil(lambda: bool(reject.errors.field_error("comment")), timeout=WAIT_MS)
    assert reject.isVisible()
    reject.comment_edit.setPlainText("排产计划未定")
    reject.submit()
    qtbot.waitUntil(closed(reject), timeout=WAIT_MS)
    idle(qtbot, page.is_loading, contracts_tab.model.is_loading)
    assert contracts.get(db, rep, cid).values["execution_status"] == "confirmed"
    assert shown_status() == "已确认"

    # Asked again; this time approved ("My approvals" again): the status moves.
    status_action("producing")
    waiting_item(qtbot, page, "contract", cid)
    approve = page.decide_selected(True)
    assert approve is not None
    approve.submit()
    qtbot.waitUntil(closed(approve), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shown_status() == "生产中", timeout=WAIT_MS)
    assert contracts.get(db, rep, cid).values["execution_status"] == "producing"

    # 生产中 → 准备发货 is not gated: it changes at once and tells the warehouse.
    status_action("ready")
    qtbot.waitUntil(lambda: shown_status() == "准备发货", timeout=WAIT_MS)
    centre = MessageCentre(warehouse_ctx)
    qtbot.addWidget(centre)
    qtbot.waitUntil(lambda: any(m.title == f"准备发货 {number}" for m in centre.messages), timeout=WAIT_MS)
    assert [m.body for m in centre.messages] == ["合同 海晟物流 CRM 升级 准备发货。"]
    assert not any(m.title.startswith("准备发货") for m in auto.list_messages(db, rep))  # only the warehouse

    # === 7. A payment plan on the contract's page, then a payment recorded for it =============
    qtbot.waitUntil(lambda: rep_window.data is not None and rep_window.data.record.values["approval_status"]
                    == "approved" and not rep_window.is_loading(), timeout=WAIT_MS)
    plans = rep_window.tab("plans")
    rep_window.tabs.setCurrentWidget(plans)
    plan_dialog = plans.add_plan()
    plan_dialog.amount_edit.setText("30000.30")
    plan_dialog.date_edit.setDate(plan_dialog.date_edit.date().addDays(10))
    plan_dialog.remind_spin.setValue(3)
    if plan_dialog.method_combo.count() > 1:
        plan_dialog.method_combo.setCurrentIndex(1)
    plan_dialog.submit()
    qtbot.waitUntil(lambda: len(plans.plans) == 1, timeout=WAIT_MS)
    [plan] = plans.plans
    assert (plan.instalment, plan.amount, plan.remind_days, plan.status) == (1, Decimal("30000.30"), 3, "pending")

    plans.select_plan(plan.id)
    assert plans.pay_button.isEnabled()
    plans.pay_button.click()
    qtbot.waitUntil(lambda: isinstance(getattr(plans, "payment_dialog", None), PaymentDialog)
                    and plans.payment_dialog.is_ready(), timeout=WAIT_MS)
    payment_form: PaymentDialog = plans.payment_dialog
    assert payment_form.value("contract_id") == str(cid) and payment_form.value("plan_id") == str(plan.id)
    assert "59,775.30" in payment_form.outstanding_label.text()
    payment_form.set_value("amount", "30000.30")  # the planned instalment, in full
    payment_form.save()
    qtbot.waitUntil(closed(payment_form), timeout=WAIT_MS)
    payments_tab = rep_window.tab("contract_payments")
    qtbot.waitUntil(lambda: len(payments_tab.rows) == 1, timeout=WAIT_MS)
    payment = payments_tab.rows[0]
    assert payment.values["plan_id"] == plan.id and payment.values["approval_status"] == "draft"
    rep_window.tabs.setCurrentWidget(payments_tab)
    payments_tab.select_payment(payment.id)
    assert payments_tab.submit_button.isEnabled()
    payments_tab.submit_button.click()
    qtbot.waitUntil(lambda: pay.payments.get(db, rep, payment.id).values["approval_status"] == "pending",
                    timeout=WAIT_MS)
    assert contracts.get(db, rep, cid).values["received_amount"] == Decimal("0.00")  # not before approval

    # The manager approves the payment from "My approvals".
    waiting_item(qtbot, page, "payment", payment.id)
    assert page.items[0].flow_name == "回款审批"
    approve = page.decide_selected(True)
    assert approve is not None
    approve.submit()
    qtbot.waitUntil(closed(approve), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.items == [] and not page.is_loading(), timeout=WAIT_MS)

    # === 8. What everyone sees now ============================================================
    values = contracts.get(db, rep, cid).values
    assert values["received_amount"] == Decimal("30000.30")
    assert values["outstanding_amount"] == Decimal("29775.00")
    assert isinstance(values["outstanding_amount"], Decimal)
    # The contract's header (the salesperson's window read again when the payment was approved).
    qtbot.waitUntil(lambda: rep_window.facts.get("received_amount") == "30,000.30"
                    and not rep_window.is_loading(), timeout=WAIT_MS)
    assert rep_window.facts["outstanding_amount"] == "29,775.00"
    assert rep_window.facts["amount"] == "59,775.30"
    # The plan is received.
    qtbot.waitUntil(lambda: bool(plans.plans) and plans.plans[0].status == "received", timeout=WAIT_MS)
    assert plans.plans[0].received_amount == Decimal("30000.30")
    assert plans.status_text(0) == fields_text("Received")
    assert [p.status for p in pay.list_plans(db, rep, cid)] == ["received"]
    # The contract list's columns.
    def list_shows(field: str, text: str) -> bool:
        row = contracts_tab.model.row_of(cid)
        return row is not None and not contracts_tab.model.is_loading() and \
            contracts_tab.display_text(row, field) == text

    qtbot.waitUntil(lambda: list_shows("received_amount", "30,000.30"), timeout=WAIT_MS)
    assert list_shows("outstanding_amount", "29,775.00") and list_shows("execution_status", "准备发货")
    # The customer is a deal (header of the customer's page; its contracts tab lists the contract).
    customer_window = open_window(qtbot, rep_ctx, "customer", customer.id)
    assert customer_window.facts["deal_status"] == fields_text("Deal")
    assert customers.get(db, rep, customer.id).values["deal_status"] == "deal"
    assert [r.id for r in customer_window.tab("contracts").rows] == [cid]
    customer_window.close()
    rep_window.close()
    idle(qtbot)
