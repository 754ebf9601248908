"""List columns from the field schema, and the dialog that chooses them.

A list's columns are the user's saved preference (``services.views.get_columns``) when there
is one, else the module's defaults. Any field of the actor's schema may be a column, custom
fields included; hidden fields are not in the schema, so they are never offered. Preferences
store schema field names; a few list columns show a base attribute under another name
(``owner_name`` for ``owner_id``), mapped here both ways.
Thread rule: GUI thread only.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.records import views
from crm_desktop.services.records.schema import (
    BUILTIN_FIELDS,
    EntitySchema,
    FieldSpec,
    FieldType,
    get_schema,
)
from crm_desktop.services.records.views import ColumnDTO
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.lists.host import ListHost
from crm_desktop.ui.records.shared.filter_editor import field_text
from crm_desktop.ui.records.shared.list_model import ColumnSpec

#: List column → the schema field it shows (the list shows a name where the field holds an id).
SCHEMA_FIELD_OF: Mapping[str, str] = {"owner_name": "owner_id", "customer_name": "customer_id"}
#: Header drags come in bursts; the widths are saved once the user stops.
WIDTH_SAVE_DELAY_MS = 700
#: Columns the service cannot sort by.
UNSORTABLE = frozenset({FieldType.MULTISELECT, FieldType.ATTACHMENT})


def schema_name(column: ColumnSpec) -> str:
    return SCHEMA_FIELD_OF.get(column.field, column.field)


def visible_defaults(entity: str, defaults: Sequence[ColumnSpec], schema: EntitySchema) -> list[ColumnSpec]:
    """The module's default columns without the fields hidden from the actor."""
    builtin = {f.name for f in BUILTIN_FIELDS.get(entity, ())}
    return [c for c in defaults if schema_name(c) not in builtin or schema.get(schema_name(c)) is not None]


def column_for(spec: FieldSpec, defaults: Sequence[ColumnSpec], width: int | None = None) -> ColumnSpec:
    """The list column of a schema field: the module's own column when it has one."""
    own = next((c for c in defaults if schema_name(c) == spec.name), None)
    if own is None:
        own = ColumnSpec(spec.name, field_text(spec), 120, sortable=spec.type not in UNSORTABLE)
    return ColumnSpec(own.field, own.header, width or own.width, own.sortable)


def columns_from(
    entity: str, saved: Sequence[ColumnDTO] | None, defaults: Sequence[ColumnSpec], schema: EntitySchema,
) -> list[ColumnSpec]:
    """The columns to show: the saved preference (fields still visible), else the defaults."""
    if not saved:
        return visible_defaults(entity, defaults, schema)
    columns = []
    for c in saved:
        spec = schema.get(c.field)
        if spec is not None:
            columns.append(column_for(spec, defaults, c.width))
    return columns or visible_defaults(entity, defaults, schema)


def to_preference(columns: Sequence[ColumnSpec], widths: Sequence[int]) -> list[ColumnDTO]:
    return [ColumnDTO(schema_name(c), int(w)) for c, w in zip(columns, widths, strict=True)]


class ColumnChooser(QDialog):
    """Check the fields to show and order them. ``chosen()`` after OK: schema field names in
    order, or None when the user reset to the module's defaults.

    Public for tests: ``list``, ``up_button``, ``down_button``, ``reset_button``, ``ok_button``,
    ``names()`` (every offered field, in order) and ``set_checked(name, on)``.
    """

    def __init__(
        self, schema: EntitySchema, current: Sequence[ColumnSpec], defaults: Sequence[ColumnSpec], *,
        entity: str, parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Columns"))
        self._schema, self._defaults, self._entity = schema, tuple(defaults), entity
        self._reset = False
        self.list = QListWidget()
        self.list.setDragDropMode(QListWidget.DragDropMode.InternalMove)
        self._fill([schema_name(c) for c in current])
        self.up_button = QPushButton(self.tr("Move up"))
        self.down_button = QPushButton(self.tr("Move down"))
        self.reset_button = QPushButton(self.tr("Reset to default"))
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.reset_button.clicked.connect(self.reset)
        side = QVBoxLayout()
        for button in (self.up_button, self.down_button, self.reset_button):
            side.addWidget(button)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addLayout(side)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemChanged.connect(self._item_changed)
        hint = QLabel(self.tr("Checked fields are shown as columns, in this order."))
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        self.resize(420, 480)

    def _fill(self, shown: Sequence[str]) -> None:
        self.list.clear()
        offered = [f for f in self._schema.fields if f.type is not FieldType.ATTACHMENT]
        by_name = {f.name: f for f in offered}
        ordered = [by_name[n] for n in shown if n in by_name] + [f for f in offered if f.name not in shown]
        for spec in ordered:
            item = QListWidgetItem(column_for(spec, self._defaults).header)
            item.setData(Qt.ItemDataRole.UserRole, spec.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if spec.name in shown else Qt.CheckState.Unchecked)
            self.list.addItem(item)

    def names(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())]

    def item_of(self, name: str) -> QListWidgetItem:
        return self.list.item(self.names().index(name))

    def set_checked(self, name: str, on: bool) -> None:
        self.item_of(name).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self._reset = False

    def reset(self) -> None:
        """Show the module's defaults again (saved as "no preference" on OK)."""
        self._fill([schema_name(c) for c in visible_defaults(self._entity, self._defaults, self._schema)])
        self._reset = True

    def _item_changed(self, item: QListWidgetItem) -> None:
        self._reset = False
        row = self.list.row(item)
        if item.checkState() == Qt.CheckState.Checked:
            # A newly checked field joins the end of the shown columns, not the bottom of the list.
            checked_above = [i for i in range(row) if self.list.item(i).checkState() == Qt.CheckState.Checked]
            target = (checked_above[-1] + 1) if checked_above else 0
            if target < row:
                self.list.blockSignals(True)
                self.list.insertItem(target, self.list.takeItem(row))
                self.list.blockSignals(False)
                self.list.setCurrentRow(target)
        self.ok_button.setEnabled(bool(self.chosen_names()))

    def chosen_names(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def chosen(self) -> list[str] | None:
        return None if self._reset else self.chosen_names()


class ColumnControl(QObject):
    """A record tab's columns: applies the saved preference when the tab opens, offers the
    chooser (``button``), and remembers header widths (debounced).

    Public for tests: ``button``, ``chooser`` (opened last), ``ready`` (preference applied),
    ``schema`` (as last read). Per-column delegates that module tabs set follow their field
    when columns move.
    """

    def __init__(self, tab: ListHost) -> None:
        super().__init__(tab)
        self.tab = tab
        self.schema: EntitySchema | None = None
        self.chooser: ColumnChooser | None = None
        self.ready = False
        self._applying = False
        self._delegates: dict[str, QAbstractItemDelegate] = {}
        self.button = QPushButton(self.tr("Columns…"))
        self.button.setToolTip(self.tr("Choose and order the list's columns."))
        self.button.clicked.connect(self.open_chooser)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(WIDTH_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_widths)
        tab.view.horizontalHeader().sectionResized.connect(self._resized)
        self.load()

    @property
    def entity(self) -> str:
        return self.tab.service.module

    def load(self) -> None:
        db, actor, entity = self.tab.ctx.db, self.tab.ctx.actor, self.entity

        def read() -> tuple[EntitySchema, list[ColumnDTO] | None]:
            return get_schema(db, actor, entity), views.get_columns(db, actor, entity)

        op(self.tab, read).success(self._loaded).failure(self.tab._failed).run()

    def _loaded(self, result: tuple[EntitySchema, list[ColumnDTO] | None]) -> None:
        if not isValid(self) or not isValid(self.tab):
            return
        self.schema, saved = result
        columns = columns_from(self.entity, saved, self.tab.columns, self.schema)
        if columns != list(self.tab.model.columns):
            self.apply(columns)
        self.ready = True

    def apply(self, columns: Sequence[ColumnSpec]) -> None:
        """Show ``columns`` with their widths, keeping module delegates on their fields."""
        view, model = self.tab.view, self.tab.model
        for index, spec in enumerate(model.columns):
            delegate = view.itemDelegateForColumn(index)
            if delegate is not None:
                self._delegates[spec.field] = delegate
                view.setItemDelegateForColumn(index, None)  # type: ignore[arg-type]
        self._applying = True
        try:
            model.set_columns(columns)
            header = view.horizontalHeader()
            for index, spec in enumerate(columns):
                header.resizeSection(index, spec.width)
                if spec.field in self._delegates:
                    view.setItemDelegateForColumn(index, self._delegates[spec.field])
            column = model.column_of(model.sort_field)
            header.setSortIndicatorShown(column is not None)
            if column is not None:
                order = Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder
                header.blockSignals(True)
                header.setSortIndicator(column, order)
                header.blockSignals(False)
        finally:
            self._applying = False

    def open_chooser(self) -> None:
        """Read the schema afresh (fields may have been added) and open the chooser."""
        db, actor, entity = self.tab.ctx.db, self.tab.ctx.actor, self.entity
        op(self.tab, lambda: get_schema(db, actor, entity)).success(self._show_chooser).failure(self.tab._failed).run()

    def _show_chooser(self, schema: EntitySchema) -> None:
        if not isValid(self.tab):
            return
        self.schema = schema
        dialog = ColumnChooser(schema, self.tab.model.columns, self.tab.columns, entity=self.entity, parent=self.tab)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._chosen(schema, dialog.chosen()))
        self.chooser = dialog
        dialog.open()

    def _chosen(self, schema: EntitySchema, names: list[str] | None) -> None:
        self.chooser = None
        current = {schema_name(c): c for c in self.tab.model.columns}
        if names is None:
            columns = visible_defaults(self.entity, self.tab.columns, schema)
        else:
            columns = [current.get(n) or column_for(spec, self.tab.columns)
                       for n in names if (spec := schema.get(n)) is not None]
        preference = None if names is None else to_preference(columns, [c.width for c in columns])
        db, actor, entity = self.tab.ctx.db, self.tab.ctx.actor, self.entity
        op(self.tab, lambda: views.set_columns(db, actor, entity, preference), write=True).success(
            lambda _none: self.apply(columns) if isValid(self.tab) else None
        ).failure(self.tab._failed).run()

    def _resized(self, logical: int, _old: int, _new: int) -> None:
        # The last section stretches with the window: its width is not the user's choice.
        if not self._applying and self.ready and logical < self.tab.model.columnCount() - 1:
            self._save_timer.start()

    def save_widths(self) -> None:
        """Remember the current columns with their widths (as the user's preference)."""
        self._save_timer.stop()
        header, model, schema = self.tab.view.horizontalHeader(), self.tab.model, self.schema
        if schema is None:
            return
        columns = [ColumnSpec(c.field, c.header, header.sectionSize(i), c.sortable)
                   for i, c in enumerate(model.columns) if schema.get(schema_name(c)) is not None]
        preference = to_preference(columns, [c.width for c in columns])
        db, actor, entity = self.tab.ctx.db, self.tab.ctx.actor, self.entity
        op(self.tab, lambda: views.set_columns(db, actor, entity, preference), write=True).failure(
            self.tab._failed).run()
