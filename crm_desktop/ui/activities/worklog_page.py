"""Work logs (日志): write my daily or weekly report on the left; read mine and my team's (the
logs I may read: my own and those of everyone below me) on the right, with their comments.

Everything goes through services.activities.worklogs off the GUI thread. The clock is
injected (tests fix "today").

Public for tests: ``kind_combo``, ``day_edit``, ``done_edit``, ``plan_edit``, ``save()``,
``logs``, ``tree``, ``select_log(id)``, ``shown`` (the log on the right), ``comments``,
``comment_edit``, ``add_comment()``, ``message``.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.activities import worklogs as worklog_ops
from crm_desktop.ui.activities.common import Clock, local_zone, pydate, qdate, service_label, system_clock
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op

#: How far back the list reads.
LIST_DAYS = 31


class WorkLogPage(QWidget):
    def __init__(self, ctx: AppContext, *, clock: Clock = system_clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        self.logs: list[worklog_ops.WorkLogDTO] = []
        self.shown: worklog_ops.WorkLogDTO | None = None

        self.kind_combo = QComboBox()
        for key in worklog_ops.KINDS:
            self.kind_combo.addItem(service_label("worklogs", worklog_ops.KIND_LABELS[key]), key)
        self.day_edit = QDateEdit(qdate(self.today()))
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.done_edit = QPlainTextEdit()
        self.done_edit.setPlaceholderText(self.tr("What I did"))
        self.plan_edit = QPlainTextEdit()
        self.plan_edit.setPlaceholderText(self.tr("What I plan next"))
        self.save_button = QPushButton(self.tr("Save report"))
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Report"), self.kind_combo)
        form.addRow(self.tr("Day"), self.day_edit)
        form.addRow(self.tr("Done"), self.done_edit)
        form.addRow(self.tr("Plan"), self.plan_edit)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel(self.tr("My report")))
        left_layout.addLayout(form, 1)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.save_button)
        left_layout.addLayout(row)

        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels([self.tr("Day"), self.tr("Report"), self.tr("By"), self.tr("Done")])
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda item, _old: self._chosen(item))
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.comments = QListWidget()
        self.comment_edit = QLineEdit()
        self.comment_edit.setPlaceholderText(self.tr("Comment, then Enter"))
        self.comment_edit.returnPressed.connect(self.add_comment)
        comment_button = QPushButton(self.tr("Comment"))
        comment_button.clicked.connect(self.add_comment)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(QLabel(self.tr("Reports I can read (last 31 days)")))
        right_layout.addWidget(self.tree, 3)
        right_layout.addWidget(self.detail, 2)
        right_layout.addWidget(self.comments, 2)
        comment_row = QHBoxLayout()
        comment_row.addWidget(self.comment_edit, 1)
        comment_row.addWidget(comment_button)
        right_layout.addLayout(comment_row)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        ctx.signals.changed.connect(lambda entity, _id: self.reload() if entity in ("work_log", "*") else None)
        self.reload()

    def today(self) -> dt.date:
        return self.clock().astimezone(local_zone()).date()

    def reload(self) -> None:
        if not isValid(self):
            return
        db, actor, until = self.ctx.db, self.ctx.actor, self.today()
        op(self, lambda: worklog_ops.list_logs(db, actor, since=until - dt.timedelta(days=LIST_DAYS), until=until)
           ).success(self._show).failure(self._failed).run()

    def _show(self, logs: list[worklog_ops.WorkLogDTO]) -> None:
        if not isValid(self):
            return
        keep = self.shown.id if self.shown else None
        self.logs = logs
        self.tree.clear()
        for log in logs:
            first = (log.done_text or log.plan_text).splitlines()[0] if (log.done_text or log.plan_text) else ""
            item = QTreeWidgetItem([f"{log.day:%Y-%m-%d}", service_label("worklogs", worklog_ops.KIND_LABELS[log.kind]),
                                    log.author_name, first])
            item.setData(0, Qt.ItemDataRole.UserRole, log.id)
            self.tree.addTopLevelItem(item)
        if keep is not None:
            self.select_log(keep)

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.message.setText(error_text(exc))

    def save(self) -> None:
        """Save my report of the chosen kind and day (writing again replaces it)."""
        db, actor = self.ctx.db, self.ctx.actor
        kind, day = self.kind_combo.currentData(), pydate(self.day_edit.date())
        done, plan = self.done_edit.toPlainText(), self.plan_edit.toPlainText()
        self.save_button.setEnabled(False)

        def saved(log: worklog_ops.WorkLogDTO) -> None:
            if isValid(self):
                self.save_button.setEnabled(True)
                self.message.setText(self.tr("Saved."))
                self.shown = log
                self.reload()

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self.save_button.setEnabled(True)
                self._failed(exc)

        op(self, lambda: worklog_ops.write_log(db, actor, kind=kind, day=day, done_text=done, plan_text=plan),
           write=True).success(saved).failure(failed).run()

    def select_log(self, log_id: int) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == log_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def _chosen(self, item: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        db, actor, log_id = self.ctx.db, self.ctx.actor, int(item.data(0, Qt.ItemDataRole.UserRole))
        op(self, lambda: worklog_ops.get_log(db, actor, log_id)).success(self._show_log).failure(self._failed).run()

    def _show_log(self, log: worklog_ops.WorkLogDTO) -> None:
        if not isValid(self):
            return
        self.shown = log
        self.detail.setText(describe(log))
        self.comments.clear()
        for c in log.comments:
            self.comments.addItem(f"{c.author_name}  {c.created_at.astimezone(local_zone()):%m-%d %H:%M}  {c.body}")

    def add_comment(self) -> None:
        log, body = self.shown, self.comment_edit.text()
        if log is None or not body.strip():
            return
        db, actor = self.ctx.db, self.ctx.actor
        self.comment_edit.clear()
        op(self, lambda: worklog_ops.add_log_comment(db, actor, log.id, body), write=True).success(
            lambda _c: self._chosen(self.tree.currentItem()) if isValid(self) else None).failure(self._failed).run()


class WorkLogDialog(QDialog):
    """One work log with its comments, opened from a record's timeline; a reader comments here.

    Public for tests: ``log``, ``detail``, ``comments``, ``comment_edit``, ``add_comment()``."""

    def __init__(self, ctx: AppContext, log_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.log_id = log_id
        self.log: worklog_ops.WorkLogDTO | None = None
        self.setWindowTitle(self.tr("Work log"))
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.comments = QListWidget()
        self.comment_edit = QLineEdit()
        self.comment_edit.setPlaceholderText(self.tr("Comment, then Enter"))
        self.comment_edit.returnPressed.connect(self.add_comment)
        close = QPushButton(self.tr("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.comment_edit, 1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.detail)
        layout.addWidget(self.comments, 1)
        layout.addLayout(row)
        self.resize(560, 420)
        self.reload()

    def reload(self) -> None:
        db, actor, log_id = self.ctx.db, self.ctx.actor, self.log_id
        op(self, lambda: worklog_ops.get_log(db, actor, log_id)).success(self._show).failure(
            lambda exc: self.detail.setText(error_text(exc)) if isValid(self) else None).run()

    def _show(self, log: worklog_ops.WorkLogDTO) -> None:
        if not isValid(self):
            return
        self.log = log
        self.detail.setText(describe(log))
        self.comments.clear()
        for c in log.comments:
            self.comments.addItem(f"{c.author_name}  {c.created_at.astimezone(local_zone()):%m-%d %H:%M}  {c.body}")

    def add_comment(self) -> None:
        body = self.comment_edit.text()
        if self.log is None or not body.strip():
            return
        db, actor, log_id = self.ctx.db, self.ctx.actor, self.log_id
        self.comment_edit.clear()
        op(self, lambda: worklog_ops.add_log_comment(db, actor, log_id, body), write=True).success(
            lambda _c: self.reload() if isValid(self) else None).run()


def describe(log: worklog_ops.WorkLogDTO) -> str:
    """The log as lines: who, day and kind; done; plan; the records it is about."""
    # QCoreApplication.translate spelled out: lupdate reads a local alias as a widget's tr().
    parts = [f"{log.author_name} · {log.day:%Y-%m-%d} · {service_label('worklogs', worklog_ops.KIND_LABELS[log.kind])}",
             QCoreApplication.translate("WorkLogPage", "Done: {text}").format(text=log.done_text),
             QCoreApplication.translate("WorkLogPage", "Plan: {text}").format(text=log.plan_text)]
    about = "、".join(r.name for r in log.related)
    if about:
        parts.append(QCoreApplication.translate("WorkLogPage", "About: {records}").format(records=about))
    return "\n".join(parts)


__all__ = ["WorkLogDialog", "WorkLogPage", "describe"]
