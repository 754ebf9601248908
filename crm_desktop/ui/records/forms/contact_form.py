"""The contact form (联系人): the record form with a searchable customer list.

A contact belongs to one customer, chosen when it is created (a searchable list of the
customers the actor can see) and never changed afterwards, so the edit form leaves it out;
the primary flag is set on creation only (``services.contacts.CREATE_ONLY_FIELDS``).
``ContactDialog`` is also the base of the opportunity and contract forms (their customer
pickers search the same way).
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget
from shiboken6 import isValid

from crm_desktop.services.customers.contacts import CREATE_ONLY_FIELDS, contacts
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.forms.layout import form_fields
from crm_desktop.ui.records.forms.pickers import customer_choices, read_first
from crm_desktop.ui.records.forms.record_dialog import RecordDialog, open_record_form
from crm_desktop.ui.records.specs.contact import CONTACT


class ContactDialog(RecordDialog):
    """The record form with a searchable customer list: typing narrows it to matching names.

    A typed text that names no listed customer counts as no customer (the service then says
    which field to fix), so the form never saves a customer other than the one shown.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        combo = self.editors.get("customer_id")
        if isinstance(combo, QComboBox):
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = QCompleter(combo.model(), combo)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            combo.setCompleter(completer)
            combo.lineEdit().setPlaceholderText(self.tr("Type to search customers"))

    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if name == "customer_id" and isinstance(editor, QComboBox):
            at = editor.findText(editor.currentText().strip(), Qt.MatchFlag.MatchExactly)
            data = editor.itemData(at) if at >= 0 else None
            return int(data) if data not in (None, "") else ""
        return super().value(name)

    def save(self) -> None:
        """Refuse a typed customer name that is not in the list, in words, before saving."""
        combo = self.editors.get("customer_id")
        if isinstance(combo, QComboBox) and combo.currentText().strip() and self.value("customer_id") == "":
            self._clear_errors()
            self.error_labels["customer_id"].setText(self.tr("Choose a customer from the list."))
            self.error_labels["customer_id"].show()
            combo.setFocus()
            return
        super().save()

    def select_customer(self, customer_id: int) -> None:
        """Choose a customer in the list (tests, and callers opening the form for one customer)."""
        combo = self.editors["customer_id"]
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(str(customer_id)))


def new_contact_dialog(ctx: AppContext, customer: tuple[int, str], *, title: str, parent: QWidget) -> ContactDialog:
    """The contact form for a new contact of one customer, chosen and fixed (a customer's
    Contacts tab), built at once: the form's own fields, without the schema's others."""
    customer_id, name = customer
    fields = form_fields(CONTACT, pickers={"customer_id": ((str(customer_id), name),)})
    dialog = ContactDialog(ctx, contacts, fields, title=title, parent=parent)
    dialog.select_customer(customer_id)
    dialog.editors["customer_id"].setEnabled(False)
    return dialog


def open_contact_form(
    ctx: AppContext, parent: QWidget, *, record_id: int | None = None, title: str,
    on_saved: Callable[[RecordDTO], None] | None = None, on_opened: Callable[[RecordDialog], None] | None = None,
    on_failed: Callable[[BaseException], None] | None = None,
) -> None:
    """Open the contact form: a new contact (the customers the actor can see are read first)
    or ``record_id`` (no customer picker). Returns at once (see ``open_record_form``)."""

    def show(choices: list[tuple[str, str]] | None) -> None:
        if not isValid(parent):
            return
        fields = form_fields(CONTACT, editing=record_id is not None, pickers={"customer_id": choices or ()})
        open_record_form(ctx, contacts, fields, record_id=record_id, title=title, parent=parent, on_saved=on_saved,
                         on_opened=on_opened, on_failed=on_failed, dialog_class=ContactDialog,
                         create_only=CREATE_ONLY_FIELDS)

    if record_id is not None:
        show(None)
        return
    db, actor = ctx.db, ctx.actor
    read_first(parent, lambda: customer_choices(db, actor), show, on_failed)


__all__ = ["ContactDialog", "new_contact_dialog", "open_contact_form"]
