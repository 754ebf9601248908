"""The custom field dialog's "Index" checkbox: checking it creates the field's expression
index, unchecking drops it; the row shows only for types an index can serve."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from crm_desktop.db import Database
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import list_custom_fields
from crm_desktop.ui.admin.custom_fields import CustomFieldDialog, CustomFieldsPage
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import alive
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> Iterator[CustomFieldsPage]:
    widget = CustomFieldsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    settle(qtbot)
    yield widget
    settle(qtbot)


def ok(qtbot: QtBot, dialog: CustomFieldDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settle(qtbot)


def field_indexes(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'cfidx_%'")).scalars())


def test_the_index_checkbox_creates_and_drops_the_index(qtbot: QtBot, page: CustomFieldsPage,
                                                         ctx: AppContext) -> None:
    dialog = page.new_field()
    index_row = dialog.indexed_box.parentWidget()
    assert index_row.isVisible() and not dialog.indexed_box.isChecked()
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(FieldType.ATTACHMENT.value))
    assert not index_row.isVisible()  # nothing to sort a file by
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(FieldType.MONEY.value))
    assert index_row.isVisible()
    dialog.label_edit.setText("预算")
    dialog.indexed_box.setChecked(True)
    ok(qtbot, dialog)
    assert not alive(dialog)
    (_field_id, spec), = list_custom_fields(ctx.db, ctx.actor, "customer")
    assert spec.indexed and field_indexes(ctx.db) == {f"cfidx_customers_{spec.key}"}
    assert page.custom_table.item(0, 5).text() == "Shown, indexed"

    page.custom_table.selectRow(0)
    dialog = page.edit_current()
    assert dialog is not None and dialog.indexed_box.isChecked()
    dialog.indexed_box.setChecked(False)
    ok(qtbot, dialog)
    (_field_id, spec), = list_custom_fields(ctx.db, ctx.actor, "customer")
    assert not spec.indexed and field_indexes(ctx.db) == set()
    assert page.custom_table.item(0, 5).text() == "Shown"
