"""Demo data: a valid organisation, realistic customers, logins that work, scopes that bite."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_desktop.db import Database, open_database
from crm_desktop.models import AuditEntry, Customer, Department, User
from crm_desktop.services import auth, demo, roles, users
from crm_desktop.services.actor import Actor
from crm_desktop.services.customers import customers
from crm_desktop.services.errors import RuleViolation
from crm_desktop.services.permissions import DataScope
from crm_desktop.services.uow import read_only


def _count(db: Database, model: type) -> int:
    with read_only(db, None) as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _rows(db: Database) -> list[Customer]:
    with read_only(db, None) as uow:
        rows = list(uow.session.scalars(select(Customer).order_by(Customer.id)))
        uow.session.expunge_all()  # keep the loaded values readable after the session ends
        return rows


def test_demo_company_is_a_valid_organisation(db: Database) -> None:
    admin = demo.create_demo_company(db, users=15, customers=400)
    assert admin.is_super and admin.mobile == "13800000000" and admin.name == "林建华"
    assert auth.company_name(db) == "厦门星辰科技有限公司"
    assert _count(db, User) == 15
    assert _count(db, Department) == len(demo.DEPARTMENTS) + 1
    assert _count(db, Customer) == 400

    people = users.list_users(db, admin)
    by_id = {u.id: u for u in people}
    assert {u.department_name for u in people} >= {"总经办", "福建分部", "广东分部", "上海分部", "财务部"}
    assert all(u.email.endswith("@xingchen-tech.cn") for u in people)
    assert len({u.mobile for u in people}) == len(people)
    # Superior chains are real chains: acyclic, and every one ends at the general manager.
    for person in people:
        seen: set[int] = set()
        current = person
        while current.superior_id is not None:
            assert current.id not in seen, f"loop through {current.name}"
            seen.add(current.id)
            current = by_id[current.superior_id]
        assert current.id == admin.user_id
    reps = [u for u in people if u.position == "销售代表"]
    assert len(reps) == 2 + 3  # two in the core, three extra
    assert all(by_id[r.superior_id].position in ("销售经理", "大区总监") for r in reps if r.superior_id)

    role_by_name = {r.name: r for r in roles.list_roles(db, admin)}
    assert role_by_name["销售代表"].scopes["customer"] is DataScope.SELF
    assert role_by_name["销售代表"].permissions >= {("customer", "view"), ("customer", "create"), ("customer", "edit")}
    assert ("customer", "transfer") not in role_by_name["销售代表"].permissions
    assert role_by_name["销售经理"].scopes["customer"] is DataScope.SUBORDINATES
    assert ("customer", "transfer") in role_by_name["销售经理"].permissions
    assert role_by_name["大区总监"].scopes["customer"] is DataScope.DEPARTMENT_TREE
    assert role_by_name["财务"].scopes["customer"] is DataScope.ALL
    assert ("user", "create") in role_by_name["系统管理员"].permissions
    assert ("role", "edit") in role_by_name["系统管理员"].permissions


def test_every_demo_user_can_log_in(db: Database) -> None:
    demo.create_demo_company(db, users=13, customers=0)
    with read_only(db, None) as uow:
        mobiles = list(uow.session.scalars(select(User.mobile)))
    assert len(mobiles) == 13
    for mobile in mobiles:
        password = demo.ADMIN_PASSWORD if mobile == demo.ADMIN_MOBILE else demo.DEMO_PASSWORD
        assert auth.login(db, mobile, password).mobile == mobile


def test_demo_customers_are_realistic_and_owned_by_sales(db: Database) -> None:
    before = dt.datetime.now(dt.timezone.utc)
    admin = demo.create_demo_company(db, customers=1200)
    rows = _rows(db)
    assert len(rows) == 1200
    assert len({r.name for r in rows}) == 1200
    assert all(r.name.endswith("公司") for r in rows)
    assert {r.level for r in rows} == {"A", "B", "C"}
    assert len({r.industry for r in rows}) >= 10
    assert all(r.version == 1 and r.custom == {} and r.deleted_at is None for r in rows)
    assert all(r.creator_id == r.owner_id for r in rows)
    oldest = before - dt.timedelta(days=demo.HISTORY_DAYS, minutes=5)
    assert all(oldest <= r.created_at <= r.updated_at <= before + dt.timedelta(minutes=5) for r in rows)
    assert all(r.created_at.tzinfo is not None for r in rows)
    # Customers belong to the branch of their province.
    people = {u.id: u for u in users.list_users(db, admin)}
    fujian = [r for r in rows if r.address.startswith(("厦门", "福州", "泉州", "漳州", "莆田"))]
    assert fujian and all(people[r.owner_id].department_name == "福建分部" for r in fujian)
    assert {people[r.owner_id].position for r in rows} <= {"销售代表", "销售经理"}
    # Bulk rows carry no audit entries (only the organisation's set-up is audited).
    with read_only(db, None) as uow:
        assert uow.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity == "customer")) == 0
        assert uow.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity == "user")) == 12


def test_data_scopes_apply_to_demo_users(db: Database) -> None:
    demo.create_demo_company(db, customers=600)
    rows = _rows(db)
    rep = auth.login(db, "13850001004", demo.DEMO_PASSWORD)  # 郑伟, 福建 sales rep
    manager = auth.login(db, "13850001003", demo.DEMO_PASSWORD)  # 黄丽娟, his manager
    director = auth.login(db, "13850001002", demo.DEMO_PASSWORD)  # 陈海峰, 华南大区
    finance = auth.login(db, "13850001008", demo.DEMO_PASSWORD)
    owned = lambda ids: sum(1 for r in rows if r.owner_id in ids)  # noqa: E731
    assert customers.count(db, rep) == owned({rep.user_id}) > 0
    assert customers.count(db, manager) == owned({rep.user_id, manager.user_id}) > customers.count(db, rep)
    assert customers.count(db, director) == sum(
        1 for r in rows if not r.address.startswith(("上海", "杭州", "苏州", "南京", "宁波"))
    )
    assert customers.count(db, finance) == 600


def test_demo_refuses_a_database_already_set_up(db: Database, admin: Actor) -> None:
    with pytest.raises(RuleViolation, match="already set up"):
        demo.create_demo_company(db, customers=10)
    assert _count(db, User) == 1 and _count(db, Customer) == 0


def test_demo_needs_the_core_organisation(db: Database) -> None:
    with pytest.raises(RuleViolation, match="at least 12"):
        demo.create_demo_company(db, users=5)
    assert auth.needs_setup(db)


def test_fill_customers_reports_progress_in_batches(db: Database) -> None:
    admin = demo.create_demo_company(db, customers=0)
    steps = list(demo.fill_customers(db, count=2_500, batch_size=1_000, owner_ids=[admin.user_id]))
    assert [(d, t) for d, t, _ in steps] == [(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500), (2500, 2500)]
    assert all(text for _, _, text in steps) and steps[-1][2] == "Indexing for search"
    # Bulk rows carry the duplicate-check key and are findable by pinyin initials at once.
    assert all(r.normalized_name for r in _rows(db))
    # A second fill continues the name sequence instead of repeating names.
    list(demo.fill_customers(db, count=500, owner_ids=[admin.user_id]))
    names = [r.name for r in _rows(db)]
    assert len(names) == len(set(names)) == 3_000
    assert {r.owner_id for r in _rows(db)} == {admin.user_id}


def test_same_seed_same_data(tmp_path: Path, sqlite_template: Path) -> None:
    import shutil

    results = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.sqlite3"
        shutil.copy(sqlite_template, path)
        database = open_database(f"sqlite:///{path}")
        try:
            demo.create_demo_company(database, users=14, customers=200, seed=3)
            results.append([(r.name, r.phone, r.level, r.address, r.owner_id) for r in _rows(database)])
            with read_only(database, None) as uow:
                results.append(list(uow.session.execute(select(User.name, User.mobile).order_by(User.id))))
        finally:
            database.dispose()
    assert results[0] == results[2] and results[1] == results[3]
