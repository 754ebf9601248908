"""Automation rules (自动化规则): the trigger rules of one kind of record, in run order.

A record-type chooser on top; the rules as a table (name, event, enabled, condition, actions)
with New, Edit, Delete, Move up/down, Try on a record… and Run log. The enabled box of a row
switches the rule on or off at once. Editing happens in ``RuleEditorDialog``; trying and the
run log in ``rule_runs``. GUI thread only; service calls run through ``ui.ops.op`` and
successful writes call ``ctx.signals.notify("automation")``.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from crm_desktop.services.workflow import automation
from crm_desktop.services.workflow.automation import RuleDTO
from crm_desktop.ui.admin.custom_fields import entity_label
from crm_desktop.ui.admin.rule_data import (
    RuleEditorData,
    action_summary,
    condition_summary,
    load_editor_data,
)
from crm_desktop.ui.admin.rule_editor import RuleEditorDialog, event_label
from crm_desktop.ui.admin.rule_runs import RunLogDialog, TryRuleDialog
from crm_desktop.ui.admin.switchable_list import SwitchableListPage
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import page_layout
from crm_desktop.ui.records.shared.filter_editor import field_text

NAME, EVENT, ENABLED, CONDITION, ACTIONS = range(5)


class AutomationRulesPage(SwitchableListPage[RuleDTO]):
    """Public for tests: ``entity_combo``, ``table``, the buttons, ``rules`` (as shown),
    ``dialog`` (the last editor / try / log dialog opened), ``message``."""

    topic = "automation"
    watched = frozenset({"automation", "schema", "dictionary", "role", "user", "*"})
    item_type = RuleDTO
    enabled_column = ENABLED

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.data: RuleEditorData | None = None

        self.entity_combo = QComboBox()
        for entity in automation.ENTITIES:
            self.entity_combo.addItem(entity_label(entity), entity)
        self.entity_combo.currentIndexChanged.connect(lambda *_: self.reload())
        self.up_button = QPushButton(self.tr("Move up"))
        self.down_button = QPushButton(self.tr("Move down"))
        self.try_button = QPushButton(self.tr("Try on a record…"))
        self.log_button = QPushButton(self.tr("Run log"))
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
        hint = QLabel(self.tr("Rules run in this order after a record is saved; a rule's changes are part of "
                              "the same save. Untick a rule to pause it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")

        headers = [self.tr("Name"), self.tr("When"), self.tr("Enabled"), self.tr("If"), self.tr("Then")]
        self.make_table(headers, stretch=ACTIONS, widths=((NAME, 170), (EVENT, 130), (CONDITION, 300)))
        page_layout(self, self.tr("Automation rules"), self.message, tools, hint, body=self.table)
        self._sync_buttons()
        self.reload()

    @property
    def rules(self) -> list[RuleDTO]:
        return self.items

    def entity(self) -> str:
        return str(self.entity_combo.currentData())

    def select_entity(self, entity: str) -> None:
        self.entity_combo.setCurrentIndex(self.entity_combo.findData(entity))

    # -- the list ----------------------------------------------------------------------------

    def fetch(self) -> Callable[[], tuple[list[RuleDTO], RuleEditorData]]:
        """The entity's rules and the names their summaries use."""
        entity, ctx = self.entity(), self.ctx
        return lambda: (automation.list_rules(ctx.db, ctx.actor, entity=entity), load_editor_data(ctx, entity))

    def take_extra(self, extra: RuleEditorData) -> None:
        self.data = extra

    def cells(self, item: RuleDTO) -> list[str]:
        assert self.data is not None
        event = event_label(item.event)
        if item.event == "field_changed" and item.field:
            spec = self.data.schema.get(item.field)
            event = f"{event}: {field_text(spec) if spec else item.field}"
        actions = "; ".join(action_summary(self.data, a) for a in item.actions)
        return [item.name, event, "", condition_summary(self.data, item.condition), actions]

    def current_rule(self) -> RuleDTO | None:
        return self.current_item()

    def select_rule(self, rule_id: int) -> None:
        self.select_id(rule_id)

    def _sync_buttons(self) -> None:
        super()._sync_buttons()
        row = self.current_row()
        chosen = 0 <= row < len(self.rules)
        self.try_button.setEnabled(chosen)
        self.up_button.setEnabled(chosen and row > 0)
        self.down_button.setEnabled(chosen and row < len(self.rules) - 1)

    # -- commands ----------------------------------------------------------------------------

    def new_rule(self) -> RuleEditorDialog:
        return self.open_editor(RuleEditorDialog(self.ctx, self, entity=self.entity()))

    new_item = new_rule

    def edit_current(self) -> RuleEditorDialog | None:
        rule = self.current_rule()
        if rule is None:
            return None
        return self.open_editor(RuleEditorDialog(self.ctx, self, entity=rule.entity, rule=rule))

    def saved_text(self, item: RuleDTO) -> str:
        return self.tr("Rule “{name}” saved.").format(name=item.name)

    def switch_call(self, item: RuleDTO, enabled: bool) -> Callable[[], RuleDTO]:
        db, actor = self.ctx.db, self.ctx.actor
        return lambda: automation.set_enabled(db, actor, item.id, enabled)

    def delete_call(self, item: RuleDTO) -> Callable[[], object]:
        db, actor = self.ctx.db, self.ctx.actor
        return lambda: automation.delete_rule(db, actor, item.id)

    def delete_question(self, item: RuleDTO) -> tuple[str, str]:
        return self.tr("Delete rule"), self.tr("Delete the rule “{name}”? Its run log is kept.").format(name=item.name)

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
        self.write(lambda: automation.reorder_rules(db, actor, entity, ids), lambda _r: self.after_write(moved))

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
