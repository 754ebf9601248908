"""The detail page's Attachments tab (附件): list, add, open and remove a record's files.

A related-records list (``related.py``) whose "New" button is "Add files…" and whose rows
are ``AttachmentDTO``s. Files live in the database (see services/attachments.py), so "Open"
writes the bytes to a temporary file and hands it to the system's application. ``open_url`` is
that hand-over; tests replace it on the instance to check the call without launching anything.
Thread rule: GUI thread only; service calls and file reads/writes run through ``ui.ops.op``.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.records import attachments as attachment_ops
from crm_desktop.services.records.attachments import AttachmentDTO
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import DetailTarget
from crm_desktop.ui.records.details.related import RelatedList, RelatedRecordsTab
from crm_desktop.ui.records.specs.attachment import ATTACHMENT_COLUMNS


def temp_copy_path(attachment_id: int, filename: str) -> Path:
    """Where an opened attachment is written: one folder per attachment keeps the file's own
    name (the system picks the application by its extension) without clashing."""
    folder = Path(tempfile.gettempdir()) / "crm_desktop_attachments" / str(attachment_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / Path(filename).name


def attachment_list(model: Any) -> RelatedList:
    """The attachments of a record of ``model`` (the record service's model)."""
    return RelatedList(
        # Not a record module: no view announces "attachment"; the window re-reads its tabs after
        # the record changes (adding or removing a file is such a change).
        entity="attachment",
        load=lambda db, actor, record_id: attachment_ops.list_attachments(db, actor, model, record_id),
        columns=ATTACHMENT_COLUMNS,
        new_label=QT_TRANSLATE_NOOP("AttachmentsTab", "Add files…"),
        show_count=False,
        stretch=None,
        context="AttachmentsTab",
    )


class AttachmentsTab(RelatedRecordsTab):
    """Name, size, uploader, time; Add (any number of files), Open, Remove.

    Public for tests: what ``RelatedRecordsTab`` offers, ``add_button`` (its "New" button),
    ``remove_button``, ``file_dialog`` (the last chooser), ``add_files(paths)`` (what the chooser
    calls), ``remove_selected()``, ``select_attachment(id)``, ``open_url`` (replaceable),
    ``opened`` (paths handed over).
    """

    rows: list[AttachmentDTO]

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, attachment_list(target.service.model), parent)
        self.opened: list[Path] = []
        self.file_dialog: QFileDialog | None = None
        #: Hands a local file to the system's application; replaced in tests.
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        #: "Add files…": the list's "New" button (it has a ``new_label``).
        self.add_button = cast(QPushButton, self.new_button)
        self.add_button.setToolTip(self.tr("Files up to {limit} MB each.").format(
            limit=attachment_ops.MAX_BYTES // (1024 * 1024)))
        self.remove_button = self.add_row_action(self.tr("Remove"), self.remove_selected,
                                                 allowed=self.can(target.entity, "edit"), after_open=True)

    select_attachment = RelatedRecordsTab.select_record

    def may_create(self) -> bool:
        # Files are part of the record: whoever may edit it may add and remove them.
        return self.can(self.target.entity, "edit")

    # --- add --------------------------------------------------------------------------

    def create_new(self) -> None:
        self.choose_files()

    def choose_files(self) -> QFileDialog:
        dialog = QFileDialog(self, self.tr("Add files"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        # Qt's own dialog: the same on every system, and it never blocks the event loop.
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(self.add_files)
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def add_files(self, paths: Sequence[str]) -> None:
        """Store the files on the record; one that is too large is refused, saying so."""
        limit = attachment_ops.MAX_BYTES
        too_large = [p for p in paths if Path(p).stat().st_size > limit]
        wanted = [p for p in paths if p not in too_large]
        if too_large:
            self.show_message(self.tr(
                "“{name}” is larger than {limit} MB and was not added. Keep large files on a file server "
                "and put a link in the remark."
            ).format(name=Path(too_large[0]).name, limit=limit // (1024 * 1024)), error=True)
        if not wanted:
            return
        db, actor, model, record_id = self.ctx.db, self.ctx.actor, self.target.service.model, self.target.record_id

        def store() -> int:
            for path in wanted:
                attachment_ops.add_attachment(db, actor, model, record_id, filename=Path(path).name,
                                              data=Path(path).read_bytes())
            return len(wanted)

        self._loading = True
        op(self, store, write=True).success(lambda n: self._stored(n, refused=bool(too_large))).failure(
            self.failed).run()

    def _stored(self, count: int, *, refused: bool) -> None:
        self.target.changed()
        if isValid(self) and not refused:
            self.show_message(self.tr("Files added: {n}").format(n=count))

    # --- open and remove --------------------------------------------------------------

    def open_selected(self) -> None:
        attachment_id = self.selected_id()
        if attachment_id is None:
            return
        db, actor, model = self.ctx.db, self.ctx.actor, self.target.service.model

        def fetch() -> Path:
            filename, data = attachment_ops.read_attachment(db, actor, model, attachment_id)
            path = temp_copy_path(attachment_id, filename)
            path.write_bytes(data)
            return path

        op(self, fetch).success(self._hand_over).failure(self.failed).run()

    def _hand_over(self, path: Path) -> None:
        if not isValid(self):
            return
        self.opened.append(path)
        if not self.open_url(QUrl.fromLocalFile(str(path))):
            self.show_message(self.tr("No application on this computer opens “{name}”. It was saved as {path}.")
                              .format(name=path.name, path=str(path)), error=True)

    def remove_selected(self) -> None:
        """Ask, then remove the selected attachment (the operation log keeps its name)."""
        row = self.selected_row()
        if row is None:
            return
        self.ask(self.tr("Remove the attachment “{name}”?").format(name=row.filename),
                 lambda: self._remove(row.id))

    def _remove(self, attachment_id: int) -> None:
        db, actor, model = self.ctx.db, self.ctx.actor, self.target.service.model
        op(self, lambda: attachment_ops.remove_attachment(db, actor, model, attachment_id), write=True).success(
            lambda _none: self._removed()).failure(self.failed).run()

    def _removed(self) -> None:
        self.target.changed()
        self.show_message(self.tr("Attachment removed."))
