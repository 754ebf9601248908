"""The to-do strip (待办) of the main window: follow-ups due today, tasks overdue or due today
and today's events, approvals waiting for me, customers about to be recycled into a public
pool (``services.customers.todo.todo_counts``).

The tasks-and-events count opens ``TodoListDialog``, which lists ``todo_items`` of those
kinds: the very list the count was counted from.

Each count is a link: ``open_followups(entity)`` (the module with due follow-ups, to be shown
filtered by ``show_due_today``), ``open_module("approvals" | "customer")``. The strip reads
the counts again after relevant changes (bursts make one read), when ``reload_soon`` is
called (the main window does so when new messages arrive: approvals from other PCs come with
one), and every few minutes (the day changes; other PCs' changes).

Thread rule: GUI thread only; the counts are read through ``ops.op``.
"""
from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.customers.todo import (
    TodoCounts,
    TodoItem,
    todo_counts,
    todo_items,
)
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.views import BuiltinView
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op

#: Entities whose change can alter a count ("*" = everything).
WATCHED = frozenset({"*", "customer", "lead", "contact", "followup", "pool", "approval", "user", "role", "task",
                     "event"})
#: The ``TodoItem`` kinds the "Tasks and events" count counts (and its list shows).
ACTIVITY_KINDS = ("task_overdue", "task_today", "event")
RELOAD_DELAY_MS = 400
REFRESH_MS = 5 * 60 * 1000

log = logging.getLogger(__name__)

_LINK = ("QPushButton { border: none; padding: 2px 6px; text-align: left; color: palette(text); }"
         "QPushButton:hover { text-decoration: underline; }")
_LINK_DUE = ("QPushButton { border: none; padding: 2px 6px; text-align: left; color: #b35c00; font-weight: 600; }"
             "QPushButton:hover { text-decoration: underline; }")


class TodoStrip(QFrame):
    """Public for tests: ``counts`` (None until read), ``followups_button``,
    ``activities_button`` (opens ``activities_list``), ``approvals_button``, ``recycle_button``."""

    open_followups = Signal(str)
    open_module = Signal(str)
    #: New counts are shown (tests wait for it).
    loaded = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.counts: TodoCounts | None = None
        self.activities_list: TodoListDialog | None = None
        self._generation = 0
        self.setObjectName("todoStrip")  # its background is the main window's top bar
        caption = QLabel(self.tr("To do:"))
        caption.setStyleSheet("color: palette(placeholder-text);")
        self.followups_button = QPushButton()
        self.followups_button.setToolTip(self.tr("Your leads, customers and contacts to contact today"))
        self.followups_button.clicked.connect(self._followups_clicked)
        self.activities_button = QPushButton()
        self.activities_button.setToolTip(
            self.tr("Your tasks overdue or due today and today's events (yours or ones you take part in)"))
        self.activities_button.clicked.connect(self.open_activities)
        self.approvals_button = QPushButton()
        self.approvals_button.setToolTip(self.tr("Approvals waiting for your decision"))
        self.approvals_button.clicked.connect(partial(self.open_module.emit, "approvals"))
        self.recycle_button = QPushButton()
        self.recycle_button.setToolTip(
            self.tr("Your customers that a public-pool rule will take back within a few days"))
        self.recycle_button.clicked.connect(partial(self.open_module.emit, "customer"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 3, 12, 3)
        layout.setSpacing(10)
        layout.addWidget(caption)
        for button in (self.followups_button, self.activities_button, self.approvals_button, self.recycle_button):
            button.setFlat(True)
            layout.addWidget(button)
        layout.addStretch(1)
        self._show_texts(None)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.reload)
        self._refresh_timer.start()
        ctx.signals.changed.connect(self._on_changed)
        self.reload()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in WATCHED:
            self._reload_timer.start()

    def reload_soon(self, *_args: object) -> None:
        self._reload_timer.start()

    def reload(self) -> None:
        """Read the counts in the background; an older answer never wins."""
        self._reload_timer.stop()
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: todo_counts(db, actor)).success(partial(self._show, generation)).failure(
            partial(self._failed, generation)).run()

    def _show(self, generation: int, counts: TodoCounts) -> None:
        if generation != self._generation:
            return
        self.counts = counts
        self._show_texts(counts)
        self.loaded.emit(counts)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:  # a background read: say so quietly, retry later
            log.warning("to-do counts failed: %r", exc)
            self.setToolTip(error_text(exc))

    def _show_texts(self, counts: TodoCounts | None) -> None:
        c = counts
        for button, template, n in (
            (self.followups_button, self.tr("Follow-ups due today {n}"), c.followups_due_today if c else None),
            (self.activities_button, self.tr("Tasks and events {n}"), c.activities if c else None),
            (self.approvals_button, self.tr("Approvals waiting {n}"), c.approvals_waiting if c else None),
            (self.recycle_button, self.tr("To be recycled soon {n}"), c.recycle_soon if c else None),
        ):
            button.setText(template.format(n="…" if n is None else n))
            button.setStyleSheet(_LINK_DUE if n else _LINK)  # something to do stands out
        self.recycle_button.setVisible(self.ctx.actor.can("customer", "view"))
        self.activities_button.setVisible(self.ctx.actor.can("task", "view") or self.ctx.actor.can("event", "view"))

    def open_activities(self) -> TodoListDialog:
        """Show the tasks and events the count counts (non-modal); returns it for tests."""
        dialog = TodoListDialog(self.ctx, ACTIVITY_KINDS, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_module.connect(self.open_module)
        self.activities_list = dialog
        dialog.show()
        return dialog

    def _followups_clicked(self) -> None:
        found = [entity for entity, n in (self.counts.followups_by_entity if self.counts else ()) if n]
        self.open_followups.emit(found[0] if found else "customer")


def due_today_filter(now: dt.datetime | None = None) -> Filter:
    """Records whose next contact falls on today's local date (what the to-do count counts)."""
    local = (now or dt.datetime.now()).astimezone()
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(days=1)
    return Filter((Condition("next_contact_at", Op.GTE, start), Condition("next_contact_at", Op.LT, end)))


def show_due_today(tab: QWidget) -> None:
    """Narrow a record list (a ``RecordTab``) to the actor's own records due today: the
    "Mine" view plus a next-contact filter, which the user sees and can clear."""
    view_bar = getattr(tab, "view_bar", None)
    if view_bar is None or not getattr(view_bar, "ready", False):
        return  # views still loading: the list as it opens
    search_edit = getattr(tab, "search_edit", None)
    if search_edit is not None:
        search_edit.clear()
    view_bar.select_view(BuiltinView.MINE.value)
    view_bar.apply_filter(due_today_filter())


_KIND_LABELS = {
    "task_overdue": QT_TRANSLATE_NOOP("TodoListDialog", "Task overdue"),
    "task_today": QT_TRANSLATE_NOOP("TodoListDialog", "Task due today"),
    "event": QT_TRANSLATE_NOOP("TodoListDialog", "Event today"),
    "followup": QT_TRANSLATE_NOOP("TodoListDialog", "Follow-up due today"),
}


def _when_text(item: TodoItem) -> str:
    when = item.when
    if isinstance(when, dt.datetime):
        return when.astimezone().strftime("%Y-%m-%d %H:%M")
    return when.isoformat() if when is not None else ""


class TodoListDialog(QDialog):
    """The to-do items of some kinds (``services.customers.todo.todo_items``), oldest due first
    as the service orders them; double-clicking a row opens its module.

    Public for tests: ``tree`` (one top-level row per item), ``items``, ``loaded``."""

    loaded = Signal()
    open_module = Signal(str)

    def __init__(self, ctx: AppContext, kinds: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kinds = kinds
        self.items: list[TodoItem] = []
        self.setWindowTitle(self.tr("To do today"))
        self.resize(560, 360)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels([self.tr("Kind"), self.tr("Title"), self.tr("Due")])
        self.tree.itemDoubleClicked.connect(self._open)
        self.empty_label = QLabel(self.tr("Nothing due today."))
        self.empty_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(buttons)
        db, actor = ctx.db, ctx.actor
        op(self, lambda: todo_items(db, actor)).success(self._show).failure(self._failed).run()

    def _show(self, items: list[TodoItem]) -> None:
        self.items = [i for i in items if i.kind in self.kinds]
        self.tree.clear()
        for item in self.items:
            row = QTreeWidgetItem([QCoreApplication.translate("TodoListDialog", _KIND_LABELS[item.kind]),
                                   item.title, _when_text(item)])
            self.tree.addTopLevelItem(row)
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        self.empty_label.setVisible(not self.items)
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.empty_label.setText(error_text(exc))
        self.empty_label.show()

    def _open(self, row: QTreeWidgetItem, _column: int) -> None:
        item = self.items[self.tree.indexOfTopLevelItem(row)]
        # Tasks and events live on the activities page; a follow-up on its record's module.
        self.open_module.emit("activities" if item.entity in ("task", "event") else item.entity)
