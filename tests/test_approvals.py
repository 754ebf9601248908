"""Approval workflows (issue 4, "Approval workflows"): registration flow, modes, approvers,
withdraw/resubmit, history, concurrency. Every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import select

from crm_desktop.automation.approvals import AlreadyDecided, ApprovalPending
from crm_desktop.db import Database
from crm_desktop.models import Customer, Message, Role
from crm_desktop.services.customers import pool
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import RuleViolation, ValidationError
from crm_desktop.services.org import auth, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow.approvals import FlowInput
from tests.test_customers import make_user
from tests.test_pool import make_pool, member

FUJIAN = {"match": "all", "groups": [{"match": "all", "conditions": [
    {"field": "province", "op": "contains", "value": "福建"}]}]}


def approver(db: Database, admin: Actor, mobile: str, *, role_ids: tuple[int, ...] = (),
             superior_id: int | None = None) -> Actor:
    """A user with the given roles (and a role that may view customers)."""
    base = make_user(db, admin, mobile)  # a salesperson's rights on customers
    base_roles = users.get_user(db, admin, base.user_id).role_ids
    users.update_user(db, admin, base.user_id, UserInput(
        mobile=mobile, name=f"用户{mobile[-2:]}", department_id=admin.department_id, superior_id=superior_id,
        role_ids=tuple(base_roles) + role_ids))
    return auth.login(db, mobile, "abc12345")


def role_named(db: Database, name: str) -> int:
    with db.sessions() as s:
        return s.scalar(select(Role.id).where(Role.name == name))  # type: ignore[return-value]


def status_of(db: Database, customer_id: int) -> str:
    with db.sessions() as s:
        return s.scalar(select(Customer.approval_status).where(Customer.id == customer_id)) or ""


def titles(db: Database, user_id: int) -> list[str]:
    with db.sessions() as s:
        return [m.title for m in s.scalars(select(Message).where(Message.recipient_id == user_id).order_by(Message.id))]


def only_task(db: Database, actor: Actor) -> int:
    items = appr.my_approvals(db, actor, "pending")
    assert len(items) == 1, items
    assert items[0].task_id is not None
    return items[0].task_id


def test_seed_003_registration_flow(db: Database, admin: Actor) -> None:
    flow = appr.install_registration_example(db, admin)
    head = approver(db, admin, "13900000021", role_ids=(role_named(db, "福建事业部负责人"),))
    director = approver(db, admin, "13900000022", role_ids=(role_named(db, "销售总监"),))
    rep = make_user(db, admin, "13900000023")

    # 福建: the Fujian head approves; the customer is pending until then, and cannot be edited.
    fj = customers.create(db, rep, {"name": "福州海峡贸易有限公司", "province": "福建省", "city": "福州市"})
    assert status_of(db, fj.id) == "pending"
    assert appr.my_approvals(db, director, "pending") == []
    with pytest.raises(ApprovalPending):
        customers.update(db, rep, fj.id, expected_version=fj.version, changes={"remark": "x"})
    task = only_task(db, head)
    assert customers.get(db, head, fj.id).values["name"] == "福州海峡贸易有限公司"  # the approver sees it
    inst = appr.decide(db, head, task, approve=True, comment="同意")
    assert inst.status == "approved" and status_of(db, fj.id) == ""
    assert "Approved: {flow} — {record}" in titles(db, rep.user_id)
    assert appr.my_approvals(db, head, "pending") == []
    assert dict(inst.form)["客户名称"] == "福州海峡贸易有限公司" and dict(inst.form)["省份"] == "福建省"

    # 广东: the sales director rejects (a comment is required); the rep fixes and resubmits.
    gd = customers.create(db, rep, {"name": "广州南方电子有限公司", "province": "广东省"})
    assert appr.my_approvals(db, head, "pending") == []
    task = only_task(db, director)
    with pytest.raises(ValidationError):
        appr.decide(db, director, task, approve=False, comment="  ")
    inst = appr.decide(db, director, task, approve=False, comment="请补充手机号")
    assert inst.status == "rejected" and status_of(db, gd.id) == "rejected"
    # Not registered: it cannot be handed to the public pool, where others could claim it.
    sea = make_pool(db, admin, member(admin))
    with pytest.raises(RuleViolation, match="not approved yet"):
        pool.put_in_pool(db, admin, gd.id, pool_id=sea.id, reason="测试")
    assert "Rejected: {flow} — {record}" in titles(db, rep.user_id)
    fixed = customers.update(db, rep, gd.id, expected_version=customers.get(db, rep, gd.id).version,
                             changes={"mobile": "13812345678"})
    assert fixed.values["mobile"] == "13812345678"
    [mine] = appr.my_approvals(db, rep, "submitted")[:1]
    again = appr.resubmit(db, rep, mine.instance_id)
    assert again.status == "pending" and again.round == 2 and status_of(db, gd.id) == "pending"
    assert dict(again.form)["手机"] == "13812345678"  # the form is filled again from the edited record
    appr.decide(db, director, only_task(db, director), approve=True)
    assert status_of(db, gd.id) == ""

    # The full history is on the record, in order, with both rounds.
    [history] = appr.record_approvals(db, rep, "customer", gd.id)
    assert [(e.round, e.action, e.actor_name, e.comment) for e in history.log] == [
        (1, "submitted", "用户23", ""), (1, "rejected", "用户22", "请补充手机号"), (1, "finished", "", "rejected"),
        (2, "resubmitted", "用户23", ""), (2, "approved", "用户22", ""), (2, "finished", "", "approved"),
    ]
    assert [t.state for t in history.tasks] == ["rejected", "approved"]
    assert history.node_name == "" and history.node_names == ("销售总监审批",)

    # A switched-off flow lets creations through.
    appr.set_flow_enabled(db, admin, flow.id, False)
    free = customers.create(db, rep, {"name": "厦门自由贸易有限公司", "province": "福建省"})
    assert status_of(db, free.id) == ""


def users_flow(db: Database, admin: Actor, nodes: list[Mapping[str, Any]], **extra: Any) -> appr.FlowDTO:
    return appr.create_flow(db, admin, FlowInput(
        name="测试流程", entity="customer", binding="manual",
        form=({"key": "name", "label": "客户名称", "field": "name"},),
        branches=({"name": "全部", "condition": {}, "nodes": list(nodes)},), **extra))


def test_countersign_orsign_sequential_and_withdraw(db: Database, admin: Actor) -> None:
    a, b, c = (approver(db, admin, f"1390000003{i}") for i in range(3))
    ids = [a.user_id, b.user_id, c.user_id]
    flow = users_flow(db, admin, [
        {"name": "会签", "mode": "countersign", "approver": {"kind": "users", "users": ids[:2]}},
        {"name": "或签", "mode": "orsign", "approver": {"kind": "users", "users": ids}},
        {"name": "依次", "mode": "sequential", "approver": {"kind": "users", "users": [c.user_id, a.user_id]}},
    ])
    cust = customers.create(db, admin, {"name": "测试审批客户"})
    inst = appr.submit(db, admin, "customer", cust.id, flow.id)
    assert inst.status == "pending" and inst.node_index == 0
    # Countersign waits for both.
    appr.decide(db, b, only_task(db, b), approve=True)
    assert appr.get_instance(db, admin, inst.id).node_index == 0
    appr.decide(db, a, only_task(db, a), approve=True)
    assert appr.get_instance(db, admin, inst.id).node_index == 1
    # Or-sign: the first decision counts; the other two tasks close.
    b_task = only_task(db, b)
    c_task = only_task(db, c)
    appr.decide(db, c, c_task, approve=True)
    with pytest.raises(AlreadyDecided):
        appr.decide(db, b, b_task, approve=True)
    assert appr.my_approvals(db, b, "pending") == []
    # Sequential: c first, then a.
    assert appr.my_approvals(db, a, "pending") == []
    appr.decide(db, c, only_task(db, c), approve=True)
    done = appr.decide(db, a, only_task(db, a), approve=True)
    assert done.status == "approved"
    assert {i.decision for i in appr.my_approvals(db, c, "decided")} == {"approved"}

    # Withdraw while pending (submitter only), then resubmit from the first node.
    again = appr.submit(db, admin, "customer", cust.id, flow.id)
    with pytest.raises(Exception):
        appr.withdraw(db, a, again.id)
    gone = appr.withdraw(db, admin, again.id, "写错了")
    assert gone.status == "withdrawn" and appr.my_approvals(db, a, "pending") == []
    back = appr.resubmit(db, admin, again.id)
    assert back.status == "pending" and back.node_index == 0 and len(appr.my_approvals(db, a, "pending")) == 1


def test_superior_levels_no_approver_and_resubmit_from_rejected(db: Database, admin: Actor) -> None:
    boss = approver(db, admin, "13900000041")
    lead = approver(db, admin, "13900000042", superior_id=boss.user_id)
    rep = approver(db, admin, "13900000043", superior_id=lead.user_id)
    empty_role = appr.install_registration_example(db, admin, enabled=False)  # creates the two roles
    flow = users_flow(db, admin, [
        {"name": "直属上级", "mode": "sequential", "approver": {"kind": "superior", "levels": 1}},
        {"name": "三级上级", "mode": "sequential", "approver": {"kind": "superior", "levels": 3}},  # chain ends: boss
        {"name": "空角色", "mode": "orsign",
         "approver": {"kind": "role", "role_id": role_named(db, "销售总监")}},  # nobody: to the administrator
    ], resubmit_from="rejected")
    assert empty_role.binding == "create"
    cust = customers.create(db, rep, {"name": "上级审批客户"})
    inst = appr.submit(db, rep, "customer", cust.id, flow.id)
    appr.decide(db, lead, only_task(db, lead), approve=True)
    appr.decide(db, boss, only_task(db, boss), approve=False, comment="再看看")
    rejected = appr.get_instance(db, rep, inst.id)
    assert rejected.status == "rejected" and rejected.node_index == 1
    back = appr.resubmit(db, rep, inst.id)
    assert back.node_index == 1  # from the rejected node: the direct superior is not asked again
    assert appr.my_approvals(db, lead, "pending") == []
    appr.decide(db, boss, only_task(db, boss), approve=True)
    # Nobody has the role: the super administrator gets the node.
    at_admin = appr.get_instance(db, admin, inst.id)
    assert at_admin.node_index == 2 and "to_admin" in [e.action for e in at_admin.log]
    appr.decide(db, admin, only_task(db, admin), approve=True)
    assert appr.get_instance(db, rep, inst.id).status == "approved"

    # With "auto", a node without approvers is approved and logged.
    auto_flow = users_flow(db, admin, [
        {"name": "空角色", "mode": "orsign", "approver": {"kind": "role", "role_id": role_named(db, "销售总监")}},
    ], no_approver="auto")
    auto = appr.submit(db, rep, "customer", cust.id, auto_flow.id)
    assert auto.status == "approved" and [e.action for e in auto.log] == ["submitted", "auto_approved", "finished"]


def test_flow_validation(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as err:
        appr.create_flow(db, admin, FlowInput(name="", entity="customer", branches=()))
    assert {"name", "branches"} <= set(err.value.field_errors)
    with pytest.raises(ValidationError):
        users_flow(db, admin, [{"name": "x", "mode": "sometimes", "approver": {"kind": "users", "users": [1]}}])
    with pytest.raises(ValidationError):
        users_flow(db, admin, [{"name": "x", "mode": "orsign", "approver": {"kind": "users", "users": []}}])


def test_two_orsign_approvers_at_the_same_moment(db: Database, admin: Actor) -> None:
    a, b = approver(db, admin, "13900000051"), approver(db, admin, "13900000052")
    flow = users_flow(db, admin, [{"name": "或签", "mode": "orsign",
                                   "approver": {"kind": "users", "users": [a.user_id, b.user_id]}}])
    for round_ in range(3):
        cust = customers.create(db, admin, {"name": f"并发审批客户{round_}"})
        appr.submit(db, admin, "customer", cust.id, flow.id)
        tasks = {a.user_id: only_task(db, a), b.user_id: only_task(db, b)}
        barrier = threading.Barrier(2)
        outcomes: dict[int, str] = {}

        def decide(who: Actor) -> None:
            barrier.wait()
            try:
                appr.decide(db, who, tasks[who.user_id], approve=True)
                outcomes[who.user_id] = "counted"
            except AlreadyDecided:
                outcomes[who.user_id] = "already decided"

        threads = [threading.Thread(target=decide, args=(who,)) for who in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes.values()) == ["already decided", "counted"], outcomes
        [inst] = appr.record_approvals(db, admin, "customer", cust.id)
        assert inst.status == "approved" and [e.action for e in inst.log].count("approved") == 1


def test_gated_status_transition_rules_and_start_approval_action(db: Database, admin: Actor) -> None:
    from crm_desktop.services.customers.customers import set_deal_status
    from crm_desktop.services.workflow import automation as auto
    from crm_desktop.services.workflow.automation import RuleInput

    manager = approver(db, admin, "13900000071")
    rep = make_user(db, admin, "13900000072")
    gate = appr.create_flow(db, admin, FlowInput(
        name="成交审批", entity="customer", binding="status", status_field="deal_status", from_status="none",
        to_status="deal", branches=({"name": "", "condition": {}, "nodes": [
            {"name": "经理审批", "mode": "orsign", "approver": {"kind": "users", "users": [manager.user_id]}}]},)))
    # approval_approved / approval_rejected fire trigger rules on the record.
    for event, text in (("approval_approved", "通过啦"), ("approval_rejected", "被驳回")):
        auto.create_rule(db, admin, RuleInput(name=text, entity="customer", event=event, actions=(
            {"type": "message", "to": "owner", "title": text + " {name}", "body": ""},)))
    cust = customers.create(db, rep, {"name": "成交审批客户"})

    # The change waits for approval; rejection leaves the status as it was.
    assert set_deal_status(db, rep, cust.id, status="deal").values["deal_status"] == "none"
    with pytest.raises(Exception):  # a second request while the first is pending
        set_deal_status(db, rep, cust.id, status="deal")
    appr.decide(db, manager, only_task(db, manager), approve=False, comment="合同未签")
    assert customers.get(db, rep, cust.id).values["deal_status"] == "none"
    assert "被驳回 成交审批客户" in titles(db, rep.user_id)
    # Approval sets it the sales way (deal time stamped) and says so.
    set_deal_status(db, rep, cust.id, status="deal")
    appr.decide(db, manager, only_task(db, manager), approve=True)
    after = customers.get(db, rep, cust.id)
    assert after.values["deal_status"] == "deal" and after.values["last_deal_at"] is not None
    assert "通过啦 成交审批客户" in titles(db, rep.user_id)
    assert [e.action for e in customers.operation_log(db, admin, cust.id)].count("status") == 1
    # Switched off, the flow lets the transition straight through.
    set_deal_status(db, rep, cust.id, status="none")
    appr.set_flow_enabled(db, admin, gate.id, False)
    assert set_deal_status(db, rep, cust.id, status="deal").values["deal_status"] == "deal"

    # A trigger rule's "start an approval" action submits the record (owner as submitter).
    review = appr.create_flow(db, admin, FlowInput(name="大客户复核", entity="customer", branches=(
        {"name": "", "condition": {}, "nodes": [
            {"name": "复核", "mode": "orsign", "approver": {"kind": "users", "users": [manager.user_id]}}]},)))
    auto.create_rule(db, admin, RuleInput(name="大客户送审", entity="customer", event="created", condition={
        "match": "all", "groups": [{"match": "all", "conditions": [{"field": "name", "op": "contains", "value": "集团"}]}]},
        actions=({"type": "start_approval", "flow_id": review.id},)))
    big = customers.create(db, rep, {"name": "厦门大集团有限公司"})
    [inst] = appr.record_approvals(db, rep, "customer", big.id)
    assert inst.flow_name == "大客户复核" and inst.submitter_id == rep.user_id and inst.status == "pending"
    customers.create(db, rep, {"name": "小店"})
    assert len(appr.my_approvals(db, manager, "pending")) == 1
    appr.set_flow_enabled(db, admin, review.id, False)  # switched off: the rule lets the record through
    quiet = customers.create(db, rep, {"name": "泉州小集团有限公司"})
    assert appr.record_approvals(db, rep, "customer", quiet.id) == []
