"""Sales targets (业绩目标) administration: one year and kind at a time, a row per subject
(the whole company, each department in tree order with its people under it) and a column per
month, plus the year's total.

Cells are edited in place (amounts; empty = not set); Save writes the changed rows
(``targets.set_targets``). "Fill evenly" spreads the typed year total over the selected row's
twelve months to the cent; "Copy from last year" copies every subject's targets of the year
before. Without ``target.set`` the grid is read-only. GUI thread only; service calls run
through ``ui.ops.op``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from crm_desktop.services.dashboard import targets
from crm_desktop.services.dashboard.targets import (
    KIND_LABELS,
    MONTHS,
    Subject,
    SubjectKey,
    TargetGrid,
    TargetKind,
)
from crm_desktop.services.dashboard.targets_import import TargetImport, import_targets
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar, page_layout
from crm_desktop.ui.i18n import tr
from crm_desktop.ui.ops import op

KEY_ROLE = Qt.ItemDataRole.UserRole


def parse_amount(text: str) -> Decimal | None:
    """A typed cell: empty is "not set"; ValueError for anything that is not an amount."""
    cleaned = text.replace(",", "").replace("¥", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return value.quantize(Decimal("0.01"))


class TargetsPage(QWidget):
    """Public for tests: ``year_spin``, ``kind_combo``, ``table``, ``total_edit``, ``fill_button``,
    ``copy_button``, ``save_button``, ``message``, ``grid`` (as last read), ``dirty`` (changed keys)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.can_set = ctx.actor.can("target", "set")
        self.grid: TargetGrid | None = None
        self.dirty: set[SubjectKey] = set()
        self._filling = False
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(dt.date.today().year)
        self.kind_combo = QComboBox()
        for kind in TargetKind:
            self.kind_combo.addItem(tr(KIND_LABELS[kind], "dashboard"), kind.value)
        self.total_edit = QLineEdit()
        self.total_edit.setPlaceholderText(self.tr("Year total"))
        self.total_edit.setMaximumWidth(140)
        self.fill_button = QPushButton(self.tr("Fill evenly"))
        self.fill_button.setToolTip(self.tr("Spread the year total over the twelve months of the selected row."))
        self.copy_button = QPushButton(self.tr("Copy from last year"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setEnabled(False)
        self.import_button = QPushButton(self.tr("Import…"))
        self.import_button.setToolTip(self.tr("Read this year's targets of this kind from an Excel, WPS or csv sheet: "
                                              "one row per department or colleague, a column per month."))
        self.import_button.clicked.connect(self._ask_import)
        for widget in (self.total_edit, self.fill_button, self.copy_button, self.import_button, self.save_button):
            widget.setVisible(self.can_set)
        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Year")))
        tools.addWidget(self.year_spin)
        tools.addWidget(QLabel(self.tr("Target")))
        tools.addWidget(self.kind_combo)
        tools.addStretch(1)
        for widget in (self.total_edit, self.fill_button, self.copy_button, self.import_button, self.save_button):
            tools.addWidget(widget)
        self.message = MessageBar()
        self.table = QTableWidget(0, MONTHS + 1)
        headers = [self.tr("Month {n}").format(n=m) for m in range(1, MONTHS + 1)]
        self.table.setHorizontalHeaderLabels([*headers, self.tr("Year")])
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(MONTHS, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        if not self.can_set:
            self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemChanged.connect(self._cell_changed)
        page_layout(self, self.tr("Sales targets"), self.message, tools, body=self.table)
        self.year_spin.valueChanged.connect(self.reload)
        self.kind_combo.currentIndexChanged.connect(self.reload)
        self.fill_button.clicked.connect(self.fill_selected)
        self.copy_button.clicked.connect(self.copy_last_year)
        self.save_button.clicked.connect(self.save)
        ctx.signals.changed.connect(self._on_changed)
        self.reload()

    # --- reading ------------------------------------------------------------------------

    def year(self) -> int:
        return self.year_spin.value()

    def kind(self) -> TargetKind:
        return TargetKind(self.kind_combo.currentData())

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in ("user", "department", "*") and not self.dirty:
            self.reload()

    def reload(self, *_args: object) -> None:
        db, actor, year, kind = self.ctx.db, self.ctx.actor, self.year(), self.kind()
        op(self, lambda: targets.target_grid(db, actor, year, kind)).success(self._show).failure(
            self.message.show_exception).run()

    def _show(self, grid: TargetGrid) -> None:
        if (grid.year, grid.kind) != (self.year(), self.kind()):
            return  # the choice changed while reading
        self.grid = grid
        self.dirty.clear()
        self.save_button.setEnabled(False)
        self._filling = True
        self.table.setRowCount(len(grid.rows))
        labels = []
        for row, target in enumerate(grid.rows):
            name = self.tr("Whole company") if target.subject is Subject.COMPANY else target.name
            labels.append("　" * target.depth + name)
            for month, value in enumerate(target.months):
                item = QTableWidgetItem(self._cell_text(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setData(KEY_ROLE, target.key)
                self.table.setItem(row, month, item)
            total = QTableWidgetItem(self._cell_text(target.year_total) if any(m is not None for m in target.months)
                                     else "")
            total.setFlags(total.flags() & ~Qt.ItemFlag.ItemIsEditable)
            total.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, MONTHS, total)
        self.table.setVerticalHeaderLabels(labels)
        self._filling = False

    def _cell_text(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        if self.kind() is TargetKind.NEW_CUSTOMERS or value == value.to_integral_value():
            return f"{value:,.0f}"  # whole amounts without ".00": a month's column stays narrow
        return f"{value:,.2f}"

    # --- editing ------------------------------------------------------------------------

    def row_values(self, row: int) -> list[Decimal | None]:
        """The twelve months of a row as typed (ValueError names a bad cell)."""
        values = []
        for month in range(MONTHS):
            item = self.table.item(row, month)
            values.append(parse_amount(item.text() if item is not None else ""))
        return values

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() >= MONTHS:
            return
        try:
            parse_amount(item.text())
            item.setBackground(QColor(0, 0, 0, 0))
            item.setToolTip("")
        except ValueError:
            item.setBackground(QColor("#f8d7da"))
            item.setToolTip(self.tr("Enter an amount, or leave the cell empty."))
        self.dirty.add(item.data(KEY_ROLE))
        self.save_button.setEnabled(True)
        self._update_total(item.row())

    def _update_total(self, row: int) -> None:
        try:
            values = self.row_values(row)
        except ValueError:
            return
        total = sum((v for v in values if v is not None), Decimal("0.00"))
        self._filling = True
        self.table.item(row, MONTHS).setText(self._cell_text(total) if any(v is not None for v in values) else "")
        self._filling = False

    def fill_selected(self) -> None:
        """Spread the typed year total over the selected row's months (saved with Save)."""
        row = self.table.currentRow()
        if row < 0:
            self.message.show_error(self.tr("Choose a row first."))
            return
        try:
            total = parse_amount(self.total_edit.text())
        except ValueError:
            total = None
        if total is None:
            self.message.show_error(self.tr("Enter the year total to spread."))
            return
        self.message.clear()
        for month, value in enumerate(targets.even_split(total)):
            self.table.item(row, month).setText(self._cell_text(value))

    def copy_last_year(self) -> None:
        db, actor, year, kind = self.ctx.db, self.ctx.actor, self.year(), self.kind()
        op(self, lambda: targets.copy_from_last_year(db, actor, year, kind), write=True).success(
            self._copied).failure(self.message.show_exception).run()

    def _copied(self, count: int) -> None:
        if count:
            self.message.show_info(self.tr("Copied the targets of {n} departments and colleagues.").format(n=count))
        else:
            self.message.show_info(self.tr("Last year has no targets of this kind."))
        self.ctx.signals.notify("target")
        self.reload()

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import targets"), "",
                                              self.tr("Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.txt)"))
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Set this year's targets of this kind from ``path`` (nothing when a row is wrong)."""
        db, actor, year, kind = self.ctx.db, self.ctx.actor, self.year(), self.kind()
        op(self, lambda: import_targets(db, actor, path, year=year, kind=kind), write=True).success(
            self._imported).failure(self.message.show_exception).run()

    def _imported(self, result: TargetImport) -> None:
        if result.errors:
            lines = [f"{e.row} · {e.column}: {e.text(lambda t: tr(t, 'errors'))}" for e in result.errors[:10]]
            self.message.show_error(self.tr("Nothing was imported; fix these rows and import again:") + "\n"
                                    + "\n".join(lines))
            return
        self.message.show_info(self.tr("Targets imported ({n} rows).").format(n=len(result.rows)))
        self.ctx.signals.notify("target")
        self.reload()

    def save(self) -> None:
        if self.grid is None or not self.dirty:
            return
        rows: dict[SubjectKey, list[Decimal | None]] = {}
        for row, target in enumerate(self.grid.rows):
            if target.key in self.dirty:
                try:
                    rows[target.key] = self.row_values(row)
                except ValueError:
                    self.message.show_error(self.tr("Some cells do not hold an amount; they are marked in red."))
                    return
        db, actor, year, kind = self.ctx.db, self.ctx.actor, self.year(), self.kind()
        op(self, lambda: targets.set_targets(db, actor, year, kind, rows), write=True).success(
            self._saved).failure(self.message.show_exception).run()

    def _saved(self, _result: object) -> None:
        self.message.show_info(self.tr("Targets saved."))
        self.ctx.signals.notify("target")
        self.reload()
