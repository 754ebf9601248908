"""Every write path fires the automation rules without naming the engine.

One rule on every event kind of every entity (field and status rules on the fields the writes
below change); each service write is then checked to fire exactly the rules it should, each
exactly once, on the record it changed — counted in the automation run log, which logs every
run. The services only record domain events: a write path that records none runs no rules,
and this test names it.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import select, update

from crm_desktop.bootstrap import bootstrap, wire
from crm_desktop.db import Database
from crm_desktop.models import AutomationRun, Customer, utcnow
from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.customers import jobs, pool
from crm_desktop.services.customers import leads as lead_ops
from crm_desktop.services.customers.contacts import contacts, set_primary
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup, followups
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.customers.pool import (
    PoolInput,
    PoolMemberInput,
    PoolRuleInput,
)
from crm_desktop.services.activities.tasks import TaskInput, create_task, set_done
from crm_desktop.services.org import auth
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales import opportunities as opp_ops
from crm_desktop.services.sales import payments as pay_ops
from crm_desktop.services.sales import products
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.payments import payments
from crm_desktop.services.uow import unit_of_work
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.approvals import FlowInput
from crm_desktop.services.workflow.automation import RuleInput
from crm_desktop.services.workflow.rule_format import EVENTS, STATUS_FIELDS
from tests.conftest import ADMIN_MOBILE, ADMIN_PASSWORD
from tests.test_customers import make_user

T = TypeVar("T")
#: The fields a field_changed rule watches, per entity: the field the generic update below
#: changes, each status field, and the system fields the other writes change.
WATCHED: dict[str, tuple[str, ...]] = {
    "customer": ("remark", "deal_status", "locked"),
    "lead": ("remark", "status"),
    "contact": ("remark", "is_primary"),
    "followup": ("content",),
    "product": ("name", "on_shelf"),
    "opportunity": ("remark", "status", "stage_id"),
    "contract": ("remark", "execution_status", "approval_status", "received_amount"),
    "payment": ("remark", "approval_status"),
}
NOWHERE = ({"type": "message", "to": "users", "user_ids": []},)  # runs, is logged, sends nothing


def every_rule(db: Database, admin: Actor) -> int:
    """One rule per entity and event kind (per watched field for field rules); returns how many."""
    made = 0
    for entity in auto.ENTITIES:
        for kind in EVENTS:
            if entity not in auto.EVENT_ENTITIES.get(kind, auto.ENTITIES):
                continue
            extra: list[dict[str, Any]] = [{}]
            if kind == "field_changed":
                extra = [{"field": f} for f in WATCHED[entity]]
            elif kind == "status_changed":
                extra = [{"field": f} for f in STATUS_FIELDS[entity]]
            elif kind == "date_reached":
                extra = [{"date_field": "created_at", "offset_days": 0}]
            for options in extra:
                watched = options.get("field") or options.get("date_field")
                name = f"{entity}:{kind}:{watched}" if watched else f"{entity}:{kind}"
                auto.create_rule(db, admin, RuleInput(name=name, entity=entity, event=kind, actions=NOWHERE, **options))
                made += 1
    return made


class RunLog:
    """The runs logged since the last look: (rule name, record id) → how many times."""

    def __init__(self, db: Database) -> None:
        self.db, self.seen = db, 0

    def new(self) -> Counter[tuple[str, int]]:
        with self.db.sessions() as s:
            runs = s.execute(select(AutomationRun.id, AutomationRun.rule_name, AutomationRun.record_id, AutomationRun.outcome)
                             .where(AutomationRun.id > self.seen).order_by(AutomationRun.id)).all()
        if runs:
            self.seen = runs[-1][0]
        assert {outcome for *_rest, outcome in runs} <= {"ok"}, runs
        return Counter((name, record_id) for _id, name, record_id, _outcome in runs)

    def after(self, write: Callable[[], T], *expected: tuple[str, int]) -> T:
        """Run ``write`` and check that it fired exactly ``expected`` (each once)."""
        result = write()
        assert self.new() == Counter(expected), f"{write}"
        return result


def fired(*rules: str, on: int) -> Iterable[tuple[str, int]]:
    return [(rule, on) for rule in rules]


def test_every_write_fires_its_rules_exactly_once(db: Database, admin: Actor) -> None:
    other = make_user(db, admin, "13900000701")
    # 8 entities × 6 kinds every record has, 19 field, 4 status, 7 others, 5 × 3 task events
    assert every_rule(db, admin) == 93
    log = RunLog(db)
    log.new()

    # Customers: the generic writes, the customer's own operations.
    c_id = customers.create(db, admin, {"name": "星辰科技"}).id
    assert log.new() == Counter([("customer:created", c_id)])
    log.after(lambda: customers.update(db, admin, c_id, expected_version=1, changes={"remark": "重点"}),
              *fired("customer:edited", "customer:field_changed:remark", on=c_id))
    log.after(lambda: customer_ops.set_deal_status(db, admin, c_id, status="deal"),
              *fired("customer:status_changed:deal_status", "customer:field_changed:deal_status", on=c_id))
    log.after(lambda: customer_ops.lock(db, admin, [c_id]),
              *fired("customer:edited", "customer:field_changed:locked", on=c_id))
    log.after(lambda: customer_ops.unlock(db, admin, [c_id]),
              *fired("customer:edited", "customer:field_changed:locked", on=c_id))
    log.after(lambda: customers.transfer(db, admin, [c_id], new_owner_id=other.user_id),
              ("customer:owner_changed", c_id))
    log.after(lambda: customers.delete(db, admin, c_id))
    log.after(lambda: customers.restore(db, admin, c_id))
    # A task about the customer: its rules on task events fire on the customer.
    task = log.after(lambda: create_task(db, admin, TaskInput(title="回访", related=(("customer", c_id),))),
                     ("customer:task_created", c_id))
    log.after(lambda: set_done(db, admin, task.id), ("customer:task_completed", c_id))

    # Contacts: the first is primary from the start; a new primary takes it from the old one.
    k1 = contacts.create(db, admin, {"customer_id": c_id, "name": "甲"})
    assert log.new() == Counter([("contact:created", k1.id)])
    k2 = contacts.create(db, admin, {"customer_id": c_id, "name": "乙", "is_primary": True})
    assert log.new() == Counter([("contact:created", k2.id), ("contact:edited", k1.id),
                                 ("contact:field_changed:is_primary", k1.id)])
    log.after(lambda: set_primary(db, admin, k1.id),
              *fired("contact:edited", "contact:field_changed:is_primary", on=k1.id),
              *fired("contact:edited", "contact:field_changed:is_primary", on=k2.id))
    log.after(lambda: contacts.update(db, admin, k1.id, expected_version=contacts.get(db, admin, k1.id).version,
                                      changes={"remark": "决策人"}),
              *fired("contact:edited", "contact:field_changed:remark", on=k1.id))
    log.after(lambda: contacts.transfer(db, admin, [k2.id], new_owner_id=other.user_id),
              ("contact:owner_changed", k2.id))
    log.after(lambda: customer_ops.transfer_customers(db, admin, [c_id], new_owner_id=admin.user_id,
                                                      carry_contacts=True),
              ("customer:owner_changed", c_id), ("contact:owner_changed", k2.id))

    # Follow-ups: the follow-up's own rules and its target's.
    f = add_followup(db, admin, target_entity="contact", target_id=k1.id, content="电话")
    assert log.new() == Counter([("followup:created", f.id), ("contact:followup_added", k1.id)])
    f = add_followup(db, admin, target_entity="customer", target_id=c_id, content="拜访")
    assert log.new() == Counter([("followup:created", f.id), ("customer:followup_added", c_id)])
    log.after(lambda: followups.delete(db, admin, f.id))

    # Leads: statuses, the first follow-up, conversion (its customer and contact are created).
    lead = leads.create(db, admin, {"name": "月光贸易", "contact_name": "李总"})
    assert log.new() == Counter([("lead:created", lead.id)])
    log.after(lambda: leads.update(db, admin, lead.id, expected_version=lead.version, changes={"remark": "展会"}),
              *fired("lead:edited", "lead:field_changed:remark", on=lead.id))
    f = add_followup(db, admin, target_entity="lead", target_id=lead.id, content="初次电话")
    assert log.new() == Counter([("followup:created", f.id), ("lead:followup_added", lead.id),
                                 ("lead:status_changed:status", lead.id), ("lead:field_changed:status", lead.id)])
    log.after(lambda: lead_ops.mark_invalid(db, admin, lead.id, reason="空号"),
              *fired("lead:status_changed:status", "lead:field_changed:status", on=lead.id))
    log.after(lambda: lead_ops.reopen(db, admin, lead.id),
              *fired("lead:status_changed:status", "lead:field_changed:status", on=lead.id))
    log.after(lambda: leads.transfer(db, admin, [lead.id], new_owner_id=other.user_id), ("lead:owner_changed", lead.id))
    done = lead_ops.convert(db, admin, lead.id)
    assert done.contact_id is not None
    assert log.new() == Counter([("customer:created", done.customer_id), ("contact:created", done.contact_id),
                                 ("lead:status_changed:status", lead.id), ("lead:field_changed:status", lead.id)])

    # Public pool: put in, claim, assign, and the recycle job.
    p = pool.create_pool(db, admin, PoolInput(name="公海", members=(PoolMemberInput(user_id=admin.user_id, is_admin=True),),
                                              rules=(PoolRuleInput("no_followup", 30),)))
    log.after(lambda: pool.put_in_pool(db, admin, done.customer_id, pool_id=p.id, reason="不跟了"),
              ("customer:pool_put", done.customer_id))
    log.after(lambda: pool.claim(db, admin, [done.customer_id], pool_id=p.id), ("customer:pool_claimed", done.customer_id))
    pool.put_in_pool(db, admin, done.customer_id, pool_id=p.id, reason="再放")
    log.new()
    log.after(lambda: pool.assign(db, admin, [done.customer_id], pool_id=p.id, user_id=admin.user_id),
              ("customer:pool_claimed", done.customer_id))
    stale = customers.create(db, admin, {"name": "久未跟进"}).id
    assert log.new() == Counter([("customer:created", stale)])
    with unit_of_work(db, None) as uow:  # old enough for the pool's 30-day rule
        uow.session.execute(update(Customer).where(Customer.id == stale).values(created_at=utcnow() - dt.timedelta(days=40)))
    log.after(lambda: jobs.run_recycle(db), ("customer:pool_put", stale))

    # Products.
    prod = products.products.create(db, admin, {"name": "工业网关", "code": "GW-1", "price": "100.00"})
    assert log.new() == Counter([("product:created", prod.id)])
    log.after(lambda: products.products.update(db, admin, prod.id, expected_version=prod.version,
                                               changes={"name": "工业网关二代"}),
              *fired("product:edited", "product:field_changed:name", on=prod.id))
    log.after(lambda: products.set_on_shelf(db, admin, [prod.id], on_shelf=False),
              *fired("product:edited", "product:field_changed:on_shelf", on=prod.id))

    # Opportunities: stages and statuses.
    opp = opportunities.create(db, admin, {"name": "网关项目", "customer_id": c_id})
    assert log.new() == Counter([("opportunity:created", opp.id)])
    log.after(lambda: opportunities.update(db, admin, opp.id, expected_version=opp.version, changes={"remark": "急"}),
              *fired("opportunity:edited", "opportunity:field_changed:remark", on=opp.id))
    log.after(lambda: opp_ops.advance(db, admin, opp.id), ("opportunity:field_changed:stage_id", opp.id))
    log.after(lambda: opp_ops.win(db, admin, opp.id),
              *fired("opportunity:status_changed:status", "opportunity:field_changed:status", on=opp.id))
    log.after(lambda: opp_ops.reopen(db, admin, opp.id),
              *fired("opportunity:status_changed:status", "opportunity:field_changed:status", on=opp.id))
    log.after(lambda: opportunities.transfer(db, admin, [opp.id], new_owner_id=other.user_id),
              ("opportunity:owner_changed", opp.id))

    # Contracts: no flow approves at once (the customer already has a deal: no change there).
    k = contracts.create(db, admin, {"name": "网关合同", "customer_id": c_id, "amount": "1000.00"})
    assert log.new() == Counter([("contract:created", k.id)])
    log.after(lambda: contracts.update(db, admin, k.id, expected_version=k.version, changes={"remark": "加急"}),
              *fired("contract:edited", "contract:field_changed:remark", on=k.id))
    log.after(lambda: ct.submit(db, admin, k.id),
              ("contract:field_changed:approval_status", k.id),
              *fired("contract:status_changed:execution_status", "contract:field_changed:execution_status", on=k.id))
    log.after(lambda: ct.set_execution_status(db, admin, k.id, "producing"),
              *fired("contract:status_changed:execution_status", "contract:field_changed:execution_status", on=k.id))
    made = ct.create_from_opportunity(db, admin, opp.id)
    assert log.new() == Counter([("contract:created", made.id)])

    # Payments: approved at once, the contract's received amount follows.
    pay = payments.create(db, admin, {"contract_id": k.id, "amount": "300.00", "paid_date": dt.date(2026, 3, 2)})
    assert log.new() == Counter([("payment:created", pay.id)])
    log.after(lambda: payments.update(db, admin, pay.id, expected_version=pay.version, changes={"remark": "首款"}),
              *fired("payment:edited", "payment:field_changed:remark", on=pay.id))
    log.after(lambda: pay_ops.submit(db, admin, pay.id),
              ("payment:field_changed:approval_status", pay.id),
              *fired("contract:edited", "contract:field_changed:received_amount", on=k.id))
    log.after(lambda: ct.void(db, admin, k.id), ("contract:field_changed:approval_status", k.id))

    # Approvals: approved and rejected, on a record with a flow started by hand.
    flow = appr.create_flow(db, admin, FlowInput(name="客户审批", entity="customer", binding="manual", branches=(
        {"name": "", "condition": {}, "nodes": [{"name": "审批", "mode": "orsign",
                                                  "approver": {"kind": "users", "users": [admin.user_id]}}]},)))
    for approve, rule in ((True, "customer:approval_approved"), (False, "customer:approval_rejected")):
        inst = appr.submit(db, admin, "customer", c_id, flow.id)
        assert inst.my_task_id is not None
        log.after(lambda: appr.decide(db, admin, inst.my_task_id, approve=approve, comment="意见"), (rule, c_id))

    # Date rules: every live record created since the rules were made, once.
    later = utcnow() + dt.timedelta(minutes=1)
    log.new()
    jobs.run_date_rules(db, now=later)
    dated = log.new()
    assert set(dated.values()) == {1}
    assert {name for name, _id in dated} == {f"{e}:date_reached:created_at" for e in auto.ENTITIES}
    assert dated[("customer:date_reached:created_at", c_id)] == 1
    jobs.run_date_rules(db, now=later + dt.timedelta(minutes=1))
    assert log.new() == Counter()  # each occurrence once


def test_a_database_built_without_rules_runs_none(db_url: str) -> None:
    """The composition root decides: the same services, wired without the rules engine."""
    quiet = bootstrap(db_url, rules=False)
    try:
        admin = auth.setup_company(quiet, company="星辰", admin_name="管理员", admin_mobile=ADMIN_MOBILE,
                                   password=ADMIN_PASSWORD)
        auto.create_rule(quiet, admin, RuleInput(name="x", entity="customer", event="created", actions=NOWHERE))
        customers.create(quiet, admin, {"name": "星辰"})
        assert RunLog(quiet).new() == Counter()
        wire(quiet)  # the same database, now with the rules engine
        customers.create(quiet, admin, {"name": "月光"})
        assert sum(RunLog(quiet).new().values()) == 1
    finally:
        quiet.dispose()
