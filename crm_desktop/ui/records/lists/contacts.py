"""The Contacts tab (联系人): the generic record tab plus the customer's name and "Set as primary".

The list shows each contact's customer name (read with the page, ``CustomerNamed``); the form
is the contact form (forms/contact_form.py: the customer is chosen once, from a searchable list).
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from crm_desktop.services.customers import contacts as contact_ops
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.lists.named_services import (
    CustomerNamed,
    CustomerNamedExport,
)
from crm_desktop.ui.records.lists.record_tab import RecordTab
from crm_desktop.ui.records.shared.delegates import CellTextDelegate


class ContactsTab(RecordTab):
    """联系人: the contact list with create/edit, recycle bin, transfer, log and "Set as primary".

    Public for tests besides RecordTab's: ``primary_button``, ``display_text``, ``exporter``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.primary_button = QPushButton()
        super().__init__(ctx, cast(RecordService[Any], CustomerNamed(contacts)), parent=parent)
        self.primary_button.setText(self.tr("Set as primary"))
        self.primary_button.setToolTip(self.tr("Make the selected contact its customer's primary contact."))
        self._may_edit = self.spec.offers("set_primary") and ctx.actor.can("contact", "edit")
        self.primary_button.setVisible(self._may_edit)
        self.primary_button.clicked.connect(self.set_primary_selected)
        tools = self.tool_row
        tools.insertWidget(tools.indexOf(self.transfer_button) + 1, self.primary_button)
        self._primary_delegate = CellTextDelegate(self._primary_mark, self, alignment=Qt.AlignmentFlag.AlignHCenter)
        column = self.model.column_of("is_primary")
        assert column is not None
        self.view.setItemDelegateForColumn(column, self._primary_delegate)
        self._update_buttons()

    def export_options(self) -> dict[str, Any]:
        # The export's "Customer" column carries the customer's name, as the list shows it.
        return {"field_map": {"customer_name": "customer_id", "owner_name": "owner_id"},
                "service": cast(RecordService[Any], CustomerNamedExport(contacts))}

    @staticmethod
    def _primary_mark(record: RecordDTO) -> str:
        return "✓" if record.values.get("is_primary") else ""

    def display_text(self, row: int, field: str) -> str:
        """What the list shows in a cell (the primary column is a ✓ drawn by a delegate)."""
        if field == "is_primary":
            return self._primary_mark(self.model.record(row))
        return super().display_text(row, field)

    # --- set primary ------------------------------------------------------------------

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if not hasattr(self, "_may_edit"):
            return  # called by RecordTab.__init__ before this tab's button is set up
        contact = self.selected_record()
        self.primary_button.setEnabled(
            self._may_edit and contact is not None and not contact.values.get("is_primary")
        )

    def set_primary_selected(self) -> None:
        contact = self.selected_record()
        if contact is None or not self.primary_button.isEnabled():
            return
        db, actor, contact_id = self.ctx.db, self.ctx.actor, contact.id
        op(self, lambda: contact_ops.set_primary(db, actor, contact_id), write=True).success(
            lambda record: self._show_message(
                self.tr("“{name}” is now the primary contact.").format(name=self.title_of(record))
            )
        ).failure(self._failed).run()
