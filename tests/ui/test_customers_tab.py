"""CustomersTab and its dialogs, driven as a user would, on a fresh SQLite database."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.forms.record_dialog import RecordDialog
from crm_desktop.ui.records.lists.customer_actions import CustomerTransferDialog
from crm_desktop.ui.records.lists.customers import CustomersTab
from tests.ui.test_record_list_model import make_sales_user
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, tab: CustomersTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Iterator[CustomersTab]:
    widget = CustomersTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    settle(qtbot, widget)
    yield widget
    ops.wait_idle()


def add(ctx: AppContext, name: str, **values: str) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": name, **values})


def select(qtbot: QtBot, tab: CustomersTab, *records: RecordDTO) -> None:
    qtbot.waitUntil(lambda: all(tab.model.row_of(r.id) is not None for r in records), timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([r.id for r in records])
    assert set(tab.selected_ids()) == {r.id for r in records}


def open_editor(qtbot: QtBot, tab: CustomersTab, record: RecordDTO) -> RecordDialog:
    select(qtbot, tab, record)
    tab.record_dialog = None
    tab.edit_selected()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    assert tab.record_dialog is not None
    return tab.record_dialog


def open_new(qtbot: QtBot, tab: CustomersTab) -> RecordDialog:
    """The new-record form: it opens once the schema and option lists are read."""
    tab.record_dialog = None
    tab.new_record()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    assert tab.record_dialog is not None
    return tab.record_dialog


def test_tab_setup(tab: CustomersTab, ctx: AppContext) -> None:
    assert tab.view.model() is tab.model
    assert tab.view.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert tab.view.selectionMode() == QAbstractItemView.SelectionMode.ExtendedSelection
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert "Owner" in headers and "Updated" in headers
    assert tab.count_label.text() == "0 customers"
    # Nothing selected: actions on a selection are off.
    assert not tab.edit_button.isEnabled() and not tab.delete_button.isEnabled()


def test_create_through_dialog(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    dialog = open_new(qtbot, tab)
    dialog.set_value("name", "  厦门星辰科技有限公司 ")
    dialog.set_value("phone", "0592-1234567")
    dialog.set_value("level", "A")
    dialog.set_value("remark", "第一行\n第二行")
    dialog.save()
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    assert tab.count_label.text() == "1 customer"
    record = customers.get(ctx.db, ctx.actor, tab.model.record(0).id)
    assert record.values["name"] == "厦门星辰科技有限公司"
    assert record.values["level"] == "A" and record.values["remark"] == "第一行\n第二行"
    assert tab.model.data(tab.model.index(0, 0)) == "厦门星辰科技有限公司"


def test_empty_name_shows_message_beside_field(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    dialog = open_new(qtbot, tab)
    dialog.set_value("phone", "123")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.field_error("name") != "", timeout=5_000)
    assert dialog.field_error("name") == "Required."
    assert dialog.field_error("phone") == ""
    assert dialog.isVisible() and dialog.value("phone") == "123"  # nothing typed is lost
    assert customers.count(ctx.db, ctx.actor) == 0
    dialog.set_value("name", "乙公司")
    dialog.save()
    qtbot.waitUntil(lambda: customers.count(ctx.db, ctx.actor) == 1, timeout=5_000)


def test_edit_saves_only_changed_fields(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    record = add(ctx, "甲公司", phone="111", industry="it")
    dialog = open_editor(qtbot, tab, record)
    assert dialog.value("name") == "甲公司" and dialog.value("industry") == "it"
    dialog.set_value("phone", "222")
    dialog.save()
    qtbot.waitUntil(lambda: customers.get(ctx.db, ctx.actor, record.id).values["phone"] == "222", timeout=5_000)
    log = customers.operation_log(ctx.db, ctx.actor, record.id)
    assert log[-1].action == "update"
    assert [(c.field, c.old, c.new) for c in log[-1].changes] == [("phone", "111", "222")]
    qtbot.waitUntil(lambda: tab.model.data(tab.model.index(0, 1)) == "222", timeout=5_000)


def test_delete_to_recycle_bin_and_restore(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    keep, doomed = add(ctx, "留下公司"), add(ctx, "删除公司")
    select(qtbot, tab, doomed)
    tab.delete_selected()
    assert tab.pending_question is not None
    tab.pending_question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    assert tab.model.row_of(doomed.id) is None and tab.model.row_of(keep.id) is not None

    bin_dialog = tab.show_recycle_bin()
    qtbot.waitUntil(lambda: [r.id for r in bin_dialog.records] == [doomed.id], timeout=5_000)
    assert bin_dialog.table.item(0, 0).text() == "删除公司"
    bin_dialog.select_ids([doomed.id])
    assert bin_dialog.restore_button.isEnabled()
    bin_dialog.restore_selected()
    qtbot.waitUntil(lambda: tab.model.total == 2 and not bin_dialog.records, timeout=5_000)
    assert bin_dialog.status_label.text() == "The recycle bin is empty."
    assert customers.get(ctx.db, ctx.actor, doomed.id).deleted_at is None


def test_cancelled_delete_keeps_record(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    record = add(ctx, "甲公司")
    select(qtbot, tab, record)
    tab.delete_selected()
    assert tab.pending_question is not None
    tab.pending_question.button(QMessageBox.StandardButton.No).click()
    ops.wait_idle()
    qtbot.wait(50)
    assert customers.count(ctx.db, ctx.actor) == 1


def test_transfer_to_another_user(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    sales = make_sales_user(ctx.db, ctx.actor)
    a, b, c = add(ctx, "甲公司"), add(ctx, "乙公司"), add(ctx, "丙公司")
    select(qtbot, tab, a, c)
    tab.transfer_selected()
    qtbot.waitUntil(lambda: tab.transfer_dialog is not None, timeout=5_000)
    dialog = tab.transfer_dialog
    assert dialog is not None
    offered = {dialog.owner_combo.itemData(i) for i in range(dialog.owner_combo.count())}
    assert offered == {ctx.actor.user_id, sales.user_id}
    dialog.select_user(sales.user_id)
    dialog.accept()
    qtbot.waitUntil(lambda: customers.get(ctx.db, ctx.actor, c.id).owner_id == sales.user_id, timeout=5_000)
    assert customers.get(ctx.db, ctx.actor, a.id).owner_id == sales.user_id
    assert customers.get(ctx.db, ctx.actor, b.id).owner_id == ctx.actor.user_id
    owner_column = tab.model.column_of("owner_name")
    assert owner_column is not None
    qtbot.waitUntil(
        lambda: tab.model.data(tab.model.index(tab.model.row_of(a.id) or 0, owner_column)) == "销售小王",
        timeout=5_000,
    )
    assert tab.message_label.text() == "Transferred 2 customers and 0 contacts."


def test_transfer_with_contacts_keeping_old_owner_as_reader(
    qtbot: QtBot, tab: CustomersTab, ctx: AppContext
) -> None:
    sales = make_sales_user(ctx.db, ctx.actor)
    a, b, untouched = add(ctx, "甲公司"), add(ctx, "乙公司"), add(ctx, "丙公司")
    people = [contacts.create(ctx.db, ctx.actor, {"customer_id": cid, "name": name})
              for cid, name in ((a.id, "张三"), (a.id, "李四"), (b.id, "王五"), (untouched.id, "赵六"))]
    select(qtbot, tab, a, b)
    tab.transfer_button.click()
    qtbot.waitUntil(lambda: tab.transfer_dialog is not None, timeout=5_000)
    dialog = tab.transfer_dialog
    assert isinstance(dialog, CustomerTransferDialog)
    assert not dialog.contacts_check.isHidden() and dialog.contacts_check.isChecked()
    assert [dialog.team_combo.itemData(i) for i in range(dialog.team_combo.count())] == [None, "read", "write"]
    dialog.select_user(sales.user_id)
    dialog.set_keep_old_owner("read")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: tab.message_label.text().startswith("Transferred"), timeout=10_000)
    assert tab.message_label.text() == "Transferred 2 customers and 3 contacts."
    admin = ctx.actor
    for record in (a, b):
        assert customers.get(ctx.db, admin, record.id).owner_id == sales.user_id
        assert [(m.user_id, m.access) for m in customers.team(ctx.db, admin, record.id)] == [(admin.user_id, "read")]
    for person in people[:3]:
        assert contacts.get(ctx.db, admin, person.id).owner_id == sales.user_id
        assert [(m.user_id, m.access) for m in contacts.team(ctx.db, admin, person.id)] == [(admin.user_id, "read")]
    assert customers.get(ctx.db, admin, untouched.id).owner_id == admin.user_id
    assert contacts.get(ctx.db, admin, people[3].id).owner_id == admin.user_id


def test_transfer_without_contact_permission_does_not_offer_contacts(qtbot: QtBot, ctx: AppContext) -> None:
    mover = make_sales_user(ctx.db, ctx.actor, mobile="13900000003", name="销售小张",
                            actions=("view", "edit", "transfer"))
    # A self-scope mover may give records only to themselves (the new owner must be inside their
    # scope): they take over a customer they edit as a read-write team member.
    record = customers.create(ctx.db, ctx.actor, {"name": "甲公司"})
    customers.set_team_member(ctx.db, ctx.actor, record.id, user_id=mover.user_id, access="write")
    person = contacts.create(ctx.db, ctx.actor, {"customer_id": record.id, "name": "张三"})
    widget = CustomersTab(ctx.with_actor(mover))
    qtbot.addWidget(widget)
    select(qtbot, widget, record)
    widget.transfer_selected()
    qtbot.waitUntil(lambda: widget.transfer_dialog is not None, timeout=5_000)
    dialog = widget.transfer_dialog
    assert isinstance(dialog, CustomerTransferDialog)
    assert dialog.contacts_check.isHidden() and not dialog.carry_contacts()
    assert dialog.opportunities_check.isHidden() and dialog.contracts_check.isHidden()
    dialog.select_user(mover.user_id)
    dialog.accept()
    qtbot.waitUntil(lambda: widget.message_label.text().startswith("Transferred"), timeout=10_000)
    assert widget.message_label.text() == "Transferred 1 customers and 0 contacts."
    assert customers.get(ctx.db, ctx.actor, record.id).owner_id == mover.user_id
    assert contacts.get(ctx.db, ctx.actor, person.id).owner_id == ctx.actor.user_id  # not carried
    ops.wait_idle()


def test_operation_log_shows_create_and_update(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    record = add(ctx, "甲公司", phone="111")
    customers.update(ctx.db, ctx.actor, record.id, expected_version=record.version, changes={"phone": "222"})
    select(qtbot, tab, record)
    tab.show_log()
    log = tab.log_dialog
    assert log is not None
    qtbot.waitUntil(lambda: len(log.entries) == 2, timeout=5_000)
    tree = log.tree
    created, edited = tree.topLevelItem(0), tree.topLevelItem(1)
    assert (created.text(1), created.text(2)) == (ctx.actor.name, "Created")
    assert (edited.text(1), edited.text(2)) == (ctx.actor.name, "Edited")
    created_lines = {created.child(i).text(3): created.child(i).text(5) for i in range(created.childCount())}
    assert created_lines["Customer name"] == "甲公司" and created_lines["Owner"] == ctx.actor.name
    assert [(edited.child(i).text(3), edited.child(i).text(4), edited.child(i).text(5))
            for i in range(edited.childCount())] == [("Phone", "111", "222")]


def test_conflict_lists_field_and_keeping_mine_saves_it(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    record = add(ctx, "甲公司", phone="000")
    dialog = open_editor(qtbot, tab, record)
    dialog.set_value("phone", "111")
    # Someone else saves the same field while the form is open.
    customers.update(ctx.db, ctx.actor, record.id, expected_version=record.version, changes={"phone": "222"})
    dialog.save()
    qtbot.waitUntil(lambda: dialog.conflict_dialog is not None, timeout=5_000)
    conflict = dialog.conflict_dialog
    assert conflict is not None
    cells = conflict.cells["phone"]
    assert (cells["field"].text(), cells["mine"].text(), cells["theirs"].text(), cells["original"].text()) == (
        "Phone", "111", "222", "000"
    )
    assert not conflict.save_button.isEnabled()  # both changed it: the user must decide
    assert customers.get(ctx.db, ctx.actor, record.id).values["phone"] == "222"  # nothing written yet
    conflict.choose("phone", "mine")
    assert conflict.save_button.isEnabled()
    conflict.save_button.click()
    qtbot.waitUntil(lambda: customers.get(ctx.db, ctx.actor, record.id).values["phone"] == "111", timeout=5_000)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=5_000)


def test_cancelled_conflict_keeps_typed_values(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    record = add(ctx, "甲公司", phone="000")
    dialog = open_editor(qtbot, tab, record)
    dialog.set_value("phone", "111")
    dialog.set_value("industry", "manufacturing")
    customers.update(ctx.db, ctx.actor, record.id, expected_version=record.version, changes={"name": "甲公司（新）"})
    dialog.save()
    qtbot.waitUntil(lambda: dialog.conflict_dialog is not None, timeout=5_000)
    conflict = dialog.conflict_dialog
    assert conflict is not None
    # Only they changed the name, only I changed phone and industry: sensible defaults.
    assert conflict.choice("name") == "theirs" and conflict.choice("phone") == "mine"
    conflict.reject()
    assert dialog.isVisible()
    assert (dialog.value("phone"), dialog.value("industry"), dialog.value("name")) == ("111", "manufacturing", "甲公司")
    assert "Not saved" in dialog.message_label.text()
    stored = customers.get(ctx.db, ctx.actor, record.id).values
    assert (stored["name"], stored["phone"]) == ("甲公司（新）", "000")


def test_search_box_filters_in_sql(qtbot: QtBot, tab: CustomersTab, ctx: AppContext) -> None:
    add(ctx, "厦门甲公司"), add(ctx, "福州乙公司", phone="0591-888")
    qtbot.waitUntil(lambda: tab.model.total == 2, timeout=5_000)
    qtbot.keyClicks(tab.search_edit, "0591")
    qtbot.waitUntil(lambda: tab.model.search_text == "0591", timeout=5_000)
    settle(qtbot, tab)
    assert tab.model.rowCount() == 1 and tab.count_label.text() == "1 customer"


def test_buttons_follow_permissions(qtbot: QtBot, ctx: AppContext) -> None:
    viewer = make_sales_user(ctx.db, ctx.actor, actions=("view",))
    editor = make_sales_user(ctx.db, ctx.actor, mobile="13900000002", name="销售小李", actions=("view", "edit"))
    view_tab = CustomersTab(ctx.with_actor(viewer))
    edit_tab = CustomersTab(ctx.with_actor(editor))
    for widget in (view_tab, edit_tab):
        qtbot.addWidget(widget)
        settle(qtbot, widget)
    assert all(b.isHidden() for b in (view_tab.new_button, view_tab.edit_button, view_tab.delete_button,
                                      view_tab.transfer_button, view_tab.bin_button))
    assert not view_tab.log_button.isHidden()
    assert edit_tab.new_button.isHidden() and not edit_tab.edit_button.isHidden()
    assert edit_tab.delete_button.isHidden()
