"""Field permissions (字段权限): per role and module, each field editable · read-only · hidden.

A role and a module on top; below, one row per field with three radio buttons. Required
fields cannot be hidden (nobody with the role could create a record), so their "hidden"
choice is disabled. The super administrator always sees and edits every field: that role is
shown but cannot be changed. Reading needs role/view, saving role/edit (the services check
again). GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.org import roles
from crm_desktop.services.org.roles import RoleDTO
from crm_desktop.services.records import schema_admin
from crm_desktop.services.records.schema import Access, FieldSpec
from crm_desktop.ui.admin.custom_fields import field_text, fill_entity_combo, show_error
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar, alive, page_layout
from crm_desktop.ui.ops import op

_WATCHED = {"role", "schema", "*"}
_CHOICES = (Access.EDIT, Access.READ, Access.HIDDEN)


class FieldPermissionsPage(QWidget):
    """Role × module chooser and the fields × access grid."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.roles: list[RoleDTO] = []
        self.fields: list[FieldSpec] = []
        self.groups: dict[str, QButtonGroup] = {}
        self.dirty = False
        self._generation = 0
        self._shown: tuple[int, str] | None = None  # the (role, module) the grid holds

        self.role_combo = QComboBox()
        self.role_combo.setMinimumWidth(180)
        self.entity_combo = QComboBox()
        fill_entity_combo(self.entity_combo)
        self.role_combo.activated.connect(lambda *_: self._choice_changed())
        self.entity_combo.activated.connect(lambda *_: self._choice_changed())
        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Role:")))
        tools.addWidget(self.role_combo)
        tools.addSpacing(12)
        tools.addWidget(QLabel(self.tr("Module:")))
        tools.addWidget(self.entity_combo)
        tools.addStretch(1)
        self.message = MessageBar()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Editable"), self.tr("Read-only"),
                                              self.tr("Hidden")])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, 110)
        self.table.setMaximumWidth(760)

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.discard_button = QPushButton(self.tr("Discard changes"))
        self.all_editable_button = QPushButton(self.tr("All editable"))
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(self._load_grid)
        self.all_editable_button.clicked.connect(self.set_all_editable)
        save_row = QHBoxLayout()
        save_row.addWidget(self.all_editable_button)
        save_row.addStretch(1)
        save_row.addWidget(self.discard_button)
        save_row.addWidget(self.save_button)

        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.note)
        box.addWidget(self.table, 1)
        box.addLayout(save_row)
        page_layout(self, self.tr("Field permissions"), self.message, tools, body=body)
        ctx.signals.changed.connect(self._on_changed)
        self._sync_enabled()
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the roles, then the chosen role's grid."""
        self._generation += 1
        generation, db, actor = self._generation, self.ctx.db, self.ctx.actor
        op(self, lambda: roles.list_roles(db, actor)).success(
            lambda rows: self._roles_loaded(generation, rows)).failure(self.message.show_exception).run()

    def _roles_loaded(self, generation: int, rows: list[RoleDTO]) -> None:
        if generation != self._generation or not alive(self):
            return
        keep = self.role_id()
        self.roles = rows
        self.role_combo.clear()
        for role in rows:
            self.role_combo.addItem(role.name, role.id)
        index = self.role_combo.findData(keep) if keep is not None else -1
        if index < 0:  # start on the first role that can be restricted
            index = next((i for i, r in enumerate(rows) if not r.is_super), 0)
        self.role_combo.setCurrentIndex(index)
        if not self.dirty:
            self._load_grid()

    def role_id(self) -> int | None:
        data = self.role_combo.currentData()
        return int(data) if data is not None else None

    def entity(self) -> str:
        return str(self.entity_combo.currentData())

    def current_role(self) -> RoleDTO | None:
        return next((r for r in self.roles if r.id == self.role_id()), None)

    def select(self, role_id: int, entity: str) -> None:
        """Choose a role and module as a user would (loads that grid)."""
        self.role_combo.setCurrentIndex(self.role_combo.findData(role_id))
        self.entity_combo.setCurrentIndex(self.entity_combo.findData(entity))
        self._choice_changed()

    def _choice_changed(self) -> None:
        if self.dirty and self._shown is not None:
            answer = QMessageBox.question(self, self.tr("Unsaved changes"),
                                          self.tr("Discard your changes to these field permissions?"))
            if answer != QMessageBox.StandardButton.Yes:
                role_id, entity = self._shown
                self.role_combo.setCurrentIndex(self.role_combo.findData(role_id))
                self.entity_combo.setCurrentIndex(self.entity_combo.findData(entity))
                return
        self._load_grid()

    def _load_grid(self) -> None:
        role_id, entity = self.role_id(), self.entity()
        if role_id is None:
            return
        self.dirty = False
        db, actor = self.ctx.db, self.ctx.actor
        self._generation += 1
        generation = self._generation

        def work() -> tuple[list[FieldSpec], dict[str, Access]]:
            return (schema_admin.permission_fields(db, actor, entity),
                    schema_admin.get_field_permissions(db, actor, role_id, entity))

        op(self, work).success(lambda result: self._grid_loaded(generation, role_id, entity, *result)).failure(
            self.message.show_exception).run()

    def _grid_loaded(self, generation: int, role_id: int, entity: str, fields: list[FieldSpec],
                     access: dict[str, Access]) -> None:
        if generation != self._generation or not alive(self) or not alive(self.table):  # the window is closing
            return
        self._shown = (role_id, entity)
        self.fields = fields
        for group in self.groups.values():  # owned by the page: would pile up over reloads
            group.deleteLater()
        self.groups = {}
        self.table.setRowCount(len(fields))
        for row, spec in enumerate(fields):
            text = field_text(spec)
            if spec.hidden:
                text = self.tr("{field} (hidden for everyone)").format(field=text)
            elif spec.required:
                text = self.tr("{field} (required)").format(field=text)
            self.table.setItem(row, 0, QTableWidgetItem(text))
            group = QButtonGroup(self)
            for col, choice in enumerate(_CHOICES, start=1):
                radio = QRadioButton()
                radio.setObjectName(f"{spec.name}:{choice.value}")
                if choice is Access.HIDDEN and spec.required and not spec.hidden:
                    radio.setEnabled(False)
                    radio.setToolTip(self.tr("A required field cannot be hidden: "
                                             "nobody with this role could create a record."))
                group.addButton(radio, col)
                cell = QWidget()
                cell_box = QHBoxLayout(cell)
                cell_box.setContentsMargins(0, 0, 0, 0)
                cell_box.setAlignment(Qt.AlignmentFlag.AlignCenter)
                cell_box.addWidget(radio)
                self.table.setCellWidget(row, col, cell)
            group.button(_CHOICES.index(access.get(spec.name, Access.EDIT)) + 1).setChecked(True)
            group.idToggled.connect(self._toggled)
            self.groups[spec.name] = group
        self._sync_enabled()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    # -- the grid --------------------------------------------------------------------------

    def access(self) -> dict[str, Access]:
        """The grid's choices, every field named."""
        return {name: _CHOICES[group.checkedId() - 1] for name, group in self.groups.items()}

    def set_access(self, field: str, access: Access) -> None:
        """Click a field's radio button as a user would."""
        self.groups[field].button(_CHOICES.index(access) + 1).click()

    def set_all_editable(self) -> None:
        for name in self.groups:
            self.set_access(name, Access.EDIT)

    def _toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self.dirty = True

    def _sync_enabled(self) -> None:
        """Read-only for the super administrator role and without role/edit permission."""
        role = self.current_role()
        can_edit = self.ctx.actor.can("role", "edit")
        editable = can_edit and role is not None and not role.is_super
        if role is not None and role.is_super:
            self.note.setText(self.tr("The super administrator always sees and edits every field; "
                                      "field permissions cannot restrict this role."))
        elif not can_edit:
            self.note.setText(self.tr("You may look at field permissions but not change them."))
        else:
            self.note.setText(self.tr("A user with several roles gets the widest access any of them grants. "
                                      "Hidden fields never reach the user's lists, forms, exports or search."))
        self.table.setEnabled(editable)
        for button in (self.save_button, self.discard_button, self.all_editable_button):
            button.setEnabled(editable)

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        if self._shown is None:
            return
        role_id, entity = self._shown
        access = {name: level for name, level in self.access().items() if level is not Access.EDIT}
        db, actor = self.ctx.db, self.ctx.actor
        self.message.clear()
        self.save_button.setEnabled(False)
        op(self, lambda: schema_admin.set_field_permissions(db, actor, role_id, entity, access), write=True).success(
            lambda _r: self._saved(role_id)).failure(self._save_failed).run()

    def _saved(self, role_id: int) -> None:
        if not alive(self):
            return
        self.dirty = False
        self.save_button.setEnabled(True)
        role = next((r for r in self.roles if r.id == role_id), None)
        self.message.show_info(self.tr("Field permissions of “{role}” saved.").format(role=role.name if role else ""))
        self.ctx.signals.notify("field_permission", role_id)

    def _save_failed(self, exc: BaseException) -> None:
        if alive(self):
            self.save_button.setEnabled(True)
            show_error(self.message, exc)
