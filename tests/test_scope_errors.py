"""Property: an id the actor may not see is answered exactly like an id that does not exist,
and no error carries a value of a record outside the actor's scope (issue 11) — for every
service call that takes a record id, reads and writes, on SQLite and on PostgreSQL.

For random organisations (``test_scope_property``'s departments, superior chains and roles),
random per-module scopes per role and random records of every owned module (each with its own
owner, team and bin state, and field values that occur nowhere else), one random user acts
with every permission of every module: each call of ``CALLS`` is made with one record of its
module that lies outside the user's scope, and with an id that does not exist. Both must fail
the same way (the exception's type and text, digits aside) — NotFound or PermissionDenied
where the id is the record's own — and neither may carry any value of any record outside the
scope (names, numbers, mobiles, amounts, contents, file names, the owner's name).

``CALLS`` is kept complete by ``test_every_id_taking_service_call_is_checked``: every public
service function or record-service method that takes ``db`` and a parameter named ``*_id`` or
``*_ids`` must be in ``CALLS`` or in ``NOT_RECORD_IDS`` with the reason it is not a record-scope
question. A new function fails that test until it is placed in one of them.

The targeted tests at the end pin the leaks issue 11 found, each on both backends: a pool
claim naming any customer, a resubmitted approval showing a record that left the submitter's
scope, ``pending_instance_id`` answering for any record, and a payment edit naming the
outstanding money of a contract the actor cannot see.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

import crm_desktop.services as services_package
from crm_desktop.db import Database
from crm_desktop.models import (
    ApprovalFlow,
    ApprovalInstance,
    Attachment,
    AttachmentBlob,
    AutomationRule,
    Base,
    Contact,
    Contract,
    Customer,
    Department,
    FollowUp,
    Lead,
    Opportunity,
    Payment,
    PaymentPlan,
    Pool,
    PoolMember,
    Role,
    RoleDataScope,
    RolePermission,
    Stage,
    StageGroup,
    TeamMember,
    User,
    utcnow,
)
from crm_desktop.services.activities import schedule as activity_schedule
from crm_desktop.services.activities import timeline as activity_timeline
from crm_desktop.services.customers import contacts, customers, followups, leads, pool
from crm_desktop.services.errors import NotFound, PermissionDenied, ServiceError
from crm_desktop.services.org import roles as role_service
from crm_desktop.services.org import users as user_service
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.permissions import MODULES, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records import attachments, views
from crm_desktop.services.records.records import RecordService
from crm_desktop.services.sales import contracts, opportunities, payments, print_data
from crm_desktop.services.workflow import approvals, automation
from tests.test_contracts import SALES, approved_contract
from tests.test_customers import make_user
from tests.test_scope_property import World, add_organisation, reference_visible, worlds
from tests.test_scope_related import Kids, kids_of

#: The owned modules, their services and models.
SERVICES: dict[str, RecordService[Any]] = {
    "customer": customers.customers, "lead": leads.leads, "contact": contacts.contacts,
    "opportunity": opportunities.opportunities, "contract": contracts.contracts, "payment": payments.payments,
    "followup": followups.followups,
}
#: Each child module's parent: contacts, opportunities, contracts and follow-ups hang off a
#: customer, payments off a contract.
PARENT = {"contact": "customer", "opportunity": "customer", "contract": "customer", "followup": "customer",
          "payment": "contract"}
#: An id nothing has (the "does not exist" side of every comparison).
MISSING = 987_654_321


# --- the world ---------------------------------------------------------------------------------

@dataclass
class ErrWorld:
    org: World  # departments, users, roles (``org.role_scope`` unused: ``scope`` has one per module)
    scope: dict[str, list[DataScope]]  # module → each role's scope
    kids: dict[str, Kids]  # module → its records
    actor: int  # the acting user
    pick: int  # which out-of-scope record of each module is tried


@st.composite
def err_worlds(draw: st.DrawFn) -> ErrWorld:
    org = draw(worlds())
    users, roles = len(org.user_dept), len(org.role_scope)
    kids = {"customer": kids_of(draw, 1, users, 4), "lead": kids_of(draw, 1, users, 3)}
    for module in ("contact", "opportunity", "contract", "followup"):
        kids[module] = kids_of(draw, len(kids["customer"].owner), users, 3)
    kids["payment"] = kids_of(draw, len(kids["contract"].owner), users, 3)
    # Narrow scopes more often than "all": a world where the actor sees everything tries nothing.
    narrow = st.sampled_from([DataScope.SELF, DataScope.SELF, DataScope.SUBORDINATES, DataScope.DEPARTMENT,
                              DataScope.DEPARTMENT_TREE, DataScope.CUSTOM, DataScope.ALL])
    scope = {m: [draw(narrow) for _ in range(roles)] for m in SERVICES}
    return ErrWorld(org, scope, kids, draw(st.integers(0, users - 1)), draw(st.integers(0, 1000)))


def in_scope(w: ErrWorld, module: str) -> set[int]:
    """Indexes of the module's records the actor's scope or team covers, recycle bin or not."""
    k = w.kids[module]
    return reference_visible(dataclasses.replace(
        w.org, role_scope=w.scope[module], record_owner=k.owner, team=k.team, deleted=[False] * len(k.owner)),
        w.actor)


@dataclass
class Ctx:
    """What the calls need: the database, the actor, ids by module and the helper rows."""

    db: Database
    actor: Actor
    ids: dict[str, list[int]]
    plan_of: dict[int, int]  # contract id → its payment plan
    attachment_of: dict[tuple[str, int], int]  # (module, record id) → its attachment
    instance_of: dict[tuple[str, int], int]  # (customer or contract, id) → the actor's rejected approval of it
    flow_of: dict[str, int]  # entity → a manual approval flow
    pool_id: int = 0
    stage_id: int = 0
    rule_id: int = 0
    own_customer: int = 0
    #: Per record (module, id): the values that must never appear in an error.
    secrets: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    #: Module → ids of its records outside the actor's scope (whose values must not leak).
    hidden: dict[str, set[int]] = field(default_factory=dict)


def clear_all(s: Any) -> None:
    """Empty every table (children first) but the cache signal the triggers keep; then seed
    the configuration a company's set-up seeds (the default stage group: on a secure server
    a rep's first opportunity may not write it)."""
    from crm_desktop.services.sales.stages import ensure_default_group

    s.execute(update(Department).values(parent_id=None))
    s.execute(update(User).values(superior_id=None))
    for table in reversed(Base.metadata.sorted_tables):
        if table.name != "cache_signals":
            s.execute(delete(table))
    ensure_default_group(s)


def money(n: int) -> Decimal:
    """An amount no other record has (and no error text would make up)."""
    return Decimal(f"{861_000 + 17 * n}.{11 + n % 80}")


def build(db: Database, w: ErrWorld) -> Ctx:
    """Write the world straight into the tables; every record with values of its own."""
    with db.sessions.begin() as s:
        clear_all(s)
        roles = []
        for i in range(len(w.org.role_scope)):
            role = Role(name=f"r{i}", description="", is_super=False,
                        permissions=[RolePermission(module=m, action=a) for m, spec in MODULES.items()
                                     for a in spec.actions],
                        scopes=[RoleDataScope(module=m, scope=w.scope[m][i].value) for m in SERVICES])
            s.add(role)
            roles.append(role)
        user_ids = add_organisation(s, w.org, roles)
        for i, uid in enumerate(user_ids):
            s.execute(update(User).where(User.id == uid).values(name=f"员工{i}号"))
        me = user_ids[w.actor]
        group = StageGroup(name="默认", department_ids=[], enabled=True, sort_order=0)
        s.add(group)
        s.flush()
        stage = Stage(group_id=group.id, name="初访", win_rate=10, sort_order=0)
        s.add_all([stage, Stage(group_id=group.id, name="报价", win_rate=50, sort_order=1)])
        s.flush()
        ctx = Ctx(db=db, actor=load_actor(s, me), ids={}, plan_of={}, attachment_of={}, instance_of={}, flow_of={},
                  stage_id=stage.id)
        serial = iter(range(10**6))
        rows: dict[tuple[str, int], Any] = {}

        def add(module: str, make: Callable[[int, dict[str, Any], int], tuple[Any, set[str]]]) -> None:
            k = w.kids[module]
            made = [make(i, {"owner_id": user_ids[owner], "creator_id": user_ids[owner], "custom": {},
                             "deleted_at": utcnow() if k.deleted[i] else None}, next(serial))
                    for i, owner in enumerate(k.owner)]
            s.add_all([row for row, _values in made])
            s.flush()  # one INSERT round for the module: ids come back in order
            ctx.ids[module] = [row.id for row, _values in made]
            for (row, values), owner in zip(made, k.owner):
                rows[(module, row.id)] = row
                ctx.secrets[(module, row.id)] = values | {f"员工{owner}号"}
            for rec, member, access in k.team:
                s.add(TeamMember(entity=module, record_id=ctx.ids[module][rec], user_id=user_ids[member],
                                 access=access))

        def parent(module: str, i: int) -> int:
            return ctx.ids[PARENT[module]][w.kids[module].parent[i]]

        def named(prefix: str, n: int) -> tuple[str, str]:
            return f"秘{prefix}{n}密", f"139{n:08d}"

        def customer(i: int, base: dict[str, Any], n: int) -> tuple[Any, set[str]]:
            name, mobile = named("客户", n)
            return Customer(**base, name=name, mobile=mobile, remark=f"备注{n}密"), {name, mobile, f"备注{n}密"}

        def lead(i: int, base: dict[str, Any], n: int) -> tuple[Any, set[str]]:
            name, mobile = named("线索", n)
            return Lead(**base, name=name, contact_name=f"联系人{n}密", mobile=mobile), {name, mobile, f"联系人{n}密"}

        def contact(i: int, base: dict[str, Any], n: int) -> tuple[Any, set[str]]:
            name, mobile = named("联系人", n)
            return Contact(**base, name=name, mobile=mobile, customer_id=parent("contact", i)), {name, mobile}

        def opportunity(i: int, base: dict[str, Any], n: int) -> tuple[Any, set[str]]:
            name = named("商机", n)[0]
            return Opportunity(**base, name=name, customer_id=parent("opportunity", i), amount=money(n),
                               stage_group_id=group.id, stage_id=stage.id, status="open"), {name, *_amount(money(n))}

        def contract(i: int, base: dict[str, Any], n: int) -> tuple[Any, set[str]]:
            name = named("合同", n)[0]
            return Contract(**base, number=f"HT密{n}号", name=name, customer_id=parent("contract", i),
                            amount=money(n), approval_status="approved"), {name, f"HT密{n}号", *_amount(money(n))}

        def payment(i: int, base: dict[str, Any], n: int) -> tuple[Any, set[str]]:
            contract_row = rows[("contract", parent("payment", i))]
            return Payment(**base, number=f"HK密{n}号", contract_id=contract_row.id, customer_id=contract_row.customer_id,
                           amount=money(n), paid_date=dt.date(2026, 1, 5), approval_status="draft",
                           remark=f"回款{n}密"), {f"HK密{n}号", f"回款{n}密", *_amount(money(n))}

        def followup(i: int, base: dict[str, Any], n: int) -> tuple[Any, set[str]]:
            return FollowUp(**base, target_entity="customer", target_id=parent("followup", i), kind="phone",
                            content=f"跟进{n}密", followed_at=utcnow()), {f"跟进{n}密"}

        for module, make in (("customer", customer), ("lead", lead), ("contact", contact),
                             ("opportunity", opportunity), ("contract", contract), ("payment", payment),
                             ("followup", followup)):
            add(module, make)
        mine = Customer(name="我的客户", owner_id=me, creator_id=me, custom={})
        s.add(mine)
        s.flush()
        ctx.own_customer = mine.id
        plans = {}
        for contract_id in ctx.ids["contract"]:
            n = next(serial)
            c = rows[("contract", contract_id)]
            plans[c.id] = PaymentPlan(contract_id=c.id, customer_id=c.customer_id, instalment=1, amount=money(n),
                                      planned_date=dt.date(2026, 3, 1))
            ctx.secrets[("contract", c.id)] |= set(_amount(money(n)))
        files = {}
        for module in SERVICES:
            for rid in ctx.ids[module]:
                name = f"附件{next(serial)}密.pdf"
                files[(module, rid)] = Attachment(entity=module, record_id=rid, filename=name, size=1,
                                                  sha256="0" * 64, uploaded_by_id=me)
                ctx.secrets[(module, rid)].add(name)
        s.add_all([*plans.values(), *files.values()])
        s.flush()
        s.add_all([AttachmentBlob(attachment_id=a.id, data=b"x") for a in files.values()])
        ctx.plan_of = {cid: plan.id for cid, plan in plans.items()}
        ctx.attachment_of = {key: a.id for key, a in files.items()}
        nodes = [{"name": "审批", "mode": "orsign", "approver": {"kind": "users", "users": [me]}}]
        flows = {entity: ApprovalFlow(
            name=f"{entity}审批", entity=entity, binding="manual", enabled=True,
            form=[{"key": "f", "label": "名称", "field": "number" if entity == "payment" else "name"}],
            branches=[{"name": "全部", "condition": {}, "nodes": nodes}], resubmit_from="first", no_approver="auto",
        ) for entity in approvals.ENTITIES}
        p = Pool(name="公海", enabled=True)
        rule = AutomationRule(name="规则", entity="customer", event="edited", condition={}, actions=[])
        s.add_all([*flows.values(), p, rule])
        s.flush()
        ctx.flow_of = {entity: flow.id for entity, flow in flows.items()}
        ctx.pool_id, ctx.rule_id = p.id, rule.id
        s.add(PoolMember(pool_id=p.id, user_id=me, is_admin=True))
        # The actor submitted each customer and contract once (when it was theirs, say): rejected.
        instances = {(entity, rid): ApprovalInstance(
            flow_id=ctx.flow_of[entity], flow_name="审批", entity=entity, record_id=rid, record_name="旧名",
            submitter_id=me, status="rejected", target={"kind": "manual"},
            form_data={"fields": [{"key": "f", "label": "名称", "field": "name", "value": "旧名"}]},
            branch={"name": "全部", "nodes": nodes, "no_approver": "auto", "admin_id": None, "resubmit_from": "first"},
            picks={}, node_index=0, round=1,
        ) for entity in ("customer", "contract") for rid in ctx.ids[entity]}
        s.add_all(instances.values())
        s.flush()
        ctx.instance_of = {key: inst.id for key, inst in instances.items()}
    return ctx


def _amount(d: Decimal) -> tuple[str, str]:
    return str(d), f"{d:,}"


# --- the calls ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    """One service call made with a record's id (``run(ctx, record_id)``).

    ``name`` is the function's qualified name (``module.function`` or ``module.Class.method``),
    for the completeness test. ``module``: whose record the id is. ``own_id``: the id is that
    record's own (or something of it answered the same way); False where it is an id of
    something hanging off the record (the actor's approval of it), when only NotFound or
    PermissionDenied is demanded. ``filter``: the call answers by leaving ids out, not raising.
    """

    name: str
    module: str
    run: Callable[[Ctx, int], Any]
    own_id: bool = True
    filter: bool = False


def _plan(ctx: Ctx, rid: int) -> int:
    return ctx.plan_of.get(rid, MISSING)


PLAN = payments.PlanInput(instalment=7, amount="1.00", planned_date=dt.date(2026, 4, 1))
MODELS = {m: svc.model for m, svc in SERVICES.items()}


def record_calls() -> list[Call]:
    """The RecordService operations of every owned module."""
    out: list[Call] = []
    changes = {m: {"remark": "改"} for m in SERVICES} | {"followup": {"content": "改"}}
    for m, svc in SERVICES.items():
        out += [
            Call(f"{m}.get", m, lambda c, r, svc=svc: svc.get(c.db, c.actor, r)),
            Call(f"{m}.operation_log", m, lambda c, r, svc=svc: svc.operation_log(c.db, c.actor, r)),
            Call(f"{m}.team", m, lambda c, r, svc=svc: svc.team(c.db, c.actor, r)),
            Call(f"{m}.update", m, lambda c, r, svc=svc, ch=changes[m]: svc.update(
                c.db, c.actor, r, expected_version=1, changes=ch)),
            Call(f"{m}.delete", m, lambda c, r, svc=svc: svc.delete(c.db, c.actor, r)),
            Call(f"{m}.restore", m, lambda c, r, svc=svc: svc.restore(c.db, c.actor, r)),
            Call(f"{m}.transfer", m, lambda c, r, svc=svc: svc.transfer(
                c.db, c.actor, [r], new_owner_id=c.actor.user_id)),
            Call(f"{m}.set_team_member", m, lambda c, r, svc=svc: svc.set_team_member(
                c.db, c.actor, r, user_id=c.actor.user_id, access="read")),
            Call("attachments.list_attachments", m, lambda c, r, m=m: attachments.list_attachments(
                c.db, c.actor, MODELS[m], r)),
            Call("attachments.add_attachment", m, lambda c, r, m=m: attachments.add_attachment(
                c.db, c.actor, MODELS[m], r, filename="a.txt", data=b"a")),
            Call("attachments.read_attachment", m, lambda c, r, m=m: attachments.read_attachment(
                c.db, c.actor, MODELS[m], c.attachment_of.get((m, r), MISSING))),
            Call("attachments.remove_attachment", m, lambda c, r, m=m: attachments.remove_attachment(
                c.db, c.actor, MODELS[m], c.attachment_of.get((m, r), MISSING))),
            Call("views.set_star", m, lambda c, r, m=m: views.set_star(c.db, c.actor, MODELS[m], r, starred=True)),
            Call("views.starred_ids", m, lambda c, r, m=m: views.starred_ids(c.db, c.actor, m, [r]), filter=True),
        ]
    for entity in approvals.ENTITIES:
        out += [
            Call("approvals.submit", entity, lambda c, r, e=entity: approvals.submit(
                c.db, c.actor, e, r, c.flow_of[e])),
            Call("approvals.record_approvals", entity, lambda c, r, e=entity: approvals.record_approvals(
                c.db, c.actor, e, r)),
            Call("approvals.pending_instance_id", entity, lambda c, r, e=entity: approvals.pending_instance_id(
                c.db, c.actor, e, r)),
            Call("approvals.approvers_to_choose", entity, lambda c, r, e=entity: approvals.approvers_to_choose(
                c.db, c.actor, e, r, flow_id=c.flow_of[e])),
        ]
    for entity in ("customer", "contract"):
        out.append(Call("approvals.resubmit", entity, lambda c, r, e=entity: approvals.resubmit(
            c.db, c.actor, c.instance_of.get((e, r), MISSING)), own_id=False))
    for target in ("customer", "lead", "contact", "opportunity", "contract"):
        out += [
            Call("followups.add_followup", target, lambda c, r, t=target: followups.add_followup(
                c.db, c.actor, target_entity=t, target_id=r, content="来访")),
            Call("followups.list_followups", target, lambda c, r, t=target: followups.list_followups(
                c.db, c.actor, target_entity=t, target_id=r)),
            Call("followups.FollowUpService.create", target, lambda c, r, t=target: followups.followups.create(
                c.db, c.actor, {"target_entity": t, "target_id": r, "content": "来访"})),
        ]
    return out


def module_calls() -> list[Call]:
    """Each module's own operations."""
    today = dt.date(2026, 1, 5)
    return [
        # customers
        Call("customers.lock", "customer", lambda c, r: customers.lock(c.db, c.actor, [r])),
        Call("customers.unlock", "customer", lambda c, r: customers.unlock(c.db, c.actor, [r])),
        Call("customers.set_star", "customer", lambda c, r: customers.set_star(c.db, c.actor, r, starred=True)),
        Call("customers.set_deal_status", "customer", lambda c, r: customers.set_deal_status(
            c.db, c.actor, r, status="deal")),
        Call("customers.transfer_customers", "customer", lambda c, r: customers.transfer_customers(
            c.db, c.actor, [r], new_owner_id=c.actor.user_id, carry_contacts=True, carry_opportunities=True,
            carry_contracts=True, keep_old_owner="read")),
        Call("customers.transfer_records", "contract", lambda c, r: customers.transfer_records(
            c.db, c.actor, contracts.contracts, [r], new_owner_id=c.actor.user_id, keep_old_owner="read")),
        Call("customers.transfer_customers_steps", "customer", lambda c, r: list(customers.transfer_customers_steps(
            c.db, c.actor, [r], new_owner_id=c.actor.user_id))),
        Call("customers.names_of", "customer", lambda c, r: customers.names_of(c.db, c.actor, [r]), filter=True),
        Call("customers.starred_ids", "customer", lambda c, r: customers.starred_ids(c.db, c.actor, [r]),
             filter=True),
        # the public pool
        Call("pool.put_in_pool", "customer", lambda c, r: pool.put_in_pool(
            c.db, c.actor, r, pool_id=c.pool_id, reason="不跟了")),
        Call("pool.put_many_in_pool", "customer", lambda c, r: pool.put_many_in_pool(
            c.db, c.actor, [r], pool_id=c.pool_id, reason="不跟了")),
        Call("pool.claim", "customer", lambda c, r: pool.claim(c.db, c.actor, [r], pool_id=c.pool_id)),
        Call("pool.assign", "customer", lambda c, r: pool.assign(
            c.db, c.actor, [r], pool_id=c.pool_id, user_id=c.actor.user_id)),
        # leads
        Call("leads.mark_invalid", "lead", lambda c, r: leads.mark_invalid(c.db, c.actor, r, reason="空号")),
        Call("leads.reopen", "lead", lambda c, r: leads.reopen(c.db, c.actor, r)),
        Call("leads.convert", "lead", lambda c, r: leads.convert(c.db, c.actor, r)),
        Call("leads.convert_many", "lead", lambda c, r: leads.convert_many(c.db, c.actor, [r])),
        # contacts
        Call("contacts.set_primary", "contact", lambda c, r: contacts.set_primary(c.db, c.actor, r)),
        Call("contacts.list_for_customer", "customer", lambda c, r: contacts.list_for_customer(c.db, c.actor, r)),
        Call("contacts.ContactService.create", "customer", lambda c, r: contacts.contacts.create(
            c.db, c.actor, {"customer_id": r, "name": "新联系人"})),
        # opportunities
        Call("opportunities.set_stage", "opportunity", lambda c, r: opportunities.set_stage(
            c.db, c.actor, r, stage_id=c.stage_id)),
        Call("opportunities.advance", "opportunity", lambda c, r: opportunities.advance(c.db, c.actor, r)),
        Call("opportunities.win", "opportunity", lambda c, r: opportunities.win(c.db, c.actor, r)),
        Call("opportunities.lose", "opportunity", lambda c, r: opportunities.lose(c.db, c.actor, r, reason="价格")),
        Call("opportunities.mark_invalid", "opportunity", lambda c, r: opportunities.mark_invalid(c.db, c.actor, r)),
        Call("opportunities.reopen", "opportunity", lambda c, r: opportunities.reopen(c.db, c.actor, r)),
        Call("opportunities.get_lines", "opportunity", lambda c, r: opportunities.get_lines(c.db, c.actor, r)),
        Call("opportunities.get_contacts", "opportunity", lambda c, r: opportunities.get_contacts(c.db, c.actor, r)),
        Call("opportunities.stage_history", "opportunity", lambda c, r: opportunities.stage_history(
            c.db, c.actor, r)),
        Call("opportunities.stage_bar", "opportunity", lambda c, r: opportunities.stage_bar(c.db, c.actor, r)),
        Call("opportunities.list_for_customer", "customer", lambda c, r: opportunities.list_for_customer(
            c.db, c.actor, r)),
        Call("opportunities.list_for_contact", "contact", lambda c, r: opportunities.list_for_contact(
            c.db, c.actor, r)),
        Call("opportunities.OpportunityService.create", "customer", lambda c, r: opportunities.opportunities.create(
            c.db, c.actor, {"name": "新商机", "customer_id": r})),
        # contracts
        Call("contracts.submit", "contract", lambda c, r: contracts.submit(c.db, c.actor, r)),
        Call("contracts.pending_instance_id", "contract", lambda c, r: contracts.pending_instance_id(
            c.db, c.actor, "contract", r)),
        Call("contracts.withdraw", "contract", lambda c, r: contracts.withdraw(c.db, c.actor, r)),
        Call("contracts.set_execution_status", "contract", lambda c, r: contracts.set_execution_status(
            c.db, c.actor, r, "执行中")),
        Call("contracts.void", "contract", lambda c, r: contracts.void(c.db, c.actor, r)),
        Call("contracts.contract_lines", "contract", lambda c, r: contracts.contract_lines(c.db, c.actor, r)),
        Call("contracts.create_from_opportunity", "opportunity", lambda c, r: contracts.create_from_opportunity(
            c.db, c.actor, r)),
        Call("contracts.ContractService.create", "customer", lambda c, r: contracts.contracts.create(
            c.db, c.actor, {"name": "新合同", "customer_id": r})),
        Call("contracts.ContractService.create", "opportunity", lambda c, r: contracts.contracts.create(
            c.db, c.actor, {"name": "新合同", "customer_id": c.own_customer, "opportunity_id": r})),
        # payments and plans
        Call("payments.list_plans", "contract", lambda c, r: payments.list_plans(c.db, c.actor, r)),
        Call("payments.add_plan", "contract", lambda c, r: payments.add_plan(c.db, c.actor, r, PLAN)),
        Call("payments.update_plan", "contract", lambda c, r: payments.update_plan(c.db, c.actor, _plan(c, r), PLAN)),
        Call("payments.delete_plan", "contract", lambda c, r: payments.delete_plan(c.db, c.actor, _plan(c, r))),
        Call("payments.submit", "payment", lambda c, r: payments.submit(c.db, c.actor, r)),
        Call("payments.contract_payments", "contract", lambda c, r: payments.contract_payments(c.db, c.actor, r)),
        Call("payments.PaymentService.create", "contract", lambda c, r: payments.payments.create(
            c.db, c.actor, {"contract_id": r, "amount": "1.00", "paid_date": today})),
        # printing
        Call("print_data.contract_print_data", "contract", lambda c, r: print_data.contract_print_data(
            c.db, c.actor, r)),
        Call("print_data.quotation_print_data", "opportunity", lambda c, r: print_data.quotation_print_data(
            c.db, c.actor, r)),
        # activities (issue 16): a record's timeline and its next contact into the schedule
        Call("timeline.timeline", "customer", lambda c, r: activity_timeline.timeline(c.db, c.actor, "customer", r)),
        Call("schedule.schedule_next_contact", "customer", lambda c, r: activity_schedule.schedule_next_contact(
            c.db, c.actor, "customer", r, at=dt.datetime(2026, 1, 6, 1, 0, tzinfo=dt.UTC))),
        # automation
        Call("automation.try_rule", "customer", lambda c, r: automation.try_rule(c.db, c.actor, c.rule_id, r)),
    ]


CALLS: tuple[Call, ...] = (*record_calls(), *module_calls())

#: Public id-taking service functions that are not a record-scope question, with the reason.
NOT_RECORD_IDS: dict[str, str] = {
    **{f"approvals.{f}": "approval flows are settings (setting/manage)"
       for f in ("update_flow", "set_flow_enabled", "delete_flow")},
    "approvals.decide": "only the task's approver decides; approvers hold a read seat on the record's team",
    "approvals.withdraw": "the submitter takes back their own request; it shows the form as they submitted it",
    "approvals.get_instance": "the submitter and approvers read their own request as submitted; others: NotFound",
    "auth.reset_password": "users are administration, not owned records",
    **{f"users.{f}": "users are administration, not owned records" for f in ("get_user", "update_user", "set_enabled")},
    **{f"roles.{f}": "roles are administration" for f in ("update_role", "delete_role")},
    **{f"departments.{f}": "departments are administration"
       for f in ("create_department", "rename_department", "move_department", "delete_department")},
    **{f"stages.{f}": "stage groups are settings" for f in ("update_group", "set_group_enabled", "delete_group")},
    **{f"schema_admin.{f}": "custom fields and field permissions are settings"
       for f in ("update_custom_field", "reorder_custom_fields", "set_field_permissions", "get_field_permissions")},
    **{f"automation.{f}": "automation rules are settings (setting/manage)"
       for f in ("update_rule", "set_enabled", "delete_rule", "reorder_rules")},
    "automation.list_runs": "the run log of every rule is read by setting managers (administration)",
    "automation.mark_read": "only the actor's own messages are marked",
    **{f"duplicates.{f}": "the duplicate-claim check (撞单) names matching records and owners by design; "
       "exclude_id only leaves the edited record out" for f in ("find_duplicates", "check_before_save")},
    **{f"engine.{f}": "import batches are the importer's own (another's, unless a super administrator: "
       "NotFound, tests/test_imports*); undo touches only the rows the batch wrote"
       for f in ("get_batch", "resume_import", "undo_import")},
    **{f"opportunity_board.{f}": "group_id names a stage group (a setting); the cards are filtered by "
       "visible_filter (tests/test_opportunity_board.py)" for f in ("board_summary", "column_page")},
    **{f"pool.{f}": "pools are not owned records: membership decides (test_pool)"
       for f in ("list_pool_customers", "count_pool_customers")},
    **{f"pool_admin.{f}": "pools are settings" for f in ("get_pool", "update_pool")},
    "product_pictures.product_pictures": "the product catalogue has no data scope",
    **{f"products.{f}": "the product catalogue has no data scope"
       for f in ("ProductService.create", "ProductService.update", "set_on_shelf", "on_shelf_products",
                 "create_category", "rename_category", "move_category", "delete_category")},
    **{f"{m}.create": "owner_id names a user: who may own a new record is tests/test_scope_owner.py"
       for m in ("records.RecordService",)},
    **{f"views.{f}": "saved views are the actor's own (another's: NotFound)" for f in ("save_view", "delete_view")},
    **{f"{m}.{f}": "tasks and events are checked by their own property (tests/test_activities_scope_property.py): "
       "one the actor cannot see is NotFound like a missing one"
       for m, names in (("tasks", ("add_comment", "delete_task", "get_task", "move_task", "operation_log", "set_done",
                                   "set_subtask_done", "update_task")),
                        ("schedule", ("delete_event", "edit_event", "get_event"))) for f in names},
    **{f: "user_id picks whose calendar; every row still passes the visibility clause"
       for f in ("calendar.calendar_items", "schedule.occurrences")},
    **{f"task_files.{f}": "a task's files follow the task's visibility (tests/test_activities_tasks.py): a task "
       "the actor cannot see is NotFound like a missing one"
       for f in ("add_task_file", "list_task_files", "read_task_file", "remove_task_file")},
    **{f"worklogs.{f}": "work logs are the author's and their superiors' (tests/test_activities_worklogs.py and "
       "the activities scope property): another's is NotFound like a missing one"
       for f in ("add_log_comment", "delete_log", "get_log", "list_logs")},
}


def covered_names() -> set[str]:
    """The qualified names ``CALLS`` exercises, record-service methods resolved to every class
    of the service's type that defines them (an override is covered by calling the instance)."""
    names = set()
    for call in CALLS:
        module, _, rest = call.name.partition(".")
        svc = SERVICES.get(module)
        if svc is None:
            names.add(call.name)
            continue
        for cls in type(svc).__mro__:
            if rest in vars(cls):
                names.add(f"{cls.__module__.rsplit('.', 1)[1]}.{cls.__qualname__}.{rest}")
    return names


def id_taking_functions() -> set[str]:
    """Public functions and record-service methods of ``crm_desktop.services`` that take ``db``
    and a parameter named ``*_id`` / ``*_ids``, by qualified name (each where it is defined)."""
    found: set[str] = set()
    for info in pkgutil.walk_packages(services_package.__path__, "crm_desktop.services."):
        if info.ispkg:
            continue
        mod = importlib.import_module(info.name)
        short = info.name.rsplit(".", 1)[1]  # module names are unique across the domain packages
        candidates: list[tuple[str, Any]] = []
        for name, obj in vars(mod).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
                continue
            if inspect.isfunction(obj):
                candidates.append((name, obj))
            elif inspect.isclass(obj):
                candidates += [(f"{name}.{m}", f) for m, f in vars(obj).items()
                               if inspect.isfunction(f) and not m.startswith("_")]
        for qual, fn in candidates:
            params = inspect.signature(fn).parameters
            if "db" in params and any(p.endswith(("_id", "_ids")) for p in params):
                found.add(f"{short}.{qual}")
    return found


def test_every_id_taking_service_call_is_checked() -> None:
    found = id_taking_functions()
    assert "pool.claim" in found and "records.RecordService.get" in found, "the walk is broken"
    covered = covered_names()
    unknown = sorted(found - covered - set(NOT_RECORD_IDS))
    assert not unknown, f"id-taking service calls neither checked in CALLS nor exempted: {unknown}"
    stale = sorted((covered | set(NOT_RECORD_IDS)) - found)
    assert not stale, f"names that are no id-taking service call (renamed?): {stale}"


# --- the property ------------------------------------------------------------------------------

DIGITS = re.compile(r"\d+")


def outcome(ctx: Ctx, call: Call, record_id: int) -> tuple[Any, ...]:
    """How the call answers: ("ok", result) or (type, text with digits masked, field errors),
    after checking that nothing of a record outside the scope is in the error."""
    try:
        result = call.run(ctx, record_id)
    except ServiceError as exc:
        text = f"{exc} {exc.args!r} {vars(exc)!r}"
        for (module, rid), values in ctx.secrets.items():
            if rid in ctx.hidden.get(module, set()):
                leaked = sorted(v for v in values if v in text)
                assert not leaked, f"{call.name} on {call.module} {record_id}: {type(exc).__name__} carries " \
                                   f"{leaked} of {module} {rid}: {exc}"
        fields = getattr(exc, "field_errors", None)
        return type(exc), DIGITS.sub("#", str(exc)), tuple(sorted((fields or {}).items()))
    return "ok", result


#: A missing id's answer per (database, call): the same in every world, as every role has every
#: permission and the helper rows always exist (computed once per backend keeps the test fast).
_MISSING_ANSWERS: dict[tuple[str, int], tuple[Any, ...]] = {}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=err_worlds())
def test_an_id_outside_the_scope_is_answered_like_a_missing_one(db: Database, w: ErrWorld) -> None:
    outside = {m: set(range(len(w.kids[m].owner))) - in_scope(w, m) for m in SERVICES}
    assume(any(outside.values()))  # nothing hidden, nothing to try (decided before any database work)
    ctx = build(db, w)
    hidden = ctx.hidden = {m: {ctx.ids[m][i] for i in outside[m]} for m in SERVICES}
    for n, call in enumerate(CALLS):
        candidates = sorted(hidden[call.module])
        if not candidates:
            continue
        rid = candidates[w.pick % len(candidates)]
        got = outcome(ctx, call, rid)
        missing = _MISSING_ANSWERS.get((str(db.engine.url), n))
        if missing is None:
            missing = _MISSING_ANSWERS[(str(db.engine.url), n)] = outcome(ctx, call, MISSING)
        where = f"{call.name} on {call.module} {rid} (user {w.actor})"
        if call.filter:
            assert got == missing, f"{where}: {got} != {missing}"
            continue
        assert got[0] != "ok", f"{where} answered for a record outside the scope: {got[1]!r}"
        if call.own_id:
            assert got == missing, f"{where}: {got} but a missing id gets {missing}"
        else:
            assert got[0] in (NotFound, PermissionDenied), f"{where}: {got}"


# --- the leaks issue 11 found, one by one ----------------------------------------------------------

def _sales_user(db: Database, admin: Actor, mobile: str) -> Actor:
    return make_user(db, admin, mobile, perms=SALES)


def test_resubmitting_after_the_record_left_the_scope_shows_nothing_new(db: Database, admin: Actor) -> None:
    """A rejected request resubmitted after its record went to someone the submitter cannot see
    would snapshot the record's current values into the form (and give its approver a new
    seat): now NotFound, as for a record that does not exist, and nothing changes."""
    rep = _sales_user(db, admin, "13900000601")
    other = _sales_user(db, admin, "13900000602")
    flow = approvals.create_flow(db, admin, approvals.FlowInput(
        name="客户审批", entity="customer", binding="manual",
        form=({"key": "name", "label": "客户名称", "field": "name"}, {"key": "mobile", "label": "手机", "field": "mobile"}),
        branches=({"name": "全部", "condition": {}, "nodes": [
            {"name": "审批", "mode": "orsign", "approver": {"kind": "users", "users": [admin.user_id]}}]},)))
    cust = customers.customers.create(db, rep, {"name": "提交时的名字"})
    inst = approvals.submit(db, rep, "customer", cust.id, flow.id)
    task = approvals.get_instance(db, admin, inst.id).my_task_id
    assert task is not None
    approvals.decide(db, admin, task, approve=False, comment="补充资料")
    customers.customers.transfer(db, admin, [cust.id], new_owner_id=other.user_id)
    now = customers.customers.get(db, other, cust.id)
    customers.customers.update(db, other, cust.id, expected_version=now.version,
                               changes={"name": "厦门机密科技", "mobile": "13912345678"})
    with pytest.raises(NotFound) as err:
        approvals.resubmit(db, rep, inst.id)
    assert "机密" not in f"{err.value} {err.value.params}" and "13912345678" not in str(err.value)
    with pytest.raises(NotFound):  # answered like a record that does not exist
        approvals.record_approvals(db, rep, "customer", cust.id)
    kept = approvals.get_instance(db, rep, inst.id)  # the submitter's own request, as submitted
    assert (kept.status, kept.round, kept.form) == ("rejected", 1, (("客户名称", "提交时的名字"), ("手机", "")))


def test_pending_instance_id_answers_only_for_records_in_scope(db: Database, admin: Actor) -> None:
    rep = _sales_user(db, admin, "13900000611")
    other = _sales_user(db, admin, "13900000612")
    cust = customers.customers.create(db, other, {"name": "别人的客户"})
    theirs = contracts.contracts.create(db, other, {"name": "别人的合同", "customer_id": cust.id})
    with db.sessions.begin() as s:
        s.add(ApprovalInstance(flow_id=None, flow_name="合同审批", entity="contract", record_id=theirs.id,
                               record_name="别人的合同", submitter_id=other.user_id, status="pending",
                               target={"kind": "create"}, form_data={}, branch={}, picks={}, node_index=0, round=1))
    assert contracts.pending_instance_id(db, other, "contract", theirs.id) is not None
    for record_id in (theirs.id, theirs.id + 1000):  # out of scope, and missing: the same answer
        with pytest.raises(NotFound):
            contracts.pending_instance_id(db, rep, "contract", record_id)
    with pytest.raises(NotFound):
        contracts.withdraw(db, rep, theirs.id)


def test_a_payment_edit_does_not_tell_the_outstanding_money_of_a_contract_out_of_scope(
    db: Database, admin: Actor
) -> None:
    """A user who may edit a payment (payments: all) but not see its contract (contracts: self)
    was told the contract's outstanding amount by the overpayment check; the payment's
    contract is read through the scope now, as ``create`` and ``submit`` already did."""
    boss = _sales_user(db, admin, "13900000621")
    clerk = _sales_user(db, admin, "13900000622")
    wide = role_service.create_role(db, admin, RoleInput(
        name="回款全部", permissions=frozenset({("payment", a) for a in ("view", "edit")}),
        scopes={"payment": DataScope.ALL}))
    base = user_service.get_user(db, admin, clerk.user_id)
    user_service.update_user(db, admin, clerk.user_id, UserInput(
        mobile=base.mobile, name=base.name, department_id=base.department_id, role_ids=(*base.role_ids, wide.id)))
    contract_id = approved_contract(db, boss, "机密客户", amount="777.77")
    pay = payments.payments.create(db, boss, {"contract_id": contract_id, "amount": "100.00",
                                              "paid_date": dt.date(2026, 1, 5)})
    with pytest.raises(NotFound) as err:
        payments.payments.update(db, clerk, pay.id, expected_version=pay.version, changes={"amount": "5000.00"})
    assert "777.77" not in f"{err.value} {err.value.params}"
    # The contract's own side is told (a draft payment commits nothing yet).
    with pytest.raises(payments.Overpayment, match="777.77"):
        payments.payments.update(db, boss, pay.id, expected_version=pay.version, changes={"amount": "5000.00"})
