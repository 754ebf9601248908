"""Print / Export PDF of a contract, and of an opportunity's quotation, on its detail window.

``PrintButtons`` sits in the entity's header part (the contract's action row, the opportunity's
stage header): "Print…" opens Qt's print preview (zoom, pages, page setup, Print) of the
document filled in from the administrator's template; "Export PDF…" asks where, then writes an
A4 PDF. What prints is read through the services (the actor's scope and field permissions).
Which buttons show comes from the entity's view spec (``offers``).
Thread rule: GUI thread only; the reads run through ``ui.ops.op``.
"""
from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QWidget
from shiboken6 import isValid

from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.printing import PrintJob, PrintPreview, file_name, load_print_job, write_pdf
from crm_desktop.ui.records.details.base import DetailTarget

#: Where the last PDF went: the next one is offered the same folder.
_last_folder: Path | None = None


class PrintButtons(QWidget):
    """"Print…" and "Export PDF…" of one record. ``report(text, error)`` tells what happened.

    Public for tests: ``kind`` ("contract" / "quotation"), ``print_button``, ``pdf_button``,
    ``preview`` (the last print preview opened), ``file_dialog``, ``print_preview()``,
    ``export_pdf(path)`` (a path skips the file dialog), ``last_pdf``.
    """

    def __init__(self, target: DetailTarget, *, report: Callable[[str, bool], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.ctx = target.ctx
        self._report = report
        self.preview: PrintPreview | None = None
        self.file_dialog: QFileDialog | None = None
        self.last_pdf: Path | None = None
        offers = target.spec.offers
        if target.entity == "contract":
            self.kind = "contract"
            shown = (offers("print"), offers("export_pdf"))
            self.print_button = QPushButton(self.tr("Print…"))
            self.print_button.setToolTip(self.tr("Print the contract from the company's template (with a preview)."))
        else:
            self.kind = "quotation"
            shown = (offers("print_quotation"), offers("export_quotation_pdf"))
            self.print_button = QPushButton(self.tr("Print quotation…"))
            self.print_button.setToolTip(self.tr("Print the product lines as a quotation (with a preview)."))
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self.pdf_button.setToolTip(self.tr("Save the printed document as a PDF file."))
        self.print_button.clicked.connect(self.print_preview)
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.print_button)
        row.addWidget(self.pdf_button)
        self.print_button.setVisible(shown[0])
        self.pdf_button.setVisible(shown[1])
        self.setVisible(any(shown))

    def _title(self) -> str:
        return self.tr("Print contract") if self.kind == "contract" else self.tr("Print quotation")

    def _load(self, then: Callable[[PrintJob], None]) -> None:
        db, actor, kind, record_id = self.ctx.db, self.ctx.actor, self.kind, self.target.record_id
        self.print_button.setEnabled(False)
        self.pdf_button.setEnabled(False)

        def done(job: PrintJob) -> None:
            if isValid(self):
                self._enable()
                then(job)

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self._enable()
                self._report(error_text(exc), True)

        op(self, lambda: load_print_job(db, actor, kind, record_id)).success(done).failure(failed).run()

    def _enable(self) -> None:
        self.print_button.setEnabled(True)
        self.pdf_button.setEnabled(True)

    # --- print ---------------------------------------------------------------------------------

    def print_preview(self) -> None:
        """Read the document, then open the print preview (non-modal)."""
        self._load(self._show_preview)

    def _show_preview(self, job: PrintJob) -> None:
        preview = PrintPreview(job, title=f"{self._title()} · {job.document.name}", parent=self.window())
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.finished.connect(lambda _r: setattr(self, "preview", None) if isValid(self) else None)
        self.preview = preview
        preview.open()

    # --- PDF -----------------------------------------------------------------------------------

    def export_pdf(self, path: Path | None = None) -> None:
        """Read the document, then write it to ``path`` (asked for first when None)."""
        if path is not None:
            self._load(lambda job: self._write(job, path))
            return
        self._load(self._ask_path)

    def _ask_path(self, job: PrintJob) -> None:
        folder = _last_folder or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())
        dialog = QFileDialog(self.window(), self.tr("Export PDF"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter(self.tr("PDF document (*.pdf)"))
        dialog.setDefaultSuffix("pdf")
        dialog.setDirectory(str(folder))
        dialog.selectFile(file_name(job.document, quotation_word=self.tr("Quotation")))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self._write(job, Path(name)))
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None) if isValid(self) else None)
        self.file_dialog = dialog
        dialog.open()

    def _write(self, job: PrintJob, path: Path) -> None:
        global _last_folder
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        # Written beside the target, then moved over it: a file open in a PDF reader, a folder
        # that cannot be written to or a full disk leave the old file as it was and say so
        # (QPdfWriter itself is silent when it cannot write).
        partial = path.with_name(f".{path.name}.part")
        try:
            if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
                raise PermissionError(errno.EACCES, self.tr("the folder cannot be written to"))
            pages = write_pdf(job, partial, title=f"{self._title()} · {job.document.name}")
            if not partial.is_file() or partial.stat().st_size == 0:
                raise OSError(errno.EIO, self.tr("the file could not be written"))
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            self._report(self.tr("Not saved: “{file}” ({reason}).").format(
                file=path.name, reason=exc.strerror or str(exc)), True)
            return
        _last_folder = path.parent
        self.last_pdf = path
        self._report(self.tr("Saved “{file}” ({n} page(s)).").format(file=path.name, n=pages), False)


__all__ = ["PrintButtons"]
