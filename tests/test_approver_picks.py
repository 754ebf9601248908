"""The submitter chooses the approver (seed 004: a new contract must choose its approver, so
must a new payment). Both backends."""
from __future__ import annotations

import datetime as dt

import pytest

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org import users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales import payments as pay
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.payments import payments
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow.approvals import FlowInput, PickNode
from tests.test_approvals import approver, only_task
from tests.test_contracts import SALES, approved_contract
from tests.test_customers import make_user


def picks_node(name: str = "自选审批人", mode: str = "orsign") -> dict[str, object]:
    return {"name": name, "mode": mode, "approver": {"kind": "submitter_picks"}}


def big(amount: str) -> dict[str, object]:
    return {"match": "all", "groups": [{"match": "all", "conditions": [
        {"field": "amount", "op": "gte", "value": amount}]}]}


def contract_flow(db: Database, admin: Actor, *nodes: dict[str, object], condition: dict[str, object] | None = None,
                  otherwise: int | None = None, entity: str = "contract") -> appr.FlowDTO:
    """One branch of ``nodes`` (under ``condition``), else a branch the user ``otherwise`` approves."""
    branches: tuple[dict[str, object], ...] = ({"name": "自选", "condition": condition or {}, "nodes": list(nodes)},)
    if otherwise is not None:
        branches += ({"name": "其他", "condition": {}, "nodes": [
            {"name": "经理", "mode": "orsign", "approver": {"kind": "users", "users": [otherwise]}}]},)
    return appr.create_flow(db, admin, FlowInput(name="审批", entity=entity, binding="create", branches=branches,
                                                 no_approver="auto"))


def draft(db: Database, rep: Actor, name: str, amount: str = "5000") -> int:
    cust = customers.create(db, rep, {"name": name + "公司"})
    return contracts.create(db, rep, {"name": name, "customer_id": cust.id, "amount": amount}).id


def test_a_contract_goes_to_the_approver_its_submitter_chose(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000301", perms=SALES)
    chosen = approver(db, admin, "13900000302")
    bystander = approver(db, admin, "13900000303")
    gone = approver(db, admin, "13900000304")
    users.set_enabled(db, admin, gone.user_id, enabled=False)
    contract_flow(db, admin, picks_node())
    cid = draft(db, rep, "鹭岛一期")

    # The GUI asks first: which nodes want an approver.
    assert appr.approvers_to_choose(db, rep, "contract", cid) == [PickNode(0, "自选审批人", "orsign")]
    # Without a choice, with a stranger id, a disabled user, themselves: refused, nothing submitted.
    for bad in (None, [], [10**9], [gone.user_id], ["x"], [rep.user_id]):
        with pytest.raises(ValidationError) as err:
            ct.submit(db, rep, cid, approver_ids=bad)  # type: ignore[arg-type]
        assert "approver_ids" in err.value.field_errors
    assert contracts.get(db, rep, cid).values["approval_status"] == "draft"
    assert appr.my_approvals(db, admin, "pending") == []  # the administrator got nothing

    assert ct.submit(db, rep, cid, approver_ids=[chosen.user_id]).values["approval_status"] == "pending"
    assert appr.my_approvals(db, bystander, "pending") == []
    appr.decide(db, chosen, only_task(db, chosen), approve=True)
    assert contracts.get(db, rep, cid).values["approval_status"] == "approved"
    # The chosen approver opens the contract through a read team seat, whatever their scope.
    assert [(m.user_id, m.access) for m in contracts.team(db, rep, cid)] == [(chosen.user_id, "read")]


def test_sequential_takes_one_countersign_takes_all_chosen(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000311", perms=SALES)
    a = approver(db, admin, "13900000312")
    b = approver(db, admin, "13900000313")
    flow = contract_flow(db, admin, picks_node("经理", "sequential"), picks_node("会签", "countersign"))
    cid = draft(db, rep, "二期")
    assert [n.several for n in appr.approvers_to_choose(db, rep, "contract", cid)] == [False, True]
    with pytest.raises(ValidationError):  # one person approves a sequential step
        ct.submit(db, rep, cid, approver_ids=[a.user_id, b.user_id])
    with pytest.raises(ValidationError):  # the second node has nobody
        ct.submit(db, rep, cid, picks={0: [a.user_id]})
    ct.submit(db, rep, cid, picks={0: [a.user_id], "1": [a.user_id, b.user_id]})
    appr.decide(db, a, only_task(db, a), approve=True)
    # Countersign: both chosen people must approve.
    appr.decide(db, a, only_task(db, a), approve=True)
    assert contracts.get(db, rep, cid).values["approval_status"] == "pending"
    appr.decide(db, b, only_task(db, b), approve=True)
    assert contracts.get(db, rep, cid).values["approval_status"] == "approved"
    appr.set_flow_enabled(db, admin, flow.id, False)


def test_only_the_branch_that_applies_asks(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000321", perms=SALES)
    boss = approver(db, admin, "13900000322")
    contract_flow(db, admin, picks_node(), condition=big("100000"), otherwise=boss.user_id)
    small, large = draft(db, rep, "小单", "5000"), draft(db, rep, "大单", "200000")
    assert appr.approvers_to_choose(db, rep, "contract", small) == []
    assert ct.submit(db, rep, small).values["approval_status"] == "pending"  # the designated manager
    appr.decide(db, boss, only_task(db, boss), approve=True)
    assert len(appr.approvers_to_choose(db, rep, "contract", large)) == 1
    with pytest.raises(ValidationError):
        ct.submit(db, rep, large)
    ct.submit(db, rep, large, approver_ids=[boss.user_id])
    appr.decide(db, boss, only_task(db, boss), approve=False, comment="价格太低")
    # Rejected, edited, submitted again: a new instance, a new choice.
    c = contracts.get(db, rep, large)
    contracts.update(db, rep, large, expected_version=c.version, changes={"remark": "调价"})
    with pytest.raises(ValidationError):
        ct.submit(db, rep, large)
    ct.submit(db, rep, large, approver_ids=[boss.user_id])
    appr.decide(db, boss, only_task(db, boss), approve=True)
    assert contracts.get(db, rep, large).values["approval_status"] == "approved"


def test_a_payment_chooses_its_approver_too(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000331", perms=SALES)
    finance = approver(db, admin, "13900000332")
    cid = approved_contract(db, rep, "回款客户")
    contract_flow(db, admin, picks_node("财务确认"), entity="payment")
    p = payments.create(db, rep, {"contract_id": cid, "amount": "100", "paid_date": dt.date.today().isoformat()})
    assert appr.approvers_to_choose(db, rep, "payment", p.id) == [PickNode(0, "财务确认", "orsign")]
    with pytest.raises(ValidationError):
        pay.submit(db, rep, p.id)
    assert pay.submit(db, rep, p.id, approver_ids=[finance.user_id]).values["approval_status"] == "pending"
    appr.decide(db, finance, only_task(db, finance), approve=True)
    assert payments.get(db, rep, p.id).values["approval_status"] == "approved"


def test_manual_flow_submit_and_resubmit_keep_the_choice(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000341", perms=SALES)
    first = approver(db, admin, "13900000342")
    second = approver(db, admin, "13900000343")
    flow = appr.create_flow(db, admin, FlowInput(name="特批", entity="customer", binding="manual", branches=(
        {"name": "", "condition": {}, "nodes": [picks_node()]},)))
    cust = customers.create(db, rep, {"name": "特批客户"})
    assert len(appr.approvers_to_choose(db, rep, "customer", cust.id, flow_id=flow.id)) == 1
    with pytest.raises(ValidationError):
        appr.submit(db, rep, "customer", cust.id, flow.id)
    inst = appr.submit(db, rep, "customer", cust.id, flow.id, approver_ids=[first.user_id])
    assert [t.approver_id for t in inst.tasks] == [first.user_id]
    appr.decide(db, first, only_task(db, first), approve=False, comment="再议")
    # Resubmitting keeps the earlier choice, or takes a new one; a bad one is refused.
    with pytest.raises(ValidationError):
        appr.resubmit(db, rep, inst.id, picks={0: [10**9]})
    again = appr.resubmit(db, rep, inst.id, picks={0: [second.user_id]})
    assert [t.approver_id for t in again.tasks if t.round == 2] == [second.user_id]
    appr.decide(db, second, only_task(db, second), approve=True)
    assert appr.get_instance(db, rep, inst.id).status == "approved"


def test_a_gated_creation_nobody_submits_by_hand_goes_to_the_administrator(db: Database, admin: Actor) -> None:
    """A customer registration flow with a submitter-picks node: creating the customer is no
    submit with a chooser, so the node goes to the approval administrator, as before."""
    rep = make_user(db, admin, "13900000351", perms=SALES)
    appr.create_flow(db, admin, FlowInput(name="报备", entity="customer", binding="create", branches=(
        {"name": "", "condition": {}, "nodes": [picks_node()]},)))
    cust = customers.create(db, rep, {"name": "报备客户"})
    assert customers.get(db, admin, cust.id).values["approval_status"] == "pending"
    appr.decide(db, admin, only_task(db, admin), approve=True)
    assert customers.get(db, rep, cust.id).values["approval_status"] == ""
