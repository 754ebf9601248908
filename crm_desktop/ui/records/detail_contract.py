"""What the sales module adds to detail pages: a contract's product lines, payment plans and
payments tabs (keys "contract_lines", "contract_payments"; "plans" is detail_plans.py), its actions under the header
(``ContractHeaderBar``: submit, withdraw, void, execution status, in ``detail_page.HEADER_PARTS``),
and a customer's contracts and payments (``CUSTOMER_CONTRACTS``, ``CUSTOMER_PAYMENTS``, related
lists). ``ContractActions`` runs the contract actions for the list tab and the window alike.
This module imports no record tab (detail_page imports it); the payment form is imported
where it is opened.
"New payment" on the payments tab opens the payment form with the contract chosen.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services import contracts as contract_ops
from crm_desktop.services import customers as customer_ops
from crm_desktop.services import payments as payment_ops
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.filters import Condition, Filter, Op
from crm_desktop.services.product_lines import LineDTO
from crm_desktop.services.records import RecordDTO
from crm_desktop.services.schema import get_dictionary
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text, register_field_labels
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.detail_base import DetailData, DetailTab, DetailTarget, make_tree
from crm_desktop.ui.records.detail_related import RelatedColumn, RelatedList
from crm_desktop.ui.records.lines_editor import LinesEditor
from crm_desktop.ui.records.list_model import format_value

if TYPE_CHECKING:
    from crm_desktop.db import Database

APPROVAL_LABELS = {
    "draft": QT_TRANSLATE_NOOP("fields", "Draft"), "pending": QT_TRANSLATE_NOOP("fields", "Pending approval"),
    "approved": QT_TRANSLATE_NOOP("fields", "Approved"), "rejected": QT_TRANSLATE_NOOP("fields", "Approval rejected"),
    "withdrawn": QT_TRANSLATE_NOOP("fields", "Approval withdrawn"), "voided": QT_TRANSLATE_NOOP("fields", "Voided"),
}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
register_field_labels({"outstanding_amount": QT_TRANSLATE_NOOP("fields", "Outstanding"),
                       "received_amount": QT_TRANSLATE_NOOP("fields", "Received")})
#: Approval states from which a contract can be submitted (the service checks again).
SUBMITTABLE = contract_ops.EDITABLE_APPROVAL


def field_text(text: str) -> str:
    """A built-in field's label (context "fields", where the schema marks them)."""
    return QCoreApplication.translate("fields", text)



# --- product lines ----------------------------------------------------------------------------


class ContractLinesTab(DetailTab):
    """The contract's product lines, read-only, with their total. Public: ``editor``."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.editor = LinesEditor(self.ctx, self, read_only=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.message_label)

    def reload(self) -> None:
        db, actor, rid = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True
        op(self, lambda: contract_ops.contract_lines(db, actor, rid)).success(self._show).failure(self.failed).run()

    def _show(self, lines: Sequence[LineDTO]) -> None:
        if isValid(self):
            self._loading = False
            self.editor.set_lines(lines)


# --- payments --------------------------------------------------------------------------------


class ContractPaymentsTab(DetailTab):
    """The contract's payments (number, amount, date, method, plan, approval status), "New
    payment" (the contract chosen) and "Submit for approval". Public for tests: ``tree``,
    ``rows``, ``new_button``, ``submit_button``, ``payment_dialog``, ``select_payment(id)``."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.rows: list[RecordDTO] = []
        self.payment_dialog: Any = None
        self._approved = False
        self.tree = make_tree(
            [field_text("Payment number"), field_text("Amount"), field_text("Payment date"), field_text("Payment method"),
             field_text("Approval status"), field_text("Remark")], [160, 110, 100, 100, 110, 160])
        self.tree.itemSelectionChanged.connect(self._sync_buttons)
        self.new_button = QPushButton(self.tr("New payment…"))
        self.new_button.clicked.connect(self.new_payment)
        self.new_button.setVisible(self.can("payment", "create"))
        self.submit_button = QPushButton(self.tr("Submit for approval"))
        self.submit_button.clicked.connect(self.submit_selected)
        self.submit_button.setVisible(self.can("payment", "edit"))
        tools = QHBoxLayout()
        tools.addWidget(self.new_button)
        tools.addWidget(self.submit_button)
        tools.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)
        self.ctx.signals.changed.connect(self._on_changed)
        self._sync_buttons()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and entity in ("payment", "approval", "*"):
            self.reload()

    def show_record(self, data: DetailData) -> None:
        self._approved = data.record.values.get("approval_status") == "approved"
        self._sync_buttons()

    def reload(self) -> None:
        if not self.can("payment", "view"):
            return
        db, actor, rid = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True

        def read() -> tuple[list[RecordDTO], dict[str, str]]:
            methods = {i.value: i.label for i in get_dictionary(db, actor, "payment_method", include_disabled=True)}
            return payment_ops.contract_payments(db, actor, rid), methods

        op(self, read).success(self._show).failure(self.failed).run()

    def _show(self, loaded: tuple[list[RecordDTO], dict[str, str]]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.rows, methods = loaded
        self.tree.clear()
        for r in self.rows:
            method = str(r.values.get("method") or "")
            item = QTreeWidgetItem([
                str(r.values.get("number") or ""), format_value(r.values.get("amount")),
                format_value(r.values.get("paid_date")), methods.get(method, method),
                field_text(APPROVAL_LABELS.get(str(r.values.get("approval_status")), "")),
                str(r.values.get("remark") or "")])
            item.setData(0, Qt.ItemDataRole.UserRole, r.id)
            item.setTextAlignment(1, RIGHT)
            self.tree.addTopLevelItem(item)
        self._sync_buttons()

    def selected_payment(self) -> RecordDTO | None:
        items = self.tree.selectedItems()
        rid = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return next((r for r in self.rows if r.id == rid), None)

    def select_payment(self, payment_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == payment_id:
                self.tree.setCurrentItem(item)
                return

    def _sync_buttons(self) -> None:
        self.new_button.setEnabled(self._approved)
        self.new_button.setToolTip("" if self._approved else self.tr("Payments are recorded on approved contracts."))
        payment = self.selected_payment()
        self.submit_button.setEnabled(
            payment is not None and payment.values.get("approval_status") in payment_ops.EDITABLE_APPROVAL)

    def new_payment(self) -> None:
        from crm_desktop.ui.records.payments_tab import open_payment_form  # a record tab: imported late

        open_payment_form(self.ctx, self, title=self.tr("New payment"), contract_id=self.target.record_id,
                          on_failed=self.failed, on_opened=lambda d: setattr(self, "payment_dialog", d),
                          on_saved=lambda _r: self._written(self.tr("Payment saved: submit it for approval.")))

    def submit_selected(self) -> None:
        payment = self.selected_payment()
        if payment is not None:
            submit_payment(self, self.ctx, payment.id, done=self._written,
                           failed=lambda text: self.show_message(text, error=True))

    def _written(self, text: str) -> None:
        self.ctx.signals.notify("payment", 0)
        self.target.changed()
        self.show_message(text)


# --- the contract's actions ---------------------------------------------------------------------

class ContractActions(QObject):
    """Submit, withdraw, void and the execution status of one contract, for the list tab and
    the detail window. ``done(text)`` / ``failed(text)`` report in the user's language.

    ``status_menu`` lists the enabled "order_status" items (``reload_statuses()``); public for
    tests: ``statuses`` ((value, label) in order), ``submit``/``withdraw``/``void``/``set_status``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget, *, done: Callable[[str], None],
                 failed: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._parent = parent
        self._done, self._failed = done, failed
        self.statuses: list[tuple[str, str]] = []
        self.status_menu = QMenu(parent)
        self._current: Callable[[], RecordDTO | None] = lambda: None
        self.reload_statuses()
        ctx.signals.changed.connect(self._on_changed)

    def bind(self, current: Callable[[], RecordDTO | None]) -> None:
        """Where the menu's actions find the contract they act on."""
        self._current = current

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in ("dictionary", "*") and isValid(self._parent):
            self.reload_statuses()

    def reload_statuses(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        op(self._parent, lambda: [(i.value, i.label) for i in get_dictionary(db, actor, "order_status")]).success(
            self._fill_menu).run()

    def _fill_menu(self, statuses: list[tuple[str, str]]) -> None:
        if not isValid(self._parent):
            return
        self.statuses = statuses
        self.status_menu.clear()
        for value, label in statuses:
            action = self.status_menu.addAction(label)
            action.triggered.connect(lambda _checked=False, v=value: self._status_chosen(v))

    def _status_chosen(self, value: str) -> None:
        record = self._current()
        if record is not None:
            self.set_status(record, value)

    def label_of(self, value: str) -> str:
        return dict(self.statuses).get(value, value)

    def _run(self, work: Callable[[], RecordDTO], message: Callable[[RecordDTO], str]) -> None:
        def ok(record: RecordDTO) -> None:
            self.ctx.signals.notify("contract", record.id)
            if isValid(self._parent):
                self._done(message(record))

        def bad(exc: BaseException) -> None:
            if isValid(self._parent):
                self._failed(error_text(exc))

        op(self._parent, work, write=True).success(ok).failure(bad).run()

    def submit(self, record: RecordDTO) -> None:
        db, actor, rid = self.ctx.db, self.ctx.actor, record.id
        self._run(lambda: contract_ops.submit(db, actor, rid), lambda r: (
            self.tr("“{name}” is approved.") if r.values.get("approval_status") == "approved"
            else self.tr("“{name}” was submitted for approval.")).format(name=r.values.get("name") or r.id))

    def withdraw(self, record: RecordDTO) -> None:
        db, actor, rid = self.ctx.db, self.ctx.actor, record.id
        self._run(lambda: contract_ops.withdraw(db, actor, rid), lambda r: self.tr(
            "“{name}” was withdrawn from approval: it can be edited again.").format(name=r.values.get("name") or r.id))

    def void(self, record: RecordDTO) -> None:
        db, actor, rid = self.ctx.db, self.ctx.actor, record.id
        self._run(lambda: contract_ops.void(db, actor, rid), lambda r: self.tr(
            "“{name}” is void.").format(name=r.values.get("name") or r.id))

    def set_status(self, record: RecordDTO, value: str) -> None:
        """Move the contract to ``value``; a gated move says it waits for approval."""
        db, actor, rid = self.ctx.db, self.ctx.actor, record.id
        label = self.label_of(value)

        def said(r: RecordDTO) -> str:
            name = r.values.get("name") or r.id
            if r.values.get("execution_status") == value:
                return self.tr("“{name}” is now “{status}”.").format(name=name, status=label)
            return self.tr("Moving “{name}” to “{status}” was submitted for approval; the status changes once it "
                           "is approved.").format(name=name, status=label)

        self._run(lambda: contract_ops.set_execution_status(db, actor, rid, value), said)


def enable_actions(record: RecordDTO | None, *, submit: QWidget, withdraw: QWidget, void: QWidget,
                   status: QWidget) -> None:
    """Enable the action buttons the contract's approval state allows."""
    state = str(record.values.get("approval_status") or "") if record is not None else None
    submit.setEnabled(state in SUBMITTABLE)
    withdraw.setEnabled(state == "pending")
    void.setEnabled(state == "approved")
    status.setEnabled(state == "approved")



def submit_payment(parent: QWidget, ctx: AppContext, payment_id: int, *, done: Callable[[str], None],
                   failed: Callable[[str], None]) -> None:
    """Submit a draft payment; ``done`` / ``failed`` get a sentence in the user's language."""
    db, actor = ctx.db, ctx.actor

    def ok(record: RecordDTO) -> None:
        ctx.signals.notify("payment", record.id)
        if record.values.get("contract_id") is not None:
            ctx.signals.notify("contract", int(record.values["contract_id"]))
        if isValid(parent):
            name = record.values.get("number") or record.id
            done(QCoreApplication.translate("PaymentsTab", "Payment {name} is approved.").format(name=name)
                 if record.values.get("approval_status") == "approved" else
                 QCoreApplication.translate("PaymentsTab", "Payment {name} was submitted for approval.").format(
                     name=name))

    op(parent, lambda: payment_ops.submit(db, actor, payment_id), write=True).success(ok).failure(
        lambda exc: failed(error_text(exc)) if isValid(parent) else None).run()


class ContractHeaderBar(DetailTab):
    """Under a contract window's header: Submit for approval / Withdraw / Void / Execution status,
    enabled by the contract's approval state each time the window reads it, and what the last
    action did. Public for tests: the buttons, ``actions`` (ContractActions), ``message_label``."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.record: RecordDTO | None = None
        self.submit_button = QPushButton(self.tr("Submit for approval"))
        self.withdraw_button = QPushButton(self.tr("Withdraw"))
        self.void_button = QPushButton(self.tr("Void"))
        self.status_button = QPushButton(self.tr("Execution status"))
        self.actions = ContractActions(self.ctx, self, done=lambda text: self.show_message(text),
                                       failed=lambda text: self.show_message(text, error=True))
        self.actions.bind(lambda: self.record)
        self.status_button.setMenu(self.actions.status_menu)
        self.submit_button.clicked.connect(lambda: self._act(self.actions.submit))
        self.withdraw_button.clicked.connect(lambda: self._act(self.actions.withdraw))
        self.void_button.clicked.connect(self._ask_void)
        for button in (self.submit_button, self.withdraw_button, self.status_button):
            button.setVisible(self.can("contract", "edit"))
        self.void_button.setVisible(self.can("contract", "void"))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.submit_button, self.withdraw_button, self.status_button, self.void_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        self.show_record_state()

    def show_record(self, data: DetailData) -> None:
        self.record = data.record
        self.show_record_state()

    def show_record_state(self) -> None:
        enable_actions(self.record, submit=self.submit_button, withdraw=self.withdraw_button,
                       void=self.void_button, status=self.status_button)

    def _act(self, action: Callable[[RecordDTO], None]) -> None:
        if self.record is not None:
            action(self.record)

    def _ask_void(self) -> None:
        record = self.record
        if record is not None:
            self.ask(self.tr("Void “{name}”? It stays on record but takes no more payments.").format(
                name=record.values.get("name") or record.id), lambda: self.actions.void(record))


# --- a customer's contracts and payments ---------------------------------------------------------


def contract_numbers(db: Database, actor: Actor, ids: set[int]) -> dict[int, str]:
    """Number of each contract (one read per distinct contract; one the actor cannot see shows as
    ``#id``). Thread rule: any thread."""
    found: dict[int, str] = {}
    for contract_id in ids:
        try:
            found[contract_id] = str(contract_ops.contracts.get(db, actor, contract_id).values.get("number")
                                     or contract_id)
        except ServiceError:
            found[contract_id] = f"#{contract_id}"
    return found


def customer_names(db: Database, actor: Actor, rows: Sequence[RecordDTO]) -> dict[int, str]:
    wanted = {int(r.values["customer_id"]) for r in rows if r.values.get("customer_id") is not None}
    try:
        names = customer_ops.names_of(db, actor, wanted)
    except ServiceError:  # no customer view permission: still say which one
        names = {}
    return {i: names.get(i, f"#{i}") for i in wanted}


def name_payments(db: Database, actor: Actor, rows: Sequence[RecordDTO]) -> tuple[RecordDTO, ...]:
    """``rows`` with ``customer_name`` and ``contract_number`` added. Thread rule: any thread."""
    names = customer_names(db, actor, rows)
    numbers = contract_numbers(db, actor, {int(r.values["contract_id"]) for r in rows
                                           if r.values.get("contract_id") is not None})
    return tuple(dataclasses.replace(r, values={
        **r.values,
        "customer_name": names.get(int(r.values["customer_id"]), "") if r.values.get("customer_id") else "",
        "contract_number": numbers.get(int(r.values["contract_id"]), "") if r.values.get("contract_id") else "",
    }) for r in rows)


def customer_contracts(db: Database, actor: Actor, customer_id: int) -> list[RecordDTO]:
    flt = Filter((Condition("customer_id", Op.EQ, customer_id),))
    return list(contract_ops.contracts.list_page(db, actor, filter=flt, sort="id", limit=500).rows)


def customer_payments(db: Database, actor: Actor, customer_id: int) -> list[RecordDTO]:
    flt = Filter((Condition("customer_id", Op.EQ, customer_id),))
    rows = payment_ops.payments.list_page(db, actor, filter=flt, sort="id", limit=500).rows
    return list(name_payments(db, actor, rows))


CUSTOMER_CONTRACTS = RelatedList(
    entity="contract", title=QT_TRANSLATE_NOOP("fields", "Contracts"), load=customer_contracts,
    columns=(
        RelatedColumn("number", QT_TRANSLATE_NOOP("fields", "Contract number"), 150),
        RelatedColumn("name", QT_TRANSLATE_NOOP("fields", "Contract name"), 180),
        RelatedColumn("amount", QT_TRANSLATE_NOOP("fields", "Amount"), 100, right=True),
        RelatedColumn("received_amount", QT_TRANSLATE_NOOP("fields", "Received"), 100, right=True),
        RelatedColumn("outstanding_amount", QT_TRANSLATE_NOOP("fields", "Outstanding"), 100, right=True),
        RelatedColumn("approval_status", QT_TRANSLATE_NOOP("fields", "Approval status"), 100,
                      labels=APPROVAL_LABELS),
        RelatedColumn("order_date", QT_TRANSLATE_NOOP("fields", "Order date"), 100),
        RelatedColumn("owner_name", QT_TRANSLATE_NOOP("fields", "Owner"), 90),
    ),
    empty=QT_TRANSLATE_NOOP("fields", "No contracts yet."), watched=("payment", "approval"),
    new_label=QT_TRANSLATE_NOOP("fields", "New contract…"),
    create=lambda ctx, parent, customer_id: _new_contract(ctx, parent, customer_id),
)


def _new_contract(ctx: Any, parent: QWidget, customer_id: int) -> None:
    # Imported here: this module imports no record tab (detail_page imports it).
    from crm_desktop.ui.records.contracts_tab import open_contract_form

    open_contract_form(ctx, parent, record_id=None, customer_id=customer_id,
                       title=QCoreApplication.translate("ContractsTab", "New contract"))
CUSTOMER_PAYMENTS = RelatedList(
    entity="payment", title=QT_TRANSLATE_NOOP("fields", "Payments"), load=customer_payments,
    columns=(
        RelatedColumn("number", QT_TRANSLATE_NOOP("fields", "Payment number"), 150),
        RelatedColumn("contract_number", QT_TRANSLATE_NOOP("fields", "Contract number"), 150),
        RelatedColumn("amount", QT_TRANSLATE_NOOP("fields", "Amount"), 100, right=True),
        RelatedColumn("paid_date", QT_TRANSLATE_NOOP("fields", "Payment date"), 100),
        RelatedColumn("approval_status", QT_TRANSLATE_NOOP("fields", "Approval status"), 100,
                      labels=APPROVAL_LABELS),
        RelatedColumn("owner_name", QT_TRANSLATE_NOOP("fields", "Owner"), 90),
    ),
    empty=QT_TRANSLATE_NOOP("fields", "No payments yet."), watched=("approval",),
)


__all__ = ["CUSTOMER_CONTRACTS", "CUSTOMER_PAYMENTS", "ContractActions", "ContractHeaderBar", "ContractLinesTab", "ContractPaymentsTab", "customer_contracts", "customer_payments", "enable_actions", "name_payments", "submit_payment"]
