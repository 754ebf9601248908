"""A checkable department tree: which departments a custom data scope (自定义) covers.

Each department is ticked on its own — ticking a parent does not tick its children — because
the scope covers exactly the ticked departments (services/org/permissions.py ``DataScope``):
what the administrator sees ticked is what the role sees. GUI thread only.
"""
from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from crm_desktop.services.org.departments import DepartmentDTO

ID_ROLE = Qt.ItemDataRole.UserRole
_CHECKED, _UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked


class DepartmentTreePicker(QTreeWidget):
    """The department tree with a checkbox per department. ``changed`` fires on a user's tick
    (not on ``set_departments`` or ``set_chosen``)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setUniformRowHeights(True)
        self._items: dict[int, QTreeWidgetItem] = {}
        self._loading = False
        self._read_only = False
        self.itemChanged.connect(self._item_changed)

    def set_departments(self, departments: Iterable[DepartmentDTO]) -> None:
        """Show the tree (parents before children, as ``list_departments`` gives them),
        keeping the ticks of departments that are still there."""
        chosen = self.chosen()
        self._loading = True
        try:
            self.clear()
            self._items = {}
            for dept in departments:
                parent = self._items.get(dept.parent_id) if dept.parent_id is not None else None
                item = QTreeWidgetItem([dept.name])
                item.setData(0, ID_ROLE, dept.id)
                item.setFlags(self._flags())
                item.setCheckState(0, _CHECKED if dept.id in chosen else _UNCHECKED)
                if parent is None:
                    self.addTopLevelItem(item)
                else:
                    parent.addChild(item)
                self._items[dept.id] = item
            self.expandAll()
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        """Ticks shown but not changeable; the tree still scrolls and expands (a disabled
        tree would hide the ticks of a long one from a reader)."""
        self._read_only = read_only
        self._loading = True
        try:
            for item in self._items.values():
                item.setFlags(self._flags())
        finally:
            self._loading = False

    def _flags(self) -> Qt.ItemFlag:
        if self._read_only:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable

    def chosen(self) -> frozenset[int]:
        """The ticked departments' ids."""
        return frozenset(d for d, item in self._items.items() if item.checkState(0) == _CHECKED)

    def set_chosen(self, department_ids: Iterable[int]) -> None:
        """Tick exactly ``department_ids`` (unknown ids are ignored: the tree is what exists)."""
        wanted = set(department_ids)
        self._loading = True
        try:
            for dept_id, item in self._items.items():
                item.setCheckState(0, _CHECKED if dept_id in wanted else _UNCHECKED)
        finally:
            self._loading = False

    def check(self, department_id: int, on: bool = True) -> None:
        """Tick or untick one department as a user would (emits ``changed``)."""
        self._items[department_id].setCheckState(0, _CHECKED if on else _UNCHECKED)

    def item_for(self, department_id: int) -> QTreeWidgetItem:
        return self._items[department_id]

    def _item_changed(self, _item: QTreeWidgetItem, _column: int) -> None:
        if not self._loading:
            self.changed.emit()
