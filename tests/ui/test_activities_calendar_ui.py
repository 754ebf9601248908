"""pytest-qt on the calendar's hour views: dragging an event moves it (to another hour and day),
dragging its bottom edge resizes it, an occurrence of a series asks which ones move; the day
view shows one day."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.activities import schedule as schedule_ops
from crm_desktop.services.activities.recurrence import Repeat
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.activities.calendar_page import CalendarPage
from crm_desktop.ui.activities.calendar_views import WeekView
from crm_desktop.ui.context import AppContext
from tests.ui.test_activities_ui import NOW, TZ, WAIT_MS, Clock
from tests.ui_helpers import admin_context


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


def shown(qtbot: QtBot, page: CalendarPage, view: str) -> None:
    page.resize(1200, 760)
    page.show()
    qtbot.waitExposed(page)
    page.show_view(view)


def painted_rect(qtbot: QtBot, view: WeekView, title: str):  # type: ignore[no-untyped-def]
    """The item called ``title`` and where the view painted it (after it was read and painted)."""
    def found() -> bool:
        view.repaint()
        return any(i.title == title and view.rect_of(i) is not None for i in view.items)
    qtbot.waitUntil(found, timeout=WAIT_MS)
    item = next(i for i in view.items if i.title == title and view.rect_of(i) is not None)
    return item, view.rect_of(item)


def drag(qtbot: QtBot, view: WeekView, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(view, middle)
    qtbot.mouseMove(view, end)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)


def test_drag_moves_an_event_to_another_day_and_hour_and_the_edge_resizes_it(qtbot: QtBot, ctx: AppContext) -> None:
    event = schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
        title="拜访客户", start_at=NOW.replace(hour=10), end_at=NOW.replace(hour=11)))
    page = CalendarPage(ctx, clock=Clock(NOW))
    qtbot.addWidget(page)
    shown(qtbot, page, "week")
    view = page.week_view
    _item, rect = painted_rect(qtbot, view, "拜访客户")
    _top, hour_h, col_w = view._geometry
    drag(qtbot, view, rect.center(), rect.center() + QPoint(int(col_w), int(hour_h * 1.5)))
    tuesday = NOW + dt.timedelta(days=1)

    def times() -> tuple[dt.datetime, dt.datetime]:
        e = schedule_ops.get_event(ctx.db, ctx.actor, event.id)
        return e.start_at.astimezone(TZ), e.end_at.astimezone(TZ)

    qtbot.waitUntil(lambda: times() == (tuesday.replace(hour=11, minute=30), tuesday.replace(hour=12, minute=30)),
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: view.items_on(tuesday.date()) == ["拜访客户"], timeout=WAIT_MS)

    _item, rect = painted_rect(qtbot, view, "拜访客户")
    grip = QPoint(rect.center().x(), rect.bottom() - 1)
    drag(qtbot, view, grip, grip + QPoint(0, int(hour_h)))  # the bottom edge: one hour longer
    qtbot.waitUntil(lambda: times() == (tuesday.replace(hour=11, minute=30), tuesday.replace(hour=13, minute=30)),
                    timeout=WAIT_MS)
    page.close()


def test_dragging_an_occurrence_asks_and_moves_only_that_one(qtbot: QtBot, ctx: AppContext) -> None:
    schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
        title="周例会", start_at=NOW.replace(hour=9), end_at=NOW.replace(hour=10), repeat=Repeat("weekly", count=3)))
    page = CalendarPage(ctx, clock=Clock(NOW))
    qtbot.addWidget(page)
    shown(qtbot, page, "week")
    page.go(1)  # the second week
    view = page.week_view
    second = NOW.date() + dt.timedelta(weeks=1)
    qtbot.waitUntil(lambda: view.items_on(second) == ["周例会"], timeout=WAIT_MS)
    _item, rect = painted_rect(qtbot, view, "周例会")
    _top, hour_h, _col_w = view._geometry
    drag(qtbot, view, rect.center(), rect.center() + QPoint(0, int(hour_h * 2)))
    qtbot.waitUntil(lambda: page.scope_question is not None, timeout=WAIT_MS)
    assert page.scope_question is not None
    page.scope_question.buttons()[0].click()  # "This event"
    window = (NOW - dt.timedelta(days=1), NOW + dt.timedelta(weeks=4))
    qtbot.waitUntil(lambda: [o.start.astimezone(TZ).hour for o in schedule_ops.occurrences(
        ctx.db, ctx.actor, *window)] == [9, 11, 9], timeout=WAIT_MS)
    page.close()


def test_the_day_view_shows_one_day(qtbot: QtBot, ctx: AppContext) -> None:
    for day, title in ((0, "周一的拜访"), (1, "周二的拜访")):
        start = NOW.replace(hour=14) + dt.timedelta(days=day)
        schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
            title=title, start_at=start, end_at=start + dt.timedelta(hours=1)))
    page = CalendarPage(ctx, clock=Clock(NOW))
    qtbot.addWidget(page)
    shown(qtbot, page, "day")
    qtbot.waitUntil(lambda: [i.title for i in page.items] == ["周一的拜访"], timeout=WAIT_MS)
    assert page.title_label.text() == f"{NOW.date():%Y-%m-%d}"
    page.go(1)
    qtbot.waitUntil(lambda: [i.title for i in page.items] == ["周二的拜访"], timeout=WAIT_MS)
    assert page.day_view.items_on(NOW.date() + dt.timedelta(days=1)) == ["周二的拜访"]
    page.day_view.grab()  # paints without errors
    page.close()


def test_an_ics_kept_up_to_date_in_a_chosen_folder(qtbot: QtBot, ctx: AppContext, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import icalendar

    from crm_desktop.ui.activities.ics_sync import IcsFolderSync

    page = CalendarPage(ctx, clock=Clock(NOW))
    qtbot.addWidget(page)
    folder = tmp_path / "日历"
    page.ics_sync.set_folder(folder)
    path = folder / f"crm-calendar-{ctx.actor.user_id}.ics"
    qtbot.waitUntil(path.exists, timeout=WAIT_MS)
    schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
        title="拜访鹭岛机电", start_at=NOW.replace(hour=10), end_at=NOW.replace(hour=11), reminders=(15,)))

    def titles() -> list[str]:
        return [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")]

    qtbot.waitUntil(lambda: titles() == ["拜访鹭岛机电"], timeout=WAIT_MS)  # the change was written
    again = IcsFolderSync(ctx)  # the next start remembers the folder
    assert again.folder == folder
    page.ics_sync.set_folder(None)
    assert IcsFolderSync(ctx).folder is None
