"""A detail tab listing the records of another module that belong to this one (a customer's
opportunities, contracts, payments …), described by a ``RelatedList``.

Adding such a tab to an entity's detail page is one ``RelatedList`` (what to read, which columns)
and one entry in ``detail_page.RELATED_TABS`` plus its key in ``detail_page.TABS``.
Double-click or "Open" emits ``open_requested(entity, id)``; the window opens that record's detail
page. The tab re-reads when any record of the listed entity (or its parent) changes.
Thread rule: GUI thread only; ``RelatedList.load`` runs on the op worker.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeWidgetItem, QVBoxLayout, QWidget
from shiboken6 import isValid

from crm_desktop.services.records import RecordDTO
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.detail_base import DetailTab, DetailTarget, make_tree
from crm_desktop.ui.records.list_model import format_value, record_value

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.actor import Actor


@dataclass(frozen=True)
class RelatedColumn:
    """One column: the record field (``RecordDTO.values``, base attributes, or a value the loader
    added), its header (an untranslated "fields" label) and width; ``labels`` turn stored values
    into untranslated "fields" labels (a status)."""

    field: str
    header: str
    width: int = 120
    labels: Mapping[str, str] = field(default_factory=dict)
    right: bool = False


@dataclass(frozen=True)
class RelatedList:
    """What a related-records tab shows: records of ``entity`` (opened by double-click), read by
    ``load(db, actor, parent_id)`` (on the op worker), in ``columns``. ``title`` and ``empty`` are
    untranslated "fields" texts."""

    entity: str
    title: str
    load: Callable[[Database, Actor, int], Sequence[RecordDTO]]
    columns: tuple[RelatedColumn, ...]
    empty: str = ""
    #: What else makes the list stale besides a change of ``entity`` (e.g. the parent itself).
    watched: tuple[str, ...] = ()
    #: A "New …" button (an untranslated "fields" text) and what it does: open the entity's form
    #: for a new record of this parent (``create(ctx, parent_widget, parent_id)``); shown only to
    #: users who may create ``entity``.
    new_label: str = ""
    create: Callable[[Any, QWidget, int], None] | None = None


def _tr(text: str) -> str:
    return QCoreApplication.translate("fields", text) if text else ""


class RelatedRecordsTab(DetailTab):
    """Public for tests: ``spec``, ``tree``, ``rows`` (the RecordDTOs shown, in order),
    ``open_button``, ``new_button`` (None without one), ``cell_text(row, field)``, ``select_record(id)``, ``open_selected()``."""

    open_requested = Signal(str, int)

    def __init__(self, target: DetailTarget, spec: RelatedList, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.spec = spec
        self.rows: list[RecordDTO] = []
        self.tree = make_tree([_tr(c.header) for c in spec.columns], [c.width for c in spec.columns], stretch=0)
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self.open_selected())
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(self.open_selected)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #666;")
        #: The row of buttons; a module adds its own ("New opportunity") here.
        self.tool_row = QHBoxLayout()
        self.new_button: QPushButton | None = None
        #: The form "New …" opened last (open_record_form puts it here).
        self.record_dialog: QWidget | None = None
        if spec.create is not None and self.ctx.actor.can(spec.entity, "create"):
            self.new_button = QPushButton(_tr(spec.new_label))
            create = spec.create
            self.new_button.clicked.connect(lambda: create(self.ctx, self, self.target.record_id))
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

    def title(self) -> str:
        return _tr(self.spec.title)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and (entity in (self.spec.entity, "*") or entity in self.spec.watched):
            self.reload()

    def reload(self) -> None:
        db, actor, parent_id, load = self.ctx.db, self.ctx.actor, self.target.record_id, self.spec.load
        self._loading = True
        op(self, lambda: list(load(db, actor, parent_id))).success(self._show).failure(self.failed).run()

    def cell_text(self, record: RecordDTO, name: str) -> str:
        column = next((c for c in self.spec.columns if c.field == name), None)
        value = record_value(record, name)
        if column is not None and column.labels and value is not None:
            return _tr(column.labels.get(str(value), str(value)))
        return format_value(value)

    def _show(self, rows: list[RecordDTO]) -> None:
        if not isValid(self):
            return
        self._loading = False
        selected = self.selected_id()
        self.rows = rows
        self.tree.clear()
        for record in rows:
            item = QTreeWidgetItem([self.cell_text(record, c.field) for c in self.spec.columns])
            item.setData(0, Qt.ItemDataRole.UserRole, record.id)
            for column, spec in enumerate(self.spec.columns):
                if spec.right:
                    item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        self.count_label.setText(self.tr("{n} in all").format(n=len(rows)))
        if not rows and self.spec.empty:
            self.show_message(_tr(self.spec.empty))
        else:
            self.show_message("")
        if selected is not None:
            self.select_record(selected)
        self._update_buttons()

    def selected_id(self) -> int | None:
        items = self.tree.selectedItems()
        data: Any = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return int(data) if data is not None else None

    def select_record(self, record_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == record_id:
                self.tree.setCurrentItem(item)
                return

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected_id() is not None)

    def open_selected(self) -> None:
        record_id = self.selected_id()
        if record_id is not None:
            self.open_requested.emit(self.spec.entity, record_id)


__all__ = ["RelatedColumn", "RelatedList", "RelatedRecordsTab"]
