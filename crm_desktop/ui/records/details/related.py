"""A detail tab listing the rows that belong to this record (a customer's opportunities,
contracts, payments, contacts; a record's attachments), described by a ``RelatedList``.

Adding such a tab to an entity's detail page is one ``RelatedList`` (what to read; the columns
come from the listed entity's view spec) in ``tab_kinds.RELATED_TABS`` plus its key in the
parent entity's ``ViewSpec.detail_tabs``. A column of a built-in select (a status) reads as the
schema's label of its value.
Double-click or "Open" calls ``open_selected()``, which emits ``open_requested(entity, id)``; the
window opens that record's detail page. The tab re-reads when any record of the listed entity
(or of ``watched``) changes. A tab with more to do subclasses ``RelatedRecordsTab``: it overrides
``may_create``/``create_new``/``open_selected`` and adds buttons for the selected row with
``add_row_action`` (the customer's contacts, the attachments).
Thread rule: GUI thread only; ``RelatedList.load`` runs on the op worker.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import DetailTab, DetailTarget, make_tree
from crm_desktop.ui.records.shared.choices import choice_label, choices_of
from crm_desktop.ui.records.shared.list_model import format_value, record_value
from crm_desktop.ui.records.specs.base import Column

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor


@dataclass(frozen=True, kw_only=True)
class RelatedList:
    """What a related-rows tab shows: rows of ``entity`` (opened by double-click), read by
    ``load(db, actor, parent_id)`` (on the op worker; each row has an ``id``), in ``columns``
    (a view spec's). ``title``, ``empty`` and ``new_label`` are untranslated texts of ``context``."""

    entity: str
    load: Callable[[Database, Actor, int], Sequence[Any]]
    columns: tuple[Column, ...]
    title: str = ""
    empty: str = ""
    #: What else makes the list stale besides a change of ``entity`` (e.g. the parent itself).
    watched: tuple[str, ...] = ()
    #: A "New …" button and what it does: open the entity's form for a new record of this parent
    #: (``create(ctx, parent_widget, parent_id)``, or a subclass's ``create_new``); shown only to
    #: users who may create ``entity`` (or whom a subclass's ``may_create`` lets).
    new_label: str = ""
    create: Callable[[Any, QWidget, int], None] | None = None
    #: "N in all" at the end of the button row.
    show_count: bool = True
    #: The column that takes the spare width (None: the last).
    stretch: int | None = 0
    #: The translation context of the texts above.
    context: str = "fields"


def _row_value(row: Any, name: str) -> Any:
    return record_value(row, name) if isinstance(row, RecordDTO) else getattr(row, name, None)


class RelatedRecordsTab(DetailTab):
    """Public for tests: ``spec``, ``tree``, ``rows`` (the rows shown, in order), ``open_button``,
    ``new_button`` (None without a ``new_label``), ``cell_text(row, field)``, ``select_record(id)``,
    ``selected_id()``, ``selected_row()``, ``open_selected()``."""

    open_requested = Signal(str, int)

    def __init__(self, target: DetailTarget, spec: RelatedList, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.spec = spec
        self.rows: list[Any] = []
        self.tree = make_tree([c.header(spec.entity) for c in spec.columns], [c.width for c in spec.columns],
                              stretch=spec.stretch)
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self.open_selected())
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(self.open_selected)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #666;")
        self.count_label.setVisible(spec.show_count)
        #: The row of buttons; a module adds its own here (``add_row_action`` for the selected row).
        self.tool_row = QHBoxLayout()
        self.new_button: QPushButton | None = None
        #: The form "New …" opened last (open_record_form puts it here).
        self.record_dialog: QWidget | None = None
        #: Buttons for the selected row, with when each is enabled (see ``add_row_action``).
        self._row_actions: list[tuple[QPushButton, Callable[[Any], bool] | None]] = []
        self._actions_after_open = 0
        if spec.new_label:
            self.new_button = QPushButton(self._text(spec.new_label))
            self.new_button.setVisible(self.may_create())
            self.new_button.clicked.connect(self.create_new)
            self.tool_row.addWidget(self.new_button)
        self.tool_row.addWidget(self.open_button)
        self.tool_row.addStretch(1)
        self.tool_row.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(self.tool_row)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)
        self.ctx.signals.changed.connect(self._on_changed)
        self._update_buttons()

    def _text(self, text: str) -> str:
        return QCoreApplication.translate(self.spec.context, text) if text else ""

    def title(self) -> str:
        return self._text(self.spec.title)

    def add_row_action(
        self, text: str, run: Callable[[], None], *, allowed: bool = True,
        enabled: Callable[[Any], bool] | None = None, after_open: bool = False,
    ) -> QPushButton:
        """A button acting on the selected row (``run`` reads it with ``selected_row()``), before
        "Open" or, with ``after_open``, after it. Hidden unless ``allowed``; enabled while a row is
        selected and ``enabled(row)`` (if given) agrees."""
        button = QPushButton(text)
        button.setVisible(allowed)
        button.clicked.connect(run)
        index = self.tool_row.indexOf(self.open_button)
        if after_open:
            self._actions_after_open += 1
            index += self._actions_after_open
        self.tool_row.insertWidget(index, button)
        self._row_actions.append((button, enabled))
        self._update_buttons()
        return button

    def may_create(self) -> bool:
        """Whether the "New …" button is shown (subclasses may ask another permission)."""
        return self.can(self.spec.entity, "create")

    def create_new(self) -> None:
        """What "New …" does (subclasses may override it instead of giving ``spec.create``)."""
        if self.spec.create is not None:
            self.spec.create(self.ctx, self, self.target.record_id)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and (entity in (self.spec.entity, "*") or entity in self.spec.watched):
            self.reload()

    def reload(self) -> None:
        db, actor, parent_id, load = self.ctx.db, self.ctx.actor, self.target.record_id, self.spec.load
        self._loading = True
        op(self, lambda: list(load(db, actor, parent_id))).success(self._show).failure(self.failed).run()

    def cell_text(self, row: Any, name: str) -> str:
        column = next((c for c in self.spec.columns if c.field == name), None)
        value = _row_value(row, name)
        if column is not None and column.formatter is not None:
            return column.formatter(value)
        if column is not None and value is not None and choices_of(self.spec.entity, name):
            return choice_label(self.spec.entity, name, str(value))
        return format_value(value)

    def _show(self, rows: list[Any]) -> None:
        if not isValid(self):
            return
        self._loading = False
        selected = self.selected_id()
        self.rows = rows
        self.tree.clear()
        for row in rows:
            item = QTreeWidgetItem([self.cell_text(row, c.field) for c in self.spec.columns])
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            for column, spec in enumerate(self.spec.columns):
                if spec.right:
                    item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                elif spec.center:
                    item.setTextAlignment(column, Qt.AlignmentFlag.AlignCenter)
                if spec.tooltip:
                    item.setToolTip(column, item.text(column))
            self.tree.addTopLevelItem(item)
        self.count_label.setText(self.tr("{n} in all").format(n=len(rows)))
        if self.spec.empty:  # a list without an "empty" text keeps the last message (e.g. "Saved.")
            self.show_message("" if rows else self._text(self.spec.empty))
        if selected is not None:
            self.select_record(selected)
        self._update_buttons()

    def selected_id(self) -> int | None:
        items = self.tree.selectedItems()
        data: Any = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return int(data) if data is not None else None

    def selected_row(self) -> Any:
        """The selected row as loaded (None without a selection)."""
        record_id = self.selected_id()
        return next((r for r in self.rows if r.id == record_id), None)

    def select_record(self, record_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == record_id:
                self.tree.setCurrentItem(item)
                return

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.open_button.setEnabled(row is not None)
        for button, enabled in self._row_actions:
            button.setEnabled(row is not None and (enabled is None or enabled(row)))

    def open_selected(self) -> None:
        record_id = self.selected_id()
        if record_id is not None:
            self.open_requested.emit(self.spec.entity, record_id)


__all__ = ["RelatedList", "RelatedRecordsTab"]
