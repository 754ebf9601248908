"""Execution stages (订单执行状态, seed 000): the order statuses and what each change of status does.

Left, the "order_status" dictionary items in order (value, label, enabled), edited here and
saved through the dictionary service (``schema_admin.set_dictionary``). Right, the transitions
(each consecutive pair, and "any → X" for each status) with what happens on each:

- "Just change it": no enabled rule or flow applies;
- "Change it and notify": an enabled trigger rule on contracts, event status_changed, field
  execution_status, whose from / to values fit (``NotifyRuleDialog`` creates one with a message
  to a role, chosen users or the owner, through ``services.automation.create_rule``);
- "Needs approval": an enabled approval flow on contracts bound to a status change of
  execution_status whose from / to fit (the flow designer opens on it, or on a new one preset
  for the transition); the status changes only once it is approved.

"Just change it" on a transition switches its rules and flows off (asked first). The page shows
which rules and flows currently apply to each transition. GUI thread only; service calls run
through ``ui.ops.op``; successful writes notify "dictionary", "automation" or "approval".
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.org import roles, users
from crm_desktop.services.records import schema_admin
from crm_desktop.services.records.schema_admin import DictionaryItemDTO
from crm_desktop.services.workflow import approvals, automation
from crm_desktop.services.workflow.approvals import FlowDTO
from crm_desktop.services.workflow.automation import RuleDTO, RuleInput
from crm_desktop.ui.admin.flow_designer import FlowDesignerDialog
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog, MessageBar, alive, ask, page_layout
from crm_desktop.ui.ops import op

FIELD = "execution_status"
_WATCHED = {"dictionary", "automation", "approval", "*"}
FROM, TO, MODE, APPLIES = range(4)
MODE_COLORS = {"approval": "#a35200", "notify": "#17406d", "plain": "#555"}


@dataclass(frozen=True)
class Transition:
    """One change of execution status; ``source`` None means "from any status"."""

    source: str | None
    target: str


def _fits(wanted: Any, actual: str | None) -> bool:
    """A rule's or flow's from / to value (None or "": any) against a transition's end."""
    return wanted in (None, "") or wanted == actual


def flow_for(flows: Sequence[FlowDTO], t: Transition) -> FlowDTO | None:
    """The flow that gates ``t`` (as the approval engine picks it: the first enabled one by id)."""
    for flow in sorted(flows, key=lambda f: f.id):
        if (flow.enabled and flow.entity == "contract" and flow.binding == "status" and flow.status_field == FIELD
                and _fits(flow.from_status, t.source) and _fits(flow.to_status, t.target)):
            if t.source is None and flow.from_status not in (None, ""):
                continue  # "any → X" is only gated by a flow for every source
            return flow
    return None


def rules_for(rules: Sequence[RuleDTO], t: Transition) -> list[RuleDTO]:
    """The enabled status_changed rules of contracts that fire on ``t``."""
    return [r for r in rules if r.enabled and r.entity == "contract" and r.event == "status_changed"
            and r.field in (None, FIELD) and _fits(r.to_value, t.target)
            and (r.from_value in (None, "") or (t.source is not None and r.from_value == t.source))]


@dataclass(frozen=True)
class StagesData:
    items: list[DictionaryItemDTO]
    flows: list[FlowDTO]
    rules: list[RuleDTO]
    roles: list[tuple[int, str]]
    users: list[tuple[int, str]]


def load_stages(ctx: AppContext) -> StagesData:
    """Everything the page shows (runs on the op worker)."""
    db, actor = ctx.db, ctx.actor
    items = schema_admin.get_dictionary(db, actor, "order_status", include_disabled=True)
    flows = approvals.list_flows(db, actor, entity="contract")
    rules = automation.list_rules(db, actor, entity="contract")
    role_list = [(r.id, r.name) for r in roles.list_roles(db, actor)]
    people = [(u.id, u.name) for u in users.list_users(db, actor, include_disabled=False)]
    return StagesData(list(items), flows, rules, role_list, people)


class NotifyRuleDialog(FormDialog):
    """A trigger rule for one transition: when a contract's execution status changes to the
    transition's target (from its source, if any), message a role, chosen users or the owner.
    Public for tests: ``name_edit``, ``to_combo``, ``role_combo``, ``user_list``, ``title_edit``."""

    def __init__(self, ctx: AppContext, parent: QWidget, transition: Transition, labels: dict[str, str],
                 data: StagesData) -> None:
        super().__init__(parent, title=self.tr("Notify on a status change"))
        self.ctx, self.transition = ctx, transition
        target = labels.get(transition.target, transition.target)
        self.name_edit = QLineEdit(self.tr("Notify: {status}").format(status=target))
        self.to_combo = QComboBox()
        self.to_combo.addItem(self.tr("Everyone with a role"), "role")
        self.to_combo.addItem(self.tr("Chosen users"), "users")
        self.to_combo.addItem(self.tr("The contract's owner"), "owner")
        self.role_combo = QComboBox()
        for role_id, name in data.roles:
            self.role_combo.addItem(name, role_id)
        self.user_list = QListWidget()
        self.user_list.setMaximumHeight(140)
        for user_id, name in data.users:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, user_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.user_list.addItem(item)
        self.title_edit = QLineEdit(self.tr("{status}: {{number}} {{name}}").format(status=target))
        self.title_edit.setToolTip(self.tr("{number}, {name} and other field names in braces are filled in."))
        self.add_row("name", self.tr("Rule name:"), self.name_edit)
        self.add_row("to", self.tr("Send to:"), self.to_combo)
        self.role_error = self.add_row("role_id", self.tr("Role:"), self.role_combo)
        self.add_row("user_ids", self.tr("Users:"), self.user_list)
        self.add_row("title", self.tr("Message:"), self.title_edit)
        self.to_combo.currentIndexChanged.connect(self._sync)
        self._sync()
        self.setMinimumWidth(460)

    def _sync(self) -> None:
        kind = self.to_combo.currentData()
        self.form.setRowVisible(self.role_combo.parentWidget(), kind == "role")
        self.form.setRowVisible(self.user_list.parentWidget(), kind == "users")

    def checked_users(self) -> list[int]:
        return [int(self.user_list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.user_list.count())
                if self.user_list.item(i).checkState() == Qt.CheckState.Checked]

    def rule_input(self) -> RuleInput:
        kind = str(self.to_combo.currentData())
        action: dict[str, Any] = {"type": "message", "to": kind, "title": self.title_edit.text(), "body": ""}
        if kind == "role":
            action["role_id"] = self.role_combo.currentData()
        elif kind == "users":
            action["user_ids"] = self.checked_users()
        t = self.transition
        return RuleInput(name=self.name_edit.text(), entity="contract", event="status_changed", field=FIELD,
                         from_value=t.source, to_value=t.target, actions=(action,))

    def build_call(self) -> Callable[[], object] | None:
        db, actor, data = self.ctx.db, self.ctx.actor, self.rule_input()
        return lambda: automation.create_rule(db, actor, data)


class TransitionFlowDesigner(FlowDesignerDialog):
    """The flow designer on a new flow preset for one transition (``flow.id == 0``: created on save)."""

    def __init__(self, ctx: AppContext, parent: QWidget, transition: Transition, name: str) -> None:
        preset = FlowDTO(id=0, name=name, entity="contract", binding="status", status_field=FIELD,
                         from_status=transition.source, to_status=transition.target,
                         branches=({"name": self.tr("All records"), "condition": {}, "nodes": []},))
        super().__init__(ctx, parent, flow=preset)
        self.setWindowTitle(self.tr("New approval flow"))

    def build_call(self) -> Callable[[], object] | None:
        if not self.ready or self.flow is None:
            return None
        call = super().build_call()
        if call is None:
            return None
        db, actor = self.ctx.db, self.ctx.actor
        data = self.flow_input()
        return lambda: approvals.create_flow(db, actor, data)


class ExecutionStagesPage(QWidget):
    """Public for tests: ``item_table``, ``transition_table``, ``transitions`` (in rows),
    ``data``, ``mode_text(row)``, ``applies_text(row)``, the buttons, ``dialog`` (the last
    dialog or question opened), ``select_transition(source, target)``, ``message``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: StagesData | None = None
        self.transitions: list[Transition] = []
        self.dialog: QWidget | None = None
        self._generation = 0
        self.message = MessageBar()

        self.item_table = QTableWidget(0, 3)
        self.item_table.setHorizontalHeaderLabels([self.tr("Value"), self.tr("Status"), self.tr("In use")])
        self.item_table.verticalHeader().setVisible(False)
        self.item_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.item_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.add_item_button = QPushButton(self.tr("Add status"))
        self.up_button, self.down_button = QPushButton("↑"), QPushButton("↓")
        self.save_items_button = QPushButton(self.tr("Save statuses"))
        self.add_item_button.clicked.connect(self.add_item)
        self.up_button.clicked.connect(lambda: self.move_item(-1))
        self.down_button.clicked.connect(lambda: self.move_item(1))
        self.save_items_button.clicked.connect(self.save_items)
        item_tools = QHBoxLayout()
        for button in (self.add_item_button, self.up_button, self.down_button):
            item_tools.addWidget(button)
        item_tools.addStretch(1)
        item_tools.addWidget(self.save_items_button)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(QLabel(self.tr("Order statuses, in order")))
        left_box.addWidget(self.item_table, 1)
        left_box.addLayout(item_tools)

        self.transition_table = QTableWidget(0, 4)
        self.transition_table.setHorizontalHeaderLabels(
            [self.tr("From"), self.tr("To"), self.tr("What happens"), self.tr("Applied by")])
        self.transition_table.verticalHeader().setVisible(False)
        self.transition_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.transition_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.transition_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.transition_table.horizontalHeader()
        header.setSectionResizeMode(APPLIES, QHeaderView.ResizeMode.Stretch)
        for column, width in ((FROM, 90), (TO, 90), (MODE, 150)):
            self.transition_table.setColumnWidth(column, width)
        self.transition_table.itemSelectionChanged.connect(self._sync_buttons)
        self.plain_button = QPushButton(self.tr("Just change it"))
        self.plain_button.setToolTip(self.tr("Switch off the rules and flows of this change."))
        self.notify_button = QPushButton(self.tr("Change and notify…"))
        self.approval_button = QPushButton(self.tr("Needs approval…"))
        self.approval_button.setToolTip(self.tr("Open the flow that gates this change, or design a new one."))
        self.plain_button.clicked.connect(self.make_plain)
        self.notify_button.clicked.connect(self.add_notify_rule)
        self.approval_button.clicked.connect(self.open_flow)
        tools = QHBoxLayout()
        for button in (self.plain_button, self.notify_button, self.approval_button):
            tools.addWidget(button)
        tools.addStretch(1)
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(QLabel(self.tr("What each change of status does")))
        right_box.addWidget(self.transition_table, 1)
        right_box.addLayout(tools)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 700])
        hint = QLabel(self.tr(
            "A contract's execution status moves through these statuses once it is approved. For each change "
            "choose: just change it, change it and notify the people concerned, or change it only after an "
            "approval."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        page_layout(self, self.tr("Execution stages"), self.message, hint, body=splitter)
        ctx.signals.changed.connect(self._on_changed)
        self._sync_buttons()
        self.reload()

    # --- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        self._generation += 1
        generation, ctx = self._generation, self.ctx
        op(self, lambda: load_stages(ctx)).success(lambda data: self._loaded(generation, data)).failure(
            self.message.show_exception).run()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if alive(self) and entity in _WATCHED:
            self.reload()

    def _loaded(self, generation: int, data: StagesData) -> None:
        if not alive(self) or generation != self._generation:
            return
        self.data = data
        self._fill_items(data.items)
        self._fill_transitions()

    def labels(self) -> dict[str, str]:
        return {i.value: i.label for i in (self.data.items if self.data else [])}

    def _fill_items(self, items: Sequence[DictionaryItemDTO]) -> None:
        self.item_table.setRowCount(0)
        for item in items:
            row = self.item_table.rowCount()
            self.item_table.insertRow(row)
            value = QTableWidgetItem(item.value)
            value.setFlags(value.flags() & ~Qt.ItemFlag.ItemIsEditable)  # records keep their stored value
            self.item_table.setItem(row, 0, value)
            self.item_table.setItem(row, 1, QTableWidgetItem(item.label))
            enabled = QTableWidgetItem()
            enabled.setFlags(enabled.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            enabled.setCheckState(Qt.CheckState.Checked if item.enabled else Qt.CheckState.Unchecked)
            self.item_table.setItem(row, 2, enabled)

    def _fill_transitions(self) -> None:
        assert self.data is not None
        keep = self.current_transition()
        enabled = [i.value for i in self.data.items if i.enabled]
        labels = self.labels()
        self.transitions = [Transition(a, b) for a, b in zip(enabled, enabled[1:])]
        self.transitions += [Transition(None, v) for v in enabled]
        self.transition_table.setRowCount(0)
        for t in self.transitions:
            row = self.transition_table.rowCount()
            self.transition_table.insertRow(row)
            mode, applies = self.describe(t)
            cells = [self.tr("any") if t.source is None else labels.get(t.source, t.source),
                     labels.get(t.target, t.target), self.mode_label(mode), applies]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column == MODE:
                    cell.setForeground(QBrush(QColor(MODE_COLORS[mode])))
                self.transition_table.setItem(row, column, cell)
        if keep is not None:
            self.select_transition(keep.source, keep.target)
        self._sync_buttons()

    def describe(self, t: Transition) -> tuple[str, str]:
        """("approval" | "notify" | "plain", which flow / rules apply)."""
        assert self.data is not None
        flow = flow_for(self.data.flows, t)
        rules = rules_for(self.data.rules, t)
        parts = []
        if flow is not None:
            parts.append(self.tr("Flow “{name}”").format(name=flow.name))
        parts += [self.tr("Rule “{name}”").format(name=r.name) for r in rules]
        mode = "approval" if flow is not None else "notify" if rules else "plain"
        return mode, " · ".join(parts) if parts else "—"

    def mode_label(self, mode: str) -> str:
        return {"approval": self.tr("Needs approval"), "notify": self.tr("Change it and notify"),
                "plain": self.tr("Just change it")}[mode]

    def mode_text(self, row: int) -> str:
        return self.transition_table.item(row, MODE).text()

    def applies_text(self, row: int) -> str:
        return self.transition_table.item(row, APPLIES).text()

    def row_of(self, source: str | None, target: str) -> int | None:
        return next((i for i, t in enumerate(self.transitions) if t == Transition(source, target)), None)

    def select_transition(self, source: str | None, target: str) -> None:
        row = self.row_of(source, target)
        if row is not None:
            self.transition_table.selectRow(row)

    def current_transition(self) -> Transition | None:
        rows = self.transition_table.selectionModel().selectedRows()
        return self.transitions[rows[0].row()] if rows and rows[0].row() < len(self.transitions) else None

    def _sync_buttons(self) -> None:
        chosen = self.current_transition() is not None and self.data is not None
        for button in (self.plain_button, self.notify_button, self.approval_button):
            button.setEnabled(chosen)

    # --- the statuses ---------------------------------------------------------------------

    def items(self) -> list[DictionaryItemDTO]:
        out = []
        for row in range(self.item_table.rowCount()):
            out.append(DictionaryItemDTO(
                value=self.item_table.item(row, 0).text().strip(), label=self.item_table.item(row, 1).text().strip(),
                enabled=self.item_table.item(row, 2).checkState() == Qt.CheckState.Checked))
        return out

    def add_item(self) -> int:
        items = self.items()
        used = {i.value for i in items}
        number = len(items) + 1
        while f"status_{number}" in used:
            number += 1
        self._fill_items([*items, DictionaryItemDTO(f"status_{number}", self.tr("New status"), True)])
        row = self.item_table.rowCount() - 1
        self.item_table.setCurrentCell(row, 1)
        return row

    def move_item(self, step: int) -> None:
        row = self.item_table.currentRow()
        items = self.items()
        other = row + step
        if row < 0 or not 0 <= other < len(items):
            return
        items[row], items[other] = items[other], items[row]
        self._fill_items(items)
        self.item_table.setCurrentCell(other, 1)

    def save_items(self) -> None:
        db, actor, items = self.ctx.db, self.ctx.actor, self.items()

        def saved(_none: object) -> None:
            if alive(self):
                self.message.show_info(self.tr("Order statuses saved."))
                self.ctx.signals.notify("dictionary")

        op(self, lambda: schema_admin.set_dictionary(db, actor, "order_status", items), write=True).success(
            saved).failure(self.message.show_exception).run()

    # --- what a transition does -----------------------------------------------------------

    def add_notify_rule(self) -> NotifyRuleDialog | None:
        t = self.current_transition()
        if t is None or self.data is None:
            return None
        dialog = NotifyRuleDialog(self.ctx, self, t, self.labels(), self.data)
        dialog.saved.connect(lambda rule: self._written("automation", self.tr("Rule “{name}” created.").format(
            name=rule.name)))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_flow(self) -> FlowDesignerDialog | None:
        """The flow gating the chosen transition in the designer, or a new one preset for it."""
        t = self.current_transition()
        if t is None or self.data is None:
            return None
        flow = flow_for(self.data.flows, t)
        labels = self.labels()
        if flow is not None:
            dialog: FlowDesignerDialog = FlowDesignerDialog(self.ctx, self, flow=flow)
        else:
            name = self.tr("Approval: {source} → {target}").format(
                source=self.tr("any") if t.source is None else labels.get(t.source, t.source),
                target=labels.get(t.target, t.target))
            dialog = TransitionFlowDesigner(self.ctx, self, t, name)
        dialog.saved.connect(lambda saved: self._written("approval", self.tr("Approval flow “{name}” saved.").format(
            name=saved.name)))
        self.dialog = dialog
        dialog.open()
        return dialog

    def make_plain(self) -> None:
        """Switch off the flow and rules that apply to the chosen transition (asked first)."""
        t = self.current_transition()
        if t is None or self.data is None:
            return
        flow = flow_for(self.data.flows, t)
        rules = rules_for(self.data.rules, t)
        if flow is None and not rules:
            self.message.show_info(self.tr("This change already just happens."))
            return
        db, actor = self.ctx.db, self.ctx.actor

        def switch_off() -> None:
            if flow is not None:
                approvals.set_flow_enabled(db, actor, flow.id, False)
            for rule in rules:
                automation.set_enabled(db, actor, rule.id, False)

        def done(_none: object) -> None:
            self._written("approval", self.tr("The rules and flows of this change are switched off."))
            self.ctx.signals.notify("automation")

        names = [f"“{flow.name}”"] if flow is not None else []
        names += [f"“{r.name}”" for r in rules]
        self.dialog = ask(self, self.tr("Just change it"), self.tr(
            "Switch off {names}? They also stop applying to the other changes they cover.").format(
            names=", ".join(names)), lambda: op(self, switch_off, write=True).success(done).failure(
            self.message.show_exception).run())

    def _written(self, topic: str, text: str) -> None:
        if alive(self):
            self.message.show_info(text)
            self.ctx.signals.notify(topic)


__all__ = ["ExecutionStagesPage", "NotifyRuleDialog", "Transition", "TransitionFlowDesigner", "flow_for",
           "load_stages", "rules_for"]
