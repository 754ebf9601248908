"""The rule action "create a task" as the rule editor writes it: a chosen assignee, due in N
local days, a priority, the title's placeholders filled; on both backends."""
from __future__ import annotations

import datetime as dt

from crm_desktop.db import Database
from crm_desktop.services.activities.tasks import get_task
from crm_desktop.services.activities.workbench import list_bucket
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.workflow.automation import RuleInput, create_rule
from tests.test_activities_tasks import PERMS
from tests.test_customers import make_user


def test_create_task_action_for_a_chosen_user_due_in_days_fires(db: Database, admin: Actor) -> None:
    bob = make_user(db, admin, "13900000091", perms=PERMS)
    create_rule(db, admin, RuleInput(name="新客户回访", entity="customer", event="created", actions=(
        {"type": "create_task", "title": "回访 {name}", "priority": "medium", "to": "users",
         "user_ids": [bob.user_id], "due_in_days": 2},)))
    c = customers.create(db, admin, {"name": "戊公司"})
    today = dt.date.today()
    [row] = list_bucket(db, bob, "next", today=today)
    assert (row.title, row.priority, row.due_date, row.owner_id) == (
        "回访 戊公司", "medium", today + dt.timedelta(days=2), bob.user_id)
    # About the customer (bob, seeing only his own customers, is not shown that link; the admin is).
    assert [(r.entity, r.record_id) for r in get_task(db, admin, row.id).related] == [("customer", c.id)]
    assert list_bucket(db, admin, "next", today=today) == []  # the admin created it, bob owns it
