"""The calendar (日程): month, week, day and agenda views over switchable layers (my events, tasks
due, next contacts, planned payments, contract ends), a colleague's calendar where the scope
lets the user see it, new events, and the .ics export of my calendar.

Double-clicking an event opens it (a series' occurrence: the change asks this / following /
all); a task opens the task; the other layers open their record's detail. Dragging an event
in the week or day view moves or resizes it (a series' occurrence asks the same question,
``scope_question``).

Public for tests: ``month_view``, ``week_view``, ``day_view``, ``agenda_view``, ``show_view()``,
``move_event()``, ``scope_question``,
``layer_checks``, ``person_combo`` / ``show_person()``, ``items``, ``anchor``, ``go()``, ``new_event()``, ``open_item()``,
``export_to()``, ``ics_sync`` (the folder kept up to date), ``dialog`` (the last event / task dialog).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.activities import calendar as calendar_ops
from crm_desktop.services.activities import schedule as schedule_ops
from crm_desktop.services.activities import tasks as task_ops
from crm_desktop.services.org import users as user_ops
from crm_desktop.ui.activities.calendar_views import (
    AgendaView,
    DayView,
    MonthView,
    WeekView,
    month_grid_start,
    week_start,
)
from crm_desktop.ui.activities.common import (
    Clock,
    local_zone,
    service_label,
    system_clock,
)
from crm_desktop.ui.activities.event_dialog import EventDialog
from crm_desktop.ui.activities.ics_sync import IcsFolderSync
from crm_desktop.ui.activities.task_dialog import TaskDialog
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.window import open_detail

VIEWS = ("month", "week", "day", "agenda")
AGENDA_DAYS = 30


class CalendarPage(QWidget):
    def __init__(self, ctx: AppContext, *, clock: Clock = system_clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        self.view = "month"
        self.anchor = self.today()
        self.items: list[calendar_ops.CalendarItem] = []
        self.dialog: QWidget | None = None
        self.exported: int | None = None
        self._generation = 0
        self.export_path: Path | None = None
        self.scope_question: QMessageBox | None = None

        self.prev_button = QPushButton("◀")
        self.today_button = QPushButton(self.tr("Today"))
        self.next_button = QPushButton("▶")
        self.prev_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.today_button.clicked.connect(self.go_today)
        self.title_label = QLabel()
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title_label.setFont(font)
        self.view_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for key, label in (("month", self.tr("Month")), ("week", self.tr("Week")), ("day", self.tr("Day")),
                           ("agenda", self.tr("Agenda"))):
            button = QPushButton(label)
            button.setCheckable(True)
            group.addButton(button)
            button.clicked.connect(lambda _c=False, k=key: self.show_view(k))
            self.view_buttons[key] = button
        self.view_buttons["month"].setChecked(True)
        # Whose calendar: mine, or a colleague's — the service shows only what the scope lets me see.
        self.person_combo = QComboBox()
        self.person_combo.addItem(self.tr("My calendar"), None)
        self.person_combo.setMinimumWidth(140)
        self.person_combo.currentIndexChanged.connect(self.reload)
        db, actor = ctx.db, ctx.actor
        op(self, lambda: [(u.id, u.name) for u in user_ops.list_users(db, actor, include_disabled=False)
                          if u.id != actor.user_id]).success(self._people).run()
        self.new_button = QPushButton(self.tr("New event"))
        self.new_button.clicked.connect(lambda: self.new_event())
        self.new_button.setEnabled(ctx.actor.can("event", "create"))
        # One button, two ways: a file once, or a file in a folder kept up to date.
        self.export_button = QPushButton(self.tr("Export .ics"))
        menu = QMenu(self.export_button)
        menu.addAction(self.tr("Export to a file…"), self._choose_export)
        menu.addAction(self.tr("Keep up to date in a folder…"), self._choose_sync_folder)
        self.stop_sync_action = menu.addAction(self.tr("Stop keeping it up to date"), self._stop_sync)
        self.export_button.setMenu(menu)
        self.ics_sync = IcsFolderSync(ctx, parent=self)
        self.ics_sync.synced.connect(self._synced)
        self.stop_sync_action.setEnabled(self.ics_sync.folder is not None)
        top = QHBoxLayout()
        for w in (self.prev_button, self.today_button, self.next_button):
            top.addWidget(w)
        top.addWidget(self.title_label, 1)
        for button in self.view_buttons.values():
            top.addWidget(button)
        top.addSpacing(12)
        top.addWidget(self.person_combo)
        top.addWidget(self.new_button)
        top.addWidget(self.export_button)

        self.layer_checks: dict[str, QCheckBox] = {}
        layers = QHBoxLayout()
        layers.addWidget(QLabel(self.tr("Show:")))
        for key in calendar_ops.LAYERS:
            box = QCheckBox(service_label("schedule", calendar_ops.LAYER_LABELS[key]))
            box.setChecked(True)
            colour = calendar_ops.LAYER_COLOURS.get(key, "#3b82f6")
            box.setStyleSheet(f"QCheckBox {{ color: {colour}; }}")
            box.toggled.connect(self.reload)
            self.layer_checks[key] = box
            layers.addWidget(box)
        layers.addStretch(1)
        self.status_label = QLabel()
        layers.addWidget(self.status_label)

        self.month_view = MonthView()
        self.week_view = WeekView()
        self.day_view = DayView()
        self.agenda_view = AgendaView()
        for view in (self.month_view, self.week_view, self.day_view, self.agenda_view):
            view.activated.connect(self.open_item)
        for view in (self.month_view, self.week_view, self.day_view):
            view.day_chosen.connect(self._day_chosen)
        for hours in (self.week_view, self.day_view):
            hours.moved.connect(self.move_event)
        self.stack = QStackedWidget()
        for view in (self.month_view, self.week_view, self.day_view, self.agenda_view):
            self.stack.addWidget(view)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(layers)
        layout.addWidget(self.stack, 1)
        ctx.signals.changed.connect(self._on_changed)
        self.reload()

    # --- the window of time shown -----------------------------------------------------------

    def today(self) -> dt.date:
        return self.clock().astimezone(local_zone()).date()

    def window(self) -> tuple[dt.date, dt.date]:
        """The local days shown: [first, last)."""
        if self.view == "month":
            first = month_grid_start(self.anchor)
            return first, first + dt.timedelta(days=42)
        if self.view == "week":
            first = week_start(self.anchor)
            return first, first + dt.timedelta(days=7)
        if self.view == "day":
            return self.anchor, self.anchor + dt.timedelta(days=1)
        return self.anchor, self.anchor + dt.timedelta(days=AGENDA_DAYS)

    def go(self, step: int) -> None:
        if self.view == "month":
            month = self.anchor.month - 1 + step
            self.anchor = dt.date(self.anchor.year + month // 12, month % 12 + 1, 1)
        elif self.view == "week":
            self.anchor += dt.timedelta(weeks=step)
        elif self.view == "day":
            self.anchor += dt.timedelta(days=step)
        else:
            self.anchor += dt.timedelta(days=AGENDA_DAYS * step)
        self.reload()

    def go_today(self) -> None:
        self.anchor = self.today()
        self.reload()

    def go_to(self, day: dt.date) -> None:
        self.anchor = day
        self.reload()

    def show_view(self, view: str) -> None:
        self.view = view
        self.view_buttons[view].setChecked(True)
        self.stack.setCurrentIndex(VIEWS.index(view))
        self.reload()

    def _title(self) -> str:
        first, last = self.window()
        if self.view == "month":
            return self.tr("{year}-{month:02d}").format(year=self.anchor.year, month=self.anchor.month)
        if self.view == "day":
            return f"{first:%Y-%m-%d}"
        return f"{first:%Y-%m-%d} – {last - dt.timedelta(days=1):%Y-%m-%d}"

    # --- reading ----------------------------------------------------------------------------

    def reload(self) -> None:
        first, last = self.window()
        tz = local_zone()
        start = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        end = dt.datetime.combine(last, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        layers = tuple(k for k, box in self.layer_checks.items() if box.isChecked())
        db, actor = self.ctx.db, self.ctx.actor
        who = self.person_combo.currentData()
        self.title_label.setText(self._title())
        # Reads run side by side: only the newest request's answer is shown (an older one
        # arriving last must not replace it).
        self._generation += 1
        generation = self._generation
        op(self, lambda: calendar_ops.calendar_items(db, actor, start, end, layers=layers, user_id=who, tz=tz)).success(
            lambda items: self._show(items) if generation == self._generation else None).failure(self._failed).run()

    def _people(self, people: list[tuple[int, str]]) -> None:
        if isValid(self):
            for uid, name in people:
                self.person_combo.addItem(name, uid)

    def show_person(self, user_id: int | None) -> None:
        """Show whose calendar (None: mine)."""
        self.person_combo.setCurrentIndex(max(self.person_combo.findData(user_id), 0))

    def _show(self, items: list[calendar_ops.CalendarItem]) -> None:
        if not isValid(self):
            return
        self.items = items
        today = self.today()
        self.month_view.set_items(self.anchor, items, today=today)
        self.week_view.set_items(self.anchor, items, today=today)
        self.day_view.set_items(self.anchor, items, today=today)
        names = {k: service_label("schedule", v) for k, v in calendar_ops.LAYER_LABELS.items()}
        self.agenda_view.set_items(items, names)
        self.status_label.setText(self.tr("{n} items").format(n=len(items)))

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.status_label.setText(error_text(exc))

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in ("event", "task", "customer", "lead", "contact", "contract", "*"):
            self.reload()

    # --- acting ----------------------------------------------------------------------------

    def _day_chosen(self, day: dt.date) -> None:
        tz = local_zone()
        self.new_event(dt.datetime.combine(day, dt.time(9), tzinfo=tz).astimezone(dt.UTC))

    def new_event(self, start: dt.datetime | None = None) -> EventDialog | None:
        if not self.ctx.actor.can("event", "create"):
            return None
        if start is None:
            now = self.clock()
            start = (now + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        return self._open(EventDialog(self.ctx, start=start, parent=self))

    def _open(self, dialog: EventDialog | TaskDialog) -> EventDialog | TaskDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _x: self.reload())
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_item(self, item: calendar_ops.CalendarItem) -> None:
        """Open what ``item`` stands for (off the GUI thread first: it is read fresh)."""
        db, actor = self.ctx.db, self.ctx.actor
        if item.layer == "events":
            def opened(event: schedule_ops.EventDTO) -> None:
                if not isValid(self):
                    return
                occ = schedule_ops.Occurrence(event.id, item.title, item.start, item.end, item.all_day, "", "",
                                              item.colour, event.owner_id, item.repeating,
                                              item.occurrence or item.start)
                self._open(EventDialog(self.ctx, event=event, occurrence=occ, parent=self))
            op(self, lambda: schedule_ops.get_event(db, actor, item.item_id)).success(opened).failure(
                self._failed).run()
        elif item.layer == "tasks":
            op(self, lambda: task_ops.get_task(db, actor, item.item_id)).success(
                lambda task: self._open(TaskDialog(self.ctx, task=task, clock=self.clock, parent=self))
                if isValid(self) else None).failure(self._failed).run()
        elif item.entity and item.record_id:
            open_detail(self.ctx, item.entity, item.record_id, parent=self)

    def move_event(self, item: calendar_ops.CalendarItem, start: dt.datetime, end: dt.datetime) -> None:
        """Save a dragged event's new ``start`` / ``end`` (UTC); an occurrence of a series first
        asks which occurrences move (``scope_question``). Read fresh off the GUI thread first:
        the save carries the version read, so a colleague's change in between is a conflict."""
        db, actor = self.ctx.db, self.ctx.actor

        def loaded(event: schedule_ops.EventDTO) -> None:
            if not isValid(self):
                return
            if not item.repeating:
                self._save_move(event, item, start, end, "all")
                return
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Repeating event"),
                              self.tr("Move only this event, this and the following ones, or all of them?"),
                              QMessageBox.StandardButton.NoButton, self)
            this = box.addButton(self.tr("This event"), QMessageBox.ButtonRole.AcceptRole)
            following = box.addButton(self.tr("This and following"), QMessageBox.ButtonRole.AcceptRole)
            every = box.addButton(self.tr("All events"), QMessageBox.ButtonRole.AcceptRole)
            cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(cancel)
            scopes = {this: "this", following: "following", every: "all"}

            def answered(button: object) -> None:
                self.scope_question = None
                if button in scopes:
                    self._save_move(event, item, start, end, scopes[button])  # type: ignore[index]
                else:
                    self.reload()  # the drag is undone

            box.buttonClicked.connect(answered)
            self.scope_question = box
            box.open()

        op(self, lambda: schedule_ops.get_event(db, actor, item.item_id)).success(loaded).failure(self._failed).run()

    def _save_move(self, event: schedule_ops.EventDTO, item: calendar_ops.CalendarItem, start: dt.datetime,
                   end: dt.datetime, scope: str) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        data = replace(schedule_ops.input_of(event), start_at=start, end_at=end)
        occurrence = (item.occurrence or item.start) if item.repeating else None
        op(self, lambda: schedule_ops.edit_event(db, actor, event.id, data, scope=scope, occurrence=occurrence,
                                                 expected_version=event.version), write=True).success(
            lambda _e: self.reload() if isValid(self) else None).failure(self._move_failed).run()

    def _move_failed(self, exc: BaseException) -> None:
        self._failed(exc)
        if isValid(self):
            self.reload()  # the event goes back where it is

    def _choose_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Export my calendar"), "calendar.ics",
                                                    self.tr("iCalendar (*.ics)"))
        if path:
            self.export_to(Path(path))

    def _choose_sync_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Keep my calendar in this folder"),
                                                  str(self.ics_sync.folder or Path.home()))
        if folder:
            self.ics_sync.set_folder(Path(folder))
            self.stop_sync_action.setEnabled(True)

    def _stop_sync(self) -> None:
        self.ics_sync.set_folder(None)
        self.stop_sync_action.setEnabled(False)

    def _synced(self, path: Path, written: bool) -> None:
        if written and isValid(self):
            self.status_label.setText(self.tr("Calendar file updated: {path}").format(path=path))

    def export_to(self, path: Path) -> None:
        """Write my calendar to ``path`` (off the GUI thread); ``exported`` then holds the count
        (-1: it failed, and the status line says why)."""
        db, actor = self.ctx.db, self.ctx.actor
        self.export_path = path
        op(self, lambda: calendar_ops.export_ics(db, actor, path)).success(self._exported).failure(
            self._export_failed).run()

    def _export_failed(self, exc: BaseException) -> None:
        self.exported = -1  # said in the status line
        self._failed(exc)

    def _exported(self, count: int) -> None:
        if isValid(self):
            self.exported = count
            self.status_label.setText(self.tr("{n} events written to {path}").format(n=count, path=self.export_path))


__all__ = ["CalendarPage"]
