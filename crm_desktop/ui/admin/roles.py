"""Roles (角色): the role list and the role editor with its permission matrix.

The matrix has one row per module of ``services.permissions.MODULES`` and one column per
action, with a checkbox only where the module has that action and an "All" toggle per row;
below it, modules that hold owned records get a data-scope combo. The super administrator
role is shown read-only (everything granted, scope "All"); the service refuses changing or
deleting it anyway. Service calls run through ``ui.ops.op``; successful writes call
``ctx.signals.notify("role")``. GUI thread only.
"""
from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services import roles
from crm_desktop.services.permissions import ACTION_LABELS, MODULES, SCOPE_LABELS, DataScope
from crm_desktop.services.roles import RoleDTO, RoleInput
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormErrors, MessageBar, alive, page_layout
from crm_desktop.ui.ops import op

ID_ROLE = Qt.ItemDataRole.UserRole
CHECK_ROLE = Qt.ItemDataRole.CheckStateRole
_WATCHED = {"role", "user", "*"}
_CHECKED, _UNCHECKED, _PARTIAL = Qt.CheckState.Checked, Qt.CheckState.Unchecked, Qt.CheckState.PartiallyChecked
_ROW_HEIGHT = 30
_Index = QModelIndex | QPersistentModelIndex


def _p(text: str) -> str:
    """Translate a label of the permission catalogue (context "permissions")."""
    return QCoreApplication.translate("permissions", text)


class _CentredCheckDelegate(QStyledItemDelegate):
    """Checkboxes centred in their cells, toggled by a click anywhere in the cell; cells
    without a checkbox (the module has no such action) are shaded."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        flags = index.flags()
        if not flags & Qt.ItemFlag.ItemIsUserCheckable:
            painter.fillRect(option.rect, QColor("#f1f1f1"))
            return
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style()
        box = QStyleOptionViewItem(option)
        self.initStyleOption(box, index)
        size = QSize(style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, box, widget),
                     style.pixelMetric(QStyle.PixelMetric.PM_IndicatorHeight, box, widget))
        box.rect = QStyle.alignedRect(box.direction, Qt.AlignmentFlag.AlignCenter, size, option.rect)
        state = Qt.CheckState(index.data(CHECK_ROLE))
        box.state &= ~(QStyle.StateFlag.State_On | QStyle.StateFlag.State_Off | QStyle.StateFlag.State_NoChange)
        box.state |= {_CHECKED: QStyle.StateFlag.State_On, _UNCHECKED: QStyle.StateFlag.State_Off,
                      _PARTIAL: QStyle.StateFlag.State_NoChange}[state]
        if not flags & Qt.ItemFlag.ItemIsEnabled:
            box.state &= ~QStyle.StateFlag.State_Enabled
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck, box, painter, widget)

    def editorEvent(self, event: QEvent, model: QAbstractItemModel, option: QStyleOptionViewItem,  # noqa: N802
                    index: _Index) -> bool:
        flags = index.flags()
        if not (flags & Qt.ItemFlag.ItemIsUserCheckable and flags & Qt.ItemFlag.ItemIsEnabled):
            return False
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            if event.button() != Qt.MouseButton.LeftButton or not option.rect.contains(event.position().toPoint()):
                return False
            new = _UNCHECKED if Qt.CheckState(index.data(CHECK_ROLE)) == _CHECKED else _CHECKED
            return model.setData(index, new.value, CHECK_ROLE)
        return event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)


class PermissionMatrix(QWidget):
    """Modules × actions checkboxes with a row "All" toggle, then one data-scope combo per
    scoped module. ``changed`` fires on every user edit (not on ``load``)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.modules = list(MODULES.values())
        self.actions_: list[str] = []
        for spec in self.modules:
            self.actions_ += [a for a in spec.actions if a not in self.actions_]
        self._updating = False
        self.table = table = QTableWidget(len(self.modules), len(self.actions_) + 1)
        titles = [self.tr("All")] + [_p(ACTION_LABELS.get(a, a)) for a in self.actions_]
        table.setHorizontalHeaderLabels(titles)
        table.setVerticalHeaderLabels([_p(spec.label) for spec in self.modules])
        table.setItemDelegate(_CentredCheckDelegate(table))
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(_ROW_HEIGHT)
        table.verticalHeader().setMinimumWidth(72)
        self._size_columns(titles)
        for row, spec in enumerate(self.modules):
            for col in range(table.columnCount()):
                action = self.actions_[col - 1] if col else None
                item = QTableWidgetItem()
                if action is None or action in spec.actions:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(_UNCHECKED)
                    item.setToolTip(f"{_p(spec.label)} · {_p(ACTION_LABELS.get(action, action))}" if action
                                    else self.tr("Grant or remove every action of this module"))
                else:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)  # this module has no such action: no box
                table.setItem(row, col, item)
        table.itemChanged.connect(self._item_changed)

        self.scope_combos: dict[str, QComboBox] = {}
        scope_form = QFormLayout()
        scope_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        for spec in self.modules:
            if spec.scoped:
                combo = QComboBox()
                for scope in DataScope:
                    combo.addItem(_p(SCOPE_LABELS[scope]), scope.value)
                combo.activated.connect(lambda *_: self._emit_changed())
                self.scope_combos[spec.key] = combo
                scope_form.addRow(_p(spec.label) + ":", combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(table)
        layout.addSpacing(6)
        scope_title = QLabel(self.tr("Data scope: whose records the users of this role see"))
        layout.addWidget(scope_title)
        layout.addLayout(scope_form)

    def _size_columns(self, titles: list[str]) -> None:
        """Narrow columns with headers wrapped at spaces, and a table no larger than its grid."""
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        metrics = header.fontMetrics()
        lines = 1
        for col, title in enumerate(titles):
            full = metrics.horizontalAdvance(title)
            longest = max(metrics.horizontalAdvance(word) for word in title.split() or [title])
            width = max(44, min(full, max(longest, 60)) + 16)
            if full + 16 > width:
                lines = 2
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, width)
        header.setFixedHeight(metrics.lineSpacing() * lines + 10)
        frame = 2 * self.table.frameWidth()
        rows = self.table.verticalHeader()
        # Every module row is always visible (no vertical scrolling in a permission grid);
        # when the window is narrower than the grid, the grid scrolls sideways instead of
        # clipping its last columns.
        self.table.setMaximumWidth(max(rows.sizeHint().width(), rows.minimumWidth()) + header.length() + frame)
        scrollbar = self.table.horizontalScrollBar().sizeHint().height()
        self.table.setFixedHeight(header.height() + _ROW_HEIGHT * len(self.modules) + frame + scrollbar)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    # -- reading and writing the grid -------------------------------------------------------

    def _row(self, module: str) -> int:
        return next(i for i, spec in enumerate(self.modules) if spec.key == module)

    def _cell(self, module: str, action: str) -> QTableWidgetItem | None:
        if action not in MODULES[module].actions:
            return None
        return self.table.item(self._row(module), self.actions_.index(action) + 1)

    def is_checked(self, module: str, action: str) -> bool:
        cell = self._cell(module, action)
        return cell is not None and cell.checkState() == _CHECKED

    def set_checked(self, module: str, action: str, checked: bool) -> None:
        """Tick one box as a user would (updates the row toggle, emits ``changed``)."""
        cell = self._cell(module, action)
        if cell is None:
            raise KeyError(f"{module} has no action {action}")
        cell.setCheckState(_CHECKED if checked else _UNCHECKED)

    def row_toggle(self, module: str) -> QTableWidgetItem:
        item = self.table.item(self._row(module), 0)
        assert item is not None
        return item

    def has_box(self, module: str, action: str) -> bool:
        return self._cell(module, action) is not None

    def permissions(self) -> frozenset[tuple[str, str]]:
        return frozenset(
            (spec.key, action) for spec in self.modules for action in spec.actions if self.is_checked(spec.key, action)
        )

    def scopes(self) -> dict[str, DataScope]:
        return {key: DataScope(combo.currentData()) for key, combo in self.scope_combos.items()}

    def set_scope(self, module: str, scope: DataScope) -> None:
        """Choose a scope as a user would (emits ``changed``)."""
        combo = self.scope_combos[module]
        combo.setCurrentIndex(combo.findData(scope.value))
        self._emit_changed()

    def load(self, permissions: frozenset[tuple[str, str]], scopes: Mapping[str, DataScope], *,
             read_only: bool, everything: bool = False) -> None:
        """Show a role's grants; ``everything`` ticks all and scopes "All" (the super administrator)."""
        self._updating = True
        try:
            for row, spec in enumerate(self.modules):
                for action in spec.actions:
                    cell = self._cell(spec.key, action)
                    assert cell is not None
                    cell.setCheckState(_CHECKED if everything or (spec.key, action) in permissions else _UNCHECKED)
                self._sync_row(row)
                for col in range(self.table.columnCount()):
                    cell = self.table.item(row, col)
                    if cell is not None and cell.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                        enabled = Qt.ItemFlag.NoItemFlags if read_only else Qt.ItemFlag.ItemIsEnabled
                        cell.setFlags(Qt.ItemFlag.ItemIsUserCheckable | enabled)
                if spec.scoped:
                    combo = self.scope_combos[spec.key]
                    scope = DataScope.ALL if everything else scopes.get(spec.key, DataScope.SELF)
                    combo.setCurrentIndex(combo.findData(DataScope(scope).value))
                    combo.setEnabled(not read_only)
        finally:
            self._updating = False

    def _sync_row(self, row: int) -> None:
        spec = self.modules[row]
        states = {self.is_checked(spec.key, a) for a in spec.actions}
        toggle = self.table.item(row, 0)
        assert toggle is not None
        toggle.setCheckState(_CHECKED if states == {True} else _UNCHECKED if states == {False} else _PARTIAL)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._updating:
            return
        self._updating = True
        try:
            row, spec = item.row(), self.modules[item.row()]
            if item.column() == 0:
                on = item.checkState() != _UNCHECKED
                for action in spec.actions:
                    cell = self._cell(spec.key, action)
                    assert cell is not None
                    cell.setCheckState(_CHECKED if on else _UNCHECKED)
            self._sync_row(row)
        finally:
            self._updating = False
        self._emit_changed()

    def _emit_changed(self) -> None:
        if not self._updating:
            self.changed.emit()


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

        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self.message)
        right_box.addLayout(form)
        right_box.addWidget(self.note)
        right_box.addWidget(QLabel(self.tr("Operation permissions:")))
        right_box.addWidget(self.matrix)
        right_box.addStretch(1)
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

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the roles in the background; a newer reload wins over an older one."""
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: roles.list_roles(db, actor)).success(lambda rows: self._loaded(generation, rows)).failure(
            self.message.show_exception).run()

    def _loaded(self, generation: int, rows: list[RoleDTO]) -> None:
        if generation != self._generation or not alive(self):
            return
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
                         read_only=not editable, everything=super_role)
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
                         permissions=self.matrix.permissions(), scopes=self.matrix.scopes())
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
