"""Custom fields (自定义字段): the fields an administrator adds to a module.

A module chooser on top; the module's custom fields (editable: new, edit, hide/show, move
up/down) and, below, its built-in fields for reference. The dialog creates or edits one
field; a select field takes its options from a dictionary, an existing one or a new one
created together with the field (one unit of work, ``schema_admin.create_select_field``).
Also holds the label helpers the other schema pages share. GUI thread only; service calls
run through ``ui.ops.op`` and successful writes call ``ctx.signals.notify("schema")``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.errors import CONTEXT, ValidationError
from crm_desktop.services.org.permissions import MODULES
from crm_desktop.services.records import schema_admin
from crm_desktop.services.records.field_index import INDEXABLE_TYPES
from crm_desktop.services.records.schema import BUILTIN_FIELDS, FieldSpec, FieldType
from crm_desktop.services.records.schema_admin import (
    DICTIONARY_LABELS,
    FIELD_TYPE_LABELS,
    SELECT_TYPES,
    CustomFieldInput,
    DictionaryInfo,
    DictionaryItemDTO,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog, MessageBar, alive, page_layout
from crm_desktop.ui.i18n import service_text
from crm_desktop.ui.ops import op

ID_ROLE = Qt.ItemDataRole.UserRole
NEW_DICTIONARY = "\x00new"  # the "create a new dictionary" entry of the options-source combo
_WATCHED = {"schema", "dictionary", "*"}
_ROW_HEIGHT = 28


# --- labels shared by the schema pages ------------------------------------------------------

def entity_label(entity: str) -> str:
    """A module's name as the permission matrix shows it (Customers, Leads …)."""
    spec = MODULES.get(entity)
    return QCoreApplication.translate("permissions", spec.label) if spec else entity


def field_text(spec: FieldSpec) -> str:
    """Built-in labels are translation keys; custom labels are what the administrator typed."""
    return QCoreApplication.translate("fields", spec.label) if spec.builtin else spec.label


def type_label(field_type: FieldType) -> str:
    return QCoreApplication.translate("fieldtypes", FIELD_TYPE_LABELS[field_type])


def dictionary_label(name: str) -> str:
    """Standard dictionaries have translated names; created ones are called by their key."""
    return QCoreApplication.translate("dictionaries", DICTIONARY_LABELS[name]) if name in DICTIONARY_LABELS else name


def fill_entity_combo(combo: QComboBox) -> None:
    for entity in BUILTIN_FIELDS:
        combo.addItem(entity_label(entity), entity)


def options_from_lines(text: str) -> list[DictionaryItemDTO]:
    """One option per non-empty line; the label doubles as the stored value."""
    return [DictionaryItemDTO(value=line.strip(), label=line.strip()) for line in text.splitlines() if line.strip()]


def show_error(bar: MessageBar, exc: BaseException) -> None:
    """A failed save on a page without per-field rows: validation errors as plain sentences
    (their keys, such as "items" or "fields", mean nothing to a user), anything else as usual."""
    if isinstance(exc, ValidationError):
        bar.show_error("\n".join(service_text(CONTEXT, text) for text in exc.field_errors.values()))
    else:
        bar.show_exception(exc)


def _yes(flag: bool) -> str:
    return "✓" if flag else ""


# --- the dialog -----------------------------------------------------------------------------

class CustomFieldDialog(FormDialog):
    """New or edit one custom field; service errors appear beside their fields."""

    def __init__(self, ctx: AppContext, parent: QWidget, *, entity: str, field_id: int | None = None,
                 spec: FieldSpec | None = None, dictionaries: Sequence[DictionaryInfo] = ()) -> None:
        super().__init__(parent, title=self.tr("Edit field") if spec else self.tr("New field"))
        self.ctx, self.entity, self.field_id, self.spec = ctx, entity, field_id, spec
        self.label_edit = QLineEdit(spec.label if spec else "")
        self.label_edit.setMaxLength(100)
        self.type_combo = QComboBox()
        for field_type in FieldType:
            self.type_combo.addItem(type_label(field_type), field_type.value)
        if spec is not None:
            self.type_combo.setCurrentIndex(self.type_combo.findData(spec.type.value))
            self.type_combo.setEnabled(False)  # stored values would change meaning
            self.type_combo.setToolTip(self.tr("The type of a saved field cannot change; add a new field instead."))
        self.required_box = QCheckBox(self.tr("Must be filled in"))
        self.unique_box = QCheckBox(self.tr("No two records may have the same value"))
        self.hidden_box = QCheckBox(self.tr("Hidden from every form and list"))
        self.indexed_box = QCheckBox(self.tr("Index it: big lists sort and filter by it quickly"))
        self.indexed_box.setToolTip(self.tr(
            "The database keeps an index of this field's values. Sorting or filtering a list of many "
            "records by it then takes a moment instead of seconds; saving records costs a little more."))
        for box, value in ((self.required_box, spec and spec.required), (self.unique_box, spec and spec.unique),
                           (self.hidden_box, spec and spec.hidden), (self.indexed_box, spec and spec.indexed)):
            box.setChecked(bool(value))
        self.default_edit = QLineEdit("" if spec is None or spec.default is None else str(spec.default))
        self.help_edit = QLineEdit(spec.help_text if spec else "")
        self.help_edit.setPlaceholderText(self.tr("Shown under the field in forms"))
        self.aliases_edit = QLineEdit(", ".join(spec.import_aliases) if spec else "")
        self.aliases_edit.setPlaceholderText(self.tr("Other column titles that import files use, comma-separated"))
        self.dictionary_combo = QComboBox()
        for info in dictionaries:
            self.dictionary_combo.addItem(dictionary_label(info.name), info.name)
        if spec is None:  # a saved field switches between existing dictionaries only
            self.dictionary_combo.addItem(self.tr("New dictionary…"), NEW_DICTIONARY)
        current = spec.dictionary if spec and spec.dictionary else None
        if current and self.dictionary_combo.findData(current) < 0:
            self.dictionary_combo.insertItem(0, current, current)
        self.dictionary_combo.setCurrentIndex(max(0, self.dictionary_combo.findData(current)) if current else 0)
        self.new_name_edit = QLineEdit()
        self.new_name_edit.setMaxLength(60)
        self.new_options_edit = QPlainTextEdit()
        self.new_options_edit.setPlaceholderText(self.tr("One option per line"))
        self.new_options_edit.setFixedHeight(96)

        self.add_row("label", self.tr("Name:"), self.label_edit)
        self.add_row("type", self.tr("Type:"), self.type_combo)
        self.add_row("dictionary", self.tr("Options from:"), self.dictionary_combo)
        self.add_row("dictionary_name", self.tr("New dictionary name:"), self.new_name_edit)
        self.add_row("items", self.tr("Options:"), self.new_options_edit)
        self.add_row("required", self.tr("Required:"), self.required_box)
        self.add_row("unique", self.tr("Unique:"), self.unique_box)
        self.add_row("default", self.tr("Default value:"), self.default_edit)
        self.add_row("help_text", self.tr("Help text:"), self.help_edit)
        self.add_row("import_aliases", self.tr("Import aliases:"), self.aliases_edit)
        self.add_row("hidden", self.tr("Hidden:"), self.hidden_box)
        self.add_row("indexed", self.tr("Index:"), self.indexed_box)
        self.type_combo.currentIndexChanged.connect(self._sync_rows)
        self.dictionary_combo.currentIndexChanged.connect(self._sync_rows)
        self.setMinimumWidth(520)
        self._sync_rows()

    def field_type(self) -> FieldType:
        return FieldType(self.type_combo.currentData())

    def creating_dictionary(self) -> bool:
        return self.field_type() in SELECT_TYPES and self.dictionary_combo.currentData() == NEW_DICTIONARY

    def _sync_rows(self) -> None:
        """Only select fields take options; the new-dictionary rows only when that is chosen."""
        select = self.field_type() in SELECT_TYPES
        self.form.setRowVisible(self.dictionary_combo.parentWidget(), select)
        for widget in (self.new_name_edit, self.new_options_edit):
            self.form.setRowVisible(widget.parentWidget(), self.creating_dictionary())
        self.form.setRowVisible(self.indexed_box.parentWidget(), self.field_type() in INDEXABLE_TYPES)

    def build_call(self) -> Callable[[], object] | None:
        field_type = self.field_type()
        dictionary = self.dictionary_combo.currentData() if field_type in SELECT_TYPES else None
        data = CustomFieldInput(
            label=self.label_edit.text(), type=field_type, required=self.required_box.isChecked(),
            unique=self.unique_box.isChecked(), default=self.default_edit.text().strip() or None,
            help_text=self.help_edit.text().strip(),
            dictionary=None if dictionary == NEW_DICTIONARY else dictionary,
            import_aliases=tuple(a.strip() for a in self.aliases_edit.text().replace("，", ",").split(",") if a.strip()),
            hidden=self.hidden_box.isChecked(),
            indexed=self.indexed_box.isChecked() and field_type in INDEXABLE_TYPES)
        db, actor, entity, field_id = self.ctx.db, self.ctx.actor, self.entity, self.field_id
        if field_id is not None:
            return lambda: schema_admin.update_custom_field(db, actor, field_id, data)
        if self.creating_dictionary():
            name, items = self.new_name_edit.text(), options_from_lines(self.new_options_edit.toPlainText())
            return lambda: schema_admin.create_select_field(db, actor, entity, data, dictionary=name, items=items)
        return lambda: schema_admin.create_custom_field(db, actor, entity, data)


# --- the page -------------------------------------------------------------------------------

class CustomFieldsPage(QWidget):
    """Module chooser, its custom fields (editable) and its built-in fields (reference)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fields: list[tuple[int, FieldSpec]] = []
        self.dictionaries: list[DictionaryInfo] = []
        self._generation = 0
        self._select_after_load: int | None = None
        self._select_key: str | None = None
        self.dialog: CustomFieldDialog | None = None

        self.entity_combo = QComboBox()
        fill_entity_combo(self.entity_combo)
        self.entity_combo.currentIndexChanged.connect(lambda *_: self.reload())
        self.new_button = QPushButton(self.tr("New field"))
        self.edit_button = QPushButton(self.tr("Edit"))
        self.hide_button = QPushButton(self.tr("Hide"))
        self.up_button = QPushButton(self.tr("Move up"))
        self.down_button = QPushButton(self.tr("Move down"))
        self.new_button.clicked.connect(self.new_field)
        self.edit_button.clicked.connect(self.edit_current)
        self.hide_button.clicked.connect(self.toggle_hidden)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Module:")))
        tools.addWidget(self.entity_combo)
        tools.addSpacing(12)
        for button in (self.new_button, self.edit_button, self.hide_button, self.up_button, self.down_button):
            tools.addWidget(button)
        tools.addStretch(1)
        self.message = MessageBar()

        headers = [self.tr("Name"), self.tr("Type"), self.tr("Required"), self.tr("Unique"), self.tr("Options from"),
                   self.tr("Status")]
        self.custom_table = self._table(headers)
        self.custom_table.itemSelectionChanged.connect(self._sync_buttons)
        self.custom_table.itemDoubleClicked.connect(lambda *_: self.edit_current())
        self.builtin_table = self._table(headers[:5])
        custom_box, builtin_box = QWidget(), QWidget()
        for box, title, table in ((custom_box, self.tr("Custom fields"), self.custom_table),
                                  (builtin_box, self.tr("Built-in fields (for reference, cannot be changed)"),
                                   self.builtin_table)):
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.addWidget(QLabel(title))
            inner.addWidget(table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(custom_box)
        splitter.addWidget(builtin_box)
        splitter.setSizes([260, 380])
        page_layout(self, self.tr("Custom fields"), self.message, tools, body=splitter)
        ctx.signals.changed.connect(self._on_changed)
        self._sync_buttons()
        self.reload()

    def _table(self, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(_ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return table

    def entity(self) -> str:
        return str(self.entity_combo.currentData())

    def select_entity(self, entity: str) -> None:
        self.entity_combo.setCurrentIndex(self.entity_combo.findData(entity))

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the module's custom fields and the dictionaries; a newer reload wins."""
        self._generation += 1
        generation, entity = self._generation, self.entity()
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> tuple[list[tuple[int, FieldSpec]], list[DictionaryInfo]]:
            return schema_admin.list_custom_fields(db, actor, entity), schema_admin.list_dictionaries(db, actor)

        op(self, work).success(lambda result: self._loaded(generation, entity, *result)).failure(
            self.message.show_exception).run()

    def _loaded(self, generation: int, entity: str, fields: list[tuple[int, FieldSpec]],
                dictionaries: list[DictionaryInfo]) -> None:
        if generation != self._generation or not alive(self):
            return
        keep = self._select_after_load if self._select_after_load is not None else self.current_id()
        key, self._select_after_load, self._select_key = self._select_key, None, None
        self.fields, self.dictionaries = fields, dictionaries
        self._fill(self.custom_table, [spec for _id, spec in fields])
        self._fill(self.builtin_table, list(BUILTIN_FIELDS[entity]))
        row = next((i for i, (fid, spec) in enumerate(fields) if (spec.key == key if key else fid == keep)), -1)
        if row >= 0:
            self.custom_table.selectRow(row)
        self._sync_buttons()

    def _fill(self, table: QTableWidget, specs: list[FieldSpec]) -> None:
        table.setRowCount(len(specs))
        grey = QColor("#777")
        for row, spec in enumerate(specs):
            options = dictionary_label(spec.dictionary) if spec.dictionary else (
                self.tr("Fixed list") if spec.choices else "")
            cells = [field_text(spec), type_label(spec.type), _yes(spec.required), _yes(spec.unique), options]
            if table.columnCount() > 5:
                status = self.tr("Hidden") if spec.hidden else self.tr("Shown")
                cells.append(self.tr("{status}, indexed").format(status=status) if spec.indexed else status)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if spec.hidden or spec.builtin:
                    item.setForeground(grey)
                if spec.help_text:
                    item.setToolTip(spec.help_text)
                table.setItem(row, col, item)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    # -- selection -------------------------------------------------------------------------

    def current_row(self) -> int:
        rows = self.custom_table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def current_id(self) -> int | None:
        row = self.current_row()
        return self.fields[row][0] if 0 <= row < len(self.fields) else None

    def select_field(self, field_id: int) -> None:
        row = next((i for i, (fid, _s) in enumerate(self.fields) if fid == field_id), -1)
        if row >= 0:
            self.custom_table.selectRow(row)

    def _sync_buttons(self) -> None:
        row = self.current_row()
        chosen = 0 <= row < len(self.fields)
        for button in (self.edit_button, self.hide_button):
            button.setEnabled(chosen)
        self.hide_button.setText(self.tr("Show") if chosen and self.fields[row][1].hidden else self.tr("Hide"))
        self.up_button.setEnabled(chosen and row > 0)
        self.down_button.setEnabled(chosen and row < len(self.fields) - 1)

    # -- commands --------------------------------------------------------------------------

    def new_field(self) -> CustomFieldDialog:
        return self._open(CustomFieldDialog(self.ctx, self, entity=self.entity(), dictionaries=self.dictionaries))

    def edit_current(self) -> CustomFieldDialog | None:
        row = self.current_row()
        if not 0 <= row < len(self.fields):
            return None
        field_id, spec = self.fields[row]
        return self._open(CustomFieldDialog(self.ctx, self, entity=self.entity(), field_id=field_id, spec=spec,
                                            dictionaries=self.dictionaries))

    def _open(self, dialog: CustomFieldDialog) -> CustomFieldDialog:
        self.message.clear()
        dialog.saved.connect(self._dialog_saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_saved(self, spec: object) -> None:
        if not alive(self) or not isinstance(spec, FieldSpec):
            return
        self.message.show_info(self.tr("Field “{name}” saved.").format(name=spec.label))
        self._after_write(spec)

    def _after_write(self, spec: FieldSpec) -> None:
        self._select_key = spec.key  # the saved field stays (or becomes) the selected one
        self.ctx.signals.notify("schema")

    def toggle_hidden(self) -> None:
        """Hide a field from every form and list (values are kept), or show it again."""
        row = self.current_row()
        if not 0 <= row < len(self.fields):
            return
        field_id, spec = self.fields[row]
        data = CustomFieldInput.from_spec(spec, hidden=not spec.hidden)
        db, actor = self.ctx.db, self.ctx.actor
        self._select_after_load = field_id
        op(self, lambda: schema_admin.update_custom_field(db, actor, field_id, data), write=True).success(
            lambda _spec: self.ctx.signals.notify("schema")).failure(lambda exc: show_error(self.message, exc)).run()

    def move_current(self, step: int) -> None:
        """Move the selected custom field up (-1) or down (+1) in forms and lists."""
        row = self.current_row()
        target = row + step
        if not (0 <= row < len(self.fields) and 0 <= target < len(self.fields)):
            return
        ids = [fid for fid, _s in self.fields]
        ids[row], ids[target] = ids[target], ids[row]
        db, actor, entity = self.ctx.db, self.ctx.actor, self.entity()
        self._select_after_load = ids[target]
        op(self, lambda: schema_admin.reorder_custom_fields(db, actor, entity, ids), write=True).success(
            lambda _r: self.ctx.signals.notify("schema")).failure(lambda exc: show_error(self.message, exc)).run()
