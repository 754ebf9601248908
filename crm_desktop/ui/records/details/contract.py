"""A contract's own detail parts: its product lines and payments tabs (keys "contract_lines",
"contract_payments"; "plans" is plans.py) and its actions under the header (``ContractHeaderBar``:
submit, withdraw, void, execution status — ``shared.contract_actions``, as on the list).
"New payment" on the payments tab opens the payment form with the contract chosen.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.records.schema import get_dictionary
from crm_desktop.services.sales import contracts as contract_ops
from crm_desktop.services.sales import payments as payment_ops
from crm_desktop.services.sales.product_lines import LineDTO
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import (
    DetailData,
    DetailTab,
    DetailTarget,
    make_tree,
)
from crm_desktop.ui.records.details.print_buttons import PrintButtons
from crm_desktop.ui.records.forms.payment_form import open_payment_form
from crm_desktop.ui.records.shared.choices import choice_label, choices_of
from crm_desktop.ui.records.shared.contract_actions import (
    ContractActions,
    enable_actions,
    show_actions,
    submit_payment,
)
from crm_desktop.ui.records.shared.lines_editor import LinesEditor
from crm_desktop.ui.records.shared.list_model import format_value
from crm_desktop.ui.records.specs.payment import PAYMENT

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


# --- product lines ----------------------------------------------------------------------------


class ContractLinesTab(DetailTab):
    """The contract's product lines, read-only, with their total. Public: ``editor``."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.editor = LinesEditor(self.ctx, self, read_only=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.message_label)

    def reload(self) -> None:
        db, actor, rid = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True
        op(self, lambda: contract_ops.contract_lines(db, actor, rid)).success(self._show).failure(self.failed).run()

    def _show(self, lines: Sequence[LineDTO]) -> None:
        if isValid(self):
            self._loading = False
            self.editor.set_lines(lines)


# --- payments --------------------------------------------------------------------------------


class ContractPaymentsTab(DetailTab):
    """The contract's payments (number, amount, date, method, plan, approval status), "New
    payment" (the contract chosen) and "Submit for approval". Public for tests: ``tree``,
    ``rows``, ``new_button``, ``submit_button``, ``payment_dialog``, ``select_payment(id)``."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.rows: list[RecordDTO] = []
        self.payment_dialog: Any = None
        self._approved = False
        self.columns = PAYMENT.related_columns["contract"]
        self.tree = make_tree([c.header("payment") for c in self.columns], [c.width for c in self.columns])
        self.tree.itemSelectionChanged.connect(self._sync_buttons)
        self.new_button = QPushButton(self.tr("New payment…"))
        self.new_button.clicked.connect(self.new_payment)
        self.new_button.setVisible(self.can("payment", "create"))
        self.submit_button = QPushButton(self.tr("Submit for approval"))
        self.submit_button.clicked.connect(self.submit_selected)
        self.submit_button.setVisible(PAYMENT.offers("submit") and self.can("payment", "edit"))
        tools = QHBoxLayout()
        tools.addWidget(self.new_button)
        tools.addWidget(self.submit_button)
        tools.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)
        self.ctx.signals.changed.connect(self._on_changed)
        self._sync_buttons()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and entity in ("payment", "approval", "*"):
            self.reload()

    def show_record(self, data: DetailData) -> None:
        self._approved = data.record.values.get("approval_status") == "approved"
        self._sync_buttons()

    def reload(self) -> None:
        if not self.can("payment", "view"):
            return
        db, actor, rid = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True

        def read() -> tuple[list[RecordDTO], dict[str, str]]:
            methods = {i.value: i.label for i in get_dictionary(db, actor, "payment_method", include_disabled=True)}
            return payment_ops.contract_payments(db, actor, rid), methods

        op(self, read).success(self._show).failure(self.failed).run()

    def _show(self, loaded: tuple[list[RecordDTO], dict[str, str]]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.rows, methods = loaded
        self.tree.clear()
        for r in self.rows:
            item = QTreeWidgetItem([self._cell(r, c.field, methods) for c in self.columns])
            item.setData(0, Qt.ItemDataRole.UserRole, r.id)
            for column, spec in enumerate(self.columns):
                if spec.right:
                    item.setTextAlignment(column, RIGHT)
            self.tree.addTopLevelItem(item)
        self._sync_buttons()

    @staticmethod
    def _cell(row: RecordDTO, name: str, methods: dict[str, str]) -> str:
        value = row.values.get(name)
        if name == "method":  # a dictionary's item, by the label the administrator typed
            return methods.get(str(value or ""), str(value or ""))
        if choices_of("payment", name):
            return choice_label("payment", name, str(value or ""))
        return format_value(value)

    def selected_payment(self) -> RecordDTO | None:
        items = self.tree.selectedItems()
        rid = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return next((r for r in self.rows if r.id == rid), None)

    def select_payment(self, payment_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == payment_id:
                self.tree.setCurrentItem(item)
                return

    def _sync_buttons(self) -> None:
        self.new_button.setEnabled(self._approved)
        self.new_button.setToolTip("" if self._approved else self.tr("Payments are recorded on approved contracts."))
        payment = self.selected_payment()
        self.submit_button.setEnabled(
            payment is not None and payment.values.get("approval_status") in payment_ops.EDITABLE_APPROVAL)

    def new_payment(self) -> None:
        open_payment_form(self.ctx, self, title=self.tr("New payment"), contract_id=self.target.record_id,
                          on_failed=self.failed, on_opened=lambda d: setattr(self, "payment_dialog", d),
                          on_saved=lambda _r: self._written(self.tr("Payment saved: submit it for approval.")))

    def submit_selected(self) -> None:
        payment = self.selected_payment()
        if payment is not None:
            submit_payment(self, self.ctx, payment.id, done=self._written,
                           failed=lambda text: self.show_message(text, error=True))

    def _written(self, text: str) -> None:
        self.ctx.signals.notify("payment", 0)
        self.target.changed()
        self.show_message(text)


class ContractHeaderBar(DetailTab):
    """Under a contract window's header: Submit for approval / Withdraw / Void / Execution status,
    enabled by the contract's approval state each time the window reads it, and what the last
    action did. Public for tests: the buttons, ``actions`` (ContractActions), ``message_label``."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.record: RecordDTO | None = None
        self.submit_button = QPushButton(self.tr("Submit for approval"))
        self.withdraw_button = QPushButton(self.tr("Withdraw"))
        self.void_button = QPushButton(self.tr("Void"))
        self.status_button = QPushButton(self.tr("Execution status"))
        self.actions = ContractActions(self.ctx, self, done=lambda text: self.show_message(text),
                                       failed=lambda text: self.show_message(text, error=True))
        self.actions.bind(lambda: self.record)
        self.status_button.setMenu(self.actions.status_menu)
        self.submit_button.clicked.connect(lambda: self._act(self.actions.submit))
        self.withdraw_button.clicked.connect(lambda: self._act(self.actions.withdraw))
        self.void_button.clicked.connect(self._ask_void)
        show_actions(self.ctx, target.spec.offers, submit=self.submit_button, withdraw=self.withdraw_button,
                     void=self.void_button, status=self.status_button)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.submit_button, self.withdraw_button, self.status_button, self.void_button):
            row.addWidget(button)
        row.addStretch(1)
        #: Print… / Export PDF… (print_buttons.py).
        self.print_buttons = PrintButtons(target, report=lambda text, error: self.show_message(text, error=error))
        row.addWidget(self.print_buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        self.show_record_state()

    def show_record(self, data: DetailData) -> None:
        self.record = data.record
        self.show_record_state()

    def show_record_state(self) -> None:
        enable_actions(self.record, submit=self.submit_button, withdraw=self.withdraw_button,
                       void=self.void_button, status=self.status_button)

    def _act(self, action: Callable[[RecordDTO], None]) -> None:
        if self.record is not None:
            action(self.record)

    def _ask_void(self) -> None:
        record = self.record
        if record is not None:
            self.ask(self.tr("Void “{name}”? It stays on record but takes no more payments.").format(
                name=record.values.get("name") or record.id), lambda: self.actions.void(record))


__all__ = ["RIGHT", "ContractHeaderBar", "ContractLinesTab", "ContractPaymentsTab"]
