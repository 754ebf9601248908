"""The permission matrix of the role editor: modules × actions, and a data scope per module.

One row per module of ``services.org.permissions.MODULES`` and one column per action, with a
checkbox only where the module has that action and an "All" toggle per row; below it, a
data-scope combo per module that holds owned records. Choosing "Custom" (自定义) shows that
module's department tree (``DepartmentTreePicker``) to tick the departments it covers.
GUI thread only.
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
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.org.departments import DepartmentDTO
from crm_desktop.services.org.permissions import (
    ACTION_LABELS,
    MODULES,
    SCOPE_LABELS,
    DataScope,
    ModuleSpec,
)
from crm_desktop.ui.admin.department_picker import DepartmentTreePicker

CHECK_ROLE = Qt.ItemDataRole.CheckStateRole
_CHECKED, _UNCHECKED, _PARTIAL = Qt.CheckState.Checked, Qt.CheckState.Unchecked, Qt.CheckState.PartiallyChecked
_ROW_HEIGHT = 30
#: (label, combo) pairs per row of the data-scope grid.
SCOPE_COLUMNS = 4
#: Department trees of custom scopes per row (each tree about a quarter of a 1366 screen).
PICKER_COLUMNS = 3
_PICKER_HEIGHT = 150
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


class _ScopeGrid(QWidget):
    """The (label, combo) pairs of the data scopes, as many per row as fit (at most
    SCOPE_COLUMNS): one per row made the page taller than a 1366×768 screen, a fixed four
    made it wider than the editor in English (long scope names), so the editor scrolled
    sideways and cut the last combo. Its width follows the editor's (it never asks for
    more); the pairs are laid out again when the width changes."""

    def __init__(self, pairs: list[tuple[QLabel, QComboBox]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pairs = pairs
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(8)
        self.columns = 0
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        self.setSizePolicy(policy)
        self._arrange(SCOPE_COLUMNS)

    def pair_width(self) -> int:
        spacing = self._grid.horizontalSpacing()
        label = max(lab.sizeHint().width() for lab, _combo in self._pairs)
        combo = max(c.sizeHint().width() for _label, c in self._pairs)
        return label + combo + 2 * spacing

    def _arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        for label, combo in self._pairs:
            self._grid.removeWidget(label)
            self._grid.removeWidget(combo)
        for col in range(2 * SCOPE_COLUMNS + 1):
            self._grid.setColumnStretch(col, 0)
        for i, (label, combo) in enumerate(self._pairs):
            row, col = divmod(i, columns)
            self._grid.addWidget(label, row, 2 * col, Qt.AlignmentFlag.AlignRight)
            self._grid.addWidget(combo, row, 2 * col + 1)
        self._grid.setColumnStretch(2 * columns, 1)
        self.columns = columns

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._arrange(max(1, min(SCOPE_COLUMNS, event.size().width() // max(1, self.pair_width()))))


class PermissionMatrix(QWidget):
    """Modules × actions checkboxes with a row "All" toggle, then one data-scope combo per
    scoped module. ``changed`` fires on every user edit (not on ``load``)."""

    changed = Signal()
    #: A module's department tree appeared (its scope became "Custom" outside ``load``): the
    #: page scrolls it into view, as it is usually below the fold.
    picker_shown = Signal(QWidget)

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
        scoped = [spec for spec in self.modules if spec.scoped]
        pairs: list[tuple[QLabel, QComboBox]] = []
        for spec in scoped:
            combo = QComboBox()
            for scope in DataScope:
                combo.addItem(_p(SCOPE_LABELS[scope]), scope.value)
            combo.activated.connect(lambda *_: self._emit_changed())
            combo.currentIndexChanged.connect(lambda *_: self._show_pickers())
            self.scope_combos[spec.key] = combo
            label = QLabel(_p(spec.label) + ":")
            label.setBuddy(combo)
            pairs.append((label, combo))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(table)
        layout.addSpacing(6)
        scope_title = QLabel(self.tr("Data scope: whose records the users of this role see"))
        layout.addWidget(scope_title)
        self.scope_grid = _ScopeGrid(pairs)
        layout.addWidget(self.scope_grid)
        layout.addWidget(self._custom_area(scoped))

    def _custom_area(self, scoped: list[ModuleSpec]) -> QWidget:
        """One department tree per scoped module, shown while its scope is "Custom"."""
        self.custom_pickers: dict[str, DepartmentTreePicker] = {}
        self._picker_boxes: dict[str, QWidget] = {}
        self.custom_area = area = QWidget()
        box = QVBoxLayout(area)
        box.setContentsMargins(0, 6, 0, 0)
        hint = QLabel(self.tr("Custom: the records of users in the ticked departments (a sub-department only "
                              "when ticked too), and each user's own records."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        box.addWidget(hint)
        self._picker_grid = QGridLayout()
        self._picker_grid.setHorizontalSpacing(12)
        box.addLayout(self._picker_grid)
        for spec in scoped:
            picker = DepartmentTreePicker()
            picker.setFixedHeight(_PICKER_HEIGHT)
            picker.setMinimumWidth(180)
            picker.changed.connect(self._emit_changed)
            cell = QWidget()
            cell_box = QVBoxLayout(cell)
            cell_box.setContentsMargins(0, 0, 0, 0)
            cell_box.setSpacing(2)
            label = QLabel(self.tr("{module}: departments").format(module=_p(spec.label)))
            label.setBuddy(picker)
            cell_box.addWidget(label)
            cell_box.addWidget(picker)
            cell.hide()
            self.custom_pickers[spec.key] = picker
            self._picker_boxes[spec.key] = cell
        area.hide()
        return area

    def _show_pickers(self) -> None:
        """Show the trees of the modules whose scope is "Custom", packed in module order."""
        shown = [key for key, combo in self.scope_combos.items() if combo.currentData() == DataScope.CUSTOM.value]
        new = [key for key in shown if self._picker_boxes[key].isHidden()]
        for key, cell in self._picker_boxes.items():
            self._picker_grid.removeWidget(cell)
            cell.setVisible(key in shown)
        for i, key in enumerate(shown):
            row, col = divmod(i, PICKER_COLUMNS)
            self._picker_grid.addWidget(self._picker_boxes[key], row, col)
        for col in range(PICKER_COLUMNS):
            self._picker_grid.setColumnStretch(col, 1)
        self.custom_area.setVisible(bool(shown))
        if new and not self._updating:
            self.picker_shown.emit(self._picker_boxes[new[-1]])

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

    def scope_departments(self) -> dict[str, frozenset[int]]:
        """The ticked departments of each module whose scope is "Custom"."""
        return {key: self.custom_pickers[key].chosen() for key, combo in self.scope_combos.items()
                if combo.currentData() == DataScope.CUSTOM.value}

    def set_scope(self, module: str, scope: DataScope) -> None:
        """Choose a scope as a user would (emits ``changed``)."""
        combo = self.scope_combos[module]
        combo.setCurrentIndex(combo.findData(scope.value))
        self._emit_changed()

    def set_departments(self, tree: list[DepartmentDTO]) -> None:
        """The departments the custom-scope trees offer (ticks of remaining ones are kept)."""
        for picker in self.custom_pickers.values():
            picker.set_departments(tree)

    def load(self, permissions: frozenset[tuple[str, str]], scopes: Mapping[str, DataScope], *,
             read_only: bool, everything: bool = False,
             scope_departments: Mapping[str, frozenset[int]] | None = None) -> None:
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
                    picker = self.custom_pickers[spec.key]
                    picker.set_chosen((scope_departments or {}).get(spec.key, ()))
                    picker.set_read_only(read_only)
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
