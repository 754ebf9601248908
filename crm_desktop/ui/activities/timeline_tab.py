"""The record's activity timeline tab (跟进记录 gathered): follow-ups, tasks, schedule events and
approvals about the record, newest first, filterable by kind; a task or event opens in its
dialog, and new tasks and events about the record start here.

Public for tests: ``kind_combo``, ``tree``, ``items``, ``new_task()``, ``new_event()``,
``open_selected()``, ``dialog``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.activities import schedule as schedule_ops
from crm_desktop.services.activities import tasks as task_ops
from crm_desktop.services.activities import timeline as timeline_ops
from crm_desktop.services.activities import worklogs as worklog_ops
from crm_desktop.services.activities.common import RelatedRef
from crm_desktop.services.customers.followups import BUILTIN_KINDS
from crm_desktop.ui.activities.common import local_zone, service_label
from crm_desktop.ui.activities.event_dialog import EventDialog
from crm_desktop.ui.activities.task_dialog import TaskDialog
from crm_desktop.ui.activities.worklog_page import WorkLogDialog
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import (
    DetailData,
    DetailTab,
    DetailTarget,
    make_tree,
)


class ActivityTimelineTab(DetailTab):
    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.items: list[timeline_ops.TimelineItem] = []
        self.dialog: QWidget | None = None
        self.record_name = ""
        self.status_text = {"open": self.tr("Open"), "done": self.tr("Done"), "pending": self.tr("Pending"),
                            "approved": self.tr("Approved"), "rejected": self.tr("Rejected"),
                            "withdrawn": self.tr("Withdrawn")}
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("All activities"), "")
        for key in timeline_ops.KINDS:
            self.kind_combo.addItem(service_label("timeline", timeline_ops.KIND_LABELS[key]), key)
        self.kind_combo.currentIndexChanged.connect(self.reload)
        self.task_button = QPushButton(self.tr("New task"))
        self.task_button.setVisible(self.can("task", "create"))
        self.task_button.clicked.connect(self.new_task)
        self.event_button = QPushButton(self.tr("New event"))
        self.event_button.setVisible(self.can("event", "create"))
        self.event_button.clicked.connect(self.new_event)
        self.count_label = QLabel()
        tools = QHBoxLayout()
        tools.addWidget(self.kind_combo)
        tools.addWidget(self.task_button)
        tools.addWidget(self.event_button)
        tools.addStretch(1)
        tools.addWidget(self.count_label)
        self.tree = make_tree([self.tr("Time"), self.tr("Kind"), self.tr("What"), self.tr("Status"), self.tr("By")],
                              (140, 90, 420, 100, 110), stretch=2)
        self.tree.itemActivated.connect(lambda _i, _c: self.open_selected())
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)
        self.ctx.signals.changed.connect(self._on_changed)

    def show_record(self, data: DetailData) -> None:
        self.record_name = data.title

    def reload(self) -> None:
        db, actor, entity, record_id = self.ctx.db, self.ctx.actor, self.target.entity, self.target.record_id
        kind = str(self.kind_combo.currentData() or "")
        kinds = (kind,) if kind else timeline_ops.KINDS
        self._loading = True
        op(self, lambda: timeline_ops.timeline(db, actor, entity, record_id, kinds=kinds)).success(
            self._show).failure(self._failed).run()

    def _show(self, items: list[timeline_ops.TimelineItem]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.items = items
        self.tree.clear()
        tz = local_zone()
        for item in items:
            label = service_label("timeline", timeline_ops.KIND_LABELS[item.kind])
            row = QTreeWidgetItem([f"{item.at.astimezone(tz):%Y-%m-%d %H:%M}", label, item.title,
                                   self._status(item), item.who])
            row.setToolTip(2, item.title)
            self.tree.addTopLevelItem(row)
        self.count_label.setText(self.tr("Activities: {n}").format(n=len(items)))

    def _status(self, item: timeline_ops.TimelineItem) -> str:
        """The status column: a follow-up's or event's kind, a task's or approval's state."""
        if item.kind == "followup" and item.status in BUILTIN_KINDS:
            return service_label("fields", BUILTIN_KINDS[item.status])
        if item.kind == "event" and item.status in schedule_ops.KIND_LABELS:
            return service_label("schedule", schedule_ops.KIND_LABELS[item.status])
        if item.kind == "log" and item.status in worklog_ops.KIND_LABELS:
            return service_label("worklogs", worklog_ops.KIND_LABELS[item.status])
        return self.status_text.get(item.status, item.status)

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self.show_message(error_text(exc), error=True)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and entity in ("task", "event", "followup", "work_log", self.target.entity):
            self.reload()

    def _related(self) -> tuple[RelatedRef, ...]:
        window = self.window()
        data = getattr(window, "data", None)
        name = data.title if isinstance(data, DetailData) else self.record_name
        return (RelatedRef(self.target.entity, self.target.record_id, name),)

    def new_task(self) -> TaskDialog:
        return self._open(TaskDialog(self.ctx, related=self._related(), parent=self))

    def new_event(self) -> EventDialog:
        return self._open(EventDialog(self.ctx, related=self._related(), parent=self))

    def _open(self, dialog: TaskDialog | EventDialog) -> TaskDialog | EventDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _x: self.reload() if isValid(self) else None)
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_selected(self) -> None:
        row = self.tree.indexOfTopLevelItem(self.tree.currentItem()) if self.tree.currentItem() else -1
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        db, actor = self.ctx.db, self.ctx.actor
        if item.kind == "task":
            op(self, lambda: task_ops.get_task(db, actor, item.item_id)).success(
                lambda task: self._open(TaskDialog(self.ctx, task=task, parent=self)) if isValid(self) else None
            ).failure(self._failed).run()
        elif item.kind == "event":
            op(self, lambda: schedule_ops.get_event(db, actor, item.item_id)).success(
                lambda event: self._open(EventDialog(self.ctx, event=event, parent=self)) if isValid(self) else None
            ).failure(self._failed).run()
        elif item.kind == "log":
            dialog = WorkLogDialog(self.ctx, item.item_id, parent=self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog = dialog
            dialog.open()


__all__ = ["ActivityTimelineTab"]
