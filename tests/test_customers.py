"""Customers: fields and normalized name, lock, star, deal status, transfer with contacts and team."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import select

from crm_desktop.db import Database
from crm_desktop.models import Customer, Pool, Star
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import (
    EDITABLE_FIELDS,
    FIELDS,
    SYSTEM_FIELDS,
    TransferResult,
    customers,
    lock,
    set_deal_status,
    set_star,
    starred_ids,
    transfer_customers,
    transfer_customers_steps,
    unlock,
)
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.events import (
    DomainEvent,
    OwnerChanged,
    RecordUpdated,
    StatusChanged,
)
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import MODULES, RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput

ALL_SALES = {
    "customer": RECORD_ACTIONS + ("lock",),
    "contact": RECORD_ACTIONS,
    "lead": RECORD_ACTIONS + ("convert",),
    "followup": ("view", "create", "edit", "delete"),
}


def make_user(
    db: Database, admin: Actor, mobile: str, *, perms: Mapping[str, tuple[str, ...]] = ALL_SALES,
    scope: DataScope = DataScope.SELF,
) -> Actor:
    """A user with one role: ``perms`` per module and ``scope`` on every scoped module."""
    role = roles.create_role(db, admin, RoleInput(
        name=f"role-{mobile}",
        permissions=frozenset((m, a) for m, actions in perms.items() for a in actions),
        scopes={m: scope for m, spec in MODULES.items() if spec.scoped},
    ))
    users.create_user(db, admin, UserInput(mobile=mobile, name=f"用户{mobile[-2:]}", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    return auth.login(db, mobile, "abc12345")


def capture(db: Database) -> list[DomainEvent]:
    """Events that reached after-commit subscribers, in order."""
    seen: list[DomainEvent] = []
    db.bus.subscribe(lambda e, _uow: seen.append(e), phase="after_commit")
    return seen


def log(db: Database, admin: Actor, service: Any, record_id: int) -> list[tuple[str, dict[str, tuple[Any, Any]]]]:
    return [(e.action, {c.field: (c.old, c.new) for c in e.changes})
            for e in service.operation_log(db, admin, record_id)]


def normalized(db: Database, customer_id: int) -> str:
    with db.sessions() as s:
        return s.scalar(select(Customer.normalized_name).where(Customer.id == customer_id)) or ""


def test_full_field_list_and_system_fields_are_refused(db: Database, admin: Actor) -> None:
    values = {
        "name": "厦门星辰科技有限公司", "phone": "0592-5550001", "mobile": "13900000001", "email": "info@xc.cn",
        "website": "https://xc.cn", "credit_code": "91350200MA00000000", "level": "A", "industry": "it",
        "source": "exhibition", "province": "福建省", "city": "厦门市", "district": "思明区", "address": "软件园二期",
        "remark": "重点客户",
    }
    assert set(values) == set(EDITABLE_FIELDS) and set(FIELDS) == set(EDITABLE_FIELDS) | set(SYSTEM_FIELDS)
    c = customers.create(db, admin, values)
    assert {k: c.values[k] for k in values} == values
    assert c.values["deal_status"] == "none" and c.values["locked"] is False and c.values["pool_id"] is None
    for bad in ({"locked": True}, {"deal_status": "deal"}, {"last_followup_content": "x"}, {"pool_id": None}):
        with pytest.raises(ValidationError) as err:
            customers.update(db, admin, c.id, expected_version=1, changes=bad)
        assert set(err.value.field_errors) == set(bad)
        with pytest.raises(ValidationError):
            customers.create(db, admin, {"name": "x", **bad})
    with pytest.raises(ValidationError) as err:
        customers.create(db, admin, {"name": " ", "mobile": "abc", "email": "not-an-email"})
    assert set(err.value.field_errors) == {"name", "mobile", "email"}
    assert customers.count(db, admin) == 1


def test_normalized_name_follows_the_name(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "厦门星辰科技有限公司"})
    assert normalized(db, c.id) == "星辰科技"
    customers.update(db, admin, c.id, expected_version=1, changes={"name": "星辰科技（厦门）股份有限公司"})
    assert normalized(db, c.id) == "星辰科技"
    customers.update(db, admin, c.id, expected_version=2, changes={"name": "福建月光网络有限公司"})
    assert normalized(db, c.id) == "月光网络"
    # The derived column is not an edit the user made: the log shows only the name.
    assert log(db, admin, customers, c.id)[-1] == ("update", {"name": ("星辰科技（厦门）股份有限公司", "福建月光网络有限公司")})


def test_lock_and_unlock_are_permissioned_audited_and_evented(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    no_lock = make_user(db, admin, "13700000002", perms={"customer": RECORD_ACTIONS})
    mine = customers.create(db, li, {"name": "李的客户"})
    other = customers.create(db, no_lock, {"name": "别人的客户"})
    seen = capture(db)
    assert lock(db, li, [mine.id]) == 1
    assert lock(db, li, [mine.id]) == 0  # already locked: nothing written
    got = customers.get(db, li, mine.id)
    assert got.values["locked"] is True and got.version == 2
    with pytest.raises(NotFound):  # not in li's scope
        lock(db, li, [other.id])
    with pytest.raises(PermissionDenied):
        lock(db, no_lock, [other.id])
    # Locked customers are still edited and transferred by their owner.
    assert customers.update(db, li, mine.id, expected_version=2, changes={"level": "A"}).version == 3
    assert unlock(db, li, [mine.id]) == 1
    assert customers.get(db, li, mine.id).values["locked"] is False
    assert [a for a, _ in log(db, admin, customers, mine.id)] == ["create", "lock", "update", "unlock"]
    assert log(db, admin, customers, mine.id)[1][1] == {"locked": (False, True)}
    locks = [e for e in seen if isinstance(e, RecordUpdated) and "locked" in e.after]
    assert [(e.record_id, e.before, e.after) for e in locks] == [
        (mine.id, {"locked": False}, {"locked": True}), (mine.id, {"locked": True}, {"locked": False})]


def test_stars_are_personal_and_not_audited(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    a = customers.create(db, li, {"name": "A"})
    b = customers.create(db, li, {"name": "B"})
    w = customers.create(db, wang, {"name": "W"})
    set_star(db, li, a.id, starred=True)
    set_star(db, li, a.id, starred=True)  # idempotent
    set_star(db, li, b.id, starred=True)
    set_star(db, admin, b.id, starred=True)
    assert starred_ids(db, li) == {a.id, b.id}
    assert starred_ids(db, li, [b.id, w.id]) == {b.id}
    assert starred_ids(db, admin) == {b.id} and starred_ids(db, wang) == set()
    with pytest.raises(NotFound):
        set_star(db, li, w.id, starred=True)
    set_star(db, li, b.id, starred=False)
    assert starred_ids(db, li) == {a.id}
    assert customers.get(db, li, a.id).version == 1
    assert [x for x, _ in log(db, admin, customers, a.id)] == ["create"]
    # A star on a record that moved out of sight is not reported.
    customers.transfer(db, li, [a.id], new_owner_id=wang.user_id)
    assert starred_ids(db, li) == set()
    with db.sessions() as s:
        assert s.scalar(select(Star.record_id).where(Star.user_id == li.user_id)) == a.id


def test_deal_status(db: Database, admin: Actor) -> None:
    viewer = make_user(db, admin, "13700000003", perms={"customer": ("view",)})
    c = customers.create(db, admin, {"name": "星辰"}, owner_id=viewer.user_id)
    seen = capture(db)
    with pytest.raises(PermissionDenied):
        set_deal_status(db, viewer, c.id, status="deal")
    with pytest.raises(ValidationError):
        set_deal_status(db, admin, c.id, status="won")
    done = set_deal_status(db, admin, c.id, status="deal")
    assert done.values["deal_status"] == "deal" and done.values["last_deal_at"] is not None
    assert set_deal_status(db, admin, c.id, status="deal").version == done.version  # no change, no write
    back = set_deal_status(db, admin, c.id, status="none")
    assert back.values["deal_status"] == "none" and back.values["last_deal_at"] == done.values["last_deal_at"]
    entries = log(db, admin, customers, c.id)
    assert [a for a, _ in entries] == ["create", "status", "status"]
    assert entries[1][1]["deal_status"] == ("none", "deal") and entries[1][1]["last_deal_at"][0] is None
    assert [(e.field_name, e.old, e.new) for e in seen if isinstance(e, StatusChanged)] == [
        ("deal_status", "none", "deal"), ("deal_status", "deal", "none")]


def test_bulk_transfer_carries_contacts_and_keeps_old_owner_in_team(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    zhao = make_user(db, admin, "13700000003")
    # A transfer gives records only to owners inside the actor's scope: a manager moves them.
    boss = make_user(db, admin, "13700000004", scope=DataScope.DEPARTMENT)
    c1 = customers.create(db, li, {"name": "客户一"})
    c2 = customers.create(db, li, {"name": "客户二"})
    k1 = contacts.create(db, li, {"customer_id": c1.id, "name": "张三"})
    k2 = contacts.create(db, li, {"customer_id": c1.id, "name": "李四"})
    k3 = contacts.create(db, admin, {"customer_id": c2.id, "name": "王五"}, owner_id=zhao.user_id)
    customers.set_team_member(db, li, c2.id, user_id=wang.user_id, access="read")
    seen = capture(db)

    result = transfer_customers(db, boss, [c1.id, c2.id, c1.id], new_owner_id=wang.user_id,
                                carry_contacts=True, keep_old_owner="read")
    assert result == TransferResult(customers=2, contacts=3)
    assert customers.visible_ids(db, wang) == {c1.id, c2.id}
    assert contacts.visible_ids(db, wang) == {k1.id, k2.id, k3.id}
    # Each previous owner stays on the team, read only.
    assert customers.visible_ids(db, li) == {c1.id, c2.id}
    assert contacts.visible_ids(db, li) == {k1.id, k2.id}
    assert contacts.visible_ids(db, zhao) == {k3.id}
    with pytest.raises(PermissionDenied):
        customers.update(db, li, c1.id, expected_version=2, changes={"level": "B"})
    # The new owner left the team they were on.
    assert [(m.user_id, m.access) for m in customers.team(db, wang, c2.id)] == [(li.user_id, "read")]

    assert log(db, admin, customers, c2.id)[-3:] == [
        ("owner_change", {"owner_id": (li.user_id, wang.user_id)}),
        ("team", {f"team:{wang.user_id}": ("read", None)}),
        ("team", {f"team:{li.user_id}": (None, "read")}),
    ]
    assert log(db, admin, contacts, k3.id)[-2:] == [
        ("owner_change", {"owner_id": (zhao.user_id, wang.user_id)}),
        ("team", {f"team:{zhao.user_id}": (None, "read")}),
    ]
    moved = [(e.entity, e.record_id, e.old_owner_id) for e in seen if isinstance(e, OwnerChanged)]
    assert moved == [("customer", c1.id, li.user_id), ("contact", k1.id, li.user_id), ("contact", k2.id, li.user_id),
                     ("customer", c2.id, li.user_id), ("contact", k3.id, zhao.user_id)]

    # Read-write: the previous owner may still edit.
    back = transfer_customers(db, boss, [c1.id], new_owner_id=li.user_id, keep_old_owner="write")
    assert back == TransferResult(customers=1, contacts=0)
    assert customers.update(db, wang, c1.id, expected_version=customers.get(db, wang, c1.id).version,
                            changes={"level": "B"}).values["level"] == "B"


def test_transfer_is_one_unit_of_work(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    no_contact_transfer = make_user(db, admin, "13700000003", perms={"customer": RECORD_ACTIONS},
                                    scope=DataScope.DEPARTMENT)
    mine = customers.create(db, li, {"name": "李的客户"})
    theirs = customers.create(db, wang, {"name": "王的客户"})
    contacts.create(db, li, {"customer_id": mine.id, "name": "张三"})
    with pytest.raises(NotFound):  # the second one is out of scope: the first is not moved either
        transfer_customers(db, li, [theirs.id, mine.id], new_owner_id=li.user_id, carry_contacts=True)
    with pytest.raises(NotFound):  # the second one does not exist: the first is not moved either
        transfer_customers(db, admin, [mine.id, 10**9], new_owner_id=wang.user_id, carry_contacts=True)
    with pytest.raises(ValidationError):  # wang is outside li's (self) scope: not a new owner for li
        transfer_customers(db, li, [mine.id], new_owner_id=wang.user_id)
    assert customers.get(db, li, mine.id).owner_id == li.user_id
    steps = transfer_customers_steps(db, admin, [mine.id, theirs.id], new_owner_id=li.user_id)
    assert next(steps) == (1, 2, "")
    steps.close()  # Cancel in the progress dialog
    assert customers.get(db, admin, mine.id).owner_id == li.user_id
    assert customers.get(db, admin, theirs.id).owner_id == wang.user_id
    other = customers.create(db, no_contact_transfer, {"name": "x"})
    with pytest.raises(PermissionDenied):
        transfer_customers(db, no_contact_transfer, [other.id], new_owner_id=li.user_id, carry_contacts=True)
    with pytest.raises(ValidationError):
        transfer_customers(db, admin, [other.id], new_owner_id=li.user_id, keep_old_owner="admin")
    assert transfer_customers(db, no_contact_transfer, [other.id], new_owner_id=li.user_id).customers == 1


def test_pooled_customers_are_out_of_reach_here(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "公海客户"})
    with db.sessions() as s:
        pool = Pool(name="公海")
        s.add(pool)
        s.flush()
        row = s.get(Customer, c.id)
        assert row is not None
        row.pool_id, row.owner_id = pool.id, None
        s.commit()
    for call in (lambda: lock(db, admin, [c.id]), lambda: set_deal_status(db, admin, c.id, status="deal"),
                 lambda: set_star(db, admin, c.id, starred=True),
                 lambda: transfer_customers(db, admin, [c.id], new_owner_id=admin.user_id)):
        # records.load_row reports a pooled customer as "no permission" when editing (its
        # visibility probe ignores the base filter); either way nothing is written.
        with pytest.raises((NotFound, PermissionDenied)):
            call()
    assert customers.visible_ids(db, admin) == set()
    with db.sessions() as s:
        row = s.get(Customer, c.id)
        assert row is not None and row.locked is False and row.deal_status == "none" and row.owner_id is None


def test_names_of_reads_only_what_the_actor_may_see(db: Database, admin: Actor) -> None:
    from crm_desktop.services.customers.customers import names_of

    rep = make_user(db, admin, "13700000031")
    mine = customers.create(db, rep, {"name": "我的客户"})
    other = customers.create(db, admin, {"name": "别人的客户"})
    gone = customers.create(db, rep, {"name": "删掉的客户"})
    customers.delete(db, rep, gone.id)
    assert names_of(db, rep, [mine.id, other.id, gone.id, mine.id]) == {mine.id: "我的客户"}
    assert names_of(db, admin, [mine.id, other.id]) == {mine.id: "我的客户", other.id: "别人的客户"}
    assert names_of(db, rep, []) == {}
