"""The detail page's approvals tab (审批): every approval of the record, newest first.

Each approval is a card: flow name, status badge, current node, who submitted it and when;
the form as submitted (label: value); the node chain of the current round with who decided
or is deciding; the history of every round (local time, person, action, node, comment).
Buttons follow the actor's rights as the service reports them: Approve / Reject (the actor's
open task; a comment dialog, a rejection needs a comment), Withdraw (the submitter, pending;
asked first), Resubmit (the submitter, rejected or withdrawn). "Submit for approval…" offers
the entity's manual flows to whoever may edit the record; a flow that wants the submitter to
choose approvers asks for them next (``ChooseApproversDialog``).

After every write the tab tells every view (``ctx.signals``: the record and "approval"), so
the window, the lists, the to-do strip and "My approvals" read again.
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.org.users import UserDTO
from crm_desktop.services.workflow import approvals
from crm_desktop.services.workflow.approvals import (
    FlowDTO,
    InstanceDTO,
    PickNode,
    TaskDTO,
)
from crm_desktop.ui.approvals import (
    STATUS_COLORS,
    DecisionDialog,
    action_text,
    announce,
    local_datetime,
    status_badge,
    status_text,
)
from crm_desktop.ui.forms import FormDialog
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import DetailTab, DetailTarget, make_tree
from crm_desktop.ui.records.shared.approver_picker import (
    ChooseApproversDialog,
    approver_candidates,
)
from crm_desktop.ui.records.shared.list_model import format_value

LABEL_STYLE = "color: #666;"
CARD_STYLE = ("#approvalCard { background: palette(base); border: 1px solid palette(midlight);"
              " border-radius: 6px; }")
#: How a task reads in the node chain: mark and colour by state.
TASK_MARKS = {"approved": ("✓", "#1b6e2a"), "rejected": ("✗", "#a61b1b"), "pending": ("…", "#a35200"),
              "waiting": ("·", "#888"), "closed": ("–", "#999")}


class SubmitDialog(FormDialog):
    """Choose one of the entity's manual flows and submit the record to it.
    Public for tests: ``flow_combo``, ``select_flow(flow_id)``."""

    def __init__(self, target: DetailTarget, flows: list[FlowDTO], parent: QWidget | None = None) -> None:
        super().__init__(parent, title=self.tr("Submit for approval"))
        self.target = target
        self.flow_combo = QComboBox()
        for flow in flows:
            self.flow_combo.addItem(flow.name, flow.id)
        self.add_row("flow", self.tr("Approval flow"), self.flow_combo)
        self.buttons.button(self.buttons.StandardButton.Ok).setText(self.tr("Submit"))
        self.setMinimumWidth(380)

    def select_flow(self, flow_id: int) -> None:
        self.flow_combo.setCurrentIndex(self.flow_combo.findData(flow_id))

    def build_call(self) -> Callable[[], object] | None:
        flow_id = self.flow_combo.currentData()
        if flow_id is None:
            self.errors.set_field_error("flow", self.tr("Choose an approval flow."))
            return None
        db, actor, entity, record_id = (self.target.ctx.db, self.target.ctx.actor, self.target.entity,
                                        self.target.record_id)
        chosen, ctx = int(flow_id), self.target.ctx  # captured here: the call runs off the GUI thread

        def call() -> InstanceDTO | ApproversWanted:
            # A flow that wants the submitter to choose approvers: ask them next (the tab opens
            # the chooser), else submit at once.
            nodes = approvals.approvers_to_choose(db, actor, entity, record_id, flow_id=chosen)
            if nodes:
                return ApproversWanted(chosen, tuple(nodes), tuple(approver_candidates(ctx)))
            return approvals.submit(db, actor, entity, record_id, chosen)

        return call


@dataclass(frozen=True)
class ApproversWanted:
    """The chosen manual flow wants the submitter to choose approvers (``nodes``) among ``people``."""

    flow_id: int
    nodes: tuple[PickNode, ...]
    people: tuple[UserDTO, ...]


class ApprovalsTab(DetailTab):
    """The record's approvals (see the module docstring).

    Public for tests: ``instances`` (InstanceDTOs shown, newest first), ``flows`` (manual
    flows offered), ``cards`` (one ``ApprovalCard`` per instance, same order),
    ``submit_button``, ``dialog`` (the last dialog opened), ``submit_for_approval()``,
    ``decide(instance_id, approve)``, ``withdraw(instance_id)``, ``resubmit(instance_id)``.
    """

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.instances: list[InstanceDTO] = []
        self.flows: list[FlowDTO] = []
        self.cards: list[ApprovalCard] = []
        self.dialog: FormDialog | None = None
        self.submit_button = QPushButton(self.tr("Submit for approval…"))
        self.submit_button.clicked.connect(self.submit_for_approval)
        self.submit_button.hide()  # until manual flows are known to exist
        self.count_label = QLabel()
        self.count_label.setStyleSheet(LABEL_STYLE)
        tools = QHBoxLayout()
        tools.addWidget(self.submit_button)
        tools.addStretch(1)
        tools.addWidget(self.count_label)

        self._host = QWidget()
        self._cards_layout = QVBoxLayout(self._host)
        self._cards_layout.setContentsMargins(4, 4, 4, 4)
        self._cards_layout.setSpacing(10)
        self.empty_label = QLabel(self.tr("No approvals for this record yet."))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 24px;")
        self._cards_layout.addWidget(self.empty_label)
        self._cards_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._host)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.message_label)
        layout.addWidget(scroll, 1)

    # --- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        db, actor, entity, record_id = self.ctx.db, self.ctx.actor, self.target.entity, self.target.record_id
        may_submit = self.can(entity, "edit")

        def load() -> tuple[list[InstanceDTO], list[FlowDTO]]:
            found = approvals.record_approvals(db, actor, entity, record_id)
            flows: list[FlowDTO] = []
            if may_submit:
                try:
                    flows = approvals.manual_flows(db, actor, entity)
                except PermissionDenied:
                    flows = []
            return found, flows

        self._loading = True
        op(self, load).success(self._show).failure(self.failed).run()

    def _show(self, result: tuple[list[InstanceDTO], list[FlowDTO]]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.instances, self.flows = result
        self.submit_button.setVisible(bool(self.flows))
        for card in self.cards:
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        for position, inst in enumerate(self.instances):
            card = ApprovalCard(inst, self)
            self._cards_layout.insertWidget(position, card)
            self.cards.append(card)
        self.empty_label.setVisible(not self.instances)
        self.count_label.setText(self.tr("Approvals: {n}").format(n=len(self.instances)) if self.instances else "")

    def card(self, instance_id: int) -> ApprovalCard:
        return next(c for c in self.cards if c.instance.id == instance_id)

    def _instance(self, instance_id: int) -> InstanceDTO | None:
        return next((i for i in self.instances if i.id == instance_id), None)

    # --- acting ---------------------------------------------------------------------------

    def submit_for_approval(self) -> SubmitDialog | None:
        if not self.flows:
            return None
        dialog = SubmitDialog(self.target, self.flows, parent=self)
        dialog.saved.connect(self._submitted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _submitted(self, result: InstanceDTO | ApproversWanted) -> None:
        if not isValid(self):
            return
        if not isinstance(result, ApproversWanted):
            self._done(result, self.tr("Submitted for approval."))
            return
        db, actor, entity, record_id = self.ctx.db, self.ctx.actor, self.target.entity, self.target.record_id

        def call_for(picks: dict[int, list[int]] | None) -> Callable[[], object]:
            return lambda: approvals.submit(db, actor, entity, record_id, result.flow_id, picks=picks)

        chooser = ChooseApproversDialog(result.nodes, result.people, call_for, parent=self)
        chooser.saved.connect(lambda inst: self._done(inst, self.tr("Submitted for approval.")))
        self.dialog = chooser
        chooser.open()

    def decide(self, instance_id: int, approve: bool) -> DecisionDialog | None:
        """Open the approve/reject dialog for the actor's task on this approval."""
        inst = self._instance(instance_id)
        if inst is None or inst.my_task_id is None:
            return None
        dialog = DecisionDialog(self.ctx, inst.my_task_id, approve=approve,
                                subject=f"{inst.flow_name} — {inst.record_name}", parent=self)
        dialog.saved.connect(lambda done: self._done(
            done, self.tr("You approved it.") if approve else self.tr("You rejected it.")))
        dialog.outdated.connect(self.reload)
        self.dialog = dialog
        dialog.open()
        return dialog

    def withdraw(self, instance_id: int) -> None:
        """Ask, then take the approval back (the submitter, while it is pending)."""
        db, actor = self.ctx.db, self.ctx.actor

        def go() -> None:
            op(self, lambda: approvals.withdraw(db, actor, instance_id), write=True).success(
                lambda inst: self._done(inst, self.tr("Approval withdrawn."))).failure(self._write_failed).run()

        self.ask(self.tr("Withdraw this approval? The approvers will no longer see it."), go)

    def resubmit(self, instance_id: int) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: approvals.resubmit(db, actor, instance_id), write=True).success(
            lambda inst: self._done(inst, self.tr("Submitted again."))).failure(self._write_failed).run()

    def _done(self, inst: InstanceDTO, text: str) -> None:
        if not isValid(self):
            return
        self.show_message(text)
        announce(self.ctx, inst.entity, inst.record_id)

    def _write_failed(self, exc: BaseException) -> None:
        self.failed(exc)
        if isValid(self):
            self.reload()  # whatever changed meanwhile (someone decided, the record moved) shows


class ApprovalCard(QFrame):
    """One approval of the record. Public for tests: ``instance``, ``status_label``,
    ``node_label``, ``form_values`` (label → QLabel), ``chain_label``, ``history`` (tree),
    ``history_rows()``, ``approve_button``, ``reject_button``, ``withdraw_button``,
    ``resubmit_button``."""

    def __init__(self, inst: InstanceDTO, tab: ApprovalsTab) -> None:
        super().__init__()
        self.instance = inst
        self.setObjectName("approvalCard")
        self.setStyleSheet(CARD_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(8)

        title = QLabel(inst.flow_name)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        self.status_label = status_badge(inst.status)
        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(title)
        head.addWidget(self.status_label)
        if inst.round > 1:
            head.addWidget(self._muted(self.tr("Round {n}").format(n=inst.round)))
        head.addStretch(1)
        submitted = self.tr("Submitted by {name} · {time}").format(
            name=inst.submitter_name or "—", time=local_datetime(inst.created_at))
        if inst.finished_at is not None:
            submitted += "  ·  " + self.tr("Finished {time}").format(time=local_datetime(inst.finished_at))
        head.addWidget(self._muted(submitted))
        layout.addLayout(head)

        self.node_label = QLabel()
        if inst.status == "pending" and inst.node_name:
            self.node_label.setText(self.tr("Current node: {node}").format(node=inst.node_name))
            self.node_label.setStyleSheet(f"color: {STATUS_COLORS['pending'][0]}; font-weight: 600;")
        self.node_label.setVisible(bool(self.node_label.text()))
        layout.addWidget(self.node_label)

        self.form_values: dict[str, QLabel] = {}
        if inst.form:
            layout.addWidget(self._section(self.tr("Submitted form")))
            grid = QGridLayout()
            grid.setHorizontalSpacing(10)
            grid.setVerticalSpacing(4)
            for index, (label, value) in enumerate(inst.form):
                row, column = divmod(index, 2)
                name = QLabel(f"{label}:")
                name.setStyleSheet(LABEL_STYLE)
                name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                shown = QLabel(format_value(value) if value not in (None, "") else "—")
                shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                shown.setWordWrap(True)
                grid.addWidget(name, row, column * 3)
                grid.addWidget(shown, row, column * 3 + 1)
                self.form_values[label] = shown
            grid.setColumnMinimumWidth(2, 24)
            grid.setColumnStretch(1, 1)
            grid.setColumnStretch(4, 1)
            layout.addLayout(grid)

        layout.addWidget(self._section(self.tr("Approval nodes")))
        self.chain_label = QLabel(self._chain_html(inst))
        self.chain_label.setTextFormat(Qt.TextFormat.RichText)
        self.chain_label.setWordWrap(True)
        layout.addWidget(self.chain_label)

        layout.addWidget(self._section(self.tr("History")))
        self.history = self._history_tree(inst)
        layout.addWidget(self.history)

        self.approve_button = QPushButton(self.tr("Approve…"))
        self.reject_button = QPushButton(self.tr("Reject…"))
        self.withdraw_button = QPushButton(self.tr("Withdraw"))
        self.resubmit_button = QPushButton(self.tr("Resubmit"))
        self.approve_button.clicked.connect(partial(tab.decide, inst.id, True))
        self.reject_button.clicked.connect(partial(tab.decide, inst.id, False))
        self.withdraw_button.clicked.connect(partial(tab.withdraw, inst.id))
        self.resubmit_button.clicked.connect(partial(tab.resubmit, inst.id))
        self.approve_button.setVisible(inst.my_task_id is not None)
        self.reject_button.setVisible(inst.my_task_id is not None)
        self.withdraw_button.setVisible(inst.can_withdraw)
        self.resubmit_button.setVisible(inst.can_resubmit)
        if inst.can_resubmit:
            self.resubmit_button.setToolTip(self.tr("Submit again with the record as it is now"))
        actions = QHBoxLayout()
        actions.addStretch(1)
        for button in (self.withdraw_button, self.resubmit_button, self.reject_button, self.approve_button):
            actions.addWidget(button)
        if any(b.isVisibleTo(self) for b in (self.approve_button, self.reject_button, self.withdraw_button,
                                             self.resubmit_button)):
            layout.addLayout(actions)

    # --- parts ----------------------------------------------------------------------------

    @staticmethod
    def _muted(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet(LABEL_STYLE)
        return label

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("color: #444; font-weight: 600; margin-top: 4px;")
        return label

    def _chain_html(self, inst: InstanceDTO) -> str:
        """One line per node of the current round: done, deciding now, or not reached yet."""
        tasks: dict[int, list[TaskDTO]] = {}
        for task in inst.tasks:
            if task.round == inst.round:
                tasks.setdefault(task.node_index, []).append(task)
        names = list(inst.node_names) or [t.node_name for t in inst.tasks]
        if not names:
            return '<span style="color:#888;">' + escape(self.tr("No approval node applied.")) + "</span>"
        lines = []
        for index, name in enumerate(names):
            current = inst.status == "pending" and index == inst.node_index
            people = []
            for task in tasks.get(index, []):
                mark, color = TASK_MARKS.get(task.state, ("", "#333"))
                state = self._task_state(task.state)
                people.append(f'{escape(task.approver_name or "—")} '
                              f'<span style="color:{color};">{mark} {escape(state)}</span>')
            if not people:
                people.append('<span style="color:#999;">' + escape(self.tr("not reached yet")) + "</span>")
            dot = STATUS_COLORS["pending"][0] if current else (
                "#1b6e2a" if tasks.get(index) and all(t.state in ("approved", "closed") for t in tasks[index])
                else "#a61b1b" if any(t.state == "rejected" for t in tasks.get(index, [])) else "#b0b7bf")
            weight = "font-weight:600;" if current else ""
            lines.append(f'<span style="color:{dot};">●</span>&nbsp;<span style="{weight}">{index + 1}. '
                         f'{escape(name)}</span>&nbsp;&nbsp;—&nbsp;&nbsp;{"、".join(people)}')
        return "<br>".join(lines)

    def _task_state(self, state: str) -> str:
        return {
            "approved": self.tr("approved"), "rejected": self.tr("rejected"), "pending": self.tr("deciding"),
            "waiting": self.tr("waiting for their turn"), "closed": self.tr("no longer needed"),
        }.get(state, state)

    def _history_tree(self, inst: InstanceDTO) -> QTreeWidget:
        tree = make_tree([self.tr("Time"), self.tr("Person"), self.tr("Action"), self.tr("Node"), self.tr("Comment")],
                         (130, 100, 150, 150))
        several = len({e.round for e in inst.log}) > 1
        for entry in inst.log:
            comment = entry.comment
            if entry.action == "finished":  # the engine notes the outcome there, not a person's words
                comment = status_text(comment) if comment else ""
            action = action_text(entry.action)
            if several and entry.action in ("submitted", "resubmitted"):
                which = self.tr("round {n}").format(n=entry.round)  # outside the f-string: lupdate must see it
                action = f"{action} ({which})"
            item = QTreeWidgetItem([local_datetime(entry.at), entry.actor_name or self.tr("System"), action,
                                    entry.node_name, comment])
            item.setToolTip(4, comment)
            if entry.action in ("approved", "rejected", "withdrawn"):
                item.setForeground(2, _brush(entry.action))
            tree.addTopLevelItem(item)
        tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = max(1, len(inst.log))
        row_height = tree.sizeHintForRow(0) if inst.log else tree.fontMetrics().height() + 8
        tree.setFixedHeight(tree.header().sizeHint().height() + rows * row_height + 2 * tree.frameWidth() + 2)
        return tree

    def history_rows(self) -> list[tuple[str, ...]]:
        """The history as shown: (time, person, action, node, comment) per row."""
        return [tuple(self.history.topLevelItem(r).text(c) for c in range(5))
                for r in range(self.history.topLevelItemCount())]


def _brush(status: str) -> QBrush:
    return QBrush(QColor(STATUS_COLORS.get(status, ("#333", ""))[0]))
