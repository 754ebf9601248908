"""Transfer cascade (seed 004): a customer's transfer carries its opportunities and contracts,
opportunities and contracts keep the old owner on the team. Both backends."""
from __future__ import annotations

import pytest

from crm_desktop.db import Database
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import (
    TransferResult,
    customers,
    transfer_customers,
    transfer_records,
)
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.events import OwnerChanged
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from tests.test_customers import ALL_SALES, capture, log, make_user

SALES = {**ALL_SALES, "contract": RECORD_ACTIONS, "opportunity": RECORD_ACTIONS}
#: Transfers customers and contacts, but neither opportunities nor contracts.
NO_SALES_TRANSFER = {**ALL_SALES, "contract": ("view", "create", "edit"), "opportunity": ("view", "create", "edit")}


def owners(db: Database, admin: Actor, service: object, ids: list[int]) -> list[int]:
    return [service.get(db, admin, i).owner_id for i in ids]  # type: ignore[attr-defined]


def test_customer_transfer_carries_opportunities_and_contracts(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000011", perms=SALES)
    wang = make_user(db, admin, "13700000012", perms=SALES)
    boss = make_user(db, admin, "13700000013", perms=SALES, scope=DataScope.DEPARTMENT)
    cust = customers.create(db, li, {"name": "鹭岛机电"})
    other = customers.create(db, li, {"name": "别家公司"})
    o1 = opportunities.create(db, li, {"name": "一期", "customer_id": cust.id})
    o2 = opportunities.create(db, li, {"name": "二期", "customer_id": cust.id})
    o_other = opportunities.create(db, li, {"name": "别家商机", "customer_id": other.id})
    k1 = contracts.create(db, li, {"name": "一期合同", "customer_id": cust.id})
    gone = contracts.create(db, li, {"name": "已删除", "customer_id": cust.id})
    contracts.delete(db, li, gone.id)
    seen = capture(db)

    result = transfer_customers(db, boss, [cust.id], new_owner_id=wang.user_id, carry_opportunities=True,
                                carry_contracts=True, keep_old_owner="read")
    assert result == TransferResult(customers=1, contacts=0, opportunities=2, contracts=1)
    assert owners(db, admin, opportunities, [o1.id, o2.id, o_other.id]) == [wang.user_id, wang.user_id, li.user_id]
    assert contracts.get(db, admin, k1.id).owner_id == wang.user_id
    assert opportunities.visible_ids(db, wang) == {o1.id, o2.id}
    # The old owner keeps a read seat on every carried record: sees it, cannot change it.
    assert contracts.visible_ids(db, li) == {k1.id}
    assert [(m.user_id, m.access) for m in opportunities.team(db, wang, o1.id)] == [(li.user_id, "read")]
    with pytest.raises(PermissionDenied):
        opportunities.update(db, li, o1.id, expected_version=opportunities.get(db, li, o1.id).version,
                             changes={"remark": "x"})
    # Each carried record: an operation log entry and an OwnerChanged event (owner rules fire).
    assert log(db, admin, contracts, k1.id)[-2:] == [
        ("owner_change", {"owner_id": (li.user_id, wang.user_id)}),
        ("team", {f"team:{li.user_id}": (None, "read")}),
    ]
    moved = [(e.entity, e.record_id) for e in seen if isinstance(e, OwnerChanged)]
    assert moved == [("customer", cust.id), ("opportunity", o1.id), ("opportunity", o2.id), ("contract", k1.id)]

    # Not asked: nothing carried.
    back = transfer_customers(db, boss, [cust.id], new_owner_id=li.user_id)
    assert back == TransferResult(customers=1, contacts=0)
    assert owners(db, admin, opportunities, [o1.id]) == [wang.user_id]


def test_carried_records_need_their_own_transfer_permission(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000021", perms=SALES)
    boss = make_user(db, admin, "13700000022", perms=NO_SALES_TRANSFER, scope=DataScope.DEPARTMENT)
    cust = customers.create(db, li, {"name": "鹭岛机电"})
    o = opportunities.create(db, li, {"name": "一期", "customer_id": cust.id})
    k = contracts.create(db, li, {"name": "一期合同", "customer_id": cust.id})
    for carry in ({"carry_opportunities": True}, {"carry_contracts": True}):
        with pytest.raises(PermissionDenied):
            transfer_customers(db, boss, [cust.id], new_owner_id=boss.user_id, **carry)
    # Nothing moved; without carrying, the customer alone goes.
    assert customers.get(db, admin, cust.id).owner_id == li.user_id
    assert transfer_customers(db, boss, [cust.id], new_owner_id=boss.user_id).customers == 1
    assert opportunities.get(db, admin, o.id).owner_id == li.user_id
    assert contracts.get(db, admin, k.id).owner_id == li.user_id


def test_only_records_in_scope_are_carried_and_the_new_owner_must_be_in_scope(db: Database, admin: Actor) -> None:
    """A self-scope rep with transfer rights: their own records move; a colleague's contract on
    the same customer stays with the colleague; a new owner outside their scope is refused."""
    li = make_user(db, admin, "13700000031", perms=SALES)
    zhao = make_user(db, admin, "13700000032", perms=SALES)
    boss = make_user(db, admin, "13700000033", perms=SALES, scope=DataScope.DEPARTMENT)
    cust = customers.create(db, li, {"name": "鹭岛机电"})
    mine = contracts.create(db, li, {"name": "李的合同", "customer_id": cust.id})
    customers.set_team_member(db, li, cust.id, user_id=zhao.user_id, access="read")
    theirs = contracts.create(db, zhao, {"name": "赵的合同", "customer_id": cust.id})
    contacts.create(db, li, {"customer_id": cust.id, "name": "张三"})

    with pytest.raises(ValidationError) as err:  # zhao is outside li's (self) scope
        transfer_customers(db, li, [cust.id], new_owner_id=zhao.user_id, carry_contracts=True)
    assert "owner_id" in err.value.field_errors
    with pytest.raises(ValidationError):
        transfer_records(db, li, contracts, [mine.id], new_owner_id=zhao.user_id)
    assert contracts.get(db, admin, mine.id).owner_id == li.user_id

    # The manager moves the customer to themselves: li's contract comes along, and zhao's too
    # (inside the manager's scope); li's self scope could not have carried zhao's.
    result = transfer_customers(db, boss, [cust.id], new_owner_id=boss.user_id, carry_contracts=True,
                                carry_contacts=True)
    assert result == TransferResult(customers=1, contacts=1, contracts=2)
    # Back to li, by li's hands now? li no longer sees it: NotFound, nothing revealed.
    with pytest.raises(NotFound):
        transfer_customers(db, li, [cust.id], new_owner_id=li.user_id, carry_contracts=True)
    transfer_customers(db, boss, [cust.id], new_owner_id=li.user_id)
    transfer_records(db, boss, contracts, [mine.id], new_owner_id=li.user_id)
    assert contracts.get(db, admin, theirs.id).owner_id == boss.user_id
    # li (self scope) transfers the customer to themselves with its contracts: the manager's
    # contract is outside li's scope, so it stays where it is.
    assert transfer_customers(db, li, [cust.id], new_owner_id=li.user_id, carry_contracts=True) == \
        TransferResult(customers=0, contacts=0, contracts=0)
    assert contracts.get(db, admin, theirs.id).owner_id == boss.user_id


def test_opportunity_and_contract_transfer_keep_the_old_owner(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000041", perms=SALES)
    wang = make_user(db, admin, "13700000042", perms=SALES)
    boss = make_user(db, admin, "13700000043", perms=SALES, scope=DataScope.DEPARTMENT)
    cust = customers.create(db, li, {"name": "鹭岛机电"})
    o = opportunities.create(db, li, {"name": "一期", "customer_id": cust.id})
    k = contracts.create(db, li, {"name": "一期合同", "customer_id": cust.id})
    seen = capture(db)

    assert transfer_records(db, boss, opportunities, [o.id, o.id], new_owner_id=wang.user_id,
                            keep_old_owner="write") == 1
    assert transfer_records(db, boss, contracts, [k.id], new_owner_id=wang.user_id, keep_old_owner="read") == 1
    assert transfer_records(db, boss, contracts, [k.id], new_owner_id=wang.user_id) == 0  # already theirs
    # Read-write: li may still edit the opportunity; read: li sees the contract only.
    o2 = opportunities.update(db, li, o.id, expected_version=opportunities.get(db, li, o.id).version,
                              changes={"remark": "仍可编辑"})
    assert o2.values["remark"] == "仍可编辑" and o2.owner_id == wang.user_id
    assert contracts.get(db, li, k.id).owner_id == wang.user_id
    with pytest.raises(PermissionDenied):
        contracts.update(db, li, k.id, expected_version=contracts.get(db, li, k.id).version, changes={"remark": "x"})
    assert [(e.entity, e.record_id, e.old_owner_id) for e in seen if isinstance(e, OwnerChanged)] == [
        ("opportunity", o.id, li.user_id), ("contract", k.id, li.user_id)]
    assert log(db, admin, opportunities, o.id)[-3:-1] == [
        ("owner_change", {"owner_id": (li.user_id, wang.user_id)}),
        ("team", {f"team:{li.user_id}": (None, "write")}),
    ]
    # "Not kept": no seat.
    transfer_records(db, boss, contracts, [k.id], new_owner_id=boss.user_id)
    assert [m.user_id for m in contracts.team(db, boss, k.id)] == [li.user_id]  # the earlier seat stays
    assert wang.user_id not in {m.user_id for m in contracts.team(db, boss, k.id)}

    # Checks: a bad team access, no transfer permission, a record outside the scope.
    with pytest.raises(ValidationError):
        transfer_records(db, boss, contracts, [k.id], new_owner_id=li.user_id, keep_old_owner="owner")
    no_rights = make_user(db, admin, "13700000044", perms=NO_SALES_TRANSFER, scope=DataScope.DEPARTMENT)
    with pytest.raises(PermissionDenied):
        transfer_records(db, no_rights, opportunities, [o.id], new_owner_id=li.user_id)
    with pytest.raises(PermissionDenied):  # li only reads it (a team seat)
        transfer_records(db, li, contracts, [k.id], new_owner_id=li.user_id)
    stranger = make_user(db, admin, "13700000045", perms=SALES)
    with pytest.raises(NotFound):
        transfer_records(db, stranger, contracts, [k.id], new_owner_id=stranger.user_id)


def test_owner_rules_fire_on_each_carried_record(db: Database, admin: Actor) -> None:
    """OwnerChanged per carried record: an "owner changed" rule on contracts and one on
    opportunities each tell the new owner, in the transfer's own transaction."""
    from crm_desktop.services.workflow import automation as auto
    from crm_desktop.services.workflow.automation import RuleInput

    li = make_user(db, admin, "13700000051", perms=SALES)
    wang = make_user(db, admin, "13700000052", perms=SALES)
    for entity, title in (("contract", "你收到了合同 {name}"), ("opportunity", "你收到了商机 {name}")):
        auto.create_rule(db, admin, RuleInput(name=f"{entity}转移通知", entity=entity, event="owner_changed",
                                              actions=({"type": "message", "to": "owner", "title": title},)))
    cust = customers.create(db, li, {"name": "宁德客户"})
    opportunities.create(db, li, {"name": "宁德一期", "customer_id": cust.id})
    contracts.create(db, li, {"name": "宁德合同", "customer_id": cust.id})
    transfer_customers(db, admin, [cust.id], new_owner_id=wang.user_id, carry_opportunities=True,
                       carry_contracts=True)
    assert sorted(m.title for m in auto.list_messages(db, wang)) == ["你收到了合同 宁德合同", "你收到了商机 宁德一期"]
