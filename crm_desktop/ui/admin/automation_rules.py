"""Automation rules (自动化规则): the trigger rules of one kind of record, in run order.

A record-type chooser on top; the rules as a table (name, event, enabled, condition, actions)
with New, Edit, Delete, Move up/down, Try on a record… and Run log. The enabled box of a row
switches the rule on or off at once. Editing happens in ``RuleEditorDialog``; trying and the
run log in ``rule_runs``. GUI thread only; service calls run through ``ui.ops.op`` and
successful writes call ``ctx.signals.notify("automation")``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from crm_desktop.services import automation
from crm_desktop.services.automation import RuleDTO
from crm_desktop.ui.admin.custom_fields import entity_label, show_error
from crm_desktop.ui.admin.rule_actions import RuleEditorData, action_summary, condition_summary, load_editor_data
from crm_desktop.ui.admin.rule_editor import RuleEditorDialog, event_label
from crm_desktop.ui.admin.rule_runs import RunLogDialog, TryRuleDialog
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar, alive, ask, page_layout
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.filter_editor import field_text

_WATCHED = {"automation", "schema", "dictionary", "role", "user", "*"}
_ROW_HEIGHT = 28
NAME, EVENT, ENABLED, CONDITION, ACTIONS = range(5)


class AutomationRulesPage(QWidget):
    """Public for tests: ``entity_combo``, ``table``, the buttons, ``rules`` (as shown),
    ``dialog`` (the last editor / try / log dialog opened), ``message``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rules: list[RuleDTO] = []
        self.data: RuleEditorData | None = None
        self.dialog: QWidget | None = None
        self._generation = 0
        self._filling = False
        self._select_after_load: int | None = None

        self.entity_combo = QComboBox()
        for entity in automation.ENTITIES:
            self.entity_combo.addItem(entity_label(entity), entity)
        self.entity_combo.currentIndexChanged.connect(lambda *_: self.reload())
        self.new_button = QPushButton(self.tr("New"))
        self.edit_button = QPushButton(self.tr("Edit"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.up_button = QPushButton(self.tr("Move up"))
        self.down_button = QPushButton(self.tr("Move down"))
        self.try_button = QPushButton(self.tr("Try on a record…"))
        self.log_button = QPushButton(self.tr("Run log"))
        self.new_button.clicked.connect(self.new_rule)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.try_button.clicked.connect(self.try_current)
        self.log_button.clicked.connect(self.show_log)
        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Records:")))
        tools.addWidget(self.entity_combo)
        tools.addSpacing(12)
        for button in (self.new_button, self.edit_button, self.delete_button, self.up_button, self.down_button,
                       self.try_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.log_button)
        self.message = MessageBar()
        hint = QLabel(self.tr("Rules run in this order after a record is saved; a rule's changes are part of "
                              "the same save. Untick a rule to pause it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")

        headers = [self.tr("Name"), self.tr("When"), self.tr("Enabled"), self.tr("If"), self.tr("Then")]
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(_ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ENABLED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ACTIONS, QHeaderView.ResizeMode.Stretch)
        for column, width in ((NAME, 170), (EVENT, 130), (CONDITION, 300)):
            self.table.setColumnWidth(column, width)
        self.table.itemSelectionChanged.connect(self._sync_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self.edit_current())
        self.table.itemChanged.connect(self._item_changed)
        page_layout(self, self.tr("Automation rules"), self.message, tools, hint, body=self.table)
        ctx.signals.changed.connect(self._on_changed)
        self._sync_buttons()
        self.reload()

    def entity(self) -> str:
        return str(self.entity_combo.currentData())

    def select_entity(self, entity: str) -> None:
        self.entity_combo.setCurrentIndex(self.entity_combo.findData(entity))

    # -- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the entity's rules and the names their summaries use; a newer reload wins."""
        self._generation += 1
        generation, entity, ctx = self._generation, self.entity(), self.ctx

        def work() -> tuple[list[RuleDTO], RuleEditorData]:
            return automation.list_rules(ctx.db, ctx.actor, entity=entity), load_editor_data(ctx, entity)

        op(self, work).success(lambda result: self._loaded(generation, *result)).failure(
            self.message.show_exception).run()

    def _loaded(self, generation: int, rules: list[RuleDTO], data: RuleEditorData) -> None:
        if generation != self._generation or not alive(self):
            return
        keep = self._select_after_load if self._select_after_load is not None else self.current_id()
        self._select_after_load = None
        self.rules, self.data = rules, data
        self._filling = True
        self.table.setRowCount(len(rules))
        for row, rule in enumerate(rules):
            event = event_label(rule.event)
            if rule.event == "field_changed" and rule.field:
                spec = data.schema.get(rule.field)
                event = f"{event}: {field_text(spec) if spec else rule.field}"
            actions = "; ".join(action_summary(data, a) for a in rule.actions)
            cells = [rule.name, event, "", condition_summary(data, rule.condition), actions]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == ENABLED:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                                  | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
                self.table.setItem(row, column, item)
        self._filling = False
        row = next((i for i, r in enumerate(rules) if r.id == keep), -1)
        if row >= 0:
            self.table.selectRow(row)
        self._sync_buttons()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    # -- selection ---------------------------------------------------------------------------

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def current_rule(self) -> RuleDTO | None:
        row = self.current_row()
        return self.rules[row] if 0 <= row < len(self.rules) else None

    def current_id(self) -> int | None:
        rule = self.current_rule()
        return rule.id if rule else None

    def select_rule(self, rule_id: int) -> None:
        row = next((i for i, r in enumerate(self.rules) if r.id == rule_id), -1)
        if row >= 0:
            self.table.selectRow(row)

    def _sync_buttons(self) -> None:
        row = self.current_row()
        chosen = 0 <= row < len(self.rules)
        for button in (self.edit_button, self.delete_button, self.try_button):
            button.setEnabled(chosen)
        self.up_button.setEnabled(chosen and row > 0)
        self.down_button.setEnabled(chosen and row < len(self.rules) - 1)

    # -- commands ----------------------------------------------------------------------------

    def new_rule(self) -> RuleEditorDialog:
        return self._open_editor(RuleEditorDialog(self.ctx, self, entity=self.entity()))

    def edit_current(self) -> RuleEditorDialog | None:
        rule = self.current_rule()
        if rule is None:
            return None
        return self._open_editor(RuleEditorDialog(self.ctx, self, entity=rule.entity, rule=rule))

    def _open_editor(self, dialog: RuleEditorDialog) -> RuleEditorDialog:
        self.message.clear()
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, rule: object) -> None:
        if not alive(self) or not isinstance(rule, RuleDTO):
            return
        self.message.show_info(self.tr("Rule “{name}” saved.").format(name=rule.name))
        self._after_write(rule.id)

    def _after_write(self, rule_id: int | None) -> None:
        self._select_after_load = rule_id
        self.ctx.signals.notify("automation")

    def _item_changed(self, item: QTableWidgetItem) -> None:
        """The enabled box of a row was clicked: switch the rule on or off."""
        if self._filling or item.column() != ENABLED or not 0 <= item.row() < len(self.rules):
            return
        rule = self.rules[item.row()]
        enabled = item.checkState() == Qt.CheckState.Checked
        if enabled == rule.enabled:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: automation.set_enabled(db, actor, rule.id, enabled), write=True).success(
            lambda saved: self._after_write(saved.id)).failure(self._write_failed).run()

    def _write_failed(self, exc: BaseException) -> None:
        if alive(self):
            show_error(self.message, exc)
            self.reload()  # the table shows what is stored again

    def delete_current(self) -> None:
        rule = self.current_rule()
        if rule is None:
            return
        db, actor = self.ctx.db, self.ctx.actor

        def delete() -> None:
            op(self, lambda: automation.delete_rule(db, actor, rule.id), write=True).success(
                lambda _r: self._after_write(None)).failure(self._write_failed).run()

        self.dialog = ask(self, self.tr("Delete rule"),
                          self.tr("Delete the rule “{name}”? Its run log is kept.").format(name=rule.name), delete)

    def move_current(self, step: int) -> None:
        """Move the selected rule up (-1) or down (+1) in the run order."""
        row = self.current_row()
        target = row + step
        if not (0 <= row < len(self.rules) and 0 <= target < len(self.rules)):
            return
        ids = [r.id for r in self.rules]
        ids[row], ids[target] = ids[target], ids[row]
        db, actor, entity = self.ctx.db, self.ctx.actor, self.entity()
        moved = ids[target]
        op(self, lambda: automation.reorder_rules(db, actor, entity, ids), write=True).success(
            lambda _r: self._after_write(moved)).failure(self._write_failed).run()

    def try_current(self) -> TryRuleDialog | None:
        rule = self.current_rule()
        if rule is None:
            return None
        dialog = TryRuleDialog(self.ctx, rule, self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_log(self) -> RunLogDialog:
        dialog = RunLogDialog(self.ctx, self)
        self.dialog = dialog
        dialog.open()
        return dialog


__all__ = ["AutomationRulesPage"]
