"""A contract's payment plans on its detail page (tab key "plans"): instalment, amount, date,
method, reminder, received and status (the service computes it: pending, partly received,
received, overdue); add, change and remove plans (``PlanDialog``), and "Record a payment" for a
plan, which opens the payment form with the contract and plan chosen.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.records.schema import get_dictionary
from crm_desktop.services.sales import payments as payment_ops
from crm_desktop.services.sales.payments import PlanDTO, PlanInput
from crm_desktop.ui.forms import FormDialog
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import (
    DetailData,
    DetailTab,
    DetailTarget,
    make_tree,
)
from crm_desktop.ui.records.details.contract import RIGHT
from crm_desktop.ui.records.forms.payment_form import open_payment_form
from crm_desktop.ui.records.shared.choices import field_text
from crm_desktop.ui.records.shared.list_model import format_value

#: How a plan's status reads (the service computes it).
PLAN_STATUS_LABELS = {
    "pending": QT_TRANSLATE_NOOP("fields", "Not yet received"),
    "partly_received": QT_TRANSLATE_NOOP("fields", "Partly received"),
    "received": QT_TRANSLATE_NOOP("fields", "Received"),
    "overdue": QT_TRANSLATE_NOOP("fields", "Overdue"),
}
PLAN_STATUS_COLORS = {"overdue": "#c0392b", "received": "#1b6e2a", "partly_received": "#a35200"}


def plan_status_text(status: str) -> str:
    return field_text(PLAN_STATUS_LABELS.get(status, status))


# --- payment plans ----------------------------------------------------------------------------


class PlanDialog(FormDialog):
    """Add or change one payment plan. Public for tests: ``instalment_spin``, ``amount_edit``,
    ``date_edit``, ``method_combo``, ``remind_spin`` (its minimum means no reminder)."""

    def __init__(self, target: DetailTarget, parent: QWidget, *, plan: PlanDTO | None, next_instalment: int,
                 methods: Sequence[tuple[str, str]]) -> None:
        super().__init__(parent, title=self.tr("Edit payment plan") if plan else self.tr("New payment plan"))
        self.target, self.plan = target, plan
        self.instalment_spin = QSpinBox()
        self.instalment_spin.setRange(1, 999)
        self.instalment_spin.setValue(plan.instalment if plan else next_instalment)
        self.amount_edit = QLineEdit(str(plan.amount) if plan else "")
        self.amount_edit.setPlaceholderText("0.00")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        day = plan.planned_date if plan else dt.date.today() + dt.timedelta(days=30)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.method_combo = QComboBox()
        self.method_combo.addItem("—", "")
        for value, label in methods:
            self.method_combo.addItem(label, value)
        if plan and plan.method:
            at = self.method_combo.findData(plan.method)
            if at < 0:
                self.method_combo.addItem(plan.method, plan.method)
                at = self.method_combo.count() - 1
            self.method_combo.setCurrentIndex(at)
        self.remind_spin = QSpinBox()
        self.remind_spin.setRange(-1, 365)
        self.remind_spin.setSpecialValueText(self.tr("No reminder"))
        self.remind_spin.setSuffix(self.tr(" days before"))
        self.remind_spin.setValue(plan.remind_days if plan and plan.remind_days is not None else -1)
        self.remark_edit = QLineEdit(plan.remark if plan else "")
        self.add_row("instalment", self.tr("Instalment:"), self.instalment_spin)
        self.add_row("amount", self.tr("Planned amount:"), self.amount_edit)
        self.add_row("planned_date", self.tr("Planned date:"), self.date_edit)
        self.add_row("method", self.tr("Payment method:"), self.method_combo)
        self.add_row("remind_days", self.tr("Remind the owner:"), self.remind_spin)
        self.add_row("remark", self.tr("Remark:"), self.remark_edit)
        self.setMinimumWidth(420)

    def plan_input(self) -> PlanInput:
        day = self.date_edit.date().toPython()
        assert isinstance(day, dt.date)
        remind = self.remind_spin.value()
        return PlanInput(instalment=self.instalment_spin.value(), amount=self.amount_edit.text().replace(",", "").strip(),
                         planned_date=day, method=str(self.method_combo.currentData() or ""),
                         remind_days=None if remind < 0 else remind, remark=self.remark_edit.text())

    def build_call(self) -> Callable[[], object] | None:
        db, actor, data = self.target.ctx.db, self.target.ctx.actor, self.plan_input()
        if self.plan is not None:
            plan_id = self.plan.id
            return lambda: payment_ops.update_plan(db, actor, plan_id, data)
        contract_id = self.target.record_id
        return lambda: payment_ops.add_plan(db, actor, contract_id, data)


class PaymentPlansTab(DetailTab):
    """The contract's payment plans: instalment, amount, date, method, reminder, received,
    status; add / edit / delete (contract edit rights) and "Record a payment" for a plan.

    Public for tests: ``tree``, ``plans``, ``add_button``, ``edit_button``, ``delete_button``,
    ``pay_button``, ``dialog`` (the plan dialog last opened), ``select_plan(id)``, ``status_text(row)``.
    """

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.plans: list[PlanDTO] = []
        self.methods: list[tuple[str, str]] = []
        self.dialog: PlanDialog | None = None
        self.tree = make_tree(
            [self.tr("Instalment"), self.tr("Planned amount"), self.tr("Planned date"), self.tr("Method"),
             self.tr("Reminder"), self.tr("Received"), self.tr("Status"), self.tr("Remark")],
            [70, 110, 100, 90, 110, 110, 90, 120])
        self.tree.itemSelectionChanged.connect(self._sync_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.edit_selected())
        self.add_button = QPushButton(self.tr("Add plan"))
        self.edit_button = QPushButton(self.tr("Edit"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.pay_button = QPushButton(self.tr("Record a payment…"))
        self.pay_button.setToolTip(self.tr("A new payment on this contract for the selected plan."))
        self.add_button.clicked.connect(self.add_plan)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.pay_button.clicked.connect(self.pay_selected)
        may_edit = self.can("contract", "edit")
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setVisible(may_edit)
        self.pay_button.setVisible(self.can("payment", "create"))
        tools = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button, self.pay_button):
            tools.addWidget(button)
        tools.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)
        self._approved = False
        self._sync_buttons()

    def show_record(self, data: DetailData) -> None:
        self._approved = data.record.values.get("approval_status") == "approved"
        self._sync_buttons()

    def reload(self) -> None:
        db, actor, rid = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True

        def read() -> tuple[list[PlanDTO], list[tuple[str, str]]]:
            methods = [(i.value, i.label) for i in get_dictionary(db, actor, "payment_method")]
            return payment_ops.list_plans(db, actor, rid), methods

        op(self, read).success(self._show).failure(self.failed).run()

    def _show(self, loaded: tuple[list[PlanDTO], list[tuple[str, str]]]) -> None:
        if not isValid(self):
            return
        self._loading = False
        selected = self.selected_plan()
        self.plans, self.methods = loaded
        methods = dict(self.methods)
        self.tree.clear()
        for plan in self.plans:
            reminder = (self.tr("{n} days before").format(n=plan.remind_days) if plan.remind_days is not None
                        else self.tr("None"))
            item = QTreeWidgetItem([
                str(plan.instalment), format_value(plan.amount), plan.planned_date.isoformat(),
                methods.get(plan.method, plan.method), reminder, format_value(plan.received_amount),
                plan_status_text(plan.status), plan.remark])
            item.setData(0, Qt.ItemDataRole.UserRole, plan.id)
            for column in (1, 5):
                item.setTextAlignment(column, RIGHT)
            color = PLAN_STATUS_COLORS.get(plan.status)
            if color:
                item.setForeground(6, QBrush(QColor(color)))
            self.tree.addTopLevelItem(item)
        if selected is not None:
            self.select_plan(selected.id)
        self._sync_buttons()

    def status_text(self, row: int) -> str:
        return self.tree.topLevelItem(row).text(6)

    def selected_plan(self) -> PlanDTO | None:
        items = self.tree.selectedItems()
        plan_id = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return next((p for p in self.plans if p.id == plan_id), None)

    def select_plan(self, plan_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == plan_id:
                self.tree.setCurrentItem(item)
                return

    def _sync_buttons(self) -> None:
        chosen = self.selected_plan() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)
        self.pay_button.setEnabled(chosen and self._approved)
        self.pay_button.setToolTip("" if self._approved else self.tr("Payments are recorded on approved contracts."))

    def _open(self, plan: PlanDTO | None) -> PlanDialog:
        following = max((p.instalment for p in self.plans), default=0) + 1
        dialog = PlanDialog(self.target, self, plan=plan, next_instalment=following, methods=self.methods)
        dialog.saved.connect(lambda _p: self._written(self.tr("Payment plan saved.")))
        self.dialog = dialog
        dialog.open()
        return dialog

    def add_plan(self) -> PlanDialog:
        return self._open(None)

    def edit_selected(self) -> PlanDialog | None:
        plan = self.selected_plan()
        return self._open(plan) if plan is not None and self.edit_button.isVisible() else None

    def delete_selected(self) -> None:
        plan = self.selected_plan()
        if plan is None:
            return
        db, actor, plan_id = self.ctx.db, self.ctx.actor, plan.id
        self.ask(self.tr("Delete instalment {n}?").format(n=plan.instalment), lambda: op(
            self, lambda: payment_ops.delete_plan(db, actor, plan_id), write=True).success(
            lambda _none: self._written(self.tr("Payment plan deleted."))).failure(self.failed).run())

    def _written(self, text: str) -> None:
        self.target.changed()
        self.show_message(text)

    def pay_selected(self) -> None:
        plan = self.selected_plan()
        if plan is None:
            return
        open_payment_form(self.ctx, self, title=self.tr("New payment"), contract_id=self.target.record_id,
                          plan_id=plan.id, on_failed=self.failed,
                          on_saved=lambda _r: self._written(self.tr("Payment saved: submit it for approval.")),
                          on_opened=lambda d: setattr(self, "payment_dialog", d))


__all__ = ["PLAN_STATUS_COLORS", "PLAN_STATUS_LABELS", "PaymentPlansTab", "PlanDialog", "plan_status_text"]
