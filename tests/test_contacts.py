"""Contacts: the customer link, exactly one primary contact, decision maker, transfer, scope."""
from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.models import Contact
from crm_desktop.services.customers.contacts import (
    contacts,
    list_for_customer,
    set_primary,
)
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.events import (
    OwnerChanged,
    RecordCreated,
    RecordDeleted,
    RecordUpdated,
)
from crm_desktop.services.org.actor import Actor
from tests.test_customers import capture, log, make_user


def primaries(db: Database, customer_id: int) -> list[int]:
    with db.sessions() as s:
        return list(s.scalars(select(Contact.id).where(
            Contact.customer_id == customer_id, Contact.deleted_at.is_(None), Contact.is_primary.is_(True))))


def test_contact_needs_a_customer_the_actor_can_see(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    lis = customers.create(db, li, {"name": "李的客户"})
    with pytest.raises(ValidationError) as err:
        contacts.create(db, li, {"name": "张三"})
    assert "customer_id" in err.value.field_errors
    with pytest.raises(ValidationError) as err:
        contacts.create(db, wang, {"customer_id": lis.id, "name": "张三"})  # not wang's customer
    assert set(err.value.field_errors) == {"customer_id"}
    with pytest.raises(ValidationError) as err:
        contacts.create(db, li, {"customer_id": lis.id, "name": " ", "email": "bad", "last_followup_content": "x"})
    assert set(err.value.field_errors) == {"name", "email", "last_followup_content"}
    with pytest.raises(ValidationError):
        contacts.create(db, li, {"customer_id": 9999, "name": "张三"})
    k = contacts.create(db, li, {"customer_id": lis.id, "name": "张三", "position": "总经理", "decision_maker": True,
                                 "mobile": "13900000001"})
    assert k.values["customer_id"] == lis.id and k.values["decision_maker"] is True and k.owner_id == li.user_id
    assert contacts.count(db, li) == 1 and contacts.count(db, wang) == 0
    with pytest.raises(ValidationError) as err:
        contacts.update(db, li, k.id, expected_version=1, changes={"customer_id": lis.id + 1, "is_primary": False})
    assert set(err.value.field_errors) == {"customer_id", "is_primary"}
    assert contacts.update(db, li, k.id, expected_version=1, changes={"decision_maker": False}).values[
        "decision_maker"] is False
    with pytest.raises(NotFound):
        contacts.update(db, wang, k.id, expected_version=2, changes={"position": "x"})


def test_exactly_one_primary_contact(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "星辰"})
    other = customers.create(db, admin, {"name": "月光"})
    seen = capture(db)
    a = contacts.create(db, admin, {"customer_id": c.id, "name": "甲"})
    assert a.values["is_primary"] is True and a.version == 1  # the first contact is primary from the start
    b = contacts.create(db, admin, {"customer_id": c.id, "name": "乙"})
    assert b.values["is_primary"] is False and primaries(db, c.id) == [a.id]
    x = contacts.create(db, admin, {"customer_id": other.id, "name": "丙"})
    assert primaries(db, other.id) == [x.id]

    d = contacts.create(db, admin, {"customer_id": c.id, "name": "丁", "is_primary": True})
    assert primaries(db, c.id) == [d.id] and primaries(db, other.id) == [x.id]
    assert log(db, admin, contacts, a.id)[-1] == ("update", {"is_primary": (True, False)})

    assert set_primary(db, admin, b.id).values["is_primary"] is True
    assert primaries(db, c.id) == [b.id]
    assert log(db, admin, contacts, d.id)[-1] == ("update", {"is_primary": (True, False)})
    assert log(db, admin, contacts, b.id)[-1] == ("update", {"is_primary": (False, True)})
    assert set_primary(db, admin, b.id).version == contacts.get(db, admin, b.id).version  # already: no write
    updates = [(e.record_id, e.after) for e in seen if isinstance(e, RecordUpdated)]
    assert updates == [(a.id, {"is_primary": False}), (d.id, {"is_primary": False}), (b.id, {"is_primary": True})]
    assert [e.record_id for e in seen if isinstance(e, RecordCreated)] == [a.id, b.id, x.id, d.id]

    # The primary goes to the recycle bin: the oldest remaining contact takes over.
    contacts.delete(db, admin, b.id)
    assert primaries(db, c.id) == [a.id]
    assert isinstance(seen[-2], RecordDeleted) and seen[-2].record_id == b.id
    # Restored, it is not primary any more: the customer has one.
    restored = contacts.restore(db, admin, b.id)
    assert restored.values["is_primary"] is False and primaries(db, c.id) == [a.id]
    # The only contact left in the bin comes back as primary.
    contacts.delete(db, admin, x.id)
    assert primaries(db, other.id) == []
    assert contacts.restore(db, admin, x.id).values["is_primary"] is True

    assert [r.values["name"] for r in list_for_customer(db, admin, c.id)] == ["甲", "丁", "乙"]
    assert [action for action, _ in log(db, admin, contacts, b.id)][-3:] == ["delete", "restore", "update"]


def test_set_primary_needs_edit_rights(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    c = customers.create(db, li, {"name": "李的客户"})
    a = contacts.create(db, li, {"customer_id": c.id, "name": "甲"})
    b = contacts.create(db, li, {"customer_id": c.id, "name": "乙"})
    contacts.set_team_member(db, li, b.id, user_id=wang.user_id, access="read")
    with pytest.raises(PermissionDenied):
        set_primary(db, wang, b.id)
    with pytest.raises(NotFound):
        set_primary(db, wang, a.id)
    assert primaries(db, c.id) == [a.id]


def test_list_by_customer_uses_the_contact_scope(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    c = customers.create(db, li, {"name": "李的客户"})
    mine = contacts.create(db, li, {"customer_id": c.id, "name": "李建的"})
    contacts.create(db, admin, {"customer_id": c.id, "name": "王建的"}, owner_id=wang.user_id)
    assert [r.id for r in list_for_customer(db, li, c.id)] == [mine.id]
    assert len(list_for_customer(db, admin, c.id)) == 2
    with pytest.raises(NotFound):  # wang owns a contact there, but cannot see the customer
        list_for_customer(db, wang, c.id)


def test_transfer_contacts(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    c = customers.create(db, li, {"name": "李的客户"})
    k = contacts.create(db, li, {"customer_id": c.id, "name": "甲"})
    seen = capture(db)
    assert contacts.transfer(db, li, [k.id], new_owner_id=wang.user_id) == 1
    assert contacts.visible_ids(db, wang) == {k.id} and contacts.visible_ids(db, li) == set()
    assert customers.visible_ids(db, wang) == set()  # the customer stays with li
    assert log(db, admin, contacts, k.id)[-1] == ("owner_change", {"owner_id": (li.user_id, wang.user_id)})
    assert [type(e) for e in seen] == [OwnerChanged]


def test_concurrent_set_primary_leaves_one_primary(db: Database, admin: Actor) -> None:
    if db.backend != "postgresql":
        pytest.skip("the desktop app serializes SQLite writes on one worker; the race is a PostgreSQL one")
    c = customers.create(db, admin, {"name": "星辰"})
    ids = [contacts.create(db, admin, {"customer_id": c.id, "name": n}).id for n in ("甲", "乙", "丙")]
    url = db.engine.url.render_as_string(hide_password=False)
    handles = [bootstrap(url, migrate_schema=False) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[Any] = []

    def make_primary(i: int) -> None:
        start.wait()
        try:
            set_primary(handles[i], admin, ids[i + 1])
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=make_primary, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for h in handles:
        h.dispose()
    assert errors == []
    assert len(primaries(db, c.id)) == 1 and primaries(db, c.id)[0] in ids[1:]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Contact).where(Contact.is_primary.is_(True))) == 1
