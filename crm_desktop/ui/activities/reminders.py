"""The local reminder scheduler of the running app, and the reminder popup.

``ReminderScheduler`` asks the reminder service what fell due since it last asked (at start:
the last 7 days, so reminders missed while the app was closed are shown), on a QTimer (half a
minute). Each batch is delivered — recorded as shown and put into the message centre — and
then announced: a tray notification per reminder (``notify(title, text)``; the main window
passes its tray) and the popup, which offers Open and Snooze. The clock is injected (tests
move it; nothing sleeps).

Public for tests: ``check()``, ``fired`` (signal with the list), ``popup``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

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

from crm_desktop.services.activities import reminders as reminder_ops
from crm_desktop.ui.activities.common import Clock, local_zone, system_clock
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op

CHECK_MS = 30_000
SNOOZE = dt.timedelta(minutes=10)
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
                 parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        self.notify = notify
        self.popup: ReminderPopup | None = None
        self._busy = False
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

        def work() -> list[reminder_ops.Reminder]:
            due = reminder_ops.due_reminders(db, actor, start=now - reminder_ops.MISSED_REACH,
                                             end=now + dt.timedelta(seconds=1), tz=tz)
            reminder_ops.deliver(db, actor, due, at=now)
            return due

        self._busy = True
        op(None, work, write=True).success(self._announce).failure(self._failed).run()

    def _failed(self, _exc: BaseException) -> None:
        self._busy = False  # the server may be away: the next tick tries again

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
