"""Printing a contract or a quotation through Qt: the template filled in, laid out by
QTextDocument, sent to a printer (with a preview) or written to a PDF file.

``load_print_job`` reads everything a document needs through the services (the actor's scope
and field permissions apply there) and fills in the template: it runs on the op worker.
``text_document``, ``write_pdf`` and ``PrintPreview`` lay it out and paint it: GUI thread.
QTextDocument draws a subset of HTML/CSS (tables, borders, alignment, fonts); the default
templates stay within it (services/print_defaults.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMarginsF, QSize, QSizeF, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QSizePolicy, QWidget

from crm_desktop.services.sales import print_templates
from crm_desktop.services.sales.print_data import (
    PrintDocument,
    contract_print_data,
    quotation_print_data,
)
from crm_desktop.ui import i18n

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

#: Page margins in millimetres (a Chinese contract leaves room to bind and seal).
MARGINS_MM = (18.0, 15.0, 15.0, 15.0)
#: Points: body text of a printed A4 page.
BODY_POINTS = 10.5
#: The printable width of an A4 page (210 mm less the margins) in screen pixels at 96 dpi: a
#: preview laid out at this width wraps lines where the printed page does.
PAGE_WIDTH_PX = round((210 - MARGINS_MM[0] - MARGINS_MM[2]) / 25.4 * 96)
_UNSAFE = str.maketrans({c: "_" for c in '/\\:*?"<>|\n\r\t'})


@dataclass(frozen=True)
class PrintJob:
    """One document ready to lay out: its data, the filled-in HTML and the logo picture."""

    document: PrintDocument
    html: str
    logo: bytes | None


def load_print_job(db: Database, actor: Actor, kind: str, record_id: int, *, language: str | None = None) -> PrintJob:
    """Read and fill in the document (worker thread: service calls only, no widget)."""
    if kind == "contract":
        document = contract_print_data(db, actor, record_id)
    else:
        document = quotation_print_data(db, actor, record_id)
    template = print_templates.get_template(db, actor, kind, language=language or i18n.current_language())
    logo = print_templates.get_logo(db, actor)
    return PrintJob(document, print_templates.render_html(template.html, document, has_logo=logo is not None), logo)


def file_name(document: PrintDocument, *, quotation_word: str) -> str:
    """A PDF file name a person recognises: the contract's number and name, or the word
    "Quotation" and the opportunity's name; characters a file system refuses replaced."""
    if document.kind == "contract":
        stem = " ".join(p for p in (document.number, document.name) if p)
    else:
        stem = f"{quotation_word} {document.name}".strip()
    return (stem.translate(_UNSAFE).strip() or quotation_word)[:120] + ".pdf"


def text_document(html: str, logo: bytes | None, *, parent: QWidget | None = None) -> QTextDocument:
    """The laid-out document (GUI thread); the logo is registered under the URL the HTML names."""
    document = QTextDocument(parent)
    font = QFont(document.defaultFont())
    font.setPointSizeF(BODY_POINTS)
    document.setDefaultFont(font)
    if logo:
        image = QImage.fromData(logo)
        if not image.isNull():
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(print_templates.LOGO_URL), image)
    document.setHtml(html)
    return document


def _a4(device: QPagedPaintDevice) -> None:
    left, top, right, bottom = MARGINS_MM
    device.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(left, top, right, bottom), QPageLayout.Unit.Millimeter))


def write_pdf(job: PrintJob, path: Path, *, title: str = "") -> int:
    """Write the document to ``path`` as an A4 PDF; returns the number of pages (GUI thread)."""
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(title or job.document.name)
    writer.setCreator("CRM Desktop")
    _a4(writer)
    document = text_document(job.html, job.logo)
    document.print_(writer)
    # Laid out for the page the writer paints: the count matches the file's pages.
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    return document.pageCount()


def new_printer() -> QPrinter:
    """An A4 printer at high resolution (the system's default printer, if any)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    _a4(printer)
    return printer


class PagePreview(QWidget):
    """A document drawn as the printed page lays it out (``PAGE_WIDTH_PX`` wide), scaled to the
    widget's width on a white sheet; put it in a QScrollArea (it grows to the page's height).
    Public: ``document`` (the QTextDocument shown), ``set_html(html, logo)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = text_document("", None, parent=self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(200)

    def set_html(self, html: str, logo: bytes | None) -> None:
        self.document.deleteLater()
        self.document = text_document(html, logo, parent=self)
        self.document.setTextWidth(PAGE_WIDTH_PX)
        self._fit()
        self.update()

    def _scale(self) -> float:
        return max(self.width() - 16, 50) / PAGE_WIDTH_PX

    def _fit(self) -> None:
        self.setMinimumHeight(int(self.document.size().height() * self._scale()) + 16)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(PAGE_WIDTH_PX // 2, int(self.document.size().height() / 2) + 16)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def paintEvent(self, _event: Any) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.translate(8, 8)
        painter.scale(self._scale(), self._scale())
        self.document.drawContents(painter)
        painter.end()


class PrintPreview(QPrintPreviewDialog):
    """Qt's print preview of one job (zoom, pages, page setup, Print). Public: ``job``,
    ``document`` (the QTextDocument it paints)."""

    def __init__(self, job: PrintJob, *, title: str, parent: QWidget | None = None) -> None:
        self._printer = new_printer()  # kept: the dialog paints on it for as long as it is open
        super().__init__(self._printer, parent)
        self.job = job
        self.document = text_document(job.html, job.logo, parent=self)
        self.setWindowTitle(title)
        self.paintRequested.connect(self.document.print_)
        self.resize(960, 700)


__all__ = ["PAGE_WIDTH_PX", "PagePreview", "PrintJob", "PrintPreview", "file_name", "load_print_job", "new_printer", "text_document", "write_pdf"]
