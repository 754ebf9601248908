"""The app runs the pool recycle job shortly after log-in and on a timer."""
from __future__ import annotations

import datetime as dt
from typing import Any

from crm_desktop.db import Database
from crm_desktop.models import Customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.pool import (
    PoolInput,
    PoolMemberInput,
    PoolRuleInput,
    create_pool,
)
from crm_desktop.ui.job_scheduler import JobScheduler
from tests.ui_helpers import admin_context


def test_scheduler_recycles_due_customers_and_says_so(qtbot: Any, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    create_pool(sqlite_db, ctx.actor, PoolInput(
        name="公海", members=(PoolMemberInput(user_id=ctx.actor.user_id, is_admin=True),),
        rules=(PoolRuleInput(kind="no_followup", days=30),)))
    stale = customers.create(sqlite_db, ctx.actor, {"name": "久未跟进"})
    fresh = customers.create(sqlite_db, ctx.actor, {"name": "刚建的"})
    with sqlite_db.sessions.begin() as s:  # created 40 days ago, never followed up
        s.get_one(Customer, stale.id).created_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=40)
    changed: list[str] = []
    ctx.signals.changed.connect(lambda entity, _id: changed.append(entity))
    scheduler = JobScheduler(ctx, first_delay_ms=10, interval_ms=60_000)
    with qtbot.waitSignal(scheduler.finished, timeout=10_000) as report:
        pass
    assert report.args[0].recycle.customer_ids == (stale.id,)
    assert customers.visible_ids(sqlite_db, ctx.actor) == {fresh.id}
    assert "customer" in changed
    assert scheduler.timer.isActive() and scheduler.timer.interval() == 60_000
