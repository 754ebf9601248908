"""The message centre (top-bar count, list, reading, opening the record), the tray decision
and the to-do strip of the main window."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crm_desktop import config
from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup
from crm_desktop.services.workflow import automation
from crm_desktop.services.workflow.automation import MessageDTO, RuleInput
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.messages import MessageWatcher
from crm_desktop.ui.records.details.window import RecordDetailWindow
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


def message(id_: int, title: str, body: str = "", *, read: bool = False) -> MessageDTO:
    return MessageDTO(id_, title, body, "customer", 1, read, dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC))


def test_tray_notices_only_rising_counts(qtbot: QtBot, ctx: AppContext) -> None:
    watcher = MessageWatcher(ctx, interval_ms=3_600_000)
    qtbot.waitUntil(lambda: watcher.count is not None, timeout=WAIT_MS)
    newest = message(7, "新客户待首次跟进：厦门鹭岛贸易", "请在 24 小时内完成首次跟进。")
    assert watcher.notice_for(None, 3, newest) is None  # the count at log-in is not news
    assert watcher.notice_for(3, 3, newest) is None
    assert watcher.notice_for(3, 1, newest) is None  # messages were read
    assert watcher.notice_for(0, 1, None) is None
    assert watcher.notice_for(0, 1, message(7, "x", read=True)) is None  # read on another PC meanwhile
    assert watcher.notice_for(0, 1, newest) == ("新客户待首次跟进：厦门鹭岛贸易", "请在 24 小时内完成首次跟进。")
    assert watcher.notice_for(1, 4, newest) == (
        "新客户待首次跟进：厦门鹭岛贸易", "请在 24 小时内完成首次跟进。\n…and 2 more new message(s).")
    assert watcher.notice_for(0, 2, message(8, "", "")) == ("New message", "…and 1 more new message(s).")
    watcher.deleteLater()


def test_message_centre_count_read_open_and_mark_all(qtbot: QtBot, ctx: AppContext) -> None:
    db, actor = ctx.db, ctx.actor
    automation.create_rule(db, actor, RuleInput(
        name="新客户提醒负责人", entity="customer", event="created",
        actions=({"type": "message", "to": "owner", "title": "新客户：{name}", "body": "请尽快首次跟进 {name}。"},)))
    window = MainWindow(ctx, settings=config.Config(path=None))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    assert window.tray is None  # offscreen there is no tray: notifications are skipped
    qtbot.waitUntil(lambda: window.messages.count == 0, timeout=WAIT_MS)
    assert window.message_button.text() == "Messages"

    # Saving customers fires the rule; the change signal makes the window count at once.
    with qtbot.waitSignal(window.messages.arrived, timeout=WAIT_MS) as arrived:
        first = customers.create(db, actor, {"name": "厦门鹭岛贸易有限公司"})
        second = customers.create(db, actor, {"name": "泉州恒信纺织有限公司"})
        qtbot.waitUntil(lambda: window.messages.count == 2, timeout=WAIT_MS)
    assert window.message_button.text() == "Messages 2"
    assert arrived.args[0] in ("新客户：泉州恒信纺织有限公司", "新客户：厦门鹭岛贸易有限公司")

    centre = window.open_messages()
    qtbot.waitUntil(lambda: len(centre.messages) == 2, timeout=WAIT_MS)
    assert [m.title for m in centre.messages] == ["新客户：泉州恒信纺织有限公司", "新客户：厦门鹭岛贸易有限公司"]
    assert all(centre.table.item(r, 0).font().bold() for r in range(2))  # unread in bold
    assert centre.selected() is None and not centre.open_button.isEnabled()
    assert window.open_messages() is centre  # one centre at a time

    # Opening a message shows its record's detail and marks it read.
    centre.select_message(centre.messages[1].id)
    assert "请尽快首次跟进 厦门鹭岛贸易有限公司。" in centre.view.toPlainText()
    centre.open_selected()
    details = [w for w in window.findChildren(RecordDetailWindow) if w.isVisible()]
    assert [(w.entity, w.record_id) for w in details] == [("customer", first.id)]
    assert window.current_tab_key() == "customers"
    qtbot.waitUntil(lambda: window.messages.count == 1, timeout=WAIT_MS)
    assert window.message_button.text() == "Messages 1"
    qtbot.waitUntil(lambda: [m.read for m in centre.messages] == [False, True], timeout=WAIT_MS)
    assert centre.table.item(0, 0).font().bold() and not centre.table.item(1, 0).font().bold()

    # Unread only, then mark all read.
    centre.unread_button.click()
    qtbot.waitUntil(lambda: [m.id for m in centre.messages] == [automation.list_messages(db, actor)[0].id],
                    timeout=WAIT_MS)
    assert centre.messages[0].record_id == second.id
    centre.mark_all_button.click()
    qtbot.waitUntil(lambda: window.messages.count == 0, timeout=WAIT_MS)
    assert window.message_button.text() == "Messages"
    qtbot.waitUntil(lambda: centre.messages == [] and centre.empty_label.isVisible(), timeout=WAIT_MS)
    assert automation.unread_count(db, actor) == 0
    centre.close()
    for detail in details:
        detail.close()

    # The to-do strip: a follow-up due today counts, and its link shows the customer list
    # narrowed to the actor's records due today.
    now = dt.datetime.now().astimezone()
    later_today = now.replace(hour=23, minute=59, second=59, microsecond=0)
    add_followup(db, actor, target_entity="customer", target_id=first.id, content="电话沟通报价",
                 followed_at=now - dt.timedelta(hours=1), next_contact_at=later_today)
    strip = window.todo
    qtbot.waitUntil(lambda: strip.counts is not None and strip.counts.followups_due_today == 1, timeout=WAIT_MS)
    assert strip.followups_button.text() == "Follow-ups due today 1"
    window.show_tab("workbench")
    tab = window.customers_tab
    assert tab is not None
    qtbot.waitUntil(lambda: tab.view_bar.ready, timeout=WAIT_MS)
    strip.followups_button.click()
    assert window.current_tab_key() == "customers"
    assert tab.model.view_key == "mine" and len(tab.model.filter.conditions) == 2
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT_MS)
    assert tab.model.record(0).id == first.id
    strip.recycle_button.click()
    assert window.current_tab_key() == "customers"

    # A rebuilt window (language switch) keeps counting into its new button and strip.
    window.rebuild()
    assert window.message_button.text() == "Messages" and window.todo is not strip
    customers.create(db, actor, {"name": "龙岩金山矿业设备有限公司"})
    qtbot.waitUntil(lambda: window.message_button.text() == "Messages 1", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.todo.counts is not None, timeout=WAIT_MS)
    window.close_without_asking()
