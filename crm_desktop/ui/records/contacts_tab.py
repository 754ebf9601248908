"""The Contacts tab (联系人): the generic record tab plus the customer link and "Set as primary".

A contact belongs to one customer, chosen when it is created (a searchable list of the
customers the actor can see) and never changed afterwards, so the edit form leaves it out.
The list shows the customer's name: each page's names are read in the same background op
as the page (``CustomerNamedContacts``), never per row on the GUI thread.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QPushButton, QWidget
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services import contacts as contact_ops
from crm_desktop.services import customers as customer_ops
from crm_desktop.services.actor import Actor
from crm_desktop.services.contacts import CREATE_ONLY_FIELDS, contacts
from crm_desktop.services.customers import customers
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.records import Page, RecordDTO, RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import field_label, register_field_labels
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.record_tab import RecordTab, RecordTexts
from crm_desktop.ui.records.leads_tab import CellTextDelegate
from crm_desktop.ui.records.list_export import ListExporter, add_export
from crm_desktop.ui.records.list_model import ColumnSpec
from crm_desktop.ui.records.record_dialog import FieldSpec, RecordDialog

if TYPE_CHECKING:
    from crm_desktop.db import Database

CONTACT_FIELD_LABELS = {
    "customer_id": QT_TRANSLATE_NOOP("fields", "Customer"),
    "customer_name": QT_TRANSLATE_NOOP("fields", "Customer"),
    "position": QT_TRANSLATE_NOOP("fields", "Position"),
    "mobile": QT_TRANSLATE_NOOP("fields", "Mobile"),
    "email": QT_TRANSLATE_NOOP("fields", "E-mail"),
    "wechat": QT_TRANSLATE_NOOP("fields", "WeChat"),
    "is_primary": QT_TRANSLATE_NOOP("fields", "Primary contact"),
}
register_field_labels(CONTACT_FIELD_LABELS)
#: Customers offered in the "new contact" form (the service's list limit).
CUSTOMER_CHOICES_LIMIT = 500


def customer_names(db: Database, actor: Actor, records: Sequence[RecordDTO]) -> dict[int, str]:
    """The names of the records' customers, in one read.

    A customer the actor cannot see shows as ``#id``. Thread rule: any thread (like the service).
    """
    wanted = {int(r.values["customer_id"]) for r in records if r.values.get("customer_id") is not None}
    try:
        names = customer_ops.names_of(db, actor, wanted)
    except ServiceError:  # no customer view permission: still say which one
        names = {}
    return {i: names.get(i, f"#{i}") for i in wanted}



def contact_form_fields(customers: Sequence[tuple[str, str]]) -> tuple[FieldSpec, ...]:
    """The contact form's fields, offering ``customers`` ((id, name) pairs) to choose from;
    the contacts list and a customer's Contacts tab both open it."""
    return (
        FieldSpec("name", QCoreApplication.translate("fields", "Contact name"), "text", required=True),
        FieldSpec("customer_id", field_label("customer_id"), "choice", options=tuple(customers), required=True),
        FieldSpec("position", field_label("position")),
        FieldSpec("phone", field_label("phone")),
        FieldSpec("mobile", field_label("mobile")),
        FieldSpec("email", field_label("email")),
        FieldSpec("wechat", field_label("wechat")),
        FieldSpec("remark", field_label("remark"), "multiline"),
    )

class CustomerNamedContacts:
    """The contact service, with each listed contact's customer name added as ``customer_name``.

    Names are read once per page, one read per distinct customer, inside the same worker call
    as the page. Every other call is the contact service's own. Thread rule: any thread.
    """

    def __init__(self, service: RecordService[Any]) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        names = customer_names(db, actor, page.rows)
        rows = tuple(
            dataclasses.replace(r, values={**r.values, "customer_name": names.get(int(r.values["customer_id"]), "")})
            if r.values.get("customer_id") is not None else r
            for r in page.rows
        )
        return Page(rows=rows, next_cursor=page.next_cursor)


class CustomerNamedExport:
    """The contact service for export: ``customer_id`` carries the customer's name instead of
    its number (a spreadsheet reader cannot look the number up). Thread rule: any thread."""

    def __init__(self, service: RecordService[Any]) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def _named(self, db: Database, actor: Actor, rows: Sequence[RecordDTO]) -> tuple[RecordDTO, ...]:
        names = customer_names(db, actor, rows)
        return tuple(
            dataclasses.replace(r, values={**r.values, "customer_id": names.get(int(r.values["customer_id"]), "")})
            if r.values.get("customer_id") is not None else r
            for r in rows
        )

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        return Page(rows=self._named(db, actor, page.rows), next_cursor=page.next_cursor)

    def get(self, db: Database, actor: Actor, record_id: int) -> RecordDTO:
        return self._named(db, actor, (self._service.get(db, actor, record_id),))[0]


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


class ContactsTab(RecordTab):
    """联系人: the contact list with create/edit, recycle bin, transfer, log and "Set as primary".

    Public for tests besides RecordTab's: ``primary_button``, ``display_text``, ``exporter``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.primary_button = QPushButton()
        super().__init__(ctx, cast(RecordService[Any], CustomerNamedContacts(contacts)), parent=parent)
        self.primary_button.setText(self.tr("Set as primary"))
        self.primary_button.setToolTip(self.tr("Make the selected contact its customer's primary contact."))
        self._may_edit = ctx.actor.can("contact", "edit")
        self.primary_button.setVisible(self._may_edit)
        self.primary_button.clicked.connect(self.set_primary_selected)
        tools = self.tool_row
        tools.insertWidget(tools.indexOf(self.transfer_button) + 1, self.primary_button)
        self._primary_delegate = CellTextDelegate(self._primary_mark, self, alignment=Qt.AlignmentFlag.AlignHCenter)
        column = self.model.column_of("is_primary")
        assert column is not None
        self.view.setItemDelegateForColumn(column, self._primary_delegate)
        # The export's "Customer" column carries the customer's name, as the list shows it.
        self.exporter: ListExporter = add_export(
            self, field_map={"customer_name": "customer_id", "owner_name": "owner_id"},
            service=cast(RecordService[Any], CustomerNamedExport(contacts)),
        )
        self._update_buttons()

    @staticmethod
    def _primary_mark(record: RecordDTO) -> str:
        return "✓" if record.values.get("is_primary") else ""

    # --- module specs -----------------------------------------------------------------

    def make_columns(self) -> Sequence[ColumnSpec]:
        return (
            ColumnSpec("name", QCoreApplication.translate("fields", "Contact name"), 120),
            ColumnSpec("customer_name", field_label("customer_name"), 210, sortable=False),
            ColumnSpec("position", field_label("position"), 100),
            ColumnSpec("mobile", field_label("mobile"), 120),
            ColumnSpec("email", field_label("email"), 170),
            ColumnSpec("is_primary", self.tr("Primary"), 70),
            ColumnSpec("owner_name", self.tr("Owner"), 100, sortable=False),
            ColumnSpec("updated_at", self.tr("Updated"), 140),
        )

    def make_fields(self) -> Sequence[FieldSpec]:
        return self._fields_with_customers(())

    def _fields_with_customers(self, choices: Sequence[tuple[str, str]]) -> tuple[FieldSpec, ...]:
        return contact_form_fields((("", ""), *choices))

    def make_texts(self) -> RecordTexts:
        return RecordTexts(
            count_one=self.tr("{n} contact"),
            count_many=self.tr("{n} contacts"),
            search_placeholder=self.tr("Search name, phone or e-mail"),
            new_title=self.tr("New contact"),
            edit_title=self.tr("Edit contact"),
            confirm_delete=self.tr("Move {n} selected contacts to the recycle bin? They can be restored from there."),
            recycle_bin_title=self.tr("Recycle bin: contacts"),
            log_title=self.tr("Operation log: {name}"),
        )

    def display_text(self, row: int, field: str) -> str:
        """What the list shows in a cell (the primary column is a ✓ drawn by a delegate)."""
        if field == "is_primary":
            return self._primary_mark(self.model.record(row))
        column = self.model.column_of(field)
        assert column is not None
        return str(self.model.data(self.model.index(row, column)))

    # --- the form ---------------------------------------------------------------------

    def new_record(self) -> None:  # type: ignore[override]
        """Read the customers the actor can see, then open the form (``record_dialog``)."""
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: customers.list_page(db, actor, sort="name", descending=False,
                                             limit=CUSTOMER_CHOICES_LIMIT)).success(
            lambda page: self._open_new(page) if isValid(self) else None
        ).failure(self._failed).run()

    def _open_new(self, page: Page) -> None:
        choices = [(str(r.id), str(r.values.get("name") or r.id)) for r in page.rows]
        self._open_form(None, self._fields_with_customers(choices))

    def edit_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            # The customer never changes after creation (the service refuses it): not in the form.
            self._open_form(ids[0], tuple(f for f in self.fields if f.name != "customer_id"))

    def form_options(self) -> dict[str, Any]:
        return {"dialog_class": ContactDialog, "create_only": CREATE_ONLY_FIELDS}

    # --- set primary ------------------------------------------------------------------

    def _selected_contact(self) -> RecordDTO | None:
        ids = self.selected_ids()
        row = self.model.row_of(ids[0]) if len(ids) == 1 else None
        return self.model.record(row) if row is not None else None

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if not hasattr(self, "_may_edit"):
            return  # called by RecordTab.__init__ before this tab's button is set up
        contact = self._selected_contact()
        self.primary_button.setEnabled(
            self._may_edit and contact is not None and not contact.values.get("is_primary")
        )

    def set_primary_selected(self) -> None:
        contact = self._selected_contact()
        if contact is None or not self.primary_button.isEnabled():
            return
        db, actor, contact_id = self.ctx.db, self.ctx.actor, contact.id
        op(self, lambda: contact_ops.set_primary(db, actor, contact_id), write=True).success(
            lambda record: self._show_message(
                self.tr("“{name}” is now the primary contact.").format(name=self.title_of(record))
            )
        ).failure(self._failed).run()
