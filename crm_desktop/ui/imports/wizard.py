"""The import wizard (issue 14): file → sheet and header row → column mapping → options → dry
run → import → result (error file, Undo). Every service call runs through ``ui.ops`` off the
GUI thread; the import itself is a cancellable background op with progress.

Public for tests: ``pages`` (a QStackedWidget), ``path_edit``, ``sheet_box``, ``header_spin``,
``mapping_table`` (column 1 holds a QComboBox per file column), ``policy_box``, ``rules_check``,
``all_or_nothing_check``, ``summary_label``, ``errors_table``, ``diff_view``, ``result_label``,
``next_button``, ``back_button``, ``error_file_button``, ``undo_button``, ``info``, ``dry``,
``result``, ``undone``, and ``choose_error_file`` (tests replace it to skip the file dialog).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.imports import engine as imports
from crm_desktop.services.imports.new_fields import NEW_FIELD_TYPES
from crm_desktop.services.imports.reading import FileProblem
from crm_desktop.services.records.schema_admin import FIELD_TYPE_LABELS
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text

FILE, SHEET, MAPPING, OPTIONS, DRY_RUN, RESULT = range(6)
NOT_IMPORTED = ""
#: A mapping choice "new field of this type" (the prefix, then the FieldType value).
NEW_FIELD = "new:"


def problem_text(exc: BaseException) -> str:
    """A translated message for a refused file or a failed call."""
    if isinstance(exc, FileProblem):
        text = QCoreApplication.translate("errors", exc.message)
        return text.format(**exc.params) if exc.params else text
    return error_text(exc)


def row_error_text(error: Any) -> str:
    return error.text(lambda t: QCoreApplication.translate("errors", t))


class ImportWizard(QDialog):
    """Import a spreadsheet into one module (``entity``)."""

    def __init__(self, ctx: AppContext, entity: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.entity = entity
        self.info: imports.FileInfo | None = None
        self.dry: imports.DryRunResult | None = None
        self.result: imports.ImportResult | None = None
        self.undone: Any = None
        self.choose_error_file: Callable[[Callable[[Path], None]], None] = self._ask_error_file
        self.setWindowTitle(self.tr("Import"))
        self.resize(860, 560)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._sheet_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._options_page())
        self.pages.addWidget(self._dry_run_page())
        self.pages.addWidget(self._result_page())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        self.back_button = QPushButton(self.tr("Back"))
        self.next_button = QPushButton(self.tr("Next"))
        self.close_button = QPushButton(self.tr("Close"))
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.forward)
        self.close_button.clicked.connect(self.reject)
        self.next_button.setDefault(False)
        self.next_button.setAutoDefault(False)
        self.back_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        self._show(FILE)

    # --- pages ---------------------------------------------------------------------------------

    def _file_page(self) -> QWidget:
        page = QWidget()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("An Excel, WPS or csv file"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        intro = QLabel(self.tr("Choose the file to import. The first sheet with data and its header row are found "
                               "for you; you can change them in the next step."))
        intro.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _sheet_page(self) -> QWidget:
        page = QWidget()
        self.sheet_box = QComboBox()
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, 20)
        self.preview_table = QTableWidget()
        self.preview_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.sheet_box.activated.connect(lambda _i: self._inspect(sheet=self.sheet_box.currentText()))
        self.header_spin.editingFinished.connect(
            lambda: self._inspect(sheet=self.sheet_box.currentText(), header_row=self.header_spin.value() - 1))
        form = QFormLayout()
        form.addRow(self.tr("Sheet"), self.sheet_box)
        form.addRow(self.tr("Header row"), self.header_spin)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.preview_table, 1)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels([self.tr("Column in the file"), self.tr("Field"),
                                                      self.tr("Matched by")])
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        note = QLabel(self.tr("Each column goes to one field, or is not imported. Your choice is remembered for "
                              "files with the same headers."))
        note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addWidget(self.mapping_table, 1)
        return page

    def _options_page(self) -> QWidget:
        page = QWidget()
        self.policy_box = QComboBox()
        for key, label in (("skip", self.tr("Skip the row")), ("update", self.tr("Update the existing record")),
                           ("create", self.tr("Create it anyway")), ("stop", self.tr("Stop the import"))):
            self.policy_box.addItem(label, key)
        self.unknown_box = QComboBox()
        self.unknown_box.addItem(self.tr("Reject the row"), "reject")
        self.unknown_box.addItem(self.tr("Add them to the dictionary"), "add")
        self.rules_check = QCheckBox(self.tr("Run automation rules and approval flows for the imported records"))
        rules_text = self.tr("Off by default: automation rules and approval flows do not run for imported "
                             "records unless this is ticked.")
        if self.entity in ("contract", "payment"):
            # Chinese sentences follow one another without a space.
            rules_text += ("" if rules_text.endswith("。") else " ") + self.tr("Unticked, imported contracts and payments are recorded as approved (already "
                                        "signed, already received); ticked, each is submitted to its approval flow.")
        rules_note = QLabel(rules_text)
        rules_note.setWordWrap(True)
        self.all_or_nothing_check = QCheckBox(self.tr("Import nothing if any row has an error"))
        form = QFormLayout()
        form.addRow(self.tr("A row that already exists"), self.policy_box)
        form.addRow(self.tr("Values not in a dictionary"), self.unknown_box)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.rules_check)
        layout.addWidget(rules_note)
        layout.addWidget(self.all_or_nothing_check)
        layout.addStretch(1)
        return page

    def _dry_run_page(self) -> QWidget:
        page = QWidget()
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.errors_table = QTableWidget(0, 3)
        self.errors_table.setHorizontalHeaderLabels([self.tr("Row"), self.tr("Column"), self.tr("Reason")])
        self.errors_table.horizontalHeader().setStretchLastSection(True)
        self.errors_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        self.diff_view.setMaximumHeight(120)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.errors_table, 1)
        layout.addWidget(QLabel(self.tr("Changes to existing records")))
        layout.addWidget(self.diff_view)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.error_file_button = QPushButton(self.tr("Save the rows that failed…"))
        self.undo_button = QPushButton(self.tr("Undo this import"))
        self.error_file_button.clicked.connect(self.save_error_file)
        self.undo_button.clicked.connect(self.undo)
        row = QHBoxLayout()
        row.addWidget(self.error_file_button)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_label)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    # --- navigation ----------------------------------------------------------------------------

    def _show(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.back_button.setEnabled(index not in (FILE, RESULT))
        self.next_button.setVisible(index != RESULT)
        self.next_button.setText(self.tr("Import") if index == DRY_RUN else
                                 self.tr("Check (dry run)") if index == OPTIONS else self.tr("Next"))
        self.message.clear()

    def back(self) -> None:
        self._show(max(FILE, self.pages.currentIndex() - 1))

    def forward(self) -> None:
        page = self.pages.currentIndex()
        if page == FILE:
            self._inspect()
        elif page == SHEET:
            self._show(MAPPING)
        elif page == MAPPING:
            self._show(OPTIONS)
        elif page == OPTIONS:
            self.run_dry_run()
        elif page == DRY_RUN:
            self.run_import()

    def _fail(self, exc: BaseException) -> None:
        self.next_button.setEnabled(True)
        self.message.setText(problem_text(exc))

    def _browse(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Import"), "", self.tr("Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.txt)"))
        if name:
            self.path_edit.setText(name)

    # --- steps -----------------------------------------------------------------------------------

    def path(self) -> Path:
        return Path(self.path_edit.text().strip())

    def _inspect(self, *, sheet: str | None = None, header_row: int | None = None) -> None:
        path, ctx, entity = self.path(), self.ctx, self.entity
        self.next_button.setEnabled(False)
        ops.op(self, lambda: imports.inspect_file(ctx.db, ctx.actor, path, entity=entity, sheet=sheet,
                                                  header_row=header_row)) \
            .success(self._inspected).failure(self._fail).run()

    def _inspected(self, info: imports.FileInfo) -> None:
        self.info = info
        self.next_button.setEnabled(True)
        self.sheet_box.clear()
        self.sheet_box.addItems(list(info.sheets))
        self.sheet_box.setCurrentText(info.sheet)
        self.header_spin.setValue(info.header_row + 1)
        table = self.preview_table
        table.setColumnCount(len(info.headers))
        table.setHorizontalHeaderLabels(list(info.headers))
        table.setRowCount(len(info.preview))
        for r, row in enumerate(info.preview):
            for c, value in enumerate(row[:len(info.headers)]):
                table.setItem(r, c, QTableWidgetItem(value))
        mapping = self.mapping_table
        mapping.setRowCount(len(info.columns))
        how_text = {"label": self.tr("name"), "pinyin": self.tr("pinyin"), "fuzzy": self.tr("similar name"),
                    "remembered": self.tr("remembered"), "given": self.tr("chosen"), "none": ""}
        for r, col in enumerate(info.columns):
            mapping.setItem(r, 0, QTableWidgetItem(col.header))
            box = QComboBox()
            box.addItem(self.tr("(not imported)"), NOT_IMPORTED)
            for name, label in info.targets:
                box.addItem(QCoreApplication.translate("fields", label), name)
            new_type = info.new_field_types[r] if r < len(info.new_field_types) else ""
            if new_type:  # a column no field takes can become a custom field, typed from its values
                for type_ in NEW_FIELD_TYPES:
                    type_label = QCoreApplication.translate("fieldtypes", FIELD_TYPE_LABELS[type_])
                    box.addItem(self.tr("New field: {type}").format(type=type_label), f"{NEW_FIELD}{type_.value}")
                box.setToolTip(self.tr("No field takes this column: keep it as a new field of the module, or leave it "
                                       "out."))
            box.setCurrentIndex(max(0, box.findData(col.target or NOT_IMPORTED)))
            mapping.setCellWidget(r, 1, box)
            mapping.setItem(r, 2, QTableWidgetItem(how_text.get(col.how, col.how)))
        if self.pages.currentIndex() == FILE:
            self._show(SHEET)

    def options(self) -> imports.ImportOptions:
        assert self.info is not None
        mapping: dict[str, str | None] = {}
        new_fields: dict[str, str] = {}
        for r in range(self.mapping_table.rowCount()):
            header = self.mapping_table.item(r, 0).text()
            box = self.mapping_table.cellWidget(r, 1)
            assert isinstance(box, QComboBox)
            if not header:
                continue
            target = box.currentData() or None
            if isinstance(target, str) and target.startswith(NEW_FIELD):
                new_fields[header] = target.removeprefix(NEW_FIELD)
                target = None
            mapping[header] = target
        return imports.ImportOptions(
            entity=self.entity, sheet=self.info.sheet, header_row=self.info.header_row, mapping=mapping,
            new_fields=new_fields or None,
            on_duplicate=self.policy_box.currentData(), unknown_values=self.unknown_box.currentData(),
            run_rules=self.rules_check.isChecked(), all_or_nothing=self.all_or_nothing_check.isChecked())

    def run_dry_run(self) -> None:
        path, ctx, options = self.path(), self.ctx, self.options()
        self.next_button.setEnabled(False)
        ops.op(self, lambda: imports.dry_run(ctx.db, ctx.actor, path, options)) \
            .success(self._dry_done).failure(self._fail).run()

    def _dry_done(self, dry: imports.DryRunResult) -> None:
        self.dry = dry
        self.next_button.setEnabled(True)
        self.summary_label.setText(self.tr("New: {new} · updated: {updated} · skipped: {skipped} · failed: {failed}")
                                   .format(new=dry.new, updated=dry.updated, skipped=dry.skipped, failed=dry.failed))
        self._errors(dry.errors)
        lines = []
        labels = {name: QCoreApplication.translate("fields", label) for name, label in self.info.targets} \
            if self.info is not None else {}
        for row, diff in sorted(dry.diffs.items()):
            changes = "；".join(f"{labels.get(name, name)}: {old if old not in (None, '') else '—'} → {new}"
                               for name, (old, new) in diff.items())
            lines.append(self.tr("Row {row}: {changes}").format(row=row, changes=changes))
        self.diff_view.setPlainText("\n".join(lines))
        self._show(DRY_RUN)

    def _errors(self, errors: Any) -> None:
        self.errors_table.setRowCount(len(errors))
        for r, e in enumerate(errors):
            for c, value in enumerate((str(e.row), e.column, row_error_text(e))):
                self.errors_table.setItem(r, c, QTableWidgetItem(value))

    def run_import(self) -> None:
        path, ctx, options = self.path(), self.ctx, self.options()
        self.next_button.setEnabled(False)
        ops.op(self, lambda: imports.import_steps(ctx.db, ctx.actor, path, options), write=True) \
            .with_progress(self.tr("Importing…")).success(self._imported).failure(self._fail).run()

    def _imported(self, result: imports.ImportResult) -> None:
        self.result = result
        self.next_button.setEnabled(True)
        self.result_label.setText(self.tr("Imported {created}, updated {updated}, skipped {skipped}, failed {failed} "
                                          "(batch {batch}).").format(
            created=result.created, updated=result.updated, skipped=result.skipped, failed=result.failed,
            batch=result.batch_id))
        self.error_file_button.setEnabled(bool(result.failed))
        self.undo_button.setEnabled(True)
        self.ctx.signals.changed.emit("*", 0)  # many records of several kinds: every view reloads
        self._show(RESULT)

    def save_error_file(self) -> None:
        result, source, sheet = self.result, self.path(), self.info.sheet if self.info else None
        assert result is not None

        def write(target: Path) -> None:
            ops.op(self, lambda: imports.write_error_file(
                source, result, target, sheet=sheet,
                translate=lambda t: QCoreApplication.translate("errors", t))) \
                .success(lambda p: self.message.setText(self.tr("Saved {file}").format(file=p))) \
                .failure(self._fail).run()

        self.choose_error_file(write)

    def _ask_error_file(self, chosen: Callable[[Path], None]) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, self.tr("Save the rows that failed"), "",
                                                    self.tr("Excel workbook (*.xlsx)"))
        if name:
            chosen(Path(name))

    def undo(self) -> None:
        result, ctx = self.result, self.ctx
        assert result is not None
        self.undo_button.setEnabled(False)
        ops.op(self, lambda: imports.undo_import(ctx.db, ctx.actor, result.batch_id), write=True) \
            .success(self._undone).failure(self._fail).run()

    def _undone(self, undone: Any) -> None:
        self.undone = undone
        text = self.tr("Undone: {deleted} records removed, {restored} restored.").format(
            deleted=undone.deleted, restored=undone.restored)
        if undone.changed_since:
            text += " " + self.tr("{count} records changed since the import were left as they are.").format(
                count=len(undone.changed_since))
        self.result_label.setText(text)
        self.ctx.signals.changed.emit("*", 0)


def open_import_wizard(ctx: AppContext, entity: str, parent: QWidget | None = None) -> ImportWizard:
    wizard = ImportWizard(ctx, entity, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.show()
    return wizard
