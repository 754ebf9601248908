"""The Payments tab (回款): the generic record tab with the payment module's specs, a form that
offers approved contracts only (then that contract's payment plans), and "Submit for approval".

A payment above the contract's outstanding amount is refused by the service; the form shows
its message, which names the amount still outstanding, and the form also says it beside the
contract before anything is typed. The list shows each payment's contract number and
customer name, read once per page in the page's own background read.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services import payments as payment_ops
from crm_desktop.services.actor import Actor
from crm_desktop.services.contracts import contracts
from crm_desktop.services.filters import Condition, Filter, Op
from crm_desktop.services.payments import PlanDTO, payments
from crm_desktop.services.records import Page, RecordDTO, RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text, field_label, register_field_labels
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.detail_contract import name_payments, submit_payment
from crm_desktop.ui.records.list_model import ColumnSpec, format_value
from crm_desktop.ui.records.record_dialog import FieldSpec, RecordDialog, open_record_form
from crm_desktop.ui.records.record_tab import RecordTab, RecordTexts

if TYPE_CHECKING:
    from crm_desktop.db import Database

PAYMENT_FIELD_LABELS = {
    "contract_id": QT_TRANSLATE_NOOP("fields", "Contract"),
    "contract_number": QT_TRANSLATE_NOOP("fields", "Contract number"),
    "plan_id": QT_TRANSLATE_NOOP("fields", "Payment plan"),
    "paid_date": QT_TRANSLATE_NOOP("fields", "Payment date"),
    "method": QT_TRANSLATE_NOOP("fields", "Payment method"),
}
register_field_labels(PAYMENT_FIELD_LABELS)
#: Approved contracts offered in the payment form (newest first).
CONTRACT_CHOICES_LIMIT = 500
APPROVED = Filter((Condition("approval_status", Op.EQ, "approved"),))


class NamedPayments:
    """The payment service with ``customer_name`` and ``contract_number`` added to listed rows
    (read once per page, in the page's background read)."""

    def __init__(self, service: RecordService[Any]) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        return Page(rows=name_payments(db, actor, page.rows), next_cursor=page.next_cursor)


def payment_fields(contract_options: Sequence[tuple[str, str]] = ()) -> tuple[FieldSpec, ...]:
    field_text = lambda text: QCoreApplication.translate("fields", text)  # noqa: E731  (the schema marks these)
    return (
        FieldSpec("contract_id", field_text("Contract"), "choice", options=(("", ""), *contract_options), required=True),
        FieldSpec("plan_id", field_text("Payment plan"), "choice", options=(("", "—"),)),
        FieldSpec("amount", field_text("Amount"), required=True),
        FieldSpec("paid_date", field_text("Payment date"), required=True),
        FieldSpec("method", field_text("Payment method")),
        FieldSpec("remark", field_text("Remark"), "multiline"),
    )


def plan_text(plan: PlanDTO) -> str:
    return QCoreApplication.translate("PaymentsTab", "Instalment {n}: {amount} by {date}").format(
        n=plan.instalment, amount=format_value(plan.amount), date=plan.planned_date.isoformat())


class PaymentDialog(RecordDialog):
    """The payment form: approved contracts, then that contract's plans; the contract's
    outstanding amount under it. Public for tests: ``outstanding_label``, ``select_contract``,
    ``select_plan``, ``is_ready()``; the contract DTOs offered are set with ``set_contracts``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._contracts: dict[str, RecordDTO] = {}
        self._pending = 0
        self._generation = 0
        #: The plan to choose once the contract's plans are read (a payment recorded for a plan).
        self.wanted_plan_id: int | None = None
        self.outstanding_label = QLabel()
        self.outstanding_label.setStyleSheet("color: #555;")
        if "contract_id" in self.error_labels:
            cell = self.error_labels["contract_id"].parentWidget()
            cell.layout().addWidget(self.outstanding_label)
        self._plans: dict[str, PlanDTO] = {}
        #: The amount this form filled in from a plan: replaced when another plan is chosen,
        #: never when the user typed their own.
        self._auto_amount: str | None = None
        plan_combo = self.editors.get("plan_id")
        if isinstance(plan_combo, QComboBox) and self.record is None:
            plan_combo.currentIndexChanged.connect(lambda _i: self._plan_changed())
        combo = self.editors.get("contract_id")
        if isinstance(combo, QComboBox):
            combo.currentIndexChanged.connect(lambda _i: self._contract_changed())
            if self.record is not None:
                combo.setEnabled(False)  # a payment stays on its contract
        if self.record is None and "paid_date" in self.editors and self.value("paid_date") is None:
            self.set_value("paid_date", dt.date.today())

    def set_contracts(self, records: Sequence[RecordDTO]) -> None:
        self._contracts = {str(r.id): r for r in records}
        self._contract_changed()

    def is_ready(self) -> bool:
        return self._pending == 0

    def select_contract(self, contract_id: int) -> None:
        combo = self.editors["contract_id"]
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(str(contract_id)))

    def select_plan(self, plan_id: int | None) -> None:
        combo = self.editors["plan_id"]
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(max(0, combo.findData("" if plan_id is None else str(plan_id))))

    def _contract_changed(self) -> None:
        contract_id = self.value("contract_id") if "contract_id" in self.editors else ""
        contract = self._contracts.get(str(contract_id or ""))
        outstanding = contract.values.get("outstanding_amount") if contract is not None else None
        self.outstanding_label.setText(self.tr("Outstanding on this contract: {amount}").format(
            amount=format_value(outstanding)) if outstanding is not None else "")
        self._generation += 1
        generation = self._generation
        if contract_id in (None, ""):
            self._fill_plans(generation, [], counted=False)
            return
        db, actor, cid = self._ctx.db, self._ctx.actor, int(contract_id)
        self._pending += 1
        op(self, lambda: payment_ops.list_plans(db, actor, cid)).success(
            lambda plans: self._fill_plans(generation, plans)).failure(self._plans_failed).run()

    def _fill_plans(self, generation: int, plans: list[PlanDTO], *, counted: bool = True) -> None:
        if not isValid(self):
            return
        if counted:
            self._pending = max(0, self._pending - 1)
        combo = self.editors.get("plan_id")
        if generation != self._generation or not isinstance(combo, QComboBox):
            return
        keep = str(self.wanted_plan_id) if self.wanted_plan_id is not None else combo.currentData()
        self.wanted_plan_id = None
        self._plans = {str(plan.id): plan for plan in plans}
        combo.clear()
        combo.addItem("—", "")
        for plan in plans:
            combo.addItem(plan_text(plan), str(plan.id))
        combo.setCurrentIndex(max(0, combo.findData(keep)) if keep not in (None, "") else 0)

    def _plan_changed(self) -> None:
        """A new payment for a plan starts with what is still due on it (the user may change it)."""
        plan = self._plans.get(str(self.value("plan_id") or ""))
        typed = str(self.value("amount") or "").strip()
        if plan is None or (typed and typed != self._auto_amount):
            return
        due = plan.amount - plan.received_amount
        if due > 0:
            self._auto_amount = f"{due:.2f}"
            self.set_value("amount", self._auto_amount)

    def _plans_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._pending = max(0, self._pending - 1)
            self._show_message(error_text(exc))

    def save(self) -> None:
        if self.is_ready():
            super().save()


def open_payment_form(
    ctx: AppContext, parent: QWidget, *, record_id: int | None = None, title: str,
    contract_id: int | None = None, plan_id: int | None = None,
    on_saved: Callable[[RecordDTO], None] | None = None, on_opened: Callable[[PaymentDialog], None] | None = None,
    on_failed: Callable[[BaseException], None] | None = None,
) -> None:
    """Read the approved contracts the actor can see, then open ``PaymentDialog`` (new, or
    ``record_id``); ``contract_id`` / ``plan_id`` preselect them on a new payment. Returns at once."""
    db, actor = ctx.db, ctx.actor

    def read() -> list[RecordDTO]:
        rows = list(contracts.list_page(db, actor, filter=APPROVED, limit=CONTRACT_CHOICES_LIMIT).rows)
        if contract_id is not None and all(r.id != contract_id for r in rows):
            rows.append(contracts.get(db, actor, contract_id))  # named by the caller: offer it
        return rows

    def build(rows: list[RecordDTO]) -> None:
        if not isValid(parent):
            return
        options = [(str(r.id), f"{r.values.get('number') or r.id} · {r.values.get('name') or ''}") for r in rows]

        def opened(dialog: Any) -> None:
            dialog.set_contracts(rows)
            if record_id is None and contract_id is not None:
                dialog.wanted_plan_id = plan_id
                dialog.select_contract(contract_id)
            if on_opened is not None:
                on_opened(dialog)

        open_record_form(ctx, payments, payment_fields(options), record_id=record_id, title=title, parent=parent,
                         on_saved=on_saved, on_opened=opened, on_failed=on_failed, dialog_class=PaymentDialog)

    reading = op(parent, read).success(build)
    if on_failed is not None:
        reading = reading.failure(on_failed)
    reading.run()


def edit_payment(window: Any) -> None:
    """A payment detail window's Edit: the payment form (``window.edit_dialog`` once open)."""
    data = window.data
    title = window.tr("Edit: {name}").format(name=data.title if data is not None else window.record_id)
    open_payment_form(window.ctx, window, record_id=window.record_id, title=title,
                      on_saved=lambda _r: window.target.changed(),
                      on_opened=lambda dialog: setattr(window, "edit_dialog", dialog),
                      on_failed=window._failed_write)


class PaymentsTab(RecordTab):
    """回款: the payment list with create/edit, submit for approval, recycle bin and log.

    Public for tests besides RecordTab's: ``submit_button``, ``display_text``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.submit_button = QPushButton()
        super().__init__(ctx, cast(RecordService[Any], NamedPayments(payments)), parent=parent)
        self.submit_button.setText(self.tr("Submit for approval"))
        self.submit_button.setVisible(ctx.actor.can("payment", "edit"))
        self.submit_button.clicked.connect(self.submit_selected)
        tools = self.tool_row
        tools.insertWidget(tools.indexOf(self.transfer_button) + 1, self.submit_button)
        self._update_buttons()

    def make_columns(self) -> Sequence[ColumnSpec]:
        field_text = lambda text: QCoreApplication.translate("fields", text)  # noqa: E731  (the schema marks these)
        return (
            ColumnSpec("number", field_text("Payment number"), 150),
            ColumnSpec("contract_number", field_text("Contract number"), 150, sortable=False),
            ColumnSpec("customer_name", field_text("Customer"), 200, sortable=False),
            ColumnSpec("amount", field_text("Amount"), 110),
            ColumnSpec("paid_date", field_text("Payment date"), 100),
            ColumnSpec("method", field_text("Payment method"), 100),
            ColumnSpec("approval_status", field_label("approval_status"), 100),
            ColumnSpec("owner_name", self.tr("Owner"), 90, sortable=False),
        )

    def make_fields(self) -> Sequence[FieldSpec]:
        return payment_fields()

    def make_texts(self) -> RecordTexts:
        return RecordTexts(
            count_one=self.tr("{n} payment"),
            count_many=self.tr("{n} payments"),
            search_placeholder=self.tr("Search number or remark"),
            new_title=self.tr("New payment"),
            edit_title=self.tr("Edit payment"),
            confirm_delete=self.tr("Move {n} selected payments to the recycle bin? They can be restored from there."),
            recycle_bin_title=self.tr("Recycle bin: payments"),
            log_title=self.tr("Operation log: {name}"),
        )

    def title_of(self, record: RecordDTO) -> str:
        return str(record.values.get("number") or record.id)

    def display_text(self, row: int, field: str) -> str:
        column = self.model.column_of(field)
        assert column is not None
        return str(self.model.data(self.model.index(row, column)))

    def _open_form(self, record_id: int | None, fields: Sequence[FieldSpec] | None = None) -> None:
        open_payment_form(
            self.ctx, self, record_id=record_id,
            title=self.texts.edit_title if record_id is not None else self.texts.new_title,
            on_failed=self._failed,
            on_saved=lambda saved: self._show_message(self.tr("Saved “{name}”.").format(name=self.title_of(saved))),
            on_opened=lambda dialog: setattr(self, "record_dialog", dialog),
        )

    def _selected_payment(self) -> RecordDTO | None:
        ids = self.selected_ids()
        row = self.model.row_of(ids[0]) if len(ids) == 1 else None
        return self.model.record(row) if row is not None else None

    def _update_buttons(self) -> None:
        super()._update_buttons()
        payment = self._selected_payment()
        self.submit_button.setEnabled(
            payment is not None and payment.values.get("approval_status") in payment_ops.EDITABLE_APPROVAL)

    def submit_selected(self) -> None:
        payment = self._selected_payment()
        if payment is None:
            return
        submit_payment(self, self.ctx, payment.id, done=self._show_message, failed=self._show_message)


__all__ = ["PAYMENT_FIELD_LABELS", "NamedPayments", "PaymentDialog", "PaymentsTab", "name_payments",
           "open_payment_form", "payment_fields", "submit_payment"]
