"""Users (员工): the list, the user dialog, enable/disable and password reset.

Users are never deleted, only disabled, so their records keep an owner. The company's user
list is small, so the page loads it whole and filters it in Python as the user types.
Every service call runs through ``ui.ops.op``; successful writes call
``ctx.signals.notify("user")`` and every admin view reloads from ``changed``. GUI thread only.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QWidget,
)

from crm_desktop.services.org import auth, departments, roles, users
from crm_desktop.services.org.departments import DepartmentDTO
from crm_desktop.services.org.roles import RoleDTO
from crm_desktop.services.org.users import UserDTO, UserInput
from crm_desktop.ui.admin.departments import department_depths
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog, MessageBar, alive, page_layout
from crm_desktop.ui.ops import op

ID_ROLE = Qt.ItemDataRole.UserRole
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 1
_WATCHED = {"user", "department", "role", "*"}
_Index = QModelIndex | QPersistentModelIndex


def is_locked(user: UserDTO, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now(dt.timezone.utc)
    return user.locked_until is not None and user.locked_until > now


class UserTableModel(QAbstractTableModel):
    """All users as rows; ``set_filter`` narrows them to a name/mobile match."""

    COLUMNS = ("name", "mobile", "department", "position", "superior", "roles", "status", "locked")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[UserDTO] = []
        self._rows: list[UserDTO] = []
        self._filter = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._titles = (
            self.tr("Name"), self.tr("Mobile"), self.tr("Department"), self.tr("Position"),
            self.tr("Superior"), self.tr("Roles"), self.tr("Status"), self.tr("Locked"),
        )

    def set_users(self, rows: list[UserDTO]) -> None:
        self._all = list(rows)
        self._refilter()

    def set_filter(self, text: str) -> None:
        self._filter = text.strip().casefold()
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        needle = self._filter
        self._rows = [u for u in self._all if not needle or needle in u.name.casefold() or needle in u.mobile]
        if self._sort is not None:
            self._apply_sort(*self._sort)
        self.endResetModel()

    def user_at(self, row: int) -> UserDTO | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, user_id: int) -> int:
        return next((i for i, u in enumerate(self._rows) if u.id == user_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._titles[section]
        return None

    def text(self, user: UserDTO, column: str) -> str:
        if column == "department":
            return user.department_name
        if column == "superior":
            return user.superior_name
        if column == "roles":
            return ", ".join(user.role_names)
        if column == "status":
            return self.tr("Enabled") if user.enabled else self.tr("Disabled")
        if column == "locked":
            if not is_locked(user):
                return ""
            assert user.locked_until is not None
            until = user.locked_until.astimezone()
            # Lock-outs last minutes, so the date only matters when it is not today.
            shown = until.strftime("%H:%M" if until.date() == dt.date.today() else "%Y-%m-%d %H:%M")
            return self.tr("Until {time}").format(time=shown)
        return str(getattr(user, column))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        user = self.user_at(index.row()) if index.isValid() else None
        if user is None:
            return None
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(user, column)
        if role == ID_ROLE:
            return user.id
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == "locked" and is_locked(user):
                return QBrush(QColor("#c62828"))
            if not user.enabled:
                return QBrush(QColor("#8a8a8a"))
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort(column, order)
        self.layoutChanged.emit()

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):  # no sort column: the service's order
            position = {u.id: i for i, u in enumerate(self._all)}
            self._rows.sort(key=lambda u: position[u.id])
            return
        key = self.COLUMNS[column]
        self._rows.sort(key=lambda u: self.text(u, key), reverse=order == Qt.SortOrder.DescendingOrder)


class _IndentDelegate(QStyledItemDelegate):
    """Indents each popup entry by its depth, so the department list reads like the tree
    while the closed combo shows just the name."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:  # noqa: N802 - Qt API
        super().initStyleOption(option, index)
        option.rect.adjust(18 * int(index.data(DEPTH_ROLE) or 0), 0, 0, 0)


def fill_department_combo(combo: QComboBox, depts: list[DepartmentDTO]) -> None:
    """Departments in tree order, indented by depth in the popup; the full path is the tooltip."""
    depths = department_depths(depts)
    names = {d.id: d.name for d in depts}
    parents = {d.id: d.parent_id for d in depts}
    combo.setItemDelegate(_IndentDelegate(combo))
    for d in depts:
        path, node = [], d.id
        while node is not None:
            path.append(names[node])
            node = parents.get(node)
        combo.addItem(d.name, d.id)
        combo.setItemData(combo.count() - 1, depths[d.id], DEPTH_ROLE)
        combo.setItemData(combo.count() - 1, " / ".join(reversed(path)), Qt.ItemDataRole.ToolTipRole)


class UserDialog(FormDialog):
    """Create a user (with an initial password) or edit one; errors appear beside the fields."""

    def __init__(self, ctx: AppContext, parent: QWidget, *, user: UserDTO | None, all_users: list[UserDTO],
                 depts: list[DepartmentDTO], all_roles: list[RoleDTO]) -> None:
        super().__init__(parent, title=self.tr("Edit user") if user else self.tr("New user"))
        self.ctx = ctx
        self.user = user
        self.mobile = QLineEdit(user.mobile if user else "")
        self.name = QLineEdit(user.name if user else "")
        self.gender = QComboBox()
        for value, label in (("", "—"), ("male", self.tr("Male")), ("female", self.tr("Female"))):
            self.gender.addItem(label, value)
        self.gender.setCurrentIndex(max(0, self.gender.findData(user.gender if user else "")))
        self.email = QLineEdit(user.email if user else "")
        self.department = QComboBox()
        fill_department_combo(self.department, depts)
        if user is not None:
            self.department.setCurrentIndex(max(0, self.department.findData(user.department_id)))
        self.position = QLineEdit(user.position if user else "")
        self.superior = QComboBox()
        self.superior.addItem("—", None)
        for other in all_users:
            if user is not None and other.id == user.id:
                continue
            if other.enabled or (user is not None and other.id == user.superior_id):
                label = (self.tr("{name} ({department})").format(name=other.name, department=other.department_name)
                         if other.department_name else other.name)
                self.superior.addItem(label, other.id)
        if user is not None and user.superior_id is not None:
            self.superior.setCurrentIndex(max(0, self.superior.findData(user.superior_id)))
        self.roles = QListWidget()
        held = set(user.role_ids) if user else set()
        for role in all_roles:
            item = QListWidgetItem(role.name)
            item.setData(ID_ROLE, role.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if role.id in held else Qt.CheckState.Unchecked)
            if role.description:
                item.setToolTip(role.description)
            self.roles.addItem(item)
        self.roles.setMaximumHeight(max(60, min(8, len(all_roles)) * 22 + 8))

        self.add_row("mobile", self.tr("Mobile:"), self.mobile)
        self.add_row("name", self.tr("Name:"), self.name)
        self.add_row("gender", self.tr("Gender:"), self.gender)
        self.add_row("email", self.tr("E-mail:"), self.email)
        self.add_row("department_id", self.tr("Department:"), self.department)
        self.add_row("position", self.tr("Position:"), self.position)
        self.add_row("superior_id", self.tr("Direct superior:"), self.superior)
        self.add_row("role_ids", self.tr("Roles:"), self.roles)
        self.password: QLineEdit | None = None
        if user is None:
            self.password = QLineEdit()
            self.password.setEchoMode(QLineEdit.EchoMode.Password)
            self.password.setPlaceholderText(self.tr("At least 8 characters with letters and digits"))
            self.add_row("password", self.tr("Initial password:"), self.password)
        self.setMinimumWidth(460)

    def chosen_role_ids(self) -> tuple[int, ...]:
        return tuple(
            int(self.roles.item(i).data(ID_ROLE)) for i in range(self.roles.count())
            if self.roles.item(i).checkState() == Qt.CheckState.Checked
        )

    def set_roles(self, role_ids: set[int]) -> None:
        for i in range(self.roles.count()):
            item = self.roles.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in role_ids else Qt.CheckState.Unchecked)

    def choose_superior(self, user_id: int | None) -> None:
        self.superior.setCurrentIndex(self.superior.findData(user_id))

    def choose_department(self, department_id: int) -> None:
        self.department.setCurrentIndex(self.department.findData(department_id))

    def build_call(self) -> Callable[[], object] | None:
        department_id = self.department.currentData()
        data = UserInput(
            mobile=self.mobile.text(), name=self.name.text(),
            department_id=int(department_id) if department_id is not None else 0,
            gender=str(self.gender.currentData() or ""), email=self.email.text(), position=self.position.text(),
            superior_id=self.superior.currentData(), role_ids=self.chosen_role_ids(),
        )
        db, actor = self.ctx.db, self.ctx.actor
        if self.user is None:
            assert self.password is not None
            password = self.password.text()
            return lambda: users.create_user(db, actor, data, password=password)
        user_id = self.user.id
        return lambda: users.update_user(db, actor, user_id, data)


class ResetPasswordDialog(FormDialog):
    """An administrator sets a new password for ``user`` (this also lifts a lock-out)."""

    def __init__(self, ctx: AppContext, parent: QWidget, *, user: UserDTO) -> None:
        super().__init__(parent, title=self.tr("Reset password of {name}").format(name=user.name))
        self.ctx = ctx
        self.user = user
        self.new_password = QLineEdit()
        self.repeat = QLineEdit()
        for edit in (self.new_password, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setPlaceholderText(self.tr("At least 8 characters with letters and digits"))
        self.add_row("new_password", self.tr("New password:"), self.new_password)
        self.add_row("repeat", self.tr("Repeat:"), self.repeat)
        self.setMinimumWidth(420)

    def build_call(self) -> Callable[[], object] | None:
        if self.new_password.text() != self.repeat.text():
            self.errors.set_field_error("repeat", self.tr("The two passwords are not the same."))
            return None
        db, actor, user_id, password = self.ctx.db, self.ctx.actor, self.user.id, self.new_password.text()
        return lambda: auth.reset_password(db, actor, user_id, new_password=password)


class UsersPage(QWidget):
    """The user list with search, the user dialog, enable/disable and password reset."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.users: list[UserDTO] = []
        self.departments: list[DepartmentDTO] = []
        self.roles: list[RoleDTO] = []
        self._generation = 0
        self._select_after_load: int | None = None
        self.message = MessageBar()

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search by name or mobile"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.new_action = QAction(self.tr("New user"), self)
        self.edit_action = QAction(self.tr("Edit"), self)
        self.toggle_action = QAction(self.tr("Disable"), self)
        self.reset_action = QAction(self.tr("Reset password"), self)
        self.new_action.triggered.connect(self.new_user)
        self.edit_action.triggered.connect(self.edit_selected)
        self.toggle_action.triggered.connect(self.toggle_enabled)
        self.reset_action.triggered.connect(self.reset_password)

        bar = QHBoxLayout()
        bar.addWidget(self.search)
        for action in (self.new_action, self.edit_action, self.toggle_action, self.reset_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
        bar.addStretch(1)

        self.model = UserTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # keeps the service's order until a header is clicked
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((100, 110, 140, 100, 90, 160, 70)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda *_: self.edit_action.trigger())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.model.modelReset.connect(self._update_actions)
        self.search.textChanged.connect(self.model.set_filter)

        page_layout(self, self.tr("Users"), self.message, bar, body=self.table)

        ctx.signals.changed.connect(self._on_changed)
        self._update_actions()
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch users, departments and roles together in the background; newest wins."""
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor

        def fetch() -> tuple[list[UserDTO], list[DepartmentDTO], list[RoleDTO]]:
            return users.list_users(db, actor), departments.list_departments(db, actor), roles.list_roles(db, actor)

        op(self, fetch).success(lambda result: self._loaded(generation, *result)).failure(
            self.message.show_exception).run()

    def _loaded(self, generation: int, rows: list[UserDTO], depts: list[DepartmentDTO],
                role_rows: list[RoleDTO]) -> None:
        if generation != self._generation or not alive(self):
            return
        keep = self._select_after_load or self.selected_id()
        self._select_after_load = None
        self.users, self.departments, self.roles = rows, depts, role_rows
        self.model.set_users(rows)
        if keep is not None:
            self.select(keep)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    # -- selection -------------------------------------------------------------------------

    def selected(self) -> UserDTO | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.user_at(rows[0].row()) if rows else None

    def selected_id(self) -> int | None:
        user = self.selected()
        return user.id if user else None

    def select(self, user_id: int) -> bool:
        row = self.model.row_of(user_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        return True

    def _update_actions(self) -> None:
        user = self.selected()
        can = self.ctx.actor.can
        self.new_action.setEnabled(can("user", "create"))
        self.edit_action.setEnabled(user is not None and can("user", "edit"))
        self.toggle_action.setText(self.tr("Enable") if user is not None and not user.enabled else self.tr("Disable"))
        self.toggle_action.setEnabled(user is not None and can("user", "disable"))
        self.reset_action.setEnabled(user is not None and can("user", "reset_password"))

    # -- commands --------------------------------------------------------------------------

    def _written(self, result: object) -> None:
        user_id = result.id if isinstance(result, UserDTO) else 0
        if user_id:
            self._select_after_load = user_id
        self.ctx.signals.notify("user", user_id)

    def new_user(self) -> UserDialog:
        """Open the new-user dialog (returned so tests can fill it)."""
        self.message.clear()
        dialog = UserDialog(self.ctx, self, user=None, all_users=self.users, depts=self.departments,
                            all_roles=self.roles)
        dialog.saved.connect(self._written)
        dialog.open()
        return dialog

    def edit_selected(self) -> UserDialog | None:
        user = self.selected()
        if user is None:
            return None
        self.message.clear()
        dialog = UserDialog(self.ctx, self, user=user, all_users=self.users, depts=self.departments,
                            all_roles=self.roles)
        dialog.saved.connect(self._written)
        dialog.open()
        return dialog

    def reset_password(self) -> ResetPasswordDialog | None:
        user = self.selected()
        if user is None:
            return None
        self.message.clear()
        dialog = ResetPasswordDialog(self.ctx, self, user=user)
        name = user.name
        dialog.saved.connect(lambda _: self.message.show_info(self.tr("The password of {name} was reset.").format(
            name=name)))
        dialog.saved.connect(lambda _: self.ctx.signals.notify("user", user.id))
        dialog.open()
        return dialog

    def toggle_enabled(self) -> None:
        """Ask, then disable (or enable) the selected user; a refusal shows in the message bar."""
        user = self.selected()
        if user is None:
            return
        self.message.clear()
        enable = not user.enabled
        if enable:
            title, text = self.tr("Enable user"), self.tr("Enable {name}? They can log in again.")
        else:
            title = self.tr("Disable user")
            text = self.tr("Disable {name}? They can no longer log in; their records stay theirs.")
        if QMessageBox.question(self, title, text.format(name=user.name)) != QMessageBox.StandardButton.Yes:
            return
        db, actor, user_id = self.ctx.db, self.ctx.actor, user.id
        op(self, lambda: users.set_enabled(db, actor, user_id, enabled=enable), write=True).success(
            lambda _: self.ctx.signals.notify("user", user_id)
        ).failure(self.message.show_exception).run()
