"""Number rules (编号规则): how contract and payment numbers are made, with a live example;
whether a payment may exceed what a contract still has outstanding; whether an approved
contract marks its opportunity won.

Each rule: prefix, date part (day, month, year or none), when the sequence starts again (daily,
monthly, yearly, never), digits and separator; the example under it is ``format_number`` for
now and sequence 1, updated on every keystroke. Save stores the rule through
``numbering.set_rule`` (which refuses a rule that would repeat numbers; the message is shown
beside the field). The overpayment box writes ``payments.set_allow_overpayment`` at once, the
won box ``won_on_approval.set_win_on_approval``.
GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.records import numbering
from crm_desktop.services.records.numbering import NumberRuleDTO, format_number
from crm_desktop.services.sales import payments, won_on_approval
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormErrors, MessageBar, alive, page_layout
from crm_desktop.ui.ops import op

ENTITIES = ("contract", "payment")


class NumberRuleEditor(QGroupBox):
    """One entity's rule. Public for tests: ``prefix_edit``, ``date_combo``, ``reset_combo``,
    ``digits_spin``, ``separator_edit``, ``example_label``, ``save_button``, ``errors``, ``rule()``,
    ``set_rule(rule)``."""

    def __init__(self, ctx: AppContext, entity: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.ctx, self.entity = ctx, entity
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setMaxLength(20)
        self.date_combo = QComboBox()
        for fmt, label in (("%Y%m%d", self.tr("Year, month and day (20261122)")),
                           ("%Y%m", self.tr("Year and month (202611)")), ("%Y", self.tr("Year (2026)")),
                           ("", self.tr("No date"))):
            self.date_combo.addItem(label, fmt)
        self.reset_combo = QComboBox()
        for reset, label in (("daily", self.tr("Every day")), ("monthly", self.tr("Every month")),
                             ("yearly", self.tr("Every year")), ("never", self.tr("Never"))):
            self.reset_combo.addItem(label, reset)
        self.digits_spin = QSpinBox()
        self.digits_spin.setRange(1, 10)
        self.separator_edit = QLineEdit()
        self.separator_edit.setMaxLength(5)
        self.separator_edit.setMaximumWidth(60)
        self.example_label = QLabel()
        self.example_label.setStyleSheet("font-size: 15px; font-weight: 600; color: #17406d;")
        self.message = MessageBar()
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.clicked.connect(self.save)
        form = QFormLayout()
        self.errors = FormErrors(form, self.message)
        self.errors.add_row("prefix", self.tr("Prefix:"), self.prefix_edit)
        self.errors.add_row("date_format", self.tr("Date part:"), self.date_combo)
        self.errors.add_row("reset", self.tr("Sequence starts again:"), self.reset_combo)
        self.errors.add_row("digits", self.tr("Digits:"), self.digits_spin)
        self.errors.add_row("separator", self.tr("Separator:"), self.separator_edit)
        form.addRow(self.tr("Example:"), self.example_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addLayout(buttons)
        for signal in (self.prefix_edit.textChanged, self.separator_edit.textChanged,
                       self.date_combo.currentIndexChanged, self.reset_combo.currentIndexChanged,
                       self.digits_spin.valueChanged):
            signal.connect(lambda *_: self.update_example())
        self.set_rule(numbering.default_rule(entity))

    def rule(self) -> NumberRuleDTO:
        return NumberRuleDTO(entity=self.entity, prefix=self.prefix_edit.text(),
                             date_format=str(self.date_combo.currentData()), reset=str(self.reset_combo.currentData()),
                             digits=self.digits_spin.value(), separator=self.separator_edit.text())

    def set_rule(self, rule: NumberRuleDTO) -> None:
        self.prefix_edit.setText(rule.prefix)
        self.date_combo.setCurrentIndex(max(0, self.date_combo.findData(rule.date_format)))
        self.reset_combo.setCurrentIndex(max(0, self.reset_combo.findData(rule.reset)))
        self.digits_spin.setValue(rule.digits)
        self.separator_edit.setText(rule.separator)
        self.update_example()

    def update_example(self) -> None:
        """The number this rule gives now for the first record of a period."""
        self.example_label.setText(format_number(self.rule(), dt.datetime.now().astimezone(), 1))

    def save(self) -> None:
        db, actor, rule = self.ctx.db, self.ctx.actor, self.rule()
        self.errors.clear()

        def saved(stored: NumberRuleDTO) -> None:
            if alive(self):
                self.set_rule(stored)
                self.message.show_info(self.tr("Saved: new numbers look like {example}.").format(
                    example=self.example_label.text()))

        op(self, lambda: numbering.set_rule(db, actor, rule), write=True).success(saved).failure(
            self.errors.show).run()


class NumberRulesPage(QWidget):
    """Public for tests: ``editors`` (entity → NumberRuleEditor), ``overpayment_box``, ``won_box``,
    ``message``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.message = MessageBar()
        titles = {"contract": self.tr("Contract numbers"), "payment": self.tr("Payment numbers")}
        self.editors = {e: NumberRuleEditor(ctx, e, titles[e]) for e in ENTITIES}
        self.overpayment_box = QCheckBox(self.tr("A payment may be more than the contract's outstanding amount"))
        self.overpayment_box.setToolTip(self.tr("Off: a payment above what is still outstanding is refused."))
        self.overpayment_box.clicked.connect(self.set_overpayment)
        self.won_box = QCheckBox(self.tr("Mark the opportunity won when its contract is approved"))
        self.won_box.setToolTip(self.tr("On: approving a contract closes the opportunity it was made for as won."))
        self.won_box.clicked.connect(self.set_win_on_approval)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        for editor in self.editors.values():
            row.addWidget(editor, 1)
        column.addLayout(row)
        column.addWidget(self.overpayment_box)
        column.addWidget(self.won_box)
        column.addStretch(1)
        page_layout(self, self.tr("Number rules"), self.message, body=body)
        self.reload()

    def reload(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def read() -> tuple[dict[str, NumberRuleDTO], bool, bool]:
            return ({e: numbering.get_rule(db, actor, e) for e in ENTITIES},
                    payments.get_allow_overpayment(db, actor), won_on_approval.get_win_on_approval(db, actor))

        op(self, read).success(self._loaded).failure(self.message.show_exception).run()

    def _loaded(self, loaded: tuple[dict[str, NumberRuleDTO], bool, bool]) -> None:
        if not alive(self):
            return
        rules, allowed, wins = loaded
        for entity, rule in rules.items():
            self.editors[entity].set_rule(rule)
        self.overpayment_box.setChecked(allowed)
        self.won_box.setChecked(wins)

    def set_overpayment(self, allowed: bool) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def saved(_none: object) -> None:
            if alive(self):
                self.message.show_info(self.tr("Overpayments are now allowed.") if allowed
                                       else self.tr("Payments above the outstanding amount are now refused."))

        def failed(exc: BaseException) -> None:
            if alive(self):
                self.overpayment_box.setChecked(not allowed)
                self.message.show_exception(exc)

        op(self, lambda: payments.set_allow_overpayment(db, actor, allowed), write=True).success(saved).failure(
            failed).run()


    def set_win_on_approval(self, enabled: bool) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def saved(_none: object) -> None:
            if alive(self):
                self.message.show_info(self.tr("An approved contract now marks its opportunity won.") if enabled
                                       else self.tr("Approving a contract no longer changes its opportunity."))

        def failed(exc: BaseException) -> None:
            if alive(self):
                self.won_box.setChecked(not enabled)
                self.message.show_exception(exc)

        op(self, lambda: won_on_approval.set_win_on_approval(db, actor, enabled), write=True).success(saved).failure(
            failed).run()


__all__ = ["NumberRuleEditor", "NumberRulesPage"]
