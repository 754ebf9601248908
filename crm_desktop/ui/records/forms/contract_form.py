"""The contract form (合同/订单): customer, that customer's opportunity and signer, our signer,
dates, payment terms and the product lines.

``ContractDialog`` is the record form with a searchable customer list whose choice reloads the
opportunity and signer lists, and a ``LinesEditor`` under the fields. Choosing an opportunity
for a new contract whose lines are still empty fills them with the opportunity's product lines
(as a contract made from the opportunity has). The amount follows the lines' total until the
user types one. What the service refuses (a pending contract, an
approved one without "modify approved order") is shown in the service's words.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, cast

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from crm_desktop.services.customers import contacts as contact_ops
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.sales import contracts as contract_ops
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.product_lines import LineDTO, LineInput
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.forms.contact_form import ContactDialog
from crm_desktop.ui.records.forms.layout import form_fields
from crm_desktop.ui.records.forms.pickers import customer_choices, read_first
from crm_desktop.ui.records.forms.record_dialog import open_record_form
from crm_desktop.ui.records.shared.field_editors import NumberEditor
from crm_desktop.ui.records.shared.lines_editor import LinesEditor, money_text
from crm_desktop.ui.records.specs.contract import CONTRACT

#: The empty choice of the opportunity and signer lists (filled once a customer is chosen).
_NONE = (("", "—"),)


class ContractDialog(ContactDialog):
    """The contract form: the record form (searchable customer list) plus the customer's
    opportunities and contacts as choices, and the product lines.

    Public for tests besides RecordDialog's: ``lines_editor``, ``select_customer(id)``,
    ``choose(name, record_id)`` (opportunity / signer), ``is_ready()`` (the lines and the
    customer's lists are read), ``amount_follows_lines``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resize(820, 700)  # fits a 1366×768 screen: the fields scroll, Save/Cancel stay visible
        self.lines_editor = LinesEditor(self._ctx, self)
        self.lines_editor.changed.connect(self._lines_changed)
        self._baseline_lines: list[LineInput] = []
        self._pending_reads = 0
        self._generation = 0
        self._first_choices = True
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
        opportunity = self.editors.get("opportunity_id")
        if isinstance(opportunity, QComboBox) and record is None:
            opportunity.activated.connect(lambda _i: self._opportunity_chosen())
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
        # The stored lines (and the amount following them) were read, not typed.
        self.mark_clean(self.lines_editor, *(e for n, e in self.editors.items() if n == "amount"))
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
                if self._first_choices:
                    self.mark_clean(combo)  # the customer's lists were read, not chosen
            self._first_choices = False
        if counted:
            self._finished()

    def choose(self, name: str, record_id: int | None) -> None:
        """Choose an opportunity or signer of the customer (tests; ``None``: none), as the user does."""
        combo = self.editors[name]
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(max(0, combo.findData("" if record_id is None else str(record_id))))
        combo.activated.emit(combo.currentIndex())

    def _opportunity_chosen(self) -> None:
        """A new contract's empty lines take the chosen opportunity's (typed lines are kept)."""
        chosen = self.value("opportunity_id")
        if chosen in (None, "") or self.lines_editor.lines():
            return
        db, actor, opportunity_id = self._ctx.db, self._ctx.actor, int(chosen)

        def read() -> tuple[LineDTO, ...]:
            try:
                return opportunity_ops.get_lines(db, actor, opportunity_id)
            except ServiceError:  # no longer visible: the lines stay empty
                return ()

        def fill(lines: Sequence[LineDTO]) -> None:
            if isValid(self) and lines and not self.lines_editor.lines() and self.value("opportunity_id") == chosen:
                self.lines_editor.set_lines(lines)
                self.lines_editor.changed.emit()  # the amount follows them, as for lines added by hand
            self._finished()

        self._started()
        op(self, read).success(fill).failure(self._read_failed).run()

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

    def build(choices: list[tuple[str, str]]) -> None:
        if not isValid(parent):
            return
        open_record_form(ctx, contracts, form_fields(CONTRACT, pickers={"customer_id": choices}), record_id=record_id,
                         title=title, parent=parent, on_saved=on_saved, on_opened=opened, on_failed=on_failed,
                         dialog_class=ContractDialog)

    read_first(parent, lambda: customer_choices(db, actor), build, on_failed)


__all__ = ["ContractDialog", "open_contract_form"]
