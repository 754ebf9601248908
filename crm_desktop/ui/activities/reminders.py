"""The local reminder scheduler of the running app, and the reminder popup.

``ReminderScheduler`` asks the reminder service what fell due since it last asked (at start:
the last 7 days, so reminders missed while the app was closed are shown), on a QTimer (half a
minute). Each batch is delivered — recorded as shown and put into the message centre — and
then announced: a tray notification per reminder (``notify(title, text)``; the main window
passes its tray) and the popup, which offers Open and Snooze. The clock is injected (tests
move it; nothing sleeps).

With a shared server (or a ``cache_path`` given) the reminders of the next 7 days are kept in
a file on this PC (services.activities.reminder_cache), refreshed every ``CACHE_EVERY``: while
the server is unreachable the reminders still fire from it, and once it is back they are
recorded as shown without being announced twice.

Public for tests: ``check()``, ``fired`` (signal with the list), ``popup``, ``offline``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.config import config_dir
from crm_desktop.services.activities import reminder_cache
from crm_desktop.services.activities import reminders as reminder_ops
from crm_desktop.ui.activities.common import Clock, local_zone, system_clock
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op

CHECK_MS = 30_000
SNOOZE = dt.timedelta(minutes=10)
CACHE_EVERY = dt.timedelta(minutes=10)
Notify = Callable[[str, str], None]


def describe(reminder: reminder_ops.Reminder) -> str:
    when = reminder.occurrence.astimezone(local_zone())
    return f"{when:%m-%d %H:%M}  {reminder.title}"


class ReminderPopup(QDialog):
    """Reminders just due: open one's record, snooze it, or dismiss the list."""

    open_record = Signal(str, int)

    def __init__(self, ctx: AppContext, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        self.reminders: list[reminder_ops.Reminder] = []
        self.setWindowTitle(self.tr("Reminders"))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.list = QListWidget()
        self.list.itemActivated.connect(lambda _i: self.open_selected())
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(self.open_selected)
        self.snooze_button = QPushButton(self.tr("Snooze 10 minutes"))
        self.snooze_button.clicked.connect(self.snooze_selected)
        self.close_button = QPushButton(self.tr("Dismiss"))
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.snooze_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Due now:")))
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.resize(460, 280)

    def add(self, reminders: Sequence[reminder_ops.Reminder]) -> None:
        for r in reminders:
            self.reminders.append(r)
            item = QListWidgetItem(describe(r))
            self.list.addItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)

    def _current(self) -> reminder_ops.Reminder | None:
        row = self.list.currentRow()
        return self.reminders[row] if 0 <= row < len(self.reminders) else None

    def open_selected(self) -> None:
        r = self._current()
        if r is not None:
            self.open_record.emit(r.entity, r.record_id)

    def snooze_selected(self) -> None:
        r = self._current()
        if r is None:
            return
        row = self.list.currentRow()
        db, actor, until = self.ctx.db, self.ctx.actor, self.clock() + SNOOZE
        op(self, lambda: reminder_ops.snooze(db, actor, r, until=until), write=True).run()
        self.list.takeItem(row)
        del self.reminders[row]
        if not self.reminders:
            self.close()


class ReminderScheduler(QObject):
    fired = Signal(list)
    open_record = Signal(str, int)

    def __init__(self, ctx: AppContext, *, clock: Clock = system_clock, notify: Notify | None = None,
                 parent: QObject | None = None, interval_ms: int = CHECK_MS, cache_path: Path | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        self.notify = notify
        self.popup: ReminderPopup | None = None
        self._busy = False
        if cache_path is None and ctx.db.backend != "sqlite":  # a local file needs no offline copy
            # One file per server and user: two profiles may both have a user 3.
            server = hashlib.sha256(ctx.db.url.encode()).hexdigest()[:10]
            cache_path = config_dir() / f"reminders-{server}-{ctx.actor.user_id}.json"
        self.cache_path = cache_path
        self.cache = reminder_cache.load(cache_path, ctx.actor.user_id) if cache_path else None
        self._cached_at: dt.datetime | None = None
        #: Up to when the server was last asked (what it answered is announced already).
        self._checked_until: dt.datetime | None = None
        #: Keys of the reminders announced from the cache while the server was away.
        self.offline: set[tuple[str, int, dt.datetime, int]] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        """Show what was missed while closed, then keep checking."""
        self.check()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> None:
        """Ask for what fell due up to now (not shown yet), deliver it and announce it."""
        if self._busy:
            return
        now = self.clock()
        db, actor, tz = self.ctx.db, self.ctx.actor, local_zone()
        if not (actor.can("event", "view") or actor.can("task", "view")):
            return

        path, refresh = self.cache_path, self._cached_at is None or now - self._cached_at >= CACHE_EVERY
        offline = set(self.offline)

        def work() -> tuple[list[reminder_ops.Reminder], reminder_cache.CachedReminders | None]:
            due = reminder_ops.due_reminders(db, actor, start=now - reminder_ops.MISSED_REACH,
                                             end=now + dt.timedelta(seconds=1), tz=tz)
            reminder_ops.deliver(db, actor, due, at=now)  # those announced offline too: now recorded
            cached = None
            if path is not None and refresh:
                cached = reminder_cache.upcoming(db, actor, start=now + dt.timedelta(seconds=1), tz=tz)
                reminder_cache.save(path, cached)
            return [r for r in due if r.key not in offline], cached

        self._busy = True
        op(None, work, write=True).success(lambda result: self._online(now, *result)).failure(
            lambda _exc: self._offline(now)).run()

    def _online(self, now: dt.datetime, due: list[reminder_ops.Reminder],
                cached: reminder_cache.CachedReminders | None) -> None:
        self.offline.clear()
        self._checked_until = now + dt.timedelta(seconds=1)
        if cached is not None:
            self.cache, self._cached_at = cached, now
        self._announce(due)

    def _offline(self, now: dt.datetime) -> None:
        """The server is away (the next tick tries again): announce what the cache says is due."""
        self._busy = False
        if self.cache is None or not isValid(self):
            return
        start = max(self.cache.fetched_at, self._checked_until or self.cache.fetched_at)
        due = reminder_cache.due_offline(self.cache, start=start, end=now + dt.timedelta(seconds=1),
                                         announced=self.offline)
        self.offline.update(r.key for r in due)
        self._announce(due)

    def _announce(self, due: list[reminder_ops.Reminder]) -> None:
        self._busy = False
        if not due or not isValid(self):
            return
        for r in due:
            if self.notify is not None:
                self.notify(self.tr("Reminder"), describe(r))
        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        if self.popup is None or not isValid(self.popup) or not self.popup.isVisible():
            self.popup = ReminderPopup(self.ctx, self.clock, parent)  # type: ignore[arg-type]
            self.popup.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.popup.open_record.connect(self.open_record)
        self.popup.add(due)
        self.popup.show()
        self.fired.emit(due)


__all__ = ["ReminderPopup", "ReminderScheduler", "describe"]
