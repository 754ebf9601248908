"""The opportunity detail page's own parts: the stage header, product lines, stage history.

``OpportunityHeader`` sits in the detail window's header: the stage bar (click a stage → asked
first → ``set_stage``) and the buttons Win / Lose (a reason is required: the dialog stays open
until the service accepts one) / Invalid / Reopen. Every write tells every view
(``DetailTarget.changed``), so the window, its tabs and the lists read again.
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales.opportunities import StageBarDTO, StageChangeDTO
from crm_desktop.services.sales.product_lines import LineDTO
from crm_desktop.ui.forms import FormDialog
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import (
    DetailData,
    DetailTab,
    DetailTarget,
    make_tree,
)
from crm_desktop.ui.records.details.print_buttons import PrintButtons
from crm_desktop.ui.records.details.stage_bar import StageBar
from crm_desktop.ui.records.shared.choices import choice_label
from crm_desktop.ui.records.shared.lines_editor import LinesEditor
from crm_desktop.ui.records.shared.list_model import format_value


def status_text(status: str) -> str:
    """An opportunity's status as the schema words it."""
    return choice_label("opportunity", "status", status)


class ReasonDialog(FormDialog):
    """Close an opportunity as lost (reason required — the service says so if it is empty, and
    the dialog stays open) or invalid (reason optional). Public: ``reason_edit``, ``submit()``."""

    def __init__(self, target: DetailTarget, *, status: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, title=self.tr("Mark as lost") if status == "lost" else self.tr("Mark as invalid"))
        self.target = target
        self.status = status
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(90)
        label = self.tr("Reason lost *") if status == "lost" else self.tr("Reason")
        self.add_row("lost_reason", label, self.reason_edit)
        self.buttons.button(self.buttons.StandardButton.Ok).setText(
            self.tr("Mark as lost") if status == "lost" else self.tr("Mark as invalid"))
        self.setMinimumWidth(420)

    def build_call(self) -> Callable[[], object] | None:
        db, actor, record_id = self.target.ctx.db, self.target.ctx.actor, self.target.record_id
        reason = self.reason_edit.toPlainText()
        if self.status == "lost":
            return lambda: opportunity_ops.lose(db, actor, record_id, reason=reason)
        return lambda: opportunity_ops.mark_invalid(db, actor, record_id, reason=reason)


class OpportunityHeader(DetailTab):
    """The stage bar and the closing buttons, shown in the detail window's header.

    Public for tests: ``stage_bar``, ``win_button``, ``lose_button``, ``invalid_button``,
    ``reopen_button``, ``reason_dialog`` (the last one opened), ``pending_question``,
    ``move_to(stage_id)`` (what a click on the bar does), ``win()``, ``lose()``,
    ``mark_invalid()``, ``reopen()``.
    """

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.bar: StageBarDTO | None = None
        self.reason_dialog: ReasonDialog | None = None
        self._may_edit = self.can("opportunity", "edit")
        offers = target.spec.offers
        self.stage_bar = StageBar()
        self.stage_bar.set_interactive(self._may_edit and offers("set_stage"))
        self.stage_bar.stage_clicked.connect(self.move_to)
        self.win_button = QPushButton(self.tr("Won"))
        self.win_button.setToolTip(self.tr("Close the opportunity as won (赢单)."))
        self.win_button.setStyleSheet("QPushButton { color: #1b6e2a; font-weight: 600; }")
        self.lose_button = QPushButton(self.tr("Lost…"))
        self.lose_button.setToolTip(self.tr("Close the opportunity as lost, with the reason."))
        self.invalid_button = QPushButton(self.tr("Invalid…"))
        self.reopen_button = QPushButton(self.tr("Reopen"))
        self.win_button.clicked.connect(self.win)
        self.lose_button.clicked.connect(self.lose)
        self.invalid_button.clicked.connect(self.mark_invalid)
        self.reopen_button.clicked.connect(self.reopen)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        #: Print quotation… / Export PDF… (print_buttons.py).
        self.print_buttons = PrintButtons(target, report=lambda text, error: self.show_message(text, error=error))
        buttons.addWidget(self.print_buttons)
        buttons.addStretch(1)
        shown = ((self.win_button, offers("win")), (self.lose_button, offers("lose")),
                 (self.invalid_button, offers("mark_invalid")), (self.reopen_button, offers("reopen")))
        for button, offered in shown:
            button.setVisible(self._may_edit and offered)
            button.setEnabled(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.stage_bar)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)

    def reload(self) -> None:
        db, actor, record_id = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True
        op(self, lambda: opportunity_ops.stage_bar(db, actor, record_id)).success(self._show).failure(
            self.failed).run()

    def _show(self, bar: StageBarDTO) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.bar = bar
        self.stage_bar.set_bar(bar)
        is_open = bar.status == "open"
        for button in (self.win_button, self.lose_button, self.invalid_button):
            button.setEnabled(is_open)
        self.reopen_button.setEnabled(not is_open)

    def _stage_name(self, stage_id: int | None) -> str:
        stages = self.bar.stages if self.bar else ()
        return next((s.name for s in stages if s.id == stage_id), "")

    # --- writes -------------------------------------------------------------------------------

    def _write(self, call: Callable[[], Any], done: str) -> None:
        self.show_message("")
        op(self, call, write=True).success(lambda _r: self._written(done)).failure(self.failed).run()

    def _written(self, text: str) -> None:
        if isValid(self):
            self.show_message(text)
            self.target.changed()

    def move_to(self, stage_id: int) -> None:
        """Ask, then move the opportunity to ``stage_id`` (forward or back)."""
        if self.bar is None or self.bar.status != "open" or stage_id == self.bar.current_stage_id:
            return
        db, actor, record_id = self.ctx.db, self.ctx.actor, self.target.record_id
        name = self._stage_name(stage_id)
        self.ask(self.tr("Move this opportunity from “{old}” to “{new}”?").format(
                 old=self._stage_name(self.bar.current_stage_id), new=name),
                 lambda: self._write(lambda: opportunity_ops.set_stage(db, actor, record_id, stage_id=stage_id),
                                     self.tr("Moved to “{name}”.").format(name=name)))

    def win(self) -> None:
        db, actor, record_id = self.ctx.db, self.ctx.actor, self.target.record_id
        self.ask(self.tr("Close this opportunity as won?"),
                 lambda: self._write(lambda: opportunity_ops.win(db, actor, record_id), self.tr("Marked as won.")))

    def _reason(self, status: str) -> ReasonDialog:
        dialog = ReasonDialog(self.target, status=status, parent=self)
        dialog.saved.connect(lambda _r: self._written(
            self.tr("Marked as lost.") if status == "lost" else self.tr("Marked as invalid.")))
        self.reason_dialog = dialog
        dialog.open()
        return dialog

    def lose(self) -> ReasonDialog:
        return self._reason("lost")

    def mark_invalid(self) -> ReasonDialog:
        return self._reason("invalid")

    def reopen(self) -> None:
        db, actor, record_id = self.ctx.db, self.ctx.actor, self.target.record_id
        self.ask(self.tr("Open this opportunity again, at the stage it had?"),
                 lambda: self._write(lambda: opportunity_ops.reopen(db, actor, record_id), self.tr("Reopened.")))


class OpportunityLinesTab(DetailTab):
    """The product lines, read-only, with the total. Public: ``editor`` (a read-only LinesEditor),
    ``lines`` (the LineDTOs shown)."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.lines: tuple[LineDTO, ...] = ()
        self.editor = LinesEditor(self.ctx, read_only=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.message_label)

    def reload(self) -> None:
        db, actor, record_id = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True
        op(self, lambda: opportunity_ops.get_lines(db, actor, record_id)).success(self._show).failure(
            self.failed).run()

    def _show(self, lines: tuple[LineDTO, ...]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.lines = lines
        self.editor.set_lines(lines)


class StageHistoryTab(DetailTab):
    """Every stage and status change, newest first: time, who, from → to, note.
    Public: ``tree``, ``changes`` (oldest first, as read), ``row_texts()``."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.changes: list[StageChangeDTO] = []
        self.tree = make_tree([self.tr("Time"), self.tr("By"), self.tr("From"), self.tr("To"), self.tr("Note")],
                              (140, 90, 160, 160))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)

    def show_record(self, data: DetailData) -> None:
        pass  # the history is its own read

    def reload(self) -> None:
        db, actor, record_id = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True
        op(self, lambda: opportunity_ops.stage_history(db, actor, record_id)).success(self._show).failure(
            self.failed).run()

    @staticmethod
    def describe(stage: str, status: str) -> str:
        """How one end of a change reads: the stage, and the status when it is not open."""
        if not status:
            return "—"
        if status == "open":
            return stage or "—"
        return f"{status_text(status)} · {stage}" if stage else status_text(status)

    def _show(self, changes: list[StageChangeDTO]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.changes = changes
        self.tree.clear()
        for change in reversed(changes):
            item = QTreeWidgetItem([
                format_value(change.at), change.actor_name or "—",
                self.describe(change.from_stage_name, change.from_status),
                self.describe(change.to_stage_name, change.to_status), change.note])
            item.setToolTip(4, change.note)
            item.setData(0, Qt.ItemDataRole.UserRole, change.id)
            self.tree.addTopLevelItem(item)

    def row_texts(self) -> list[list[str]]:
        return [[self.tree.topLevelItem(r).text(c) for c in range(5)] for r in range(self.tree.topLevelItemCount())]


__all__ = ["OpportunityHeader", "OpportunityLinesTab", "ReasonDialog", "StageHistoryTab", "status_text"]
