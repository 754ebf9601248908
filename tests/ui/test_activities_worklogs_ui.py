"""pytest-qt: a rep writes today's report on the work log page; their superior reads it there and
comments; the rep sees the comment."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.org import users
from crm_desktop.services.org.auth import login
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.activities.worklog_page import WorkLogPage
from crm_desktop.ui.context import AppContext, make_context
from tests.test_activities_tasks import PERMS
from tests.test_customers import make_user
from tests.ui.test_activities_ui import NOW, WAIT_MS, Clock
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


def test_a_report_is_written_read_by_the_superior_and_commented(qtbot: QtBot, ctx: AppContext) -> None:
    boss = make_user(ctx.db, ctx.actor, "13900000401", perms=PERMS)
    rep = make_user(ctx.db, ctx.actor, "13900000402", perms=PERMS)
    u = users.get_user(ctx.db, ctx.actor, rep.user_id)
    users.update_user(ctx.db, ctx.actor, rep.user_id, users.UserInput(
        mobile=u.mobile, name=u.name, department_id=u.department_id, superior_id=boss.user_id,
        role_ids=tuple(u.role_ids)))
    rep = login(ctx.db, u.mobile, "abc12345")

    mine = WorkLogPage(make_context(ctx.db, rep), clock=Clock(NOW))
    qtbot.addWidget(mine)
    mine.done_edit.setPlainText("拜访鹭岛机电，确认二期需求")
    mine.plan_edit.setPlainText("准备报价")
    mine.save()
    qtbot.waitUntil(lambda: [log.done_text for log in mine.logs] == ["拜访鹭岛机电，确认二期需求"], timeout=WAIT_MS)
    assert mine.logs[0].day == NOW.date() and mine.logs[0].kind == "daily"

    theirs = WorkLogPage(make_context(ctx.db, boss), clock=Clock(NOW))
    qtbot.addWidget(theirs)
    qtbot.waitUntil(lambda: [log.author_id for log in theirs.logs] == [rep.user_id], timeout=WAIT_MS)
    assert theirs.select_log(theirs.logs[0].id)
    qtbot.waitUntil(lambda: theirs.shown is not None and "准备报价" in theirs.detail.text(), timeout=WAIT_MS)
    theirs.comment_edit.setText("报价注意账期")
    theirs.add_comment()
    qtbot.waitUntil(lambda: theirs.comments.count() == 1, timeout=WAIT_MS)

    outsider = WorkLogPage(make_context(ctx.db, make_user(ctx.db, ctx.actor, "13900000403", perms=PERMS)),
                           clock=Clock(NOW))
    qtbot.addWidget(outsider)
    ops.wait_idle()
    qtbot.waitUntil(lambda: outsider.tree.topLevelItemCount() == 0 and outsider.message.text() == "", timeout=WAIT_MS)

    mine.reload()
    qtbot.waitUntil(lambda: mine.tree.topLevelItemCount() == 1, timeout=WAIT_MS)
    assert mine.select_log(mine.logs[0].id)
    qtbot.waitUntil(lambda: mine.comments.count() == 1 and "报价注意账期" in mine.comments.item(0).text(),
                    timeout=WAIT_MS)


def test_a_log_about_a_customer_opens_from_its_timeline(qtbot: QtBot, ctx: AppContext) -> None:
    from shiboken6 import isValid

    from crm_desktop.services.activities.worklogs import get_log, write_log
    from crm_desktop.services.customers.customers import customers
    from crm_desktop.ui.activities.worklog_page import WorkLogDialog
    from crm_desktop.ui.records.details.window import open_detail

    customer = customers.create(ctx.db, ctx.actor, {"name": "鹭岛机电"})
    log = write_log(ctx.db, ctx.actor, kind="weekly", day=NOW.date(), done_text="本周两次拜访鹭岛机电",
                    related=(("customer", customer.id),))
    window = open_detail(ctx, "customer", customer.id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None, timeout=WAIT_MS)
    tab = window.tab("timeline")
    window.tabs.setCurrentWidget(tab)
    tab.reload()
    qtbot.waitUntil(lambda: [i.kind for i in tab.items] == ["log"], timeout=WAIT_MS)
    assert tab.tree.topLevelItem(0).text(3) == "Weekly report"
    tab.tree.setCurrentItem(tab.tree.topLevelItem(0))
    tab.open_selected()
    dialog = tab.dialog
    assert isinstance(dialog, WorkLogDialog)
    qtbot.waitUntil(lambda: dialog.log is not None and "本周两次拜访鹭岛机电" in dialog.detail.text(), timeout=WAIT_MS)
    dialog.comment_edit.setText("好")
    dialog.add_comment()
    qtbot.waitUntil(lambda: dialog.comments.count() == 1, timeout=WAIT_MS)
    assert [c.body for c in get_log(ctx.db, ctx.actor, log.id).comments] == ["好"]
    dialog.accept()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=WAIT_MS)
