"""The department tree (部门): add, rename, move and delete departments.

Every service call runs through ``ui.ops.op``; after a successful write the page calls
``ctx.signals.notify("department")`` and reloads itself (and any other open view) from the
``changed`` signal. Buttons are only hints: the services check permissions and refuse
deleting a department that still has users or sub-departments, and that refusal is shown
in the page's message bar. GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from crm_desktop.services.org import departments
from crm_desktop.services.org.departments import DepartmentDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog, MessageBar, alive, page_layout
from crm_desktop.ui.ops import op

ID_ROLE = Qt.ItemDataRole.UserRole
#: Entities whose change can alter what this page shows (user counts follow users).
_WATCHED = {"department", "user", "*"}


def department_depths(depts: Iterable[DepartmentDTO]) -> dict[int, int]:
    """Depth of each department (0 for the top); ``depts`` come parents first."""
    depths: dict[int, int] = {}
    for d in depts:
        depths[d.id] = 0 if d.parent_id is None else depths.get(d.parent_id, -1) + 1
    return depths


def subtree_ids(depts: Iterable[DepartmentDTO], root_id: int) -> set[int]:
    """``root_id`` and every department below it."""
    found = {root_id}
    for d in depts:  # parents come before children, so one pass suffices
        if d.parent_id in found:
            found.add(d.id)
    return found


def fill_tree(tree: QTreeWidget, depts: list[DepartmentDTO], *, counts: bool,
              disabled: set[int] | frozenset[int] = frozenset()) -> dict[int, QTreeWidgetItem]:
    """Rebuild ``tree`` from the department list; returns the items by department id."""
    tree.clear()
    items: dict[int, QTreeWidgetItem] = {}
    for d in depts:
        parent = items.get(d.parent_id) if d.parent_id is not None else None
        item = QTreeWidgetItem(parent) if parent is not None else QTreeWidgetItem(tree)
        item.setText(0, d.name)
        item.setData(0, ID_ROLE, d.id)
        if counts:
            item.setText(1, str(d.user_count))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if d.id in disabled:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
        items[d.id] = item
    tree.expandAll()
    return items


class DepartmentNameDialog(FormDialog):
    """Name a new sub-department of ``parent`` or rename ``department``."""

    def __init__(self, ctx: AppContext, parent_widget: QWidget, *, parent: DepartmentDTO | None = None,
                 department: DepartmentDTO | None = None) -> None:
        assert (parent is None) != (department is None), "give exactly one of parent / department"
        title = self.tr("Add sub-department") if parent is not None else self.tr("Rename department")
        super().__init__(parent_widget, title=title)
        self.ctx = ctx
        self.parent_dept = parent
        self.department = department
        if parent is not None:
            self.form.addRow(self.tr("Parent department:"), QLabel(parent.name))
        self.name_edit = QLineEdit(department.name if department else "")
        self.name_edit.setMaxLength(100)
        self.add_row("name", self.tr("Name:"), self.name_edit)
        self.setMinimumWidth(380)

    def build_call(self) -> Callable[[], object] | None:
        db, actor, name = self.ctx.db, self.ctx.actor, self.name_edit.text()
        if self.parent_dept is not None:
            parent_id = self.parent_dept.id
            return lambda: departments.create_department(db, actor, name, parent_id=parent_id)
        assert self.department is not None
        dept_id = self.department.id
        return lambda: departments.rename_department(db, actor, dept_id, name=name)


class MoveDepartmentDialog(FormDialog):
    """Pick a new parent for ``department``; its own subtree cannot be picked."""

    def __init__(self, ctx: AppContext, parent_widget: QWidget, *, department: DepartmentDTO,
                 tree: list[DepartmentDTO]) -> None:
        super().__init__(parent_widget, title=self.tr("Move “{name}”").format(name=department.name))
        self.ctx = ctx
        self.department = department
        self.picker = QTreeWidget()
        self.picker.setHeaderHidden(True)
        self.picker.setMinimumHeight(260)
        self.items = fill_tree(self.picker, tree, counts=False, disabled=subtree_ids(tree, department.id))
        current = self.items.get(department.parent_id) if department.parent_id is not None else None
        if current is not None:
            self.picker.setCurrentItem(current)
        self.add_row("new_parent_id", self.tr("New parent:"), self.picker)
        self.picker.currentItemChanged.connect(lambda *_: self._update_ok())
        self.setMinimumWidth(420)
        self._update_ok()

    def chosen_parent_id(self) -> int | None:
        item = self.picker.currentItem()
        return int(item.data(0, ID_ROLE)) if item is not None and item.isSelected() else None

    def choose(self, department_id: int) -> None:
        self.picker.setCurrentItem(self.items[department_id])

    def _update_ok(self) -> None:
        target = self.chosen_parent_id()
        ok = self.buttons.button(self.buttons.StandardButton.Ok)
        ok.setEnabled(target is not None and target != self.department.parent_id)

    def build_call(self) -> Callable[[], object] | None:
        target = self.chosen_parent_id()
        if target is None:
            return None
        db, actor, dept_id = self.ctx.db, self.ctx.actor, self.department.id
        return lambda: departments.move_department(db, actor, dept_id, new_parent_id=target)


class DepartmentsPage(QWidget):
    """The company's department tree with user counts and the four editing commands."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.departments: list[DepartmentDTO] = []
        self._by_id: dict[int, DepartmentDTO] = {}
        self._items: dict[int, QTreeWidgetItem] = {}
        self._generation = 0
        self._select_after_load: int | None = None
        self.message = MessageBar()

        self.add_action = QAction(self.tr("Add sub-department"), self)
        self.rename_action = QAction(self.tr("Rename"), self)
        self.move_action = QAction(self.tr("Move…"), self)
        self.delete_action = QAction(self.tr("Delete"), self)
        self.add_action.triggered.connect(self.add_sub_department)
        self.rename_action.triggered.connect(self.rename_selected)
        self.move_action.triggered.connect(self.move_selected)
        self.delete_action.triggered.connect(self.delete_selected)
        self.actions_ = (self.add_action, self.rename_action, self.move_action, self.delete_action)

        bar = QHBoxLayout()
        for action in self.actions_:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
        bar.addStretch(1)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Department"), self.tr("Users")])
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.itemSelectionChanged.connect(self._update_actions)
        self.tree.itemDoubleClicked.connect(lambda *_: self.rename_action.trigger())

        page_layout(self, self.tr("Departments"), self.message, bar, body=self.tree)

        ctx.signals.changed.connect(self._on_changed)
        self._update_actions()
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the tree in the background; a newer reload wins over an older one."""
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: departments.list_departments(db, actor)).success(
            lambda rows: self._loaded(generation, rows)
        ).failure(self.message.show_exception).run()

    def _loaded(self, generation: int, rows: list[DepartmentDTO]) -> None:
        if generation != self._generation or not alive(self):
            return
        keep = self._select_after_load or self.selected_id()
        self._select_after_load = None
        self.departments = rows
        self._by_id = {d.id: d for d in rows}
        self._items = fill_tree(self.tree, rows, counts=True)
        item = self._items.get(keep) if keep is not None else None
        if item is None and rows:
            item = self._items[rows[0].id]
        if item is not None:
            self.tree.setCurrentItem(item)
        self._update_actions()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    # -- selection and commands -------------------------------------------------------------

    def selected_id(self) -> int | None:
        items = self.tree.selectedItems()
        return int(items[0].data(0, ID_ROLE)) if items else None

    def selected(self) -> DepartmentDTO | None:
        dept_id = self.selected_id()
        return self._by_id.get(dept_id) if dept_id is not None else None

    def select(self, department_id: int) -> None:
        self.tree.setCurrentItem(self._items[department_id])

    def item_for(self, department_id: int) -> QTreeWidgetItem | None:
        return self._items.get(department_id)

    def _update_actions(self) -> None:
        dept = self.selected()
        can = self.ctx.actor.can
        not_top = dept is not None and dept.parent_id is not None
        self.add_action.setEnabled(dept is not None and can("department", "create"))
        self.rename_action.setEnabled(dept is not None and can("department", "edit"))
        self.move_action.setEnabled(not_top and can("department", "edit"))
        self.delete_action.setEnabled(not_top and can("department", "delete"))

    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        menu = QMenu(self)
        menu.addActions(list(self.actions_))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _open(self, dialog: FormDialog) -> FormDialog:
        self.message.clear()
        dialog.saved.connect(self._written)
        dialog.open()
        return dialog

    def _written(self, result: object) -> None:
        if isinstance(result, DepartmentDTO):
            self._select_after_load = result.id
        self.ctx.signals.notify("department", result.id if isinstance(result, DepartmentDTO) else 0)

    def add_sub_department(self) -> DepartmentNameDialog | None:
        """Open the dialog for a new department under the selected one (returned for tests)."""
        dept = self.selected()
        if dept is None:
            return None
        dialog = DepartmentNameDialog(self.ctx, self, parent=dept)
        self._open(dialog)
        return dialog

    def rename_selected(self) -> DepartmentNameDialog | None:
        dept = self.selected()
        if dept is None or not self.rename_action.isEnabled():
            return None
        dialog = DepartmentNameDialog(self.ctx, self, department=dept)
        self._open(dialog)
        return dialog

    def move_selected(self) -> MoveDepartmentDialog | None:
        dept = self.selected()
        if dept is None or dept.parent_id is None:
            return None
        dialog = MoveDepartmentDialog(self.ctx, self, department=dept, tree=self.departments)
        self._open(dialog)
        return dialog

    def delete_selected(self) -> None:
        """Ask, then delete; a refusal (users or sub-departments left) shows in the message bar."""
        dept = self.selected()
        if dept is None:
            return
        self.message.clear()
        answer = QMessageBox.question(
            self, self.tr("Delete department"),
            self.tr("Delete the department “{name}”?").format(name=dept.name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        db, actor, dept_id = self.ctx.db, self.ctx.actor, dept.id
        op(self, lambda: departments.delete_department(db, actor, dept_id), write=True).success(
            lambda _: self.ctx.signals.notify("department", dept_id)
        ).failure(self.message.show_exception).run()
