"""The Customers tab (客户): the generic record tab with the customer's view spec, plus
export, transfer with contacts and team options, star, lock and deal status.

The customer-only actions live in customer_actions.py, export in list_export.py.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Generator

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.customers.customers import TransferResult, customers
from crm_desktop.services.org.users import UserDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.lists.customer_actions import (
    CustomerActions,
    CustomerTransferDialog,
)
from crm_desktop.ui.records.lists.record_tab import RecordTab


class CustomersTab(RecordTab):
    """客户: the customer list with search, create/edit, recycle bin, transfer, log, export,
    star, lock and deal status.

    Public for tests besides RecordTab's: ``exporter``, ``actions`` (the "More" menu),
    ``display_text``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, customers, parent=parent)
        self.actions = CustomerActions(self)

    def display_text(self, row: int, field: str) -> str:
        """What the list shows in a cell (★, ✓ and the deal status are drawn by a delegate)."""
        column = self.model.column_of(field)
        assert column is not None
        shown = self.actions.delegate.text_of(self.model.record(row), field)
        return shown if shown is not None else str(self.model.data(self.model.index(row, column)))

    # --- transfer with contacts and team -----------------------------------------------------

    def _choose_owner(self, ids: list[int], people: list[UserDTO]) -> None:
        """The generic owner chooser, plus "also transfer their contacts" and the team option."""
        if not self.spec.offers("transfer_contacts"):
            super()._choose_owner(ids, people)
            return
        can = self.ctx.actor.can
        dialog = CustomerTransferDialog(
            people, count=len(ids), may_carry_contacts=can("contact", "transfer"),
            may_carry_opportunities=can("opportunity", "transfer"), may_carry_contracts=can("contract", "transfer"),
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        row = self.model.row_of(ids[0])
        if row is not None:
            dialog.select_user(self.model.record(row).owner_id)
        dialog.accepted.connect(lambda: self._transfer_customers(
            ids, dialog.selected_user_id(), carry_contacts=dialog.carry_contacts(),
            carry_opportunities=dialog.carry_opportunities(), carry_contracts=dialog.carry_contracts(),
            keep_old_owner=dialog.keep_old_owner(),
        ))
        self.transfer_dialog = dialog
        dialog.open()

    def _transfer_customers(
        self, ids: list[int], new_owner_id: int | None, *, carry_contacts: bool, keep_old_owner: str | None,
        carry_opportunities: bool = False, carry_contracts: bool = False,
    ) -> None:
        self.transfer_dialog = None
        if new_owner_id is None:
            return
        db, actor = self.ctx.db, self.ctx.actor

        def steps() -> Generator[tuple[int, int, str], None, TransferResult]:
            return (yield from customer_ops.transfer_customers_steps(
                db, actor, ids, new_owner_id=new_owner_id, carry_contacts=carry_contacts,
                carry_opportunities=carry_opportunities, carry_contracts=carry_contracts,
                keep_old_owner=keep_old_owner,
            ))

        (
            op(self, steps, write=True)
            .with_progress(self.tr("Transferring…"))
            .success(self._transferred)
            .failure(self._failed)
            .run()
        )

    def _transferred(self, result: TransferResult) -> None:
        if not isValid(self):
            return
        text = self.tr("Transferred {customers} customers and {contacts} contacts.").format(
            customers=result.customers, contacts=result.contacts)
        if result.opportunities or result.contracts:
            text += " " + self.tr("Carried along: {opportunities} opportunities, {contracts} contracts.").format(
                opportunities=result.opportunities, contracts=result.contracts)
        self._show_message(text)

