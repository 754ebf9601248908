"""Cell delegates shared by the record lists.

``CellTextDelegate`` shows a record column as words (a translated status, a ✓) while the
model keeps the stored value, so sorting stays in SQL and a language switch needs no reload.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui.records.shared.list_model import RecordTableModel


class CellTextDelegate(QStyledItemDelegate):
    """Shows a record column as ``text_of(record)`` instead of the stored value."""

    def __init__(
        self, text_of: Callable[[RecordDTO], str], parent: QObject | None = None, *,
        alignment: Qt.AlignmentFlag | None = None,
    ) -> None:
        super().__init__(parent)
        self.text_of = text_of
        self.alignment = alignment

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        model = index.model()
        if isinstance(model, RecordTableModel) and index.row() < model.rowCount():
            option.text = self.text_of(model.record(index.row()))  # type: ignore[attr-defined]
        if self.alignment is not None:
            option.displayAlignment = self.alignment | Qt.AlignmentFlag.AlignVCenter  # type: ignore[attr-defined]


__all__ = ["CellTextDelegate"]
