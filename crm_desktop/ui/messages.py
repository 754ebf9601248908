"""The message centre (消息中心): the unread count in the top bar, the list of messages, and
desktop tray notifications.

- ``MessageWatcher`` polls the unread count (one COUNT query) every ``POLL_MS`` through the op
  runner, and at once when ``ctx.signals.changed`` fires: trigger rules and approvals on other
  PCs write messages into the shared database too, and no event tells this PC about them.
  When the count rises it reads the newest unread message and emits ``arrived(title, text)``
  if ``notice_for`` decides it is worth a notification.
- ``MessageButton`` shows "Messages 3" and opens the centre.
- ``MessageCentre`` lists the messages newest first (unread in bold), all or unread only;
  selecting a message shows it and marks it read; double-click or "Open record" emits
  ``record_chosen(entity, id, name)`` for the main window; "Mark all read".
- ``make_tray`` gives a ``QSystemTrayIcon`` where the platform has a tray, else None
  (offscreen and some Linux desktops have none: notifications are then simply skipped).

Thread rule: GUI thread only; data is read and written through ``ops.op``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QSystemTrayIcon,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.workflow import automation
from crm_desktop.services.workflow.automation import MessageDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar
from crm_desktop.ui.i18n import service_text
from crm_desktop.ui.ops import op

#: How often the unread count is read again (other PCs write messages too).
POLL_MS = 30_000
#: Changes come in bursts (an import, a rule firing rules): one count for each burst.
CHANGE_DELAY_MS = 500
#: How many messages the centre lists (newest first).
LIST_LIMIT = 200
_ID_ROLE = Qt.ItemDataRole.UserRole


def local_time(when: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """"14:05" today, "03-09 14:05" this year, "2025-12-30 14:05" before (local time)."""
    local = (when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when).astimezone()
    today = (now or dt.datetime.now().astimezone()).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")



def message_title(message: MessageDTO) -> str:
    """The title in the reader's language: approval messages are templates with values, rule
    messages are the administrator's own words."""
    if message.params:
        return service_text("messages", message.title, dict(message.params))
    return message.title

class MessageWatcher(QObject):
    """Owns the unread count. ``count`` is None until the first answer arrives."""

    #: The unread count changed (carries the new count).
    count_changed = Signal(int)
    #: Something worth a desktop notification arrived: (title, text).
    arrived = Signal(str, str)

    def __init__(self, ctx: AppContext, *, interval_ms: int = POLL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.count: int | None = None
        self._busy = False
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(CHANGE_DELAY_MS)
        self._soon.timeout.connect(self.refresh)
        ctx.signals.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, _entity: str, _record_id: int) -> None:
        # Any save may have fired a rule that wrote a message: count again.
        self._soon.start()

    def refresh(self) -> None:
        """Read the unread count in the background (one at a time; a request meanwhile runs after)."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        db, actor = self.ctx.db, self.ctx.actor
        # The watcher as parent: once the window (and so the watcher) is gone, no callback.
        op(self, lambda: automation.unread_count(db, actor)).success(  # type: ignore[arg-type]
            self._counted).failure(self._failed).run()

    def _counted(self, count: int) -> None:
        previous, self.count = self.count, count
        if previous is not None and count > previous:
            db, actor = self.ctx.db, self.ctx.actor
            op(self, lambda: automation.list_messages(db, actor, unread_only=True, limit=1)).success(  # type: ignore[arg-type]
                partial(self._newest, previous, count)).failure(self._quiet).run()
        if count != previous:
            self.count_changed.emit(count)
        self._done()

    def _newest(self, previous: int, count: int, newest: list[MessageDTO]) -> None:
        notice = self.notice_for(previous, count, newest[0] if newest else None)
        if notice is not None:
            self.arrived.emit(*notice)

    def notice_for(self, previous: int | None, count: int, newest: MessageDTO | None) -> tuple[str, str] | None:
        """What a desktop notification should say when the unread count went from
        ``previous`` to ``count`` (None: say nothing). The first count after log-in is not
        news, a falling count (messages read) is not either."""
        if previous is None or count <= previous or newest is None or newest.read:
            return None
        more = count - previous - 1
        text = newest.body.strip()
        if more > 0:
            extra = self.tr("…and %n more new message(s).", "", more)
            text = f"{text}\n{extra}" if text else extra
        return message_title(newest) or self.tr("New message"), text

    def _failed(self, _exc: BaseException) -> None:
        # Never a dialog for a background poll: the next one retries.
        self._done()

    def _quiet(self, _exc: BaseException) -> None:
        pass

    def _done(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.refresh()


class MessageButton(QToolButton):
    """The top bar's "Messages 3"; ``clicked`` opens the centre (the main window connects it)."""

    def __init__(self, watcher: MessageWatcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageButton")
        self.setAutoRaise(True)
        self.setToolTip(self.tr("Message centre"))
        watcher.count_changed.connect(self.show_count)
        self.show_count(watcher.count or 0)

    def show_count(self, count: int) -> None:
        if count:
            self.setText(self.tr("Messages {n}").format(n=count if count < 100 else "99+"))
            self.setStyleSheet("QToolButton { padding: 4px 10px; font-weight: 600; color: #c0392b; }")
        else:
            self.setText(self.tr("Messages"))
            self.setStyleSheet("QToolButton { padding: 4px 10px; }")
        self.setProperty("unread", count)


class MessageCentre(QDialog):
    """The list of the actor's messages. Public for tests: ``table``, ``all_button``,
    ``unread_button``, ``mark_all_button``, ``open_button``, ``view``, ``messages`` (what
    is listed)."""

    #: A message's record should be shown: (entity, record id, name to search for: "").
    record_chosen = Signal(str, int, str)
    #: Messages were marked read (the watcher counts again).
    marked_read = Signal()
    #: A list was shown (tests wait for it).
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.messages: list[MessageDTO] = []
        self._generation = 0
        self.setWindowTitle(self.tr("Message centre"))
        self.resize(620, 520)

        self.all_button = QPushButton(self.tr("All"))
        self.unread_button = QPushButton(self.tr("Unread"))
        group = QButtonGroup(self)
        for button in (self.all_button, self.unread_button):
            button.setCheckable(True)
            group.addButton(button)
        self.all_button.setChecked(True)
        group.buttonClicked.connect(self.reload)
        self.mark_all_button = QPushButton(self.tr("Mark all read"))
        self.mark_all_button.clicked.connect(self.mark_all_read)
        top = QHBoxLayout()
        top.setSpacing(4)
        top.addWidget(self.all_button)
        top.addWidget(self.unread_button)
        top.addStretch(1)
        top.addWidget(self.mark_all_button)

        table = QTableWidget(0, 2)
        table.setHorizontalHeaderLabels([self.tr("Message"), self.tr("Time")])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        table.itemSelectionChanged.connect(self._selection_changed)
        table.doubleClicked.connect(self.open_selected)
        self.table = table
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 24px;")
        self.empty_label.hide()

        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setPlaceholderText(self.tr("Select a message to read it."))
        self.open_button = QPushButton(self.tr("Open record"))
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_selected)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.close)
        self.message = MessageBar()

        reader = QWidget()
        reader_layout = QVBoxLayout(reader)
        reader_layout.setContentsMargins(0, 0, 0, 0)
        reader_layout.addWidget(self.view)
        splitter = QSplitter(Qt.Orientation.Vertical)
        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(table)
        list_layout.addWidget(self.empty_label)
        splitter.addWidget(list_box)
        splitter.addWidget(reader)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.open_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.reload()

    # --- reading --------------------------------------------------------------------------

    @property
    def unread_only(self) -> bool:
        return self.unread_button.isChecked()

    def reload(self, *_args: object) -> None:
        """Read the list again, keeping the selected message selected; an older answer never wins."""
        self._generation += 1
        generation = self._generation
        db, actor, unread = self.ctx.db, self.ctx.actor, self.unread_only
        op(self, lambda: automation.list_messages(db, actor, unread_only=unread, limit=LIST_LIMIT)).success(
            partial(self._show, generation)).failure(self.message.show_exception).run()

    def _show(self, generation: int, messages: list[MessageDTO]) -> None:
        if generation != self._generation:
            return
        keep = self.selected()
        self.messages = list(messages)
        table = self.table
        table.blockSignals(True)  # rebuilding is not the user selecting (which marks read)
        table.setRowCount(len(self.messages))
        for row, message in enumerate(self.messages):
            title = QTableWidgetItem(("● " if not message.read else "") + message_title(message))
            title.setData(_ID_ROLE, message.id)
            title.setToolTip(message.body or message_title(message))
            when = QTableWidgetItem(local_time(message.created_at))
            for item in (title, when):
                font = QFont(item.font())
                font.setBold(not message.read)
                item.setFont(font)
            table.setItem(row, 0, title)
            table.setItem(row, 1, when)
        row = next((r for r, m in enumerate(self.messages) if keep is not None and m.id == keep.id), -1)
        if row >= 0:
            table.selectRow(row)
        else:
            table.clearSelection()
        table.blockSignals(False)
        self.table.setVisible(bool(self.messages))
        self.empty_label.setVisible(not self.messages)
        self.empty_label.setText(self.tr("No unread messages.") if self.unread_only else self.tr("No messages yet."))
        self.mark_all_button.setEnabled(any(not m.read for m in self.messages))
        self._show_selected()
        self.loaded.emit()

    def selected(self) -> MessageDTO | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.messages):
            return None
        return self.messages[rows[0].row()]

    def select_message(self, message_id: int) -> None:
        """Select (and so read) a listed message."""
        row = next((r for r, m in enumerate(self.messages) if m.id == message_id), -1)
        if row >= 0:
            self.table.selectRow(row)

    def _show_selected(self) -> None:
        message = self.selected()
        self.open_button.setEnabled(message is not None and bool(message.entity) and message.record_id is not None)
        if message is None:
            self.view.clear()
            return
        self.view.setPlainText("")
        cursor = self.view.textCursor()
        heading = cursor.charFormat()
        heading.setFontWeight(QFont.Weight.DemiBold)
        heading.setFontPointSize(self.font().pointSizeF() * 1.2)
        cursor.insertText(message_title(message), heading)
        plain = cursor.blockCharFormat()
        cursor.insertBlock()
        cursor.insertText(local_time(message.created_at), plain)
        if message.body:
            cursor.insertBlock()
            cursor.insertBlock()
            cursor.insertText(message.body, plain)

    # --- acting ---------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        self._show_selected()
        message = self.selected()
        if message is not None and not message.read:
            self._mark([message.id])

    def open_selected(self, *_args: object) -> None:
        """Show the selected message's record (and mark the message read)."""
        message = self.selected()
        if message is None or not message.entity or message.record_id is None:
            return
        if not message.read:
            self._mark([message.id])
        self.record_chosen.emit(message.entity, message.record_id, "")

    def mark_all_read(self) -> None:
        self._mark(None)

    def _mark(self, ids: list[int] | None) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        if ids is not None:  # shown as read at once; the list is read again after the write
            self.messages = [m if m.id not in ids else _as_read(m) for m in self.messages]
            self._unbold(ids)
        op(self, lambda: automation.mark_read(db, actor, ids), write=True).success(
            self._marked).failure(self.message.show_exception).run()

    def _unbold(self, ids: list[int]) -> None:
        for row, message in enumerate(self.messages):
            if message.id in ids:
                for column in (0, 1):
                    item = self.table.item(row, column)
                    if item is None:
                        continue
                    font = QFont(item.font())
                    font.setBold(False)
                    item.setFont(font)
                    if column == 0:
                        item.setText(message_title(message))

    def _marked(self, _count: int) -> None:
        self.marked_read.emit()
        self.reload()


def _as_read(message: MessageDTO) -> MessageDTO:
    return replace(message, read=True)


def make_tray(parent: QObject, *, tooltip: str) -> QSystemTrayIcon | None:
    """A tray icon with the application's icon, shown, where the desktop has a tray; None
    where it has none (offscreen, some Linux desktops)."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(QApplication.windowIcon(), parent)
    tray.setToolTip(tooltip)
    tray.show()
    return tray
