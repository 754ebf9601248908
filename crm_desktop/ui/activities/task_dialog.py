"""The task form: title, priority, due day (and time), owner, participants, tags, related
records, description and subtasks. Creates or edits through ``services.activities.tasks``.

Public for tests: ``title_edit``, ``priority_combo``, ``due_check``, ``due_date``,
``time_check``, ``due_time``, ``participants`` (UserChecklist), ``subtask_edit`` /
``add_subtask()``, ``subtasks`` (QListWidget), an existing task's ``files`` (TaskFiles),
``comments`` (TaskComments) and ``extras`` (their tabs, with the operation log),
``save()``, signal ``saved(TaskDTO)``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTime
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.activities import tasks as task_ops
from crm_desktop.services.activities.common import RelatedRef
from crm_desktop.ui.activities.common import (
    ActivityDialog,
    Clock,
    UserChecklist,
    local_zone,
    pydate,
    qdate,
    service_label,
    system_clock,
)
from crm_desktop.ui.activities.task_comments import TaskComments, task_log_view
from crm_desktop.ui.activities.task_files import TaskFiles
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op


class TaskDialog(ActivityDialog):
    def __init__(self, ctx: AppContext, *, task: task_ops.TaskDTO | None = None,
                 related: Sequence[RelatedRef] = (), clock: Clock = system_clock,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task = task
        self.related = tuple(task.related if task else related)
        self.setWindowTitle(self.tr("Edit task") if task else self.tr("New task"))
        today = clock().astimezone(local_zone()).date()

        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(200)
        self.title_edit.setPlaceholderText(self.tr("What needs doing"))
        self.priority_combo = QComboBox()
        for key in task_ops.PRIORITIES:
            self.priority_combo.addItem(service_label("tasks", task_ops.PRIORITY_LABELS[key]), key)
        self.due_check = QCheckBox(self.tr("Due on"))
        self.due_date = QDateEdit(qdate(today))
        self.due_date.setCalendarPopup(True)
        self.due_date.setDisplayFormat("yyyy-MM-dd")
        self.time_check = QCheckBox(self.tr("at"))
        self.due_time = QTimeEdit(QTime(18, 0))
        self.due_time.setDisplayFormat("HH:mm")
        due_row = QHBoxLayout()
        for w in (self.due_check, self.due_date, self.time_check, self.due_time):
            due_row.addWidget(w)
        due_row.addStretch(1)
        self.due_check.toggled.connect(self._sync_due)
        self.time_check.toggled.connect(self._sync_due)
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText(self.tr("Separate tags with commas"))
        self.description_edit = QPlainTextEdit()
        self.description_edit.setFixedHeight(90)
        related_text = "、".join(r.name for r in self.related) or self.tr("None")
        self.related_label = QLabel(related_text)
        self.related_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Priority"), self.priority_combo)
        form.addRow(self.tr("Due"), due_row)
        form.addRow(self.tr("Tags"), self.tags_edit)
        form.addRow(self.tr("About"), self.related_label)
        form.addRow(self.tr("Description"), self.description_edit)

        self.participants = UserChecklist(ctx)
        self.participants.filled.connect(self.participants_read)
        self.participants.setMinimumHeight(120)
        self.subtasks = QListWidget()
        self.subtasks.setMinimumHeight(120)
        self.subtask_edit = QLineEdit()
        self.subtask_edit.setPlaceholderText(self.tr("New subtask, then Enter"))
        # Enter adds the subtask and goes no further: it must not also press Save.
        self.subtask_edit.installEventFilter(self)
        add = QPushButton(self.tr("Add"))
        add.setAutoDefault(False)
        add.clicked.connect(self.add_subtask)
        remove = QPushButton(self.tr("Remove"))
        remove.setAutoDefault(False)
        remove.clicked.connect(self._remove_subtask)
        sub_row = QHBoxLayout()
        sub_row.addWidget(self.subtask_edit, 1)
        sub_row.addWidget(add)
        sub_row.addWidget(remove)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("Participants")))
        right.addWidget(self.participants, 1)
        right.addWidget(QLabel(self.tr("Subtasks")))
        right.addWidget(self.subtasks, 1)
        right.addLayout(sub_row)
        #: An existing task's files, comments and operation log (a new task has none until saved).
        self.files: TaskFiles | None = None
        self.comments: TaskComments | None = None
        self.extras: QTabWidget | None = None
        if task is not None:
            self.files = TaskFiles(ctx, task.id)
            self.comments = TaskComments(ctx, task)
            self.extras = QTabWidget()
            self.extras.addTab(self.comments, self.tr("Comments ({n})").format(n=len(task.comments)))
            self.extras.addTab(self.files, self.tr("Files"))
            self.extras.addTab(task_log_view(ctx, task.id), self.tr("Operation log"))
            right.addWidget(self.extras, 1)

        self.lay_out(form, right, self.save)
        self.resize(860, 600 if task is not None else 520)
        if task is not None:
            self._show(task)
        self._sync_due()

    def _show(self, task: task_ops.TaskDTO) -> None:
        self.title_edit.setText(task.title)
        self.priority_combo.setCurrentIndex(max(self.priority_combo.findData(task.priority), 0))
        if task.due_date is not None:
            self.due_check.setChecked(True)
            self.due_date.setDate(qdate(task.due_date))
        if task.due_at is not None:
            local = task.due_at.astimezone(local_zone())
            self.time_check.setChecked(True)
            self.due_time.setTime(QTime(local.hour, local.minute))
        self.tags_edit.setText(", ".join(task.tags))
        self.description_edit.setPlainText(task.description)
        self.participants.set_checked(p.user_id for p in task.participants)
        for sub in task.subtasks:
            self._add_item(sub.title, sub.done)

    def _sync_due(self) -> None:
        on = self.due_check.isChecked()
        self.due_date.setEnabled(on)
        self.time_check.setEnabled(on)
        self.due_time.setEnabled(on and self.time_check.isChecked())

    def _add_item(self, title: str, done: bool = False) -> None:
        item = QListWidgetItem(title)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable)
        item.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
        self.subtasks.addItem(item)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (watched is self.subtask_edit and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.add_subtask()
            return True
        return super().eventFilter(watched, event)

    def add_subtask(self) -> None:
        text = self.subtask_edit.text().strip()
        if text:
            self._add_item(text)
            self.subtask_edit.clear()

    def _remove_subtask(self) -> None:
        row = self.subtasks.currentRow()
        if row >= 0:
            self.subtasks.takeItem(row)

    def data(self) -> task_ops.TaskInput:
        due_date: dt.date | None = None
        due_at: dt.datetime | None = None
        if self.due_check.isChecked():
            due_date = pydate(self.due_date.date())
            if self.time_check.isChecked():
                t = self.due_time.time()
                due_at = dt.datetime.combine(due_date, dt.time(t.hour(), t.minute()), tzinfo=local_zone())
        subtasks = tuple((self.subtasks.item(i).text(), self.subtasks.item(i).checkState() == Qt.CheckState.Checked)
                         for i in range(self.subtasks.count()))
        return task_ops.TaskInput(
            title=self.title_edit.text(), description=self.description_edit.toPlainText(),
            priority=str(self.priority_combo.currentData()),
            tags=tuple(t for t in self.tags_edit.text().replace("，", ",").split(",")),
            due_date=due_date, due_at=due_at, owner_id=self.task.owner_id if self.task else None,
            participant_ids=self.participants.checked_ids(),
            related=tuple((r.entity, r.record_id) for r in self.related), subtasks=subtasks)

    def save(self) -> None:
        """Create or update the task (off the GUI thread); ``saved`` then the dialog closes."""
        db, actor, data, task, tz = self.ctx.db, self.ctx.actor, self.data(), self.task, local_zone()
        if task is None:
            def call() -> task_ops.TaskDTO:
                return task_ops.create_task(db, actor, data, tz=tz)
        else:
            def call() -> task_ops.TaskDTO:
                return task_ops.update_task(db, actor, task.id, data, expected_version=task.version, tz=tz)
        self.saving()
        op(self, call, write=True).success(self._saved).failure(self._failed).run()


__all__ = ["TaskDialog"]
