"""Print templates (打印模板): the HTML a contract and a quotation print from, and the company logo.

The page edits one document kind at a time: the placeholders on the left (double-click puts
one at the cursor), the HTML in the middle, and on the right a live preview of the template
filled in with a made-up document (``print_templates.sample_document``), drawn by the same
QTextDocument that prints. A problem the service would refuse (an unknown placeholder, a
lines block left open) shows under the editor while typing. Save stores the template; "Use
default" loads the Chinese or English default into the editor; "Reset" forgets the stored
template. The logo (PNG, JPEG, GIF, BMP) is uploaded once for every template.
Needs setting/manage (the services check again). GUI thread only.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.errors import ServiceError
from crm_desktop.services.org import auth
from crm_desktop.services.sales import print_templates
from crm_desktop.services.sales.print_templates import TemplateDTO
from crm_desktop.ui import i18n
from crm_desktop.ui.admin.custom_fields import show_error
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar, alive, ask, page_layout
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.printing import PagePreview

_WATCHED = {"setting", "*"}
PREVIEW_DELAY_MS = 300
LOGO_HEIGHT = 40
PLACEHOLDER_ROLE = Qt.ItemDataRole.UserRole


class PrintTemplatesPage(QWidget):
    """Public for tests: ``kind_combo``, ``editor``, ``placeholders``, ``preview``,
    ``problem_label``, ``logo_label``, the buttons, ``loaded`` (the TemplateDTO read last),
    ``logo`` (bytes or None), ``file_dialog``, ``pending_question``, ``kind()``, ``is_dirty()``,
    ``insert_placeholder(name)``, ``update_preview()``, ``save()``, ``use_default(language)``,
    ``reset()``, ``set_logo_file(path)``, ``remove_logo()``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loaded: TemplateDTO | None = None
        self.logo: bytes | None = None
        self.company_name = ""
        self.file_dialog: QFileDialog | None = None
        self.pending_question = None
        self.message = MessageBar()

        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("Contract"), "contract")
        self.kind_combo.addItem(self.tr("Quotation"), "quotation")
        self._kind_index = 0
        self.kind_combo.activated.connect(self._kind_chosen)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.chinese_button = QPushButton(self.tr("Chinese default"))
        self.chinese_button.setToolTip(self.tr("Put the default Chinese template in the editor (saved only with Save)."))
        self.chinese_button.clicked.connect(lambda: self.use_default("zh_CN"))
        self.english_button = QPushButton(self.tr("English default"))
        self.english_button.setToolTip(self.tr("Put the default English template in the editor (saved only with Save)."))
        self.english_button.clicked.connect(lambda: self.use_default("en"))
        self.reset_button = QPushButton(self.tr("Reset"))
        self.reset_button.setToolTip(self.tr("Forget the saved template: the default one prints again."))
        self.reset_button.clicked.connect(self.ask_reset)
        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Document")))
        tools.addWidget(self.kind_combo)
        tools.addSpacing(12)
        tools.addWidget(self.chinese_button)
        tools.addWidget(self.english_button)
        tools.addWidget(self.reset_button)
        tools.addStretch(1)
        tools.addWidget(self.save_button)

        self.logo_label = QLabel()
        self.logo_label.setFixedSize(LOGO_HEIGHT * 3, LOGO_HEIGHT)
        self.logo_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.logo_button = QPushButton(self.tr("Upload logo…"))
        self.logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton(self.tr("Remove logo"))
        self.remove_logo_button.clicked.connect(self.remove_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(QLabel(self.tr("Company logo")))
        logo_row.addWidget(self.logo_label)
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.remove_logo_button)
        logo_row.addStretch(1)

        self.placeholders = QTreeWidget()
        self.placeholders.setHeaderLabels([self.tr("Meaning"), self.tr("Placeholder")])
        self.placeholders.setRootIsDecorated(False)
        self.placeholders.setColumnWidth(0, 150)
        self.placeholders.setToolTip(self.tr("Double-click a placeholder to put it at the cursor."))
        self.placeholders.itemDoubleClicked.connect(
            lambda item, _column: self.insert_placeholder(str(item.data(0, PLACEHOLDER_ROLE))))
        self._fill_placeholders()
        self.editor = QPlainTextEdit()
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.textChanged.connect(self._edited)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #c62828;")
        self.problem_label.hide()
        #: The filled-in template as the printed page lays it out (scaled to the pane).
        self.preview = PagePreview()
        preview_scroll = QScrollArea()
        preview_scroll.setWidgetResizable(True)
        preview_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        preview_scroll.setStyleSheet("QScrollArea { background: #9aa3ad; }")
        preview_scroll.setWidget(self.preview)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.editor, 1)
        middle_layout.addWidget(self.problem_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (_titled(self.tr("Placeholders"), self.placeholders), _titled(self.tr("HTML"), middle),
                       _titled(self.tr("Preview"), preview_scroll)):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([300, 390, 390])
        self.splitter.setChildrenCollapsible(False)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        page_layout(self, self.tr("Print templates"), self.message, tools, logo_row, body=self.splitter)
        self._set_busy(True)
        ctx.signals.changed.connect(self._on_changed)
        self.reload()

    # --- reading ----------------------------------------------------------------------------

    def kind(self) -> str:
        return str(self.kind_combo.itemData(self._kind_index))

    def is_dirty(self) -> bool:
        return self.loaded is not None and self.editor.toPlainText() != self.loaded.html

    def reload(self) -> None:
        db, actor, kind, language = self.ctx.db, self.ctx.actor, self.kind(), i18n.current_language()

        def read() -> tuple[TemplateDTO, bytes | None, str]:
            return (print_templates.get_template(db, actor, kind, language=language),
                    print_templates.get_logo(db, actor), auth.company_name(db))

        op(self, read).success(self._loaded).failure(self._failed).run()

    def _loaded(self, loaded: tuple[TemplateDTO, bytes | None, str]) -> None:
        if not alive(self):
            return
        self.loaded, self.logo, self.company_name = loaded
        self._show_logo()
        self.editor.setPlainText(self.loaded.html)
        self._set_busy(False)
        self.update_preview()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        # Another window saved settings: read again unless that would throw away typing.
        if entity in _WATCHED and alive(self) and not self.is_dirty():
            self.reload()

    def _kind_chosen(self, index: int) -> None:
        if index == self._kind_index:
            return
        if not self.is_dirty():
            self._switch_kind(index)
            return
        self.kind_combo.setCurrentIndex(self._kind_index)  # until the question is answered
        self.pending_question = ask(
            self, self.tr("Print templates"), self.tr("Discard the changes to this template?"),
            lambda: self._switch_kind(index), lambda: setattr(self, "pending_question", None))

    def _switch_kind(self, index: int) -> None:
        self._kind_index = index
        self.kind_combo.setCurrentIndex(index)
        self.loaded = None
        self.message.clear()
        self._set_busy(True)
        self.reload()

    # --- editing and the preview --------------------------------------------------------------

    def _fill_placeholders(self) -> None:
        """The document's placeholders, then the lines block and the placeholders inside it."""
        def add(shown: str, described: str, inserted: str) -> None:
            item = QTreeWidgetItem([described, shown])
            item.setToolTip(0, f"{described}\n{shown}")
            item.setToolTip(1, f"{described}\n{shown}")
            item.setData(0, PLACEHOLDER_ROLE, inserted)
            self.placeholders.addTopLevelItem(item)

        for name, text in print_templates.PLACEHOLDERS.items():
            add(f"{{{{{name}}}}}", QCoreApplication.translate("print", text), f"{{{{{name}}}}}")
        start, end = print_templates.LINES_START, print_templates.LINES_END
        add(f"{start} … {end}", self.tr("Repeat for each product line"), f"{start}\n\n{end}")
        for name, text in print_templates.LINE_PLACEHOLDERS.items():
            add(f"{{{{{name}}}}}", QCoreApplication.translate("print", text), f"{{{{{name}}}}}")

    def insert_placeholder(self, token: str) -> None:
        """Put ``token`` at the editor's cursor (replacing a selection)."""
        self.editor.insertPlainText(token)
        self.editor.setFocus()

    def _edited(self) -> None:
        self._preview_timer.start()

    def update_preview(self) -> None:
        """Fill the editor's template with the sample document and show it; say what the
        service would refuse in it."""
        self._preview_timer.stop()
        html = self.editor.toPlainText()
        try:
            print_templates.check_template(html)
            self.problem_label.hide()
        except ServiceError as exc:
            self.problem_label.setText(error_text(exc))
            self.problem_label.show()
        sample = print_templates.sample_document(self.kind(), company_name=self.company_name)
        self.preview.set_html(print_templates.render_html(html, sample, has_logo=bool(self.logo)), self.logo)

    def preview_text(self) -> str:
        return self.preview.document.toPlainText()

    # --- writing ------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.save_button, self.chinese_button, self.english_button, self.reset_button, self.editor,
                       self.logo_button, self.remove_logo_button):
            widget.setEnabled(not busy)
        if not busy:
            self.remove_logo_button.setEnabled(self.logo is not None)

    def _failed(self, exc: BaseException) -> None:
        if alive(self):
            self._set_busy(False)
            show_error(self.message, exc)

    def save(self) -> None:
        db, actor, kind, html = self.ctx.db, self.ctx.actor, self.kind(), self.editor.toPlainText()
        self.message.clear()
        self._set_busy(True)
        op(self, lambda: print_templates.save_template(db, actor, kind, html), write=True).success(
            self._saved).failure(self._failed).run()

    def _saved(self, saved: TemplateDTO) -> None:
        if not alive(self):
            return
        self.loaded = saved
        self._set_busy(False)
        self.message.show_info(self.tr("Template saved: printing uses it from now on."))
        self.ctx.signals.notify("setting")

    def use_default(self, language: str) -> None:
        """Put the default template in ``language`` in the editor (not saved yet)."""
        self.editor.setPlainText(print_templates.default_template(self.kind(), language))
        self.update_preview()

    def ask_reset(self) -> None:
        self.pending_question = ask(
            self, self.tr("Print templates"),
            self.tr("Forget the saved template? The default one prints again."), self.reset,
            lambda: setattr(self, "pending_question", None))

    def reset(self) -> None:
        db, actor, kind = self.ctx.db, self.ctx.actor, self.kind()
        self.message.clear()
        self._set_busy(True)

        def done(_none: object) -> None:
            if alive(self):
                self.loaded = None
                self.message.show_info(self.tr("The default template prints again."))
                self.ctx.signals.notify("setting")
                self.reload()

        op(self, lambda: print_templates.reset_template(db, actor, kind), write=True).success(done).failure(
            self._failed).run()

    # --- the logo -----------------------------------------------------------------------------

    def _show_logo(self) -> None:
        pixmap = QPixmap()
        if self.logo and pixmap.loadFromData(self.logo):
            self.logo_label.setPixmap(pixmap.scaledToHeight(LOGO_HEIGHT, Qt.TransformationMode.SmoothTransformation))
            self.logo_label.setToolTip("")
        else:
            self.logo_label.setPixmap(QPixmap())
            self.logo_label.setText(self.tr("No logo"))
        self.remove_logo_button.setEnabled(self.logo is not None and self.loaded is not None)

    def choose_logo(self) -> None:
        dialog = QFileDialog(self, self.tr("Upload logo"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(self.tr("Pictures (*.png *.jpg *.jpeg *.gif *.bmp)"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.set_logo_file(Path(name)))
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None) if alive(self) else None)
        self.file_dialog = dialog
        dialog.open()

    def set_logo_file(self, path: Path) -> None:
        """Upload the picture at ``path`` as the company logo."""
        db, actor = self.ctx.db, self.ctx.actor
        self.message.clear()

        def upload() -> bytes:
            data = path.read_bytes()
            print_templates.set_logo(db, actor, data, filename=path.name)
            return data

        op(self, upload, write=True).success(self._logo_changed).failure(self._failed).run()

    def remove_logo(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        self.message.clear()
        op(self, lambda: print_templates.clear_logo(db, actor), write=True).success(
            lambda _none: self._logo_changed(None)).failure(self._failed).run()

    def _logo_changed(self, data: bytes | None) -> None:
        if not alive(self):
            return
        self.logo = data
        self._show_logo()
        self.update_preview()
        self.message.show_info(self.tr("Logo saved.") if data else self.tr("Logo removed."))
        self.ctx.signals.notify("setting")


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(title)
    label.setStyleSheet("font-weight: 600;")
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box


__all__ = ["PrintTemplatesPage"]
