"""LeadsTab driven as a user would, on a fresh SQLite database: create, convert, mark invalid."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.contacts import contacts, list_for_customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads, mark_invalid
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.records.lists.leads import LeadsTab
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, tab: LeadsTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Iterator[LeadsTab]:
    widget = LeadsTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    settle(qtbot, widget)
    yield widget
    ops.wait_idle()


def add(ctx: AppContext, name: str, **values: str) -> RecordDTO:
    return leads.create(ctx.db, ctx.actor, {"name": name, **values})


def select(qtbot: QtBot, tab: LeadsTab, record: RecordDTO) -> None:
    qtbot.waitUntil(lambda: tab.model.row_of(record.id) is not None, timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([record.id])
    assert tab.selected_ids() == [record.id]


def row_status(qtbot: QtBot, tab: LeadsTab, record: RecordDTO, status: str) -> None:
    """Wait until the list shows ``record`` with ``status`` (stored value)."""
    def shown() -> bool:
        row = tab.model.row_of(record.id)
        return row is not None and tab.model.record(row).values["status"] == status
    qtbot.waitUntil(shown, timeout=5_000)
    settle(qtbot, tab)


def test_create_through_dialog(qtbot: QtBot, tab: LeadsTab, ctx: AppContext) -> None:
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers == ["Lead name", "Contact person", "Mobile", "Source", "Status", "Owner", "Updated"]
    tab.new_record()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    dialog = tab.record_dialog
    assert dialog is not None
    # The module's order first, then the schema's other editable fields (district).
    assert list(dialog.editors)[:12] == [
        "name", "contact_name", "phone", "mobile", "email", "source", "industry", "level",
        "province", "city", "address", "remark",
    ]
    dialog.set_value("contact_name", "张伟")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.field_error("name") != "", timeout=5_000)
    assert dialog.field_error("name") == "Required." and dialog.value("contact_name") == "张伟"
    dialog.set_value("name", " 厦门海景贸易 ")
    dialog.set_value("mobile", "13912345678")
    dialog.set_value("source", "exhibition")
    dialog.set_value("level", "B")
    dialog.save()
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    assert tab.count_label.text() == "1 lead"
    stored = leads.get(ctx.db, ctx.actor, tab.model.record(0).id)
    assert stored.values["name"] == "厦门海景贸易" and stored.values["contact_name"] == "张伟"
    assert stored.values["source"] == "exhibition" and stored.values["status"] == "new"
    assert tab.display_text(0, "status") == "New"
    assert tab.display_text(0, "mobile") == "13912345678"


def test_convert_creates_customer_and_contact(qtbot: QtBot, tab: LeadsTab, ctx: AppContext) -> None:
    lead = add(ctx, "厦门海景贸易", contact_name="张伟", mobile="13912345678")
    notified: list[tuple[str, int]] = []
    ctx.signals.changed.connect(lambda entity, record_id: notified.append((entity, record_id)))
    select(qtbot, tab, lead)
    assert tab.convert_button.isEnabled() and tab.invalid_button.isEnabled()
    assert not tab.reopen_button.isEnabled()
    tab.convert_selected()
    row_status(qtbot, tab, lead, "converted")
    converted = leads.get(ctx.db, ctx.actor, lead.id)
    customer = customers.get(ctx.db, ctx.actor, converted.values["converted_customer_id"])
    assert customer.values["name"] == "厦门海景贸易"
    people = list_for_customer(ctx.db, ctx.actor, customer.id)
    assert [(p.values["name"], p.values["mobile"], p.values["is_primary"]) for p in people] == [
        ("张伟", "13912345678", True)
    ]
    assert tab.message_label.text() == "Converted: the customer “厦门海景贸易” and its contact were created."
    assert ("customer", customer.id) in notified
    # A converted lead is closed: nothing more to do with it from the list.
    tab.select_ids([lead.id])
    assert tab.display_text(tab.model.row_of(lead.id) or 0, "status") == "Converted"
    assert not tab.convert_button.isEnabled() and not tab.invalid_button.isEnabled()
    assert not tab.edit_button.isEnabled()


def test_convert_without_contact_person(qtbot: QtBot, tab: LeadsTab, ctx: AppContext) -> None:
    lead = add(ctx, "独立工作室")
    select(qtbot, tab, lead)
    tab.convert_selected()
    row_status(qtbot, tab, lead, "converted")
    assert tab.message_label.text() == "Converted: the customer “独立工作室” was created."
    assert contacts.count(ctx.db, ctx.actor) == 0


def test_mark_invalid_needs_a_reason_and_reopen(qtbot: QtBot, tab: LeadsTab, ctx: AppContext) -> None:
    lead = add(ctx, "无效线索公司")
    select(qtbot, tab, lead)
    dialog = tab.mark_selected_invalid()
    assert dialog is not None and tab.reason_dialog is dialog
    dialog.setTextValue("   ")
    dialog.accept()
    assert tab.message_label.text() == "Not marked invalid: enter the reason why the lead is invalid."
    assert ops.running_count() == 0
    assert leads.get(ctx.db, ctx.actor, lead.id).values["status"] == "new"

    dialog = tab.mark_selected_invalid()
    assert dialog is not None
    dialog.setTextValue("  号码是空号 ")
    dialog.accept()
    row_status(qtbot, tab, lead, "invalid")
    stored = leads.get(ctx.db, ctx.actor, lead.id)
    assert stored.values["invalid_reason"] == "号码是空号"
    assert tab.message_label.text() == "Marked “无效线索公司” invalid."
    tab.select_ids([lead.id])
    assert tab.display_text(tab.model.row_of(lead.id) or 0, "status") == "Invalid"
    # An invalid lead must be reopened before it can be converted.
    assert not tab.convert_button.isEnabled() and not tab.invalid_button.isEnabled()
    assert tab.reopen_button.isEnabled()
    tab.reopen_selected()
    row_status(qtbot, tab, lead, "new")
    tab.select_ids([lead.id])
    assert tab.convert_button.isEnabled()


def test_buttons_follow_permissions(qtbot: QtBot, ctx: AppContext) -> None:
    role = roles.create_role(ctx.db, ctx.actor, roles.RoleInput(
        name="Lead viewers", permissions=frozenset({("lead", "view"), ("lead", "create")}),
        scopes={"lead": DataScope.ALL},
    ))
    users.create_user(ctx.db, ctx.actor, users.UserInput(
        mobile="13900000009", name="实习生", department_id=ctx.actor.department_id, role_ids=(role.id,)
    ), password="intern1234")
    intern = make_context(ctx.db, auth.login(ctx.db, "13900000009", "intern1234"))
    lead = add(ctx, "可见线索")
    widget = LeadsTab(intern)
    qtbot.addWidget(widget)
    select(qtbot, widget, lead)
    for button in (widget.convert_button, widget.invalid_button, widget.reopen_button):
        assert button.isHidden() and not button.isEnabled()
    assert widget.mark_selected_invalid() is None
    widget.convert_selected()
    assert ops.running_count() == 0
    ops.wait_idle()


def test_render_png(qtbot: QtBot, tab: LeadsTab, ctx: AppContext, tmp_path: Path) -> None:
    rows = [add(ctx, f"线索公司{i}", contact_name=f"联系人{i}", mobile=f"1391234567{i}", source="exhibition") for i in range(4)]
    mark_invalid(ctx.db, ctx.actor, rows[0].id, reason="重复")
    tab.show()
    qtbot.waitUntil(lambda: tab.model.total == 4, timeout=5_000)
    row_status(qtbot, tab, rows[0], "invalid")
    tab.select_ids([rows[1].id])
    target = Path(os.environ.get("CRM_SHOTS", str(tmp_path))) / "leads_tab.png"
    assert tab.grab().save(str(target))
    assert target.stat().st_size > 0


def test_transfer_and_convert_through_the_buttons(qtbot: QtBot, tab: LeadsTab, ctx: AppContext) -> None:
    role = roles.create_role(ctx.db, ctx.actor, roles.RoleInput(
        name="Lead sales", permissions=frozenset({("lead", "view"), ("lead", "edit")}),
        scopes={"lead": DataScope.SELF},
    ))
    users.create_user(ctx.db, ctx.actor, users.UserInput(
        mobile="13900000008", name="销售小陈", department_id=ctx.actor.department_id, role_ids=(role.id,)
    ), password="sales1234")
    sales = auth.login(ctx.db, "13900000008", "sales1234")
    moved, converted = add(ctx, "转移线索"), add(ctx, "转化线索", contact_name="刘洋")
    select(qtbot, tab, moved)
    assert tab.transfer_button.isEnabled()
    tab.transfer_button.click()
    qtbot.waitUntil(lambda: tab.transfer_dialog is not None, timeout=5_000)
    dialog = tab.transfer_dialog
    assert dialog is not None
    dialog.select_user(sales.user_id)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: leads.get(ctx.db, ctx.actor, moved.id).owner_id == sales.user_id, timeout=5_000)
    assert [r.id for r in leads.list_page(ctx.db, sales).rows] == [moved.id]

    select(qtbot, tab, converted)
    tab.convert_button.click()
    row_status(qtbot, tab, converted, "converted")
    customer_id = leads.get(ctx.db, ctx.actor, converted.id).values["converted_customer_id"]
    assert customers.get(ctx.db, ctx.actor, customer_id).values["name"] == "转化线索"
    # Edit on a converted (closed) lead opens its operation log, not an edit form.
    settle(qtbot, tab)
    tab.select_ids([converted.id])
    tab.record_dialog = tab.log_dialog = None
    tab.edit_selected()
    assert tab.log_dialog is not None and tab.record_dialog is None
    tab.log_dialog.close()
    # An open lead opens the form; double-click opens the lead's detail window.
    select(qtbot, tab, moved)
    tab.edit_selected()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    tab.record_dialog.reject()
    tab.view.doubleClicked.emit(tab.model.index(tab.model.row_of(moved.id) or 0, 0))
    assert tab.detail_window is not None and tab.detail_window.record_id == moved.id
    qtbot.waitUntil(lambda: tab.detail_window is not None and tab.detail_window.data is not None, timeout=5_000)
    tab.detail_window.close()


def test_export_leads(qtbot: QtBot, tab: LeadsTab, ctx: AppContext, tmp_path: Path) -> None:
    add(ctx, "线索甲", contact_name="张伟", source="exhibition")
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    assert not tab.exporter.button.isHidden()
    tab.exporter.choose_path = lambda _name, chosen: chosen(tmp_path / "leads.xlsx")
    tab.exporter.all_action.trigger()
    qtbot.waitUntil(lambda: tab.message_label.text() == "Exported 1 row to “leads.xlsx”.", timeout=10_000)
    rows = [tuple(r) for r in load_workbook(tmp_path / "leads.xlsx", read_only=True).active.iter_rows(values_only=True)]
    assert rows[0] == ("Lead name", "Contact person", "Mobile", "Source", "Status", "Owner", "Updated")
    assert rows[1][:5] == ("线索甲", "张伟", None, "展会", "New") and rows[1][5] == ctx.actor.name
