"""The public pool tab (公海): the pools' customers, claim and assign.

A member picks one of their pools, searches it and claims customers (within the pool's daily
limit, owned-customers cap and reclaim cooldown, which the service enforces and explains);
a pool administrator may also assign them to a user. The list is a keyset-paged Qt model
(``PoolCustomerModel``) like ``list_model.RecordTableModel``: it never loads the whole pool,
``fetchMore`` asks for the next page as the view scrolls, sorting and search run in SQL, and
a generation counter drops pages that arrive after the pool, the sort or the search changed.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.customers import pool as pool_service
from crm_desktop.services.customers.pool import MemberPoolDTO, PoolCustomerDTO, PoolPage
from crm_desktop.services.org import users
from crm_desktop.services.org.users import UserDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar, alive
from crm_desktop.ui.i18n import error_text, service_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.lists.pool_dialogs import AssignDialog
from crm_desktop.ui.records.lists.record_tab import SEARCH_DELAY_MS
from crm_desktop.ui.records.shared.list_model import (
    MAX_REFRESH_ROWS,
    REFRESH_DELAY_MS,
    SCHEMA_ENTITIES,
    ColumnSpec,
    PagedTableModel,
    RecordIdRole,
    configure_view,
    label_text,
    read_value_labels,
)
from crm_desktop.ui.records.specs.base import ViewSpec
from crm_desktop.ui.records.specs.registry import view_spec

#: Changes that can alter a pool's list or the actor's quota.
_WATCHED = {"customer", "pool", "user", "*"}
AnyIndex = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def reason_text(reason: str) -> str:
    """A recycle stores its rule kind as the reason: show the rule's name instead."""
    label = pool_service.RULE_LABELS.get(reason)
    return service_text("pool", label) if label else reason


class PoolCustomerModel(PagedTableModel):
    """The customers of the chosen pool. ``set_pool(None)`` empties it.

    Signals: ``totalChanged(n)`` (matching customers), ``loadFailed(message)`` (translated).
    Offers ``columns``, ``sort_field``, ``descending``, ``column_of`` and ``sort`` as
    ``list_model.configure_view`` expects.
    """

    def __init__(self, ctx: AppContext, columns: tuple[ColumnSpec, ...], *, page_size: int = pool_service.PAGE_SIZE,
                 parent: QObject | None = None) -> None:
        super().__init__(page_size, parent)
        self._ctx = ctx
        self._columns = columns
        self._pool_id: int | None = None
        self._sort = "pooled_at"
        self._descending = True
        self._text = ""
        self._rows: list[PoolCustomerDTO] = []
        #: field → stored value → label: a level reads "B（普通客户）" as in the customer list.
        self._labels: dict[str, dict[str, str]] = {}
        ctx.signals.changed.connect(self._on_changed)
        self.load_labels()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and entity in SCHEMA_ENTITIES:
            self.load_labels()

    def load_labels(self) -> None:
        """Read how the customers' select values read (the customer list's own labels)."""
        db, actor = self._ctx.db, self._ctx.actor
        op(None, lambda: read_value_labels(db, actor, "customer")[1]).success(self._labels_loaded).failure(
            lambda _exc: None).run()  # without them the raw values still say which one

    def _labels_loaded(self, labels: dict[str, dict[str, str]]) -> None:
        if not isValid(self):
            return
        self._labels = labels
        if self._rows and self._columns:
            last = self.index(len(self._rows) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.DisplayRole])

    # --- what the tab and tests read ----------------------------------------------------

    @property
    def columns(self) -> tuple[ColumnSpec, ...]:
        return self._columns

    @property
    def total(self) -> int | None:
        return self._total

    @property
    def sort_field(self) -> str:
        return self._sort

    @property
    def descending(self) -> bool:
        return self._descending

    def is_loading(self) -> bool:
        return self._loading

    def customer(self, row: int) -> PoolCustomerDTO:
        return self._rows[row]

    def row_of(self, customer_id: int) -> int | None:
        return next((i for i, c in enumerate(self._rows) if c.id == customer_id), None)

    def column_of(self, field: str) -> int | None:
        return next((i for i, c in enumerate(self._columns) if c.field == field), None)

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._columns)

    def text(self, customer: PoolCustomerDTO, field: str) -> str:
        if field == "reason":
            return reason_text(customer.reason)
        if field == "days_in_pool":
            return str(customer.days_in_pool)
        return label_text(self._labels, field, getattr(customer, field)).replace("\n", " ")

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        customer = self._rows[index.row()]
        field = self._columns[index.column()].field
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(customer, field)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.text(customer, field)
            return text if len(text) > 20 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and field == "days_in_pool":
            return int(_RIGHT.value)
        if role == RecordIdRole:
            return customer.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].header
            if role == Qt.ItemDataRole.TextAlignmentRole and self._columns[section].field == "days_in_pool":
                return int(_RIGHT.value)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self._columns) and self._columns[column].sortable:
            field, descending = self._columns[column].field, order == Qt.SortOrder.DescendingOrder
            if (field, descending) != (self._sort, self._descending):
                self._sort, self._descending = field, descending
                self.reload()

    # --- changing what is shown -----------------------------------------------------------

    def set_pool(self, pool_id: int | None) -> None:
        if pool_id != self._pool_id:
            self._pool_id = pool_id
            self.reload()

    def set_search(self, text: str) -> None:
        text = text.strip()
        if text != self._text:
            self._text = text
            self.reload()

    def reload(self) -> None:
        self._start(limit=self._page_size)

    def refresh(self) -> None:
        """Re-read what is on screen (after a claim or another change), keeping about as many rows."""
        self._start(limit=min(max(self._page_size, len(self._rows)), MAX_REFRESH_ROWS))

    # --- loading --------------------------------------------------------------------------

    def _start(self, *, limit: int) -> None:
        self._generation += 1
        if self._pool_id is None:
            self.beginResetModel()
            self._rows, self._cursor, self._has_more, self._loading = [], None, False, False
            self.endResetModel()
            self._total = 0
            self.totalChanged.emit(0)
            return
        self._request(reset=True, limit=limit)
        self._count()

    def _page_reader(self, after: tuple[Any, int] | None, limit: int) -> Callable[[], PoolPage]:
        db, actor, pool_id = self._ctx.db, self._ctx.actor, self._pool_id
        assert pool_id is not None
        sort, descending, text = self._sort, self._descending, self._text or None
        return lambda: pool_service.list_pool_customers(db, actor, pool_id, sort=sort, descending=descending,
                                                        after=after, limit=limit, text=text)

    def _count_reader(self) -> Callable[[], int]:
        db, actor, pool_id, text = self._ctx.db, self._ctx.actor, self._pool_id, self._text or None
        assert pool_id is not None
        return lambda: pool_service.count_pool_customers(db, actor, pool_id, text=text)


# --- the tab ------------------------------------------------------------------------------

class PoolTab(QWidget):
    """公海: choose a pool, search it, claim customers or (pool administrators) assign them.

    Public for tests: ``pool_combo``, ``view``, ``model``, ``search_edit``, ``count_label``,
    ``quota_label``, ``message``, ``claim_button``, ``assign_button``, ``empty_label``,
    ``pools`` (the actor's pools as last read) and ``assign_dialog`` (the last one opened).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        #: The pool list's view spec (its columns and actions).
        self.spec: ViewSpec = view_spec("pool")
        self.pools: list[MemberPoolDTO] = []
        self.assign_dialog: AssignDialog | None = None
        self._pools_generation = 0
        self._pools_loaded = False

        self.pool_combo = QComboBox()
        self.pool_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.pool_combo.setMinimumWidth(180)
        self.pool_combo.currentIndexChanged.connect(self._pool_chosen)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search customer name"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(240)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._apply_search)
        self.claim_button = QPushButton(self.tr("Claim"))
        self.claim_button.setToolTip(self.tr("Become the owner of the selected customers."))
        self.claim_button.clicked.connect(self.claim_selected)
        self.assign_button = QPushButton(self.tr("Assign…"))
        self.assign_button.setToolTip(self.tr("Give the selected customers to a user (pool administrators)."))
        self.assign_button.clicked.connect(self.assign_selected)
        self.claim_button.setVisible(self.spec.offers("claim") and ctx.actor.can("pool", "claim"))
        self.assign_button.hide()  # shown for pools the actor administers
        self.message = MessageBar()

        self.model = PoolCustomerModel(ctx, self.spec.list_columns(), parent=self)
        self.view = QTableView()
        configure_view(self.view, self.model)  # type: ignore[arg-type]  # the interface RecordTableModel offers
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.totalChanged.connect(self._show_total)
        self.model.loadFailed.connect(self.message.show_error)
        self._keep_selection: list[int] = []  # across a refresh, e.g. after a refused claim
        self.model.modelAboutToBeReset.connect(lambda: setattr(self, "_keep_selection", self.selected_ids()))
        self.model.modelReset.connect(lambda: self.select_ids(self._keep_selection))

        self.empty_label = QLabel(self.tr("Loading…"))
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #555; font-size: 14px; padding: 40px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.view)

        self.quota_label, self.count_label = QLabel(), QLabel()
        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Pool:")))
        tools.addWidget(self.pool_combo)
        tools.addSpacing(8)
        tools.addWidget(self.search_edit)
        tools.addStretch(1)
        tools.addWidget(self.claim_button)
        tools.addWidget(self.assign_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.quota_label)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        ctx.signals.changed.connect(self._on_changed)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.refresh)
        self._update_buttons()
        self.load_pools()

    # --- pools ----------------------------------------------------------------------------

    def current_pool(self) -> MemberPoolDTO | None:
        pool_id = self.pool_combo.currentData()
        return next((p for p in self.pools if p.id == pool_id), None)

    def choose_pool(self, pool_id: int) -> None:
        self.pool_combo.setCurrentIndex(self.pool_combo.findData(pool_id))

    def load_pools(self) -> None:
        """Read the actor's pools (with today's claims) in the background; a newer read wins."""
        self._pools_generation += 1
        generation = self._pools_generation
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: pool_service.member_pools(db, actor)).success(
            lambda pools: self._pools_read(generation, pools)).failure(self._pools_failed).run()

    def is_loading(self) -> bool:
        return not self._pools_loaded or self.model.is_loading() or self._refresh_timer.isActive()

    def _pools_failed(self, exc: BaseException) -> None:
        if alive(self):
            self._pools_loaded = True
            self.empty_label.setText(error_text(exc))
            self.stack.setCurrentWidget(self.empty_label)

    def _pools_read(self, generation: int, pools: list[MemberPoolDTO]) -> None:
        if not alive(self) or generation != self._pools_generation:
            return
        self._pools_loaded = True
        keep = self.pool_combo.currentData()
        self.pools = pools
        self.pool_combo.blockSignals(True)
        self.pool_combo.clear()
        for p in pools:
            label = p.name if p.enabled else self.tr("{name} (disabled)").format(name=p.name)
            self.pool_combo.addItem(label, p.id)
        index = self.pool_combo.findData(keep)
        self.pool_combo.setCurrentIndex(index if index >= 0 else (0 if pools else -1))
        self.pool_combo.blockSignals(False)
        if not pools:
            self.empty_label.setText(self.tr(
                "You are not a member of any public pool.\n\nCustomers that their owners give up, or that "
                "are recycled for lack of follow-up, wait in a public pool for someone to claim them. "
                "Ask an administrator to add you to a pool."))
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.stack.setCurrentWidget(self.view)
        self._pool_chosen()

    def _pool_chosen(self, _index: int = -1) -> None:
        pool = self.current_pool()
        self.model.set_pool(pool.id if pool else None)
        can_assign = (pool is not None and pool.is_admin and self.spec.offers("assign")
                      and self.ctx.actor.can("pool", "assign"))
        self.assign_button.setVisible(can_assign)
        self.quota_label.setText(self.quota_text(pool) if pool else "")
        self._update_buttons()

    def quota_text(self, pool: MemberPoolDTO) -> str:
        """"Claimed today: x / limit · Owned: y / cap" (0 means no limit)."""
        limit = str(pool.daily_claim_limit) if pool.daily_claim_limit else self.tr("no limit")
        cap = str(pool.owned_cap) if pool.owned_cap else self.tr("no limit")
        return self.tr("Claimed today: {claimed} / {limit}    Owned customers: {owned} / {cap}").format(
            claimed=pool.claimed_today, limit=limit, owned=pool.owned, cap=cap)

    # --- list state -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the pools (counts, today's claims) and the customers on screen."""
        self._refresh_timer.stop()
        self.load_pools()
        self.model.refresh()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self._refresh_timer.start()

    def _apply_search(self) -> None:
        self._search_timer.stop()
        self.model.set_search(self.search_edit.text())

    def _show_total(self, total: int) -> None:
        self.count_label.setText(self.tr("{n} customers in this pool").format(n=total) if total != 1
                                 else self.tr("1 customer in this pool"))

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.customer(row).id for row in rows if row < self.model.rowCount()]

    def select_ids(self, ids: Sequence[int]) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for customer_id in ids:
            row = self.model.row_of(customer_id)
            if row is not None:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._update_buttons()

    def _update_buttons(self) -> None:
        pool = self.current_pool()
        count = len(self.view.selectionModel().selectedRows())
        self.claim_button.setEnabled(count > 0 and pool is not None and pool.enabled)
        self.assign_button.setEnabled(count > 0 and pool is not None)
        self.claim_button.setText(self.tr("Claim ({n})").format(n=count) if count > 1 else self.tr("Claim"))

    # --- claim and assign -----------------------------------------------------------------

    def claim_selected(self) -> None:
        """Claim the selected customers; a refusal (limit, cooldown, taken) shows in the message bar."""
        pool, ids = self.current_pool(), self.selected_ids()
        if pool is None or not ids or self.claim_button.isHidden():
            return
        self.message.clear()
        db, actor, pool_id = self.ctx.db, self.ctx.actor, pool.id
        op(self, lambda: pool_service.claim(db, actor, ids, pool_id=pool_id), write=True).success(
            lambda n: self._done(ids, self.tr("Claimed: {n}. These customers are yours now.").format(n=n))
        ).failure(self._failed).run()

    def assign_selected(self) -> None:
        pool, ids = self.current_pool(), self.selected_ids()
        if pool is None or not ids or self.assign_button.isHidden():
            return
        self.message.clear()
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: users.list_users(db, actor, include_disabled=False)).success(
            lambda people: self._choose_user(pool.id, ids, people) if alive(self) else None
        ).failure(self._failed).run()

    def _choose_user(self, pool_id: int, ids: list[int], people: list[UserDTO]) -> None:
        dialog = AssignDialog(people, count=len(ids), parent=self)
        dialog.accepted.connect(lambda: self._assign(pool_id, ids, dialog.selected_user_id()))
        self.assign_dialog = dialog
        dialog.open()

    def _assign(self, pool_id: int, ids: list[int], user_id: int | None) -> None:
        if user_id is None:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: pool_service.assign(db, actor, ids, pool_id=pool_id, user_id=user_id), write=True).success(
            lambda n: self._done(ids, self.tr("Assigned: {n}.").format(n=n))
        ).failure(self._failed).run()

    def _done(self, ids: list[int], text: str) -> None:
        if not alive(self):
            return
        self.message.show_info(text)
        for customer_id in ids:
            self.ctx.signals.notify("customer", customer_id)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        if alive(self):
            self.message.show_exception(exc)
            self.refresh()  # someone else may have claimed them: show the pool as it is now
