"""Opportunities driven as a user would: the form with two product lines, the stage bar on the
detail page, won / lost, the stage history, and the customer's detail listing the opportunity."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales import products as product_ops
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from crm_desktop.ui.records.forms.opportunity_form import OpportunityDialog
from crm_desktop.ui.records.lists.opportunities import OpportunitiesTab
from crm_desktop.ui.records.shared.lines_editor import PRICE, QUANTITY
from tests.ui_helpers import admin_context


def idle(qtbot: QtBot, busy: object = None) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0 and not (busy and busy()), timeout=15_000)  # type: ignore[operator]


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Iterator[OpportunitiesTab]:
    widget = OpportunitiesTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    idle(qtbot, widget.model.is_loading)
    yield widget
    ops.wait_idle()


def open_new(qtbot: QtBot, tab: OpportunitiesTab) -> OpportunityDialog:
    tab.record_dialog = None
    tab.new_record()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    dialog = tab.record_dialog
    assert isinstance(dialog, OpportunityDialog)
    return dialog


def answer_yes(qtbot: QtBot, owner: object) -> None:
    qtbot.waitUntil(lambda: getattr(owner, "pending_question") is not None, timeout=5_000)
    box = getattr(owner, "pending_question")
    box.button(QMessageBox.StandardButton.Yes).click()


def test_opportunity_from_form_to_won(qtbot: QtBot, tab: OpportunitiesTab, ctx: AppContext) -> None:
    db, actor = ctx.db, ctx.actor
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers == ["Opportunity name", "Customer", "Amount", "Stage", "Status", "Expected close date", "Owner",
                       "Updated"]
    customer = customers.create(db, actor, {"name": "厦门海晟物流有限公司"})
    wang = contacts.create(db, actor, {"customer_id": customer.id, "name": "王海"})
    contacts.create(db, actor, {"customer_id": customer.id, "name": "李娜"})
    crm = product_ops.products.create(db, actor, {"name": "星辰 CRM 企业版", "code": "CRM-ENT", "unit": "套",
                                                  "price": "19800.00"})
    service = product_ops.products.create(db, actor, {"name": "实施服务", "code": "SVC", "unit": "人天",
                                                      "price": "1500.00"})

    # --- the form: customer, its contacts, two lines; the amount follows the lines ---------------
    dialog = open_new(qtbot, tab)
    assert dialog.amount_follows_lines()
    dialog.set_value("name", "海晟物流 CRM 升级")
    dialog.select_customer(customer.id)
    idle(qtbot, dialog.is_loading)
    names = [dialog.contacts_list.item(i).text() for i in range(dialog.contacts_list.count())]
    assert sorted(names) == ["李娜", "王海"]
    dialog.check_contact(wang.id)
    options = {o.id: o for o in product_ops.on_shelf_products(db, actor)}
    dialog.lines_editor.add_product(options[crm.id])
    dialog.lines_editor.add_product(options[service.id])
    table = dialog.lines_editor.table
    table.item(0, PRICE).setText("18800.10")   # 18800.10 × 3 = 56400.30
    table.item(0, QUANTITY).setText("3")
    table.item(1, QUANTITY).setText("2.5")     # 1500.00 × 2.5 = 3750.00
    assert dialog.lines_editor.total() == Decimal("60150.30")
    assert dialog.value("amount") == "60150.30"  # shown as it follows the lines
    dialog.save()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=10_000)
    idle(qtbot, tab.model.is_loading)
    saved = opportunities.list_page(db, actor).rows[0]
    assert saved.values["amount"] == Decimal("60150.30") and saved.values["amount_manual"] is False
    lines = opportunity_ops.get_lines(db, actor, saved.id)
    assert [(l.product_id, l.subtotal) for l in lines] == [(crm.id, Decimal("56400.30")), (service.id, Decimal("3750.00"))]
    assert [c.id for c in opportunity_ops.get_contacts(db, actor, saved.id)] == [wang.id]
    row = tab.model.row_of(saved.id)
    assert row is not None
    assert tab.display_text(row, "customer_name") == "厦门海晟物流有限公司"
    assert tab.display_text(row, "stage_name") == "初步接洽"
    assert tab.display_text(row, "amount") == "60,150.30"

    # --- the detail page: the stage bar moves the stage after a question ------------------------
    tab.select_ids([saved.id])
    tab.open_selected()
    window = tab.detail_window
    assert isinstance(window, RecordDetailWindow)
    idle(qtbot, window.is_loading)
    header = window.header_part
    bar = header.stage_bar
    assert [s.name for s in bar.bar.stages] == ["初步接洽", "需求确认", "方案报价", "谈判审核"]
    assert bar.rate_text() == "Win rate 10%"
    window.resize(1100, 700)
    second = bar.bar.stages[1]
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.segment_rect(1).center().toPoint())
    answer_yes(qtbot, header)
    qtbot.waitUntil(lambda: header.bar is not None and header.bar.current_stage_id == second.id, timeout=10_000)
    idle(qtbot, window.is_loading)
    assert bar.state_of(bar.bar.stages[0].id) == "passed" and bar.rate_text() == "Win rate 30%"
    assert window.tab("info").value_text("stage_id") == "需求确认"

    # --- lost needs a reason: the dialog says so and stays open ---------------------------------
    lose = header.lose()
    lose.submit()
    qtbot.waitUntil(lambda: lose.errors.field_error("lost_reason") != "", timeout=10_000)
    assert lose.isVisible() and opportunities.get(db, actor, saved.id).values["status"] == "open"
    lose.reject()

    # --- won ----------------------------------------------------------------------------------------
    header.win_button.click()
    answer_yes(qtbot, header)
    qtbot.waitUntil(lambda: header.bar is not None and header.bar.status == "won", timeout=10_000)
    idle(qtbot, window.is_loading)
    assert bar.rate_text() == "Won · Win rate 100%"
    assert not header.win_button.isEnabled() and header.reopen_button.isEnabled()
    assert window.facts["status"] == "Won"

    # --- the history lists every change, newest first ----------------------------------------------
    history = window.tab("stage_history")
    assert [r[1:4] for r in history.row_texts()] == [
        ["管理员", "需求确认", "Won · 需求确认"],
        ["管理员", "初步接洽", "需求确认"],
        ["管理员", "—", "初步接洽"],
    ]
    lines_tab = window.tab("lines")
    assert lines_tab.editor.total() == Decimal("60150.30") and lines_tab.editor.table.rowCount() == 2

    # --- the customer's detail lists the opportunity; double-click opens it -------------------------
    customer_window = open_detail(ctx, "customer", customer.id, parent=None)
    idle(qtbot, customer_window.is_loading)
    related = customer_window.tab("opportunities")
    assert "Opportunities" in customer_window.tab_titles()
    assert [r.id for r in related.rows] == [saved.id]
    item = related.tree.topLevelItem(0)
    assert [item.text(c) for c in range(4)] == ["海晟物流 CRM 升级", "60,150.30", "需求确认", "Won"]
    window.close()
    related.select_record(saved.id)
    with qtbot.waitSignal(related.open_requested, timeout=2_000) as opened:
        related.open_selected()
    assert opened.args == ["opportunity", saved.id]
    idle(qtbot)
    again = open_detail(ctx, "opportunity", saved.id, parent=None)  # the one the tab opened, raised
    assert again.isVisible() and again.record_id == saved.id
    again.close()
    # "New opportunity…" on the customer's tab opens the form with this customer chosen and fixed.
    assert related.new_button is not None
    related.new_button.click()
    qtbot.waitUntil(lambda: isinstance(getattr(related, "record_dialog", None), OpportunityDialog), timeout=5_000)
    form = related.record_dialog
    qtbot.waitUntil(lambda: not form.is_loading(), timeout=5_000)
    assert str(form.value("customer_id")) == str(customer.id) and not form.editors["customer_id"].isEnabled()
    form.reject()
    customer_window.close()


def test_typed_amount_stays_and_clearing_follows_lines(qtbot: QtBot, tab: OpportunitiesTab, ctx: AppContext) -> None:
    db, actor = ctx.db, ctx.actor
    customer = customers.create(db, actor, {"name": "泉州恒信纺织有限公司"})
    server = product_ops.products.create(db, actor, {"name": "服务器", "code": "SRV", "price": "35000.00"})
    created = opportunities.create(db, actor, {"name": "服务器采购", "customer_id": customer.id, "amount": "99999.99"})
    qtbot.waitUntil(lambda: tab.model.row_of(created.id) is not None, timeout=10_000)
    tab.select_ids([created.id])
    tab.record_dialog = None
    tab.edit_selected()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    dialog = tab.record_dialog
    assert isinstance(dialog, OpportunityDialog)
    idle(qtbot, dialog.is_loading)
    assert not dialog.amount_follows_lines() and dialog.value("amount") == "99999.99"
    option = next(o for o in product_ops.on_shelf_products(db, actor) if o.id == server.id)
    dialog.lines_editor.add_product(option)
    assert dialog.value("amount") == "99999.99"  # typed by hand: the lines do not move it
    dialog.editors["amount"].line.clear()
    dialog.editors["amount"].line.textEdited.emit("")
    assert dialog.amount_follows_lines()
    dialog.lines_editor.table.item(0, QUANTITY).setText("2")
    assert dialog.value("amount") == "70000.00"
    dialog.save()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=10_000)
    record = opportunities.get(db, actor, created.id)
    assert record.values["amount"] == Decimal("70000.00") and record.values["amount_manual"] is False
