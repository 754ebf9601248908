"""The condition editor of trigger rules and approval branches: groups of condition rows.

A condition is ``{"match": "all"|"any", "groups": [Filter JSON, ...]}``: each group
(``ConditionGroup``) is one Filter edited with the list filter's own condition rows
(``ConditionRow`` of ``ui.records.filter_editor``); no group at all means "always". A
condition on a field the editor does not offer is kept as it is and shown read-only.

The fields it offers include the entity's derived ones (a contract's or an opportunity's
"Product category", picked from the category tree as "设备 / 数控机床" paths): the rule
editor and the flow designer load them with ``filter_editor.with_derived_fields``.
Thread rule: GUI thread only.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.records.filters import OP_LABELS, Condition, Filter
from crm_desktop.ui.admin.editor_parts import muted
from crm_desktop.ui.admin.rule_data import json_safe
from crm_desktop.ui.records.shared.filter_editor import ConditionRow, FilterFields


class ConditionGroup(QFrame):
    """All/any of condition rows: one Filter."""

    removed = Signal(QWidget)

    def __init__(self, fields: FilterFields, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._fields = fields
        self.rows: list[ConditionRow] = []
        self.match_combo = QComboBox()
        self.match_combo.addItem(self.tr("All of these hold"), "all")
        self.match_combo.addItem(self.tr("Any of these holds"), "any")
        self.add_button = QPushButton(self.tr("Add condition"))
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button = QToolButton()
        self.remove_button.setText(self.tr("Remove group"))
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))
        top = QHBoxLayout()
        top.addWidget(self.match_combo)
        top.addStretch(1)
        top.addWidget(self.add_button)
        top.addWidget(self.remove_button)
        self._rows_box = QVBoxLayout()
        #: Conditions on fields this editor does not offer: kept as they are, shown read-only.
        self.kept: list[Condition] = []
        self.kept_label = muted()
        self.kept_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(self._rows_box)
        layout.addWidget(self.kept_label)

    def add_row(self) -> ConditionRow:
        row = ConditionRow(self._fields)
        row.removed.connect(self._remove_row)
        self._rows_box.addWidget(row)
        self.rows.append(row)
        return row

    def _remove_row(self, row: QWidget) -> None:
        if row in self.rows:
            self.rows.remove(row)  # type: ignore[arg-type]
            row.setParent(None)
            row.deleteLater()

    def set_filter(self, flt: Filter) -> None:
        self.match_combo.setCurrentIndex(1 if flt.match == "any" else 0)
        for cond in flt.conditions:
            if self._fields.schema.get(cond.field) is not None:
                self.add_row().set_condition(cond)
            else:
                self.kept.append(cond)
        if self.kept:
            self.kept_label.setText(self.tr("Kept as they are (this editor cannot change them): {conditions}").format(
                conditions="; ".join(f"{c.field} {QCoreApplication.translate('filters', OP_LABELS[c.op])} "
                                     f"{'' if c.value is None else c.value}" for c in self.kept)))
            self.kept_label.show()

    def current_filter(self) -> Filter:
        """Raises ValueError (translated, naming the row) for a bad value."""
        conditions = []
        for number, row in enumerate(self.rows, start=1):
            try:
                conditions.append(row.condition())
            except ValueError as exc:
                raise ValueError(self.tr("Condition {n}: {message}").format(n=number, message=str(exc))) from None
        return Filter(conditions=tuple(conditions) + tuple(self.kept), match=str(self.match_combo.currentData()))


class ConditionEditor(QWidget):
    """Groups of conditions (usually one); no condition at all means "always"."""

    def __init__(self, fields: FilterFields, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields = fields
        self.groups: list[ConditionGroup] = []
        self.match_combo = QComboBox()
        self.match_combo.addItem(self.tr("All groups must hold"), "all")
        self.match_combo.addItem(self.tr("Any group is enough"), "any")
        self.hint = QLabel(self.tr("No condition: the rule runs on every such event."))
        self.hint.setStyleSheet("color: #666;")
        self.add_group_button = QPushButton(self.tr("Add a group"))
        self.add_group_button.clicked.connect(self._add_group_with_row)
        self._groups_box = QVBoxLayout()
        self._groups_box.setContentsMargins(0, 0, 0, 0)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.add_group_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.match_combo)
        layout.addLayout(self._groups_box)
        layout.addLayout(bottom)
        layout.addStretch(1)  # rows stay at the top of the scroll area
        self._sync()

    def add_group(self) -> ConditionGroup:
        group = ConditionGroup(self._fields)
        group.removed.connect(self._remove_group)
        self._groups_box.addWidget(group)
        self.groups.append(group)
        self._sync()
        return group

    def _add_group_with_row(self) -> None:
        self.add_group().add_row()

    def _remove_group(self, group: QWidget) -> None:
        if group in self.groups:
            self.groups.remove(group)  # type: ignore[arg-type]
            group.setParent(None)
            group.deleteLater()
        self._sync()

    def _sync(self) -> None:
        # The outer all/any only means something with two groups or more.
        self.match_combo.setVisible(len(self.groups) > 1)
        self.hint.setVisible(not self.groups)
        self.add_group_button.setText(self.tr("Add another group") if self.groups else self.tr("Add a condition"))

    def set_condition(self, condition: Mapping[str, Any] | None) -> None:
        condition = condition or {}
        self.match_combo.setCurrentIndex(1 if condition.get("match") == "any" else 0)
        for group_json in condition.get("groups", ()):
            flt = Filter.from_json(group_json)
            if flt.conditions:
                self.add_group().set_filter(flt)
        self._sync()

    def condition(self) -> dict[str, Any]:
        groups = [g.current_filter() for g in self.groups]
        groups = [g for g in groups if g.conditions]
        if not groups:
            return {}
        return {"match": str(self.match_combo.currentData()), "groups": [json_safe(g.to_json()) for g in groups]}


__all__ = ["ConditionEditor", "ConditionGroup"]
