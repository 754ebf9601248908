"""The schedule event form: title, type, all day, start and end, location, repeat (daily,
weekly on chosen days, monthly by date or weekday, yearly; every N; until a day or N times),
reminders (several), participants, description.

Saving an occurrence of a series asks what to change — this event, this and the following
ones, or all — (``scope_question``; ``save(scope=…)`` answers it directly).

Public for tests: the editors, ``save()``, ``scope_question``, signal ``saved(EventDTO)``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.activities import schedule as schedule_ops
from crm_desktop.services.activities.common import RelatedRef
from crm_desktop.services.activities.recurrence import Repeat
from crm_desktop.ui.activities.common import (
    ActivityDialog,
    UserChecklist,
    local_zone,
    pydate,
    pydatetime,
    qdate,
    qdatetime,
    service_label,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op

#: Reminder choices in minutes before the start.
REMINDER_CHOICES = (0, 5, 15, 30, 60, 120, 1440, 2880, 10080)
REPEATS = ("none", "daily", "weekly", "monthly", "monthly_weekday", "yearly")
ENDS = ("never", "until", "count")


def reminder_text(minutes: int) -> str:
    if minutes == 0:
        return QCoreApplication.translate("EventDialog", "At the start")
    if minutes % 1440 == 0:
        return QCoreApplication.translate("EventDialog", "%n day(s) before", "", minutes // 1440)
    if minutes % 60 == 0:
        return QCoreApplication.translate("EventDialog", "%n hour(s) before", "", minutes // 60)
    return QCoreApplication.translate("EventDialog", "%n minute(s) before", "", minutes)


class EventDialog(ActivityDialog):
    def __init__(self, ctx: AppContext, *, event: schedule_ops.EventDTO | None = None,
                 occurrence: schedule_ops.Occurrence | None = None, start: dt.datetime | None = None,
                 related: Sequence[RelatedRef] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.shown_event = event
        self.occurrence = occurrence
        self.related = tuple(event.related if event else related)
        self.scope_question: QMessageBox | None = None
        self.setWindowTitle(self.tr("Edit event") if event else self.tr("New event"))
        begin = start or (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)

        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(200)
        self.kind_combo = QComboBox()
        for key in schedule_ops.KINDS:
            self.kind_combo.addItem(service_label("schedule", schedule_ops.KIND_LABELS[key]), key)
        self.all_day_check = QCheckBox(self.tr("All day"))
        self.start_edit = QDateTimeEdit(qdatetime(begin))
        self.end_edit = QDateTimeEdit(qdatetime(begin + dt.timedelta(hours=1)))
        for w in (self.start_edit, self.end_edit):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.start_edit.dateTimeChanged.connect(self._start_moved)
        self._last_start = self.start_edit.dateTime()
        self.all_day_check.toggled.connect(self._sync_all_day)
        times = QHBoxLayout()
        times.addWidget(self.start_edit)
        times.addWidget(QLabel("–"))
        times.addWidget(self.end_edit)
        times.addWidget(self.all_day_check)
        times.addStretch(1)
        self.location_edit = QLineEdit()

        self.repeat_combo = QComboBox()
        labels = {"none": self.tr("Does not repeat"), "daily": self.tr("Daily"), "weekly": self.tr("Weekly"),
                  "monthly": self.tr("Monthly on the same day"), "monthly_weekday": self.tr("Monthly on the same weekday"),
                  "yearly": self.tr("Yearly")}
        for key in REPEATS:
            self.repeat_combo.addItem(labels[key], key)
        self.interval_spin = QSpinBox()
        self.interval_spin.setRange(1, 999)
        self.interval_spin.setPrefix(self.tr("every "))
        repeat_row = QHBoxLayout()
        repeat_row.addWidget(self.repeat_combo)
        repeat_row.addWidget(self.interval_spin)
        repeat_row.addStretch(1)
        self.weekday_checks: list[QCheckBox] = []
        days_row = QHBoxLayout()
        for name in (self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"), self.tr("Fri"), self.tr("Sat"),
                     self.tr("Sun")):
            box = QCheckBox(name)
            self.weekday_checks.append(box)
            days_row.addWidget(box)
        days_row.addStretch(1)
        self.days_widget = QWidget()
        self.days_widget.setLayout(days_row)
        days_row.setContentsMargins(0, 0, 0, 0)
        self.end_combo = QComboBox()
        for key, label in (("never", self.tr("Never ends")), ("until", self.tr("Ends on")),
                           ("count", self.tr("Ends after"))):
            self.end_combo.addItem(label, key)
        self.until_edit = QDateEdit(qdate(begin.astimezone(local_zone()).date() + dt.timedelta(days=90)))
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 5000)
        self.count_spin.setValue(10)
        self.count_spin.setSuffix(self.tr(" times"))
        end_row = QHBoxLayout()
        end_row.addWidget(self.end_combo)
        end_row.addWidget(self.until_edit)
        end_row.addWidget(self.count_spin)
        end_row.addStretch(1)
        self.repeat_combo.currentIndexChanged.connect(self._sync_repeat)
        self.end_combo.currentIndexChanged.connect(self._sync_repeat)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setFixedHeight(70)

        form = QFormLayout()
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Type"), self.kind_combo)
        form.addRow(self.tr("When"), times)
        form.addRow(self.tr("Location"), self.location_edit)
        form.addRow(self.tr("Repeat"), repeat_row)
        form.addRow(self.tr("On"), self.days_widget)
        form.addRow(self.tr("Ends"), end_row)
        form.addRow(self.tr("About"), QLabel("、".join(r.name for r in self.related) or self.tr("None")))
        form.addRow(self.tr("Description"), self.description_edit)

        self.reminder_list = QListWidget()
        for minutes in REMINDER_CHOICES:
            item = QListWidgetItem(reminder_text(minutes))
            item.setData(Qt.ItemDataRole.UserRole, minutes)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if minutes == 15 and event is None else Qt.CheckState.Unchecked)
            self.reminder_list.addItem(item)
        self.participants = UserChecklist(ctx)
        self.participants.filled.connect(self.participants_read)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("Remind me")))
        right.addWidget(self.reminder_list, 1)
        right.addWidget(QLabel(self.tr("Participants")))
        right.addWidget(self.participants, 1)

        self.lay_out(form, right, self.ask_scope)
        self.resize(940, 540)
        if event is not None:
            self._show(event)
        self._sync_repeat()

    # --- showing ----------------------------------------------------------------------------

    def _show(self, event: schedule_ops.EventDTO) -> None:
        occ = self.occurrence
        self.title_edit.setText(event.title)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(event.kind), 0))
        self.all_day_check.setChecked(event.all_day)
        start, end = (occ.start, occ.end) if occ else (event.start_at, event.end_at)
        self.start_edit.setDateTime(qdatetime(start))
        self.end_edit.setDateTime(qdatetime(end))
        self.location_edit.setText(event.location)
        self.description_edit.setPlainText(event.description)
        for i in range(self.reminder_list.count()):
            item = self.reminder_list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in event.reminders
                               else Qt.CheckState.Unchecked)
        self.participants.set_checked(p.user_id for p in event.participants)
        repeat = event.repeat
        if repeat is not None:
            key = "monthly_weekday" if repeat.freq == "monthly" and repeat.monthly_by == "weekday" else repeat.freq
            self.repeat_combo.setCurrentIndex(self.repeat_combo.findData(key))
            self.interval_spin.setValue(repeat.interval)
            for d, box in enumerate(self.weekday_checks):
                box.setChecked(d in repeat.weekdays)
            if repeat.until is not None:
                self.end_combo.setCurrentIndex(self.end_combo.findData("until"))
                self.until_edit.setDate(qdate(repeat.until))
            elif repeat.count is not None:
                self.end_combo.setCurrentIndex(self.end_combo.findData("count"))
                self.count_spin.setValue(repeat.count)

    def _start_moved(self, value: QDateTime) -> None:
        # The end follows the start, keeping the length (as calendars do).
        delta = self._last_start.secsTo(value)
        self.end_edit.setDateTime(self.end_edit.dateTime().addSecs(delta))
        self._last_start = value

    def _sync_all_day(self, on: bool) -> None:
        fmt = "yyyy-MM-dd" if on else "yyyy-MM-dd HH:mm"
        self.start_edit.setDisplayFormat(fmt)
        self.end_edit.setDisplayFormat(fmt)

    def _sync_repeat(self) -> None:
        key = self.repeat_combo.currentData()
        repeating = key != "none"
        self.interval_spin.setEnabled(repeating)
        self.days_widget.setEnabled(key == "weekly")
        self.end_combo.setEnabled(repeating)
        end = self.end_combo.currentData()
        self.until_edit.setEnabled(repeating and end == "until")
        self.count_spin.setEnabled(repeating and end == "count")

    # --- saving -----------------------------------------------------------------------------

    def repeat(self) -> Repeat | None:
        key = str(self.repeat_combo.currentData())
        if key == "none":
            return None
        end = self.end_combo.currentData()
        return Repeat(
            freq="monthly" if key == "monthly_weekday" else key, interval=self.interval_spin.value(),
            weekdays=tuple(d for d, box in enumerate(self.weekday_checks) if box.isChecked()) if key == "weekly" else (),
            monthly_by="weekday" if key == "monthly_weekday" else "date",
            until=pydate(self.until_edit.date()) if end == "until" else None,
            count=self.count_spin.value() if end == "count" else None)

    def data(self) -> schedule_ops.EventInput:
        reminders = tuple(int(self.reminder_list.item(i).data(Qt.ItemDataRole.UserRole))
                          for i in range(self.reminder_list.count())
                          if self.reminder_list.item(i).checkState() == Qt.CheckState.Checked)
        return schedule_ops.EventInput(
            title=self.title_edit.text(), start_at=pydatetime(self.start_edit.dateTime()),
            end_at=pydatetime(self.end_edit.dateTime()), all_day=self.all_day_check.isChecked(),
            location=self.location_edit.text(), description=self.description_edit.toPlainText(),
            kind=str(self.kind_combo.currentData()), participant_ids=self.participants.checked_ids(),
            related=tuple((r.entity, r.record_id) for r in self.related), reminders=reminders,
            repeat=self.repeat(), tz=self.shown_event.tz if self.shown_event else "")

    def ask_scope(self) -> None:
        """Save; for an occurrence of a series, first ask which occurrences change."""
        if self.shown_event is None or self.occurrence is None or not self.occurrence.repeating:
            self.save("all")
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Repeating event"),
                          self.tr("Change only this event, this and the following ones, or all of them?"),
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
                self.save(scopes[button])  # type: ignore[index]

        box.buttonClicked.connect(answered)
        self.scope_question = box
        box.open()

    def save(self, scope: str = "all") -> None:
        """Create the event, or change it (of a series: ``scope``), off the GUI thread."""
        db, actor, data, event, occ = self.ctx.db, self.ctx.actor, self.data(), self.shown_event, self.occurrence
        if event is None:
            def call() -> schedule_ops.EventDTO:
                return schedule_ops.create_event(db, actor, data)
        else:
            def call() -> schedule_ops.EventDTO:
                return schedule_ops.edit_event(db, actor, event.id, data, scope=scope,
                                               occurrence=occ.original_start if occ else None)
        self.saving()
        op(self, call, write=True).success(self._saved).failure(self._failed).run()


__all__ = ["REMINDER_CHOICES", "EventDialog", "reminder_text"]
