"""Esc on a filled form asks before throwing the input away; on an untouched one it just closes.

Every record form (new and existing records of the demo company) and the administration
editors are driven with real key presses: Esc, "Keep editing" keeps what was typed, "Discard"
closes without saving.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.registry import record_service
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.dirty import GuardedDialog
from crm_desktop.ui.forms import FormDialog
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.records.forms.open import open_form
from crm_desktop.ui.records.forms.record_dialog import RecordDialog
from crm_desktop.ui.records.specs.registry import VIEW_SPECS
from tests.ui.demo_company import demo_ctx, demo_db, demo_file, wait_settled  # noqa: F401 - fixtures

FORM_ENTITIES = [key for key, spec in VIEW_SPECS.items() if spec.form is not None]


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[QWidget]:
    widget = QWidget()
    qtbot.addWidget(widget)
    yield widget
    ops.wait_idle()


def press_escape(qtbot: QtBot, dialog: QWidget) -> None:
    target = QApplication.focusWidget() if dialog.isAncestorOf(QApplication.focusWidget()) else dialog
    qtbot.keyClick(target or dialog, Qt.Key.Key_Escape)


def first_text_input(dialog: QWidget) -> QLineEdit | QPlainTextEdit:
    for widget in dialog.findChildren(QWidget):
        if isinstance(widget, (QLineEdit, QPlainTextEdit)) and widget.isVisible() and widget.isEnabled() \
                and not widget.isReadOnly() and widget.parentWidget().metaObject().className() != "QComboBox":
            return widget
    raise AssertionError(f"{type(dialog).__name__} has no text input")


def answer(qtbot: QtBot, dialog: GuardedDialog, text: str) -> None:
    box = dialog.discard_question
    assert box is not None and box.isVisible()
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()
    qtbot.waitUntil(lambda: dialog.discard_question is None, timeout=5_000)


def open_record(qtbot: QtBot, ctx: AppContext, host: QWidget, entity: str, record_id: int | None) -> RecordDialog:
    opened: list[RecordDialog] = []
    open_form(ctx, VIEW_SPECS[entity], host, record_id=record_id, title="form", on_opened=opened.append)
    qtbot.waitUntil(lambda: bool(opened) and opened[0].isVisible(), timeout=10_000)
    wait_settled(QApplication.instance())  # type: ignore[arg-type]
    return opened[0]


def test_typed_form_asks_keep_editing_keeps_discard_closes(qtbot: QtBot, demo_ctx: AppContext,
                                                           host: QWidget) -> None:
    before = customers.count(demo_ctx.db, demo_ctx.actor)
    dialog = open_record(qtbot, demo_ctx, host, "customer", None)
    editor = first_text_input(dialog)
    editor.setFocus()
    qtbot.keyClicks(editor, "Quanzhou New Co")
    press_escape(qtbot, dialog)
    assert dialog.isVisible() and dialog.discard_question is not None
    # The question's Enter and Esc both keep editing: only "Discard" throws the input away.
    assert dialog.discard_question.defaultButton().text() == "Keep editing"
    assert dialog.discard_question.escapeButton() is dialog.discard_question.defaultButton()
    answer(qtbot, dialog, "Keep editing")
    assert dialog.isVisible() and dialog.value("name") == "Quanzhou New Co"
    box = dialog.findChild(QDialogButtonBox)
    box.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert dialog.isVisible() and dialog.discard_question is not None  # Cancel asks the same
    answer(qtbot, dialog, "Discard")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    assert customers.count(demo_ctx.db, demo_ctx.actor) == before


@pytest.mark.parametrize("entity", FORM_ENTITIES)
@pytest.mark.parametrize("existing", [False, True], ids=["new", "edit"])
def test_every_record_form(qtbot: QtBot, demo_ctx: AppContext, host: QWidget, entity: str, existing: bool) -> None:
    """Untouched: Esc closes at once (what the form read in the background is not "typed").
    Typed into: Esc asks."""
    record_id = None
    if existing:
        rows = record_service(entity).list_page(demo_ctx.db, demo_ctx.actor, limit=1).rows
        assert rows, f"the demo company has no {entity}"
        record_id = rows[0].id
    dialog = open_record(qtbot, demo_ctx, host, entity, record_id)
    assert isinstance(dialog, GuardedDialog)
    assert not dialog.is_dirty(), f"{type(dialog).__name__} counts what it read as typed"
    press_escape(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    again = open_record(qtbot, demo_ctx, host, entity, record_id)
    editor = first_text_input(again)
    editor.setFocus()
    qtbot.keyClicks(editor, "7")
    press_escape(qtbot, again)
    assert again.isVisible() and again.discard_question is not None
    answer(qtbot, again, "Discard")
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=5_000)


#: (administration page, how to open its editor) for the editors that hold typed input.
ADMIN_EDITORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("user", lambda page: page.new_user()),
    ("user", lambda page: (page.table.selectRow(0), page.edit_selected())[1]),
    ("department", lambda page: page.add_sub_department()),
    ("pool", lambda page: page.new_pool()),
    ("pool", lambda page: (page.select(page.pools[0].id), page.edit_selected())[1]),
    ("custom_field", lambda page: page.new_field()),
    ("dictionary", lambda page: page.new_dictionary()),
    ("automation", lambda page: page.new_rule()),
    ("approval_flow", lambda page: page.new_flow()),
    ("stage_group", lambda page: page.new_item()),
]


@pytest.fixture
def window(qtbot: QtBot, demo_ctx: AppContext) -> Iterator[MainWindow]:
    main = MainWindow(demo_ctx)
    qtbot.addWidget(main)
    main.show()
    wait_settled(QApplication.instance())  # type: ignore[arg-type]
    yield main
    ops.wait_idle()
    main.close_without_asking()


@pytest.mark.parametrize(("key", "opener"), ADMIN_EDITORS, ids=[f"{k}-{i}" for i, (k, _o) in enumerate(ADMIN_EDITORS)])
def test_admin_editors(qtbot: QtBot, window: MainWindow, key: str, opener: Callable[[Any], Any]) -> None:
    area = window.admin_area
    assert area is not None
    if key not in area.page_keys():
        pytest.skip(f"no {key} page")
    page = area.show_page(key)
    wait_settled(QApplication.instance())  # type: ignore[arg-type]
    dialog = opener(page)
    assert dialog is not None
    wait_settled(QApplication.instance())  # type: ignore[arg-type]
    assert isinstance(dialog, FormDialog) and dialog.isVisible()
    assert not dialog.is_dirty(), f"{type(dialog).__name__} counts what it read as typed"
    editor = first_text_input(dialog)
    editor.setFocus()
    qtbot.keyClicks(editor, "7")
    press_escape(qtbot, dialog)
    assert dialog.isVisible() and dialog.discard_question is not None
    answer(qtbot, dialog, "Keep editing")
    assert dialog.isVisible() and "7" in (editor.text() if isinstance(editor, QLineEdit) else editor.toPlainText())
    dialog.reject()
    answer(qtbot, dialog, "Discard")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)


def test_question_is_not_a_message_box_twice(qtbot: QtBot, demo_ctx: AppContext, host: QWidget) -> None:
    """A second Esc while the question is open does not pile up questions."""
    dialog = open_record(qtbot, demo_ctx, host, "lead", None)
    editor = first_text_input(dialog)
    editor.setFocus()
    qtbot.keyClicks(editor, "7")
    dialog.reject()
    first = dialog.discard_question
    dialog.reject()
    assert dialog.discard_question is first
    assert len([w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]) == 1
    answer(qtbot, dialog, "Discard")
