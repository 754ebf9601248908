"""No id is ever shown where a name exists: every detail window and form of the demo company names
the records a field points at (customer, contact, opportunity, contract, payment plan, stage,
category, owner and other users) — "1661" for an opportunity was what a new user saw.

Each detail window is opened with all its tabs read; every visible label and table cell is
looked at. A reference field's value must read as the referenced record's name, and no text
anywhere may be the bare number (or "#number") of a record the window's record points at.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QListView,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from crm_desktop.services.org import users
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.records.schema import BUILTIN_FIELDS
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from crm_desktop.ui.records.forms.open import open_form
from crm_desktop.ui.records.forms.payment_form import plan_text
from crm_desktop.ui.records.shared.record_names import REFERENCES, reference_names
from crm_desktop.ui.records.specs.registry import DETAIL_ENTITIES, VIEW_SPECS
from tests.ui.demo_company import demo_ctx, demo_db, demo_file, wait_settled  # noqa: F401 - fixtures

#: Fields holding a user's id (shown as the user's name).
USER_FIELDS = ("owner_id", "our_signer_id", "creator_id")


def settle() -> None:
    wait_settled(QApplication.instance())  # type: ignore[arg-type]


def plain(text: str) -> str:
    return QTextDocumentFragment.fromHtml(text).toPlainText().strip() if "<" in text else text.strip()


def reference_headers() -> set[str]:
    """Column headers of fields that point at another record or a user (every entity, translated)."""
    names = set(REFERENCES) | set(USER_FIELDS)
    headers = {QCoreApplication.translate("fields", f.label) for fields in BUILTIN_FIELDS.values()
               for f in fields if f.name in names}
    for spec in VIEW_SPECS.values():
        for columns in (spec.columns, *spec.related_columns.values()):
            headers |= {c.header(spec.entity) for c in columns
                        if c.field in names or c.field.endswith(("_name", "_number"))}
    return headers


def visible_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) of every visible label, every cell under a reference's header, and every combo."""
    headers = reference_headers()
    for label in window.findChildren(QLabel):
        if label.isVisibleTo(window) and label.text():
            yield type(label.parentWidget()).__name__, plain(label.text())
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        if model is None or isinstance(view, (QHeaderView, QListView)) or not view.isVisibleTo(window):
            # (a list has no column headers to tell a reference from a quantity)
            continue
        for column in range(model.columnCount(QModelIndex())):
            header = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            if header not in headers or (isinstance(view, QTreeWidget) and view.isColumnHidden(column)):
                continue
            for row in range(min(model.rowCount(QModelIndex()), 50)):
                value = model.data(model.index(row, column))
                if value not in (None, ""):
                    yield f"{type(view).__name__}[{header}]", str(value)
    for combo in window.findChildren(QComboBox):
        if combo.isVisibleTo(window) and combo.currentText():
            yield "QComboBox", combo.currentText()


def references_of(record: RecordDTO) -> dict[str, int]:
    found = {f: int(record.values[f]) for f in REFERENCES if record.values.get(f) not in (None, "")}
    found |= {f: int(record.values[f]) for f in USER_FIELDS if record.values.get(f) not in (None, "")}
    return found


def examples(ctx: AppContext, entity: str) -> list[RecordDTO]:
    """The two records of ``entity`` that point at the most other records."""
    rows = record_service(entity).list_page(ctx.db, ctx.actor, limit=200).rows
    assert rows, f"the demo company has no {entity}"
    return sorted(rows, key=lambda r: (-len(references_of(r)), r.id))[:2]


def bare_ids(refs: dict[str, int]) -> set[str]:
    return {text for value in refs.values() for text in (str(value), f"#{value}")}


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[QWidget]:
    widget = QWidget()
    qtbot.addWidget(widget)
    yield widget
    ops.wait_idle()


@pytest.mark.parametrize("entity", DETAIL_ENTITIES)
def test_detail_windows_name_what_they_point_at(qtbot: QtBot, demo_ctx: AppContext, host: QWidget,
                                                entity: str) -> None:
    ctx = demo_ctx
    people = {u.id: u.name for u in users.list_users(ctx.db, ctx.actor)}
    for record in examples(ctx, entity):
        refs = references_of(record)
        names = reference_names(ctx.db, ctx.actor, record, plan_text=plan_text)
        window: RecordDetailWindow = open_detail(ctx, entity, record.id, parent=host)
        settle()
        for index in range(window.tabs.count()):  # every tab shown once: each reads its rows
            window.tabs.setCurrentIndex(index)
            settle()
        info = window.tab("info") if "info" in window.tab_keys() else None
        for field, value in refs.items():
            expected = people.get(value) if field in USER_FIELDS else names.get(field)
            assert expected, f"{entity} {record.id}: {field}={value} has no name"
            if info is not None and field in info.values:
                assert info.value_text(field) == expected, (entity, field)
            if field in window.facts:
                assert window.facts[field] == expected, (entity, field)
        shown_ids = bare_ids(refs)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            settle()
            bad = [(where, text) for where, text in visible_texts(window) if text in shown_ids]
            assert not bad, f"{entity} {record.id}, tab {window.tabs.tabText(index)}: ids shown {bad}"
        window.close()
        settle()


FORM_ENTITIES = [key for key, spec in VIEW_SPECS.items() if spec.form is not None]


@pytest.mark.parametrize("entity", FORM_ENTITIES)
def test_forms_name_what_they_point_at(qtbot: QtBot, demo_ctx: AppContext, host: QWidget, entity: str) -> None:
    ctx = demo_ctx
    for record in examples(ctx, entity):
        opened: list[QWidget] = []
        open_form(ctx, VIEW_SPECS[entity], host, record_id=record.id, title="edit", on_opened=opened.append)
        qtbot.waitUntil(lambda: bool(opened) and opened[-1].isVisible(), timeout=10_000)
        settle()
        dialog = opened[-1]
        refs = references_of(record)
        for field in refs:
            editor = dialog.editors.get(field)  # type: ignore[attr-defined]
            if isinstance(editor, QComboBox):
                assert not re.fullmatch(r"#?\d+", editor.currentText().strip()), (entity, field, editor.currentText())
        bad = [(where, text) for where, text in visible_texts(dialog) if text in bare_ids(refs)]
        assert not bad, f"{entity} {record.id} form: ids shown {bad}"
        dialog.reject()
        settle()
