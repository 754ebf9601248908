"""Tasks on both backends: create with subtasks, participants and related records; buckets;
moving between buckets sets the date; finishing; visibility; comments with @mentions; events."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from crm_desktop.db import Database
from crm_desktop.models import Message
from crm_desktop.services.activities.tasks import (
    TaskInput,
    add_comment,
    create_task,
    get_task,
    move_task,
    note_overdue,
    operation_log,
    set_done,
    update_task,
)
from crm_desktop.services.activities.workbench import bucket_counts, list_bucket
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.events import TaskCompleted, TaskCreated, TaskOverdue
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from tests.test_customers import capture, make_user

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 2)
ACTIVITY = ("view", "create", "edit", "delete")
PERMS = {"customer": RECORD_ACTIONS, "task": ACTIVITY, "event": ACTIVITY}


def test_task_life_inbox_today_done(db: Database, admin: Actor) -> None:
    alice = make_user(db, admin, "13900000001", perms=PERMS)
    bob = make_user(db, admin, "13900000002", perms=PERMS)
    carol = make_user(db, admin, "13900000003", perms=PERMS)
    c = customers.create(db, alice, {"name": "星辰科技"})
    seen = capture(db)
    t = create_task(db, alice, TaskInput(
        title=" 准备报价 ", priority="high", tags=("报价", " ", "报价"), participant_ids=(bob.user_id,),
        related=(("customer", c.id),), subtasks=(("整理需求", False), ("算价格", False))), tz=SH)
    assert t.title == "准备报价" and t.tags == ("报价",) and t.due_date is None
    assert [p.user_id for p in t.participants] == [bob.user_id]
    assert [(r.entity, r.record_id, r.name) for r in t.related] == [("customer", c.id, "星辰科技")]
    assert [s.title for s in t.subtasks] == ["整理需求", "算价格"]
    created = [e for e in seen if isinstance(e, TaskCreated)]
    assert {(e.entity, e.record_id) for e in created} == {("task", t.id), ("customer", c.id)}

    assert [r.id for r in list_bucket(db, alice, "inbox", today=TODAY)] == [t.id]
    assert [r.id for r in list_bucket(db, bob, "inbox", today=TODAY, role="involved")] == [t.id]
    assert list_bucket(db, bob, "inbox", today=TODAY) == []  # bob does not own it
    with pytest.raises(NotFound):  # carol neither takes part nor sees the customer
        get_task(db, carol, t.id)

    moved = move_task(db, alice, t.id, "today", today=TODAY, tz=SH)
    assert moved.due_date == TODAY
    assert [r.id for r in list_bucket(db, alice, "today", today=TODAY)] == [t.id]
    assert bucket_counts(db, alice, today=TODAY) == {"inbox": 0, "today": 1, "next": 0, "later": 0, "overdue": 0,
                                                     "done": 0}
    assert move_task(db, alice, t.id, "next", today=TODAY, tz=SH).due_date == TODAY + dt.timedelta(days=1)
    assert move_task(db, alice, t.id, "later", today=TODAY, tz=SH).due_date == TODAY + dt.timedelta(days=8)
    assert bucket_counts(db, alice, today=TODAY)["later"] == 1

    done = set_done(db, bob, t.id)  # a participant may finish it
    assert done.done and done.done_at is not None
    assert [r.id for r in list_bucket(db, alice, "done", today=TODAY)] == [t.id]
    assert {(e.entity, e.record_id) for e in seen if isinstance(e, TaskCompleted)} == {("task", t.id),
                                                                                      ("customer", c.id)}
    assert set_done(db, bob, t.id).version == done.version  # finishing twice changes nothing
    actions = [e.action for e in operation_log(db, alice, t.id)]
    assert actions[0] == "create" and actions.count("update") == 4


def test_due_time_keeps_its_time_when_moved_and_overdue_is_noted_once(db: Database, admin: Actor) -> None:
    due = dt.datetime(2026, 3, 1, 17, 30, tzinfo=SH)
    t = create_task(db, admin, TaskInput(title="回访", due_at=due), tz=SH)
    assert t.due_date == dt.date(2026, 3, 1)
    assert [r.id for r in list_bucket(db, admin, "overdue", today=TODAY)] == [t.id]
    seen = capture(db)
    assert note_overdue(db, today=TODAY) == 1 and note_overdue(db, today=TODAY) == 0
    assert [e.record_id for e in seen if isinstance(e, TaskOverdue)] == [t.id]
    moved = move_task(db, admin, t.id, "today", today=TODAY, tz=SH)
    assert moved.due_at == dt.datetime(2026, 3, 2, 17, 30, tzinfo=SH)
    assert move_task(db, admin, t.id, "inbox", today=TODAY, tz=SH).due_at is None


def test_visibility_follows_the_related_record_and_the_scope(db: Database, admin: Actor) -> None:
    boss = make_user(db, admin, "13900000011", perms=PERMS, scope=DataScope.ALL)
    alice = make_user(db, admin, "13900000012", perms=PERMS)
    bob = make_user(db, admin, "13900000013", perms=PERMS)
    c = customers.create(db, alice, {"name": "甲"})
    t = create_task(db, alice, TaskInput(title="a", related=(("customer", c.id),)))
    assert get_task(db, boss, t.id).id == t.id  # the boss's task scope covers alice
    with pytest.raises(NotFound):
        get_task(db, bob, t.id)
    with pytest.raises(ValidationError):  # bob cannot relate a task to a record he does not see
        create_task(db, bob, TaskInput(title="b", related=(("customer", 999999),)))
    no_tasks = make_user(db, admin, "13900000014", perms={"customer": RECORD_ACTIONS})
    with pytest.raises(PermissionDenied):
        create_task(db, no_tasks, TaskInput(title="c"))


def test_related_record_visibility_opens_the_task(db: Database, admin: Actor) -> None:
    alice = make_user(db, admin, "13900000021", perms=PERMS, scope=DataScope.ALL)
    bob = make_user(db, admin, "13900000022", perms=PERMS)
    c = customers.create(db, bob, {"name": "乙"})
    # alice (scope all on customers) relates her own task to bob's customer: bob sees it.
    t = create_task(db, alice, TaskInput(title="x", related=(("customer", c.id),)))
    assert get_task(db, bob, t.id).title == "x"


def test_comment_mentions_message_the_person(db: Database, admin: Actor) -> None:
    bob = make_user(db, admin, "13900000031", perms=PERMS)
    t = create_task(db, admin, TaskInput(title="合同评审", participant_ids=(bob.user_id,)))
    comment = add_comment(db, admin, t.id, f"请 @{bob.name}，看一下")
    assert comment.mentions == (bob.user_id,)
    with db.sessions() as s:
        msg = s.scalars(select(Message).where(Message.recipient_id == bob.user_id)).one()
    assert (msg.entity, msg.record_id) == ("task", t.id) and msg.params == {"author": admin.name, "task": "合同评审"}
    assert [c.body for c in get_task(db, bob, t.id).comments] == [f"请 @{bob.name}，看一下"]


def test_update_replaces_subtasks_and_checks_the_version(db: Database, admin: Actor) -> None:
    t = create_task(db, admin, TaskInput(title="a", subtasks=(("1", False),)))
    u = update_task(db, admin, t.id, TaskInput(title="b", subtasks=(("1", True), ("2", False))),
                    expected_version=t.version)
    assert u.title == "b" and [(s.title, s.done) for s in u.subtasks] == [("1", True), ("2", False)]
    from crm_desktop.services.errors import ConflictError
    with pytest.raises(ConflictError):
        update_task(db, admin, t.id, TaskInput(title="c"), expected_version=t.version)
    with pytest.raises(ValidationError):
        update_task(db, admin, t.id, TaskInput(title=" "))


def test_rules_fire_on_task_events_and_can_create_a_task(db: Database, admin: Actor) -> None:
    from crm_desktop.services.activities.workbench import list_bucket as bucket
    from crm_desktop.services.workflow.automation import (
        RuleInput,
        create_rule,
        list_messages,
    )

    create_rule(db, admin, RuleInput(name="完成提醒", entity="customer", event="task_completed", actions=(
        {"type": "message", "to": "owner", "title": "{name} 的任务完成了"},)))
    create_rule(db, admin, RuleInput(name="新客户回访", entity="customer", event="created", actions=(
        {"type": "create_task", "title": "回访 {name}", "priority": "high", "due_in_days": 0},)))
    with pytest.raises(ValidationError):
        create_rule(db, admin, RuleInput(name="坏", entity="customer", event="created", actions=(
            {"type": "create_task", "title": " "},)))
    c = customers.create(db, admin, {"name": "丙公司"})
    made = bucket(db, admin, "today", today=dt.date.today())
    assert [r.title for r in made] == ["回访 丙公司"] and made[0].priority == "high"
    task = get_task(db, admin, made[0].id)
    assert [(r.entity, r.record_id) for r in task.related] == [("customer", c.id)]
    set_done(db, admin, task.id)
    assert [m.title for m in list_messages(db, admin)] == ["丙公司 的任务完成了"]


def test_task_files_follow_the_tasks_visibility(db: Database, admin: Actor) -> None:
    from crm_desktop.services.activities.task_files import (
        add_task_file,
        list_task_files,
        read_task_file,
        remove_task_file,
    )
    from crm_desktop.services.records.attachments import MAX_BYTES

    alice = make_user(db, admin, "13900000301", perms=PERMS)
    bob = make_user(db, admin, "13900000302", perms=PERMS)
    carol = make_user(db, admin, "13900000303", perms=PERMS)
    t = create_task(db, alice, TaskInput(title="准备投标文件", participant_ids=(bob.user_id,)), tz=SH)
    f = add_task_file(db, alice, t.id, filename="C:\\文件\\报价单.xlsx", data=b"PK\x03\x04 quote")
    assert (f.filename, f.size, f.entity, f.record_id) == ("报价单.xlsx", 10, "task", t.id)
    add_task_file(db, bob, t.id, filename="技术方案.pdf", data=b"%PDF")  # a participant may add
    assert [x.filename for x in list_task_files(db, alice, t.id)] == ["技术方案.pdf", "报价单.xlsx"]
    assert read_task_file(db, bob, f.id) == ("报价单.xlsx", b"PK\x03\x04 quote")
    for call in (lambda: list_task_files(db, carol, t.id), lambda: read_task_file(db, carol, f.id),
                 lambda: add_task_file(db, carol, t.id, filename="x.txt", data=b"x"),
                 lambda: remove_task_file(db, carol, f.id)):
        with pytest.raises(NotFound):  # carol does not see the task: answered as missing
            call()
    with pytest.raises(ValidationError):
        add_task_file(db, alice, t.id, filename="big.bin", data=b"0" * (MAX_BYTES + 1))
    remove_task_file(db, alice, f.id)
    assert [x.filename for x in list_task_files(db, bob, t.id)] == ["技术方案.pdf"]
    changes = [{c.field: (c.old, c.new) for c in e.changes} for e in operation_log(db, alice, t.id)
               if e.action == "attachment"]  # the task's operation log
    assert {"attachment": (None, "报价单.xlsx")} in changes and {"attachment": ("报价单.xlsx", None)} in changes
