"""The recycle bin of one record module: recycled records the actor may see, with Restore.

Reads ``service.recycle_bin`` and restores through ``service.restore``, both via
``ui.ops.op``; refreshes itself when the module's records change. Thread rule: GUI thread.
"""
from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.list_model import (
    ColumnSpec,
    format_value,
    record_value,
)


class RecycleBinDialog(QDialog):
    """Recycled records in a table (``columns`` plus the time they were recycled).

    Public for tests: ``table``, ``restore_button``, ``records`` (the rows shown),
    ``status_label`` (count), ``message_label`` (last result), ``reload()``,
    ``select_ids(ids)``, ``restore_selected()``.
    """

    def __init__(
        self,
        ctx: AppContext,
        service: RecordService[Any],
        columns: Sequence[ColumnSpec],
        *,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._service = service
        self._columns = tuple(columns)
        self.records: list[RecordDTO] = []
        self._loading = False
        self.setWindowTitle(title)

        self.table = QTableWidget(0, len(self._columns) + 1)
        self.table.setHorizontalHeaderLabels([c.header for c in self._columns] + [self.tr("Moved to bin")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        rows.hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, spec in enumerate(self._columns):
            header.resizeSection(column, spec.width)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())

        self.status_label = QLabel()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.restore_button = QPushButton(self.tr("Restore"))
        self.restore_button.setToolTip(self.tr("Put the selected records back into the list."))
        self.restore_button.clicked.connect(self.restore_selected)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label)
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.restore_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(760, 460)

        ctx.signals.changed.connect(self._on_changed)
        self._update_buttons()
        self.reload()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and entity in (self._service.module, "*"):
            self.reload()

    def is_loading(self) -> bool:
        return self._loading

    def reload(self) -> None:
        db, actor, service = self._ctx.db, self._ctx.actor, self._service
        self._loading = True
        op(self, lambda: service.recycle_bin(db, actor)).success(self._show).failure(self._failed).run()

    def _show(self, records: list[RecordDTO]) -> None:
        if not isValid(self):
            return
        self._loading = False
        keep = set(self.selected_ids())
        self.records = records
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = [format_value(record_value(record, c.field)).replace("\n", " ") for c in self._columns]
            cells.append(format_value(record.deleted_at))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, record.id)
                self.table.setItem(row, column, item)
        self.select_ids(keep)
        if records:
            self.status_label.setText(self.tr("In the recycle bin: {n}").format(n=len(records)))
        else:
            self.status_label.setText(self.tr("The recycle bin is empty."))
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._loading = False
            self.message_label.setText(error_text(exc))
            self._update_buttons()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.records[row].id for row in rows if row < len(self.records)]

    def select_ids(self, ids: set[int] | Sequence[int]) -> None:
        wanted = set(ids)
        self.table.clearSelection()
        mode = self.table.selectionMode()
        # Extended selection would replace the selection on each selectRow call.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row, record in enumerate(self.records):
            if record.id in wanted:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(bool(self.selected_ids()))

    def restore_selected(self) -> None:
        """Restore the selected records (one unit of work each) and refresh."""
        ids = self.selected_ids()
        if not ids:
            return
        db, actor, service = self._ctx.db, self._ctx.actor, self._service

        def restore_all() -> Generator[tuple[int, int, str], None, int]:
            for done, record_id in enumerate(ids):
                yield done, len(ids), ""
                service.restore(db, actor, record_id)
            return len(ids)

        self.restore_button.setEnabled(False)
        (
            op(self, restore_all, write=True)
            .with_progress(self.tr("Restoring…"))
            .success(self._restored)
            .failure(self._restore_failed)
            .run()
        )

    def _restored(self, count: int) -> None:
        if isValid(self):
            self.message_label.setText(self.tr("Restored: {n}").format(n=count))
            self.reload()

    def _restore_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.message_label.setText(error_text(exc))
            self.reload()  # some may have been restored before the failure
