"""The "My approvals" tab (我的审批): what waits for me, what I submitted, what I decided.

- ``MyApprovalsPage``: three boxes — waiting for me (待我审批), submitted by me (我提交的),
  decided by me (我已审批) — as a segmented control over one list (flow, the record's kind and
  name, its amount and customer, submitter, node, status, time). Double-click (or "Open record")
  opens the record's detail window on its approvals tab; on the waiting box, Approve and Reject
  open ``DecisionDialog``, which shows the same facts and a link to the record. The list is read
  again when ``ctx.signals.changed`` names an approval or a record (coalesced), and when the
  page is shown.

Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.workflow import approvals
from crm_desktop.services.workflow.approvals import ApprovalItemDTO, InstanceDTO
from crm_desktop.ui.approvals import (
    STATUS_COLORS,
    DecisionDialog,
    announce,
    entity_text,
    local_datetime,
    status_text,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar
from crm_desktop.ui.messages import local_time
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.window import open_detail
from crm_desktop.ui.records.shared.list_model import format_value
from crm_desktop.ui.records.specs.registry import DETAIL_ENTITIES

BOXES = ("pending", "submitted", "decided")
#: Records and approvals whose change may change what the lists show.
WATCHED = frozenset({"*", "approval", *approvals.ENTITIES})
CHANGE_DELAY_MS = 300
LIST_LIMIT = 200
_ID_ROLE = Qt.ItemDataRole.UserRole
RECORD_COLUMN, AMOUNT_COLUMN, STATUS_COLUMN, DECISION_COLUMN, TIME_COLUMN = 2, 3, 7, 8, 9


class MyApprovalsPage(QWidget):
    """The "My approvals" tab (see the module docstring).

    Public for tests: ``box_buttons`` (box → button), ``box``, ``set_box(box)``, ``table``,
    ``items`` (what is listed), ``approve_button``, ``reject_button``, ``open_button``,
    ``message``, ``dialog`` (the last decision dialog), ``select_item(instance_id)``,
    ``decide_selected(approve)``, ``open_selected()``, ``reload()``, ``is_loading()``.
    """

    #: A list was shown (tests wait for it).
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[ApprovalItemDTO] = []
        self.box = "pending"
        self.dialog: DecisionDialog | None = None
        self._generation = 0
        self._loading = False

        titles = {"pending": self.tr("Waiting for me"), "submitted": self.tr("Submitted by me"),
                  "decided": self.tr("Decided by me")}
        self.box_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        segments = QHBoxLayout()
        segments.setSpacing(0)
        for index, box in enumerate(BOXES):
            button = QPushButton(titles[box])
            button.setCheckable(True)
            button.setMinimumWidth(110)
            # One bar of joined buttons: only the outer corners are round.
            left = "4px" if index == 0 else "0"
            right = "4px" if index == len(BOXES) - 1 else "0"
            button.setStyleSheet(
                "QPushButton { padding: 5px 16px; border: 1px solid #b8c2cc; background: palette(base);"
                f" border-top-left-radius: {left}; border-bottom-left-radius: {left};"
                f" border-top-right-radius: {right}; border-bottom-right-radius: {right}; }}"
                "QPushButton:checked { background: #2f6fb0; color: white; border-color: #2f6fb0; }")
            button.clicked.connect(partial(self.set_box, box))
            group.addButton(button)
            segments.addWidget(button)
            self.box_buttons[box] = button
        self.box_buttons["pending"].setChecked(True)
        self._titles = titles

        self.approve_button = QPushButton(self.tr("Approve…"))
        self.approve_button.clicked.connect(lambda: self.decide_selected(True))
        self.reject_button = QPushButton(self.tr("Reject…"))
        self.reject_button.clicked.connect(lambda: self.decide_selected(False))
        self.open_button = QPushButton(self.tr("Open record"))
        self.open_button.clicked.connect(self.open_selected)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addLayout(segments)
        top.addStretch(1)
        for button in (self.approve_button, self.reject_button, self.open_button, self.refresh_button):
            top.addWidget(button)

        self.columns = [self.tr("Flow"), self.tr("Kind"), self.tr("Record"), self.tr("Amount"), self.tr("Customer"),
                        self.tr("Submitter"), self.tr("Node"), self.tr("Status"), self.tr("My decision"),
                        self.tr("Time")]
        table = QTableWidget(0, len(self.columns))
        table.setHorizontalHeaderLabels(self.columns)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((120, 100, 240, 100, 190, 80, 150, 80, 90, 90)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(RECORD_COLUMN, QHeaderView.ResizeMode.Stretch)
        table.itemSelectionChanged.connect(self._update_buttons)
        table.doubleClicked.connect(self.open_selected)
        self.table = table
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 24px;")
        self.empty_label.hide()
        self.message = MessageBar()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(table, 1)
        layout.addWidget(self.empty_label, 1)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(CHANGE_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        ctx.signals.changed.connect(self._on_changed)
        self._update_buttons()
        self.reload()

    # --- reading --------------------------------------------------------------------------

    def is_loading(self) -> bool:
        return self._loading or self._reload_timer.isActive()

    def set_box(self, box: str) -> None:
        self.box = box
        self.box_buttons[box].setChecked(True)
        self.message.clear()
        self.reload()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and entity in WATCHED:
            self._reload_timer.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._loading:  # decisions made on another PC come with no signal here
            self._reload_timer.start()

    def reload(self, *_args: object) -> None:
        """Read the box again with the waiting count; an older answer never wins."""
        self._reload_timer.stop()
        self._generation += 1
        generation = self._generation
        self._loading = True
        db, actor, box = self.ctx.db, self.ctx.actor, self.box

        def load() -> tuple[list[ApprovalItemDTO], int]:
            items = approvals.my_approvals(db, actor, box, limit=LIST_LIMIT)
            # The waiting count stays on its box whichever box is open.
            waiting = items if box == "pending" else approvals.my_approvals(db, actor, "pending", limit=LIST_LIMIT)
            return items, len(waiting)

        op(self, load).success(partial(self._show, generation)).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._loading = False
            self.message.show_exception(exc)

    def _show(self, generation: int, result: tuple[list[ApprovalItemDTO], int]) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._loading = False
        items, waiting = result
        keep = self.selected()
        self.items = list(items)
        self.box_buttons["pending"].setText(
            f"{self._titles['pending']} ({waiting})" if waiting else self._titles["pending"])
        table = self.table
        table.setRowCount(len(self.items))
        decided = self.box == "decided"
        for row, item in enumerate(self.items):
            when = item.decided_at if decided else item.created_at
            record = f"{item.record_number} · {item.record_name}" if item.record_number else item.record_name
            cells = [
                item.flow_name,
                entity_text(item.entity),
                record,
                format_value(item.amount) if item.amount is not None else "",
                item.customer_name or (item.record_name if item.entity == "customer" else ""),
                item.submitter_name,
                item.node_name or "—",
                status_text(item.status),
                status_text(item.decision) if item.decision else "",
                local_time(when) if when is not None else "",
            ]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(_ID_ROLE, item.instance_id)
                if column == AMOUNT_COLUMN:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == RECORD_COLUMN:
                    cell.setToolTip(record)
                if column == STATUS_COLUMN:
                    cell.setForeground(_color(item.status))
                if column == DECISION_COLUMN and item.decision:
                    cell.setForeground(_color(item.decision))
                if column == TIME_COLUMN and when is not None:
                    cell.setToolTip(local_datetime(when))
                table.setItem(row, column, cell)
        table.setColumnHidden(DECISION_COLUMN, not decided)
        row = next((r for r, i in enumerate(self.items) if keep is not None and self._same(i, keep)), -1)
        if row >= 0:
            table.selectRow(row)
        else:
            table.clearSelection()
        table.setVisible(bool(self.items))
        self.empty_label.setVisible(not self.items)
        self.empty_label.setText({
            "pending": self.tr("Nothing is waiting for your approval."),
            "submitted": self.tr("You have not submitted anything for approval."),
            "decided": self.tr("You have not decided on any approval yet."),
        }[self.box])
        self._update_buttons()
        self.loaded.emit()

    @staticmethod
    def _same(a: ApprovalItemDTO, b: ApprovalItemDTO) -> bool:
        return (a.instance_id, a.task_id) == (b.instance_id, b.task_id)

    def selected(self) -> ApprovalItemDTO | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()]

    def select_item(self, instance_id: int) -> None:
        row = next((r for r, i in enumerate(self.items) if i.instance_id == instance_id), -1)
        if row >= 0:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        item = self.selected()
        waiting = self.box == "pending"
        for button in (self.approve_button, self.reject_button):
            button.setVisible(waiting)
            button.setEnabled(item is not None and item.task_id is not None)
        self.open_button.setEnabled(item is not None)

    # --- acting ---------------------------------------------------------------------------

    def decide_selected(self, approve: bool) -> DecisionDialog | None:
        """Open the decision dialog for the selected waiting item; returns it for tests."""
        item = self.selected()
        if item is None or item.task_id is None or self.box != "pending":
            return None
        dialog = DecisionDialog(self.ctx, item.task_id, approve=approve, item=item, parent=self)
        dialog.saved.connect(partial(self._decided, approve))
        dialog.outdated.connect(self.reload)
        dialog.open_record.connect(self.open_record)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _decided(self, approve: bool, inst: InstanceDTO) -> None:
        if not isValid(self):
            return
        text = self.tr("You approved {record} ({flow}).") if approve else self.tr("You rejected {record} ({flow}).")
        self.message.show_info(text.format(record=inst.record_name, flow=inst.flow_name))
        announce(self.ctx, inst.entity, inst.record_id)
        self.reload()

    def open_selected(self, *_args: object) -> None:
        """Open the selected item's record on its approvals tab (the list stays where it is:
        an approver works through the queue)."""
        item = self.selected()
        if item is not None:
            self.open_record(item.entity, item.record_id)

    def open_record(self, entity: str, record_id: int) -> None:
        """The record's detail window on its approvals tab (also the decision dialog's link)."""
        if entity not in DETAIL_ENTITIES:
            return
        window = open_detail(self.ctx, entity, record_id, parent=self.window())
        if "approvals" in window.tab_keys():
            window.tabs.setCurrentWidget(window.tab("approvals"))


def _color(status: str) -> QColor:
    return QColor(STATUS_COLORS.get(status, ("#333", ""))[0])
