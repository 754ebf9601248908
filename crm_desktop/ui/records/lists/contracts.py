"""The Contracts tab (合同/订单): the generic record tab with each contract's customer name, and
the contract's own actions: submit for approval, withdraw, void, execution status
(``ContractActions``, shared with the detail window). The form is the contract form
(forms/contract_form.py: customer, opportunity, signers and product lines). What the service
refuses (a pending contract, a gated or refused status change) is shown in its words.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from PySide6.QtWidgets import QPushButton, QWidget

from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.named_services import CustomerNamed
from crm_desktop.ui.records.lists.record_tab import RecordTab
from crm_desktop.ui.records.shared.contract_actions import (
    ContractActions,
    enable_actions,
    show_actions,
)


class ContractsTab(RecordTab):
    """合同: the contract list with search, filters, create/edit (with lines), submit, withdraw,
    void, execution status, recycle bin, transfer and log.

    Public for tests besides RecordTab's: ``submit_button``, ``withdraw_button``, ``void_button``,
    ``status_button`` (its menu: ``actions.status_menu``), ``actions`` (ContractActions),
    ``display_text``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.submit_button = QPushButton()
        self.withdraw_button = QPushButton()
        self.void_button = QPushButton()
        self.status_button = QPushButton()
        super().__init__(ctx, cast(RecordService[Any], CustomerNamed(contracts)), parent=parent)
        # Short on the tool row (which must fit 1280 px in English with Import… beside it); the
        # tooltip says it in full. Chinese says 提交审批 either way.
        self.submit_button.setText(self.tr("Submit", "for approval"))
        self.submit_button.setToolTip(self.tr("Submit for approval"))
        self.withdraw_button.setText(self.tr("Withdraw"))
        self.void_button.setText(self.tr("Void"))
        self.status_button.setText(self.tr("Execution status"))
        self.actions = ContractActions(ctx, self, done=self._show_message, failed=self._show_message)
        self.actions.bind(self.selected_record)
        self.status_button.setMenu(self.actions.status_menu)
        self.submit_button.clicked.connect(lambda: self._act(self.actions.submit))
        self.withdraw_button.clicked.connect(lambda: self._act(self.actions.withdraw))
        self.void_button.clicked.connect(self._ask_void)
        show_actions(ctx, self.spec.offers, submit=self.submit_button, withdraw=self.withdraw_button,
                     void=self.void_button, status=self.status_button)
        tools = self.tool_row
        at = tools.indexOf(self.transfer_button) + 1
        for offset, button in enumerate((self.submit_button, self.withdraw_button, self.void_button,
                                         self.status_button)):
            tools.insertWidget(at + offset, button)
        self._update_buttons()

    # --- actions ----------------------------------------------------------------------

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if not hasattr(self, "actions"):
            return  # called by RecordTab.__init__ before this tab's buttons are set up
        enable_actions(self.selected_record(), submit=self.submit_button, withdraw=self.withdraw_button,
                       void=self.void_button, status=self.status_button)

    def _act(self, action: Callable[[RecordDTO], None]) -> None:
        record = self.selected_record()
        if record is not None:
            action(record)

    def _ask_void(self) -> None:
        record = self.selected_record()
        if record is not None:
            self._ask(self.tr("Void “{name}”? It stays on record but takes no more payments.").format(
                name=self.title_of(record)), lambda: self.actions.void(record))

    def set_execution_status_selected(self, value: str) -> None:
        """What choosing ``value`` in the execution status menu does (tests call it directly)."""
        record = self.selected_record()
        if record is not None:
            self.actions.set_status(record, value)


__all__ = ["ContractsTab"]
