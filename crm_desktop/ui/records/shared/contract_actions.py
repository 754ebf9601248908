"""A contract's actions and a payment's submission, for the list tabs and the detail window
alike: submit for approval, withdraw, void and the execution status (``ContractActions``), which
buttons the contract's approval state allows (``enable_actions``), and ``submit_payment``.
Submitting asks for the approver first when the flow wants the submitter to choose it
(``shared/approver_picker.py``).

Every write tells every view (``ctx.signals``), so lists and open windows read again.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMenu, QWidget
from shiboken6 import isValid

from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.records.schema import get_dictionary
from crm_desktop.services.sales import contracts as contract_ops
from crm_desktop.services.sales import payments as payment_ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.approver_picker import (
    ChooseApproversDialog,
    submit_choosing_approvers,
)

#: Approval states from which a contract can be submitted (the service checks again).
SUBMITTABLE = contract_ops.EDITABLE_APPROVAL


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
        self.approver_dialog: ChooseApproversDialog | None = None
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

    def _outcome(self, message: Callable[[RecordDTO], str]) -> tuple[Callable[[object], None],
                                                                    Callable[[BaseException], None]]:
        def ok(record: object) -> None:
            assert isinstance(record, RecordDTO)
            self.ctx.signals.notify("contract", record.id)
            if isValid(self._parent):
                self._done(message(record))

        def bad(exc: BaseException) -> None:
            if isValid(self._parent):
                self._failed(error_text(exc))

        return ok, bad

    def _run(self, work: Callable[[], RecordDTO], message: Callable[[RecordDTO], str]) -> None:
        ok, bad = self._outcome(message)
        op(self._parent, work, write=True).success(ok).failure(bad).run()

    def submit(self, record: RecordDTO) -> None:
        """Submit for approval; when the flow wants the submitter to choose the approver, ask
        first (``approver_dialog``: the dialog that asked, for tests)."""
        db, actor, rid = self.ctx.db, self.ctx.actor, record.id
        # Approved on submission means no flow applied: say so, or it looks like a mistake.
        ok, bad = self._outcome(lambda r: (
            self.tr("No approval flow applies to it: “{name}” is approved without an approval.")
            if r.values.get("approval_status") == "approved"
            else self.tr("“{name}” was submitted for approval.")).format(name=r.values.get("name") or r.id))

        def call_for(picks: dict[int, list[int]] | None) -> Callable[[], object]:
            return lambda: contract_ops.submit(db, actor, rid, picks=picks)

        submit_choosing_approvers(self._parent, self.ctx, "contract", rid, call_for, done=ok, failed=bad,
                                  opened=self._keep_dialog)

    def _keep_dialog(self, dialog: ChooseApproversDialog) -> None:
        self.approver_dialog = dialog

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



def show_actions(ctx: AppContext, offers: Callable[[str], bool], *, submit: QWidget, withdraw: QWidget,
                 void: QWidget, status: QWidget) -> None:
    """Show the action buttons the contract's view spec ``offers`` and the actor may use."""
    can = ctx.actor.can
    submit.setVisible(offers("submit") and can("contract", "edit"))
    withdraw.setVisible(offers("withdraw") and can("contract", "edit"))
    status.setVisible(offers("execution_status") and can("contract", "edit"))
    void.setVisible(offers("void") and can("contract", "void"))


def submit_payment(parent: QWidget, ctx: AppContext, payment_id: int, *, done: Callable[[str], None],
                   failed: Callable[[str], None],
                   opened: Callable[[ChooseApproversDialog], None] | None = None) -> None:
    """Submit a draft payment; ``done`` / ``failed`` get a sentence in the user's language. When
    its flow wants the submitter to choose the approver, a dialog asks first (``opened`` gets it)."""
    db, actor = ctx.db, ctx.actor

    def ok(record: RecordDTO) -> None:
        ctx.signals.notify("payment", record.id)
        if record.values.get("contract_id") is not None:
            ctx.signals.notify("contract", int(record.values["contract_id"]))
        if isValid(parent):
            name = record.values.get("number") or record.id
            done(QCoreApplication.translate(
                "PaymentsTab", "No approval flow applies to it: payment {name} is approved without an approval."
            ).format(name=name) if record.values.get("approval_status") == "approved" else
                 QCoreApplication.translate("PaymentsTab", "Payment {name} was submitted for approval.").format(
                     name=name))

    def call_for(picks: dict[int, list[int]] | None) -> Callable[[], object]:
        return lambda: payment_ops.submit(db, actor, payment_id, picks=picks)

    def ok_any(record: object) -> None:
        assert isinstance(record, RecordDTO)
        ok(record)

    submit_choosing_approvers(parent, ctx, "payment", payment_id, call_for, done=ok_any,
                              failed=lambda exc: failed(error_text(exc)) if isValid(parent) else None,
                              opened=opened)


__all__ = ["SUBMITTABLE", "ContractActions", "enable_actions", "show_actions", "submit_payment"]
