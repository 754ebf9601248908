"""Data dictionaries (数据字典): the option lists of select fields.

The dictionaries on the left (standard ones with translated names, then created ones);
the chosen one's options on the right as an editable table (value, label, enabled) with
add, move up/down and remove-unsaved; Save replaces the items through
``schema_admin.set_dictionary``. A saved option can only be disabled, not removed:
records keep their value and its label stays readable. GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.records import schema_admin
from crm_desktop.services.records.schema_admin import DictionaryInfo, DictionaryItemDTO
from crm_desktop.ui.admin.custom_fields import (
    dictionary_label,
    entity_label,
    options_from_lines,
    show_error,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog, MessageBar, alive, page_layout
from crm_desktop.ui.ops import op

NAME_ROLE = Qt.ItemDataRole.UserRole
SAVED_ROLE = Qt.ItemDataRole.UserRole + 1  # on the value cell: the value is stored already
_WATCHED = {"dictionary", "schema", "*"}
_VALUE, _LABEL, _ENABLED = 0, 1, 2
_BAD = QBrush(QColor("#fdecea"))


class NewDictionaryDialog(FormDialog):
    """A name and the first options (one per line) of a new dictionary."""

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent, title=self.tr("New dictionary"))
        self.ctx = ctx
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(60)
        self.options_edit = QPlainTextEdit()
        self.options_edit.setPlaceholderText(self.tr("One option per line"))
        self.add_row("dictionary_name", self.tr("Name:"), self.name_edit)
        self.add_row("items", self.tr("Options:"), self.options_edit)
        self.setMinimumWidth(420)

    def build_call(self) -> Callable[[], object] | None:
        db, actor = self.ctx.db, self.ctx.actor
        name, items = self.name_edit.text(), options_from_lines(self.options_edit.toPlainText())
        return lambda: schema_admin.create_dictionary(db, actor, name, items)


class DictionariesPage(QWidget):
    """Dictionary list on the left, the chosen dictionary's options on the right."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.infos: list[DictionaryInfo] = []
        self.current: str | None = None
        self.dirty = False
        self._generation = 0
        self._switching = False
        self.dialog: NewDictionaryDialog | None = None

        self.dictionary_list = QListWidget()
        self.dictionary_list.setWordWrap(True)
        self.dictionary_list.setStyleSheet("QListWidget::item { padding: 3px 2px; }")
        self.dictionary_list.currentItemChanged.connect(self._current_changed)
        self.new_dictionary_button = QPushButton(self.tr("New dictionary"))
        self.new_dictionary_button.clicked.connect(self.new_dictionary)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.dictionary_list, 1)
        left_box.addWidget(self.new_dictionary_button)

        self.message = MessageBar()
        self.used_by = QLabel()
        self.used_by.setWordWrap(True)
        self.used_by.setStyleSheet("color: #555;")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Value"), self.tr("Label"), self.tr("Enabled")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(_VALUE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(_VALUE, 180)
        header.setSectionResizeMode(_LABEL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_ENABLED, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._sync_buttons)

        self.add_button = QPushButton(self.tr("Add option"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setToolTip(self.tr("Only options not saved yet can be removed; disable a saved one instead."))
        self.up_button = QPushButton(self.tr("Move up"))
        self.down_button = QPushButton(self.tr("Move down"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.discard_button = QPushButton(self.tr("Discard changes"))
        self.add_button.clicked.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_current)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(lambda: self._show(self.current))
        item_tools = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            item_tools.addWidget(button)
        item_tools.addStretch(1)
        item_tools.addWidget(self.discard_button)
        item_tools.addWidget(self.save_button)
        hint = QLabel(self.tr("The value is what records store; the label is what users see. "
                              "Disable an option instead of removing it: records that use it keep it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")

        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self.message)
        right_box.addWidget(self.used_by)
        right_box.addWidget(self.table, 1)
        right_box.addWidget(hint)
        right_box.addLayout(item_tools)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 800])
        page_layout(self, self.tr("Dictionaries"), body=splitter)
        ctx.signals.changed.connect(self._on_changed)
        self._show(None)
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the dictionary list in the background; a newer reload wins."""
        self._generation += 1
        generation, db, actor = self._generation, self.ctx.db, self.ctx.actor
        op(self, lambda: schema_admin.list_dictionaries(db, actor)).success(
            lambda infos: self._loaded(generation, infos)).failure(self.message.show_exception).run()

    def _loaded(self, generation: int, infos: list[DictionaryInfo]) -> None:
        if generation != self._generation or not alive(self):
            return
        self.infos = infos
        self._switching = True
        try:
            self.dictionary_list.clear()
            for info in infos:
                item = QListWidgetItem(self.tr("{name} ({count})").format(
                    name=dictionary_label(info.name), count=info.item_count))
                item.setData(NAME_ROLE, info.name)
                self.dictionary_list.addItem(item)
        finally:
            self._switching = False
        names = {info.name for info in infos}
        target = self.current if self.current in names else (infos[0].name if infos else None)
        self._highlight(target)
        if not self.dirty:
            self._show(target, keep_message=True)
        else:
            self._show_used_by(target)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    def _highlight(self, name: str | None) -> None:
        self._switching = True
        try:
            for i in range(self.dictionary_list.count()):
                if self.dictionary_list.item(i).data(NAME_ROLE) == name:
                    self.dictionary_list.setCurrentRow(i)
                    break
        finally:
            self._switching = False

    def select_dictionary(self, name: str) -> None:
        """Show a dictionary as if the user clicked it; the items load in the background."""
        for i in range(self.dictionary_list.count()):
            if self.dictionary_list.item(i).data(NAME_ROLE) == name:
                self.dictionary_list.setCurrentRow(i)

    def _current_changed(self, item: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if self._switching or item is None:
            return
        if self.dirty:
            answer = QMessageBox.question(self, self.tr("Unsaved changes"),
                                          self.tr("Discard your changes to this dictionary?"))
            if answer != QMessageBox.StandardButton.Yes:
                self._highlight(str(previous.data(NAME_ROLE)) if previous is not None else None)
                return
        self._show(str(item.data(NAME_ROLE)))

    def _show_used_by(self, name: str | None) -> None:
        info = next((i for i in self.infos if i.name == name), None)
        if info is None or not info.used_by:
            self.used_by.setText(self.tr("No field uses this dictionary yet.") if info else "")
            return
        uses = [self.tr("{field} ({module})").format(
            field=QCoreApplication.translate("fields", label) if builtin else label, module=entity_label(entity))
            for entity, label, builtin in info.used_by]
        self.used_by.setText(self.tr("Used by: {fields}").format(fields=self.tr(", ").join(uses)))

    def _show(self, name: str | None, *, keep_message: bool = False) -> None:
        """Load ``name``'s items (disabled ones included) into the table."""
        self.current = name
        if not keep_message:
            self.message.clear()
        self._show_used_by(name)
        self._fill([])
        self.dirty = False
        self._sync_buttons()
        if name is None:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: schema_admin.get_dictionary(db, actor, name, include_disabled=True)).success(
            lambda items: self._items_loaded(name, items)).failure(self.message.show_exception).run()

    def _items_loaded(self, name: str, items: list[DictionaryItemDTO]) -> None:
        if not alive(self) or name != self.current or self.dirty:
            return
        self._fill(items)
        self._sync_buttons()

    # -- the table -------------------------------------------------------------------------

    def _fill(self, items: list[DictionaryItemDTO]) -> None:
        self._switching = True
        try:
            self.table.setRowCount(0)
            for item in items:
                self._append(item, saved=True)
        finally:
            self._switching = False

    def _append(self, item: DictionaryItemDTO, *, saved: bool) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        value = QTableWidgetItem(item.value)
        value.setData(SAVED_ROLE, saved)
        if saved:  # records store the value: changing it would orphan them
            value.setFlags(value.flags() & ~Qt.ItemFlag.ItemIsEditable)
            value.setToolTip(self.tr("A saved value cannot change; records store it."))
        enabled = QTableWidgetItem()
        enabled.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
        enabled.setCheckState(Qt.CheckState.Checked if item.enabled else Qt.CheckState.Unchecked)
        self.table.setItem(row, _VALUE, value)
        self.table.setItem(row, _LABEL, QTableWidgetItem(item.label))
        self.table.setItem(row, _ENABLED, enabled)
        return row

    def items(self) -> list[DictionaryItemDTO]:
        """The options as the table shows them, in order."""
        return [DictionaryItemDTO(value=self._text(row, _VALUE), label=self._text(row, _LABEL),
                                  enabled=self.table.item(row, _ENABLED).checkState() == Qt.CheckState.Checked)
                for row in range(self.table.rowCount())]

    def _text(self, row: int, col: int) -> str:
        cell = self.table.item(row, col)
        return cell.text() if cell is not None else ""

    def set_cell(self, row: int, col: int, text: str) -> None:
        """Type into a cell as a user would (marks the page changed)."""
        self.table.item(row, col).setText(text)

    def set_enabled(self, row: int, enabled: bool) -> None:
        self.table.item(row, _ENABLED).setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._switching:
            return
        self.dirty = True
        if item.background() == _BAD:  # the user is fixing it
            self._switching = True
            try:
                item.setBackground(QBrush())
            finally:
                self._switching = False

    def _row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _sync_buttons(self) -> None:
        row, count, has = self._row(), self.table.rowCount(), self.current is not None
        for button in (self.add_button, self.save_button, self.discard_button):
            button.setEnabled(has)
        self.remove_button.setEnabled(0 <= row < count and not self.table.item(row, _VALUE).data(SAVED_ROLE))
        self.up_button.setEnabled(0 < row < count)
        self.down_button.setEnabled(0 <= row < count - 1)

    def add_item(self) -> int:
        """Append an empty, enabled option and start typing its value."""
        row = self._append(DictionaryItemDTO(value="", label=""), saved=False)
        self.dirty = True
        self.table.selectRow(row)
        self.table.editItem(self.table.item(row, _VALUE))
        return row

    def remove_current(self) -> None:
        row = self._row()
        if 0 <= row < self.table.rowCount() and not self.table.item(row, _VALUE).data(SAVED_ROLE):
            self.table.removeRow(row)
            self.dirty = True
            self._sync_buttons()

    def move_current(self, step: int) -> None:
        row = self._row()
        target = row + step
        if not (0 <= row < self.table.rowCount() and 0 <= target < self.table.rowCount()):
            return
        self._switching = True
        try:
            taken = [self.table.takeItem(row, col) for col in range(3)]
            self.table.removeRow(row)
            self.table.insertRow(target)
            for col, cell in enumerate(taken):
                self.table.setItem(target, col, cell)
        finally:
            self._switching = False
        self.dirty = True
        self.table.selectRow(target)

    def _mark_problems(self, items: list[DictionaryItemDTO]) -> None:
        """Shade empty cells and repeated values, so the message points somewhere."""
        seen: dict[str, int] = {}
        self._switching = True  # shading is not an edit
        try:
            for row, item in enumerate(items):
                value = item.value.strip()
                for col, text in ((_VALUE, value), (_LABEL, item.label.strip())):
                    if not text:
                        self.table.item(row, col).setBackground(_BAD)
                if value and value in seen:
                    self.table.item(row, _VALUE).setBackground(_BAD)
                    self.table.item(seen[value], _VALUE).setBackground(_BAD)
                seen.setdefault(value, row)
        finally:
            self._switching = False

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        """Replace the dictionary's items with the table's; problems go to the message bar."""
        name = self.current
        if name is None:
            return
        self.message.clear()
        items = self.items()
        self._mark_problems(items)
        db, actor = self.ctx.db, self.ctx.actor
        self.save_button.setEnabled(False)
        op(self, lambda: schema_admin.set_dictionary(db, actor, name, items), write=True).success(
            lambda _r: self._saved(name)).failure(self._save_failed).run()

    def _saved(self, name: str) -> None:
        if not alive(self):
            return
        self.dirty = False
        self.save_button.setEnabled(True)
        self.message.show_info(self.tr("Dictionary “{name}” saved.").format(name=dictionary_label(name)))
        self.ctx.signals.notify("dictionary")

    def _save_failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self.save_button.setEnabled(True)
        show_error(self.message, exc)

    def new_dictionary(self) -> NewDictionaryDialog:
        dialog = NewDictionaryDialog(self.ctx, self)
        dialog.saved.connect(self._dictionary_created)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dictionary_created(self, info: object) -> None:
        if not alive(self) or not isinstance(info, DictionaryInfo):
            return
        self.dirty = False
        self.current = info.name  # the reload that the notification starts shows it
        self.message.show_info(self.tr("Dictionary “{name}” created.").format(name=info.name))
        self.ctx.signals.notify("dictionary")
