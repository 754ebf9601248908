"""A contract made from an opportunity takes its customer and product lines; the company setting
"mark the opportunity won when its contract is approved" (issue 13). SQLite and PostgreSQL."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales import opportunities as opp_ops
from crm_desktop.services.sales import won_on_approval
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.approvals import FlowInput
from crm_desktop.services.workflow.automation import RuleInput
from tests.test_approvals import approver, only_task
from tests.test_contracts import SALES, one_node, product
from tests.test_customers import make_user


def test_a_contract_of_an_opportunity_takes_its_customer_and_lines(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000501", perms=SALES)
    p1, p2 = product(db, admin, "P1", "200.00"), product(db, admin, "P2", "33.33")
    cust = customers.create(db, rep, {"name": "厦门鹭岛机电有限公司"})
    opp = opportunities.create(db, rep, {"name": "鹭岛产线", "customer_id": cust.id},
                               lines=[LineInput(p1, "200.00", "1"), LineInput(p2, "33.33", "1")])
    made = ct.create_from_opportunity(db, rep, opp.id)  # the detail window's button
    assert made.values["customer_id"] == cust.id and made.values["opportunity_id"] == opp.id
    assert made.values["name"] == "鹭岛产线" and made.values["amount"] == Decimal("233.33")
    assert [(ln.product_id, ln.subtotal) for ln in ct.contract_lines(db, rep, made.id)] == [
        (p1, Decimal("200.00")), (p2, Decimal("33.33"))]
    # Created by hand with the opportunity chosen and no lines given: the opportunity's lines.
    by_hand = contracts.create(db, rep, {"name": "鹭岛二期", "customer_id": cust.id, "opportunity_id": opp.id})
    assert by_hand.values["amount"] == Decimal("233.33") and len(ct.contract_lines(db, rep, by_hand.id)) == 2
    # Lines given (even none, as the form sends them) are the contract's own.
    own = contracts.create(db, rep, {"name": "鹭岛三期", "customer_id": cust.id, "opportunity_id": opp.id},
                           lines=[LineInput(p2, "33.33", "3")])
    assert own.values["amount"] == Decimal("99.99")
    empty = contracts.create(db, rep, {"name": "鹭岛四期", "customer_id": cust.id, "opportunity_id": opp.id}, lines=[])
    assert ct.contract_lines(db, rep, empty.id) == ()


@pytest.mark.parametrize("setting", [False, True])
@pytest.mark.shared_role("an approved contract closes its opportunity as won, a record its approver may not change")
def test_an_approved_contract_marks_its_opportunity_won_when_the_setting_is_on(
    db: Database, admin: Actor, setting: bool,
) -> None:
    rep = make_user(db, admin, "13900000511", perms=SALES)
    manager = approver(db, admin, "13900000512")
    appr.create_flow(db, admin, FlowInput(name="合同审批", entity="contract", binding="create",
                                          branches=({"name": "全部", "condition": {}, "nodes": [one_node(manager.user_id)]},)))
    assert won_on_approval.get_win_on_approval(db, rep) is False  # off by default
    with pytest.raises(PermissionDenied):
        won_on_approval.set_win_on_approval(db, rep, True)
    won_on_approval.set_win_on_approval(db, admin, setting)
    auto.create_rule(db, admin, RuleInput(name="赢单通知", entity="opportunity", event="status_changed", field="status",
                                          to_value="won", actions=({"type": "message", "to": "owner",
                                                                    "title": "赢单：{name}"},)))
    cust = customers.create(db, rep, {"name": "漳州闽南食品有限公司"})
    opp = opportunities.create(db, rep, {"name": "食品线改造", "customer_id": cust.id})
    c = contracts.create(db, rep, {"name": "食品线合同", "customer_id": cust.id, "opportunity_id": opp.id})

    # Rejected first: nothing happens to the opportunity either way.
    ct.submit(db, rep, c.id)
    appr.decide(db, manager, only_task(db, manager), approve=False, comment="再议")
    assert opportunities.get(db, rep, opp.id).values["status"] == "open"
    ct.submit(db, rep, c.id)
    appr.decide(db, manager, only_task(db, manager), approve=True)
    assert contracts.get(db, rep, c.id).values["approval_status"] == "approved"
    status = opportunities.get(db, rep, opp.id).values["status"]
    titles = [m.title for m in auto.list_messages(db, rep)]
    history = opp_ops.stage_history(db, rep, opp.id)
    if setting:
        assert status == "won"
        assert (history[-1].from_status, history[-1].to_status) == ("open", "won")
        assert history[-1].note.startswith(c.values["number"]) and history[-1].actor_id == manager.user_id
        assert "赢单：食品线改造" in titles  # the opportunity's own rules ran
    else:
        assert status == "open" and history[-1].to_status == "open"
        assert "赢单：食品线改造" not in titles


def test_approved_without_a_flow_wins_it_too_and_a_closed_one_stays_closed(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000521", perms=SALES)
    won_on_approval.set_win_on_approval(db, admin, True)
    assert won_on_approval.get_win_on_approval(db, rep) is True
    cust = customers.create(db, rep, {"name": "泉州刺桐纺织有限公司"})
    opp = opportunities.create(db, rep, {"name": "纺织线", "customer_id": cust.id})
    lost = opportunities.create(db, rep, {"name": "丢了的", "customer_id": cust.id})
    opp_ops.lose(db, rep, lost.id, reason="价格")
    c = contracts.create(db, rep, {"name": "纺织线合同", "customer_id": cust.id, "opportunity_id": opp.id})
    other = contracts.create(db, rep, {"name": "丢单后仍签", "customer_id": cust.id, "opportunity_id": lost.id})
    plain = contracts.create(db, rep, {"name": "无商机", "customer_id": cust.id})
    for contract in (c, other, plain):
        ct.submit(db, rep, contract.id)  # no flow is on: approved at once
        assert contracts.get(db, rep, contract.id).values["approval_status"] == "approved"
    assert opportunities.get(db, rep, opp.id).values["status"] == "won"
    assert opportunities.get(db, rep, lost.id).values["status"] == "lost"
