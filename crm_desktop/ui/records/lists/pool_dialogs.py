"""Dialogs of the public pool: put customers in a pool (with a reason), assign to a user.

``put_in_pool(parent, ctx, customer_ids, on_done)`` is the entry point other screens use
(the customer list's "Put in pool" action): it opens ``PutInPoolDialog`` non-modally, which
reads the pools one may put into, and on OK runs ``pool.put_many_in_pool`` through
``ui.ops.op``; a refusal (no reason, locked customer, …) shows in the dialog, which stays
open. ``AssignDialog`` only chooses a user; the pool tab runs the assignment.
Thread rule: GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.customers import pool as pool_service
from crm_desktop.services.customers.pool import PoolChoiceDTO
from crm_desktop.services.org.users import UserDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import ChooseUserDialog, FormDialog, alive
from crm_desktop.ui.i18n import register_field_labels
from crm_desktop.ui.ops import op

register_field_labels({
    "pool_id": QT_TRANSLATE_NOOP("fields", "Pool"),
    "reason": QT_TRANSLATE_NOOP("fields", "Reason"),
    "customer_ids": QT_TRANSLATE_NOOP("fields", "Customers"),
    "user_id": QT_TRANSLATE_NOOP("fields", "User"),
})


class PutInPoolDialog(FormDialog):
    """Give up ``customer_ids`` into a pool. Emits ``saved(n)`` with how many were put in.

    Public for tests: ``pool_combo``, ``reason_edit``, ``choose_pool(id)``, ``is_ready()``.
    """

    def __init__(self, ctx: AppContext, customer_ids: Sequence[int], parent: QWidget | None = None) -> None:
        super().__init__(parent, title=self.tr("Put in public pool"))
        self.ctx = ctx
        self.customer_ids = list(customer_ids)
        self._ready = False
        intro = QLabel(self.tr(
            "Selected customers: {n}. They leave you and wait in the pool for someone to claim them; "
            "their team members are removed.").format(n=len(self.customer_ids)))
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.pool_combo = QComboBox()
        self.pool_combo.setPlaceholderText(self.tr("Loading…"))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(self.tr("Why do you give these customers up? (required)"))
        self.reason_edit.setFixedHeight(90)
        self.add_row("pool_id", self.tr("Pool:"), self.pool_combo)
        self.add_row("reason", self.tr("Reason:"), self.reason_edit)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Put in pool"))
        self.ok_button.setEnabled(False)
        self.setMinimumWidth(440)
        db, actor = ctx.db, ctx.actor
        op(self, lambda: pool_service.put_targets(db, actor)).success(self._pools_read).failure(
            self._pools_failed).run()

    def is_ready(self) -> bool:
        """True once the pools have been read (or could not be)."""
        return self._ready

    def choose_pool(self, pool_id: int) -> None:
        self.pool_combo.setCurrentIndex(self.pool_combo.findData(pool_id))

    def _pools_read(self, pools: list[PoolChoiceDTO]) -> None:
        if not alive(self):
            return
        self._ready = True
        for p in pools:
            self.pool_combo.addItem(p.name, p.id)
        if pools:
            self.pool_combo.setCurrentIndex(0)
            self.ok_button.setEnabled(True)
            self.mark_clean(self.pool_combo)  # read in, not chosen: Esc closes without asking
        else:
            self.pool_combo.setPlaceholderText(self.tr("No pool"))
            self.message.show_error(self.tr("There is no enabled public pool. Ask an administrator to create one."))

    def _pools_failed(self, exc: BaseException) -> None:
        if alive(self):
            self._ready = True
            self.message.show_exception(exc)

    def build_call(self) -> Callable[[], object] | None:
        pool_id = self.pool_combo.currentData()
        if pool_id is None:
            self.errors.set_field_error("pool_id", self.tr("Choose a pool."))
            return None
        db, actor, ids, reason = self.ctx.db, self.ctx.actor, self.customer_ids, self.reason_edit.toPlainText()
        # An empty reason is refused by the service, whose message then shows beside the field.
        return lambda: pool_service.put_many_in_pool(db, actor, ids, pool_id=int(pool_id), reason=reason)


def put_in_pool(parent: QWidget, ctx: AppContext, customer_ids: list[int],
                on_done: Callable[[int], None] | None = None) -> PutInPoolDialog:
    """Open the put-in-pool dialog for ``customer_ids`` (non-modal) and return it.

    After a successful put, every open view hears of it (``ctx.signals``: the service's
    owner-change events name each customer; "pool" is announced here), then ``on_done(n)``.
    """
    dialog = PutInPoolDialog(ctx, customer_ids, parent=parent)

    def saved(result: object) -> None:
        ctx.signals.notify("pool", 0)
        if on_done is not None:
            on_done(result if isinstance(result, int) else 0)

    dialog.saved.connect(saved)
    dialog.open()
    return dialog


class AssignDialog(ChooseUserDialog):
    """Choose the enabled user who receives pool customers.

    Public: ``user_combo``, ``selected_user_id()``, ``select_user(id)``, ``ok_button``.
    """

    def __init__(self, people: Sequence[UserDTO], *, count: int, parent: QWidget | None = None) -> None:
        super().__init__(
            people, title=self.tr("Assign customers"), label=self.tr("Assign to:"), ok_text=self.tr("Assign"),
            intro=self.tr("Selected customers: {n}. Choose the user who will own them; "
                          "the pool's claim limits do not apply.").format(n=count), parent=parent,
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
