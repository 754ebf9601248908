"""pytest-qt: reminders keep firing from the 7-day cache while the server is unreachable, and
are not announced again once it is back (they are then recorded as shown)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import sessionmaker

from crm_desktop.db import Database, make_engine
from crm_desktop.services.activities import reminders as reminder_ops
from crm_desktop.services.activities import schedule as schedule_ops
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.activities.reminders import ReminderScheduler
from crm_desktop.ui.context import AppContext
from tests.ui.test_activities_ui import NOW, WAIT_MS, Clock, RecordingTray
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


def unreachable() -> Database:
    """A real database handle whose server does not answer (nothing listens on port 9)."""
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere")
    return Database(engine=engine, sessions=sessionmaker(engine))


def test_reminders_fire_from_the_cache_while_the_server_is_away(qtbot: QtBot, ctx: AppContext,
                                                                 tmp_path: Path) -> None:
    schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
        title="拜访鹭岛机电", start_at=NOW.replace(hour=10), end_at=NOW.replace(hour=11), reminders=(15,)))
    clock = Clock(NOW)
    tray = RecordingTray()
    path = tmp_path / "reminders.json"
    scheduler = ReminderScheduler(ctx, clock=clock, notify=tray.notify, interval_ms=3_600_000, cache_path=path)
    fired: list[list] = []  # type: ignore[type-arg]
    scheduler.fired.connect(fired.append)
    scheduler.check()  # online at 09:00: nothing due; the coming week is cached
    qtbot.waitUntil(lambda: scheduler.cache is not None and path.exists(), timeout=WAIT_MS)
    assert [r.title for r in scheduler.cache.reminders] == ["拜访鹭岛机电"]

    away = unreachable()
    scheduler.ctx = replace(ctx, db=away)  # the server goes away
    try:
        clock.now = NOW.replace(hour=9, minute=46)
        scheduler.check()
        qtbot.waitUntil(lambda: len(fired) == 1, timeout=WAIT_MS)
        assert [r.title for r in fired[0]] == ["拜访鹭岛机电"] and len(tray.shown) == 1
        clock.now = NOW.replace(hour=9, minute=47)
        scheduler.check()  # still away: not announced twice
        ops.wait_idle()
        qtbot.waitUntil(lambda: not scheduler._busy, timeout=WAIT_MS)
        assert len(fired) == 1
    finally:
        away.dispose()

    scheduler.ctx = ctx  # back: recorded as shown, not announced again
    clock.now = NOW.replace(hour=9, minute=48)
    scheduler.check()
    qtbot.waitUntil(lambda: not scheduler._busy and not scheduler.offline, timeout=WAIT_MS)
    assert len(fired) == 1 and len(tray.shown) == 1
    assert reminder_ops.due_reminders(ctx.db, ctx.actor, start=NOW, end=NOW + dt.timedelta(hours=1)) == []
    assert scheduler.popup is not None
    scheduler.popup.close()


def test_a_new_scheduler_reads_the_cache_left_by_the_last_run(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    schedule_ops.create_event(ctx.db, ctx.actor, schedule_ops.EventInput(
        title="月度复盘", start_at=NOW.replace(hour=15), end_at=NOW.replace(hour=16), reminders=(30,)))
    path = tmp_path / "reminders.json"
    first = ReminderScheduler(ctx, clock=Clock(NOW), interval_ms=3_600_000, cache_path=path)
    first.check()
    qtbot.waitUntil(lambda: path.exists() and not first._busy, timeout=WAIT_MS)
    away = unreachable()
    try:  # the app starts again while the server is away
        later = ReminderScheduler(replace(ctx, db=away), clock=Clock(NOW.replace(hour=14, minute=31)),
                                  interval_ms=3_600_000, cache_path=path)
        fired: list[list] = []  # type: ignore[type-arg]
        later.fired.connect(fired.append)
        later.start()
        qtbot.waitUntil(lambda: len(fired) == 1, timeout=WAIT_MS)
        assert [r.title for r in fired[0]] == ["月度复盘"]
        later.stop()
        assert later.popup is not None
        later.popup.close()
    finally:
        away.dispose()
