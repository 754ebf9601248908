"""The Customers tab (客户): the generic record tab with the customer module's specs, plus
export, transfer with contacts and team options, star, lock and deal status.

The customer-only actions live in customer_actions.py, export in list_export.py.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Generator, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services import customers as customer_ops
from crm_desktop.services.customers import TransferResult, customers
from crm_desktop.services.users import UserDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import field_label, register_field_labels
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.customer_actions import CustomerActions, CustomerTransferDialog
from crm_desktop.ui.records.list_export import ListExporter, add_export
from crm_desktop.ui.records.list_model import ColumnSpec
from crm_desktop.ui.records.record_dialog import FieldSpec
from crm_desktop.ui.records.record_tab import RecordTab, RecordTexts

# --- customers --------------------------------------------------------------------------

CUSTOMER_FIELD_LABELS = {
    "name": QT_TRANSLATE_NOOP("fields", "Name"),
    "phone": QT_TRANSLATE_NOOP("fields", "Phone"),
    "level": QT_TRANSLATE_NOOP("fields", "Level"),
    "industry": QT_TRANSLATE_NOOP("fields", "Industry"),
    "address": QT_TRANSLATE_NOOP("fields", "Address"),
    "remark": QT_TRANSLATE_NOOP("fields", "Remark"),
    "deal_status": QT_TRANSLATE_NOOP("fields", "Deal status"),
    "locked": QT_TRANSLATE_NOOP("fields", "Locked"),
}
register_field_labels(CUSTOMER_FIELD_LABELS)
CUSTOMER_LEVELS = ("A", "B", "C")


class CustomersTab(RecordTab):
    """客户: the customer list with search, create/edit, recycle bin, transfer, log, export,
    star, lock and deal status.

    Public for tests besides RecordTab's: ``exporter``, ``actions`` (the "More" menu),
    ``display_text``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, customers, parent=parent)
        self.actions = CustomerActions(self)
        self.exporter: ListExporter = add_export(self)

    def make_columns(self) -> Sequence[ColumnSpec]:
        return (
            ColumnSpec("name", field_label("name"), 240),
            ColumnSpec("phone", field_label("phone"), 130),
            ColumnSpec("level", field_label("level"), 120),
            ColumnSpec("industry", field_label("industry"), 110),
            ColumnSpec("deal_status", field_label("deal_status"), 80),
            ColumnSpec("locked", field_label("locked"), 60),
            ColumnSpec("address", field_label("address"), 180),
            ColumnSpec("owner_name", self.tr("Owner"), 100, sortable=False),
            ColumnSpec("updated_at", self.tr("Updated"), 140),
        )

    def make_fields(self) -> Sequence[FieldSpec]:
        levels = (("", "—"), *((level, level) for level in CUSTOMER_LEVELS))
        return (
            FieldSpec("name", field_label("name"), "text", required=True),
            FieldSpec("phone", field_label("phone")),
            FieldSpec("level", field_label("level"), "choice", options=levels),
            FieldSpec("industry", field_label("industry")),
            FieldSpec("address", field_label("address")),
            FieldSpec("remark", field_label("remark"), "multiline"),
        )

    def make_texts(self) -> RecordTexts:
        return RecordTexts(
            count_one=self.tr("{n} customer"),
            count_many=self.tr("{n} customers"),
            search_placeholder=self.tr("Search name or phone"),
            new_title=self.tr("New customer"),
            edit_title=self.tr("Edit customer"),
            confirm_delete=self.tr("Move {n} selected customers to the recycle bin? They can be restored from there."),
            recycle_bin_title=self.tr("Recycle bin: customers"),
            log_title=self.tr("Operation log: {name}"),
        )

    def display_text(self, row: int, field: str) -> str:
        """What the list shows in a cell (★, ✓ and the deal status are drawn by a delegate)."""
        column = self.model.column_of(field)
        assert column is not None
        shown = self.actions.delegate.text_of(self.model.record(row), field)
        return shown if shown is not None else str(self.model.data(self.model.index(row, column)))

    # --- transfer with contacts and team -----------------------------------------------------

    def _choose_owner(self, ids: list[int], people: list[UserDTO]) -> None:
        """The generic owner chooser, plus "also transfer their contacts" and the team option."""
        dialog = CustomerTransferDialog(
            people, count=len(ids), may_carry_contacts=self.ctx.actor.can("contact", "transfer"), parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        row = self.model.row_of(ids[0])
        if row is not None:
            dialog.select_user(self.model.record(row).owner_id)
        dialog.accepted.connect(lambda: self._transfer_customers(
            ids, dialog.selected_user_id(), carry_contacts=dialog.carry_contacts(),
            keep_old_owner=dialog.keep_old_owner(),
        ))
        self.transfer_dialog = dialog
        dialog.open()

    def _transfer_customers(
        self, ids: list[int], new_owner_id: int | None, *, carry_contacts: bool, keep_old_owner: str | None,
    ) -> None:
        self.transfer_dialog = None
        if new_owner_id is None:
            return
        db, actor = self.ctx.db, self.ctx.actor

        def steps() -> Generator[tuple[int, int, str], None, TransferResult]:
            return (yield from customer_ops.transfer_customers_steps(
                db, actor, ids, new_owner_id=new_owner_id, carry_contacts=carry_contacts,
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
        self._show_message(
            self.tr("Transferred {customers} customers and {contacts} contacts.").format(
                customers=result.customers, contacts=result.contacts)
        )

