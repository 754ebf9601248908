"""The workbench bucket and the timeline read through kept statements on one pooled connection
(``uow.kept_read``, ``common.fetch_rows``, ``dto_maker``; issue 16's speed budget). On both backends:
what they return is exactly what a plain ORM read with the one visibility clause returns, and a
change of scope, permission or account is seen on the very next call (no stale actor or
statement)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from crm_desktop.db import Database, one_transaction
from crm_desktop.models import (
    ActivityLink,
    ActivityParticipant,
    ApprovalInstance,
    Customer,
    FollowUp,
    ScheduleEvent,
    Task,
    TaskSubtask,
    User,
    WorkLog,
)
from crm_desktop.services.activities.common import dto_maker
from crm_desktop.services.activities.schedule import EventInput, create_event
from crm_desktop.services.activities.tasks import TaskInput, create_task, set_done
from crm_desktop.services.activities.timeline import TimelineItem, timeline
from crm_desktop.services.activities.visibility import event_visible, task_visible
from crm_desktop.services.activities.workbench import (
    BUCKETS,
    DONE_LIMIT,
    ROLES,
    TaskRow,
    list_bucket,
)
from crm_desktop.services.activities.worklogs import log_visible, write_log
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup
from crm_desktop.services.errors import AccountDisabled, NotFound, PermissionDenied
from crm_desktop.services.org import roles, users
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.permissions import MODULES, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.scope import visible_filter
from tests.test_activities_tasks import PERMS
from tests.test_customers import make_user

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 16)
FOLLOWUP = ("view", "create", "edit")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


# --- the plain ORM reads the fast paths must equal -------------------------------------------


def orm_bucket(db: Database, actor: Actor, bucket: str, role: str, limit: int = 500) -> list[TaskRow]:
    """The bucket as ORM objects filtered by the whole visibility clause, the role and the
    bucket written out here, in the order the workbench promises (the database orders NULLs)."""
    with db.sessions() as s:
        a = load_actor(s, actor.user_id)
        me = a.user_id
        involved = select(ActivityParticipant.activity_id).where(ActivityParticipant.kind == "task",
                                                                 ActivityParticipant.user_id == me)
        by_role = {"mine": Task.owner_id == me, "assigned": (Task.creator_id == me) & (Task.owner_id != me),
                   "involved": Task.id.in_(involved)}[role]
        week = TODAY + dt.timedelta(days=7)
        open_ = Task.done.is_(False)
        in_bucket = {"inbox": open_ & Task.due_date.is_(None), "today": open_ & (Task.due_date == TODAY),
                     "next": open_ & (Task.due_date > TODAY) & (Task.due_date <= week),
                     "later": open_ & (Task.due_date > week), "overdue": open_ & (Task.due_date < TODAY),
                     "done": Task.done.is_(True)}[bucket]
        rank = case({"high": 0, "medium": 1, "low": 2}, value=Task.priority, else_=3)
        query = select(Task).where(task_visible(a), by_role, in_bucket)
        if bucket == "done":
            query = query.order_by(Task.done_at.desc(), Task.id.desc()).limit(min(limit, DONE_LIMIT))
        else:
            query = query.order_by(rank, Task.due_date, Task.due_at, Task.id).limit(limit)
        out = []
        for task in s.scalars(query):
            subtasks = s.scalars(select(TaskSubtask).where(TaskSubtask.task_id == task.id)).all()
            owner = s.get(User, task.owner_id)
            assert owner is not None
            out.append(TaskRow(task.id, task.title, task.priority, task.due_date, task.due_at, task.done,
                               task.owner_id, owner.name, tuple(task.tags), sum(1 for x in subtasks if x.done),
                               len(subtasks), task.version))
        return out


def _linked(s: Session, kind: str, entity: str, record_id: int) -> list[int]:
    return list(s.scalars(select(ActivityLink.activity_id).where(
        ActivityLink.kind == kind, ActivityLink.entity == entity, ActivityLink.record_id == record_id)))


def orm_timeline(db: Database, actor: Actor, entity: str, record_id: int) -> list[TimelineItem]:
    """The customer's timeline from ORM objects: tasks and events through the whole visibility
    clause, work logs through ``log_visible``; newest first."""
    with db.sessions() as s:
        a = load_actor(s, actor.user_id)
        if not a.can("customer", "view") or s.scalar(
                select(Customer.id).where(Customer.id == record_id, visible_filter(Customer, a))) is None:
            raise NotFound(entity, record_id)

        def name(user_id: int) -> str:
            user = s.get(User, user_id)
            assert user is not None
            return user.name

        out = []
        if a.can("followup", "view"):
            for f in s.scalars(select(FollowUp).where(FollowUp.target_entity == entity, FollowUp.target_id == record_id,
                                                      FollowUp.deleted_at.is_(None))):
                out.append(TimelineItem("followup", f.id, f.followed_at, f.content[:200],
                                        f.next_contact_at.isoformat() if f.next_contact_at else "", name(f.owner_id),
                                        f.kind))
        if a.can("task", "view"):
            for t in s.scalars(select(Task).where(task_visible(a), Task.id.in_(_linked(s, "task", entity, record_id)))):
                out.append(TimelineItem("task", t.id, t.done_at or t.created_at, t.title,
                                        t.due_date.isoformat() if t.due_date else "", name(t.owner_id),
                                        "done" if t.done else "open"))
        if a.can("event", "view"):
            for e in s.scalars(select(ScheduleEvent).where(event_visible(a),
                                                           ScheduleEvent.id.in_(_linked(s, "event", entity, record_id)))):
                out.append(TimelineItem("event", e.id, e.start_at, e.title, e.location, name(e.owner_id), e.kind))
        for i in s.scalars(select(ApprovalInstance).where(ApprovalInstance.entity == entity,
                                                          ApprovalInstance.record_id == record_id)):
            out.append(TimelineItem("approval", i.id, i.created_at, i.flow_name, "", name(i.submitter_id), i.status))
        for w in s.scalars(select(WorkLog).where(log_visible(a), WorkLog.id.in_(_linked(s, "log", entity, record_id)))):
            out.append(TimelineItem("log", w.id, w.created_at, w.day.isoformat(), w.done_text[:200],
                                    name(w.author_id), w.kind))
    out.sort(key=lambda i: (i.at, i.kind, i.item_id), reverse=True)
    return out


# --- a small team with tasks in every bucket -------------------------------------------------


def _team(db: Database, admin: Actor) -> dict[str, Any]:
    boss = make_user(db, admin, "13900000301", perms=PERMS | {"followup": FOLLOWUP}, scope=DataScope.ALL)
    alice = make_user(db, admin, "13900000302", perms=PERMS | {"followup": FOLLOWUP})
    bob = make_user(db, admin, "13900000303", perms=PERMS | {"followup": FOLLOWUP})
    mine = customers.create(db, alice, {"name": "甲公司"})
    theirs = customers.create(db, bob, {"name": "乙公司"})
    specs: list[tuple[Actor, TaskInput]] = [
        (alice, TaskInput(title="今天·高", priority="high", due_date=TODAY, tags=("报价", "重要"),
                          subtasks=(("一", True), ("二", False), ("三", False)), related=(("customer", mine.id),))),
        (alice, TaskInput(title="今天·定时", priority="high", due_at=at(2026, 3, 16, 15, 30))),
        (alice, TaskInput(title="今天·低", priority="low", due_date=TODAY)),
        (alice, TaskInput(title="今天·无", due_date=TODAY, participant_ids=(bob.user_id,))),
        (alice, TaskInput(title="收件箱", priority="medium", tags=("x",))),
        (alice, TaskInput(title="下周", due_date=TODAY + dt.timedelta(days=3))),
        (alice, TaskInput(title="以后", due_date=TODAY + dt.timedelta(days=30))),
        (alice, TaskInput(title="逾期", priority="high", due_date=TODAY - dt.timedelta(days=2))),
        (bob, TaskInput(title="乙的", due_date=TODAY, participant_ids=(alice.user_id,),
                        related=(("customer", theirs.id),))),
        (boss, TaskInput(title="老板派给甲", priority="medium", due_date=TODAY, owner_id=alice.user_id)),
        (boss, TaskInput(title="老板派给乙", due_date=TODAY, owner_id=bob.user_id, related=(("customer", mine.id),))),
    ]
    made = {data.title: create_task(db, who, data, tz=SH) for who, data in specs}
    set_done(db, alice, made["以后"].id)
    set_done(db, bob, made["乙的"].id)
    return {"boss": boss, "alice": alice, "bob": bob, "mine": mine, "theirs": theirs, "tasks": made}


def test_every_bucket_and_role_is_what_a_plain_orm_read_returns(db: Database, admin: Actor) -> None:
    team = _team(db, admin)
    seen_any = 0
    for who in ("boss", "alice", "bob"):
        for role in ROLES:
            for bucket in BUCKETS:
                got = list_bucket(db, team[who], bucket, today=TODAY, role=role)
                assert got == orm_bucket(db, team[who], bucket, role), (who, role, bucket)
                assert all(type(r) is TaskRow for r in got)
                seen_any += len(got)
    assert seen_any > 10
    alice_today = list_bucket(db, team["alice"], "today", today=TODAY)
    by_title = {r.title: r for r in alice_today}
    high = by_title["今天·高"]
    assert (high.tags, high.subtasks_done, high.subtasks_total, high.due_date) == (("报价", "重要"), 1, 3, TODAY)
    assert by_title["今天·定时"].due_at == at(2026, 3, 16, 15, 30) and by_title["今天·无"].tags == ()
    assert list_bucket(db, team["alice"], "today", today=TODAY, limit=2) == alice_today[:2]


def test_the_timeline_is_what_a_plain_orm_read_returns(db: Database, admin: Actor) -> None:
    team = _team(db, admin)
    alice, bob, boss, mine = team["alice"], team["bob"], team["boss"], team["mine"]
    add_followup(db, alice, target_entity="customer", target_id=mine.id, kind="visit", content="上门" * 150,
                 followed_at=at(2026, 3, 10, 9), next_contact_at=at(2026, 3, 20, 9))
    add_followup(db, alice, target_entity="customer", target_id=mine.id, content="电话", followed_at=at(2026, 3, 11))
    create_event(db, alice, EventInput(title="演示", start_at=at(2026, 3, 12, 10), end_at=at(2026, 3, 12, 11),
                                       location="会议室", related=(("customer", mine.id),)))
    create_event(db, boss, EventInput(title="老板的拜访", start_at=at(2026, 3, 13, 10), end_at=at(2026, 3, 13, 11),
                                     related=(("customer", mine.id),)))
    write_log(db, alice, kind="daily", day=dt.date(2026, 3, 14), done_text="拜访甲公司",
              related=(("customer", mine.id),))
    write_log(db, boss, kind="daily", day=dt.date(2026, 3, 14), done_text="老板的日志",
              related=(("customer", mine.id),))
    with db.sessions.begin() as s:  # an approval of the record (the flow itself is not what is tested)
        s.add(ApprovalInstance(flow_name="客户登记", entity="customer", record_id=mine.id, submitter_id=alice.user_id,
                               status="approved", created_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC)))
    for who in (alice, boss, admin):
        got = timeline(db, who, "customer", mine.id)
        assert got == orm_timeline(db, who, "customer", mine.id)
        assert all(type(i) is TimelineItem for i in got)
    kinds = [i.kind for i in timeline(db, alice, "customer", mine.id)]
    assert set(kinds) == {"followup", "task", "event", "approval", "log"} and kinds.count("log") == 1
    assert [i.kind for i in timeline(db, alice, "customer", mine.id, kinds=("event", "approval"))] == [
        "event", "event", "approval"]
    with pytest.raises(NotFound):
        timeline(db, bob, "customer", mine.id)
    with pytest.raises(NotFound):
        orm_timeline(db, bob, "customer", mine.id)


def _role_of(db: Database, admin: Actor, actor: Actor) -> int:
    with db.sessions() as s:
        user = s.get(User, actor.user_id)
        assert user is not None
        return user.roles[0].id


def _set_role(db: Database, admin: Actor, role_id: int, *, perms: dict[str, tuple[str, ...]],
              scope: DataScope) -> None:
    roles.update_role(db, admin, role_id, RoleInput(
        name=f"role-{role_id}", permissions=frozenset((m, a) for m, actions in perms.items() for a in actions),
        scopes={m: scope for m, spec in MODULES.items() if spec.scoped}))


def test_a_changed_scope_permission_or_account_is_seen_on_the_next_call(db: Database, admin: Actor) -> None:
    team = _team(db, admin)
    boss, alice, mine = team["boss"], team["alice"], team["mine"]
    perms = PERMS | {"followup": FOLLOWUP}
    role_id = _role_of(db, admin, boss)
    add_followup(db, alice, target_entity="customer", target_id=mine.id, content="电话", followed_at=at(2026, 3, 11))
    assigned = [r.title for r in list_bucket(db, boss, "today", today=TODAY, role="assigned")]
    assert assigned == ["老板派给甲", "老板派给乙"]
    assert [i.title for i in timeline(db, boss, "customer", mine.id) if i.kind == "task"]
    for _ in range(3):  # warm: the actor and the statements are kept now
        list_bucket(db, boss, "today", today=TODAY, role="assigned")
        timeline(db, boss, "customer", mine.id)

    # Scope "all" → "self": alice's task is no longer visible to him; bob's is, through the
    # customer... which he no longer sees either; so nothing of the timeline.
    _set_role(db, admin, role_id, perms=perms, scope=DataScope.SELF)
    assert list_bucket(db, boss, "today", today=TODAY, role="assigned") == orm_bucket(db, boss, "today", "assigned")
    assert list_bucket(db, boss, "today", today=TODAY, role="assigned") == []
    with pytest.raises(NotFound):
        timeline(db, boss, "customer", mine.id)

    # alice becomes his subordinate: "self and subordinates" shows her task again.
    _set_role(db, admin, role_id, perms=perms, scope=DataScope.SUBORDINATES)
    assert list_bucket(db, boss, "today", today=TODAY, role="assigned") == []
    alice_user = users.get_user(db, admin, alice.user_id)
    users.update_user(db, admin, alice.user_id, users.UserInput(
        mobile=alice_user.mobile, name=alice_user.name, department_id=alice_user.department_id,
        superior_id=boss.user_id, role_ids=(_role_of(db, admin, alice),)))
    # (bob's task too: it is about alice's customer, which he sees now)
    assert [r.title for r in list_bucket(db, boss, "today", today=TODAY, role="assigned")] == ["老板派给甲",
                                                                                                "老板派给乙"]
    assert list_bucket(db, boss, "today", today=TODAY, role="assigned") == orm_bucket(db, boss, "today", "assigned")
    assert timeline(db, boss, "customer", mine.id) == orm_timeline(db, boss, "customer", mine.id)

    # No task "view": the bucket is refused; the timeline leaves tasks out.
    _set_role(db, admin, role_id, perms={m: a for m, a in perms.items() if m != "task"}, scope=DataScope.ALL)
    with pytest.raises(PermissionDenied):
        list_bucket(db, boss, "today", today=TODAY, role="assigned")
    items = timeline(db, boss, "customer", mine.id)
    assert items and "task" not in {i.kind for i in items}
    assert items == orm_timeline(db, boss, "customer", mine.id)

    # A disabled account reads nothing.
    users.set_enabled(db, admin, boss.user_id, enabled=False)
    with pytest.raises(AccountDisabled):
        timeline(db, boss, "customer", mine.id)
    with pytest.raises(AccountDisabled):
        list_bucket(db, boss, "today", today=TODAY)


def test_new_data_is_read_at_once_and_no_read_is_left_open(db: Database, admin: Actor) -> None:
    alice = make_user(db, admin, "13900000311", perms=PERMS)
    assert list_bucket(db, alice, "today", today=TODAY) == []
    first = create_task(db, alice, TaskInput(title="一", due_date=TODAY), tz=SH)
    assert [r.id for r in list_bucket(db, alice, "today", today=TODAY)] == [first.id]
    second = create_task(db, alice, TaskInput(title="二", priority="high", due_date=TODAY), tz=SH)
    assert [r.id for r in list_bucket(db, alice, "today", today=TODAY)] == [second.id, first.id]
    c = customers.create(db, alice, {"name": "丙公司"})
    assert timeline(db, alice, "customer", c.id) == []
    create_task(db, alice, TaskInput(title="三", related=(("customer", c.id),)), tz=SH)
    assert [i.title for i in timeline(db, alice, "customer", c.id)] == ["三"]
    if db.backend == "sqlite":  # each connection back in the pool is outside any transaction
        held = [db.engine.raw_connection() for _ in range(db.engine.pool.checkedin() or 1)]  # type: ignore[attr-defined]
        assert not any(h.driver_connection.in_transaction for h in held)  # type: ignore[union-attr]
        for h in held:
            h.close()


def test_inside_one_transaction_the_reads_see_its_work(db: Database, admin: Actor) -> None:
    alice = make_user(db, admin, "13900000321", perms=PERMS)
    with one_transaction(db) as work:
        task = create_task(work, alice, TaskInput(title="未提交", due_date=TODAY), tz=SH)
        assert [r.id for r in list_bucket(work, alice, "today", today=TODAY)] == [task.id]
    assert [r.id for r in list_bucket(db, alice, "today", today=TODAY)] == [task.id]


def test_dto_maker_makes_the_same_object_and_refuses_what_it_cannot() -> None:
    make = dto_maker(TimelineItem)
    now = dt.datetime(2026, 3, 16, tzinfo=dt.UTC)
    made, plain = make("task", 1, now, "t", "d", "w", "open"), TimelineItem("task", 1, now, "t", "d", "w", "open")
    assert (made == plain, hash(made) == hash(plain), repr(made) == repr(plain)) == (True, True, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "x"  # type: ignore[misc]

    @dataclasses.dataclass
    class Loose:
        a: int

    @dataclasses.dataclass(frozen=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            assert self.a > 0

    @dataclasses.dataclass(frozen=True)
    class Hidden:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    for cls in (Loose, Checked, Hidden):
        with pytest.raises(TypeError):
            dto_maker(cls)
