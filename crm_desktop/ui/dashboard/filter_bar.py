"""The dashboard's filter bar: whose records (me, me and my subordinates, a department with
or without its children, one colleague — within the actor's scope) and which days (presets or
a custom range). ``changed`` when the selection changes; ``selection()`` reads it.

Thread rule: GUI thread only.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from crm_desktop.services.dashboard.period import PRESET_LABELS, Preset, local_today
from crm_desktop.services.dashboard.selection import (
    OWNER_LABELS,
    OwnerChoices,
    Owners,
    Selection,
)
from crm_desktop.ui.i18n import tr


class FilterBar(QWidget):
    """Public for tests: ``owner_combo``, ``department_combo``, ``user_combo``, ``preset_combo``,
    ``start_edit``, ``end_edit``."""

    changed = Signal()

    def __init__(self, default: Selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = default.today
        self.owner_combo = QComboBox()
        self.department_combo = QComboBox()
        self.user_combo = QComboBox()
        self.preset_combo = QComboBox()
        for preset in Preset:
            self.preset_combo.addItem(tr(PRESET_LABELS[preset], "dashboard"), preset.value)
        self.start_edit = QDateEdit()
        self.end_edit = QDateEdit()
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        today = default.today or local_today()
        self.start_edit.setDate(QDate(today.year, today.month, 1))
        self.end_edit.setDate(QDate(today.year, today.month, today.day))
        self.to_label = QLabel("–")
        self.choices = OwnerChoices()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.owner_combo, self.department_combo, self.user_combo, self.preset_combo,
                       self.start_edit, self.to_label, self.end_edit):
            row.addWidget(widget)
        row.addStretch(1)
        self._filling = True
        self._fill_owner_modes(default)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(default.preset.value))
        self._filling = False
        for combo in (self.owner_combo, self.department_combo, self.user_combo, self.preset_combo):
            combo.currentIndexChanged.connect(self._changed)
        self.start_edit.dateChanged.connect(self._changed)
        self.end_edit.dateChanged.connect(self._changed)
        self._update_visibility()

    def _fill_owner_modes(self, default: Selection) -> None:
        self.owner_combo.clear()
        modes = [Owners.ALL, Owners.ME]
        if self.choices.has_subordinates:
            modes.append(Owners.SUBORDINATES)
        if self.choices.departments:
            modes += [Owners.DEPARTMENT, Owners.DEPARTMENT_TREE]
        if len(self.choices.users) > 1:
            modes.append(Owners.USER)
        for mode in modes:
            self.owner_combo.addItem(tr(OWNER_LABELS[mode], "dashboard"), mode.value)
        index = self.owner_combo.findData(default.owners.value)
        self.owner_combo.setCurrentIndex(max(index, 0))

    def set_choices(self, choices: OwnerChoices) -> None:
        """The departments and colleagues the actor may narrow to (read in the background)."""
        current = self.selection()
        self._filling = True
        self.choices = choices
        self._fill_owner_modes(current)
        self.department_combo.clear()
        depth: dict[int, int] = {}
        for dept_id, parent, name in choices.departments:
            depth[dept_id] = depth.get(parent, -1) + 1 if parent is not None else 0
            self.department_combo.addItem("　" * depth[dept_id] + name, dept_id)
        self.user_combo.clear()
        for user_id, name, _dept in choices.users:
            self.user_combo.addItem(name, user_id)
        self._filling = False
        self._update_visibility()

    def selection(self) -> Selection:
        owners = Owners(self.owner_combo.currentData() or Owners.ALL.value)
        preset = Preset(self.preset_combo.currentData() or Preset.THIS_MONTH.value)
        start: dt.date | None = None
        end: dt.date | None = None
        if preset is Preset.CUSTOM:
            start, end = self.start_edit.date().toPython(), self.end_edit.date().toPython()
        return Selection(owners=owners, department_id=self.department_combo.currentData(),
                         user_id=self.user_combo.currentData(), preset=preset, start=start, end=end,
                         today=self.today)

    def _update_visibility(self) -> None:
        owners = self.owner_combo.currentData()
        self.department_combo.setVisible(owners in (Owners.DEPARTMENT.value, Owners.DEPARTMENT_TREE.value))
        self.user_combo.setVisible(owners == Owners.USER.value)
        custom = self.preset_combo.currentData() == Preset.CUSTOM.value
        for widget in (self.start_edit, self.to_label, self.end_edit):
            widget.setVisible(custom)

    def _changed(self, *_args: object) -> None:
        if self._filling:
            return
        self._update_visibility()
        self.changed.emit()
