"""Customer-only list actions: transfer with contacts, lock, star, deal status, and the ★ mark.

``CustomerTransferDialog`` is the generic owner chooser plus "also transfer their contacts" and
"keep the previous owner in the team". ``CustomerActions`` is the customers tab's "More" menu
(star / unstar, lock / unlock, deal status); its entries follow the actor's permissions and the
selection, and the services enforce the same rules. ``CustomerCellDelegate`` draws the ★ of
starred customers before the name, a ✓ for locked ones and the translated deal status; the
starred ids are re-read (for the loaded rows only, off the GUI thread) whenever the list
reloads or grows, so the list model itself knows nothing about stars.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.customers.customers import DEAL_STATUSES
from crm_desktop.services.org.users import UserDTO
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.lists.pool_dialogs import PutInPoolDialog, put_in_pool
from crm_desktop.ui.records.lists.record_tab import RecordTab, TransferDialog
from crm_desktop.ui.records.shared.choices import choice_label
from crm_desktop.ui.records.shared.list_model import RecordTableModel

STAR = "★"
Steps = Generator[tuple[int, int, str], None, int]


def deal_status_label(status: str) -> str:
    """The translated label of a deal status (the stored value if it is unknown)."""
    return choice_label("customer", "deal_status", status)


class CustomerTransferDialog(TransferDialog):
    """The owner chooser plus the customer's options: carry its contacts, opportunities and
    contracts (each offered only with that module's "transfer" permission), keep the previous
    owner in the team.

    Public: ``contacts_check``, ``opportunities_check``, ``contracts_check``, ``team_combo``,
    ``carry_contacts()``, ``carry_opportunities()``, ``carry_contracts()``, ``keep_old_owner()``.
    """

    def __init__(
        self, people: Sequence[UserDTO], *, count: int, may_carry_contacts: bool,
        may_carry_opportunities: bool = False, may_carry_contracts: bool = False, parent: QWidget | None = None,
    ) -> None:
        super().__init__(people, count=count, keep_team=True, parent=parent)
        self.contacts_check = self._carry_check(
            may_carry_contacts, self.tr("Also transfer their contacts"),
            self.tr("Every contact of the selected customers gets the new owner too."))
        self.opportunities_check = self._carry_check(
            may_carry_opportunities, self.tr("Also transfer their opportunities"),
            self.tr("The opportunities of the selected customers get the new owner too."))
        self.contracts_check = self._carry_check(
            may_carry_contracts, self.tr("Also transfer their contracts"),
            self.tr("The contracts of the selected customers get the new owner too."))
        for at, check in enumerate((self.contacts_check, self.opportunities_check, self.contracts_check)):
            self.options.insertRow(at, check)  # above the team option

    @staticmethod
    def _carry_check(allowed: bool, text: str, tip: str) -> QCheckBox:
        check = QCheckBox(text)
        check.setToolTip(tip)
        # Carrying needs the carried module's "transfer" permission: not offered without it.
        check.setChecked(allowed)
        check.setVisible(allowed)
        check.setEnabled(allowed)
        return check

    def carry_contacts(self) -> bool:
        return self.contacts_check.isEnabled() and self.contacts_check.isChecked()

    def carry_opportunities(self) -> bool:
        return self.opportunities_check.isEnabled() and self.opportunities_check.isChecked()

    def carry_contracts(self) -> bool:
        return self.contracts_check.isEnabled() and self.contracts_check.isChecked()


class StarredIds(QObject):
    """The ids among the loaded rows that the actor starred; ``changed`` after each re-read."""

    def __init__(self, tab: RecordTab, on_change: Callable[[], None]) -> None:
        super().__init__(tab)
        self.tab = tab
        self.ids: set[int] = set()
        self._on_change = on_change
        self._generation = 0
        tab.model.modelReset.connect(self.reload)
        tab.model.rowsInserted.connect(lambda _parent, first, last: self._read(range(first, last + 1), reset=False))

    def reload(self) -> None:
        self._read(range(self.tab.model.rowCount()), reset=True)

    def _read(self, rows: range, *, reset: bool) -> None:
        model = self.tab.model
        ids = [model.record(row).id for row in rows if row < model.rowCount()]
        if reset:
            self._generation += 1
        generation = self._generation
        if not ids:
            if reset:
                self._apply(generation, set(), ids, reset=True)
            return
        db, actor = self.tab.ctx.db, self.tab.ctx.actor
        op(self.tab, lambda: customer_ops.starred_ids(db, actor, ids)).success(
            lambda found: self._apply(generation, found, ids, reset=reset)
        ).failure(lambda _exc: None).run()  # a missing ★ is not worth an error message

    def _apply(self, generation: int, found: set[int], ids: list[int], *, reset: bool) -> None:
        if not isValid(self) or generation != self._generation:
            return  # a newer reload has superseded this read
        if reset:
            self.ids = set(found)
        else:
            self.ids = (self.ids - set(ids)) | set(found)
        self._on_change()

    def set(self, ids: Sequence[int], *, starred: bool) -> None:
        """Show a star change at once (the re-read after the list refreshes agrees)."""
        self.ids = self.ids | set(ids) if starred else self.ids - set(ids)
        self._on_change()


class CustomerCellDelegate(QStyledItemDelegate):
    """Name with ★ when starred, ✓ when locked, and the translated deal status; the model keeps
    the stored values, so sorting stays in SQL. Set on the whole view: it finds its columns by
    field name, so it keeps working when the user changes the columns."""

    def __init__(self, starred: StarredIds, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.starred = starred

    def text_of(self, record: RecordDTO, field: str) -> str | None:
        """The shown text, or None to show the model's own."""
        if field == "name" and record.id in self.starred.ids:
            return f"{STAR} {record.values.get('name') or ''}"
        if field == "locked":
            return "✓" if record.values.get("locked") else ""
        if field == "deal_status":
            return deal_status_label(str(record.values.get("deal_status") or ""))
        return None

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        model = index.model()
        if isinstance(model, RecordTableModel) and index.row() < model.rowCount():
            field = model.columns[index.column()].field
            text = self.text_of(model.record(index.row()), field)
            if text is not None:
                option.text = text  # type: ignore[attr-defined]
            if field == "locked":
                option.displayAlignment = Qt.AlignmentFlag.AlignCenter  # type: ignore[attr-defined]


class CustomerActions(QObject):
    """The "More" button of the customers tab: star, lock and deal status for the selection.

    Public for tests: ``button``, ``menu``, ``star_action``, ``unstar_action``, ``lock_action``,
    ``unlock_action``, ``deal_menu``, ``deal_actions`` (status → action), ``starred``.
    """

    def __init__(self, tab: RecordTab) -> None:
        super().__init__(tab)
        self.tab = tab
        can = tab.ctx.actor.can
        offers = tab.spec.offers
        self._may_star = offers("star")
        self._may_lock = offers("lock") and can("customer", "lock")
        self._may_edit = offers("deal_status") and can("customer", "edit")
        self.button = QPushButton(self.tr("More"))
        self.button.setToolTip(self.tr("Star, lock or set the deal status of the selected customers."))
        self.menu = QMenu(self.button)
        self.star_action = self.menu.addAction(self.tr("Star"))
        self.unstar_action = self.menu.addAction(self.tr("Unstar"))
        self.menu.addSeparator()
        self.lock_action = self.menu.addAction(self.tr("Lock"))
        self.lock_action.setToolTip(self.tr("A locked customer is never recycled into the public pool."))
        self.unlock_action = self.menu.addAction(self.tr("Unlock"))
        self.deal_menu = self.menu.addMenu(self.tr("Deal status"))
        self.deal_actions: dict[str, QAction] = {}
        for status in DEAL_STATUSES:
            action = self.deal_menu.addAction(deal_status_label(status))
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, s=status: self.set_deal_status(s))
            self.deal_actions[status] = action
        self._may_pool = offers("put_in_pool") and can("customer", "put_in_pool")
        self.menu.addSeparator()
        self.pool_action = self.menu.addAction(self.tr("Put in public pool…"))
        self.pool_action.setToolTip(self.tr("Give up the selected customers: they wait in a pool for colleagues to claim."))
        self.pool_action.setVisible(self._may_pool)
        self.pool_action.triggered.connect(self.put_in_pool)
        #: The open put-in-pool dialog (tests).
        self.pool_dialog: PutInPoolDialog | None = None
        self.menu.setToolTipsVisible(True)
        self.button.setMenu(self.menu)
        # What the actor may never do is not offered at all.
        self.star_action.setVisible(self._may_star)
        self.unstar_action.setVisible(self._may_star)
        self.lock_action.setVisible(self._may_lock)
        self.unlock_action.setVisible(self._may_lock)
        self.deal_menu.menuAction().setVisible(self._may_edit)
        self.star_action.triggered.connect(lambda: self.set_star(True))
        self.unstar_action.triggered.connect(lambda: self.set_star(False))
        self.lock_action.triggered.connect(lambda: self.set_locked(True))
        self.unlock_action.triggered.connect(lambda: self.set_locked(False))

        self.starred = StarredIds(tab, self._starred_changed)
        self.delegate = CustomerCellDelegate(self.starred, tab)
        tab.view.setItemDelegate(self.delegate)
        tab.view.selectionModel().selectionChanged.connect(self.update_actions)
        self.menu.aboutToShow.connect(self.update_actions)
        tools = tab.tool_row
        tools.insertWidget(tools.indexOf(tab.transfer_button) + 1, self.button)
        self.update_actions()

    # --- state ---------------------------------------------------------------------------

    def _selected(self) -> list[RecordDTO]:
        model = self.tab.model
        rows = (model.row_of(i) for i in self.tab.selected_ids())
        return [model.record(r) for r in rows if r is not None]

    def update_actions(self) -> None:
        """Offer what would change something for the selected customers."""
        if not isValid(self.tab):
            return
        records = self._selected()
        starred = [r.id in self.starred.ids for r in records]
        locked = [bool(r.values.get("locked")) for r in records]
        self.button.setEnabled(bool(records))
        self.star_action.setEnabled(not all(starred) if records else False)
        self.unstar_action.setEnabled(any(starred))
        self.lock_action.setEnabled(self._may_lock and not all(locked) if records else False)
        self.unlock_action.setEnabled(self._may_lock and any(locked))
        self.deal_menu.setEnabled(self._may_edit and bool(records))
        # A locked customer is protected from the pool: unlock it first (the service agrees).
        self.pool_action.setEnabled(self._may_pool and bool(records) and not any(locked))
        statuses = {str(r.values.get("deal_status") or "") for r in records}
        for status, action in self.deal_actions.items():
            action.setChecked(statuses == {status})

    def put_in_pool(self) -> PutInPoolDialog | None:
        ids = [r.id for r in self._selected()]
        if not ids or not self.pool_action.isEnabled():
            return None

        def done(n: int) -> None:
            if isValid(self.tab):
                self.tab._show_message(self.tr("Put in the public pool: {n}").format(n=n))

        self.pool_dialog = put_in_pool(self.tab, self.tab.ctx, ids, done)
        return self.pool_dialog

    def _starred_changed(self) -> None:
        self.tab.view.viewport().update()
        self.update_actions()

    # --- actions -------------------------------------------------------------------------

    def set_star(self, starred: bool) -> None:
        ids = self.tab.selected_ids()
        if not ids:
            return
        db, actor = self.tab.ctx.db, self.tab.ctx.actor

        def star_all() -> Steps:
            for done, customer_id in enumerate(ids):
                yield done, len(ids), ""
                customer_ops.set_star(db, actor, customer_id, starred=starred)
            return len(ids)

        def done(n: int) -> None:
            if not isValid(self.tab):
                return
            self.starred.set(ids, starred=starred)
            template = self.tr("Starred: {n}") if starred else self.tr("Unstarred: {n}")
            self.tab._show_message(template.format(n=n))
            # A star is not a record change (no event): say so, so a "Starred" view refreshes.
            self.tab.ctx.signals.notify("customer", ids[0])

        op(self.tab, star_all, write=True).success(done).failure(self.tab._failed).run()

    def set_locked(self, locked: bool) -> None:
        ids = self.tab.selected_ids()
        if not ids:
            return
        db, actor = self.tab.ctx.db, self.tab.ctx.actor
        call = customer_ops.lock if locked else customer_ops.unlock
        template = self.tr("Locked: {n}") if locked else self.tr("Unlocked: {n}")
        op(self.tab, lambda: call(db, actor, ids), write=True).success(
            lambda n: self.tab._show_message(template.format(n=n)) if isValid(self.tab) else None
        ).failure(self.tab._failed).run()

    def set_deal_status(self, status: str) -> None:
        ids = self.tab.selected_ids()
        if not ids:
            return
        db, actor = self.tab.ctx.db, self.tab.ctx.actor

        def set_all() -> Steps:
            for done, customer_id in enumerate(ids):
                yield done, len(ids), ""
                customer_ops.set_deal_status(db, actor, customer_id, status=status)
            return len(ids)

        message = self.tr("Deal status set to “{status}”: {n}")
        (
            op(self.tab, set_all, write=True)
            .with_progress(self.tr("Setting the deal status…"))
            .success(lambda n: self.tab._show_message(message.format(status=deal_status_label(status), n=n))
                     if isValid(self.tab) else None)
            .failure(self.tab._failed)
            .run()
        )
