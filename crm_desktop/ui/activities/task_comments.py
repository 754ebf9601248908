"""A task's comments in its form ("@name" messages that colleague, services.activities.tasks
.add_comment) and its operation log (the shared OperationLogView over the task's audit).

Public for tests: ``TaskComments``: ``list``, ``edit``, ``add()``, ``comments``;
``task_log_view(ctx, task_id)``.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.activities import tasks as task_ops
from crm_desktop.ui.activities.common import local_zone
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.operation_log import OperationLogView


class TaskComments(QWidget):
    def __init__(self, ctx: AppContext, task: task_ops.TaskDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task_id = task.id
        self.comments: list[task_ops.CommentDTO] = []
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("Comment (@name tells a colleague), then Enter"))
        # Enter comments and goes no further: it must not also press the form's Save.
        self.edit.installEventFilter(self)
        button = QPushButton(self.tr("Comment"))
        button.setAutoDefault(False)
        button.clicked.connect(self.add)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self._show(list(task.comments))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.add()
            return True
        return super().eventFilter(watched, event)

    def _show(self, comments: list[task_ops.CommentDTO]) -> None:
        self.comments = comments
        self.list.clear()
        for c in comments:
            self.list.addItem(f"{c.author_name}  {c.created_at.astimezone(local_zone()):%m-%d %H:%M}\n{c.body}")

    def add(self) -> None:
        body = self.edit.text()
        if not body.strip():
            return
        db, actor, task_id = self.ctx.db, self.ctx.actor, self.task_id
        self.edit.clear()
        self.message.hide()

        def added(comment: task_ops.CommentDTO) -> None:
            if isValid(self):
                self._show([*self.comments, comment])

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self.edit.setText(body)  # typed input is never lost
                self.message.setText(error_text(exc))
                self.message.show()

        op(self, lambda: task_ops.add_comment(db, actor, task_id, body), write=True).success(added).failure(
            failed).run()


class _TaskAudit:
    """The task service as the operation log view reads a record service."""

    @staticmethod
    def operation_log(db: Any, actor: Any, record_id: int) -> list[Any]:
        return task_ops.operation_log(db, actor, record_id)


def task_log_view(ctx: AppContext, task_id: int) -> OperationLogView:
    view = OperationLogView(ctx, _TaskAudit(), task_id, {}, newest_first=True)  # type: ignore[arg-type]
    view.reload()
    return view


__all__ = ["TaskComments", "task_log_view"]
