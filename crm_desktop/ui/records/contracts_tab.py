"""The Contracts tab (合同/订单): the generic record tab with the contract module's specs, its form
(customer, that customer's opportunity and signer, our signer, dates, payment terms, product
lines) and the contract's own actions: submit for approval, withdraw, void, execution status.

The form is ``ContractDialog``: the record form with a searchable customer list whose choice
reloads the opportunity and signer lists, and a ``LinesEditor`` under the fields. The amount
follows the lines' total until the user types one. What the service refuses (a pending
contract, an approved one without "modify approved order", a gated or refused status change)
is shown in the service's words. ``ContractActions`` runs the actions for the list and for
the detail window alike.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, cast

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services import contacts as contact_ops
from crm_desktop.services import contracts as contract_ops
from crm_desktop.services import opportunities as opportunity_ops
from crm_desktop.services.contracts import contracts
from crm_desktop.services.customers import customers
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.product_lines import LineDTO, LineInput
from crm_desktop.services.records import Page, RecordDTO, RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text, field_label, register_field_labels
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.contacts_tab import CUSTOMER_CHOICES_LIMIT, ContactDialog, CustomerNamedContacts
from crm_desktop.ui.records.detail_contract import ContractActions, enable_actions
from crm_desktop.ui.records.field_editors import NumberEditor
from crm_desktop.ui.records.lines_editor import LinesEditor, money_text
from crm_desktop.ui.records.list_model import ColumnSpec
from crm_desktop.ui.records.record_dialog import FieldSpec, open_record_form
from crm_desktop.ui.records.record_tab import RecordTab, RecordTexts

CONTRACT_FIELD_LABELS = {
    "number": QT_TRANSLATE_NOOP("fields", "Contract number"),
    "opportunity_id": QT_TRANSLATE_NOOP("fields", "Opportunity"),
    "customer_signer_id": QT_TRANSLATE_NOOP("fields", "Customer signer"),
    "our_signer_id": QT_TRANSLATE_NOOP("fields", "Our signer"),
    "amount": QT_TRANSLATE_NOOP("fields", "Amount"),
    "received_amount": QT_TRANSLATE_NOOP("fields", "Received"),
    "outstanding_amount": QT_TRANSLATE_NOOP("fields", "Outstanding"),
    "order_date": QT_TRANSLATE_NOOP("fields", "Order date"),
    "start_date": QT_TRANSLATE_NOOP("fields", "Start date"),
    "end_date": QT_TRANSLATE_NOOP("fields", "End date"),
    "payment_terms": QT_TRANSLATE_NOOP("fields", "Payment terms"),
    "approval_status": QT_TRANSLATE_NOOP("fields", "Approval status"),
    "execution_status": QT_TRANSLATE_NOOP("fields", "Execution status"),
    "lines": QT_TRANSLATE_NOOP("fields", "Product lines"),
}
register_field_labels(CONTRACT_FIELD_LABELS)
#: The empty choice of the opportunity and signer lists (filled once a customer is chosen).
_NONE = (("", "—"),)


def customer_choices(page: Page) -> list[tuple[str, str]]:
    return [(str(r.id), str(r.values.get("name") or r.id)) for r in page.rows]


def contract_fields(customer_options: Sequence[tuple[str, str]] = ()) -> tuple[FieldSpec, ...]:
    """The contract form's built-in fields in order (the schema adds custom fields after them)."""
    field_text = lambda text: QCoreApplication.translate("fields", text)  # noqa: E731  (the schema marks these)
    return (
        FieldSpec("name", field_text("Contract name"), required=True),
        FieldSpec("customer_id", field_text("Customer"), "choice", options=(("", ""), *customer_options), required=True),
        FieldSpec("opportunity_id", field_text("Opportunity"), "choice", options=_NONE),
        FieldSpec("customer_signer_id", field_text("Customer signer"), "choice", options=_NONE),
        FieldSpec("our_signer_id", field_text("Our signer")),
        FieldSpec("amount", field_text("Contract amount")),
        FieldSpec("order_date", field_text("Order date")),
        FieldSpec("start_date", field_text("Start date")),
        FieldSpec("end_date", field_text("End date")),
        FieldSpec("payment_terms", field_text("Payment terms"), "multiline"),
        FieldSpec("remark", field_text("Remark"), "multiline"),
    )


class ContractDialog(ContactDialog):
    """The contract form: the record form (searchable customer list) plus the customer's
    opportunities and contacts as choices, and the product lines.

    Public for tests besides RecordDialog's: ``lines_editor``, ``select_customer(id)``,
    ``choose(name, record_id)`` (opportunity / signer), ``is_ready()`` (the lines and the
    customer's lists are read), ``amount_follows_lines``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resize(820, 820)
        self.lines_editor = LinesEditor(self._ctx, self)
        self.lines_editor.changed.connect(self._lines_changed)
        self._baseline_lines: list[LineInput] = []
        self._pending_reads = 0
        self._generation = 0
        record = self.record
        amount = self.editors.get("amount")
        #: True while the amount shows the lines' total (the user typed none).
        self.amount_follows_lines = record is None or record.values.get("amount") in (None, Decimal("0"))
        if isinstance(amount, NumberEditor):
            amount.changed.connect(self._amount_typed)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(self.tr("Product lines"))
        heading.setStyleSheet("font-weight: 600;")
        column.addWidget(heading)
        column.addWidget(self.lines_editor, 1)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(2, box, 1)
        combo = self.editors.get("customer_id")
        if isinstance(combo, QComboBox):
            combo.currentIndexChanged.connect(lambda _i: self._customer_changed())
        if record is not None:
            self._read_lines(record.id)
        self._customer_changed()

    # --- reading what the form offers -------------------------------------------------

    def is_ready(self) -> bool:
        return self._pending_reads == 0

    def _started(self) -> None:
        self._pending_reads += 1
        self.save_button.setEnabled(False)

    def _finished(self) -> None:
        self._pending_reads = max(0, self._pending_reads - 1)
        if self._pending_reads == 0 and isValid(self):
            self.save_button.setEnabled(not self._saving)

    def _read_lines(self, contract_id: int) -> None:
        db, actor = self._ctx.db, self._ctx.actor
        self._started()
        op(self, lambda: contract_ops.contract_lines(db, actor, contract_id)).success(
            self._lines_read).failure(self._read_failed).run()

    def _lines_read(self, lines: Sequence[LineDTO]) -> None:
        if not isValid(self):
            return
        self.lines_editor.set_lines(lines)
        self._baseline_lines = self.lines_editor.lines()
        if self.record is not None:
            # An amount equal to the lines' total is taken as following them.
            self.amount_follows_lines = self.record.values.get("amount") == self.lines_editor.total() or not lines
        self._finished()

    def _read_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._show_message(error_text(exc))
            self._finished()

    def _customer_changed(self) -> None:
        """Read the chosen customer's opportunities and contacts (none chosen: empty lists)."""
        customer_id = self.value("customer_id") if "customer_id" in self.editors else ""
        self._generation += 1
        generation = self._generation
        if customer_id in (None, ""):
            self._fill_choices(generation, [], [], counted=False)
            return
        db, actor, cid = self._ctx.db, self._ctx.actor, int(customer_id)

        def read() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
            try:
                opps = [(str(r.id), str(r.values.get("name") or r.id))
                        for r in opportunity_ops.list_for_customer(db, actor, cid)]
            except ServiceError:  # no opportunity rights: the field stays empty
                opps = []
            try:
                people = [(str(r.id), str(r.values.get("name") or r.id))
                          for r in contact_ops.list_for_customer(db, actor, cid)]
            except ServiceError:
                people = []
            return opps, people

        self._started()
        op(self, read).success(lambda lists: self._fill_choices(generation, *lists)).failure(self._read_failed).run()

    def _fill_choices(self, generation: int, opps: list[tuple[str, str]], people: list[tuple[str, str]], *,
                      counted: bool = True) -> None:
        if not isValid(self):
            return
        if generation == self._generation:
            for name, options in (("opportunity_id", opps), ("customer_signer_id", people)):
                combo = self.editors.get(name)
                if not isinstance(combo, QComboBox):
                    continue
                keep = combo.currentData()
                combo.clear()
                for value, label in (*_NONE, *options):
                    combo.addItem(label, value)
                at = combo.findData(keep) if keep not in (None, "") else 0
                combo.setCurrentIndex(max(0, at))
        if counted:
            self._finished()

    def choose(self, name: str, record_id: int | None) -> None:
        """Choose an opportunity or signer of the customer (tests; ``None``: none)."""
        combo = self.editors[name]
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(max(0, combo.findData("" if record_id is None else str(record_id))))

    # --- amount and lines -------------------------------------------------------------

    def _amount_typed(self) -> None:
        self.amount_follows_lines = not str(self.value("amount") or "").strip()

    def _lines_changed(self) -> None:
        editor = self.editors.get("amount")
        if not isinstance(editor, NumberEditor):
            return
        total = self.lines_editor.total()
        editor.line.setPlaceholderText(self.tr("Follows the lines: {total}").format(total=money_text(total)))
        if self.amount_follows_lines:
            editor.set_value(total if self.lines_editor.lines() else None)

    # --- saving -----------------------------------------------------------------------

    def save(self) -> None:
        """Save the fields and the lines in one service call (see the module docstring)."""
        if self._saving or not self.is_ready():
            return
        combo = self.editors.get("customer_id")
        if isinstance(combo, QComboBox) and combo.currentText().strip() and self.value("customer_id") == "":
            super().save()  # the contact form's "choose a customer from the list"
            return
        self._clear_errors()
        db, actor = self._ctx.db, self._ctx.actor
        service = cast(contract_ops.ContractService, self._service)
        lines = self.lines_editor.lines()
        call: Callable[[], RecordDTO]
        if self.record is None:
            values = self._all_values()
            if self.amount_follows_lines:
                values.pop("amount", None)
            call = lambda: service.create(db, actor, values, lines=lines)  # noqa: E731
        else:
            changes = self._changes()
            lines_changed = lines != self._baseline_lines
            if self.amount_follows_lines and lines_changed:
                changes["amount"] = ""  # the service: follow the lines again
            elif self.amount_follows_lines:
                changes.pop("amount", None)
            if not changes and not lines_changed:
                self.accept()
                return
            record_id, version = self.record.id, self._version
            call = lambda: service.update(  # noqa: E731
                db, actor, record_id, expected_version=version, changes=changes,
                lines=lines if lines_changed else None)
        self._set_saving(True)
        op(self, call, write=True).success(self._saved).failure(self._failed).run()


def open_contract_form(
    ctx: AppContext, parent: QWidget, *, record_id: int | None, title: str,
    on_saved: Callable[[RecordDTO], None] | None = None, on_opened: Callable[[ContractDialog], None] | None = None,
    on_failed: Callable[[BaseException], None] | None = None, customer_id: int | None = None,
) -> None:
    """Read the customers the actor can see, then open ``ContractDialog`` (new or ``record_id``);
    ``customer_id`` preselects a customer for a new contract. Returns at once."""
    db, actor = ctx.db, ctx.actor

    def opened(dialog: Any) -> None:
        if customer_id is not None and dialog.record is None:
            dialog.select_customer(customer_id)
        if on_opened is not None:
            on_opened(dialog)

    def build(page: Page) -> None:
        if not isValid(parent):
            return
        open_record_form(ctx, contracts, contract_fields(customer_choices(page)), record_id=record_id, title=title,
                         parent=parent, on_saved=on_saved, on_opened=opened, on_failed=on_failed,
                         dialog_class=ContractDialog)

    reading = op(parent, lambda: customers.list_page(db, actor, sort="name", descending=False,
                                                     limit=CUSTOMER_CHOICES_LIMIT)).success(build)
    if on_failed is not None:
        reading = reading.failure(on_failed)
    reading.run()


def edit_contract(window: Any) -> None:
    """A contract detail window's Edit: the contract form (``window.edit_dialog`` once open)."""
    data = window.data
    title = window.tr("Edit: {name}").format(name=data.title if data is not None else window.record_id)
    open_contract_form(window.ctx, window, record_id=window.record_id, title=title,
                       on_saved=lambda _r: window.target.changed(),
                       on_opened=lambda dialog: setattr(window, "edit_dialog", dialog),
                       on_failed=window._failed_write)


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
        super().__init__(ctx, cast(RecordService[Any], CustomerNamedContacts(contracts)), parent=parent)
        self.submit_button.setText(self.tr("Submit for approval"))
        self.withdraw_button.setText(self.tr("Withdraw"))
        self.void_button.setText(self.tr("Void"))
        self.status_button.setText(self.tr("Execution status"))
        self.actions = ContractActions(ctx, self, done=self._show_message, failed=self._show_message)
        self.actions.bind(self._selected_contract)
        self.status_button.setMenu(self.actions.status_menu)
        self.submit_button.clicked.connect(lambda: self._act(self.actions.submit))
        self.withdraw_button.clicked.connect(lambda: self._act(self.actions.withdraw))
        self.void_button.clicked.connect(self._ask_void)
        can = ctx.actor.can
        for button in (self.submit_button, self.withdraw_button, self.status_button):
            button.setVisible(can("contract", "edit"))
        self.void_button.setVisible(can("contract", "void"))
        tools = self.tool_row
        at = tools.indexOf(self.transfer_button) + 1
        for offset, button in enumerate((self.submit_button, self.withdraw_button, self.void_button,
                                         self.status_button)):
            tools.insertWidget(at + offset, button)
        self._update_buttons()

    # --- module specs -----------------------------------------------------------------

    def make_columns(self) -> Sequence[ColumnSpec]:
        field_text = lambda text: QCoreApplication.translate("fields", text)  # noqa: E731  (the schema marks these)
        return (
            ColumnSpec("number", field_text("Contract number"), 150),
            ColumnSpec("name", field_text("Contract name"), 180),
            ColumnSpec("customer_name", field_text("Customer"), 190, sortable=False),
            ColumnSpec("amount", field_label("amount"), 100),
            ColumnSpec("received_amount", field_label("received_amount"), 100),
            ColumnSpec("outstanding_amount", field_label("outstanding_amount"), 100, sortable=False),
            ColumnSpec("approval_status", field_label("approval_status"), 90),
            ColumnSpec("execution_status", field_label("execution_status"), 90),
            ColumnSpec("order_date", field_label("order_date"), 95),
            ColumnSpec("owner_name", self.tr("Owner"), 90, sortable=False),
        )

    def make_fields(self) -> Sequence[FieldSpec]:
        return contract_fields()

    def make_texts(self) -> RecordTexts:
        return RecordTexts(
            count_one=self.tr("{n} contract"),
            count_many=self.tr("{n} contracts"),
            search_placeholder=self.tr("Search number, name or customer"),
            new_title=self.tr("New contract"),
            edit_title=self.tr("Edit contract"),
            confirm_delete=self.tr("Move {n} selected contracts to the recycle bin? They can be restored from there."),
            recycle_bin_title=self.tr("Recycle bin: contracts"),
            log_title=self.tr("Operation log: {name}"),
        )

    def display_text(self, row: int, field: str) -> str:
        column = self.model.column_of(field)
        assert column is not None
        return str(self.model.data(self.model.index(row, column)))

    # --- the form ---------------------------------------------------------------------

    def _open_form(self, record_id: int | None, fields: Sequence[FieldSpec] | None = None) -> None:
        open_contract_form(
            self.ctx, self, record_id=record_id,
            title=self.texts.edit_title if record_id is not None else self.texts.new_title,
            on_failed=self._failed,
            on_saved=lambda saved: self._show_message(self.tr("Saved “{name}”.").format(name=self.title_of(saved))),
            on_opened=lambda dialog: setattr(self, "record_dialog", dialog),
        )

    # --- actions ----------------------------------------------------------------------

    def _selected_contract(self) -> RecordDTO | None:
        ids = self.selected_ids()
        row = self.model.row_of(ids[0]) if len(ids) == 1 else None
        return self.model.record(row) if row is not None else None

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if not hasattr(self, "actions"):
            return  # called by RecordTab.__init__ before this tab's buttons are set up
        enable_actions(self._selected_contract(), submit=self.submit_button, withdraw=self.withdraw_button,
                       void=self.void_button, status=self.status_button)

    def _act(self, action: Callable[[RecordDTO], None]) -> None:
        record = self._selected_contract()
        if record is not None:
            action(record)

    def _ask_void(self) -> None:
        record = self._selected_contract()
        if record is not None:
            self._ask(self.tr("Void “{name}”? It stays on record but takes no more payments.").format(
                name=self.title_of(record)), lambda: self.actions.void(record))

    def set_execution_status_selected(self, value: str) -> None:
        """What choosing ``value`` in the execution status menu does (tests call it directly)."""
        record = self._selected_contract()
        if record is not None:
            self.actions.set_status(record, value)


__all__ = ["CONTRACT_FIELD_LABELS", "ContractDialog", "ContractsTab", "contract_fields", "edit_contract",
           "open_contract_form"]
