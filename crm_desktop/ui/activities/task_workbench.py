"""The task workbench (任务): buckets on the left (inbox, today, next 7 days, later, overdue,
done — each with its count), the bucket's tasks on the right; whose tasks: mine, I assigned,
I take part in.

Keyboard: Ctrl+N new task · Enter opens the selected task · Ctrl+D finishes it · Ctrl+1…4 move
it to the inbox, today, next or later (its due day is set) · Alt+1…6 show a bucket.

Public for tests: ``role_combo``, ``bucket_list``, ``tree``, ``rows`` (TaskRow shown),
``counts``, ``select_bucket()``, ``select_task()``, ``new_task()``, ``edit_selected()``,
``move_selected()``, ``finish_selected()``, ``dialog`` (the last task dialog).
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.activities import tasks as task_ops
from crm_desktop.services.activities import workbench as bench_ops
from crm_desktop.ui.activities.common import (
    Clock,
    local_zone,
    service_label,
    system_clock,
)
from crm_desktop.ui.activities.task_dialog import TaskDialog
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op

PRIORITY_COLOURS = {"high": "#dc2626", "medium": "#d97706", "low": "#2563eb", "none": "#6b7280"}
MOVES = ("inbox", "today", "next", "later")


class TaskWorkbench(QWidget):
    def __init__(self, ctx: AppContext, *, clock: Clock = system_clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        self.rows: list[bench_ops.TaskRow] = []
        self.counts: dict[str, int] = {}
        self.dialog: TaskDialog | None = None
        self.bucket = "today"
        self._generation = 0

        self.role_combo = QComboBox()
        for key in bench_ops.ROLES:
            self.role_combo.addItem(service_label("tasks", bench_ops.ROLE_LABELS[key]), key)
        self.role_combo.currentIndexChanged.connect(self.reload)
        self.bucket_list = QListWidget()
        self.bucket_list.setFixedWidth(190)
        for key in bench_ops.BUCKETS:
            item = QListWidgetItem(service_label("tasks", bench_ops.BUCKET_LABELS[key]))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.bucket_list.addItem(item)
        self.bucket_list.setCurrentRow(bench_ops.BUCKETS.index(self.bucket))
        self.bucket_list.currentRowChanged.connect(self._bucket_changed)
        left = QVBoxLayout()
        left.addWidget(self.role_combo)
        left.addWidget(self.bucket_list, 1)

        self.new_button = QPushButton(self.tr("New task"))
        self.new_button.setToolTip(self.tr("Ctrl+N"))
        self.new_button.clicked.connect(self.new_task)
        self.new_button.setEnabled(ctx.actor.can("task", "create"))
        self.finish_button = QPushButton(self.tr("Finish"))
        self.finish_button.setToolTip(self.tr("Ctrl+D"))
        self.finish_button.clicked.connect(self.finish_selected)
        self.move_button = QToolButton()
        self.move_button.setText(self.tr("Move to"))
        self.move_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.move_button)
        for n, key in enumerate(MOVES, start=1):
            action = menu.addAction(service_label("tasks", bench_ops.BUCKET_LABELS[key]))
            action.setShortcut(QKeySequence(f"Ctrl+{n}"))
            action.setData(key)
        menu.triggered.connect(lambda action: self.move_selected(str(action.data())))
        self.move_button.setMenu(menu)
        self.status_label = QLabel()
        tools = QHBoxLayout()
        tools.addWidget(self.new_button)
        tools.addWidget(self.finish_button)
        tools.addWidget(self.move_button)
        tools.addStretch(1)
        tools.addWidget(self.status_label)

        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels([self.tr("Task"), self.tr("Priority"), self.tr("Due"), self.tr("Owner"),
                                   self.tr("Subtasks"), self.tr("Tags")])
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 80), (2, 130), (3, 100), (4, 80), (5, 140)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setStretchLastSection(False)
        self.tree.itemActivated.connect(lambda _item, _col: self.edit_selected())
        right = QVBoxLayout()
        right.addLayout(tools)
        right.addWidget(self.tree, 1)

        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)
        for keys, slot in (("Ctrl+N", self.new_task), ("Ctrl+D", self.finish_selected)):
            QShortcut(QKeySequence(keys), self, activated=slot)
        for key in MOVES:  # the menu's shortcuts work while the menu is closed, too
            n = MOVES.index(key) + 1
            QShortcut(QKeySequence(f"Ctrl+{n}"), self, activated=lambda k=key: self.move_selected(k))
        for n, key in enumerate(bench_ops.BUCKETS, start=1):
            QShortcut(QKeySequence(f"Alt+{n}"), self, activated=lambda k=key: self.select_bucket(k))
        ctx.signals.changed.connect(self._on_changed)
        self.reload()

    # --- reading -------------------------------------------------------------------------

    def today(self) -> dt.date:
        return self.clock().astimezone(local_zone()).date()

    @property
    def role(self) -> str:
        return str(self.role_combo.currentData())

    def reload(self) -> None:
        db, actor, bucket, role, today = self.ctx.db, self.ctx.actor, self.bucket, self.role, self.today()

        def load() -> tuple[list[bench_ops.TaskRow], dict[str, int]]:
            return (bench_ops.list_bucket(db, actor, bucket, today=today, role=role),
                    bench_ops.bucket_counts(db, actor, today=today, role=role))

        # Only the newest request's answer is shown (a quick bucket switch must not be undone
        # by an older read arriving last).
        self._generation += 1
        generation = self._generation
        op(self, load).success(lambda result: self._show(result) if generation == self._generation else None).failure(
            self._failed).run()

    def _show(self, result: tuple[list[bench_ops.TaskRow], dict[str, int]]) -> None:
        if not isValid(self):
            return
        self.rows, self.counts = result
        for i in range(self.bucket_list.count()):
            item = self.bucket_list.item(i)
            key = str(item.data(Qt.ItemDataRole.UserRole))
            label = service_label("tasks", bench_ops.BUCKET_LABELS[key])
            item.setText(f"{label}  ({self.counts.get(key, 0)})")
            if key == "overdue" and self.counts.get(key):
                item.setForeground(QBrush(QColor("#b91c1c")))
        selected = self.selected_id()
        self.tree.clear()
        for row in self.rows:
            due = ""
            if row.due_at is not None:
                due = row.due_at.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")
            elif row.due_date is not None:
                due = row.due_date.isoformat()
            item = QTreeWidgetItem([
                row.title, service_label("tasks", task_ops.PRIORITY_LABELS.get(row.priority, row.priority)), due,
                row.owner_name, f"{row.subtasks_done}/{row.subtasks_total}" if row.subtasks_total else "",
                ", ".join(row.tags)])
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            item.setForeground(1, QBrush(QColor(PRIORITY_COLOURS.get(row.priority, "#6b7280"))))
            if row.done:
                font = item.font(0)
                font.setStrikeOut(True)
                item.setFont(0, font)
            self.tree.addTopLevelItem(item)
            if row.id == selected:
                self.tree.setCurrentItem(item)
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.status_label.setText(self.tr("{n} tasks").format(n=len(self.rows)))

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.status_label.setText(error_text(exc))

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in ("task", "*"):
            self.reload()

    def _bucket_changed(self, row: int) -> None:
        if row >= 0:
            self.bucket = bench_ops.BUCKETS[row]
            self.reload()

    def select_bucket(self, bucket: str) -> None:
        self.bucket_list.setCurrentRow(bench_ops.BUCKETS.index(bucket))

    def selected_id(self) -> int | None:
        item = self.tree.currentItem()
        return None if item is None else int(item.data(0, Qt.ItemDataRole.UserRole))

    def select_task(self, task_id: int) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == task_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    # --- acting -------------------------------------------------------------------------

    def new_task(self) -> TaskDialog | None:
        if not self.ctx.actor.can("task", "create"):
            return None
        return self._open(TaskDialog(self.ctx, clock=self.clock, parent=self))

    def edit_selected(self) -> TaskDialog | None:
        task_id = self.selected_id()
        if task_id is None:
            return None
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: task_ops.get_task(db, actor, task_id)).success(
            lambda task: self._open(TaskDialog(self.ctx, task=task, clock=self.clock, parent=self))
            if isValid(self) else None).failure(self._failed).run()
        return None

    def _open(self, dialog: TaskDialog) -> TaskDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _task: self.reload())
        self.dialog = dialog
        dialog.open()
        return dialog

    def move_selected(self, bucket: str) -> None:
        task_id = self.selected_id()
        if task_id is None:
            return
        db, actor, today, tz = self.ctx.db, self.ctx.actor, self.today(), local_zone()
        op(self, lambda: task_ops.move_task(db, actor, task_id, bucket, today=today, tz=tz), write=True).success(
            lambda _t: self.reload() if isValid(self) else None).failure(self._failed).run()

    def finish_selected(self) -> None:
        task_id = self.selected_id()
        if task_id is None:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: task_ops.set_done(db, actor, task_id, True), write=True).success(
            lambda _t: self.reload() if isValid(self) else None).failure(self._failed).run()


__all__ = ["TaskWorkbench"]
