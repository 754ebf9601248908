"""The detail page's basic-info, contacts, team and attachments tabs, driven as a user would."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers import contacts as contact_ops
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records import attachments as attachment_ops
from crm_desktop.services.records import schema_admin
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import CustomFieldInput
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from tests.ui.test_record_list_model import make_sales_user
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, window: RecordDetailWindow) -> None:
    qtbot.waitUntil(lambda: not window.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def customer(ctx: AppContext) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": "厦门星辰科技有限公司", "industry": "it"})


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, customer: RecordDTO) -> Iterator[RecordDetailWindow]:
    widget = open_detail(ctx, "customer", customer.id, parent=None)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.data is not None, timeout=10_000)
    settle(qtbot, widget)
    yield widget
    if isValid(widget):
        widget.close()
    ops.wait_idle()


# --- basic info ---------------------------------------------------------------------------


def test_basic_info_shows_custom_fields_and_dictionary_labels(qtbot: QtBot, ctx: AppContext) -> None:
    spec = schema_admin.create_custom_field(ctx.db, ctx.actor, "customer",
                                          CustomFieldInput(label="合同编号", type=FieldType.TEXT))
    record = customers.create(ctx.db, ctx.actor, {"name": "甲公司", "industry": "finance", spec.name: "HT-001"})
    window = open_detail(ctx, "customer", record.id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None, timeout=10_000)
    settle(qtbot, window)
    info = window.tab("info")
    assert info.value_text(spec.name) == "HT-001"
    assert info.value_text("industry") in ("金融", "Finance")  # the dictionary label, not "finance"
    assert info.value_text("email") == "—"
    window.close()
    ops.wait_idle()


# --- contacts -------------------------------------------------------------------------------


def test_add_contact_and_set_primary(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                     window: RecordDetailWindow) -> None:
    tab = window.tab("contacts")
    assert tab.rows == []
    dialog = tab.new_contact()
    assert dialog.value("customer_id") == customer.id
    assert not dialog.editors["customer_id"].isEnabled()
    # The contacts list's form: the name is the contact's, not the customer's ("Name" in "fields").
    assert dialog.field_labels["name"].text().startswith("Contact name")
    dialog.set_value("name", "林小姐")
    dialog.set_value("position", "采购经理")
    dialog.save()
    qtbot.waitUntil(lambda: len(tab.rows) == 1, timeout=5_000)
    first = tab.rows[0]
    assert tab.tree.topLevelItem(0).text(3) == "★"  # a customer's first contact is primary
    dialog = tab.new_contact()
    dialog.set_value("name", "陈先生")
    dialog.save()
    qtbot.waitUntil(lambda: len(tab.rows) == 2, timeout=5_000)
    second = next(r for r in tab.rows if r.id != first.id)
    tab.select_contact(second.id)
    assert tab.primary_button.isEnabled()
    tab.primary_button.click()
    qtbot.waitUntil(lambda: tab.rows and tab.rows[0].id == second.id, timeout=5_000)
    assert tab.tree.topLevelItem(0).text(0) == "陈先生" and tab.tree.topLevelItem(0).text(3) == "★"
    stored = contact_ops.list_for_customer(ctx.db, ctx.actor, customer.id)
    assert [(c.values["name"], c.values["is_primary"]) for c in stored] == [("陈先生", True), ("林小姐", False)]


def test_open_contact_from_the_customer(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                        window: RecordDetailWindow) -> None:
    contact = contact_ops.contacts.create(ctx.db, ctx.actor, {"customer_id": customer.id, "name": "林小姐"})
    tab = window.tab("contacts")
    qtbot.waitUntil(lambda: len(tab.rows) == 1, timeout=5_000)
    with qtbot.waitSignal(tab.open_requested) as asked:
        tab.select_contact(contact.id)
        tab.open_button.click()
    assert asked.args == ["contact", contact.id]


# --- team -------------------------------------------------------------------------------------


def test_add_change_and_remove_team_member(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                           window: RecordDetailWindow) -> None:
    colleague = make_sales_user(ctx.db, ctx.actor, name="销售小李")
    tab = window.tab("team")
    assert tab.tree.topLevelItemCount() == 1
    assert (tab.tree.topLevelItem(0).text(0), tab.tree.topLevelItem(0).text(1)) == (ctx.actor.name, "Owner")
    tab.add_button.click()
    qtbot.waitUntil(lambda: tab.dialog is not None, timeout=5_000)
    dialog = tab.dialog
    assert dialog.user_combo.findData(ctx.actor.user_id) < 0  # the owner is never offered
    dialog.select(colleague.user_id, "read")
    dialog.accept()
    qtbot.waitUntil(lambda: len(tab.members) == 1, timeout=5_000)
    assert tab.tree.topLevelItem(1).text(0) == "销售小李" and tab.tree.topLevelItem(1).text(1) == "Read"
    assert customers.get(ctx.db, colleague, customer.id).id == customer.id  # the team sees it

    tab.select_member(colleague.user_id)
    tab.change_button.click()
    change = tab.dialog
    assert change is not dialog and not change.user_combo.isEnabled()
    change.access_combo.setCurrentIndex(change.access_combo.findData("write"))
    change.accept()
    qtbot.waitUntil(lambda: tab.members and tab.members[0].access == "write", timeout=5_000)
    assert tab.tree.topLevelItem(1).text(1) == "Read and write"

    tab.select_member(colleague.user_id)
    tab.remove_button.click()
    assert tab.pending_question is not None and "销售小李" in tab.pending_question.text()
    tab.pending_question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: tab.members == [], timeout=5_000)
    settle(qtbot, window)
    assert tab.message_label.text() == "Team member removed."
    assert customers.team(ctx.db, ctx.actor, customer.id) == []


# --- attachments ------------------------------------------------------------------------------


def test_add_open_and_remove_attachment(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                        window: RecordDetailWindow, tmp_path: Path) -> None:
    path = tmp_path / "报价单.pdf"
    path.write_bytes(b"%PDF-1.4 quote")
    tab = window.tab("attachments")
    chooser = tab.choose_files()
    assert isinstance(chooser, QFileDialog)
    assert chooser.testOption(QFileDialog.Option.DontUseNativeDialog)
    chooser.reject()
    tab.add_files([str(path)])
    qtbot.waitUntil(lambda: len(tab.rows) == 1, timeout=5_000)
    row = tab.tree.topLevelItem(0)
    assert (row.text(0), row.text(1), row.text(2)) == ("报价单.pdf", "14 B", ctx.actor.name)

    calls: list[QUrl] = []
    tab.open_url = lambda url: calls.append(url) or True
    tab.select_attachment(tab.rows[0].id)
    tab.open_button.click()
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5_000)
    opened = Path(calls[0].toLocalFile())
    assert opened.name == "报价单.pdf" and opened.read_bytes() == b"%PDF-1.4 quote"

    tab.remove_button.click()
    question = tab.pending_question
    assert question is not None and "报价单.pdf" in question.text()
    question.button(QMessageBox.StandardButton.No).click()
    assert tab.pending_question is None and len(tab.rows) == 1  # "No" keeps it
    tab.remove_button.click()
    assert tab.pending_question is not None
    tab.pending_question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: tab.rows == [], timeout=5_000)
    assert attachment_ops.list_attachments(ctx.db, ctx.actor, customers.model, customer.id) == []
    log = window.tab("log").view
    qtbot.waitUntil(lambda: [e.action for e in log.entries].count("attachment") == 2, timeout=5_000)


def test_oversize_attachment_is_refused_with_a_message(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                                       window: RecordDetailWindow, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachment_ops, "MAX_BYTES", 1024)
    big, small = tmp_path / "video.mp4", tmp_path / "note.txt"
    big.write_bytes(b"x" * 2048)
    small.write_bytes(b"ok")
    tab = window.tab("attachments")
    tab.add_files([str(big), str(small)])
    assert "video.mp4" in tab.message_label.text() and "larger than" in tab.message_label.text()
    qtbot.waitUntil(lambda: len(tab.rows) == 1, timeout=5_000)
    assert tab.rows[0].filename == "note.txt"  # the others are still added
