"""Public pools: administration, put in, the pool list, claim (limits, races) and assign."""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.models import AuditEntry, Customer, PoolEvent, TeamMember, utcnow
from crm_desktop.services.customers import pool
from crm_desktop.services.customers.pool import (
    PoolInput,
    PoolMemberInput,
    PoolRuleInput,
)
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ServiceError,
    ValidationError,
)
from crm_desktop.services.events import DomainEvent, OwnerChanged
from crm_desktop.services.org import auth, departments, roles, users
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.uow import read_only, unit_of_work

SALES = frozenset({("customer", a) for a in ("view", "create", "edit", "put_in_pool")}
                  | {("pool", a) for a in ("view", "claim")})
_mobiles = iter(range(13700000001, 13799999999))


def make_user(db: Database, admin: Actor, *, dept: int | None = None, perms: frozenset[tuple[str, str]] = SALES,
              scope: DataScope = DataScope.SELF) -> Actor:
    mobile = str(next(_mobiles))
    role = roles.create_role(db, admin, RoleInput(name=f"r{mobile}", permissions=perms, scopes={"customer": scope}))
    u = users.create_user(db, admin, UserInput(mobile=mobile, name=f"销售{mobile[-3:]}",
                                               department_id=dept or admin.department_id, role_ids=(role.id,)),
                          password="abc12345")
    with read_only(db, None) as uow:
        return load_actor(uow.session, u.id)


def add_customer(db: Database, owner_id: int | None, name: str = "客户", **values: Any) -> int:
    """A customer written straight to the table, so tests can set any column (ages, pool, lock)."""
    with unit_of_work(db, None) as uow:
        c = Customer(name=name, owner_id=owner_id, creator_id=values.pop("creator_id", owner_id), **values)
        uow.session.add(c)
        uow.session.flush()
        return c.id


def pooled(db: Database, pool_id: int, name: str = "公海客户", *, previous: int | None = None,
           days_ago: float = 0, creator: int) -> int:
    return add_customer(db, None, name, creator_id=creator, pool_id=pool_id, previous_owner_id=previous,
                        pooled_at=utcnow() - dt.timedelta(days=days_ago))


def row(db: Database, customer_id: int) -> Customer:
    with read_only(db, None) as uow:
        c = uow.session.get_one(Customer, customer_id)
        uow.session.expunge(c)
        return c


def events_of(db: Database, customer_id: int) -> list[tuple[str, int | None, int | None, str]]:
    with read_only(db, None) as uow:
        return [tuple(r) for r in uow.session.execute(  # type: ignore[misc]
            select(PoolEvent.kind, PoolEvent.user_id, PoolEvent.actor_id, PoolEvent.reason)
            .where(PoolEvent.customer_id == customer_id).order_by(PoolEvent.id))]


def audit_of(db: Database, customer_id: int) -> list[tuple[str, int | None, dict[str, tuple[Any, Any]]]]:
    with read_only(db, None) as uow:
        entries = uow.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "customer", AuditEntry.record_id == customer_id).order_by(AuditEntry.id))
        return [(e.action, e.actor_id, {c.field: (c.old, c.new) for c in e.changes}) for e in entries]


def make_pool(db: Database, admin: Actor, *members: PoolMemberInput, name: str = "华东公海", **kw: Any) -> pool.PoolDTO:
    return pool.create_pool(db, admin, PoolInput(name=name, members=members, **kw))


def member(user: Actor, *, is_admin: bool = False) -> PoolMemberInput:
    return PoolMemberInput(user_id=user.user_id, is_admin=is_admin)


# --- administration --------------------------------------------------------------------------

def test_create_update_and_list_pools(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    sub = departments.create_department(db, admin, "华东销售", parent_id=admin.department_id)
    created = make_pool(db, admin, member(li, is_admin=True), PoolMemberInput(department_id=sub.id),
                        daily_claim_limit=5, owned_cap=100, reclaim_cooldown_days=7, remind_days=3,
                        rules=(PoolRuleInput("no_followup", 30, (" A ", "B", "A")), PoolRuleInput("no_deal", 90)))
    assert (created.daily_claim_limit, created.owned_cap, created.reclaim_cooldown_days) == (5, 100, 7)
    assert [(m.name, m.is_admin) for m in created.members] == [(li.name, True), ("华东销售", False)]
    assert [(r.kind, r.days, r.levels) for r in created.rules] == [("no_followup", 30, ("A", "B")), ("no_deal", 90, ())]
    assert [p.id for p in pool.list_pools(db, admin)] == [created.id]

    updated = pool.update_pool(db, admin, created.id, PoolInput(
        name="华东公海", daily_claim_limit=2, members=(member(li),), exempt_deals=False,
        rules=(PoolRuleInput("no_opportunity", 60, enabled=False),)))
    assert updated.daily_claim_limit == 2 and not updated.exempt_deals and not updated.members[0].is_admin
    assert pool.get_pool(db, admin, created.id) == updated
    with read_only(db, None) as uow:
        log = uow.session.scalars(select(AuditEntry).where(AuditEntry.entity == "pool").order_by(AuditEntry.id)).all()
        assert [e.action for e in log] == ["create", "update"]
        changed = {c.field: (c.old, c.new) for c in log[1].changes}
    assert changed["daily_claim_limit"] == (5, 2) and changed["exempt_deals"] == (True, False)
    assert "name" not in changed and set(changed) >= {"members", "rules"}
    with pytest.raises(PermissionDenied):
        pool.list_pools(db, li)
    with pytest.raises(NotFound):
        pool.get_pool(db, admin, created.id + 99)


@pytest.mark.parametrize("data,fields", [
    (PoolInput(name=" ", members=()), {"name", "members"}),
    (PoolInput(name="华东公海", members=(PoolMemberInput(),)), {"name", "members.0"}),
    (PoolInput(name="P", daily_claim_limit=-1, owned_cap=True, members=(PoolMemberInput(user_id=1, department_id=1),)),  # type: ignore[arg-type]
     {"daily_claim_limit", "owned_cap", "members.0"}),
    (PoolInput(name="P", members=(PoolMemberInput(user_id=1), PoolMemberInput(user_id=1), PoolMemberInput(user_id=999))),
     {"members.1", "members.2"}),
    (PoolInput(name="P", members=(PoolMemberInput(department_id=999),),
               rules=(PoolRuleInput("no_visit", 0), PoolRuleInput("no_deal", 4000, ("",)))),
     {"members.0", "rules.0.kind", "rules.0.days", "rules.1.days", "rules.1.levels"}),
    (PoolInput(name="P", remind_days=30, members=(PoolMemberInput(user_id=1),),
               rules=(PoolRuleInput("no_followup", 30), PoolRuleInput("no_deal", 10, enabled=False))),
     {"remind_days"}),
])
def test_pool_settings_are_validated(db: Database, admin: Actor, data: PoolInput, fields: set[str]) -> None:
    make_pool(db, admin, member(admin))
    with pytest.raises(ValidationError) as err:
        pool.create_pool(db, admin, data)
    assert set(err.value.field_errors) == fields
    assert len(pool.list_pools(db, admin)) == 1


def test_department_members_include_sub_departments(db: Database, admin: Actor) -> None:
    sales = departments.create_department(db, admin, "销售部", parent_id=admin.department_id)
    xiamen = departments.create_department(db, admin, "厦门组", parent_id=sales.id)
    other = departments.create_department(db, admin, "财务部", parent_id=admin.department_id)
    inside = make_user(db, admin, dept=xiamen.id)
    outside = make_user(db, admin, dept=other.id)
    p = make_pool(db, admin, PoolMemberInput(department_id=sales.id, is_admin=True))
    assert [(m.id, m.is_admin) for m in pool.member_pools(db, inside)] == [(p.id, True)]
    assert pool.member_pools(db, outside) == []
    assert pool.list_pool_customers(db, inside, p.id).rows == ()
    with pytest.raises(RuleViolation, match="not a member"):
        pool.list_pool_customers(db, outside, p.id)


# --- put in ----------------------------------------------------------------------------------

def test_put_in_pool_clears_owner_and_team_with_audit_and_event(db: Database, admin: Actor) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    p = make_pool(db, admin, member(li))
    cid = add_customer(db, li.user_id, "厦门星辰科技有限公司")
    with unit_of_work(db, None) as uow:
        uow.session.add(TeamMember(entity="customer", record_id=cid, user_id=wang.user_id, access="write"))
    seen: list[DomainEvent] = []
    db.bus.subscribe(lambda e, _u: seen.append(e))
    with pytest.raises(ValidationError) as err:
        pool.put_in_pool(db, li, cid, pool_id=p.id, reason="  ")
    assert set(err.value.field_errors) == {"reason"}

    pool.put_in_pool(db, li, cid, pool_id=p.id, reason="客户无意向")
    c = row(db, cid)
    assert (c.owner_id, c.pool_id, c.previous_owner_id, c.version) == (None, p.id, li.user_id, 2)
    assert c.pooled_at is not None and abs((utcnow() - c.pooled_at).total_seconds()) < 60
    with read_only(db, None) as uow:
        assert uow.session.scalar(select(func.count()).select_from(TeamMember)) == 0
    assert audit_of(db, cid)[-1] == ("put_in_pool", li.user_id, {
        "owner_id": (li.user_id, None), "pool_id": (None, p.id), "reason": (None, "客户无意向"),
        f"team:{wang.user_id}": ("write", None)})
    assert events_of(db, cid) == [("put", li.user_id, li.user_id, "客户无意向")]
    assert seen == [OwnerChanged("customer", cid, li.user_id, old_owner_id=li.user_id, new_owner_id=None)]
    with pytest.raises((RuleViolation, NotFound)):  # pooled: no longer the user's to give up
        pool.put_in_pool(db, li, cid, pool_id=p.id, reason="again")
    with pytest.raises(RuleViolation, match="already in a public pool"):
        pool.put_in_pool(db, admin, cid, pool_id=p.id, reason="again")


def test_put_in_pool_refusals_change_nothing(db: Database, admin: Actor) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    viewer = make_user(db, admin, perms=frozenset({("customer", "view"), ("customer", "edit")}))
    p = make_pool(db, admin, member(li))
    mine = add_customer(db, li.user_id, "甲")
    locked = add_customer(db, li.user_id, "乙", locked=True)
    theirs = add_customer(db, wang.user_id, "丙")
    with pytest.raises(RuleViolation, match="乙 is locked"):
        pool.put_many_in_pool(db, li, [mine, locked], pool_id=p.id, reason="bulk")
    with pytest.raises(NotFound):
        pool.put_many_in_pool(db, li, [mine, theirs], pool_id=p.id, reason="bulk")
    with pytest.raises(PermissionDenied):
        pool.put_in_pool(db, viewer, mine, pool_id=p.id, reason="x")
    with pytest.raises(ValidationError):
        pool.put_many_in_pool(db, li, [], pool_id=p.id, reason="x")
    pool.update_pool(db, admin, p.id, PoolInput(name=p.name, enabled=False, members=(member(li),)))
    with pytest.raises(ValidationError) as err:
        pool.put_in_pool(db, li, mine, pool_id=p.id, reason="x")
    assert set(err.value.field_errors) == {"pool_id"}
    assert all(row(db, c).pool_id is None and row(db, c).version == 1 for c in (mine, locked, theirs))
    pool.update_pool(db, admin, p.id, PoolInput(name=p.name, members=(member(li),)))
    # A read-write team member may give up the customer; the whole batch goes in at once.
    with unit_of_work(db, None) as uow:
        uow.session.add(TeamMember(entity="customer", record_id=theirs, user_id=li.user_id, access="write"))
    assert pool.put_many_in_pool(db, li, [mine, theirs, mine], pool_id=p.id, reason="bulk") == 2
    assert row(db, theirs).previous_owner_id == wang.user_id and row(db, mine).previous_owner_id == li.user_id


def test_put_in_pool_racing_an_edit_runs_again_and_keeps_the_edit(sqlite_db: Database) -> None:
    """SQLite reads before the write lock: an edit committed in between must not be overwritten.
    Putting in commutes with an edit: the stale first attempt is run again on the fresh row."""
    db = sqlite_db
    admin = auth.setup_company(db, company="星辰", admin_name="管理员", admin_mobile="13800000000", password="admin1234")
    p = make_pool(db, admin, member(admin))
    cid = add_customer(db, admin.user_id)
    other = bootstrap(db.engine.url.render_as_string(hide_password=False), migrate_schema=False)
    done: list[bool] = []

    def competing_edit(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if not done and statement.lstrip().startswith("SELECT customers.") and "FOR UPDATE" not in statement:
            done.append(True)
            with other.engine.begin() as conn:  # another PC: not a unit of work of this call
                conn.execute(update(Customer).where(Customer.id == cid).values(
                    remark="someone else's save", version=Customer.version + 1))

    event.listen(db.engine, "after_cursor_execute", competing_edit)
    try:
        pool.put_in_pool(db, admin, cid, pool_id=p.id, reason="x")
    finally:
        event.remove(db.engine, "after_cursor_execute", competing_edit)
        other.dispose()
    c = row(db, cid)
    assert done and (c.pool_id, c.owner_id, c.previous_owner_id, c.remark, c.version) == (
        p.id, None, admin.user_id, "someone else's save", 3)


# --- the pool list ---------------------------------------------------------------------------

def test_pool_list_pages_with_previous_owner_and_days_in_pool(db: Database, admin: Actor) -> None:
    li, outsider = make_user(db, admin), make_user(db, admin)
    p = make_pool(db, admin, member(li))
    other = make_pool(db, admin, member(li), name="华南公海")
    ids = [pooled(db, p.id, f"客户{i}", previous=li.user_id, days_ago=i + 0.5, creator=admin.user_id)
           for i in range(5)]
    pooled(db, other.id, "别的池", creator=admin.user_id)
    gone = pooled(db, p.id, "已删除", creator=admin.user_id)
    with unit_of_work(db, None) as uow:
        uow.session.execute(update(Customer).where(Customer.id == gone).values(deleted_at=utcnow()))
    first = pool.list_pool_customers(db, li, p.id, limit=2)
    assert [r.id for r in first.rows] == ids[:2]  # most recently pooled first
    assert [(r.previous_owner_name, r.days_in_pool) for r in first.rows] == [(li.name, 0), (li.name, 1)]
    second = pool.list_pool_customers(db, li, p.id, limit=2, after=first.next_cursor)
    third = pool.list_pool_customers(db, li, p.id, limit=2, after=second.next_cursor)
    assert [r.id for r in second.rows + third.rows] == ids[2:] and third.next_cursor is None
    by_name = pool.list_pool_customers(db, li, p.id, sort="name", descending=False, limit=3)
    rest = pool.list_pool_customers(db, li, p.id, sort="name", descending=False, after=by_name.next_cursor)
    assert [r.name for r in by_name.rows + rest.rows] == [f"客户{i}" for i in range(5)]
    assert pool.count_pool_customers(db, li, p.id) == 5
    assert pool.count_pool_customers(db, li, p.id, text="客户3") == 1
    pooled(db, p.id, "百分之100%公司", creator=admin.user_id)
    assert pool.count_pool_customers(db, li, p.id, text="%") == 1  # a wildcard matches itself
    assert pool.count_pool_customers(db, li, p.id, text="客_") == 0
    with pytest.raises(ValidationError):
        pool.count_pool_customers(db, li, p.id, text="x" * 201)
    with pytest.raises(ValidationError):
        pool.list_pool_customers(db, li, p.id, sort="phone")
    with pytest.raises(RuleViolation):
        pool.count_pool_customers(db, outsider, p.id)
    no_view = make_user(db, admin, perms=frozenset({("pool", "claim")}))
    with pytest.raises(PermissionDenied):
        pool.list_pool_customers(db, no_view, p.id)


# --- claim -----------------------------------------------------------------------------------

def test_claim_takes_ownership_with_audit_and_event(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    p = make_pool(db, admin, member(li))
    cid = pooled(db, p.id, previous=admin.user_id, creator=admin.user_id)
    seen: list[DomainEvent] = []
    db.bus.subscribe(lambda e, _u: seen.append(e))
    assert pool.claim(db, li, [cid], pool_id=p.id) == 1
    c = row(db, cid)
    assert (c.owner_id, c.pool_id, c.pooled_at, c.version) == (li.user_id, None, None, 2)
    assert audit_of(db, cid) == [("claim", li.user_id, {"owner_id": (None, li.user_id), "pool_id": (p.id, None)})]
    assert events_of(db, cid) == [("claim", li.user_id, li.user_id, "")]
    assert seen == [OwnerChanged("customer", cid, li.user_id, old_owner_id=None, new_owner_id=li.user_id)]
    assert [m.claimed_today for m in pool.member_pools(db, li)] == [1]
    with pytest.raises(RuleViolation, match="already been claimed"):
        pool.claim(db, li, [cid], pool_id=p.id)


def test_claiming_an_id_not_in_the_pool_names_no_customer_the_user_cannot_see(db: Database, admin: Actor) -> None:
    """Issue 11: a claim of any customer id answered with that customer's name, whoever owned
    it, before the daily limit was looked at: a "self" user could read every name. Now an id
    the user cannot see is NotFound, word for word as an id that does not exist, every time."""
    li, wang = make_user(db, admin), make_user(db, admin)
    p = make_pool(db, admin, member(li), member(wang), daily_claim_limit=1)
    secret = add_customer(db, admin.user_id, "厦门机密科技有限公司", mobile="13912345678")
    missing = secret + 1000

    def refusal(customer_id: int) -> ServiceError:
        with pytest.raises(ServiceError) as err:
            pool.claim(db, li, [customer_id], pool_id=p.id)
        return err.value

    for _ in range(2):  # the daily limit changes nothing: it is not what answers
        got, none = refusal(secret), refusal(missing)
        assert isinstance(got, NotFound) and type(none) is NotFound
        assert str(got).replace(str(secret), "#") == str(none).replace(str(missing), "#")
        assert "机密" not in f"{got} {got.params}" and "13912345678" not in str(got.params)
    # A customer the user may see is named; one that just left this pool (claimed by someone
    # the user cannot see) is "already claimed", without its name.
    mine = add_customer(db, li.user_id, "我的客户")
    with pytest.raises(RuleViolation, match="我的客户 has already been claimed"):
        pool.claim(db, li, [mine], pool_id=p.id)
    taken = pooled(db, p.id, "王的新客户", creator=admin.user_id)
    assert pool.claim(db, wang, [taken], pool_id=p.id) == 1
    with pytest.raises(RuleViolation, match="already been claimed") as err:
        pool.claim(db, li, [taken], pool_id=p.id)
    assert "王的新客户" not in str(err.value)
    assert pool.claim(db, li, [pooled(db, p.id, creator=admin.user_id)], pool_id=p.id) == 1  # the limit still holds
    with pytest.raises(RuleViolation, match="a day"):
        pool.claim(db, li, [pooled(db, p.id, creator=admin.user_id)], pool_id=p.id)


def test_claim_refused_for_non_members_without_permission_and_from_disabled_pools(db: Database, admin: Actor) -> None:
    li, outsider = make_user(db, admin), make_user(db, admin)
    viewer = make_user(db, admin, perms=frozenset({("pool", "view")}))
    p = make_pool(db, admin, member(li), member(viewer))
    cid = pooled(db, p.id, creator=admin.user_id)
    with pytest.raises(RuleViolation, match="not a member"):
        pool.claim(db, outsider, [cid], pool_id=p.id)
    with pytest.raises(PermissionDenied):
        pool.claim(db, viewer, [cid], pool_id=p.id)
    pool.update_pool(db, admin, p.id, PoolInput(name=p.name, enabled=False, members=(member(li),)))
    with pytest.raises(RuleViolation, match="disabled"):
        pool.claim(db, li, [cid], pool_id=p.id)
    assert row(db, cid).pool_id == p.id


def test_daily_claim_limit_counts_todays_claims_in_this_pool(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    p = make_pool(db, admin, member(li), daily_claim_limit=2)
    other = make_pool(db, admin, member(li), name="华南公海")
    ids = [pooled(db, p.id, f"客户{i}", creator=admin.user_id) for i in range(4)]
    elsewhere = pooled(db, other.id, creator=admin.user_id)
    yesterday = pool._local_midnight(utcnow()) - dt.timedelta(minutes=1)
    with unit_of_work(db, None) as uow:  # yesterday's claims do not count
        uow.session.add_all(PoolEvent(pool_id=p.id, customer_id=ids[3], kind="claim", user_id=li.user_id,
                                      actor_id=li.user_id, at=yesterday) for _ in range(5))
    with pytest.raises(RuleViolation, match="claim 2 customers a day from this pool and have 2 left"):
        pool.claim(db, li, ids[:3], pool_id=p.id)  # all or nothing
    assert pool.claim(db, li, [ids[0]], pool_id=p.id) == 1
    assert pool.claim(db, li, [elsewhere], pool_id=other.id) == 1  # another pool's claims do not count
    assert pool.claim(db, li, [ids[1]], pool_id=p.id) == 1
    with pytest.raises(RuleViolation, match="have 0 left today"):
        pool.claim(db, li, [ids[2]], pool_id=p.id)
    assert row(db, ids[2]).pool_id == p.id


def test_owned_cap_counts_live_owned_customers(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    p = make_pool(db, admin, member(li), owned_cap=3)
    add_customer(db, li.user_id, "已有1")
    add_customer(db, li.user_id, "已有2")
    add_customer(db, li.user_id, "回收站", deleted_at=utcnow())  # the bin does not count
    ids = [pooled(db, p.id, f"客户{i}", creator=admin.user_id) for i in range(2)]
    with pytest.raises(RuleViolation, match="You own 2 customers; to claim from this pool you may own at most 3"):
        pool.claim(db, li, ids, pool_id=p.id)
    assert pool.claim(db, li, [ids[0]], pool_id=p.id) == 1
    with pytest.raises(RuleViolation, match="You own 3 customers"):
        pool.claim(db, li, [ids[1]], pool_id=p.id)


def test_previous_owner_waits_for_the_cooldown(db: Database, admin: Actor) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    p = make_pool(db, admin, member(li), member(wang), reclaim_cooldown_days=3)
    cid = add_customer(db, li.user_id)
    pool.put_in_pool(db, li, cid, pool_id=p.id, reason="暂无需求")
    with pytest.raises(RuleViolation, match="gave up the customer 客户 recently"):
        pool.claim(db, li, [cid], pool_id=p.id)
    with unit_of_work(db, None) as uow:  # 3 days and a minute later the cooldown is over
        uow.session.execute(update(Customer).where(Customer.id == cid).values(
            pooled_at=utcnow() - dt.timedelta(days=3, minutes=1)))
    assert pool.claim(db, li, [cid], pool_id=p.id) == 1
    # Someone else never waits.
    other = add_customer(db, li.user_id, "另一个")
    pool.put_in_pool(db, li, other, pool_id=p.id, reason="x")
    assert pool.claim(db, wang, [other], pool_id=p.id) == 1


# --- assign ----------------------------------------------------------------------------------

def test_assign_by_pool_administrator_ignores_claim_limits(db: Database, admin: Actor) -> None:
    boss = make_user(db, admin, perms=SALES | {("pool", "assign")})
    li = make_user(db, admin)
    plain = make_user(db, admin, perms=SALES | {("pool", "assign")})
    p = make_pool(db, admin, member(boss, is_admin=True), member(li), member(plain),
                  daily_claim_limit=1, owned_cap=1, reclaim_cooldown_days=30)
    ids = [pooled(db, p.id, f"客户{i}", previous=li.user_id, creator=admin.user_id) for i in range(4)]
    with pytest.raises(RuleViolation, match="Only an administrator"):
        pool.assign(db, plain, ids[:1], pool_id=p.id, user_id=li.user_id)
    with pytest.raises(PermissionDenied):
        pool.assign(db, li, ids[:1], pool_id=p.id, user_id=li.user_id)
    users.set_enabled(db, admin, plain.user_id, enabled=False)
    with pytest.raises(ValidationError) as err:
        pool.assign(db, boss, ids[:1], pool_id=p.id, user_id=plain.user_id)
    assert set(err.value.field_errors) == {"user_id"}
    assert pool.assign(db, boss, ids[:3], pool_id=p.id, user_id=li.user_id) == 3
    assert {row(db, i).owner_id for i in ids[:3]} == {li.user_id}
    assert events_of(db, ids[0]) == [("assign", li.user_id, boss.user_id, "")]
    assert audit_of(db, ids[0])[0][:2] == ("assign", boss.user_id)
    assert pool.assign(db, admin, ids[3:], pool_id=p.id, user_id=boss.user_id) == 1  # super admin: every pool
    with pytest.raises(RuleViolation, match="already been claimed"):
        pool.assign(db, boss, ids[:1], pool_id=p.id, user_id=boss.user_id)


# --- races -----------------------------------------------------------------------------------

def race(db: Database, calls: list[Callable[[Database], Any]], slow_after: Callable[[str], bool]) -> list[Any]:
    """Run ``calls`` at once on separate connections; each pauses after a statement that
    ``slow_after`` picks, so without locking both would read the same state before writing."""
    url = db.engine.url.render_as_string(hide_password=False)
    handles = [bootstrap(url, migrate_schema=False) for _ in calls]

    def pause(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if slow_after(statement):
            time.sleep(0.4)

    for h in handles:
        event.listen(h.engine, "after_cursor_execute", pause)
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i](handles[i])
        except ServiceError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for h in handles:
        h.dispose()
    return results


def test_two_users_claiming_the_same_customer_exactly_one_wins(db: Database, admin: Actor) -> None:
    li, wang = make_user(db, admin), make_user(db, admin)
    p = make_pool(db, admin, member(li), member(wang))
    cid = pooled(db, p.id, creator=admin.user_id)
    results = race(db, [lambda h, a=a: pool.claim(h, a, [cid], pool_id=p.id) for a in (li, wang)],
                   lambda sql: sql.lstrip().upper().startswith("SELECT") and "customers.pool_id =" in sql)
    assert results.count(1) == 1, results
    (loser,) = [r for r in results if r != 1]
    assert isinstance(loser, RuleViolation) and "already been claimed" in str(loser)
    winner = (li, wang)[results.index(1)]
    assert row(db, cid).owner_id == winner.user_id and row(db, cid).version == 2
    assert events_of(db, cid) == [("claim", winner.user_id, winner.user_id, "")]
    assert [a for a, *_ in audit_of(db, cid)] == ["claim"]


def test_daily_limit_holds_when_one_user_claims_twice_at_once(db: Database, admin: Actor) -> None:
    li = make_user(db, admin)
    p = make_pool(db, admin, member(li), daily_claim_limit=2)
    first, a, b = (pooled(db, p.id, f"客户{i}", creator=admin.user_id) for i in range(3))
    assert pool.claim(db, li, [first], pool_id=p.id) == 1  # one claim left today
    results = race(db, [lambda h, c=c: pool.claim(h, li, [c], pool_id=p.id) for c in (a, b)],
                   lambda sql: "FROM pool_events" in sql and "count(" in sql.lower())
    assert results.count(1) == 1, results
    (loser,) = [r for r in results if r != 1]
    assert isinstance(loser, RuleViolation) and "have 0 left today" in str(loser)
    with read_only(db, None) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Customer).where(Customer.owner_id == li.user_id)) == 2
        assert uow.session.scalar(select(func.count()).select_from(PoolEvent).where(PoolEvent.kind == "claim")) == 2
