"""Opportunity stage groups (商机阶段组): each group's stages with their win rates, in order, the
departments that use it, and whether it is enabled.

The page lists the groups (the enabled box switches at once); the editor edits a group's name,
its departments (a group without departments is everyone else's default) and its stages (name,
win rate 0–100, moved up and down). The service keeps a stage's id when it is kept, refuses
removing a stage an opportunity stands on, and keeps one enabled default group; its refusals
are shown in its words. Needs setting/manage. GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.org import departments as department_ops
from crm_desktop.services.org.departments import DepartmentDTO
from crm_desktop.services.sales import stages as stage_ops
from crm_desktop.services.sales.stages import StageGroupDTO, StageGroupInput, StageInput
from crm_desktop.ui.admin.switchable_list import SwitchableListPage
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog, page_layout

NAME, STAGES, DEPARTMENTS, ENABLED = range(4)
_ID = Qt.ItemDataRole.UserRole


class StageGroupDialog(FormDialog):
    """Create or edit one stage group. Public for tests: ``name_edit``, ``enabled_box``,
    ``departments_list`` (checkable), ``stages_table`` (name, win-rate spin box; the row's stage
    id in the name cell's data), ``add_stage(name, rate)``, ``remove_stage(row)``,
    ``move_stage(row, step)``, ``stage_inputs()``, ``check_department(id, on)``, ``submit()``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, *, departments: list[DepartmentDTO],
                 group: StageGroupDTO | None = None) -> None:
        super().__init__(parent, title=self.tr("Edit stage group") if group else self.tr("New stage group"))
        self.ctx = ctx
        self.group = group
        self.name_edit = QLineEdit(group.name if group else "")
        self.enabled_box = QCheckBox(self.tr("Enabled"))
        self.enabled_box.setChecked(group.enabled if group else True)
        self.departments_list = QListWidget()
        self.departments_list.setMaximumHeight(130)
        chosen = set(group.department_ids if group else ())
        depth: dict[int, int] = {}
        for dept in departments:
            depth[dept.id] = 0 if dept.parent_id is None else depth.get(dept.parent_id, -1) + 1
            item = QListWidgetItem("\u3000" * depth[dept.id] + dept.name)
            item.setData(_ID, dept.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if dept.id in chosen else Qt.CheckState.Unchecked)
            self.departments_list.addItem(item)
        self.stages_table = QTableWidget(0, 2)
        self.stages_table.setHorizontalHeaderLabels([self.tr("Stage"), self.tr("Win rate %")])
        self.stages_table.verticalHeader().setSectionsMovable(False)
        self.stages_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.stages_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.stages_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.stages_table.setColumnWidth(1, 100)
        self.stages_table.setMinimumHeight(200)
        for stage in group.stages if group else ():
            self.add_stage(stage.name, stage.win_rate, stage_id=stage.id)
        add = QPushButton(self.tr("Add stage"))
        add.clicked.connect(lambda: self.add_stage("", 50, edit=True))
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(lambda: self.remove_stage(self.stages_table.currentRow()))
        up = QPushButton("↑")
        up.setToolTip(self.tr("Move up"))
        up.clicked.connect(lambda: self.move_stage(self.stages_table.currentRow(), -1))
        down = QPushButton("↓")
        down.setToolTip(self.tr("Move down"))
        down.clicked.connect(lambda: self.move_stage(self.stages_table.currentRow(), 1))
        stage_buttons = QHBoxLayout()
        for button in (add, remove, up, down):
            stage_buttons.addWidget(button)
        stage_buttons.addStretch(1)
        stages = QWidget()
        stages_layout = QVBoxLayout(stages)
        stages_layout.setContentsMargins(0, 0, 0, 0)
        stages_layout.addWidget(self.stages_table)
        stages_layout.addLayout(stage_buttons)
        hint = QLabel(self.tr("Opportunities of users in these departments (and their sub-departments) use this "
                              "group. A group without departments is the default for everyone else."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        self.add_row("name", self.tr("Name"), self.name_edit)
        self.add_row("stages", self.tr("Stages"), stages, aliases=tuple(f"stages.{n}" for n in range(1, 51)))
        self.add_row("department_ids", self.tr("Departments"), self.departments_list)
        self.form.addRow("", hint)
        self.add_row("enabled", "", self.enabled_box)
        self.setMinimumWidth(520)
        self.resize(560, 620)

    # --- stages -------------------------------------------------------------------------------

    def add_stage(self, name: str, rate: int, *, stage_id: int | None = None, edit: bool = False) -> int:
        row = self.stages_table.rowCount()
        self.stages_table.insertRow(row)
        cell = QTableWidgetItem(name)
        cell.setData(_ID, stage_id)
        self.stages_table.setItem(row, 0, cell)
        spin = QSpinBox()
        spin.setRange(0, 100)
        spin.setSuffix(" %")
        spin.setValue(rate)
        self.stages_table.setCellWidget(row, 1, spin)
        if edit:
            self.stages_table.setCurrentCell(row, 0)
            self.stages_table.editItem(cell)
        return row

    def remove_stage(self, row: int) -> None:
        if 0 <= row < self.stages_table.rowCount():
            self.stages_table.removeRow(row)

    def _row(self, row: int) -> tuple[str, int, int | None]:
        cell = self.stages_table.item(row, 0)
        spin = self.stages_table.cellWidget(row, 1)
        assert isinstance(spin, QSpinBox)
        stage_id = cell.data(_ID) if cell is not None else None
        return (cell.text() if cell is not None else ""), spin.value(), stage_id

    def move_stage(self, row: int, step: int) -> None:
        other = row + step
        count = self.stages_table.rowCount()
        if not (0 <= row < count and 0 <= other < count):
            return
        first, second = self._row(row), self._row(other)
        for at, (name, rate, stage_id) in ((row, second), (other, first)):
            cell = QTableWidgetItem(name)
            cell.setData(_ID, stage_id)
            self.stages_table.setItem(at, 0, cell)
            spin = self.stages_table.cellWidget(at, 1)
            assert isinstance(spin, QSpinBox)
            spin.setValue(rate)
        self.stages_table.setCurrentCell(other, 0)

    def stage_inputs(self) -> tuple[StageInput, ...]:
        found = []
        for row in range(self.stages_table.rowCount()):
            name, rate, stage_id = self._row(row)
            found.append(StageInput(name=name, win_rate=rate, id=int(stage_id) if stage_id is not None else None))
        return tuple(found)

    def check_department(self, department_id: int, on: bool = True) -> None:
        for row in range(self.departments_list.count()):
            item = self.departments_list.item(row)
            if item.data(_ID) == department_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _department_ids(self) -> tuple[int, ...]:
        return tuple(int(self.departments_list.item(r).data(_ID)) for r in range(self.departments_list.count())
                     if self.departments_list.item(r).checkState() == Qt.CheckState.Checked)

    def build_call(self) -> Callable[[], object] | None:
        db, actor = self.ctx.db, self.ctx.actor
        data = StageGroupInput(name=self.name_edit.text(), stages=self.stage_inputs(),
                               department_ids=self._department_ids(), enabled=self.enabled_box.isChecked())
        if self.group is None:
            return lambda: stage_ops.create_group(db, actor, data)
        group_id = self.group.id
        return lambda: stage_ops.update_group(db, actor, group_id, data)


class StageGroupsPage(SwitchableListPage[StageGroupDTO]):
    """Public for tests: ``table``, ``items`` (the groups as shown), the buttons, ``dialog``,
    ``message``, ``departments``."""

    topic = "stage_group"
    watched = frozenset({"stage_group", "department", "*"})
    item_type = StageGroupDTO
    enabled_column = ENABLED

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.departments: list[DepartmentDTO] = []
        tools = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            tools.addWidget(button)
        tools.addStretch(1)
        hint = QLabel(self.tr("An opportunity walks through its group's stages; the win rate of its stage is its "
                              "chance of being won. Won, lost and invalid are not stages: they close it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        self.make_table([self.tr("Name"), self.tr("Stages (win rate)"), self.tr("Departments"), self.tr("Enabled")],
                        stretch=STAGES, widths=((NAME, 160), (DEPARTMENTS, 200)))
        page_layout(self, self.tr("Stage groups"), self.message, tools, hint, body=self.table)
        self._sync_buttons()
        self.reload()

    def fetch(self) -> Callable[[], tuple[list[StageGroupDTO], list[DepartmentDTO]]]:
        db, actor = self.ctx.db, self.ctx.actor
        return lambda: (stage_ops.list_groups(db, actor), department_ops.list_departments(db, actor))

    def take_extra(self, extra: list[DepartmentDTO]) -> None:
        self.departments = extra

    def cells(self, item: StageGroupDTO) -> list[str]:
        names = {d.id: d.name for d in self.departments}
        stages = " → ".join(f"{s.name} {s.win_rate}%" for s in item.stages)
        departments = ", ".join(names.get(d, f"#{d}") for d in item.department_ids)
        if item.is_default:
            departments = self.tr("Default (everyone else)")
        return [item.name, stages, departments, ""]

    def new_item(self) -> StageGroupDialog:
        return self.open_editor(StageGroupDialog(self.ctx, self, departments=self.departments))

    def edit_current(self) -> StageGroupDialog | None:
        group = self.current_item()
        if group is None:
            return None
        return self.open_editor(StageGroupDialog(self.ctx, self, departments=self.departments, group=group))

    def switch_call(self, item: StageGroupDTO, enabled: bool) -> Callable[[], StageGroupDTO]:
        db, actor, group_id = self.ctx.db, self.ctx.actor, item.id
        return lambda: stage_ops.set_group_enabled(db, actor, group_id, enabled)

    def delete_call(self, item: StageGroupDTO) -> Callable[[], object]:
        db, actor, group_id = self.ctx.db, self.ctx.actor, item.id
        return lambda: stage_ops.delete_group(db, actor, group_id)

    def delete_question(self, item: StageGroupDTO) -> tuple[str, str]:
        return self.tr("Delete stage group"), self.tr("Delete the stage group “{name}”?").format(name=item.name)

    def saved_text(self, item: StageGroupDTO) -> str:
        return self.tr("Stage group “{name}” saved.").format(name=item.name)


__all__ = ["StageGroupDialog", "StageGroupsPage"]
