"""The detail page's follow-up tab and the "Add follow-up" dialog, on a real database."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers import followups as followup_ops
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.records import attachments as attachment_ops
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.followups import AddFollowUpDialog
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot, window: RecordDetailWindow) -> None:
    qtbot.waitUntil(lambda: not window.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def customer(ctx: AppContext) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": "厦门星辰科技有限公司"})


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, customer: RecordDTO) -> Iterator[RecordDetailWindow]:
    widget = open_detail(ctx, "customer", customer.id, parent=None)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.data is not None, timeout=10_000)
    settle(qtbot, widget)
    yield widget
    if isValid(widget):
        widget.close()
    ops.wait_idle()


def open_dialog(qtbot: QtBot, window: RecordDetailWindow) -> AddFollowUpDialog:
    dialog = window.add_followup()
    qtbot.waitUntil(dialog.kinds_loaded, timeout=5_000)
    return dialog


def test_add_followup_updates_tab_and_header(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                             window: RecordDetailWindow) -> None:
    assert window.facts["last_followup_at"] == "—"
    dialog = open_dialog(qtbot, window)
    kinds = [dialog.kind_combo.itemText(i) for i in range(dialog.kind_combo.count())]
    assert "Visit" in kinds or "上门拜访" in kinds
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("visit"))
    dialog.content_edit.setPlainText("上门拜访，客户对方案满意。\n下周报价。")
    when = QDateTime.currentDateTime().addSecs(-3600)
    dialog.time_edit.setDateTime(when)
    dialog.next_check.setChecked(True)
    next_time = QDateTime.currentDateTime().addDays(2)
    dialog.next_edit.setDateTime(next_time)
    dialog.save()
    tab = window.tab("followups")
    qtbot.waitUntil(lambda: len(tab.rows) == 1, timeout=5_000)
    qtbot.waitUntil(lambda: window.facts.get("last_followup_at") not in (None, "—"), timeout=5_000)
    settle(qtbot, window)
    assert not isValid(dialog) or not dialog.isVisible()
    item = tab.tree.topLevelItem(0)
    assert item.text(2) == "上门拜访，客户对方案满意。\n下周报价。"
    assert item.text(4) == ctx.actor.name
    assert item.text(1) in ("Visit", "上门拜访")
    expected_time = when.toPython().strftime("%Y-%m-%d %H:%M")
    assert window.facts["last_followup_at"] == expected_time == item.text(0)
    assert window.facts["next_contact_at"] == next_time.toPython().strftime("%Y-%m-%d %H:%M") == item.text(3)
    stored = customers.get(ctx.db, ctx.actor, customer.id).values
    assert stored["last_followup_content"].startswith("上门拜访")
    assert stored["next_contact_at"] is not None
    assert abs(stored["next_contact_at"] - next_time.toPython().astimezone()) < dt.timedelta(minutes=1)


def test_newest_first(qtbot: QtBot, ctx: AppContext, customer: RecordDTO, window: RecordDetailWindow) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    for days, text in ((3, "最早"), (1, "最新"), (2, "中间")):
        followup_ops.add_followup(ctx.db, ctx.actor, target_entity="customer", target_id=customer.id,
                                  content=text, followed_at=now - dt.timedelta(days=days))
    tab = window.tab("followups")
    qtbot.waitUntil(lambda: len(tab.rows) == 3, timeout=5_000)
    assert [tab.tree.topLevelItem(i).text(2) for i in range(3)] == ["最新", "中间", "最早"]
    assert tab.count_label.text() == "Follow-ups: 3"


def test_content_is_required(qtbot: QtBot, ctx: AppContext, customer: RecordDTO, window: RecordDetailWindow) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.content_edit.setPlainText("   ")
    dialog.save()
    assert dialog.content_error.text() == "Write what happened."
    assert dialog.isVisible()
    assert followup_ops.list_followups(ctx.db, ctx.actor, target_entity="customer", target_id=customer.id).rows == ()
    dialog.reject()


def test_next_contact_before_the_followup_is_refused(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                                     window: RecordDetailWindow) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.content_edit.setPlainText("电话")
    dialog.next_check.setChecked(True)
    dialog.next_edit.setDateTime(QDateTime.currentDateTime().addDays(-1))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.next_error.text() != "", timeout=5_000)
    assert "later" in dialog.next_error.text()
    assert dialog.isVisible()
    dialog.reject()


def test_followup_with_files_attaches_them(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                           window: RecordDetailWindow, tmp_path: Path) -> None:
    note = tmp_path / "拜访纪要.txt"
    note.write_text("纪要", encoding="utf-8")
    dialog = open_dialog(qtbot, window)
    dialog.content_edit.setPlainText("拜访")
    dialog.set_files([str(note)])
    assert dialog.files_list.count() == 1
    dialog.save()
    files = window.tab("attachments")
    qtbot.waitUntil(lambda: len(files.rows) == 1, timeout=5_000)
    assert files.rows[0].filename == "拜访纪要.txt"
    assert len(window.tab("followups").rows) == 1


def test_oversize_file_is_refused_before_saving(qtbot: QtBot, ctx: AppContext, customer: RecordDTO,
                                                window: RecordDetailWindow, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachment_ops, "MAX_BYTES", 10)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 11)
    dialog = open_dialog(qtbot, window)
    dialog.content_edit.setPlainText("拜访")
    dialog.set_files([str(big)])
    dialog.save()
    assert "big.bin" in dialog.message_label.text() and "larger than" in dialog.message_label.text()
    assert followup_ops.list_followups(ctx.db, ctx.actor, target_entity="customer", target_id=customer.id).rows == ()
    dialog.reject()


def test_lead_followup_from_the_lead_detail(qtbot: QtBot, ctx: AppContext) -> None:
    lead = leads.create(ctx.db, ctx.actor, {"name": "鹭岛贸易"})
    window = open_detail(ctx, "lead", lead.id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None, timeout=10_000)
    settle(qtbot, window)
    dialog = open_dialog(qtbot, window)
    dialog.content_edit.setPlainText("首次电话")
    dialog.save()
    qtbot.waitUntil(lambda: window.facts.get("status") == "Following", timeout=5_000)
    settle(qtbot, window)
    assert len(window.tab("followups").rows) == 1
    window.close()
    ops.wait_idle()
