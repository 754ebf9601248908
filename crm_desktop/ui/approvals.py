"""What the approval screens share: status colours and badges, how actions and times read,
the approve/reject dialog, and ``announce`` after an approval write. The record detail's
approvals tab (records/details/approvals.py) and "My approvals" (my_approvals.py) use them.

- ``DecisionDialog``: what is being approved (with an ``ApprovalItemDTO``: the record's kind,
  name and number, amount, customer, submitter, flow and node, and a link that opens the
  record — ``open_record(entity, id)``), then an optional comment (a rejection needs one: the
  service says so beside the field); the decision runs as a background write and the dialog
  stays open on failure. When someone else decided first (``AlreadyDecided``) it says so,
  disables OK and emits ``outdated`` so the page showing the task reads it again.
- ``entity_text``: a record's kind in the user's language ("Contract", 合同), never the code.

Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.automation.approvals import AlreadyDecided
from crm_desktop.services.org.permissions import ENTITY_LABELS
from crm_desktop.services.workflow import approvals
from crm_desktop.services.workflow.approvals import (
    ACTION_LABELS,
    STATUS_LABELS,
    ApprovalItemDTO,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog
from crm_desktop.ui.i18n import service_text
from crm_desktop.ui.records.shared.list_model import format_value

#: Text and background of each instance status (a badge reads at a glance).
STATUS_COLORS: dict[str, tuple[str, str]] = {
    "pending": ("#a35200", "#fff1e0"),
    "approved": ("#1b6e2a", "#e3f4e6"),
    "rejected": ("#a61b1b", "#fde8e8"),
    "withdrawn": ("#5b6570", "#eceff2"),
}
def entity_text(entity: str) -> str:
    """The kind of a record in the user's language, capitalised ("Contract", "合同")."""
    label = ENTITY_LABELS.get(entity)
    text = service_text("entities", label) if label else entity
    return text[:1].upper() + text[1:]


def status_text(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return QCoreApplication.translate("approvals", label) if label else status


def action_text(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return QCoreApplication.translate("approvals", label) if label else action


def status_style(status: str) -> str:
    """The stylesheet of a status badge (a rounded label in the status's colours)."""
    fg, bg = STATUS_COLORS.get(status, ("#333", "#eee"))
    return (f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg}40; border-radius: 9px;"
            " padding: 1px 9px; font-weight: 600; }")


def status_badge(status: str) -> QLabel:
    label = QLabel(status_text(status))
    label.setStyleSheet(status_style(status))
    label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return label


def local_datetime(when: dt.datetime | None) -> str:
    """A full local time ("2026-03-09 14:05") for histories, where the day matters."""
    if when is None:
        return ""
    local = (when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when).astimezone()
    return local.strftime("%Y-%m-%d %H:%M")


class DecisionDialog(FormDialog):
    """Approve or reject one task with a comment (see the module docstring).

    Emits ``saved(InstanceDTO)`` then closes; ``outdated`` when someone else decided first;
    ``open_record(entity, record_id)`` when the record's link is followed (the page opens it).
    Public for tests: ``comment_edit``, ``message``, ``errors``, ``facts`` (label → text shown),
    ``record_link``, ``submit()``.
    """

    outdated = Signal()
    open_record = Signal(str, int)

    def __init__(
        self, ctx: AppContext, task_id: int, *, approve: bool, subject: str = "", item: ApprovalItemDTO | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, title=self.tr("Approve") if approve else self.tr("Reject"))
        self.ctx = ctx
        self.task_id = task_id
        self.approve = approve
        self.item = item
        self.facts: dict[str, str] = {}
        self.record_link: QLabel | None = None
        if item is not None:
            self.form.addRow(self._facts_box(item))
        elif subject:
            about = QLabel(subject)
            about.setWordWrap(True)
            about.setStyleSheet("font-weight: 600;")
            self.form.addRow(about)
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setPlaceholderText(
            self.tr("Optional") if approve else self.tr("Why is it rejected? The submitter reads this."))
        self.comment_edit.setMinimumHeight(self.comment_edit.fontMetrics().lineSpacing() * 4 + 14)
        self.add_row("comment", self.tr("Comment"), self.comment_edit)
        self.buttons.button(self.buttons.StandardButton.Ok).setText(
            self.tr("Approve") if approve else self.tr("Reject"))
        self.setMinimumWidth(420)

    def _facts_box(self, item: ApprovalItemDTO) -> QFrame:
        """What is being approved, in a card above the comment."""
        kind = entity_text(item.entity)
        name = item.record_name or kind
        self.record_link = QLabel(f'<a href="{escape(item.entity)}:{item.record_id}">{escape(name)}</a>')
        self.record_link.setTextFormat(Qt.TextFormat.RichText)
        self.record_link.setToolTip(self.tr("Open the record"))
        self.record_link.setWordWrap(True)
        self.record_link.linkActivated.connect(self._link)
        self.facts = {kind: name}
        rows: list[tuple[str, str]] = []
        if item.record_number:
            rows.append((self.tr("Number"), item.record_number))
        if item.amount is not None:
            rows.append((self.tr("Amount"), format_value(item.amount)))
        if item.customer_name:
            rows.append((self.tr("Customer"), item.customer_name))
        rows.append((self.tr("Submitted by"), item.submitter_name))
        rows.append((self.tr("Flow"), f"{item.flow_name} · {item.node_name}" if item.node_name else item.flow_name))
        box = QFrame()
        box.setObjectName("approvalFacts")
        box.setStyleSheet("#approvalFacts { background: palette(base); border: 1px solid palette(midlight);"
                          " border-radius: 6px; }")
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow(kind, self.record_link)
        for label, text in rows:
            value = QLabel(text)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
            self.facts[label] = text
        return box

    def _link(self, href: str) -> None:
        entity, _sep, record_id = href.partition(":")
        if record_id.isdigit():
            self.open_record.emit(entity, int(record_id))

    def build_call(self) -> Callable[[], object] | None:
        db, actor, task_id, approve = self.ctx.db, self.ctx.actor, self.task_id, self.approve
        comment = self.comment_edit.toPlainText().strip()
        return lambda: approvals.decide(db, actor, task_id, approve=approve, comment=comment)

    def _failed(self, exc: BaseException) -> None:
        super()._failed(exc)
        if isinstance(exc, AlreadyDecided) and isValid(self):
            self.buttons.button(self.buttons.StandardButton.Ok).setEnabled(False)
            self.outdated.emit()


def announce(ctx: AppContext, entity: str, record_id: int) -> None:
    """After an approval write: the record (lists, detail windows) and the approval views
    (to-do count, My approvals) read again."""
    ctx.signals.notify(entity, record_id)
    ctx.signals.notify("approval", record_id)
