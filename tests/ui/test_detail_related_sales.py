"""Follow-ups on a contract's and an opportunity's detail windows, the opportunity's contracts
and the contact's opportunities (issue 13, seed 004), on a real database and real widgets."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers import followups as followup_ops
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.sales import contracts as contract_ops
from crm_desktop.services.sales import products
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from crm_desktop.ui.records.lists.contracts import ContractsTab
from tests.ui.test_contracts_tab import open_form
from tests.ui_helpers import admin_context


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def customer(ctx: AppContext) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": "漳州重工有限公司"})


@pytest.fixture
def opened() -> Iterator[list[RecordDetailWindow]]:
    windows: list[RecordDetailWindow] = []
    yield windows
    # Windows opened from a tab (a new contract) are top-level windows of their own.
    others = [w for w in QApplication.topLevelWidgets() if isinstance(w, RecordDetailWindow)]
    for window in [*windows, *others]:
        if isValid(window):
            window.close()
    ops.wait_idle()


def show(qtbot: QtBot, opened: list[RecordDetailWindow], ctx: AppContext, entity: str,
         record_id: int) -> RecordDetailWindow:
    window = open_detail(ctx, entity, record_id, parent=None)
    assert isinstance(window, RecordDetailWindow)
    qtbot.addWidget(window)
    opened.append(window)
    settle(qtbot, window)
    return window


def settle(qtbot: QtBot, window: RecordDetailWindow) -> None:
    qtbot.waitUntil(lambda: window.data is not None and not window.is_loading() and ops.running_count() == 0,
                    timeout=15_000)


def test_add_a_followup_on_a_contract_from_its_detail_window(
    qtbot: QtBot, ctx: AppContext, customer: RecordDTO, opened: list[RecordDetailWindow],
) -> None:
    c = contracts.create(ctx.db, ctx.actor, {"name": "重工一期", "customer_id": customer.id})
    window = show(qtbot, opened, ctx, "contract", c.id)
    assert "followups" in window.tab_keys() and "Follow-ups" in window.tab_titles()
    assert window.followup_button.isVisible() and window.followup_button.isEnabled()
    dialog = window.add_followup()
    qtbot.waitUntil(dialog.kinds_loaded, timeout=5_000)
    # No reminder is offered: a contract has no follow-up summary for the to-do list to read.
    assert not dialog.next_check.isVisibleTo(dialog)
    dialog.content_edit.setPlainText("客户确认了交货期。")
    dialog.save()
    tab = window.tab("followups")
    qtbot.waitUntil(lambda: len(tab.rows) == 1, timeout=5_000)
    settle(qtbot, window)
    assert tab.tree.topLevelItem(0).text(2) == "客户确认了交货期。"
    stored = followup_ops.list_followups(ctx.db, ctx.actor, target_entity="contract", target_id=c.id).rows
    assert [r.values["content"] for r in stored] == ["客户确认了交货期。"]


def test_opportunity_detail_shows_its_contracts_and_makes_one_with_its_lines(
    qtbot: QtBot, ctx: AppContext, customer: RecordDTO, opened: list[RecordDetailWindow],
) -> None:
    gateway = products.products.create(ctx.db, ctx.actor, {"name": "工业网关", "code": "GW-01", "unit": "台",
                                                           "price": "100"})
    opp = opportunities.create(ctx.db, ctx.actor, {"name": "网关改造", "customer_id": customer.id},
                               lines=[LineInput(gateway.id, "100", "3")])
    contracts.create(ctx.db, ctx.actor, {"name": "网关一期", "customer_id": customer.id, "opportunity_id": opp.id})
    contracts.create(ctx.db, ctx.actor, {"name": "别的合同", "customer_id": customer.id})  # not this opportunity's
    window = show(qtbot, opened, ctx, "opportunity", opp.id)
    assert "Contracts" in window.tab_titles() and "Follow-ups" in window.tab_titles()
    tab = window.tab("opportunity_contracts")
    qtbot.waitUntil(lambda: len(tab.rows) == 1, timeout=5_000)
    assert tab.cell_text(tab.rows[0], "name") == "网关一期"

    # "New contract from this opportunity": a draft with its customer and lines, opened to be completed.
    assert tab.new_button is not None and not tab.new_button.isHidden()
    with qtbot.waitSignal(tab.open_requested, timeout=10_000) as opened_signal:
        tab.new_button.click()
    entity, contract_id = opened_signal.args
    assert entity == "contract"
    made = contracts.get(ctx.db, ctx.actor, contract_id)
    assert made.values["customer_id"] == customer.id and made.values["opportunity_id"] == opp.id
    assert made.values["amount"] == Decimal("300.00")
    assert [(ln.product_id, ln.subtotal) for ln in contract_ops.contract_lines(ctx.db, ctx.actor, contract_id)] == [
        (gateway.id, Decimal("300.00"))]
    qtbot.waitUntil(lambda: len(tab.rows) == 2, timeout=5_000)


def test_contact_detail_shows_its_opportunities(
    qtbot: QtBot, ctx: AppContext, customer: RecordDTO, opened: list[RecordDetailWindow],
) -> None:
    person = contacts.create(ctx.db, ctx.actor, {"name": "林小姐", "customer_id": customer.id})
    opportunities.create(ctx.db, ctx.actor, {"name": "网关改造", "customer_id": customer.id}, contact_ids=[person.id])
    opportunities.create(ctx.db, ctx.actor, {"name": "没有她", "customer_id": customer.id})
    window = show(qtbot, opened, ctx, "contact", person.id)
    tab = window.tab("contact_opportunities")
    qtbot.waitUntil(lambda: len(tab.rows) == 1, timeout=5_000)
    assert tab.cell_text(tab.rows[0], "name") == "网关改造"
    assert tab.new_button is None


def test_choosing_an_opportunity_in_a_new_contract_fills_its_lines(qtbot: QtBot, ctx: AppContext,
                                                                     customer: RecordDTO) -> None:
    gateway = products.products.create(ctx.db, ctx.actor, {"name": "工业网关", "code": "GW-01", "unit": "台",
                                                           "price": "100"})
    opp = opportunities.create(ctx.db, ctx.actor, {"name": "网关改造", "customer_id": customer.id},
                               lines=[LineInput(gateway.id, "100", "3")])
    tab = ContractsTab(ctx)
    qtbot.addWidget(tab)
    dialog = open_form(qtbot, tab)
    dialog.set_value("name", "网关一期")
    dialog.select_customer(customer.id)
    qtbot.waitUntil(lambda: dialog.is_ready() and dialog.editors["opportunity_id"].count() == 2, timeout=10_000)
    dialog.choose("opportunity_id", opp.id)
    qtbot.waitUntil(lambda: dialog.is_ready() and len(dialog.lines_editor.lines()) == 1, timeout=10_000)
    assert dialog.value("amount") == "300.00"  # the amount follows the lines taken
    dialog.save()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=10_000)
    ops.wait_idle()
    [made] = [r for r in contracts.list_page(ctx.db, ctx.actor, limit=10).rows if r.values["name"] == "网关一期"]
    assert made.values["opportunity_id"] == opp.id and made.values["amount"] == Decimal("300.00")
    assert [(ln.product_id, ln.quantity) for ln in contract_ops.contract_lines(ctx.db, ctx.actor, made.id)] == [
        (gateway.id, Decimal(3))]
