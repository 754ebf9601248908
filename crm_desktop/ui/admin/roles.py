"""Roles (角色): the role list and the role editor with its permission matrix.

The matrix (``ui.admin.permission_matrix``) has the operation permissions and a data scope per
module; a custom scope (自定义) shows a department tree to tick. The super administrator role
is shown read-only (everything granted, scope "All"); the service refuses changing or deleting
it anyway. Service calls run through ``ui.ops.op``; successful writes call
``ctx.signals.notify("role")``. GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.org import departments, roles
from crm_desktop.services.org.departments import DepartmentDTO
from crm_desktop.services.org.roles import RoleDTO, RoleInput
from crm_desktop.ui.admin.permission_matrix import PermissionMatrix
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormErrors, MessageBar, alive, page_layout
from crm_desktop.ui.i18n import register_field_labels
from crm_desktop.ui.ops import op

__all__ = ["PermissionMatrix", "RolesPage"]

ID_ROLE = Qt.ItemDataRole.UserRole
_WATCHED = {"role", "user", "department", "*"}
register_field_labels({"scope_departments": QT_TRANSLATE_NOOP("fields", "Custom data scope")})


class RolesPage(QWidget):
    """Role list on the left, the selected (or new) role's editor on the right."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.roles: list[RoleDTO] = []
        self.current: RoleDTO | None = None  # None while editing a new role
        self.dirty = False
        self.creating = False  # the editor shows a new, not yet saved role
        self._generation = 0
        self._select_after_load: int | None = None
        self._switching = False

        self.role_list = QListWidget()
        self.role_list.setWordWrap(True)
        self.role_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.role_list.setStyleSheet("QListWidget::item { padding: 3px 2px; }")
        self.role_list.currentItemChanged.connect(self._current_changed)
        self.new_button = QPushButton(self.tr("New role"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.new_button.clicked.connect(self.new_role)
        self.delete_button.clicked.connect(self.delete_current)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.role_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        left_box.addLayout(buttons)

        self.message = MessageBar()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.description_edit = QLineEdit()
        form = QFormLayout()
        self.errors = FormErrors(form, self.message)
        self.errors.add_row("name", self.tr("Name:"), self.name_edit)
        self.errors.add_row("description", self.tr("Description:"), self.description_edit)
        self.matrix = PermissionMatrix()
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.discard_button = QPushButton(self.tr("Discard changes"))
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(self._discard)
        for signal in (self.name_edit.textEdited, self.description_edit.textEdited, self.matrix.changed):
            signal.connect(self._mark_dirty)

        # The editor scrolls when the window is shorter than the grid: its height never
        # pushes the main window past a small screen, and nothing is drawn over anything.
        editor = QWidget()
        editor_box = QVBoxLayout(editor)
        editor_box.setContentsMargins(0, 0, 4, 0)
        editor_box.addLayout(form)
        editor_box.addWidget(self.note)
        editor_box.addWidget(QLabel(self.tr("Operation permissions:")))
        editor_box.addWidget(self.matrix)
        editor_box.addStretch(1)
        self.scroller = scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(editor)
        self.matrix.picker_shown.connect(lambda cell: QTimer.singleShot(0, lambda: self._reveal(cell)))
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self.message)
        right_box.addWidget(scroller, 1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.discard_button)
        save_row.addWidget(self.save_button)
        right_box.addLayout(save_row)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([190, 800])
        page_layout(self, self.tr("Roles"), body=splitter)

        ctx.signals.changed.connect(self._on_changed)
        self._show_role(None)
        self.reload()

    def _reveal(self, cell: QWidget) -> None:
        """Scroll a department tree that just appeared into view. Its place is known only
        once the editor's layout has made room for it, hence the activate() first."""
        if not alive(self) or not cell.isVisible():
            return
        editor = self.scroller.widget()
        layout = editor.layout()
        if layout is not None:
            layout.activate()
        editor.resize(editor.width(), max(editor.height(), editor.minimumSizeHint().height()))
        self.scroller.ensureWidgetVisible(cell, 0, 8)

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the roles in the background; a newer reload wins over an older one."""
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: (roles.list_roles(db, actor), departments.list_departments(db, actor))).success(
            lambda result: self._loaded(generation, *result)).failure(self.message.show_exception).run()

    def _loaded(self, generation: int, rows: list[RoleDTO], tree: list[DepartmentDTO]) -> None:
        if generation != self._generation or not alive(self):
            return
        self.matrix.set_departments(tree)
        keep = self._select_after_load or (self.current.id if self.current else None)
        self._select_after_load = None
        self.roles = rows
        self._switching = True
        try:
            self.role_list.clear()
            for role in rows:
                text = self.tr("{name} (not editable)").format(name=role.name) if role.is_super else role.name
                item = QListWidgetItem(text)
                item.setData(ID_ROLE, role.id)
                item.setToolTip(self.tr("{count} user(s) hold this role.").format(count=role.user_count))
                if role.is_super:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                self.role_list.addItem(item)
        finally:
            self._switching = False
        fresh = next((r for r in rows if r.id == keep), None)
        if self.creating or (fresh is not None and self.dirty):
            self._highlight(fresh.id if fresh and not self.creating else None)  # keep unsaved edits on screen
            if fresh is not None and not self.creating:
                self.current = fresh
        else:
            target = fresh or (rows[0] if rows else None)
            self._highlight(target.id if target else None)
            self._show_role(target, keep_message=fresh is not None)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    # -- showing a role --------------------------------------------------------------------

    def role_item(self, role_id: int) -> QListWidgetItem | None:
        for i in range(self.role_list.count()):
            if self.role_list.item(i).data(ID_ROLE) == role_id:
                return self.role_list.item(i)
        return None

    def _highlight(self, role_id: int | None) -> None:
        self._switching = True
        try:
            item = self.role_item(role_id) if role_id is not None else None
            self.role_list.setCurrentItem(item)
        finally:
            self._switching = False

    def select_role(self, role_id: int) -> None:
        """Show a role in the editor as if the user clicked it in the list."""
        item = self.role_item(role_id)
        if item is not None:
            self.role_list.setCurrentItem(item)

    def _current_changed(self, item: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if self._switching or item is None:
            return
        if self.dirty and not self._confirm_discard():
            self._highlight(int(previous.data(ID_ROLE)) if previous is not None else None)
            return
        role_id = int(item.data(ID_ROLE))
        self._show_role(next((r for r in self.roles if r.id == role_id), None))

    def _confirm_discard(self) -> bool:
        name = self.current.name if self.current and not self.creating else self.tr("the new role")
        answer = QMessageBox.question(
            self, self.tr("Unsaved changes"), self.tr("Discard your changes to {name}?").format(name=name))
        return answer == QMessageBox.StandardButton.Yes

    def _show_role(self, role: RoleDTO | None, *, new: bool = False, keep_message: bool = False) -> None:
        """Fill the editor from ``role`` (or empty for a new role); no role and not new = nothing to edit.

        ``keep_message`` leaves the message bar alone (a reload after "saved" should not hide it).
        """
        self.current = role
        self.creating = new
        message = (self.message.text(), self.message.property("tone")) if keep_message else None
        self.errors.clear()
        if message and message[0]:
            (self.message.show_info if message[1] == "info" else self.message.show_error)(message[0])
        can = self.ctx.actor.can
        super_role = role is not None and role.is_super
        editable = (new and can("role", "create")) or (role is not None and not super_role and can("role", "edit"))
        self.name_edit.setText(role.name if role else "")
        self.description_edit.setText(role.description if role else "")
        self.name_edit.setReadOnly(not editable)
        self.description_edit.setReadOnly(not editable)
        self.matrix.load(role.permissions if role else frozenset(), dict(role.scopes) if role else {},
                         read_only=not editable, everything=super_role,
                         scope_departments=role.scope_departments if role else None)
        if super_role:
            self.note.setText(self.tr("The super administrator has every permission and sees all data. "
                                      "This role cannot be changed or deleted."))
        elif role is not None:
            self.note.setText(self.tr("{count} user(s) hold this role.").format(count=role.user_count))
        else:
            self.note.setText(self.tr("A new role: give it a name, tick its permissions and save.") if new else "")
        self.save_button.setEnabled(editable)
        self.discard_button.setEnabled(editable)
        self.delete_button.setEnabled(role is not None and not super_role and can("role", "delete"))
        self.new_button.setEnabled(can("role", "create"))
        self.dirty = False

    def _mark_dirty(self) -> None:
        self.dirty = True

    def _discard(self) -> None:
        self._show_role(self.current, new=self.creating)

    # -- commands --------------------------------------------------------------------------

    def new_role(self) -> None:
        """Start editing a new, empty role."""
        if self.dirty and not self._confirm_discard():
            return
        self._highlight(None)
        self._show_role(None, new=True)
        self.name_edit.setFocus()

    def save(self) -> None:
        """Create or update the role shown; errors appear beside the name or above the matrix."""
        self.errors.clear()
        data = RoleInput(name=self.name_edit.text(), description=self.description_edit.text(),
                         permissions=self.matrix.permissions(), scopes=self.matrix.scopes(),
                         scope_departments=self.matrix.scope_departments())
        db, actor = self.ctx.db, self.ctx.actor
        role_id = self.current.id if self.current else None
        if role_id is None:
            call = lambda: roles.create_role(db, actor, data)  # noqa: E731
        else:
            call = lambda: roles.update_role(db, actor, role_id, data)  # noqa: E731
        self.save_button.setEnabled(False)
        op(self, call, write=True).success(self._saved).failure(self._save_failed).run()

    def _saved(self, role: RoleDTO) -> None:
        if not alive(self):
            return
        self.dirty = False
        self.creating = False
        self.current = role
        self._select_after_load = role.id
        self.save_button.setEnabled(True)
        self.message.show_info(self.tr("Role “{name}” saved.").format(name=role.name))
        self.ctx.signals.notify("role", role.id)

    def _save_failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self.save_button.setEnabled(True)
        self.errors.show(exc)

    def delete_current(self) -> None:
        """Ask, then delete; a role still held by users is refused and the reason shown."""
        role = self.current
        if role is None or role.is_super:
            return
        answer = QMessageBox.question(
            self, self.tr("Delete role"), self.tr("Delete the role “{name}”?").format(name=role.name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.errors.clear()
        db, actor, role_id = self.ctx.db, self.ctx.actor, role.id
        op(self, lambda: roles.delete_role(db, actor, role_id), write=True).success(
            lambda _: self._deleted(role_id)).failure(self.errors.show).run()

    def _deleted(self, role_id: int) -> None:
        self.dirty = False
        self.current = None
        self.ctx.signals.notify("role", role_id)
