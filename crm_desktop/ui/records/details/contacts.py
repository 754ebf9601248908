"""The customer detail page's Contacts tab: the customer's contacts, primary first.

A related-records list (``related.py``; columns from the contact's view spec) with two additions:
"New contact" opens the contact form (forms/contact_form.py) with this customer chosen and fixed,
and "Set as primary" calls ``contacts.set_primary``.
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.customers import contacts as contact_ops
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import DetailData, DetailTarget
from crm_desktop.ui.records.details.related import RelatedList, RelatedRecordsTab
from crm_desktop.ui.records.forms.contact_form import new_contact_dialog
from crm_desktop.ui.records.specs.contact import CONTACT

#: The customer's contacts, primary first (the service's order).
CUSTOMER_CONTACTS = RelatedList(
    entity="contact",
    load=contact_ops.list_for_customer,
    columns=CONTACT.related_columns["customer"],
    new_label=QT_TRANSLATE_NOOP("CustomerContactsTab", "New contact"),
    show_count=False,
    stretch=None,
    # The tab's own translation context: "Name" reads as the customer's name in "fields".
    context="CustomerContactsTab",
)


class CustomerContactsTab(RelatedRecordsTab):
    """The customer's contacts, primary first; new contact, set as primary, open.

    Emits ``open_requested(entity, record_id)`` to open a contact's own detail page.
    Public for tests: what ``RelatedRecordsTab`` offers, ``primary_button``, ``new_contact()``,
    ``dialog`` (the last contact form), ``select_contact(contact_id)``.
    """

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, CUSTOMER_CONTACTS, parent)
        self._customer_name = ""
        self.dialog: QDialog | None = None
        self.primary_button = self.add_row_action(
            self.tr("Set as primary"), self.set_primary_selected,
            allowed=CONTACT.offers("set_primary") and self.can("contact", "edit"),
            enabled=lambda row: not row.values.get("is_primary"))

    select_contact = RelatedRecordsTab.select_record

    def show_record(self, data: DetailData) -> None:
        self._customer_name = data.title

    def create_new(self) -> None:
        self.new_contact()

    def new_contact(self) -> QDialog:
        """The contact form with this customer chosen and fixed (the contacts list's form)."""
        customer = (self.target.record_id, self._customer_name or f"#{self.target.record_id}")
        dialog = new_contact_dialog(self.ctx, customer, title=self.tr("New contact"), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda saved: self._contact_saved(saved))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _contact_saved(self, record: RecordDTO) -> None:
        self.target.changed()
        self.show_message(self.tr("Saved “{name}”.").format(name=record.values.get("name") or record.id))

    def set_primary_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.values.get("is_primary"):
            return
        db, actor, contact_id = self.ctx.db, self.ctx.actor, row.id
        op(self, lambda: contact_ops.set_primary(db, actor, contact_id), write=True).success(
            self._primary_saved).failure(self.failed).run()

    def _primary_saved(self, record: RecordDTO) -> None:
        self.target.changed()
        self.show_message(self.tr("“{name}” is now the primary contact.").format(name=record.values.get("name")))
