"""Follow-ups on opportunities and contracts (issue 13, seed 004 lists 跟进记录 on both): whoever
can see the opportunity or contract sees and adds its follow-ups; nobody else learns it exists.
Every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup, list_followups
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.automation import RuleInput
from tests.test_contracts import SALES
from tests.test_customers import make_user


def test_a_followup_on_a_contract_and_its_rules(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000401", perms=SALES)
    cust = customers.create(db, rep, {"name": "厦门鹭岛机电有限公司"})
    c = contracts.create(db, rep, {"name": "鹭岛一期", "customer_id": cust.id})
    auto.create_rule(db, admin, RuleInput(
        name="合同跟进", entity="contract", event="followup_added",
        actions=({"type": "message", "to": "owner", "title": "{name}：{followup.content}"},
                 {"type": "set_field", "on": "customer", "field": "remark", "from_field": "followup.content"})))
    f = add_followup(db, rep, target_entity="contract", target_id=c.id, kind="visit", content="客户确认交货期")
    assert f.values["target_entity"] == "contract" and f.owner_id == rep.user_id
    page = list_followups(db, rep, target_entity="contract", target_id=c.id)
    assert [r.values["content"] for r in page.rows] == ["客户确认交货期"]
    assert contracts.get(db, rep, c.id).version == c.version  # a follow-up is not an edit of the contract
    assert [m.title for m in auto.list_messages(db, rep)] == ["鹭岛一期：客户确认交货期"]
    assert customers.get(db, rep, cust.id).values["remark"] == "客户确认交货期"


def test_followups_of_a_contract_or_opportunity_outside_the_scope_are_refused(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000411", perms=SALES)
    other = make_user(db, admin, "13900000412", perms=SALES)  # SELF scope: not rep's records
    mate = make_user(db, admin, "13900000413", perms=SALES)
    cust = customers.create(db, rep, {"name": "漳州闽南食品有限公司"})
    opp = opportunities.create(db, rep, {"name": "食品线改造", "customer_id": cust.id})
    c = contracts.create(db, rep, {"name": "食品线合同", "customer_id": cust.id, "opportunity_id": opp.id})
    add_followup(db, rep, target_entity="opportunity", target_id=opp.id, content="报价已发")
    add_followup(db, rep, target_entity="contract", target_id=c.id, content="合同已寄出")
    for entity, record_id in (("contract", c.id), ("opportunity", opp.id)):
        with pytest.raises(NotFound):  # answered like an id that does not exist
            add_followup(db, other, target_entity=entity, target_id=record_id, content="越权")
        with pytest.raises(NotFound):
            list_followups(db, other, target_entity=entity, target_id=record_id)
        with pytest.raises(NotFound):
            add_followup(db, rep, target_entity=entity, target_id=10**9, content="不存在")
    assert [r.values["content"] for r in list_followups(db, rep, target_entity="contract", target_id=c.id).rows] == [
        "合同已寄出"]
    # A team member sees the contract, so sees and adds its follow-ups.
    contracts.set_team_member(db, rep, c.id, user_id=mate.user_id, access="read")
    add_followup(db, mate, target_entity="contract", target_id=c.id, content="我也跟进了")
    assert [r.values["content"] for r in list_followups(db, mate, target_entity="contract", target_id=c.id).rows] == [
        "我也跟进了", "合同已寄出"]
    with pytest.raises(ValidationError):
        add_followup(db, rep, target_entity="payment", target_id=c.id, content="回款不收跟进")
