"""pytest-qt on the real to-do strip: its "Tasks and events" number is the number of rows of
the list it opens (overdue and due-today tasks, today's events)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.activities.schedule import EventInput, create_event
from crm_desktop.services.activities.tasks import TaskInput, create_task
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.todo import TodoStrip
from tests.ui_helpers import admin_context

WAIT_MS = 15_000


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


def test_strip_number_equals_rows_of_its_list(qtbot: QtBot, ctx: AppContext) -> None:
    db, me = ctx.db, ctx.actor
    now = dt.datetime.now().astimezone()
    today = now.date()
    for title, due in (("交标书", today), ("补合同", today - dt.timedelta(days=3)),
                       ("下周的事", today + dt.timedelta(days=5))):
        create_task(db, me, TaskInput(title=title, due_date=due))
    start = dt.datetime.combine(today, dt.time(23, 0)).astimezone()
    create_event(db, me, EventInput(title="晚上复盘", start_at=start, end_at=start + dt.timedelta(minutes=30)))

    strip = TodoStrip(ctx)
    qtbot.addWidget(strip)
    qtbot.waitUntil(lambda: strip.counts is not None, timeout=WAIT_MS)
    assert strip.counts is not None and strip.counts.activities == 3
    assert strip.activities_button.text() == "Tasks and events 3"

    strip.activities_button.click()
    dialog = strip.activities_list
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == strip.counts.activities, timeout=WAIT_MS)
    titles = [dialog.tree.topLevelItem(i).text(1) for i in range(dialog.tree.topLevelItemCount())]
    assert titles == ["补合同", "交标书", "晚上复盘"]
    assert dialog.tree.topLevelItem(0).text(0) == "Task overdue"

    # A new task due today changes both the number and the list the same way.
    create_task(db, me, TaskInput(title="又一件", due_date=today))
    strip.reload()
    qtbot.waitUntil(lambda: strip.counts is not None and strip.counts.activities == 4, timeout=WAIT_MS)
    opened = strip.open_activities()
    qtbot.waitUntil(lambda: opened.tree.topLevelItemCount() == 4, timeout=WAIT_MS)
    with qtbot.waitSignal(strip.open_module, timeout=WAIT_MS) as blocker:
        opened._open(opened.tree.topLevelItem(0), 0)
    assert blocker.args == ["activities"]
    dialog.close()
    opened.close()
