"""The dictionary page: translated names, editing items, clear messages, new dictionaries."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.records.schema import DictionaryItemDTO, get_dictionary
from crm_desktop.ui.admin.dictionaries import NAME_ROLE, DictionariesPage
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> Iterator[DictionariesPage]:
    widget = DictionariesPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    settle(qtbot)
    yield widget
    settle(qtbot)


def open_dictionary(qtbot: QtBot, page: DictionariesPage, name: str) -> None:
    page.select_dictionary(name)
    settle(qtbot)
    assert page.current == name


def test_standard_dictionaries_with_translated_names(qtbot: QtBot, page: DictionariesPage) -> None:
    names = [page.dictionary_list.item(i).text() for i in range(page.dictionary_list.count())]
    assert names == ["Customer level (3)", "Industry (8)", "Customer source (6)", "Follow-up kind (6)",
                     "Order execution status (6)", "Payment method (6)"]
    assert page.current == "customer_level"  # the first one opens by itself
    assert [page.items()[i].value for i in range(3)] == ["A", "B", "C"]
    open_dictionary(qtbot, page, "customer_source")
    assert page.used_by.text() == "Used by: Source (Customers), Source (Leads)"
    assert page.table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable == Qt.ItemFlag.NoItemFlags  # saved value


def test_edit_items_add_disable_reorder(qtbot: QtBot, page: DictionariesPage, ctx: AppContext) -> None:
    open_dictionary(qtbot, page, "followup_kind")
    page.set_cell(0, 1, "电话沟通")  # relabel
    page.set_enabled(3, False)  # SMS: disabled, not removed
    row = page.add_item()
    page.set_cell(row, 0, "meeting")
    page.set_cell(row, 1, "会议")
    page.table.selectRow(row)
    page.move_current(-1)
    page.up_button.click()
    assert page.dirty
    page.save()
    settle(qtbot)
    assert page.message.text() == "Dictionary “Follow-up kind” saved."
    everything = get_dictionary(ctx.db, ctx.actor, "followup_kind", include_disabled=True)
    assert [i.value for i in everything] == ["phone", "email", "visit", "sms", "meeting", "wechat", "other"]
    assert everything[0].label == "电话沟通" and not everything[3].enabled
    assert [i.value for i in get_dictionary(ctx.db, ctx.actor, "followup_kind")] == [
        "phone", "email", "visit", "meeting", "wechat", "other"]
    assert not page.dirty and page.items() == everything  # reloaded from the database


def test_clear_messages_for_duplicates_and_empty_labels(qtbot: QtBot, page: DictionariesPage,
                                                        ctx: AppContext) -> None:
    before = get_dictionary(ctx.db, ctx.actor, "customer_level", include_disabled=True)
    row = page.add_item()
    page.set_cell(row, 0, "A")
    page.set_cell(row, 1, "重复")
    page.save()
    settle(qtbot)
    assert page.message.text() == "Two options have the same value."
    assert page.table.item(row, 0).background().color().name() == "#fdecea"
    page.set_cell(row, 0, "D")
    page.set_cell(row, 1, "")
    page.save()
    settle(qtbot)
    assert page.message.text() == "Every option needs a value and a label."
    assert page.table.item(row, 0).text() == "D"  # nothing typed is lost
    assert get_dictionary(ctx.db, ctx.actor, "customer_level", include_disabled=True) == before
    page.table.selectRow(row)
    assert page.remove_button.isEnabled()  # an unsaved option can go …
    page.remove_current()
    page.table.selectRow(0)
    assert not page.remove_button.isEnabled()  # … a saved one can only be disabled


def test_new_dictionary(qtbot: QtBot, page: DictionariesPage, ctx: AppContext) -> None:
    dialog = page.new_dictionary()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    settle(qtbot)
    assert dialog.errors.field_error("dictionary_name") == "Required."
    assert dialog.errors.field_error("items") == "Give at least one option."
    dialog.name_edit.setText("合同类型")
    dialog.options_edit.setPlainText("框架合同\n单次合同\n框架合同")
    ok.click()
    settle(qtbot)
    assert dialog.errors.field_error("items") == "Two options have the same value."
    dialog.options_edit.setPlainText("框架合同\n单次合同")
    ok.click()
    settle(qtbot)
    assert get_dictionary(ctx.db, ctx.actor, "合同类型") == [
        DictionaryItemDTO("框架合同", "框架合同"), DictionaryItemDTO("单次合同", "单次合同")]
    assert page.current == "合同类型"
    assert page.dictionary_list.currentItem().data(NAME_ROLE) == "合同类型"
    assert [i.label for i in page.items()] == ["框架合同", "单次合同"]
    assert page.used_by.text() == "No field uses this dictionary yet."


def test_unsaved_edits_survive_a_refresh(qtbot: QtBot, page: DictionariesPage, ctx: AppContext) -> None:
    page.set_cell(0, 1, "A 类")
    ctx.signals.notify("schema")  # another page changed the schema: the list reloads
    settle(qtbot)
    assert page.dirty and page.items()[0].label == "A 类"
    assert page.dictionary_list.currentItem().data(NAME_ROLE) == "customer_level"
