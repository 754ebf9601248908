"""The recycle job and the reminders before it: set-based, idempotent, every rule honoured."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from crm_desktop.db import Database
from crm_desktop.models import (
    AuditEntry,
    Customer,
    Opportunity,
    PoolEvent,
    TeamMember,
    utcnow,
)
from crm_desktop.services.customers import jobs, pool
from crm_desktop.services.customers.pool import (
    PoolInput,
    PoolMemberInput,
    PoolRuleInput,
)
from crm_desktop.services.events import DomainEvent, OwnerChanged
from crm_desktop.services.org import departments
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.uow import read_only, unit_of_work
from tests.test_pool import (
    add_customer,
    audit_of,
    events_of,
    make_pool,
    make_user,
    member,
    row,
)

NOW = utcnow()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def rule(kind: str = "no_followup", days: int = 30, *levels: str, enabled: bool = True) -> PoolRuleInput:
    return PoolRuleInput(kind, days, tuple(levels), enabled)


def old(db: Database, owner: Actor, name: str, days: float = 40, **values: Any) -> int:
    """A customer created ``days`` ago with no follow-up since."""
    return add_customer(db, owner.user_id, name, created_at=ago(days), **values)


def owners(db: Database, *ids: int) -> list[int | None]:
    return [row(db, i).owner_id for i in ids]


def test_no_followup_recycles_with_audit_event_team_and_owner_changed(db: Database, admin: Actor) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    p = make_pool(db, admin, member(li), rules=(rule("no_followup", 30),))
    stale = old(db, li, "久未跟进")  # created 40 days ago, never followed up
    followed = old(db, li, "刚跟进", last_followup_at=ago(5))
    stale_followup = old(db, li, "跟进过但很久", last_followup_at=ago(31))
    young = old(db, li, "新客户", days=10)
    with unit_of_work(db, None) as uow:
        uow.session.add(TeamMember(entity="customer", record_id=stale, user_id=wang.user_id, access="read"))
    seen: list[DomainEvent] = []
    db.bus.subscribe(lambda e, _u: seen.append(e))
    report = jobs.run_recycle(db, now=NOW)
    assert report.customer_ids == (stale, stale_followup) and report.recycled == 2
    assert [(r.pool_id, r.kind, r.days, r.recycled) for r in report.runs] == [(p.id, "no_followup", 30, 2)]
    c = row(db, stale)
    assert (c.owner_id, c.pool_id, c.previous_owner_id, c.pooled_at, c.version) == (None, p.id, li.user_id, NOW, 2)
    assert owners(db, followed, young) == [li.user_id, li.user_id]
    assert audit_of(db, stale) == [("recycle", None, {
        "owner_id": (li.user_id, None), "pool_id": (None, p.id), "reason": (None, "no_followup"),
        f"team:{wang.user_id}": ("read", None)})]
    assert audit_of(db, stale_followup)[0][2]["owner_id"] == (li.user_id, None)
    assert events_of(db, stale) == [("recycle", li.user_id, None, "no_followup")]
    with read_only(db, None) as uow:
        assert uow.session.scalar(select(func.count()).select_from(TeamMember)) == 0
    assert seen == [OwnerChanged("customer", i, None, old_owner_id=li.user_id, new_owner_id=None)
                    for i in (stale, stale_followup)]
    # The recycled customers are in the pool list, with their previous owner.
    listed = pool.list_pool_customers(db, li, p.id)
    assert {r.id for r in listed.rows} == {stale, stale_followup}
    assert {r.previous_owner_name for r in listed.rows} == {li.name}


def test_running_twice_changes_nothing_the_second_time(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    make_pool(db, admin, member(li), rules=(rule("no_followup", 30), rule("no_opportunity", 20)))
    ids = [old(db, li, f"客户{i}") for i in range(3)]
    assert jobs.run_recycle(db, now=NOW).recycled == 3
    with read_only(db, None) as uow:
        before = (uow.session.scalar(select(func.count()).select_from(AuditEntry)),
                  uow.session.scalar(select(func.count()).select_from(PoolEvent)))
    again = jobs.run_recycle(db, now=NOW)
    later = jobs.run_recycle(db, now=NOW + dt.timedelta(hours=1))
    assert again.recycled == later.recycled == 0
    with read_only(db, None) as uow:
        after = (uow.session.scalar(select(func.count()).select_from(AuditEntry)),
                 uow.session.scalar(select(func.count()).select_from(PoolEvent)))
    assert before == after and [row(db, i).version for i in ids] == [2, 2, 2]


def test_one_update_per_rule_not_per_customer(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    make_pool(db, admin, member(li), rules=(rule("no_followup", 30), rule("no_deal", 60)))
    for i in range(40):
        old(db, li, f"客户{i}", days=70)
    statements: list[str] = []

    def spy(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        assert jobs.run_recycle(db, now=NOW).recycled == 40
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    updates = [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "WITH")) and "UPDATE customers" in s]
    assert len(updates) == 2
    assert len(statements) < 20  # batched audit/event inserts, not one statement per customer


def test_locked_and_deleted_customers_are_never_recycled(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    make_pool(db, admin, member(li), exempt_deals=False,
              rules=(rule("no_followup", 1), rule("no_deal", 1), rule("no_opportunity", 1)))
    locked = old(db, li, "锁定", days=400, locked=True)
    deleted = old(db, li, "回收站", days=400, deleted_at=ago(1))
    unregistered = old(db, li, "报备中", days=400, approval_status="pending")  # registration not approved yet
    assert jobs.run_recycle(db, now=NOW).recycled == 0
    assert owners(db, locked, deleted, unregistered) == [li.user_id, li.user_id, li.user_id]
    assert jobs.run_jobs(db, now=NOW).reminders == ()


def test_deals_are_exempt_only_when_the_pool_says_so(db: Database, admin: Actor) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    make_pool(db, admin, member(li), name="免成交", rules=(rule("no_followup", 30),))
    make_pool(db, admin, member(wang), name="不免", exempt_deals=False, rules=(rule("no_followup", 30),))
    exempt = old(db, li, "成交A", deal_status="deal", last_deal_at=ago(100))
    not_exempt = old(db, wang, "成交B", deal_status="deal", last_deal_at=ago(100))
    assert jobs.run_recycle(db, now=NOW).customer_ids == (not_exempt,)
    assert owners(db, exempt) == [li.user_id]


def test_no_deal_and_no_opportunity_rules(db: Database, admin: Actor) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    deal_pool = make_pool(db, admin, member(li), name="未成交", exempt_deals=False, rules=(rule("no_deal", 60),))
    opp_pool = make_pool(db, admin, member(wang), name="无商机", rules=(rule("no_opportunity", 90),))
    never = old(db, li, "从未成交", days=61, last_followup_at=ago(1))
    lapsed = old(db, li, "曾成交", days=400, deal_status="none", last_deal_at=ago(61))
    recent = old(db, li, "近期成交", days=400, deal_status="none", last_deal_at=ago(59))
    dealing = old(db, li, "成交中", days=400, deal_status="deal", last_deal_at=ago(200))
    aged = old(db, wang, "老客户", days=91, last_followup_at=ago(1))
    newer = old(db, wang, "新客户", days=89)
    report = jobs.run_recycle(db, now=NOW)
    assert report.customer_ids == (never, lapsed, aged)
    assert [row(db, i).pool_id for i in (never, lapsed, aged)] == [deal_pool.id, deal_pool.id, opp_pool.id]
    assert owners(db, recent, dealing, newer) == [li.user_id, li.user_id, wang.user_id]


def test_rule_levels_members_and_first_pool_by_id(db: Database, admin: Actor) -> None:
    sales = departments.create_department(db, admin, "销售部", parent_id=admin.department_id)
    team = departments.create_department(db, admin, "一组", parent_id=sales.id)
    li = make_user(db, admin, dept=team.id)
    outsider = make_user(db, admin)
    first = make_pool(db, admin, PoolMemberInput(department_id=sales.id), name="A级池",
                      rules=(rule("no_followup", 30, "A"), rule("no_followup", 1, enabled=False)))
    second = make_pool(db, admin, member(li), name="通用池", rules=(rule("no_followup", 60),))
    off = make_pool(db, admin, member(li), name="停用池", rules=(rule("no_followup", 1),))
    pool.update_pool(db, admin, off.id, PoolInput(name="停用池", enabled=False, members=(member(li),),
                                                  rules=(rule("no_followup", 1),)))
    level_a = old(db, li, "A级", days=70, level="A")
    level_b = old(db, li, "B级", days=70, level="B")
    level_b_young = old(db, li, "B级新", days=40, level="B")
    level_a_young = old(db, li, "A级新", days=40, level="A")
    not_member = old(db, outsider, "非成员", days=400)
    report = jobs.run_recycle(db, now=NOW)
    assert report.customer_ids == (level_a, level_b, level_a_young)
    # Both pools' rules match level_a: it goes to the first pool by id.
    assert [row(db, i).pool_id for i in (level_a, level_b, level_a_young)] == [first.id, second.id, first.id]
    assert owners(db, level_b_young, not_member) == [li.user_id, outsider.user_id]


def test_a_claim_restarts_the_clock(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    p = make_pool(db, admin, member(li), rules=(rule("no_followup", 30),), remind_days=5)
    cid = old(db, li, "领回的客户", days=100)
    assert jobs.run_recycle(db, now=NOW).customer_ids == (cid,)
    pool.claim(db, li, [cid], pool_id=p.id)  # claimed now; still no follow-up for 100 days
    claimed_at = events_of(db, cid)[-1]
    assert claimed_at[0] == "claim"
    assert jobs.run_recycle(db).recycled == 0
    soon = utcnow() + dt.timedelta(days=27)
    (reminder,) = jobs.due_reminders(db, now=soon)
    assert (reminder.customer_id, reminder.owner_id, reminder.days_left) == (cid, li.user_id, 3)
    assert jobs.run_recycle(db, now=utcnow() + dt.timedelta(days=31)).customer_ids == (cid,)


def test_due_reminders_name_owner_rule_and_days_left(db: Database, admin: Actor) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    p = make_pool(db, admin, member(li), member(wang), remind_days=3,
                  rules=(rule("no_followup", 30), rule("no_deal", 28, "A")))
    silent = make_pool(db, admin, member(li), name="不提醒", rules=(rule("no_followup", 29),))
    in_two = old(db, li, "两天后", days=28)
    in_one_by_deal = old(db, wang, "一天后", days=27, level="A", last_followup_at=ago(1))
    later = old(db, li, "五天后", days=25)
    locked = old(db, li, "锁定", days=29, locked=True)
    due_now = old(db, wang, "已到期", days=31)
    reminders = jobs.due_reminders(db, now=NOW)
    assert [(r.owner_id, r.customer_id, r.rule_kind, r.days_left) for r in reminders] == [
        (li.user_id, in_two, "no_followup", 2), (wang.user_id, in_one_by_deal, "no_deal", 1)]
    first = reminders[0]
    assert (first.pool_id, first.pool_name, first.rule_days) == (p.id, p.name, 30)
    assert first.due_at == ago(28) + dt.timedelta(days=30)
    # The job recycles what is due before it reminds (the 29-day pool has no reminders).
    report = jobs.run_jobs(db, now=NOW)
    assert report.recycle.customer_ids == (due_now,) and row(db, due_now).pool_id == p.id
    assert [r.customer_id for r in report.reminders] == [in_two, in_one_by_deal]
    assert report.summary() == ("Recycled 1 customer(s) into 1 public pool(s); "
                                "2 customer(s) due for recycling soon, 2 owner(s) to remind.")
    assert owners(db, later, locked) == [li.user_id, li.user_id] and silent.remind_days == 0


def opportunity(db: Database, admin: Actor, customer_id: int, *, days: float = 0, deleted: bool = False) -> int:
    """An opportunity of the customer made through the service, then dated ``days`` ago by SQL."""
    opp = opportunities.create(db, admin, {"name": f"商机{customer_id}", "customer_id": customer_id})
    if deleted:
        opportunities.delete(db, admin, opp.id)
    if days:
        with unit_of_work(db, None) as uow:
            uow.session.execute(update(Opportunity).where(Opportunity.id == opp.id).values(created_at=ago(days)))
    return opp.id


def test_no_opportunity_counts_live_opportunities_created_within_the_days(db: Database, admin: Actor) -> None:
    """"No opportunity for N days" = no live opportunity created in the last N days (its
    later edits do not count): one created today keeps an old customer, an old or deleted one
    does not. Run through the job runner, as the app and ``crm-admin run-jobs`` do."""
    li = make_user(db, admin)
    p = make_pool(db, admin, member(li), rules=(rule("no_opportunity", 30),), remind_days=10)
    fresh = old(db, li, "今天有商机", days=400)
    opportunity(db, admin, fresh)
    stale = old(db, li, "商机很旧", days=400)
    stale_opp = opportunity(db, admin, stale, days=31)
    none = old(db, li, "从无商机", days=400)
    deleted = old(db, li, "商机已删除", days=400)
    opportunity(db, admin, deleted, deleted=True)
    soon = old(db, li, "商机快到期", days=400)
    opportunity(db, admin, soon, days=25)
    # An edit of the old opportunity today does not restart the clock.
    with unit_of_work(db, None) as uow:
        uow.session.execute(update(Opportunity).where(Opportunity.id == stale_opp).values(updated_at=NOW))
    report = jobs.run_jobs(db, now=NOW)
    assert report.recycle.customer_ids == (stale, none, deleted)
    assert [row(db, i).pool_id for i in (stale, none, deleted)] == [p.id] * 3
    assert owners(db, fresh, soon) == [li.user_id, li.user_id]
    # The reminder counts from the newest opportunity: created 25 days ago, due in 5.
    assert [(r.customer_id, r.rule_kind, r.days_left) for r in report.reminders] == [(soon, "no_opportunity", 5)]
    assert report.reminders[0].due_at == ago(25) + dt.timedelta(days=30)
    assert jobs.run_recycle(db, now=NOW + dt.timedelta(days=6)).customer_ids == (soon,)


@pytest.mark.parametrize("kind", ["no_followup", "no_deal", "no_opportunity"])
def test_every_kind_spares_customers_of_pools_without_members_owning_them(db: Database, admin: Actor, kind: str) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    make_pool(db, admin, member(wang), rules=(rule(kind, 10),))
    cid = old(db, li, "别人的客户", days=400)
    assert jobs.run_recycle(db, now=NOW).recycled == 0 and owners(db, cid) == [li.user_id]
    with read_only(db, None) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Customer).where(Customer.pool_id.is_not(None))) == 0
