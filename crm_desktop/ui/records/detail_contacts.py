"""The customer detail page's Contacts tab: the customer's contacts, primary first.

New contacts open the contacts list's own form (``ContactDialog``) with this customer chosen
and fixed; "Set as primary" calls ``contacts.set_primary``. Thread rule: GUI thread only;
service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QTreeWidgetItem, QVBoxLayout, QWidget
from shiboken6 import isValid

from crm_desktop.services import contacts as contact_ops
from crm_desktop.services.records import RecordDTO
from crm_desktop.ui.i18n import field_label
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.detail_base import DetailData, DetailTab, DetailTarget, make_tree
from crm_desktop.ui.records.list_model import format_value


class CustomerContactsTab(DetailTab):
    """The customer's contacts, primary first; new contact, set as primary, open.

    Emits ``open_requested(entity, record_id)`` to open a contact's own detail page.
    Public for tests: ``tree``, ``rows``, the buttons, ``dialog`` (the last contact form),
    ``select_contact(contact_id)``.
    """

    open_requested = Signal(str, int)

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.rows: list[RecordDTO] = []
        self._customer_name = ""
        self.dialog: QDialog | None = None
        self.tree = make_tree(
            [self.tr("Name"), self.tr("Position"), self.tr("Mobile"), self.tr("Primary"), self.tr("Decision maker")],
            (160, 140, 140, 80),
        )
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self.open_selected())
        self.new_button = QPushButton(self.tr("New contact"))
        self.new_button.setVisible(self.can("contact", "create"))
        self.new_button.clicked.connect(self.new_contact)
        self.primary_button = QPushButton(self.tr("Set as primary"))
        self.primary_button.setVisible(self.can("contact", "edit"))
        self.primary_button.clicked.connect(self.set_primary_selected)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(self.open_selected)
        tools = QHBoxLayout()
        for button in (self.new_button, self.primary_button, self.open_button):
            tools.addWidget(button)
        tools.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)
        # Contacts change in their own windows and lists too; any contact change may be ours.
        self.ctx.signals.changed.connect(self._on_changed)
        self._update_buttons()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and entity == "contact":
            self.reload()

    def show_record(self, data: DetailData) -> None:
        self._customer_name = data.title

    def reload(self) -> None:
        db, actor, customer_id = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True
        op(self, lambda: contact_ops.list_for_customer(db, actor, customer_id)).success(
            self._show).failure(self.failed).run()

    def _show(self, rows: list[RecordDTO]) -> None:
        if not isValid(self):
            return
        self._loading = False
        selected = self.selected_id()
        self.rows = rows
        self.tree.clear()
        for row in rows:
            values = row.values
            item = QTreeWidgetItem([
                str(values.get("name") or ""), str(values.get("position") or ""), str(values.get("mobile") or ""),
                "★" if values.get("is_primary") else "",
                format_value(values.get("decision_maker")) if values.get("decision_maker") is not None else "",
            ])
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignCenter)
            self.tree.addTopLevelItem(item)
        if selected is not None:
            self.select_contact(selected)
        self._update_buttons()

    def selected_id(self) -> int | None:
        items = self.tree.selectedItems()
        data = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return int(data) if data is not None else None

    def select_contact(self, contact_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == contact_id:
                self.tree.setCurrentItem(item)
                return

    def _selected_row(self) -> RecordDTO | None:
        contact_id = self.selected_id()
        return next((r for r in self.rows if r.id == contact_id), None)

    def _update_buttons(self) -> None:
        row = self._selected_row()
        self.open_button.setEnabled(row is not None)
        self.primary_button.setEnabled(row is not None and not row.values.get("is_primary"))

    def open_selected(self) -> None:
        contact_id = self.selected_id()
        if contact_id is not None:
            self.open_requested.emit("contact", contact_id)

    def new_contact(self) -> QDialog:
        """The contact form with this customer chosen and fixed (the contacts list's form)."""
        # Imported here: the list tabs will import the detail page, which imports this module.
        from crm_desktop.ui.records.contacts_tab import ContactDialog
        from crm_desktop.ui.records.record_dialog import FieldSpec

        customer = (str(self.target.record_id), self._customer_name or f"#{self.target.record_id}")
        fields = (
            FieldSpec("name", field_label("name"), "text", required=True),
            FieldSpec("customer_id", field_label("customer_id"), "choice", options=(customer,), required=True),
            FieldSpec("position", field_label("position")),
            FieldSpec("phone", field_label("phone")),
            FieldSpec("mobile", field_label("mobile")),
            FieldSpec("email", field_label("email")),
            FieldSpec("wechat", field_label("wechat")),
            FieldSpec("remark", field_label("remark"), "multiline"),
        )
        dialog = ContactDialog(self.ctx, contact_ops.contacts, fields, title=self.tr("New contact"),
                               parent=self)
        dialog.select_customer(self.target.record_id)
        dialog.editors["customer_id"].setEnabled(False)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda saved: self._contact_saved(saved))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _contact_saved(self, record: RecordDTO) -> None:
        self.target.changed()
        self.show_message(self.tr("Saved “{name}”.").format(name=record.values.get("name") or record.id))

    def set_primary_selected(self) -> None:
        row = self._selected_row()
        if row is None or row.values.get("is_primary"):
            return
        db, actor, contact_id = self.ctx.db, self.ctx.actor, row.id
        op(self, lambda: contact_ops.set_primary(db, actor, contact_id), write=True).success(
            self._primary_saved).failure(self.failed).run()

    def _primary_saved(self, record: RecordDTO) -> None:
        self.target.changed()
        self.show_message(self.tr("“{name}” is now the primary contact.").format(name=record.values.get("name")))
