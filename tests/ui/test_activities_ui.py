"""pytest-qt on the real widgets: the task workbench (create with subtasks and participants,
inbox → today, finish), the calendar (a weekly event, "this and following", the month view),
a reminder firing as a tray notification at its time with an injected clock, the .ics export."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.activities import schedule as schedule_ops
from crm_desktop.services.activities.common import zone
from crm_desktop.services.activities.recurrence import Repeat
from crm_desktop.services.workflow.automation import list_messages
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.activities.calendar_page import CalendarPage
from crm_desktop.ui.activities.event_dialog import EventDialog
from crm_desktop.ui.activities.reminders import ReminderScheduler
from crm_desktop.ui.activities.task_workbench import TaskWorkbench
from crm_desktop.ui.context import AppContext
from tests.test_activities_tasks import PERMS
from tests.test_customers import make_user
from tests.ui_helpers import admin_context

WAIT_MS = 15_000
TZ = zone()
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # a Monday


class Clock:
    """The injected clock: tests move it; nothing sleeps."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class RecordingTray(QSystemTrayIcon):
    """A real tray icon that also remembers what it was asked to show."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, text: str) -> None:
        self.shown.append((title, text))
        self.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Iterator[None]:
    monkeypatch.setenv("CRM_CONFIG_DIR", str(tmp_path / "cfg"))
    i18n.install_language("en")
    yield
    ops.wait_idle()
    qapp.processEvents()


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


def test_task_with_subtasks_and_participants_inbox_today_done(qtbot: QtBot, ctx: AppContext) -> None:
    bob = make_user(ctx.db, ctx.actor, "13900000071", perms=PERMS)
    wb = TaskWorkbench(ctx, clock=Clock(NOW))
    qtbot.addWidget(wb)
    wb.select_bucket("inbox")
    dialog = wb.new_task()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.participants.loaded, timeout=WAIT_MS)
    dialog.title_edit.setText("准备投标文件")
    for text in ("商务部分", "技术部分"):
        dialog.subtask_edit.setText(text)
        dialog.add_subtask()
    dialog.participants.check_name(bob.name)
    dialog.priority_combo.setCurrentIndex(dialog.priority_combo.findData("high"))
    dialog.save()
    qtbot.waitUntil(lambda: [r.title for r in wb.rows] == ["准备投标文件"], timeout=WAIT_MS)
    row = wb.rows[0]
    assert (row.subtasks_done, row.subtasks_total, row.priority, row.due_date) == (0, 2, "high", None)
    assert wb.counts["inbox"] == 1 and "(1)" in wb.bucket_list.item(0).text()

    assert wb.select_task(row.id)
    wb.move_selected("today")
    qtbot.waitUntil(lambda: wb.counts.get("today") == 1 and not wb.rows, timeout=WAIT_MS)
    wb.select_bucket("today")
    qtbot.waitUntil(lambda: [r.id for r in wb.rows] == [row.id], timeout=WAIT_MS)
    assert wb.rows[0].due_date == NOW.date()
    wb.edit_selected()  # Enter opens it: the participants and subtasks are there
    qtbot.waitUntil(lambda: wb.dialog is not None and wb.dialog is not dialog and wb.dialog.isVisible(),
                    timeout=WAIT_MS)
    assert wb.dialog is not None and wb.dialog.subtasks.count() == 2
    qtbot.waitUntil(lambda: wb.dialog.participants.loaded, timeout=WAIT_MS)
    assert wb.dialog.participants.checked_ids() == (bob.user_id,)
    wb.dialog.reject()
    wb.finish_selected()
    qtbot.waitUntil(lambda: wb.counts.get("done") == 1 and not wb.rows, timeout=WAIT_MS)


def test_weekly_event_this_and_following_on_the_month_view(qtbot: QtBot, ctx: AppContext) -> None:
    page = CalendarPage(ctx, clock=Clock(NOW))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    dialog = page.new_event(NOW.replace(hour=10))
    assert isinstance(dialog, EventDialog)
    dialog.title_edit.setText("周例会")
    dialog.repeat_combo.setCurrentIndex(dialog.repeat_combo.findData("weekly"))
    dialog.end_combo.setCurrentIndex(dialog.end_combo.findData("count"))
    dialog.count_spin.setValue(4)
    dialog.save()
    mondays = [NOW.date() + dt.timedelta(weeks=n) for n in range(4)]
    qtbot.waitUntil(lambda: all(page.month_view.items_on(d) == ["周例会"] for d in mondays), timeout=WAIT_MS)
    third = next(i for i in page.items if i.start.astimezone(TZ).date() == mondays[2])
    page.open_item(third)
    qtbot.waitUntil(lambda: isinstance(page.dialog, EventDialog) and page.dialog is not dialog, timeout=WAIT_MS)
    edit = page.dialog
    assert isinstance(edit, EventDialog) and edit.occurrence is not None and edit.occurrence.repeating
    edit.title_edit.setText("周例会（新）")
    edit.ask_scope()  # a series: which ones?
    assert edit.scope_question is not None
    edit.scope_question.buttons()[1].click()  # "This and following"
    qtbot.waitUntil(lambda: page.month_view.items_on(mondays[3]) == ["周例会（新）"], timeout=WAIT_MS)
    assert [page.month_view.items_on(d) for d in mondays] == [["周例会"], ["周例会"], ["周例会（新）"],
                                                              ["周例会（新）"]]
    page.show_view("week")
    qtbot.waitUntil(lambda: page.week_view.items_on(mondays[0]) == ["周例会"], timeout=WAIT_MS)
    page.grab()  # paints without errors


def test_a_reminder_fires_as_a_tray_notification_at_its_time(qtbot: QtBot, ctx: AppContext) -> None:
    schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
        title="拜访鹭岛机电", start_at=NOW.replace(hour=10), end_at=NOW.replace(hour=11), reminders=(15,)))
    clock = Clock(NOW.replace(hour=9, minute=40))
    tray = RecordingTray()
    scheduler = ReminderScheduler(ctx, clock=clock, notify=tray.notify, interval_ms=3_600_000)
    fired: list[list] = []  # type: ignore[type-arg]
    scheduler.fired.connect(fired.append)
    scheduler.check()
    ops.wait_idle()
    qtbot.wait(50)
    assert tray.shown == [] and fired == []
    clock.now = NOW.replace(hour=9, minute=45)
    scheduler.check()
    qtbot.waitUntil(lambda: len(fired) == 1, timeout=WAIT_MS)
    assert [r.title for r in fired[0]] == ["拜访鹭岛机电"]
    assert tray.shown == [("Reminder", "03-02 10:00  拜访鹭岛机电")]
    assert scheduler.popup is not None and scheduler.popup.list.count() == 1
    assert [m.entity for m in list_messages(ctx.db, ctx.actor)] == ["event"]  # in the message centre too
    clock.now = NOW.replace(hour=9, minute=46)
    scheduler.check()  # shown once
    ops.wait_idle()
    qtbot.wait(50)
    assert len(fired) == 1 and len(tray.shown) == 1
    scheduler.popup.snooze_selected()
    ops.wait_idle()
    clock.now = NOW.replace(hour=9, minute=57)
    scheduler.check()
    qtbot.waitUntil(lambda: len(fired) == 2, timeout=WAIT_MS)
    assert fired[1][0].snoozed
    scheduler.popup.close()  # a top-level window: not left behind for the next tests


def test_export_ics_reads_back(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
        title="月度复盘", start_at=NOW.replace(hour=15), end_at=NOW.replace(hour=16), reminders=(30,),
        repeat=Repeat("monthly", count=3)))
    page = CalendarPage(ctx, clock=Clock(NOW))
    qtbot.addWidget(page)
    path = tmp_path / "my.ics"
    page.export_to(path)
    qtbot.waitUntil(lambda: page.exported is not None, timeout=WAIT_MS)
    assert page.exported == 1, page.status_label.text()
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    [event] = list(cal.walk("VEVENT"))
    assert str(event["SUMMARY"]) == "月度复盘" and event["RRULE"]["FREQ"] == ["MONTHLY"]
    assert event.decoded("DTSTART") == NOW.replace(hour=15)


def test_followup_adds_the_next_contact_to_my_schedule_and_the_timeline_shows_it(
        qtbot: QtBot, ctx: AppContext) -> None:
    from PySide6.QtCore import QDateTime
    from shiboken6 import isValid

    from crm_desktop.services.customers.customers import customers
    from crm_desktop.ui.records.details.window import open_detail

    customer = customers.create(ctx.db, ctx.actor, {"name": "鹭岛机电"})
    window = open_detail(ctx, "customer", customer.id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None, timeout=WAIT_MS)
    dialog = window.add_followup()
    qtbot.waitUntil(dialog.kinds_loaded, timeout=WAIT_MS)
    dialog.content_edit.setPlainText("电话沟通，约下周二上门")
    dialog.next_check.setChecked(True)
    assert dialog.schedule_check.isEnabled()
    dialog.schedule_check.setChecked(True)
    when = QDateTime.currentDateTime().addDays(8)
    dialog.next_edit.setDateTime(when)
    dialog.save()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=WAIT_MS)
    start = dt.datetime.now(dt.UTC)
    occ = schedule_ops.occurrences(ctx.db, ctx.actor, start, start + dt.timedelta(days=10))
    assert [(o.title, o.kind, o.reminders) for o in occ] == [("鹭岛机电", "followup", (15,))]

    window.tabs.setCurrentWidget(window.tab("timeline"))
    tab = window.tab("timeline")
    tab.reload()
    qtbot.waitUntil(lambda: sorted(i.kind for i in tab.items) == ["event", "followup"], timeout=WAIT_MS)
    assert tab.tree.topLevelItemCount() == 2
    tab.kind_combo.setCurrentIndex(tab.kind_combo.findData("event"))
    qtbot.waitUntil(lambda: [i.kind for i in tab.items] == ["event"], timeout=WAIT_MS)
    task_dialog = tab.new_task()
    assert [r.record_id for r in task_dialog.related] == [customer.id]
    task_dialog.title_edit.setText("准备报价")
    task_dialog.save()
    tab.kind_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: sorted(i.kind for i in tab.items) == ["event", "followup", "task"], timeout=WAIT_MS)
    ops.wait_idle()


def test_enter_in_the_subtask_line_adds_a_subtask_and_does_not_save(qtbot: QtBot, ctx: AppContext) -> None:
    from PySide6.QtCore import Qt

    wb = TaskWorkbench(ctx, clock=Clock(NOW))
    qtbot.addWidget(wb)
    dialog = wb.new_task()
    assert dialog is not None
    dialog.title_edit.setText("x")
    dialog.subtask_edit.setText("第一步")
    qtbot.keyClick(dialog.subtask_edit, Qt.Key.Key_Return)
    assert dialog.subtasks.count() == 1 and dialog.isVisible() and dialog.subtask_edit.text() == ""
    dialog.mark_clean()
    dialog.reject()


def test_reminders_missed_while_closed_show_at_start(qtbot: QtBot, ctx: AppContext) -> None:
    from crm_desktop.services.activities.tasks import TaskInput, create_task

    yesterday = NOW - dt.timedelta(days=1)
    schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
        title="昨天的拜访", start_at=yesterday.replace(hour=14), end_at=yesterday.replace(hour=15), reminders=(60,)))
    create_task(ctx.db, ctx.actor, TaskInput(title="昨晚截止的报告", due_at=yesterday.replace(hour=18)), tz=TZ)
    tray = RecordingTray()
    scheduler = ReminderScheduler(ctx, clock=Clock(NOW), notify=tray.notify, interval_ms=3_600_000)
    fired: list[list] = []  # type: ignore[type-arg]
    scheduler.fired.connect(fired.append)
    scheduler.start()  # the app starts: what fell due while it was closed
    qtbot.waitUntil(lambda: len(fired) == 1, timeout=WAIT_MS)
    assert [(r.source, r.title) for r in fired[0]] == [("event", "昨天的拜访"), ("task", "昨晚截止的报告")]
    assert len(tray.shown) == 2
    scheduler.stop()
    assert scheduler.popup is not None
    scheduler.popup.close()


def test_a_colleagues_calendar_on_the_page(qtbot: QtBot, ctx: AppContext) -> None:
    bob = make_user(ctx.db, ctx.actor, "13900000091", perms=PERMS)
    schedule_ops.create_event(ctx.db, bob, schedule_ops.EventInput(
        title="乙的拜访", start_at=NOW.replace(hour=10), end_at=NOW.replace(hour=11)))
    page = CalendarPage(ctx, clock=Clock(NOW))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.person_combo.count() > 1, timeout=WAIT_MS)
    assert page.month_view.items_on(NOW.date()) == []
    page.show_person(bob.user_id)
    qtbot.waitUntil(lambda: page.month_view.items_on(NOW.date()) == ["乙的拜访"], timeout=WAIT_MS)
