"""The payment form (回款): approved contracts only, then that contract's payment plans.

A payment above the contract's outstanding amount is refused by the service; the form shows
its message, which names the amount still outstanding, and the form also says it beside the
contract before anything is typed. A new payment for a plan starts with what is still due on it.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QLabel, QWidget
from shiboken6 import isValid

from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.sales import payments as payment_ops
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.payments import PlanDTO, payments
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.forms.layout import form_fields
from crm_desktop.ui.records.forms.pickers import read_first
from crm_desktop.ui.records.forms.record_dialog import RecordDialog, open_record_form
from crm_desktop.ui.records.shared.list_model import format_value
from crm_desktop.ui.records.specs.payment import PAYMENT

#: Approved contracts offered in the payment form (newest first).
CONTRACT_CHOICES_LIMIT = 500
APPROVED = Filter((Condition("approval_status", Op.EQ, "approved"),))


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
        wanted = self.wanted_plan_id is not None
        keep = str(self.wanted_plan_id) if wanted else combo.currentData()
        self.wanted_plan_id = None
        self._plans = {str(plan.id): plan for plan in plans}
        combo.clear()
        combo.addItem("—", "")
        for plan in plans:
            combo.addItem(plan_text(plan), str(plan.id))
        combo.setCurrentIndex(max(0, combo.findData(keep)) if keep not in (None, "") else 0)
        if wanted or self.record is not None:  # the plan (and its amount) came with the form, not typed
            self.mark_clean(combo, *(e for n, e in self.editors.items() if n == "amount"))

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

        fields = form_fields(PAYMENT, pickers={"contract_id": options})
        open_record_form(ctx, payments, fields, record_id=record_id, title=title, parent=parent,
                         on_saved=on_saved, on_opened=opened, on_failed=on_failed, dialog_class=PaymentDialog)

    read_first(parent, read, build, on_failed)


__all__ = ["PaymentDialog", "open_payment_form", "plan_text"]
