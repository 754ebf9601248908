"""Demo data: a valid organisation, realistic customers, logins that work, scopes that bite."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database, open_database
from crm_desktop.demo import company as demo
from crm_desktop.models import (
    AuditEntry,
    Contact,
    Customer,
    Department,
    FollowUp,
    Lead,
    PoolEvent,
    User,
)
from crm_desktop.services.customers import followups, jobs, pool
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import RuleViolation, ValidationError
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records import search
from crm_desktop.services.uow import read_only


def _count(db: Database, model: type) -> int:
    with read_only(db, None) as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _rows(db: Database) -> list[Customer]:
    with read_only(db, None) as uow:
        rows = list(uow.session.scalars(select(Customer).order_by(Customer.id)))
        uow.session.expunge_all()  # keep the loaded values readable after the session ends
        return rows


def test_demo_company_is_a_valid_organisation(db: Database) -> None:
    admin = demo.create_demo_company(db, users=15, customers=400)
    assert admin.is_super and admin.mobile == "13800000000" and admin.name == "林建华"
    assert auth.company_name(db) == "厦门星辰科技有限公司"
    assert _count(db, User) == 15
    assert _count(db, Department) == len(demo.DEPARTMENTS) + 1
    assert _count(db, Customer) == 400

    people = users.list_users(db, admin)
    by_id = {u.id: u for u in people}
    assert {u.department_name for u in people} >= {"总经办", "福建分部", "广东分部", "上海分部", "财务部"}
    assert all(u.email.endswith("@xingchen-tech.cn") for u in people)
    assert len({u.mobile for u in people}) == len(people)
    # Superior chains are real chains: acyclic, and every one ends at the general manager.
    for person in people:
        seen: set[int] = set()
        current = person
        while current.superior_id is not None:
            assert current.id not in seen, f"loop through {current.name}"
            seen.add(current.id)
            current = by_id[current.superior_id]
        assert current.id == admin.user_id
    reps = [u for u in people if u.position == "销售代表"]
    assert len(reps) == 2 + 3  # two in the core, three extra
    assert all(by_id[r.superior_id].position in ("销售经理", "大区总监") for r in reps if r.superior_id)

    role_by_name = {r.name: r for r in roles.list_roles(db, admin)}
    assert role_by_name["销售代表"].scopes["customer"] is DataScope.SELF
    assert role_by_name["销售代表"].permissions >= {("customer", "view"), ("customer", "create"), ("customer", "edit")}
    assert ("customer", "transfer") not in role_by_name["销售代表"].permissions
    assert role_by_name["销售经理"].scopes["customer"] is DataScope.SUBORDINATES
    assert ("customer", "transfer") in role_by_name["销售经理"].permissions
    assert role_by_name["大区总监"].scopes["customer"] is DataScope.DEPARTMENT_TREE
    assert role_by_name["财务"].scopes["customer"] is DataScope.ALL
    assert ("user", "create") in role_by_name["系统管理员"].permissions
    assert ("role", "edit") in role_by_name["系统管理员"].permissions


def test_every_demo_user_can_log_in(db: Database) -> None:
    demo.create_demo_company(db, users=13, customers=0)
    with read_only(db, None) as uow:
        mobiles = list(uow.session.scalars(select(User.mobile)))
    assert len(mobiles) == 13
    for mobile in mobiles:
        password = demo.ADMIN_PASSWORD if mobile == demo.ADMIN_MOBILE else demo.DEMO_PASSWORD
        assert auth.login(db, mobile, password).mobile == mobile


def test_demo_customers_are_realistic_and_owned_by_sales(db: Database) -> None:
    before = dt.datetime.now(dt.timezone.utc)
    admin = demo.create_demo_company(db, customers=1200)
    rows = _rows(db)
    assert len(rows) == 1200
    assert len({r.name for r in rows}) == 1200
    assert all(r.name.endswith("公司") for r in rows)
    assert {r.level for r in rows} == {"A", "B", "C"}
    assert len({r.industry for r in rows}) >= 10
    assert all(r.version == 1 and r.custom == {} and r.deleted_at is None for r in rows)
    # A customer the demo put into the public pool has no owner; its creator owned it before.
    assert all(r.creator_id == (r.owner_id or r.previous_owner_id) for r in rows)
    oldest = before - dt.timedelta(days=demo.HISTORY_DAYS, minutes=5)
    assert all(oldest <= r.created_at <= r.updated_at <= before + dt.timedelta(minutes=5) for r in rows)
    assert all(r.created_at.tzinfo is not None for r in rows)
    # Customers belong to the branch of their province.
    people = {u.id: u for u in users.list_users(db, admin)}
    fujian = [r for r in rows if r.address.startswith(("厦门", "福州", "泉州", "漳州", "莆田"))]
    assert fujian and all(people[r.creator_id].department_name == "福建分部" for r in fujian)
    assert {people[r.creator_id].position for r in rows} <= {"销售代表", "销售经理"}
    # Bulk rows carry no audit entries (only the organisation's set-up is audited).
    with read_only(db, None) as uow:
        assert uow.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity == "customer")) == 0
        assert uow.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity == "user")) == 12


def test_data_scopes_apply_to_demo_users(db: Database) -> None:
    demo.create_demo_company(db, customers=600)
    rows = _rows(db)
    rep = auth.login(db, "13850001004", demo.DEMO_PASSWORD)  # 郑伟, 福建 sales rep
    manager = auth.login(db, "13850001003", demo.DEMO_PASSWORD)  # 黄丽娟, his manager
    director = auth.login(db, "13850001002", demo.DEMO_PASSWORD)  # 陈海峰, 华南大区
    finance = auth.login(db, "13850001008", demo.DEMO_PASSWORD)
    owned = lambda ids: sum(1 for r in rows if r.owner_id in ids)  # noqa: E731
    assert customers.count(db, rep) == owned({rep.user_id}) > 0
    assert customers.count(db, manager) == owned({rep.user_id, manager.user_id}) > customers.count(db, rep)
    owned_rows = [r for r in rows if r.pool_id is None]  # pooled customers are in no one's list
    assert customers.count(db, director) == sum(
        1 for r in owned_rows if not r.address.startswith(("上海", "杭州", "苏州", "南京", "宁波"))
    )
    assert customers.count(db, finance) == len(owned_rows) < 600


def test_demo_refuses_a_database_already_set_up(db: Database, admin: Actor) -> None:
    with pytest.raises(RuleViolation, match="already set up"):
        demo.create_demo_company(db, customers=10)
    assert _count(db, User) == 1 and _count(db, Customer) == 0


def test_demo_needs_the_core_organisation(db: Database) -> None:
    with pytest.raises(RuleViolation, match="at least 12"):
        demo.create_demo_company(db, users=5)
    assert auth.needs_setup(db)


def test_fill_customers_reports_progress_in_batches(db: Database) -> None:
    admin = demo.create_demo_company(db, customers=0)
    steps = list(demo.fill_customers(db, count=2_500, batch_size=1_000, owner_ids=[admin.user_id]))
    assert [(d, t) for d, t, _ in steps] == [(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500), (2500, 2500)]
    assert all(text for _, _, text in steps) and steps[-1][2] == "Indexing for search"
    # Bulk rows carry the duplicate-check key and are findable by pinyin initials at once.
    assert all(r.normalized_name for r in _rows(db))
    # A second fill continues the name sequence instead of repeating names.
    list(demo.fill_customers(db, count=500, owner_ids=[admin.user_id]))
    names = [r.name for r in _rows(db)]
    assert len(names) == len(set(names)) == 3_000
    assert {r.owner_id for r in _rows(db)} == {admin.user_id}


def test_same_seed_same_data(tmp_path: Path, sqlite_template: Path) -> None:
    import shutil

    results = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.sqlite3"
        shutil.copy(sqlite_template, path)
        database = bootstrap(f"sqlite:///{path}")
        try:
            demo.create_demo_company(database, users=14, customers=200, seed=3)
            results.append([(r.name, r.phone, r.level, r.address, r.owner_id) for r in _rows(database)])
            with read_only(database, None) as uow:
                results.append(list(uow.session.execute(select(User.name, User.mobile).order_by(User.id))))
                results.append(list(uow.session.execute(  # times follow the clock; the rest follows the seed
                    select(Contact.customer_id, Contact.name, Contact.mobile, Contact.is_primary)
                    .order_by(Contact.id))))
                results.append(list(uow.session.execute(
                    select(FollowUp.target_entity, FollowUp.target_id, FollowUp.kind, FollowUp.content)
                    .order_by(FollowUp.id))))
                results.append(list(uow.session.execute(
                    select(Lead.name, Lead.status, Lead.converted_customer_id, Lead.invalid_reason).order_by(Lead.id))))
                results.append(list(uow.session.scalars(select(Customer.id).where(Customer.pool_id.is_not(None)))))
        finally:
            database.dispose()
    half = len(results) // 2
    assert results[:half] == results[half:] and all(results[:half])


# --- contacts, follow-ups, leads and the public pool ------------------------------------


def _all(db: Database, model: type) -> list:  # type: ignore[type-arg]
    with read_only(db, None) as uow:
        rows = list(uow.session.scalars(select(model).order_by(model.id)))
        uow.session.expunge_all()
        return rows


def test_demo_fills_contacts_followups_and_leads_in_proportion(db: Database) -> None:
    before = dt.datetime.now(dt.timezone.utc)
    admin = demo.create_demo_company(db, customers=2000)
    by_id = {c.id: c for c in _rows(db)}
    people = _all(db, Contact)
    notes = _all(db, FollowUp)
    prospects = _all(db, Lead)
    assert 1.3 * 2000 <= len(people) <= 1.7 * 2000
    assert 0.22 * 2000 <= len(prospects) <= 0.38 * 2000
    on_customers = [f for f in notes if f.target_entity == "customer"]
    assert 1.7 * 2000 <= len(on_customers) <= 2.3 * 2000
    for row in (*people, *notes, *prospects):
        assert row.version == 1 and row.custom == {} and row.deleted_at is None
        assert row.owner_id is not None and row.creator_id == row.owner_id
        assert row.created_at <= row.updated_at <= before + dt.timedelta(minutes=5)

    # Contacts: realistic, owned by their customer's (previous) owner, exactly one primary each.
    primaries: dict[int, int] = {}
    for p in people:
        customer = by_id[p.customer_id]
        assert p.owner_id == (customer.owner_id or customer.previous_owner_id)
        assert 2 <= len(p.name) <= 3 and p.position and len(p.mobile) == 11 and p.mobile.isdigit()
        primaries[p.customer_id] = primaries.get(p.customer_id, 0) + int(p.is_primary)
    assert set(primaries.values()) == {1}
    assert 0.8 * 2000 <= len(primaries) < 2000  # most customers have contacts, some none yet
    assert any(p.decision_maker for p in people) and not all(p.decision_maker for p in people)

    # Follow-ups: dictionary kinds, the last 90 days, never before the customer existed.
    kinds = {value for value, _label in followups.followup_kinds(db, admin)}
    assert {f.kind for f in on_customers} == {"phone", "visit", "wechat", "email"} <= kinds
    for f in on_customers:
        customer = by_id[f.target_id]
        assert customer.created_at <= f.followed_at <= before
        assert f.followed_at >= before - dt.timedelta(days=90, minutes=5)
        assert f.owner_id == (customer.owner_id or customer.previous_owner_id) and f.content
        assert f.next_contact_at is None or f.next_contact_at > f.followed_at

    # Each record's summary is its newest follow-up (customers and leads alike).
    newest: dict[tuple[str, int], FollowUp] = {}
    for f in notes:
        key = (f.target_entity, f.target_id)
        if key not in newest or (f.followed_at, f.id) > (newest[key].followed_at, newest[key].id):
            newest[key] = f
    leads_by_id = {ld.id: ld for ld in prospects}
    for entity, records in (("customer", by_id), ("lead", leads_by_id)):
        for rid, record in records.items():
            last = newest.get((entity, rid))
            assert record.last_followup_at == (last.followed_at if last else None)
            assert record.last_followup_content == (last.content if last else "")
            assert record.next_contact_at == (last.next_contact_at if last else None)

    # Leads: every status; converted ones point at their customer, invalid ones say why.
    assert {ld.status for ld in prospects} == {"new", "following", "converted", "invalid"}
    for ld in prospects:
        assert bool(ld.invalid_reason) == (ld.status == "invalid")
        assert (ld.converted_customer_id is not None) == (ld.status == "converted")
        assert ld.contact_name and ld.mobile and ld.source
        if ld.status == "converted":
            customer = by_id[ld.converted_customer_id]
            assert ld.name == customer.name and ld.converted_at == customer.created_at > ld.created_at
        assert (("lead", ld.id) in newest) == (ld.status in ("following", "invalid"))


def test_demo_public_pool_holds_the_quiet_customers(db: Database) -> None:
    admin = demo.create_demo_company(db, customers=2000)
    rows = _rows(db)
    pooled = [r for r in rows if r.pool_id is not None]
    assert 0.01 * 2000 <= len(pooled) <= 0.06 * 2000
    pool_id = pooled[0].pool_id
    (info,) = pool.list_pools(db, admin)
    assert info.id == pool_id and info.name == "公海" and info.customer_count == len(pooled)
    assert [(r.kind, r.days) for r in info.rules] == [("no_followup", 30)]
    assert any(m.name == "销售部" for m in info.members)
    for r in pooled:
        assert r.owner_id is None and r.previous_owner_id is not None and r.pooled_at is not None
        assert (r.last_followup_at or r.created_at) < r.pooled_at - dt.timedelta(days=30)
    # Not in the customer list; in the pool list, for the administrator and for a sales rep.
    listed: set[int] = set()
    cursor = None
    while True:
        page = customers.list_page(db, admin, after=cursor, limit=500)
        listed |= {row.id for row in page.rows}
        if (cursor := page.next_cursor) is None:
            break
    assert listed == {r.id for r in rows if r.pool_id is None}
    assert customers.count(db, admin) == len(rows) - len(pooled)
    in_pool = pool.list_pool_customers(db, admin, pool_id, limit=1000).rows
    assert {c.id for c in in_pool} == {r.id for r in pooled}
    rep = auth.login(db, "13850001004", demo.DEMO_PASSWORD)
    assert pool.count_pool_customers(db, rep, pool_id) == len(pooled)
    with read_only(db, None) as uow:
        events = uow.session.execute(select(PoolEvent.customer_id, PoolEvent.kind, PoolEvent.user_id)).all()
    assert sorted(events) == sorted((r.id, "recycle", r.previous_owner_id) for r in pooled)
    # Owned customers were followed up recently: the first recycle run takes (almost) nobody.
    assert len(jobs.run_jobs(db).recycle.customer_ids) <= 0.005 * 2000


def test_demo_contacts_and_leads_are_searchable(db: Database) -> None:
    admin = demo.create_demo_company(db, customers=300)
    person = _all(db, Contact)[0]
    found = search.search(db, admin, person.name, limit_per_entity=100)
    assert person.id in {h.id for h in found.hits.get("contact", ())}
    assert person.id in {h.id for h in search.search(db, admin, person.mobile).hits.get("contact", ())}
    prospect = next(ld for ld in _all(db, Lead) if ld.status == "new")
    assert prospect.id in {h.id for h in search.search(db, admin, prospect.name).hits.get("lead", ())}


# --- the sales chain: products, opportunities, contracts, plans, payments -----------------


def test_demo_sales_chain_is_in_proportion_and_adds_up(db: Database) -> None:
    import re
    from decimal import Decimal

    from crm_desktop.demo import sales as demo_sales
    from crm_desktop.models import (
        Contract,
        ContractLine,
        NumberSequence,
        Opportunity,
        OpportunityContact,
        OpportunityLine,
        Payment,
        PaymentPlan,
        Product,
        ProductCategory,
        StageChange,
    )
    from crm_desktop.services.records import numbering
    from crm_desktop.services.records.schema import get_dictionary
    from crm_desktop.services.sales import contracts as contract_service
    from crm_desktop.services.sales import products, stages
    from crm_desktop.services.sales.product_lines import subtotal
    from crm_desktop.services.uow import unit_of_work

    size = 1500
    admin = demo.create_demo_company(db, customers=size)
    owned = [c for c in _rows(db) if c.owner_id is not None]
    goods = _all(db, Product)
    opps = _all(db, Opportunity)
    deals = _all(db, Contract)
    plans = _all(db, PaymentPlan)
    paid = _all(db, Payment)

    # The catalogue: its size follows the company's, every category used, a few off the shelf.
    assert demo_sales.product_count(300) == 30 and demo_sales.product_count(20_000) == 60
    assert len(goods) == demo_sales.product_count(size) == 33
    assert len({p.code for p in goods}) == len(goods) and all(re.fullmatch(r"XC-[A-Z]+-[A-Z0-9]+", p.code) for p in goods)
    assert all(isinstance(p.price, Decimal) and p.price > 0 and p.unit for p in goods)
    assert 1 <= sum(not p.on_shelf for p in goods) <= len(goods) // 5
    tree = products.category_tree(db, admin)
    assert [t.name for t in tree] == ["软件产品", "硬件设备", "技术服务"] and all(len(t.children) == 3 for t in tree)
    assert sum(c.product_count for t in tree for c in t.children) == len(goods)
    on_shelf = {p.id for p in goods if p.on_shelf}

    # Opportunities: ≈30% of owned customers (some with two); lines of on-shelf products.
    assert 0.27 * len(owned) <= len({o.customer_id for o in opps}) <= 0.33 * len(owned)
    assert {o.customer_id for o in opps} <= {c.id for c in owned}
    assert {o.status for o in opps} == {"open", "won", "lost", "invalid"}
    group = stages.list_groups(db, admin)[0]
    stage_ids = [s.id for s in group.stages]
    assert {o.stage_id for o in opps if o.status == "open"} == set(stage_ids)  # spread over every stage
    opp_lines: dict[int, list[OpportunityLine]] = {}
    for line in _all(db, OpportunityLine):
        opp_lines.setdefault(line.opportunity_id, []).append(line)
        assert line.product_id in on_shelf and line.subtotal == subtotal(line.price, line.quantity, line.discount)
    history: dict[int, list[StageChange]] = {}
    for change in _all(db, StageChange):
        history.setdefault(change.opportunity_id, []).append(change)
    for o in opps:
        assert o.stage_group_id == group.id and o.stage_id in stage_ids
        total = sum((line.subtotal for line in opp_lines[o.id]), Decimal("0.00"))
        assert o.amount == total or o.amount_manual
        assert bool(o.lost_reason) == (o.status in ("lost", "invalid"))
        assert (o.closed_at is None) == (o.status == "open")
        steps = history[o.id]
        assert steps[0].from_stage_id is None and steps[0].to_stage_id == stage_ids[0]
        assert (steps[-1].to_stage_id, steps[-1].to_status) == (o.stage_id, o.status)
        assert [s.at for s in steps] == sorted(s.at for s in steps) and all(s.actor_id == o.owner_id for s in steps)
    with read_only(db, None) as uow:
        linked = uow.session.scalar(select(func.count()).select_from(OpportunityContact))
    assert 0.8 * len(opps) <= linked <= len(opps)  # the customer's primary contact, when it has one

    # Contracts: most won opportunities plus some direct ones; numbers by the rule, unique.
    won = {o.id: o for o in opps if o.status == "won"}
    from_opps = [c for c in deals if c.opportunity_id is not None]
    assert 0.75 * len(won) <= len(from_opps) <= len(won) and {c.opportunity_id for c in from_opps} <= set(won)
    assert 0.01 * len(owned) <= len(deals) - len(from_opps) <= 0.05 * len(owned)
    assert len({c.number for c in deals}) == len(deals)
    for c in deals:
        assert re.fullmatch(r"HT-\d{8}-\d{4}", c.number) and c.number[3:11] == c.order_date.strftime("%Y%m%d")
        assert c.owner_id == c.our_signer_id and c.created_at <= c.updated_at
    approval = [c.approval_status for c in deals]
    assert set(approval) <= {"approved", "draft", "voided"} and "draft" in approval
    assert approval.count("approved") >= 0.75 * len(deals)
    order_statuses = [item.value for item in get_dictionary(db, admin, "order_status")]
    assert {c.execution_status for c in deals if c.approval_status == "draft"} == {""}
    executing = {c.execution_status for c in deals if c.approval_status == "approved"}
    assert executing <= set(order_statuses) and len(executing) >= 4
    contract_lines: dict[int, list[ContractLine]] = {}
    for line in _all(db, ContractLine):
        contract_lines.setdefault(line.contract_id, []).append(line)
    for c in deals:
        total = sum((line.subtotal for line in contract_lines[c.id]), Decimal("0.00"))
        assert c.amount == total or c.amount_manual
        if c.opportunity_id is not None:  # the opportunity's lines, as contract_from_opportunity copies them
            want = [(x.product_id, x.price, x.quantity, x.discount) for x in opp_lines[c.opportunity_id]]
            assert [(x.product_id, x.price, x.quantity, x.discount) for x in contract_lines[c.id]] == want
            assert c.customer_id == won[c.opportunity_id].customer_id
    by_customer = {r.id: r for r in _rows(db)}
    signed = {c.customer_id for c in deals if c.approval_status in ("approved", "voided")}
    assert {cid for cid, r in by_customer.items() if r.deal_status == "deal"} == signed

    # Plans: 1–3 per approved contract, summing to its amount; payments add up exactly.
    plans_of: dict[int, list[PaymentPlan]] = {}
    for p in plans:
        plans_of.setdefault(p.contract_id, []).append(p)
    assert set(plans_of) == {c.id for c in deals if c.approval_status == "approved"}
    received: dict[int, Decimal] = {}
    by_plan: dict[int, Decimal] = {}
    for pay in paid:
        assert isinstance(pay.amount, Decimal) and pay.amount > 0 and pay.approval_status in ("approved", "draft")
        if pay.approval_status == "approved":
            received[pay.contract_id] = received.get(pay.contract_id, Decimal("0")) + pay.amount
            by_plan[pay.plan_id] = by_plan.get(pay.plan_id, Decimal("0")) + pay.amount
    assert sum(p.approval_status == "approved" for p in paid) >= 0.8 * len(paid)
    for c in deals:
        mine = plans_of.get(c.id, [])
        assert c.received_amount == received.get(c.id, Decimal("0"))
        if mine:
            assert 1 <= len(mine) <= 3 and sum(p.amount for p in mine) == c.amount
            assert sorted(p.instalment for p in mine) == list(range(1, len(mine) + 1))
            assert all(p.received_amount == by_plan.get(p.id, Decimal("0")) <= p.amount for p in mine)
    assert sum(received.values()) > 0 and any(c.received_amount < c.amount for c in deals if c.id in plans_of)
    assert len({p.number for p in paid}) == len(paid)
    assert all(re.fullmatch(r"HK-\d{8}-\d{4}", p.number) and p.number[3:11] == p.paid_date.strftime("%Y%m%d")
               for p in paid)

    # The next real numbers continue after the demo's, today and on a busy past day alike.
    busiest = max(deals, key=lambda c: int(c.number[-4:]))
    noon = dt.datetime.combine(busiest.order_date, dt.time(12)).astimezone()
    with unit_of_work(db, None) as uow:
        # The busy day first: when it is today, ``fresh`` below takes the number after it.
        again = numbering.next_number(uow.session, "contract", noon)
        fresh = numbering.next_number(uow.session, "contract")
        pay_day = max(paid, key=lambda p: int(p.number[-4:]))
        next_pay = numbering.next_number(uow.session, "payment",
                                         dt.datetime.combine(pay_day.paid_date, dt.time(12)).astimezone())
        counters = uow.session.scalar(select(func.count()).select_from(NumberSequence))
        uow.session.rollback()
    assert fresh not in {c.number for c in deals}
    assert again == f"{busiest.number[:-4]}{int(busiest.number[-4:]) + 1:04d}"
    assert next_pay == f"{pay_day.number[:-4]}{int(pay_day.number[-4:]) + 1:04d}"
    assert counters >= len({c.order_date for c in deals})

    # Through the services: a sales rep sees the catalogue and exactly their own contracts.
    rep = auth.login(db, "13850001004", demo.DEMO_PASSWORD)
    assert products.products.count(db, rep) == len(goods)
    mine = {c.id for c in deals if c.owner_id == rep.user_id}
    assert mine and contract_service.contracts.visible_ids(db, rep) == mine
    one = contract_service.contracts.get(db, rep, next(iter(mine)))
    assert one.values["outstanding_amount"] == one.values["amount"] - one.values["received_amount"]
    with read_only(db, None) as uow:  # bulk rows carry no audit entries, as the customers'
        assert uow.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.entity.in_(("product", "opportunity", "contract", "payment")))) == 0
        assert uow.session.scalar(select(func.count()).select_from(ProductCategory)) == 12


# --- all or nothing ------------------------------------------------------------------------

def _table_counts(db: Database) -> dict[str, int]:
    models = (User, Department, Customer, Contact, Lead, FollowUp, PoolEvent, AuditEntry)
    return {m.__tablename__: _count(db, m) for m in models}


def test_a_failure_half_way_leaves_the_database_as_it_was(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = _table_counts(db)

    def broken_sales(*args: object, **kwargs: object) -> Iterator[tuple[int, int, str]]:
        yield 0, 1, "Selling"
        raise RuntimeError("the disk is full")

    # Organisation, customers, contacts, follow-ups, leads and the pool are written by then.
    monkeypatch.setattr(demo, "fill_sales", broken_sales)
    with pytest.raises(RuntimeError, match="disk is full"):
        demo.create_demo_company(db, customers=600)
    assert _table_counts(db) == empty and auth.needs_setup(db)
    monkeypatch.undo()
    demo.create_demo_company(db, customers=600)
    assert _count(db, Customer) == 600 and _count(db, User) == len(demo.CORE)


def test_demo_data_killed_half_way_can_simply_run_again(db_url: str) -> None:
    """A real ``crm-admin demo-data`` killed (SIGKILL) while it inserts customers leaves an
    empty database; running it again builds the whole company."""
    command = [sys.executable, "-m", "crm_desktop.cli", "--database", db_url, "demo-data", "--customers", "6000"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # the first batch of customers is in, more are coming
        if line.startswith("Inserted 5000 of 6000 customers"):
            os.kill(proc.pid, signal.SIGKILL)
            break
    else:
        pytest.fail(f"demo-data ended before the kill point (exit {proc.wait()})")
    proc.wait()
    database = open_database(db_url)
    try:
        for _ in range(400):  # PostgreSQL: the server notices the dead client and rolls back
            if auth.needs_setup(database) and _count(database, Customer) == 0:
                break
            time.sleep(0.05)
        assert auth.needs_setup(database)
        assert set(_table_counts(database).values()) == {0}
    finally:
        database.dispose()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    database = open_database(db_url)
    try:
        assert _count(database, Customer) == 6000 and _count(database, User) == len(demo.CORE)
        assert _count(database, Department) == len(demo.DEPARTMENTS) + 1
    finally:
        database.dispose()


def test_demo_contracts_and_payments_wait_for_their_approvers(db: Database) -> None:
    """A representative's contract goes to their sales manager (a big one then to the leader the
    representative chooses: here the regional director); their payment to finance — nothing is
    approved by submitting it."""
    from crm_desktop.demo.flows import BIG_CONTRACT
    from crm_desktop.services.sales import contracts as contract_ops
    from crm_desktop.services.sales import payments as payment_ops
    from crm_desktop.services.sales.contracts import contracts
    from crm_desktop.services.sales.payments import payments
    from crm_desktop.services.workflow import approvals

    demo.create_demo_company(db, customers=40)
    people = {p.key: auth.login(db, p.mobile, demo.DEMO_PASSWORD) for p in demo.CORE if p.key != "gm"}
    rep, manager, director, finance = people["fj_rep"], people["fj_mgr"], people["south"], people["finance"]
    admin = auth.login(db, demo.ADMIN_MOBILE, demo.ADMIN_PASSWORD)
    flows = {(f.entity, f.binding, f.enabled) for f in approvals.list_flows(db, admin)}
    assert {("contract", "create", True), ("payment", "create", True)} <= flows

    customer = customers.list_page(db, rep, limit=1).rows[0]
    small = contracts.create(db, rep, {"name": "小合同", "customer_id": customer.id, "amount": "9000.00"})
    assert contract_ops.submit(db, rep, small.id).values["approval_status"] == "pending"
    [waiting] = approvals.my_approvals(db, manager, "pending")
    assert waiting.record_id == small.id and waiting.submitter_name == "郑伟"
    approvals.decide(db, manager, waiting.task_id or 0, approve=True)
    assert contracts.get(db, rep, small.id).values["approval_status"] == "approved"

    big = contracts.create(db, rep, {"name": "大合同", "customer_id": customer.id, "amount": BIG_CONTRACT})
    assert [n.name for n in approvals.approvers_to_choose(db, rep, "contract", big.id)] == ["领导审批（提交人选择）"]
    with pytest.raises(ValidationError):  # a big contract must name its leader
        contract_ops.submit(db, rep, big.id)
    contract_ops.submit(db, rep, big.id, approver_ids=[director.user_id])
    [first] = approvals.my_approvals(db, manager, "pending")
    approvals.decide(db, manager, first.task_id or 0, approve=True)
    assert contracts.get(db, rep, big.id).values["approval_status"] == "pending"  # the director's turn
    [second] = approvals.my_approvals(db, director, "pending")
    assert second.record_id == big.id
    approvals.decide(db, director, second.task_id or 0, approve=True)
    assert contracts.get(db, rep, big.id).values["approval_status"] == "approved"

    paid = payments.create(db, rep, {"contract_id": small.id, "amount": "4500.00", "paid_date": "2026-11-20"})
    assert payment_ops.submit(db, rep, paid.id).values["approval_status"] == "pending"  # not by submitting it
    [confirm] = approvals.my_approvals(db, finance, "pending")
    assert confirm.record_id == paid.id and confirm.entity == "payment"
    approvals.decide(db, finance, confirm.task_id or 0, approve=True)
    assert payments.get(db, rep, paid.id).values["approval_status"] == "approved"
