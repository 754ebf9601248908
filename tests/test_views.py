"""Saved views (场景), built-in views, stars and column preferences — both backends."""
from __future__ import annotations

import pytest

from crm_desktop.db import Database
from crm_desktop.models import Customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.views import (
    ColumnDTO,
    ViewInput,
    delete_view,
    get_columns,
    list_views,
    save_view,
    set_columns,
    set_star,
    starred_ids,
)


@pytest.fixture
def team(db: Database, admin: Actor) -> dict[str, Actor]:
    """A manager (scope: self and subordinates) with one report, and an outsider."""
    role = roles.create_role(db, admin, RoleInput(
        name="销售", permissions=frozenset(("customer", a) for a in RECORD_ACTIONS),
        scopes={"customer": DataScope.SUBORDINATES}))
    boss = users.create_user(db, admin, UserInput(mobile="13700000001", name="经理", department_id=admin.department_id,
                                                  role_ids=(role.id,)), password="abc12345")
    users.create_user(db, admin, UserInput(mobile="13700000002", name="代表", department_id=admin.department_id,
                                           superior_id=boss.id, role_ids=(role.id,)), password="abc12345")
    users.create_user(db, admin, UserInput(mobile="13700000003", name="外人", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    return {k: auth.login(db, m, "abc12345") for k, m in
            (("boss", "13700000001"), ("rep", "13700000002"), ("other", "13700000003"))}


def _names(db: Database, actor: Actor, view: str) -> set[str]:
    page = customers.list_page(db, actor, view=view, limit=100)
    assert customers.count(db, actor, view=view) == len(page.rows)
    return {r.values["name"] for r in page.rows}


def test_builtin_views_narrow_the_scope(db: Database, admin: Actor, team: dict[str, Actor]) -> None:
    boss, rep, other = team["boss"], team["rep"], team["other"]
    customers.create(db, boss, {"name": "经理的"})
    customers.create(db, rep, {"name": "代表的"})
    shared = customers.create(db, other, {"name": "外人的"})
    customers.set_team_member(db, other, shared.id, user_id=boss.user_id, access="read")
    assert _names(db, boss, "all") == {"经理的", "代表的", "外人的"}
    assert _names(db, boss, "mine") == {"经理的"}
    assert _names(db, boss, "subordinates") == {"代表的"}
    assert _names(db, boss, "team") == {"外人的"}
    assert _names(db, rep, "subordinates") == set()
    set_star(db, boss, Customer, shared.id, starred=True)
    assert _names(db, boss, "starred") == {"外人的"} and _names(db, rep, "starred") == set()
    assert starred_ids(db, boss, "customer", [shared.id, shared.id + 99]) == {shared.id}
    set_star(db, boss, Customer, shared.id, starred=False)
    assert _names(db, boss, "starred") == set()
    hidden = customers.create(db, admin, {"name": "管理员的"})
    with pytest.raises(NotFound):  # cannot star what you cannot see
        set_star(db, rep, Customer, hidden.id, starred=True)
    with pytest.raises(ValidationError):
        customers.list_page(db, boss, view="nonsense")


def test_saved_views_are_private_and_one_is_default(db: Database, admin: Actor, team: dict[str, Actor]) -> None:
    boss, rep = team["boss"], team["rep"]
    for name, level in (("甲", "A"), ("乙", "B"), ("丙", "A")):
        customers.create(db, rep, {"name": name, "level": level})
    a_level = save_view(db, boss, "customer", ViewInput(
        name="A 级客户", filter=Filter((Condition("level", Op.EQ, "A"),)), sort="name", descending=False,
        is_default=True), model=Customer)
    assert _names(db, boss, a_level.key) == {"甲", "丙"}
    views = list_views(db, boss, "customer")
    assert [v.key for v in views][:5] == ["all", "mine", "subordinates", "team", "starred"]
    assert [v.name for v in views if v.is_default] == ["A 级客户"]
    second = save_view(db, boss, "customer", ViewInput(name="B", filter=Filter((Condition("level", Op.EQ, "B"),)),
                                                       is_default=True), model=Customer)
    assert [v.name for v in list_views(db, boss, "customer") if v.is_default] == ["B"]  # only one default
    assert [v.key for v in list_views(db, rep, "customer") if not v.builtin] == []  # private
    with pytest.raises(NotFound):
        customers.list_page(db, rep, view=second.key)
    with pytest.raises(NotFound):
        delete_view(db, rep, second.id)
    with pytest.raises(ValidationError) as err:
        save_view(db, boss, "customer", ViewInput(name=" ", filter=Filter((Condition("nope", Op.EQ, 1),))),
                  model=Customer)
    assert set(err.value.field_errors) == {"name", "filter"}
    delete_view(db, boss, second.id)
    assert [v.is_default for v in list_views(db, boss, "customer") if v.builtin][0] is True  # "all" again


def test_columns_are_remembered_per_user(db: Database, admin: Actor, team: dict[str, Actor]) -> None:
    boss = team["boss"]
    assert get_columns(db, boss, "customer") is None
    set_columns(db, boss, "customer", [ColumnDTO("name", 200), ColumnDTO("level", 5000), ColumnDTO("owner_id", 90)])
    assert get_columns(db, boss, "customer") == [ColumnDTO("name", 200), ColumnDTO("level", 1200),
                                                 ColumnDTO("owner_id", 90)]
    assert get_columns(db, team["rep"], "customer") is None
    with pytest.raises(ValidationError):
        set_columns(db, boss, "customer", [ColumnDTO("nope", 100)])
    set_columns(db, boss, "customer", None)
    assert get_columns(db, boss, "customer") is None
