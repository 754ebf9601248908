"""Follow-ups: target scope, kinds, the target's summary and lead status, listing, due today."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import delete, select

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.models import DictionaryItem, FieldPermission, Role
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import (
    BUILTIN_KINDS,
    FollowUpAdded,
    add_followup,
    count_due,
    due_followups,
    followup_kinds,
    followups,
    list_followups,
)
from crm_desktop.services.customers.leads import convert, leads, mark_invalid
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.events import RecordCreated, RecordDeleted, StatusChanged
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS
from tests.test_customers import capture, log, make_user

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_followup_updates_the_customer_summary_without_a_new_version(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "星辰"})
    seen = capture(db)
    f = add_followup(db, admin, target_entity="customer", target_id=c.id, kind="visit", content=" 上门演示 ",
                     followed_at=T0, next_contact_at=T0 + dt.timedelta(days=3))
    assert f.owner_id == admin.user_id and f.values["content"] == "上门演示" and f.values["kind"] == "visit"
    after = customers.get(db, admin, c.id)
    assert after.values["last_followup_at"] == T0 and after.values["last_followup_content"] == "上门演示"
    assert after.values["next_contact_at"] == T0 + dt.timedelta(days=3)
    assert after.version == 1  # an edit opened before the follow-up still saves without a conflict
    assert customers.update(db, admin, c.id, expected_version=1, changes={"level": "A"}).version == 2
    assert customers.get(db, admin, c.id).values["last_followup_content"] == "上门演示"

    assert [a for a, _ in log(db, admin, followups, f.id)] == ["create"]
    assert log(db, admin, customers, c.id)[1] == ("followup", {
        "last_followup_at": (None, T0.isoformat()), "last_followup_content": ("", "上门演示"),
        "next_contact_at": (None, (T0 + dt.timedelta(days=3)).isoformat())})
    created, added = seen[0], seen[1]
    assert isinstance(created, RecordCreated) and created.entity == "followup" and created.record_id == f.id
    assert isinstance(added, FollowUpAdded) and (added.entity, added.record_id, added.followup_id) == (
        "customer", c.id, f.id)
    assert added.kind == "visit" and added.followed_at == T0.isoformat()

    # An older follow-up entered afterwards does not replace the newest one in the summary.
    add_followup(db, admin, target_entity="customer", target_id=c.id, content="补录：电话", followed_at=T0 - dt.timedelta(days=5))
    assert customers.get(db, admin, c.id).values["last_followup_content"] == "上门演示"
    later = add_followup(db, admin, target_entity="customer", target_id=c.id, content="电话确认",
                         followed_at=T0 + dt.timedelta(days=1))
    summary = customers.get(db, admin, c.id).values
    assert summary["last_followup_content"] == "电话确认" and summary["next_contact_at"] is None

    # Removing the newest follow-up falls back to the one before; restoring brings it back.
    followups.delete(db, admin, later.id)
    assert customers.get(db, admin, c.id).values["last_followup_content"] == "上门演示"
    assert any(isinstance(e, RecordDeleted) and e.record_id == later.id for e in seen)
    followups.restore(db, admin, later.id)
    assert customers.get(db, admin, c.id).values["last_followup_content"] == "电话确认"
    with pytest.raises(RuleViolation):
        followups.update(db, admin, later.id, expected_version=1, changes={"content": "改"})


def test_first_followup_moves_a_new_lead_to_following(db: Database, admin: Actor) -> None:
    lead = leads.create(db, admin, {"name": "星辰"})
    seen = capture(db)
    add_followup(db, admin, target_entity="lead", target_id=lead.id, content="第一次电话", followed_at=T0)
    got = leads.get(db, admin, lead.id)
    assert got.values["status"] == "following" and got.values["last_followup_content"] == "第一次电话"
    assert [type(e) for e in seen] == [RecordCreated, FollowUpAdded, StatusChanged]
    assert isinstance(seen[2], StatusChanged) and (seen[2].entity, seen[2].old, seen[2].new) == (
        "lead", "new", "following")
    assert log(db, admin, leads, lead.id)[-1][1]["status"] == ("new", "following")
    add_followup(db, admin, target_entity="lead", target_id=lead.id, content="第二次", followed_at=T0 + dt.timedelta(hours=1))
    assert [type(e) for e in seen][3:] == [RecordCreated, FollowUpAdded]  # already following: no status event
    other = leads.create(db, admin, {"name": "月光"})
    mark_invalid(db, admin, other.id, reason="空号")
    add_followup(db, admin, target_entity="lead", target_id=other.id, content="再试一次")
    assert leads.get(db, admin, other.id).values["status"] == "invalid"  # only "new" moves on


def test_followup_on_a_contact(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "星辰"})
    k = contacts.create(db, admin, {"customer_id": c.id, "name": "陈明"})
    add_followup(db, admin, target_entity="contact", target_id=k.id, kind="wechat", content="微信聊了报价", followed_at=T0)
    assert contacts.get(db, admin, k.id).values["last_followup_content"] == "微信聊了报价"
    assert customers.get(db, admin, c.id).values["last_followup_at"] is None
    assert [r.values["content"] for r in list_followups(db, admin, target_entity="contact", target_id=k.id).rows] == [
        "微信聊了报价"]


def test_validation_and_kinds(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "星辰"})
    with db.sessions() as s:  # a company set up before the dictionary was seeded
        s.execute(delete(DictionaryItem).where(DictionaryItem.dictionary == "followup_kind"))
        s.commit()
    assert [v for v, _ in followup_kinds(db, admin)] == list(BUILTIN_KINDS)
    with pytest.raises(ValidationError) as err:
        add_followup(db, admin, target_entity="customer", target_id=c.id, content=" ", kind="fax",
                     followed_at=T0, next_contact_at=T0 - dt.timedelta(hours=1))
    assert set(err.value.field_errors) == {"content", "kind"}
    with pytest.raises(ValidationError) as err:
        add_followup(db, admin, target_entity="customer", target_id=c.id, content="x", followed_at=T0,
                     next_contact_at=T0 - dt.timedelta(hours=1))
    assert set(err.value.field_errors) == {"next_contact_at"}
    with pytest.raises(ValidationError) as err:
        add_followup(db, admin, target_entity="customer", target_id=c.id, content="x",
                     followed_at=dt.datetime(2026, 3, 2, 9, 0))
    assert set(err.value.field_errors) == {"followed_at"}
    with pytest.raises(ValidationError):
        add_followup(db, admin, target_entity="order", target_id=c.id, content="x")
    with pytest.raises(NotFound):
        add_followup(db, admin, target_entity="customer", target_id=c.id + 100, content="x")

    # Once the dictionary has items, only its enabled values are accepted.
    with db.sessions() as s:
        s.add_all([DictionaryItem(dictionary="followup_kind", value="meeting", label="会议", sort_order=1),
                   DictionaryItem(dictionary="followup_kind", value="phone", label="电话", sort_order=0),
                   DictionaryItem(dictionary="followup_kind", value="fax", label="传真", sort_order=2, enabled=False)])
        s.commit()
    assert followup_kinds(db, admin) == [("phone", "电话"), ("meeting", "会议")]
    assert [v for v, _ in followup_kinds(db, admin)] != list(BUILTIN_KINDS)
    add_followup(db, admin, target_entity="customer", target_id=c.id, content="x", kind="meeting")
    for kind in ("fax", "visit"):
        with pytest.raises(ValidationError):
            add_followup(db, admin, target_entity="customer", target_id=c.id, content="x", kind=kind)
    # The generic create takes the same path.
    made = followups.create(db, admin, {"target_entity": "customer", "target_id": c.id, "content": "表单", "kind": "phone"})
    assert made.values["target_id"] == c.id
    with pytest.raises(ValidationError):
        followups.create(db, admin, {"content": "没有对象"})


@pytest.mark.shared_role("a read-only team member's follow-up refreshes the customer's summary, a record they may not change")
def test_scope_self_user_cannot_follow_up_on_someone_elses_customer(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    no_followup = make_user(db, admin, "13700000003", perms={"customer": RECORD_ACTIONS})
    lis = customers.create(db, li, {"name": "李的客户"})
    add_followup(db, li, target_entity="customer", target_id=lis.id, content="李的跟进")
    with pytest.raises(NotFound):
        add_followup(db, wang, target_entity="customer", target_id=lis.id, content="王想跟进")
    with pytest.raises(NotFound):
        list_followups(db, wang, target_entity="customer", target_id=lis.id)
    with pytest.raises(PermissionDenied):
        add_followup(db, no_followup, target_entity="customer",
                     target_id=customers.create(db, no_followup, {"name": "x"}).id, content="x")
    # A team member (even read-only) sees the customer, so may follow up, and sees everyone's follow-ups.
    customers.set_team_member(db, li, lis.id, user_id=wang.user_id, access="read")
    add_followup(db, wang, target_entity="customer", target_id=lis.id, content="王的跟进")
    page = list_followups(db, wang, target_entity="customer", target_id=lis.id)
    assert sorted(r.values["content"] for r in page.rows) == ["李的跟进", "王的跟进"]
    assert customers.get(db, li, lis.id).values["last_followup_content"] == "王的跟进"


def test_list_is_newest_first_and_paginated(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "星辰"})
    for i in (3, 0, 4, 1, 2):
        add_followup(db, admin, target_entity="customer", target_id=c.id, content=f"第{i}次",
                     followed_at=T0 + dt.timedelta(days=i))
    add_followup(db, admin, target_entity="customer", target_id=c.id, content="同一时刻", followed_at=T0 + dt.timedelta(days=4))
    seen: list[str] = []
    after = None
    while True:
        page = list_followups(db, admin, target_entity="customer", target_id=c.id, after=after, limit=2)
        seen += [r.values["content"] for r in page.rows]
        assert len(page.rows) <= 2
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == ["同一时刻", "第4次", "第3次", "第2次", "第1次", "第0次"]


def test_due_followups_for_a_day(db: Database, admin: Actor) -> None:
    li = make_user(db, admin, "13700000001")
    wang = make_user(db, admin, "13700000002")
    tz = dt.timezone(dt.timedelta(hours=8))
    day = dt.date(2026, 3, 10)
    morning = dt.datetime(2026, 3, 10, 0, 30, tzinfo=tz)  # still the 9th in UTC
    c = customers.create(db, li, {"name": "李的客户"})
    k = contacts.create(db, li, {"customer_id": c.id, "name": "陈明"})
    lead = leads.create(db, li, {"name": "李的线索"})
    closed = leads.create(db, li, {"name": "将转化的线索"})
    theirs = customers.create(db, wang, {"name": "王的客户"})
    add_followup(db, li, target_entity="customer", target_id=c.id, content="a", followed_at=T0, next_contact_at=morning)
    add_followup(db, li, target_entity="contact", target_id=k.id, content="b", followed_at=T0,
                 next_contact_at=dt.datetime(2026, 3, 10, 23, 59, tzinfo=tz))
    add_followup(db, li, target_entity="lead", target_id=lead.id, content="c", followed_at=T0,
                 next_contact_at=dt.datetime(2026, 3, 10, 15, 0, tzinfo=tz))
    add_followup(db, li, target_entity="lead", target_id=closed.id, content="d", followed_at=T0,
                 next_contact_at=dt.datetime(2026, 3, 10, 16, 0, tzinfo=tz))
    convert(db, li, closed.id)  # its customer carries the date; the converted lead drops out
    add_followup(db, wang, target_entity="customer", target_id=theirs.id, content="e", followed_at=T0,
                 next_contact_at=morning)
    add_followup(db, li, target_entity="customer", target_id=c.id, content="f", followed_at=T0 - dt.timedelta(days=1),
                 next_contact_at=dt.datetime(2026, 3, 11, 0, 0, tzinfo=tz))  # older: does not change the summary

    due = due_followups(db, li, day=day, tz=tz)
    assert [(d.entity, d.name) for d in due] == [
        ("customer", "李的客户"), ("lead", "李的线索"), ("customer", "将转化的线索"), ("contact", "陈明")]
    assert due[0].next_contact_at == morning and due[0].last_followup_content == "a"
    assert count_due(db, li, day=day, tz=tz) == 4
    assert [d.name for d in due_followups(db, wang, day=day, tz=tz)] == ["王的客户"]
    assert due_followups(db, li, day=dt.date(2026, 3, 11), tz=tz) == []
    assert due_followups(db, li, day=dt.date(2026, 3, 9), tz=dt.timezone.utc)[0].name == "李的客户"

    # Field permissions: a hidden summary comes back empty; a hidden next-contact time drops the module.
    with db.sessions() as s:
        role_id = s.scalar(select(Role.id).where(Role.name == "role-13700000001"))
        s.add_all([FieldPermission(role_id=role_id, entity="customer", field="last_followup_content", access="hidden"),
                   FieldPermission(role_id=role_id, entity="contact", field="next_contact_at", access="hidden")])
        s.commit()
    due = due_followups(db, li, day=day, tz=tz)
    assert [(d.entity, d.last_followup_content) for d in due] == [("customer", ""), ("lead", "c"), ("customer", "")]



def test_concurrent_followups_leave_the_newest_in_the_summary(db: Database, admin: Actor) -> None:
    """The newer follow-up's transaction holds on just before COMMIT while an older one is
    added: the older one must wait for it and then keep the newer one in the summary."""
    if db.backend != "postgresql":
        pytest.skip("the desktop app serializes SQLite writes on one worker; the race is a PostgreSQL one")
    c = customers.create(db, admin, {"name": "星辰"})
    url = db.engine.url.render_as_string(hide_password=False)
    newer_db, older_db = (bootstrap(url, migrate_schema=False) for _ in range(2))
    holding, release = threading.Event(), threading.Event()

    def hold_before_commit(event: object, _uow: object) -> None:
        if isinstance(event, FollowUpAdded):
            holding.set()
            release.wait(20)

    newer_db.bus.subscribe(hold_before_commit, phase="in_transaction")
    errors: list[Exception] = []

    def add(handle: Database, content: str, when: dt.datetime) -> None:
        try:
            add_followup(handle, admin, target_entity="customer", target_id=c.id, content=content, followed_at=when)
        except Exception as exc:  # noqa: BLE001 - inspected below
            errors.append(exc)

    newer = threading.Thread(target=add, args=(newer_db, "newer", T0))
    older = threading.Thread(target=add, args=(older_db, "older", T0 - dt.timedelta(days=1)))
    try:
        newer.start()
        assert holding.wait(20)
        older.start()
        older.join(1.5)  # it gets as far as it can while the newer one is uncommitted
        release.set()
        newer.join(20)
        older.join(20)
    finally:
        release.set()
        newer_db.dispose()
        older_db.dispose()
    assert errors == []
    assert customers.get(db, admin, c.id).values["last_followup_content"] == "newer"
    assert len(list_followups(db, admin, target_entity="customer", target_id=c.id).rows) == 2
