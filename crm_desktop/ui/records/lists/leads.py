"""The Leads tab (线索): the generic record tab plus convert, mark invalid and reopen.

A lead's status changes only through its own operations (``services.leads``); the list shows
the translated status label and the buttons follow the selected lead's status and the actor's
permissions (the service enforces the same rules). Converting creates a customer (and a
primary contact when the lead names a contact person) in one unit of work.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QPushButton, QWidget
from shiboken6 import isValid

from crm_desktop.services.customers import leads as lead_ops
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.lists.record_tab import RecordTab
from crm_desktop.ui.records.shared.choices import choice_label
from crm_desktop.ui.records.shared.delegates import CellTextDelegate


def status_label(status: str) -> str:
    """The translated label of a lead status (the stored value if it is unknown)."""
    return choice_label("lead", "status", status)


class LeadsTab(RecordTab):
    """线索: the lead list with create/edit, convert to customer, mark invalid and reopen.

    Public for tests besides RecordTab's: ``convert_button``, ``invalid_button``,
    ``reopen_button``, ``reason_dialog`` (the open "mark invalid" question), ``display_text``,
    ``exporter`` (the Export button).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.reason_dialog: QInputDialog | None = None
        self.convert_button = QPushButton()
        self.invalid_button = QPushButton()
        self.reopen_button = QPushButton()
        super().__init__(ctx, leads, parent=parent)
        self.convert_button.setText(self.tr("Convert to customer"))
        self.convert_button.setToolTip(self.tr("Create a customer (and its contact) from the selected lead."))
        self.invalid_button.setText(self.tr("Mark invalid"))
        self.reopen_button.setText(self.tr("Reopen"))
        self.reopen_button.setToolTip(self.tr("Take an invalid lead back so it can be followed up and converted."))
        # Three more buttons than the base tab: a narrower search keeps the row within 1100 px.
        self.search_edit.setMinimumWidth(200)
        can, offers = ctx.actor.can, self.spec.offers
        self._may_convert = offers("convert") and can("lead", "convert") and can("customer", "create")
        self._may_invalid = offers("mark_invalid") and can("lead", "edit")
        self._may_reopen = offers("reopen") and can("lead", "edit")
        # Like the base tab: what the actor may never do is not offered (and stays disabled).
        self.convert_button.setVisible(self._may_convert)
        self.invalid_button.setVisible(self._may_invalid)
        self.reopen_button.setVisible(self._may_reopen)
        self.convert_button.clicked.connect(self.convert_selected)
        self.invalid_button.clicked.connect(self.mark_selected_invalid)
        self.reopen_button.clicked.connect(self.reopen_selected)
        tools = self.tool_row
        at = tools.indexOf(self.transfer_button) + 1
        for offset, button in enumerate((self.convert_button, self.invalid_button, self.reopen_button)):
            tools.insertWidget(at + offset, button)
        self._status_delegate = CellTextDelegate(lambda r: status_label(str(r.values.get("status") or "")), self)
        status_column = self.model.column_of("status")
        assert status_column is not None
        self.view.setItemDelegateForColumn(status_column, self._status_delegate)
        self._update_buttons()

    def display_text(self, row: int, field: str) -> str:
        """What the list shows in a cell (the status column is translated by a delegate)."""
        column = self.model.column_of(field)
        assert column is not None
        if field == "status":
            return status_label(str(self.model.record(row).values.get("status") or ""))
        return str(self.model.data(self.model.index(row, column)))

    # --- buttons ----------------------------------------------------------------------

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if not hasattr(self, "_may_convert"):
            return  # called by RecordTab.__init__ before this tab's buttons are set up
        lead = self.selected_record()
        status = str(lead.values.get("status") or "") if lead else ""
        # A converted lead is closed; an invalid one must be reopened first (the service agrees).
        self.convert_button.setEnabled(self._may_convert and status in ("new", "following"))
        self.invalid_button.setEnabled(self._may_invalid and status in ("new", "following"))
        self.reopen_button.setEnabled(self._may_reopen and status == "invalid")
        if status == "converted":
            self.edit_button.setEnabled(False)

    # --- actions ----------------------------------------------------------------------

    def edit_selected(self) -> None:
        """Edit the selected lead; a converted lead is closed, so its operation log opens instead
        (double-click then still shows something useful)."""
        lead = self.selected_record()
        if lead is not None and lead.values.get("status") == "converted":
            self.show_log()
            return
        super().edit_selected()

    def convert_selected(self) -> None:
        """Convert the selected lead; on success name the new customer and tell other views."""
        lead = self.selected_record()
        if lead is None or not self.convert_button.isEnabled():
            return
        db, actor, lead_id = self.ctx.db, self.ctx.actor, lead.id

        def work() -> tuple[lead_ops.ConversionDTO, RecordDTO]:
            result = lead_ops.convert(db, actor, lead_id)
            return result, customers.get(db, actor, result.customer_id)

        op(self, work, write=True).success(self._converted).failure(self._failed).run()

    def _converted(self, result: tuple[lead_ops.ConversionDTO, RecordDTO]) -> None:
        if not isValid(self):
            return
        conversion, customer = result
        name = str(customer.values.get("name") or customer.id)
        if conversion.contact_id is not None:
            text = self.tr("Converted: the customer “{name}” and its contact were created.")
        else:
            text = self.tr("Converted: the customer “{name}” was created.")
        self._show_message(text.format(name=name))
        self.ctx.signals.notify("customer", conversion.customer_id)
        if conversion.contact_id is not None:
            self.ctx.signals.notify("contact", conversion.contact_id)

    def mark_selected_invalid(self) -> QInputDialog | None:
        """Ask for a reason (non-modally); an empty reason is refused with a message."""
        lead = self.selected_record()
        if lead is None or not self.invalid_button.isEnabled():
            return None
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Mark invalid"))
        dialog.setLabelText(self.tr("Why is “{name}” invalid?").format(name=self.title_of(lead)))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lead_id = lead.id
        dialog.textValueSelected.connect(lambda reason: self._mark_invalid(lead_id, reason))
        dialog.finished.connect(lambda _result: setattr(self, "reason_dialog", None))
        self.reason_dialog = dialog
        dialog.open()
        return dialog

    def _mark_invalid(self, lead_id: int, reason: str) -> None:
        if not reason.strip():
            self._show_message(self.tr("Not marked invalid: enter the reason why the lead is invalid."))
            return
        db, actor, text = self.ctx.db, self.ctx.actor, reason.strip()
        op(self, lambda: lead_ops.mark_invalid(db, actor, lead_id, reason=text), write=True).success(
            lambda record: self._show_message(self.tr("Marked “{name}” invalid.").format(name=self.title_of(record)))
        ).failure(self._failed).run()

    def reopen_selected(self) -> None:
        lead = self.selected_record()
        if lead is None or not self.reopen_button.isEnabled():
            return
        db, actor, lead_id = self.ctx.db, self.ctx.actor, lead.id
        op(self, lambda: lead_ops.reopen(db, actor, lead_id), write=True).success(
            lambda record: self._show_message(self.tr("Reopened “{name}”.").format(name=self.title_of(record)))
        ).failure(self._failed).run()
