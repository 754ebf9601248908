"""The Payments tab (回款): the generic record tab with each payment's contract number and
customer name (read with the page, ``NamedPayments``) and "Submit for approval". The form is
the payment form (forms/payment_form.py: approved contracts only, then their payment plans).
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from typing import Any, cast

from PySide6.QtWidgets import QPushButton, QWidget

from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.sales import payments as payment_ops
from crm_desktop.services.sales.payments import payments
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.named_services import NamedPayments
from crm_desktop.ui.records.lists.record_tab import RecordTab
from crm_desktop.ui.records.shared.approver_picker import ChooseApproversDialog
from crm_desktop.ui.records.shared.contract_actions import submit_payment


class PaymentsTab(RecordTab):
    """回款: the payment list with create/edit, submit for approval, recycle bin and log.

    Public for tests besides RecordTab's: ``submit_button``, ``display_text``, ``approver_dialog``
    (the last "choose the approver" dialog a submit opened).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.submit_button = QPushButton()
        self.approver_dialog: ChooseApproversDialog | None = None
        super().__init__(ctx, cast(RecordService[Any], NamedPayments(payments)), parent=parent)
        self.submit_button.setText(self.tr("Submit for approval"))
        self.submit_button.setVisible(self.spec.offers("submit") and ctx.actor.can("payment", "edit"))
        self.submit_button.clicked.connect(self.submit_selected)
        tools = self.tool_row
        tools.insertWidget(tools.indexOf(self.transfer_button) + 1, self.submit_button)
        self._update_buttons()

    def title_of(self, record: RecordDTO) -> str:
        return str(record.values.get("number") or record.id)

    def _update_buttons(self) -> None:
        super()._update_buttons()
        payment = self.selected_record()
        self.submit_button.setEnabled(
            payment is not None and payment.values.get("approval_status") in payment_ops.EDITABLE_APPROVAL)

    def submit_selected(self) -> None:
        payment = self.selected_record()
        if payment is None:
            return
        submit_payment(self, self.ctx, payment.id, done=self._show_message, failed=self._show_message,
                       opened=self._keep_dialog)

    def _keep_dialog(self, dialog: ChooseApproversDialog) -> None:
        self.approver_dialog = dialog


__all__ = ["PaymentsTab"]
