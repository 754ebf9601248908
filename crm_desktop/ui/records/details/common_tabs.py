"""Detail page tabs: basic info (every visible field), team (相关团队) and the operation log.

A customer's contacts live in contacts.py, attachments in attachments.py, follow-ups in
followups.py; which entity shows which tab is its view spec's (``specs``).
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.org import users
from crm_desktop.services.org.users import UserDTO
from crm_desktop.services.records.records import TeamMemberDTO
from crm_desktop.services.records.schema import FieldType
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import (
    DetailData,
    DetailTab,
    DetailTarget,
    display_value,
    field_title,
    is_visible,
    make_tree,
)
from crm_desktop.ui.records.shared.operation_log import OperationLogView

#: Long texts take a whole row of the basic-info grid.
WIDE_TYPES = (FieldType.TEXTAREA,)
LABEL_STYLE = "color: #666;"


# --- basic info -------------------------------------------------------------------------


class BasicInfoTab(DetailTab):
    """Every field of the schema the actor may see, as label: value in two columns.

    Choice and dictionary values read as their labels; values are selectable text.
    Public for tests: ``values`` (field name → the QLabel showing its value), ``value_text``.
    """

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.values: dict[str, QLabel] = {}
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(16, 12, 16, 12)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(10)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._grid_host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message_label)

    def value_text(self, name: str) -> str:
        return self.values[name].text()

    def show_record(self, data: DetailData) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.values = {}
        row, column = 0, 0
        for spec in data.schema.fields:
            if not is_visible(data.record, spec.name):
                continue
            label = QLabel(field_title(spec))
            label.setStyleSheet(LABEL_STYLE)
            value = QLabel(display_value(spec, data) or "—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # Long texts read from their first line; short values line up with their label.
            vertical = Qt.AlignmentFlag.AlignTop if spec.type in WIDE_TYPES else Qt.AlignmentFlag.AlignVCenter
            label.setAlignment(Qt.AlignmentFlag.AlignRight | vertical)
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | vertical)
            self.values[spec.name] = value
            if spec.type in WIDE_TYPES:
                if column:
                    row, column = row + 1, 0
                self._grid.addWidget(label, row, 0)
                self._grid.addWidget(value, row, 1, 1, 4)
                row += 1
                continue
            self._grid.addWidget(label, row, column)
            self._grid.addWidget(value, row, column + 1)
            if column:
                row, column = row + 1, 0
            else:
                column = 3
        self._grid.setColumnMinimumWidth(2, 24)
        self._grid.setColumnStretch(1, 1)
        self._grid.setColumnStretch(4, 1)
        self._grid.setRowStretch(row + 1, 1)


# --- team -------------------------------------------------------------------------------


class TeamMemberDialog(QDialog):
    """Choose a person (``people``: (user id, text) pairs) and their access (read / read-write).
    Public: ``user_combo``,
    ``access_combo``, ``selected_user_id()``, ``selected_access()``, ``select(user_id, access)``."""

    def __init__(
        self, people: Sequence[tuple[int, str]], *, title: str, access: str = "read", fixed_user: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.user_combo = QComboBox()
        for user_id, text in people:
            self.user_combo.addItem(text, user_id)
        self.access_combo = QComboBox()
        self.access_combo.addItem(self.tr("Read"), "read")
        self.access_combo.addItem(self.tr("Read and write"), "write")
        self.access_combo.setCurrentIndex(self.access_combo.findData(access))
        if fixed_user is not None:
            self.user_combo.setCurrentIndex(self.user_combo.findData(fixed_user))
            self.user_combo.setEnabled(False)
        form = QFormLayout()
        form.addRow(self.tr("Person"), self.user_combo)
        form.addRow(self.tr("Access"), self.access_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(self.user_combo.count() > 0)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)

    def select(self, user_id: int, access: str) -> None:
        self.user_combo.setCurrentIndex(self.user_combo.findData(user_id))
        self.access_combo.setCurrentIndex(self.access_combo.findData(access))

    def selected_user_id(self) -> int | None:
        data = self.user_combo.currentData()
        return int(data) if data is not None else None

    def selected_access(self) -> str:
        return str(self.access_combo.currentData())


class TeamTab(DetailTab):
    """The owner first, then team members with read or read-write access; add, change, remove.

    Public for tests: ``tree``, ``members``, the buttons, ``dialog`` (the last member dialog),
    ``select_member(user_id)``, ``set_member(user_id, access)``.
    """

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.members: list[TeamMemberDTO] = []
        self._owner: tuple[int | None, str] = (None, "")
        self.dialog: TeamMemberDialog | None = None
        self.tree = make_tree([self.tr("Name"), self.tr("Access")], (220,))
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.add_button = QPushButton(self.tr("Add member"))
        self.change_button = QPushButton(self.tr("Change access"))
        self.remove_button = QPushButton(self.tr("Remove"))
        may_edit = self.can(target.entity, "edit")
        for button in (self.add_button, self.change_button, self.remove_button):
            button.setVisible(may_edit)
        self.add_button.clicked.connect(self.add_member)
        self.change_button.clicked.connect(self.change_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        tools = QHBoxLayout()
        for button in (self.add_button, self.change_button, self.remove_button):
            tools.addWidget(button)
        tools.addStretch(1)
        hint = QLabel(self.tr("Team members see this record whatever their data scope; "
                              "read-write members may also edit it."))
        hint.setStyleSheet(LABEL_STYLE)
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(hint)
        layout.addWidget(self.message_label)
        self._update_buttons()

    def show_record(self, data: DetailData) -> None:
        self._owner = (data.record.owner_id, data.record.owner_name)
        self._fill()

    def reload(self) -> None:
        db, actor, service, record_id = self.ctx.db, self.ctx.actor, self.target.service, self.target.record_id
        self._loading = True
        op(self, lambda: service.team(db, actor, record_id)).success(self._show).failure(self.failed).run()

    def _show(self, members: list[TeamMemberDTO]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.members = members
        self._fill()

    def _fill(self) -> None:
        selected = self.selected_user_id()
        self.tree.clear()
        owner_id, owner_name = self._owner
        if owner_id is not None:
            owner = QTreeWidgetItem([owner_name, self.tr("Owner")])
            owner.setData(0, Qt.ItemDataRole.UserRole, None)
            font = owner.font(0)
            font.setBold(True)
            owner.setFont(0, font)
            self.tree.addTopLevelItem(owner)
        for member in self.members:
            item = QTreeWidgetItem([member.user_name, self.access_text(member.access)])
            item.setData(0, Qt.ItemDataRole.UserRole, member.user_id)
            self.tree.addTopLevelItem(item)
        if selected is not None:
            self.select_member(selected)
        self._update_buttons()

    def access_text(self, access: str) -> str:
        return self.tr("Read and write") if access == "write" else self.tr("Read")

    def selected_user_id(self) -> int | None:
        items = self.tree.selectedItems()
        data = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return int(data) if data is not None else None

    def select_member(self, user_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == user_id:
                self.tree.setCurrentItem(item)
                return

    def _update_buttons(self) -> None:
        member = self.selected_user_id() is not None
        self.change_button.setEnabled(member)
        self.remove_button.setEnabled(member)

    def add_member(self) -> None:
        """Read the enabled users, then offer those not yet owner or member."""
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: users.list_users(db, actor, include_disabled=False)).success(
            self._open_add).failure(self.failed).run()

    def _open_add(self, people: list[UserDTO]) -> None:
        if not isValid(self):
            return
        taken = {m.user_id for m in self.members} | {self._owner[0]}
        choices = [
            (p.id, f"{p.name} · {p.department_name}" if p.department_name else p.name)
            for p in people if p.id not in taken
        ]
        dialog = TeamMemberDialog(choices, title=self.tr("Add team member"), parent=self)
        self._open_dialog(dialog)

    def change_selected(self) -> None:
        user_id = self.selected_user_id()
        member = next((m for m in self.members if m.user_id == user_id), None)
        if member is None:
            return
        dialog = TeamMemberDialog([(member.user_id, member.user_name)], title=self.tr("Change access"), access=member.access,
                                  fixed_user=member.user_id, parent=self)
        self._open_dialog(dialog)

    def _open_dialog(self, dialog: TeamMemberDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.set_member(dialog.selected_user_id(), dialog.selected_access()))
        self.dialog = dialog
        dialog.open()

    def remove_selected(self) -> None:
        user_id = self.selected_user_id()
        member = next((m for m in self.members if m.user_id == user_id), None)
        if member is not None:
            self.ask(self.tr("Remove {name} from the team?").format(name=member.user_name),
                     lambda: self.set_member(member.user_id, None))

    def set_member(self, user_id: int | None, access: str | None) -> None:
        """Add, change (``access`` "read"/"write") or remove (None) a member, then refresh."""
        if user_id is None:
            return
        db, actor, service, record_id = self.ctx.db, self.ctx.actor, self.target.service, self.target.record_id
        op(self, lambda: service.set_team_member(db, actor, record_id, user_id=user_id, access=access),
           write=True).success(lambda _none: self._member_saved(access)).failure(self.failed).run()

    def _member_saved(self, access: str | None) -> None:
        self.target.changed()
        self.show_message(self.tr("Team member removed.") if access is None else self.tr("Team saved."))


# --- operation log ---------------------------------------------------------------------


class LogTab(DetailTab):
    """The operation log as a tab: newest entry first."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.view = OperationLogView(target.ctx, target.service, target.record_id, {}, newest_first=True, parent=self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)

    def show_record(self, data: DetailData) -> None:
        self.view.set_labels({spec.name: field_title(spec) for spec in data.schema.fields})

    def reload(self) -> None:
        self.view.reload()

    def is_loading(self) -> bool:
        return self.view.is_loading()
