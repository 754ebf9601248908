"""Trigger events beyond saves (status, follow-up, pool, approval, date) and the newer actions
(round-robin owner, message to the team), on both backends."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crm_desktop.automation.engine import RuleFailed, fire_event
from crm_desktop.db import Database
from crm_desktop.models import AutomationRule, Customer, utcnow
from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.customers import followups, jobs, pool
from crm_desktop.services.customers import leads as lead_ops
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.customers.pool import PoolInput, PoolMemberInput
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from crm_desktop.services.uow import unit_of_work
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.automation import RuleInput
from tests.test_customers import ALL_SALES, make_user

POOL_SALES = {**ALL_SALES, "customer": RECORD_ACTIONS + ("put_in_pool",), "pool": ("view", "claim")}


def cond(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"match": "all", "groups": [{"match": "all", "conditions": list(conditions)}]}


def tell(title: str, to: str = "owner", **kw: Any) -> tuple[dict[str, Any], ...]:
    return ({"type": "message", "to": to, "title": title, **kw},)


def titles(db: Database, actor: Actor) -> list[str]:
    return [m.title for m in reversed(auto.list_messages(db, actor))]  # oldest first


def rule(db: Database, admin: Actor, name: str, entity: str, event: str, actions: tuple[dict[str, Any], ...],
         **kw: Any) -> auto.RuleDTO:
    return auto.create_rule(db, admin, RuleInput(name=name, entity=entity, event=event, actions=actions, **kw))


def test_status_followup_contact_and_approval_events(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000021")
    manager = make_user(db, admin, "13900000022")
    deal = rule(db, admin, "成交通知", "customer", "status_changed", tell("成交：{name}"), to_value="deal")
    assert deal.field == "deal_status"  # the customer's only status field, filled in
    rule(db, admin, "线索无效", "lead", "status_changed", tell("无效：{name} {invalid_reason}"), field="status",
         to_value="invalid")
    rule(db, admin, "开始跟进", "lead", "status_changed", tell("跟进中：{name}"), from_value="new", to_value="following")
    rule(db, admin, "已转化", "lead", "status_changed", tell("转化：{name}"), to_value="converted")
    # A status change is a field change too.
    rule(db, admin, "等级随成交", "customer", "field_changed", ({"type": "set_field", "field": "level", "value": "A"},),
         field="deal_status", to_value="deal")
    rule(db, admin, "意向客户", "customer", "followup_added", tell("{name}：{followup.content}"),
         condition=cond({"field": "followup.content", "op": "contains", "value": "感兴趣"}))
    rule(db, admin, "意向跟进", "followup", "created", tell("跟进记录：{content}", to="users", user_ids=[manager.user_id]),
         condition=cond({"field": "content", "op": "contains", "value": "感兴趣"}))
    rule(db, admin, "联系人备注", "contact", "created", ({"type": "set_field", "field": "remark", "value": "自动"},))
    rule(db, admin, "客户批准", "customer", "approval_approved", tell("已批准：{name}"))
    with pytest.raises(ValidationError):  # no such approval flow
        rule(db, admin, "x", "customer", "created", ({"type": "start_approval", "flow_id": 999},))
    with pytest.raises(ValidationError):  # contacts have no status
        rule(db, admin, "x", "contact", "status_changed", tell("x"))
    with pytest.raises(ValidationError):  # a follow-up field is only known to followup_added rules
        rule(db, admin, "x", "customer", "edited", tell("x"),
             condition=cond({"field": "followup.content", "op": "contains", "value": "a"}))

    c = customers.create(db, rep, {"name": "厦门意向公司"})
    customer_ops.set_deal_status(db, rep, c.id, status="deal")
    assert titles(db, rep) == ["成交：厦门意向公司"]
    assert customers.get(db, rep, c.id).values["level"] == "A"
    customer_ops.set_deal_status(db, rep, c.id, status="none")  # not "to deal": quiet
    customers.update(db, rep, c.id, expected_version=customers.get(db, rep, c.id).version, changes={"remark": "x"})
    assert titles(db, rep) == ["成交：厦门意向公司"]

    followups.add_followup(db, rep, target_entity="customer", target_id=c.id, content="客户很感兴趣，下周报价")
    followups.add_followup(db, rep, target_entity="customer", target_id=c.id, content="暂无意向")
    assert titles(db, rep)[1:] == ["厦门意向公司：客户很感兴趣，下周报价"]
    assert titles(db, manager) == ["跟进记录：客户很感兴趣，下周报价"]

    contact = contacts.create(db, rep, {"name": "王经理", "customer_id": c.id})
    assert contacts.get(db, rep, contact.id).values["remark"] == "自动"

    lead = leads.create(db, rep, {"name": "泉州线索", "contact_name": "李总"})
    followups.add_followup(db, rep, target_entity="lead", target_id=lead.id, content="初次电话")  # new → following
    lead_ops.mark_invalid(db, rep, lead.id, reason="空号")
    lead_ops.reopen(db, rep, lead.id)  # back to following: neither rule fires
    lead_ops.convert(db, rep, lead.id)
    assert titles(db, rep)[2:] == ["跟进中：泉州线索", "无效：泉州线索 空号", "转化：泉州线索"]
    # Conversion made a contact through its own path: its "created" rule ran too.
    assert sorted(r.values["remark"] for r in contacts.list_page(db, rep).rows) == ["自动", "自动"]

    # The approval engine fires its events through fire_event, in its own unit of work.
    with unit_of_work(db, admin) as uow:
        fire_event(uow, "customer", uow.session.get(Customer, c.id), "approval_approved")
        fire_event(uow, customers, uow.session.get(Customer, c.id), "approval_rejected")  # no rule: nothing
    assert titles(db, rep)[-1] == "已批准：厦门意向公司" and len(titles(db, rep)) == 6


def test_pool_events_round_robin_and_team_message(db: Database, admin: Actor) -> None:
    a, b, c = (make_user(db, admin, f"1390000003{i}", perms=POOL_SALES) for i in range(3))
    p = pool.create_pool(db, admin, PoolInput(name="华南公海", members=(PoolMemberInput(user_id=a.user_id),)))
    rr = rule(db, admin, "轮流分配", "customer", "created",
              ({"type": "assign_owner", "round_robin": [a.user_id, b.user_id, c.user_id]},))
    owners = [customers.create(db, admin, {"name": f"轮流{i}"}).owner_id for i in range(4)]
    assert owners == [a.user_id, b.user_id, c.user_id, a.user_id]
    with pytest.raises(ValidationError):
        rule(db, admin, "x", "customer", "created", ({"type": "assign_owner", "round_robin": []},))
    with pytest.raises(ValidationError):
        rule(db, admin, "x", "lead", "pool_put", tell("x"))  # only customers go to pools
    auto.set_enabled(db, admin, rr.id, False)

    rule(db, admin, "放入公海", "customer", "pool_put", tell("{name} 进入公海", to="users", user_ids=[b.user_id]))
    rule(db, admin, "领取", "customer", "pool_claimed", tell("你领取了 {name}"))
    rule(db, admin, "团队提醒", "customer", "field_changed", tell("{name} 的备注改了", to="team"), field="remark")
    mine = customers.create(db, a, {"name": "团队客户"})
    customers.set_team_member(db, a, mine.id, user_id=c.user_id, access="read")
    customers.update(db, a, mine.id, expected_version=mine.version, changes={"remark": "新备注"})
    assert titles(db, c) == ["团队客户 的备注改了"] and titles(db, a) == []  # the team, not the owner

    pool.put_in_pool(db, a, mine.id, pool_id=p.id, reason="不跟了")
    assert titles(db, b) == ["团队客户 进入公海"]
    pool.claim(db, a, [mine.id], pool_id=p.id)
    pool.put_in_pool(db, a, mine.id, pool_id=p.id, reason="再放")
    pool.assign(db, admin, [mine.id], pool_id=p.id, user_id=b.user_id)
    assert titles(db, a) == ["你领取了 团队客户"] and titles(db, b)[-1] == "你领取了 团队客户"
    assert titles(db, b).count("团队客户 进入公海") == 2

    # A failing pool rule fails the claim and leaves the customer in the pool.
    rule(db, admin, "坏规则", "customer", "pool_claimed", ({"type": "set_field", "field": "level", "value": "不存在"},))
    pool.put_in_pool(db, admin, mine.id, pool_id=p.id, reason="第三次")
    with pytest.raises(RuleFailed, match="坏规则"):
        pool.claim(db, a, [mine.id], pool_id=p.id)
    with db.sessions() as s:
        assert s.get_one(Customer, mine.id).pool_id == p.id


def test_date_reached_fires_once_per_occurrence(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000041")
    signed = create_custom_field(db, admin, "lead", CustomFieldInput("签约日", FieldType.DATE)).name
    with pytest.raises(ValidationError):  # not a date
        rule(db, admin, "x", "customer", "date_reached", tell("x"), date_field="name")
    with pytest.raises(ValidationError):  # no user to create records as
        rule(db, admin, "x", "customer", "date_reached", date_field="next_contact_at",
             actions=({"type": "create_record", "entity": "lead", "mapping": {"name": {"field": "name"}}},))
    start = utcnow()
    soon = rule(db, admin, "联系前一天", "customer", "date_reached", tell("明天联系 {name}"),
                date_field="next_contact_at", offset_days=-1,
                condition=cond({"field": "level", "op": "ne", "value": "C"}))
    rule(db, admin, "签约后三天", "lead", "date_reached", tell("回访 {name}"), date_field=signed, offset_days=3)

    c1 = customers.create(db, rep, {"name": "甲公司"})
    c2 = customers.create(db, rep, {"name": "乙公司"})
    c3 = customers.create(db, rep, {"name": "丙公司", "level": "C"})  # the condition keeps it out
    customers.create(db, rep, {"name": "无日期"})
    for cid, days in ((c1.id, 3), (c2.id, 5), (c3.id, 3)):
        followups.add_followup(db, rep, target_entity="customer", target_id=cid, content="约了",
                               next_contact_at=start + dt.timedelta(days=days))
    # Signed a week from today: the visit is due at local midnight ten days from today.
    signed_on = start.astimezone().date() + dt.timedelta(days=7)
    leads.create(db, rep, {"name": "丁线索"}, custom={signed: signed_on.isoformat()})

    def run(days: float) -> list[jobs.DateRuleRun]:
        return list(jobs.run_jobs(db, now=start + dt.timedelta(days=days)).date_rules)

    assert [r.due for r in run(1)] == [0, 0] and titles(db, rep) == []
    first = run(2.5)  # c1's next contact is in half a day
    assert [(r.rule_id, r.due, r.failed) for r in first][0] == (soon.id, 2, 0)  # c1 and c3; c3's condition fails
    assert titles(db, rep) == ["明天联系 甲公司"]
    assert [r.due for r in run(2.6)] == [0, 0]  # the same occurrence never fires twice
    run(4.5)
    assert titles(db, rep) == ["明天联系 甲公司", "明天联系 乙公司"]
    assert [r.due for r in run(10)] == [0, 1]
    assert titles(db, rep)[-1] == "回访 丁线索" and len(titles(db, rep)) == 3
    run(30)
    assert len(titles(db, rep)) == 3
    with db.sessions() as s:
        checked = s.get_one(AutomationRule, soon.id).last_checked_at
        assert checked == start + dt.timedelta(days=30)
    # Moving the next contact later makes a new occurrence, which fires in its turn.
    followups.add_followup(db, rep, target_entity="customer", target_id=c1.id, content="改期",
                           next_contact_at=start + dt.timedelta(days=40))
    run(39.5)
    assert titles(db, rep)[-1] == "明天联系 甲公司" and len(titles(db, rep)) == 4
