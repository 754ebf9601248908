"""ContactsTab driven as a user would, on a fresh SQLite database: create for a customer, set primary."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.contacts import contacts, list_for_customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.forms.contact_form import ContactDialog
from crm_desktop.ui.records.lists.contacts import ContactsTab
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, tab: ContactsTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Iterator[ContactsTab]:
    widget = ContactsTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    settle(qtbot, widget)
    yield widget
    ops.wait_idle()


def customer(ctx: AppContext, name: str) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": name})


def contact(ctx: AppContext, customer_id: int, name: str, **values: str) -> RecordDTO:
    return contacts.create(ctx.db, ctx.actor, {"customer_id": customer_id, "name": name, **values})


def open_new(qtbot: QtBot, tab: ContactsTab) -> ContactDialog:
    tab.record_dialog = None
    tab.new_record()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    dialog = tab.record_dialog
    assert isinstance(dialog, ContactDialog)
    return dialog


def test_create_for_a_customer_through_dialog(qtbot: QtBot, tab: ContactsTab, ctx: AppContext) -> None:
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers == ["Contact name", "Customer", "Position", "Mobile", "E-mail", "Primary", "Owner", "Updated"]
    first, second = customer(ctx, "厦门星海科技"), customer(ctx, "泉州远航物流")
    dialog = open_new(qtbot, tab)
    # The module's order first, then the schema's other fields (gender, decision maker, …).
    assert list(dialog.editors)[:8] == ["name", "customer_id", "position", "phone", "mobile", "email", "wechat", "remark"]
    assert "is_primary" in dialog.editors and "owner_id" not in dialog.editors
    combo = dialog.editors["customer_id"]
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["", "厦门星海科技", "泉州远航物流"]
    # No customer chosen: the form says so beside the field and keeps what was typed.
    dialog.set_value("name", "李娜")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.field_error("customer_id") != "", timeout=5_000)
    assert dialog.value("name") == "李娜" and contacts.count(ctx.db, ctx.actor) == 0
    # A typed name that matches no customer is no customer, never the last one chosen.
    dialog.select_customer(second.id)
    combo.setEditText("不存在的公司")
    assert dialog.value("customer_id") == ""
    settle(qtbot, tab)  # the ops started so far have been released: the next check sees only save's
    dialog.save()
    assert dialog.field_error("customer_id") == "Choose a customer from the list."
    assert ops.running_count() == 0 and contacts.count(ctx.db, ctx.actor) == 0
    combo.setEditText("泉州远航物流")
    assert dialog.value("customer_id") == second.id
    dialog.set_value("position", "采购经理")
    dialog.set_value("mobile", "13712345678")
    dialog.save()
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    stored = contacts.get(ctx.db, ctx.actor, tab.model.record(0).id)
    assert int(stored.values["customer_id"]) == second.id and stored.values["position"] == "采购经理"
    assert tab.display_text(0, "customer_name") == "泉州远航物流"
    assert tab.display_text(0, "is_primary") == "✓"  # a customer's first contact is primary
    assert tab.count_label.text() == "1 contact"
    assert first.id != second.id


def test_edit_form_leaves_customer_out(qtbot: QtBot, tab: ContactsTab, ctx: AppContext) -> None:
    owner = customer(ctx, "厦门星海科技")
    person = contact(ctx, owner.id, "王强", position="工程师")
    qtbot.waitUntil(lambda: tab.model.row_of(person.id) is not None, timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([person.id])
    tab.record_dialog = None
    tab.edit_selected()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    dialog = tab.record_dialog
    assert dialog is not None and "customer_id" not in dialog.editors
    dialog.set_value("position", "总工程师")
    dialog.save()
    qtbot.waitUntil(
        lambda: contacts.get(ctx.db, ctx.actor, person.id).values["position"] == "总工程师", timeout=5_000
    )


def test_set_primary(qtbot: QtBot, tab: ContactsTab, ctx: AppContext) -> None:
    owner = customer(ctx, "厦门星海科技")
    first = contact(ctx, owner.id, "王强")
    second = contact(ctx, owner.id, "赵敏")
    qtbot.waitUntil(lambda: tab.model.row_of(second.id) is not None, timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([first.id])
    assert not tab.primary_button.isEnabled()  # already primary
    tab.select_ids([second.id])
    assert tab.primary_button.isEnabled()
    tab.set_primary_selected()

    def second_is_primary() -> bool:
        row = tab.model.row_of(second.id)
        return row is not None and tab.display_text(row, "is_primary") == "✓"

    qtbot.waitUntil(second_is_primary, timeout=5_000)
    settle(qtbot, tab)
    assert [p.id for p in list_for_customer(ctx.db, ctx.actor, owner.id) if p.values["is_primary"]] == [second.id]
    assert tab.display_text(tab.model.row_of(first.id) or 0, "is_primary") == ""
    assert tab.message_label.text() == "“赵敏” is now the primary contact."
    tab.select_ids([second.id])
    assert not tab.primary_button.isEnabled()


def test_render_png(qtbot: QtBot, tab: ContactsTab, ctx: AppContext, tmp_path: Path) -> None:
    a, b = customer(ctx, "厦门星海科技有限公司"), customer(ctx, "泉州远航物流")
    contact(ctx, a.id, "王强", position="总经理", mobile="13712345670", email="wang@xinghai.cn")
    contact(ctx, a.id, "赵敏", position="采购经理", mobile="13712345671")
    contact(ctx, b.id, "李娜", position="财务", email="lina@yuanhang.com")
    tab.show()
    qtbot.waitUntil(lambda: tab.model.total == 3 and tab.model.rowCount() == 3, timeout=5_000)
    settle(qtbot, tab)
    assert sorted(tab.display_text(r, "customer_name") for r in range(3)) == [
        "厦门星海科技有限公司", "厦门星海科技有限公司", "泉州远航物流",
    ]
    target = Path(os.environ.get("CRM_SHOTS", str(tmp_path))) / "contacts_tab.png"
    assert tab.grab().save(str(target))
    assert target.stat().st_size > 0


def test_export_selected_and_whole_list(qtbot: QtBot, tab: ContactsTab, ctx: AppContext, tmp_path: Path) -> None:
    a, b = customer(ctx, "厦门星海科技"), customer(ctx, "泉州远航物流")
    wang = contact(ctx, a.id, "王强", position="工程师", mobile="13712345670")
    contact(ctx, b.id, "赵敏", email="zhao@yuanhang.cn")
    qtbot.waitUntil(lambda: tab.model.total == 2, timeout=5_000)
    settle(qtbot, tab)
    exporter = tab.exporter
    assert not exporter.button.isHidden() and not exporter.selected_action.isEnabled()
    out = tmp_path / "exports"
    out.mkdir()
    names: list[str] = []

    def choose(name: str, chosen: Callable[[Path], None]) -> None:
        names.append(name)
        chosen(out / name)

    exporter.choose_path = choose

    def sheet() -> list[tuple[object, ...]]:
        book = load_workbook(out / names[-1], read_only=True)
        return [tuple(r) for r in book.active.iter_rows(values_only=True)]

    tab.select_ids([wang.id])
    assert exporter.selected_action.isEnabled()
    exporter.selected_action.trigger()
    qtbot.waitUntil(lambda: tab.message_label.text().startswith("Exported 1 row to “Contacts-"), timeout=10_000)
    rows = sheet()
    # The list's columns and headers; the customer by name, as the list shows it.
    assert rows[0] == ("Contact name", "Customer", "Position", "Mobile", "E-mail", "Primary", "Owner", "Updated")
    assert rows[1][:6] == ("王强", "厦门星海科技", "工程师", "13712345670", None, True)
    tab.search_edit.setText("zhao")
    qtbot.waitUntil(lambda: tab.model.search_text == "zhao", timeout=5_000)
    settle(qtbot, tab)
    tab.message_label.clear()
    exporter.all_action.trigger()  # same default name: replaces the file
    qtbot.waitUntil(lambda: tab.message_label.text().startswith("Exported 1 row to"), timeout=10_000)
    assert names[0] == names[1]
    assert sheet()[1][:2] == ("赵敏", "泉州远航物流") and len(sheet()) == 2
    assert len(list(out.iterdir())) == 1


def test_double_click_opens_the_detail_and_edit_the_form(qtbot: QtBot, tab: ContactsTab, ctx: AppContext) -> None:
    person = contact(ctx, customer(ctx, "厦门星海科技").id, "王强")
    qtbot.waitUntil(lambda: tab.model.row_of(person.id) is not None, timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([person.id])
    tab.view.doubleClicked.emit(tab.model.index(tab.model.row_of(person.id) or 0, 0))
    window = tab.detail_window
    assert window is not None and window.entity == "contact" and window.record_id == person.id
    qtbot.waitUntil(lambda: window.data is not None, timeout=5_000)
    window.close()
    tab.record_dialog = None
    tab.edit_selected()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    assert isinstance(tab.record_dialog, ContactDialog) and tab.record_dialog.value("name") == "王强"
    assert "customer_id" not in tab.record_dialog.editors  # a contact's customer never changes

