"""A task's files in its form: add (a file chooser), open (a temporary copy opened by the
system's program for it) and remove, through services.activities.task_files, off the GUI thread.

Public for tests: ``list`` (QListWidget; item data: attachment id), ``files``, ``add_file(path)``,
``remove_selected()``, ``loaded``.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.activities import task_files as file_ops
from crm_desktop.services.records.attachments import AttachmentDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.attachments import temp_copy_path


class TaskFiles(QWidget):
    loaded = Signal()

    def __init__(self, ctx: AppContext, task_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task_id = task_id
        self.files: list[AttachmentDTO] = []
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(lambda _i: self.open_selected())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        buttons = QHBoxLayout()
        for text, slot in ((self.tr("Add file…"), self._choose), (self.tr("Open"), self.open_selected),
                           (self.tr("Remove"), self.remove_selected)):
            button = QPushButton(text)
            button.setAutoDefault(False)  # Enter in the form saves it, not a file button
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        db, actor, task_id = self.ctx.db, self.ctx.actor, self.task_id
        op(self, lambda: file_ops.list_task_files(db, actor, task_id)).success(self._show).failure(
            self._failed).run()

    def _show(self, files: list[AttachmentDTO]) -> None:
        if not isValid(self):
            return
        self.files = files
        self.list.clear()
        for f in files:
            item = QListWidgetItem(f"{f.filename}  ({max(f.size // 1024, 1)} KB, {f.uploaded_by})")
            item.setData(Qt.ItemDataRole.UserRole, f.id)
            self.list.addItem(item)
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.message.setText(error_text(exc))
            self.message.show()

    def _choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Add a file to the task"))
        if path:
            self.add_file(Path(path))

    def add_file(self, path: Path) -> None:
        """Store ``path`` on the task (read off the GUI thread too: a file can be large)."""
        db, actor, task_id = self.ctx.db, self.ctx.actor, self.task_id
        self.message.hide()
        op(self, lambda: file_ops.add_task_file(db, actor, task_id, filename=path.name, data=path.read_bytes()),
           write=True).success(lambda _f: self.reload() if isValid(self) else None).failure(self._failed).run()

    def _selected(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def remove_selected(self) -> None:
        attachment_id = self._selected()
        if attachment_id is None:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: file_ops.remove_task_file(db, actor, attachment_id), write=True).success(
            lambda _x: self.reload() if isValid(self) else None).failure(self._failed).run()

    def open_selected(self) -> None:
        attachment_id = self._selected()
        if attachment_id is None:
            return
        db, actor = self.ctx.db, self.ctx.actor

        def fetch() -> Path:
            name, data = file_ops.read_task_file(db, actor, attachment_id)
            path = temp_copy_path(attachment_id, name)
            path.write_bytes(data)
            return path

        op(self, fetch).success(lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))).failure(
            self._failed).run()


__all__ = ["TaskFiles"]
