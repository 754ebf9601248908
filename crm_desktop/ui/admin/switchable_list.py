"""The shared part of the settings pages that list things a user switches on and off
(automation rules, approval flows): a table whose "enabled" column is a check box that writes
at once, New / Edit / Delete (asked first), and "reload, keep the selection" after every write.

A page subclasses ``SwitchableListPage``, builds its own tool bar around ``new_button``,
``edit_button`` and ``delete_button`` and its table with ``make_table``, and fills in the hooks
(``fetch``, ``cells``, the write calls and texts). GUI thread only: ``fetch`` and the calls the
hooks return run off it through ``ui.ops.op``; successful writes call
``ctx.signals.notify(topic)`` and every page watching that topic reloads.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from crm_desktop.ui.admin.custom_fields import show_error
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar, alive, ask
from crm_desktop.ui.ops import op

_ROW_HEIGHT = 28


class Switchable(Protocol):
    """What the page needs of an item: a service DTO with an id, a name and an enabled flag."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def enabled(self) -> bool: ...


T = TypeVar("T", bound=Switchable)


class SwitchableListPage(QWidget, Generic[T]):
    """Base page. Public: ``items`` (as shown), ``table``, ``new_button``, ``edit_button``,
    ``delete_button``, ``message``, ``dialog`` (the last editor or question opened).

    Subclasses set ``topic`` (what a write notifies), ``watched`` (the topics that reload the
    page), ``item_type`` (the DTO class an editor's ``saved`` signal carries) and
    ``enabled_column``, and implement the hooks below.
    """

    topic = ""
    watched: frozenset[str] = frozenset()
    item_type: type = object
    enabled_column = 0

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[T] = []
        self.dialog: QWidget | None = None
        self._generation = 0
        self._filling = False
        self._select_after_load: int | None = None
        self.message = MessageBar()
        self.new_button = QPushButton(self.tr("New"))
        self.edit_button = QPushButton(self.tr("Edit"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.new_button.clicked.connect(self.new_item)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.table = QTableWidget()
        ctx.signals.changed.connect(self._on_changed)

    def make_table(self, headers: list[str], *, stretch: int, widths: Iterable[tuple[int, int]]) -> QTableWidget:
        """Set ``table`` up: one selected row, fixed row height, the enabled column as narrow as
        its box, ``stretch`` taking the rest; double-click edits, the box switches."""
        table = self.table
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(_ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.enabled_column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        for column, width in widths:
            table.setColumnWidth(column, width)
        table.itemSelectionChanged.connect(self._sync_buttons)
        table.itemDoubleClicked.connect(lambda *_: self.edit_current())
        table.itemChanged.connect(self._item_changed)
        return table

    # -- hooks -------------------------------------------------------------------------------

    def fetch(self) -> Callable[[], tuple[list[T], Any]]:
        """A function for the worker thread: the items and whatever ``cells`` needs besides."""
        raise NotImplementedError

    def take_extra(self, extra: Any) -> None:
        """Keep what ``fetch`` read besides the items (called just before the rows are filled)."""

    def cells(self, item: T) -> list[str]:
        """The row's texts, one per column ("" in the enabled column)."""
        raise NotImplementedError

    def new_item(self) -> QWidget:
        raise NotImplementedError

    def edit_current(self) -> QWidget | None:
        raise NotImplementedError

    def switch_call(self, item: T, enabled: bool) -> Callable[[], T]:
        """The service call that switches ``item`` on or off (run off the GUI thread)."""
        raise NotImplementedError

    def delete_call(self, item: T) -> Callable[[], object]:
        raise NotImplementedError

    def delete_question(self, item: T) -> tuple[str, str]:
        """The title and text of the question asked before deleting ``item``."""
        raise NotImplementedError

    def saved_text(self, item: T) -> str:
        """The line shown after an editor saved ``item``."""
        raise NotImplementedError

    # -- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the items again; a newer reload wins."""
        self._generation += 1
        generation = self._generation
        op(self, self.fetch()).success(lambda result: self._loaded(generation, *result)).failure(
            self.message.show_exception).run()

    def _loaded(self, generation: int, items: list[T], extra: Any) -> None:
        if generation != self._generation or not alive(self):
            return
        keep = self._select_after_load if self._select_after_load is not None else self.current_id()
        self._select_after_load = None
        self.items = items
        self.take_extra(extra)
        self._filling = True  # filling the boxes is not a click
        self.table.setRowCount(len(items))
        for row, entry in enumerate(items):
            for column, text in enumerate(self.cells(entry)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if column == self.enabled_column:
                    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                                  | Qt.ItemFlag.ItemIsUserCheckable)
                    cell.setCheckState(Qt.CheckState.Checked if entry.enabled else Qt.CheckState.Unchecked)
                self.table.setItem(row, column, cell)
        self._filling = False
        if keep is not None:
            self.select_id(keep)
        self._sync_buttons()

    def _on_changed(self, topic: str, _record_id: int) -> None:
        if topic in self.watched:
            self.reload()

    # -- selection ---------------------------------------------------------------------------

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def current_item(self) -> T | None:
        row = self.current_row()
        return self.items[row] if 0 <= row < len(self.items) else None

    def current_id(self) -> int | None:
        item = self.current_item()
        return item.id if item else None

    def select_id(self, item_id: int) -> None:
        row = next((i for i, item in enumerate(self.items) if item.id == item_id), -1)
        if row >= 0:
            self.table.selectRow(row)

    def _sync_buttons(self) -> None:
        chosen = self.current_item() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    # -- writing -----------------------------------------------------------------------------

    def open_editor(self, dialog: Any) -> Any:
        """Open an editor dialog whose ``saved`` signal carries the saved item."""
        self.message.clear()
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, item: object) -> None:
        if not alive(self) or not isinstance(item, self.item_type):
            return
        self.message.show_info(self.saved_text(item))  # type: ignore[arg-type]
        self.after_write(item.id)  # type: ignore[attr-defined]

    def after_write(self, item_id: int | None) -> None:
        """Tell every view; the reload that follows selects ``item_id``."""
        self._select_after_load = item_id
        self.ctx.signals.notify(self.topic)

    def write(self, call: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Run a service write on the write worker; a refusal shows and the table reloads."""
        op(self, call, write=True).success(then).failure(self._write_failed).run()

    def _write_failed(self, exc: BaseException) -> None:
        if alive(self):
            show_error(self.message, exc)
            self.reload()  # the table shows what is stored again

    def _item_changed(self, cell: QTableWidgetItem) -> None:
        """The enabled box of a row was clicked: switch the item on or off."""
        if self._filling or cell.column() != self.enabled_column or not 0 <= cell.row() < len(self.items):
            return
        item = self.items[cell.row()]
        enabled = cell.checkState() == Qt.CheckState.Checked
        if enabled != item.enabled:
            self.write(self.switch_call(item, enabled), lambda saved: self.after_write(saved.id))

    def delete_current(self) -> None:
        item = self.current_item()
        if item is None:
            return
        call = self.delete_call(item)
        title, question = self.delete_question(item)
        self.dialog = ask(self, title, question, lambda: self.write(call, lambda _r: self.after_write(None)))


__all__ = ["Switchable", "SwitchableListPage"]
