"""To-do counts: follow-ups due today, approvals waiting, customers about to be recycled."""
from __future__ import annotations

import datetime as dt

from crm_desktop.db import Database
from crm_desktop.services.customers import jobs
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup, count_due
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.customers.pool import PoolRuleInput
from crm_desktop.services.customers.todo import TodoCounts, todo_counts
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS
from crm_desktop.services.workflow import approvals
from tests.test_customers import make_user
from tests.test_pool import add_customer, make_pool, member, row

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)  # mid-morning: "today" is 10 March in CST
YESTERDAY = NOW - dt.timedelta(days=1)


def aged(db: Database, owner: Actor, name: str, days: float, **values: object) -> int:
    """A customer created ``days`` before NOW and never followed up (ages cannot be set through the service)."""
    return add_customer(db, owner.user_id, name, created_at=NOW - dt.timedelta(days=days), **values)


def follow(db: Database, actor: Actor, entity: str, record_id: int, next_at: dt.datetime) -> None:
    add_followup(db, actor, target_entity=entity, target_id=record_id, content="电话沟通",
                 followed_at=YESTERDAY, next_contact_at=next_at)


def test_counts_are_the_actors_own_within_scope_and_permissions(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13600000001")
    wang = make_user(db, admin, "13600000002")
    leads_only = make_user(db, admin, "13600000003", perms={"lead": RECORD_ACTIONS})
    make_pool(db, admin, member(li), member(wang), member(leads_only),
              rules=(PoolRuleInput("no_followup", 30, (), True),))

    # Follow-ups: li has a customer and a lead due today (in CST), one tomorrow; wang one today.
    c1 = customers.create(db, li, {"name": "厦门鹭岛贸易"})
    lead = leads.create(db, li, {"name": "漳州新线索"})
    later = customers.create(db, li, {"name": "明天再联系公司"})
    theirs = customers.create(db, wang, {"name": "王的客户"})
    follow(db, li, "customer", c1.id, dt.datetime(2026, 3, 10, 0, 30, tzinfo=CST))  # still the 9th in UTC
    follow(db, li, "lead", lead.id, dt.datetime(2026, 3, 10, 17, 0, tzinfo=CST))
    follow(db, li, "customer", later.id, dt.datetime(2026, 3, 11, 9, 0, tzinfo=CST))
    follow(db, wang, "customer", theirs.id, dt.datetime(2026, 3, 10, 11, 0, tzinfo=CST))

    # Recycling (30 days without follow-up): li's 28- and 31-day-old customers go within 3 days,
    # the 20-day-old one and the locked one do not; wang's 29-day-old one is his, not li's.
    soon = aged(db, li, "两天后回收", 28)
    overdue = aged(db, li, "已到期", 31)
    aged(db, li, "还早", 20)
    aged(db, li, "锁定客户", 29, locked=True)
    aged(db, wang, "王的老客户", 29)
    aged(db, leads_only, "看不到客户的人的客户", 29)

    mine = todo_counts(db, li, now=NOW, tz=CST)
    assert mine == TodoCounts(followups_due_today=2, approvals_waiting=0, recycle_soon=2,
                              followups_by_entity=(("customer", 1), ("lead", 1)))
    assert mine.total == 4
    # The same definition as the follow-up list and the recycle job.
    assert count_due(db, li, day=NOW.date(), tz=CST) == mine.followups_due_today
    assert todo_counts(db, li, now=NOW, tz=CST, within_days=0).recycle_soon == 1
    assert todo_counts(db, li, now=NOW + dt.timedelta(days=1), tz=CST).followups_due_today == 1  # tomorrow's

    assert todo_counts(db, wang, now=NOW, tz=CST) == TodoCounts(1, 0, 1, (("customer", 1),))
    # No customer permission: neither customer follow-ups nor customers to recycle are counted.
    assert todo_counts(db, leads_only, now=NOW, tz=CST) == TodoCounts(0, 0, 0, ())
    # Seeing everything (admin) does not make others' records one's own to-do.
    assert todo_counts(db, admin, now=NOW, tz=CST) == TodoCounts(0, 0, 0, ())

    # An approval wang submits that li must decide waits for li, not for wang.
    flow = approvals.create_flow(db, admin, approvals.FlowInput(
        name="大额折扣审批", entity="customer", form=({"key": "name", "label": "客户名称", "field": "name"},),
        branches=({"name": "全部", "condition": {}, "nodes": [
            {"name": "李审批", "mode": "orsign", "approver": {"kind": "users", "users": [li.user_id]}}]},)))
    approvals.submit(db, wang, "customer", theirs.id, flow.id)
    assert todo_counts(db, li, now=NOW, tz=CST).approvals_waiting == 1
    assert todo_counts(db, wang, now=NOW, tz=CST).approvals_waiting == 0

    # After the recycle job ran at NOW the overdue customer is in the pool and off li's list.
    report = jobs.run_recycle(db, now=NOW)
    assert overdue in report.customer_ids and row(db, soon).owner_id == li.user_id
    assert todo_counts(db, li, now=NOW, tz=CST).recycle_soon == 1


def test_tasks_and_events_counted_are_exactly_those_listed(db: Database, admin: Actor) -> None:
    from crm_desktop.services.activities.schedule import EventInput, create_event
    from crm_desktop.services.activities.tasks import TaskInput, create_task, set_done
    from crm_desktop.services.customers.todo import ITEM_KINDS, todo_items

    perms = {"customer": RECORD_ACTIONS, "followup": ("view", "create", "edit", "delete"), "task": ("view", "create", "edit", "delete"),
             "event": ("view", "create", "edit", "delete")}
    li = make_user(db, admin, "13600000011", perms=perms)
    wang = make_user(db, admin, "13600000012", perms=perms)
    today = NOW.date()

    def task(owner: Actor, title: str, due: dt.date | None, **kw: object) -> int:
        return create_task(db, owner, TaskInput(title=title, due_date=due, **kw), tz=CST).id  # type: ignore[arg-type]

    task(li, "逾期的", today - dt.timedelta(days=2))
    task(li, "今天的", today)
    task(wang, "王的，李参与", today, participant_ids=(li.user_id,))
    task(wang, "王自己的", today)  # li neither owns nor takes part
    task(li, "明天的", today + dt.timedelta(days=1))
    task(li, "没日期", None)
    set_done(db, li, task(li, "已完成", today))

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=CST)

    create_event(db, li, EventInput(title="上午拜访", start_at=at(today, 9), end_at=at(today, 10), tz="Asia/Shanghai"))
    create_event(db, wang, EventInput(title="王的会，李参加", start_at=at(today, 15), end_at=at(today, 16),
                                      participant_ids=(li.user_id,), tz="Asia/Shanghai"))
    create_event(db, wang, EventInput(title="王的会", start_at=at(today, 15), end_at=at(today, 16),
                                      tz="Asia/Shanghai"))
    create_event(db, li, EventInput(title="明天的会", start_at=at(today + dt.timedelta(days=1), 9),
                                    end_at=at(today + dt.timedelta(days=1), 10), tz="Asia/Shanghai"))
    c = customers.create(db, li, {"name": "今日回访公司"})
    follow(db, li, "customer", c.id, dt.datetime(2026, 3, 10, 17, 0, tzinfo=CST))

    items = todo_items(db, li, now=NOW, tz=CST)
    counts = todo_counts(db, li, now=NOW, tz=CST)
    by_kind = {k: [i.title for i in items if i.kind == k] for k in ITEM_KINDS}
    assert by_kind == {"task_overdue": ["逾期的"], "task_today": ["今天的", "王的，李参与"],
                       "event": ["上午拜访", "王的会，李参加"], "followup": ["今日回访公司"]}
    assert (counts.tasks_overdue, counts.tasks_today, counts.events_today, counts.followups_due_today) == tuple(
        len(by_kind[k]) for k in ITEM_KINDS)
    assert counts.activities == 5

    # Without task and event permissions those kinds count 0 (and list nothing), the rest stays.
    plain = make_user(db, admin, "13600000013")
    assert todo_counts(db, plain, now=NOW, tz=CST).activities == 0
    assert todo_items(db, plain, now=NOW, tz=CST) == []
