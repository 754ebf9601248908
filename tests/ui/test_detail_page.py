"""The record detail window: header, actions by permission, tabs per entity, refresh."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.customers import leads as lead_ops
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from crm_desktop.ui.records.forms.layout import FormField
from tests.ui.test_record_list_model import make_sales_user
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, window: RecordDetailWindow) -> None:
    qtbot.waitUntil(lambda: not window.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def customer(ctx: AppContext) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": "厦门星辰科技有限公司", "level": "A", "phone": "0592-1234567"})


@pytest.fixture
def opened(qtbot: QtBot, ctx: AppContext) -> Iterator[list[RecordDetailWindow]]:
    windows: list[RecordDetailWindow] = []
    yield windows
    for window in windows:
        if isValid(window):
            window.close()
    ops.wait_idle()


def show(qtbot: QtBot, opened: list[RecordDetailWindow], ctx: AppContext, entity: str, record_id: int,
         **kwargs: object) -> RecordDetailWindow:
    window = open_detail(ctx, entity, record_id, parent=None, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    opened.append(window)
    qtbot.waitUntil(lambda: window.data is not None, timeout=10_000)
    settle(qtbot, window)
    return window


def test_customer_header_and_tabs(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                  opened: list[RecordDetailWindow]) -> None:
    window = show(qtbot, opened, ctx, "customer", customer.id)
    assert window.isVisible() and not window.isModal()
    assert window.width() >= 900 and window.height() >= 600
    assert window.name_label.text() == "厦门星辰科技有限公司"
    assert window.facts["owner_id"] == ctx.actor.name
    assert window.facts["level"].startswith("A")  # the dictionary's label, e.g. "A（重点客户）"
    assert window.facts["level"] != "A"
    assert window.facts["deal_status"] == "No deal"
    assert "locked" not in window.facts
    assert window.tab_titles() == ["Follow-ups", "Basic info", "Contacts", "Opportunities", "Contracts", "Payments", "Team",
                                   "Activities", "Attachments", "Approvals", "Operation log"]
    assert all(b.isVisible() and b.isEnabled() for b in (window.edit_button, window.followup_button,
                                                          window.lock_button, window.star_button))
    info = window.tab("info")
    assert info.value_text("phone") == "0592-1234567"
    assert info.value_text("deal_status") == "No deal"
    assert info.value_text("owner_id") == ctx.actor.name


def test_lock_and_star_from_the_header(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                       opened: list[RecordDetailWindow]) -> None:
    window = show(qtbot, opened, ctx, "customer", customer.id)
    assert window.lock_button.text() == "Lock" and window.star_button.text() == "☆ Star"
    window.lock_button.click()
    qtbot.waitUntil(lambda: window.lock_button.text() == "Unlock", timeout=5_000)
    assert customers.get(ctx.db, ctx.actor, customer.id).values["locked"] is True
    assert "Locked" in window.facts["locked"]
    window.star_button.click()
    qtbot.waitUntil(lambda: window.star_button.text() == "★ Starred", timeout=5_000)
    assert customer_ops.starred_ids(ctx.db, ctx.actor) == {customer.id}
    window.star_button.click()
    qtbot.waitUntil(lambda: window.star_button.text() == "☆ Star", timeout=5_000)
    assert customer_ops.starred_ids(ctx.db, ctx.actor) == set()
    settle(qtbot, window)
    window.lock_button.click()
    qtbot.waitUntil(lambda: window.lock_button.text() == "Lock", timeout=5_000)
    assert customers.get(ctx.db, ctx.actor, customer.id).values["locked"] is False


def test_refreshes_when_the_record_changes_elsewhere(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                                     opened: list[RecordDetailWindow]) -> None:
    window = show(qtbot, opened, ctx, "customer", customer.id)
    customers.update(ctx.db, ctx.actor, customer.id, expected_version=customer.version,
                     changes={"name": "星辰科技（厦门）"})
    qtbot.waitUntil(lambda: window.name_label.text() == "星辰科技（厦门）", timeout=5_000)
    settle(qtbot, window)
    assert window.tab("info").value_text("name") == "星辰科技（厦门）"


def test_operation_log_tab_lists_the_edits(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                           opened: list[RecordDetailWindow]) -> None:
    customers.update(ctx.db, ctx.actor, customer.id, expected_version=customer.version, changes={"phone": "111"})
    window = show(qtbot, opened, ctx, "customer", customer.id)
    log = window.tab("log").view
    assert [e.action for e in log.entries] == ["create", "update"]
    newest = log.tree.topLevelItem(0)  # newest first in the tab
    assert newest.text(2) == "Edited"
    assert [(newest.child(i).text(3), newest.child(i).text(4), newest.child(i).text(5))
            for i in range(newest.childCount())] == [("Phone", "0592-1234567", "111")]


def test_edit_falls_back_to_the_generic_form(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                             opened: list[RecordDetailWindow]) -> None:
    fields = (FormField("name", "Name", required=True), FormField("phone", "Phone"))
    window = show(qtbot, opened, ctx, "customer", customer.id, edit_fields=fields)
    with qtbot.waitSignal(window.edit_requested) as asked:
        window.edit()
    assert asked.args == [customer.id]
    qtbot.waitUntil(lambda: window.edit_dialog is not None, timeout=5_000)
    dialog = window.edit_dialog
    assert dialog is not None and list(dialog.editors)[:2] == ["name", "phone"]
    dialog.set_value("phone", "222")
    dialog.save()
    qtbot.waitUntil(lambda: window.tab("info").value_text("phone") == "222", timeout=5_000)
    # Someone connected to the signal (the app's schema form): no fallback form then.
    requested: list[int] = []
    window.edit_requested.connect(requested.append)
    window.edit_dialog = None
    window.edit()
    assert requested == [customer.id]
    qtbot.wait(200)
    assert window.edit_dialog is None


def test_schema_fallback_form_without_field_list(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                                 opened: list[RecordDetailWindow]) -> None:
    window = show(qtbot, opened, ctx, "customer", customer.id)
    window.edit()
    qtbot.waitUntil(lambda: window.edit_dialog is not None, timeout=5_000)
    dialog = window.edit_dialog
    assert dialog is not None
    assert {"name", "phone", "level", "remark"} <= set(dialog.editors)
    assert "deal_status" not in dialog.editors and "owner_id" not in dialog.editors  # system fields
    assert dialog.value("level") == "A"
    dialog.reject()


@pytest.mark.parametrize("entity", ["opportunity", "contract", "product"])
def test_edit_opens_the_entity_s_own_form(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                          opened: list[RecordDetailWindow], entity: str) -> None:
    from crm_desktop.services.sales.contracts import contracts
    from crm_desktop.services.sales.opportunities import opportunities
    from crm_desktop.services.sales.products import products
    from crm_desktop.ui.records.forms.contract_form import ContractDialog
    from crm_desktop.ui.records.forms.opportunity_form import OpportunityDialog

    if entity == "opportunity":
        record = opportunities.create(ctx.db, ctx.actor, {"name": "机房改造", "customer_id": customer.id})
    elif entity == "contract":
        record = contracts.create(ctx.db, ctx.actor, {"name": "机房改造一期", "customer_id": customer.id})
    else:
        record = products.create(ctx.db, ctx.actor, {"name": "工业网关", "code": "GW-01", "unit": "台"})
    window = show(qtbot, opened, ctx, entity, record.id)
    window.edit()
    qtbot.waitUntil(lambda: window.edit_dialog is not None, timeout=10_000)
    dialog = window.edit_dialog
    if entity == "opportunity":
        assert isinstance(dialog, OpportunityDialog)
    elif entity == "contract":
        assert isinstance(dialog, ContractDialog)
    else:  # the product form: the category is a picker, which the schema-generated form lacks
        assert "category_id" in dialog.editors
    dialog.reject()
    settle(qtbot, window)


def test_lead_detail_tabs_and_status(qtbot: QtBot, ctx: AppContext, opened: list[RecordDetailWindow]) -> None:
    lead = leads.create(ctx.db, ctx.actor, {"name": "鹭岛贸易", "contact_name": "陈经理"})
    window = show(qtbot, opened, ctx, "lead", lead.id)
    assert window.tab_titles() == ["Follow-ups", "Basic info", "Activities", "Attachments", "Approvals", "Operation log"]
    assert window.facts["status"] == "New"
    assert not window.lock_button.isVisible() and not window.star_button.isVisible()
    assert window.tab("info").value_text("contact_name") == "陈经理"
    lead_ops.convert(ctx.db, ctx.actor, lead.id)
    qtbot.waitUntil(lambda: window.facts.get("status") == "Converted", timeout=5_000)
    assert not window.followup_button.isEnabled() and not window.edit_button.isEnabled()


def test_contact_detail_tabs_and_customer(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                          opened: list[RecordDetailWindow]) -> None:
    contact = contacts.create(ctx.db, ctx.actor, {"customer_id": customer.id, "name": "林小姐", "position": "采购经理"})
    window = show(qtbot, opened, ctx, "contact", contact.id)
    assert window.tab_titles() == ["Basic info", "Follow-ups", "Activities", "Opportunities", "Attachments",
                                   "Approvals", "Operation log"]
    assert window.facts["customer_id"] == "厦门星辰科技有限公司"
    assert window.facts["position"] == "采购经理"
    assert window.tab("info").value_text("is_primary") == "Yes"
    customer_window = window.open_link(f"customer:{customer.id}")  # the customer's name is a link
    assert customer_window is not None
    opened.append(customer_window)
    qtbot.waitUntil(lambda: customer_window.name_label.text() == "厦门星辰科技有限公司", timeout=5_000)
    settle(qtbot, customer_window)


def test_user_without_permission_sees_no_write_buttons(qtbot: QtBot, ctx: AppContext,
                                                       opened: list[RecordDetailWindow]) -> None:
    viewer = make_sales_user(ctx.db, ctx.actor, actions=("view", "create"))
    record = customers.create(ctx.db, viewer, {"name": "只读公司"})
    viewer_ctx = ctx.with_actor(viewer)
    window = show(qtbot, opened, viewer_ctx, "customer", record.id)
    assert window.name_label.text() == "只读公司"
    assert not window.edit_button.isVisible()
    assert not window.lock_button.isVisible()
    assert not window.followup_button.isVisible()  # no follow-up permission in this role
    assert window.star_button.isVisible()  # starring is personal: viewing is enough
    # No follow-up or contact permission: those tabs are not offered at all.
    assert window.tab_titles() == ["Basic info", "Team", "Activities", "Attachments", "Approvals", "Operation log"]
    team, files = window.tab("team"), window.tab("attachments")
    # Tabs not on top are not "visible"; what matters is whether a button is hidden.
    assert team.add_button.isHidden() and team.remove_button.isHidden() and team.change_button.isHidden()
    assert files.add_button.isHidden() and files.remove_button.isHidden()
    assert not files.open_button.isHidden()


def test_read_only_on_followups_and_contacts(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                             opened: list[RecordDetailWindow]) -> None:
    from crm_desktop.services.org import auth, roles, users
    from crm_desktop.services.org.permissions import DataScope

    role = roles.create_role(ctx.db, ctx.actor, roles.RoleInput(
        name="Viewer", permissions=frozenset({("customer", "view"), ("followup", "view"), ("contact", "view")}),
        scopes={"customer": DataScope.ALL, "contact": DataScope.ALL, "followup": DataScope.ALL},
    ))
    users.create_user(ctx.db, ctx.actor, users.UserInput(
        mobile="13900000009", name="只读", department_id=ctx.actor.department_id, role_ids=(role.id,)
    ), password="viewer1234")
    viewer = auth.login(ctx.db, "13900000009", "viewer1234")
    window = show(qtbot, opened, ctx.with_actor(viewer), "customer", customer.id)
    assert window.tab_titles() == ["Follow-ups", "Basic info", "Contacts", "Team", "Activities", "Attachments",
                                   "Approvals", "Operation log"]
    assert not window.followup_button.isVisible() and not window.edit_button.isVisible()
    assert window.tab("followups").add_button.isHidden()
    contacts_tab = window.tab("contacts")
    assert contacts_tab.new_button.isHidden() and contacts_tab.primary_button.isHidden()
    assert not contacts_tab.open_button.isHidden()


def test_add_tab_later(qtbot: QtBot, ctx: AppContext, customer: RecordDTO, opened: list[RecordDetailWindow]) -> None:
    from crm_desktop.ui.records.details.common_tabs import BasicInfoTab

    window = show(qtbot, opened, ctx, "customer", customer.id)
    extra = BasicInfoTab(window.target)
    window.add_tab("opportunities", extra, "Opportunities", index=2)
    assert window.tab_titles()[2] == "Opportunities"
    assert window.tab("opportunities") is extra
    assert extra.value_text("name") == "厦门星辰科技有限公司"  # fed the record at once


def test_other_modules_register_tabs(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                     opened: list[RecordDetailWindow]) -> None:
    from PySide6.QtWidgets import QLabel

    from crm_desktop.ui.records.details.window import (
        register_detail_tabs,
        unregister_detail_tabs,
    )

    def add_sales(window: RecordDetailWindow) -> None:
        window.add_tab("opportunities", QLabel("商机"), "Opportunities", index=3)

    register_detail_tabs("customer", add_sales)
    try:
        window = show(qtbot, opened, ctx, "customer", customer.id)
        assert window.tab_titles()[3] == "Opportunities"
        assert window.tab("opportunities").text() == "商机"
        lead = leads.create(ctx.db, ctx.actor, {"name": "线索"})
        assert "Opportunities" not in show(qtbot, opened, ctx, "lead", lead.id).tab_titles()
    finally:
        unregister_detail_tabs("customer", add_sales)


def test_missing_record_says_so(qtbot: QtBot, ctx: AppContext, opened: list[RecordDetailWindow]) -> None:
    window = open_detail(ctx, "customer", 999_999, parent=None)
    qtbot.addWidget(window)
    opened.append(window)
    qtbot.waitUntil(lambda: window.message_label.text() != "", timeout=5_000)
    assert window.name_label.text() == "Not available"
    assert not window.edit_button.isEnabled()


def test_opening_a_record_again_raises_its_window(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                                  opened: list[RecordDetailWindow]) -> None:
    window = open_detail(ctx, "customer", customer.id, parent=None)  # closed here, not by qtbot
    qtbot.waitUntil(lambda: window.data is not None, timeout=10_000)
    settle(qtbot, window)
    assert open_detail(ctx, "customer", customer.id, parent=None) is window
    window.close()  # deleted later: opening the record right away gives a new window
    again = show(qtbot, opened, ctx, "customer", customer.id)
    assert again is not window and again.name_label.text() == "厦门星辰科技有限公司"
    qtbot.waitUntil(lambda: not isValid(window), timeout=5_000)
    assert open_detail(ctx, "customer", customer.id, parent=None) is again  # still the open one


def test_contact_opens_from_the_customer_contacts_tab(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                                       opened: list[RecordDetailWindow]) -> None:
    contact = contacts.create(ctx.db, ctx.actor, {"customer_id": customer.id, "name": "林小姐"})
    window = show(qtbot, opened, ctx, "customer", customer.id)
    tab = window.tab("contacts")
    tab.select_contact(contact.id)
    tab.open_selected()
    contact_window = open_detail(ctx, "contact", contact.id, parent=None)  # the one just opened
    opened.append(contact_window)
    assert contact_window.entity == "contact" and contact_window is not window
    qtbot.waitUntil(lambda: contact_window.name_label.text() == "林小姐", timeout=5_000)
    settle(qtbot, contact_window)
