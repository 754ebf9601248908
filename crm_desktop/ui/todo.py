"""The to-do strip (待办) of the main window: follow-ups due today, approvals waiting for me,
customers about to be recycled into a public pool (``services.todo.todo_counts``).

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

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from crm_desktop.services.filters import Condition, Filter, Op
from crm_desktop.services.todo import TodoCounts, todo_counts
from crm_desktop.services.views import BuiltinView
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op

#: Entities whose change can alter a count ("*" = everything).
WATCHED = frozenset({"*", "customer", "lead", "contact", "followup", "pool", "approval", "user", "role"})
RELOAD_DELAY_MS = 400
REFRESH_MS = 5 * 60 * 1000

log = logging.getLogger(__name__)

_LINK = ("QPushButton { border: none; padding: 2px 6px; text-align: left; color: palette(text); }"
         "QPushButton:hover { text-decoration: underline; }")
_LINK_DUE = ("QPushButton { border: none; padding: 2px 6px; text-align: left; color: #b35c00; font-weight: 600; }"
             "QPushButton:hover { text-decoration: underline; }")


class TodoStrip(QFrame):
    """Public for tests: ``counts`` (None until read), ``followups_button``,
    ``approvals_button``, ``recycle_button``."""

    open_followups = Signal(str)
    open_module = Signal(str)
    #: New counts are shown (tests wait for it).
    loaded = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.counts: TodoCounts | None = None
        self._generation = 0
        self.setObjectName("todoStrip")  # its background is the main window's top bar
        caption = QLabel(self.tr("To do:"))
        caption.setStyleSheet("color: palette(placeholder-text);")
        self.followups_button = QPushButton()
        self.followups_button.setToolTip(self.tr("Your leads, customers and contacts to contact today"))
        self.followups_button.clicked.connect(self._followups_clicked)
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
        for button in (self.followups_button, self.approvals_button, self.recycle_button):
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
            (self.approvals_button, self.tr("Approvals waiting {n}"), c.approvals_waiting if c else None),
            (self.recycle_button, self.tr("To be recycled soon {n}"), c.recycle_soon if c else None),
        ):
            button.setText(template.format(n="…" if n is None else n))
            button.setStyleSheet(_LINK_DUE if n else _LINK)  # something to do stands out
        self.recycle_button.setVisible(self.ctx.actor.can("customer", "view"))

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
