"""Leads: status rules, mark invalid / reopen, conversion to customer and contact."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.models import Contact, Customer, FieldPermission, Role
from crm_desktop.services.customers.contacts import contacts, list_for_customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup
from crm_desktop.services.customers.leads import (
    EDITABLE_FIELDS,
    LEAD_TO_CONTACT,
    LEAD_TO_CUSTOMER,
    convert,
    convert_many,
    leads,
    mark_invalid,
    reopen,
)
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.events import RecordCreated, StatusChanged
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS
from tests.test_customers import ALL_SALES, capture, log, make_user

LEAD = {
    "name": "厦门星辰科技有限公司", "contact_name": "陈明", "phone": "0592-5550001", "mobile": "13900000001",
    "email": "chen@xc.cn", "source": "exhibition", "industry": "it", "level": "A", "province": "福建省",
    "city": "厦门市", "district": "思明区", "address": "软件园二期", "remark": "展会上认识",
}


def count(db: Database, model: Any) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_lead_fields_and_status_are_guarded(db: Database, admin: Actor) -> None:
    assert set(LEAD) == set(EDITABLE_FIELDS)
    lead = leads.create(db, admin, LEAD)
    assert {k: lead.values[k] for k in LEAD} == LEAD and lead.values["status"] == "new"
    for bad in ({"status": "converted"}, {"converted_customer_id": 1}, {"next_contact_at": None}):
        with pytest.raises(ValidationError):
            leads.update(db, admin, lead.id, expected_version=1, changes=bad)
    with pytest.raises(ValidationError) as err:
        leads.create(db, admin, {"name": "", "mobile": "12ab"})
    assert set(err.value.field_errors) == {"name", "mobile"}


def test_convert_maps_fields_creates_contact_and_closes_the_lead(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    lead = leads.create(db, li, LEAD)
    when = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)
    add_followup(db, li, target_entity="lead", target_id=lead.id, content="约了下周拜访", kind="phone",
                 followed_at=when, next_contact_at=when + dt.timedelta(days=7))
    seen = capture(db)

    result = convert(db, admin, lead.id)  # the admin converts li's lead: li owns the result

    customer = customers.get(db, admin, result.customer_id)
    assert {dst: customer.values[dst] for dst in LEAD_TO_CUSTOMER.values()} == {
        dst: LEAD[src] for src, dst in LEAD_TO_CUSTOMER.items()}
    assert customer.owner_id == li.user_id and customer.creator_id == admin.user_id
    assert customer.values["last_followup_at"] == when
    assert customer.values["last_followup_content"] == "约了下周拜访"
    assert customer.values["next_contact_at"] == when + dt.timedelta(days=7)
    assert customer.version == 1
    assert result.contact_id is not None
    contact = contacts.get(db, admin, result.contact_id)
    assert {dst: contact.values[dst] for dst in LEAD_TO_CONTACT.values()} == {
        dst: LEAD[src] for src, dst in LEAD_TO_CONTACT.items()}
    assert contact.values["customer_id"] == customer.id and contact.values["is_primary"] is True
    assert contact.owner_id == li.user_id
    assert [r.id for r in list_for_customer(db, li, customer.id)] == [contact.id]

    done = leads.get(db, li, lead.id)
    assert done.values["status"] == "converted" and done.values["converted_customer_id"] == customer.id
    assert done.values["converted_at"] is not None

    # Audit and events for all three records.
    assert log(db, admin, customers, customer.id)[0][0] == "create"
    assert log(db, admin, customers, customer.id)[0][1]["name"] == (None, LEAD["name"])
    assert [a for a, _ in log(db, admin, contacts, contact.id)] == ["create"]
    action, changes = log(db, admin, leads, lead.id)[-1]
    assert action == "convert" and changes["status"] == ("following", "converted")
    assert changes["converted_customer_id"] == (None, customer.id)
    assert [(type(e), e.entity) for e in seen] == [
        (RecordCreated, "customer"), (RecordCreated, "contact"), (StatusChanged, "lead")]
    assert isinstance(seen[2], StatusChanged) and (seen[2].old, seen[2].new) == ("following", "converted")

    # The converted lead is read-only from now on.
    with pytest.raises(RuleViolation):
        leads.update(db, li, lead.id, expected_version=done.version, changes={"remark": "x"})
    with pytest.raises(RuleViolation):
        convert(db, li, lead.id)
    with pytest.raises(RuleViolation):
        mark_invalid(db, li, lead.id, reason="重复")
    with pytest.raises(RuleViolation):
        add_followup(db, li, target_entity="lead", target_id=lead.id, content="再联系")
    assert count(db, Customer) == 1 and count(db, Contact) == 1


def test_convert_without_contact_person_and_permissions(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    no_contacts = make_user(db, admin, "13700000002", perms={k: v for k, v in ALL_SALES.items() if k != "contact"})
    no_convert = make_user(db, admin, "13700000003", perms={"lead": RECORD_ACTIONS, "customer": RECORD_ACTIONS})
    plain = leads.create(db, li, {"name": "无联系人公司", "mobile": "13900000009"})
    result = convert(db, li, plain.id)
    assert result.contact_id is None and count(db, Contact) == 0
    assert customers.get(db, li, result.customer_id).values["mobile"] == "13900000009"
    assert leads.get(db, li, plain.id).values["last_followup_at"] is None

    theirs = leads.create(db, no_contacts, {"name": "有联系人公司", "contact_name": "赵六"})
    with pytest.raises(PermissionDenied):  # the contact cannot be created: nothing is
        convert(db, no_contacts, theirs.id)
    assert count(db, Customer) == 1 and leads.get(db, no_contacts, theirs.id).values["status"] == "new"
    with pytest.raises(PermissionDenied):
        convert(db, no_convert, leads.create(db, no_convert, {"name": "x"}).id)
    with pytest.raises(NotFound):  # li cannot see it
        convert(db, li, theirs.id)


def test_convert_respects_customer_field_permissions(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    with db.sessions() as s:
        role_id = s.scalar(select(Role.id).where(Role.name == "role-13700000001"))
        s.add(FieldPermission(role_id=role_id, entity="customer", field="level", access="read"))
        s.commit()
    lead = leads.create(db, li, {"name": "星辰", "level": "A", "industry": "it"})
    customer = customers.get(db, li, convert(db, li, lead.id).customer_id)
    assert customer.values["level"] == "" and customer.values["industry"] == "it"


def test_mark_invalid_and_reopen(db: Database, admin: Actor) -> None:
    lead = leads.create(db, admin, {"name": "星辰"})
    seen = capture(db)
    with pytest.raises(ValidationError) as err:
        mark_invalid(db, admin, lead.id, reason="  ")
    assert set(err.value.field_errors) == {"invalid_reason"}
    bad = mark_invalid(db, admin, lead.id, reason="空号")
    assert bad.values["status"] == "invalid" and bad.values["invalid_reason"] == "空号"
    with pytest.raises(RuleViolation):
        mark_invalid(db, admin, lead.id, reason="again")
    with pytest.raises(RuleViolation):
        convert(db, admin, lead.id)
    assert leads.update(db, admin, lead.id, expected_version=bad.version, changes={"remark": "号码错"}).version == 3
    assert reopen(db, admin, lead.id).values["status"] == "new"
    with pytest.raises(RuleViolation):
        reopen(db, admin, lead.id)
    add_followup(db, admin, target_entity="lead", target_id=lead.id, content="打通了")
    mark_invalid(db, admin, lead.id, reason="没有需求")
    again = reopen(db, admin, lead.id)
    assert again.values["status"] == "following" and again.values["invalid_reason"] == ""
    assert [(e.old, e.new) for e in seen if isinstance(e, StatusChanged)] == [
        ("new", "invalid"), ("invalid", "new"), ("new", "following"), ("following", "invalid"), ("invalid", "following")]
    statuses = [(a, ch.get("status")) for a, ch in log(db, admin, leads, lead.id) if a in ("status", "followup")]
    assert statuses == [("status", ("new", "invalid")), ("status", ("invalid", "new")), ("followup", ("new", "following")),
                        ("status", ("following", "invalid")), ("status", ("invalid", "following"))]


def test_convert_many_is_all_or_nothing(db: Database, admin: Actor) -> None:
    a = leads.create(db, admin, {"name": "甲公司", "contact_name": "甲"})
    b = leads.create(db, admin, {"name": "乙公司"})
    mark_invalid(db, admin, b.id, reason="重复")
    with pytest.raises(RuleViolation) as err:
        convert_many(db, admin, [a.id, b.id])
    assert "乙公司" in str(err.value)
    assert count(db, Customer) == 0 and count(db, Contact) == 0
    assert leads.get(db, admin, a.id).values["status"] == "new"
    reopen(db, admin, b.id)
    results = convert_many(db, admin, [a.id, b.id, a.id])
    assert [r.lead_id for r in results] == [a.id, b.id] and count(db, Customer) == 2


def test_two_people_convert_the_same_lead_at_once(db: Database, admin: Actor) -> None:
    if db.backend != "postgresql":
        pytest.skip("the desktop app serializes SQLite writes on one worker; the race is a PostgreSQL one")
    lead = leads.create(db, admin, {"name": "星辰", "contact_name": "陈"})
    url = db.engine.url.render_as_string(hide_password=False)
    handles = [bootstrap(url, migrate_schema=False) for _ in range(2)]
    start = threading.Barrier(2)
    outcome: list[Any] = []

    def go(i: int) -> None:
        start.wait()
        try:
            outcome.append(convert(handles[i], admin, lead.id))
        except Exception as exc:  # noqa: BLE001 - inspected below
            outcome.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for h in handles:
        h.dispose()
    losers = [o for o in outcome if isinstance(o, Exception)]
    assert len(outcome) == 2 and len(losers) == 1 and isinstance(losers[0], RuleViolation)
    assert count(db, Customer) == 1 and count(db, Contact) == 1


def test_convert_copies_custom_fields_with_the_same_label_and_type(db: Database, admin: Actor) -> None:
    from crm_desktop.services.records.schema import FieldType
    from crm_desktop.services.records.schema_admin import (
        CustomFieldInput,
        create_custom_field,
    )

    budget_lead = create_custom_field(db, admin, "lead", CustomFieldInput("预算", FieldType.MONEY))
    channel_lead = create_custom_field(db, admin, "lead", CustomFieldInput("渠道", FieldType.TEXT))
    odd_lead = create_custom_field(db, admin, "lead", CustomFieldInput("规模", FieldType.TEXT))
    budget = create_custom_field(db, admin, "customer", CustomFieldInput(" 预算 ", FieldType.MONEY))
    channel = create_custom_field(db, admin, "customer", CustomFieldInput("渠道", FieldType.TEXT))
    size = create_custom_field(db, admin, "customer", CustomFieldInput("规模", FieldType.INTEGER))  # other type
    lead = leads.create(db, admin, {"name": "鼎盛贸易", budget_lead.name: "120000.50", channel_lead.name: "代理商",
                                    odd_lead.name: "五十人"})

    customer = customers.get(db, admin, convert(db, admin, lead.id).customer_id)

    assert str(customer.custom[budget.name]) == "120000.50"
    assert customer.custom[channel.name] == "代理商"
    assert customer.custom.get(size.name) is None  # a text value never lands in an integer field
