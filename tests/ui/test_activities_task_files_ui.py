"""pytest-qt: an existing task's form lists its files; a file is added and removed there."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.activities import task_files as file_ops
from crm_desktop.services.activities.tasks import TaskInput, create_task
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.activities.task_dialog import TaskDialog
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


def test_files_are_added_and_removed_in_the_task_form(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    task = create_task(ctx.db, ctx.actor, TaskInput(title="准备投标文件"), tz=TZ)
    new = TaskDialog(ctx, clock=Clock(NOW))
    qtbot.addWidget(new)
    assert new.files is None  # a task not saved yet has no files
    dialog = TaskDialog(ctx, task=task, clock=Clock(NOW))
    qtbot.addWidget(dialog)
    assert dialog.files is not None
    files = dialog.files
    qtbot.waitUntil(lambda: files.files == [] and files.list.count() == 0, timeout=WAIT_MS)
    source = tmp_path / "报价单.xlsx"
    source.write_bytes(b"PK\x03\x04" + b"0" * 2048)
    files.add_file(source)
    qtbot.waitUntil(lambda: files.list.count() == 1, timeout=WAIT_MS)
    assert files.list.item(0).text().startswith("报价单.xlsx  (2 KB")
    assert file_ops.read_task_file(ctx.db, ctx.actor, files.files[0].id) == ("报价单.xlsx", source.read_bytes())
    files.list.setCurrentRow(0)
    files.remove_selected()
    qtbot.waitUntil(lambda: files.list.count() == 0, timeout=WAIT_MS)
    assert file_ops.list_task_files(ctx.db, ctx.actor, task.id) == []
    dialog.mark_clean()
    dialog.reject()
    new.mark_clean()
    new.reject()


def test_comments_with_a_mention_and_the_operation_log_in_the_task_form(qtbot: QtBot, ctx: AppContext) -> None:
    from crm_desktop.services.workflow.automation import list_messages
    from tests.test_activities_tasks import PERMS
    from tests.test_customers import make_user

    bob = make_user(ctx.db, ctx.actor, "13900000601", perms=PERMS)
    task = create_task(ctx.db, ctx.actor, TaskInput(title="准备投标文件", participant_ids=(bob.user_id,)), tz=TZ)
    dialog = TaskDialog(ctx, task=task, clock=Clock(NOW))
    qtbot.addWidget(dialog)
    assert dialog.comments is not None and dialog.extras is not None
    dialog.open()
    comments = dialog.comments
    comments.edit.setText(f"@{bob.name}请看一下技术部分")
    qtbot.keyClick(comments.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: comments.list.count() == 1, timeout=WAIT_MS)
    assert comments.comments[0].mentions == (bob.user_id,) and dialog.isVisible()  # Enter did not save
    assert [m.entity for m in list_messages(ctx.db, bob)] == ["task"]
    log = dialog.extras.widget(2)
    qtbot.waitUntil(lambda: not log.is_loading() and len(log.entries) >= 1, timeout=WAIT_MS)
    assert [e.action for e in log.entries][-1] == "create"
    dialog.mark_clean()
    dialog.reject()
