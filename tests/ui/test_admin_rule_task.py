"""pytest-qt: a rule with the "create a task" action is made and edited in the rule editor,
the rules table describes it in words, and it fires on a real save."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.activities.workbench import list_bucket
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.workflow import automation as auto
from crm_desktop.ui.admin.automation_rules import AutomationRulesPage
from crm_desktop.ui.admin.rule_actions import CreateTaskEditor
from crm_desktop.ui.admin.rule_editor import RuleEditorDialog
from crm_desktop.ui.forms import alive
from crm_desktop.ui.ops import running_count
from tests.test_activities_tasks import PERMS
from tests.test_customers import make_user
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)
    qtbot.wait(20)  # results queued by the last op arrive
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


def ok(qtbot: QtBot, dialog: RuleEditorDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settle(qtbot)


def test_create_task_rule_made_edited_described_and_fired(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = sqlite_db, ctx.actor
    bob = make_user(db, admin, "13900000081", perms=PERMS)

    page = AutomationRulesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    settle(qtbot)

    dialog = page.new_rule()
    settle(qtbot)
    assert dialog.ready
    dialog.name_edit.setText("新客户回访")
    assert dialog.action_list is not None
    combo = dialog.action_list.kind_combo
    assert combo.findData("create_task") >= 0
    combo.setCurrentIndex(combo.findData("create_task"))
    dialog.action_list.add_button.click()
    editor = dialog.action_list.cards[-1].editor
    assert isinstance(editor, CreateTaskEditor)
    assert not editor.days_spin.isVisibleTo(editor) and not editor.user_combo.isVisibleTo(editor)

    # An empty title is refused and the dialog stays open.
    ok(qtbot, dialog)
    assert dialog.isVisible() and auto.list_rules(db, admin) == []

    editor.title_edit.setText("回访 ")
    editor.insert_combo.setCurrentIndex(editor.insert_combo.findData("name"))
    editor.insert_combo.activated.emit(editor.insert_combo.currentIndex())
    assert editor.title_edit.text() == "回访 {name}"
    editor.due_combo.setCurrentIndex(editor.due_combo.findData("days"))
    assert editor.days_spin.isVisibleTo(editor)
    editor.days_spin.setValue(2)
    editor.priority_combo.setCurrentIndex(editor.priority_combo.findData("high"))
    ok(qtbot, dialog)
    assert not alive(dialog)
    [rule] = auto.list_rules(db, admin)
    assert rule.actions == ({"type": "create_task", "title": "回访 {name}", "priority": "high", "to": "owner",
                             "due_in_days": 2},)
    assert page.table.item(0, 4).text() == "Task for the owner: 回访 {name} (due in 2 days, priority High)"

    # Edit: give it to a chosen user, no due date; the editor shows what was stored.
    page.select_rule(rule.id)
    edit = page.edit_current()
    assert edit is not None
    settle(qtbot)
    assert edit.action_list is not None
    task_editor = edit.action_list.cards[0].editor
    assert isinstance(task_editor, CreateTaskEditor)
    assert task_editor.title_edit.text() == "回访 {name}" and task_editor.days_spin.value() == 2
    assert task_editor.priority_combo.currentData() == "high"
    task_editor.to_combo.setCurrentIndex(task_editor.to_combo.findData("users"))
    task_editor.user_combo.setCurrentIndex(task_editor.user_combo.findData(bob.user_id))
    task_editor.due_combo.setCurrentIndex(task_editor.due_combo.findData("none"))
    ok(qtbot, edit)
    assert not alive(edit)
    [rule] = auto.list_rules(db, admin)
    assert rule.actions == ({"type": "create_task", "title": "回访 {name}", "priority": "high", "to": "users",
                             "user_ids": [bob.user_id]},)
    qtbot.waitUntil(lambda: "Task for " in page.table.item(0, 4).text() and "no due date" in page.table.item(0, 4).text(),
                    timeout=15_000)

    # It fires: bob finds the task in his inbox.
    customers.create(db, admin, {"name": "丁公司"})
    made = list_bucket(db, bob, "inbox", today=dt.date.today())
    assert [(r.title, r.priority) for r in made] == [("回访 丁公司", "high")]
