"""The custom data scope (自定义): a role names departments per module; its holders see the
records owned by users of exactly those departments (no sub-departments implied) and their
own, through the one scope filter, on both backends. The roles service validates the ids,
deleting a department drops it from custom scopes, and the security cache reloads a change
made elsewhere."""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.models import CacheSignal
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org import departments as depts
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.audit import read_entries

VIEW = frozenset({("customer", "view"), ("customer", "create")})


@dataclass
class Org:
    """East (with its sub-department East-1) and West under the company, a rep in each."""

    east: int
    east1: int
    west: int
    reps: dict[str, Actor]


def make_org(db: Database, admin: Actor) -> Org:
    east = depts.create_department(db, admin, "华东", parent_id=admin.department_id).id
    east1 = depts.create_department(db, admin, "华东一部", parent_id=east).id
    west = depts.create_department(db, admin, "华西", parent_id=admin.department_id).id
    rep_role = roles.create_role(db, admin, RoleInput(name="rep", permissions=VIEW, scopes={"customer": DataScope.SELF}))
    reps: dict[str, Actor] = {}
    for i, (key, dept) in enumerate((("east", east), ("east1", east1), ("west", west))):
        mobile = f"1390000001{i}"
        users.create_user(db, admin, UserInput(mobile=mobile, name=f"rep-{key}", department_id=dept,
                                               role_ids=(rep_role.id,)), password="abc12345")
        reps[key] = auth.login(db, mobile, "abc12345")
        customers.create(db, reps[key], {"name": f"客户-{key}"})
    return Org(east, east1, west, reps)


def person(db: Database, admin: Actor, mobile: str, *role_ids: int) -> Actor:
    users.create_user(db, admin, UserInput(mobile=mobile, name=f"用户{mobile[-2:]}", department_id=admin.department_id,
                                           role_ids=role_ids), password="abc12345")
    return auth.login(db, mobile, "abc12345")


def names(db: Database, actor: Actor) -> set[str]:
    return {r.values["name"] for r in customers.list_page(db, actor, limit=100).rows}


def custom(name: str, *dept_ids: int) -> RoleInput:
    return RoleInput(name=name, permissions=VIEW, scopes={"customer": DataScope.CUSTOM},
                     scope_departments={"customer": frozenset(dept_ids)})


def test_custom_scope_sees_exactly_the_chosen_departments_and_its_own(db: Database, admin: Actor) -> None:
    org = make_org(db, admin)
    role = roles.create_role(db, admin, custom("华东看板", org.east))
    assert role.scopes == {"customer": DataScope.CUSTOM}
    assert role.scope_departments == {"customer": frozenset({org.east})}
    viewer = person(db, admin, "13700000001", role.id)
    customers.create(db, viewer, {"name": "自己的"})
    assert viewer.scopes_for("customer") == {DataScope.CUSTOM}
    assert viewer.departments_for("customer") == {org.east}
    assert viewer.departments_for("contact") == frozenset()  # no custom scope there
    # East's rep, not East-1's (a sub-department is covered only when chosen), and its own.
    assert names(db, viewer) == {"客户-east", "自己的"}
    assert customers.count(db, viewer) == 2

    updated = roles.update_role(db, admin, role.id, custom("华东看板", org.east, org.east1, org.west))
    assert updated.scope_departments == {"customer": frozenset({org.east, org.east1, org.west})}
    assert names(db, viewer) == {"客户-east", "客户-east1", "客户-west", "自己的"}
    changes = {c.field: (c.old, c.new) for c in read_entries(db.sessions(), entity="role", record_id=role.id)[-1].changes}
    assert changes == {"scope_departments": ({"customer": [org.east]},
                                             {"customer": sorted([org.east, org.east1, org.west])})}

    # Back to a plain scope: the departments go with it.
    plain = roles.update_role(db, admin, role.id, RoleInput(name="华东看板", permissions=VIEW,
                                                            scopes={"customer": DataScope.SELF}))
    assert plain.scope_departments == {}
    assert names(db, viewer) == {"自己的"}


def test_several_roles_union_their_custom_departments(db: Database, admin: Actor) -> None:
    org = make_org(db, admin)
    east = roles.create_role(db, admin, custom("东", org.east))
    west = roles.create_role(db, admin, custom("西", org.west))
    viewer = person(db, admin, "13700000002", east.id, west.id)
    assert viewer.departments_for("customer") == {org.east, org.west}
    assert names(db, viewer) == {"客户-east", "客户-west"}
    # A wider scope of another role still wins.
    tree = roles.create_role(db, admin, RoleInput(name="树", permissions=VIEW, scopes={"customer": DataScope.ALL}))
    everyone = person(db, admin, "13700000003", east.id, tree.id)
    assert names(db, everyone) == {"客户-east", "客户-east1", "客户-west"}


def test_custom_scope_input_is_validated(db: Database, admin: Actor) -> None:
    org = make_org(db, admin)
    with pytest.raises(ValidationError) as err:
        roles.create_role(db, admin, custom("坏", org.east, 987_654))
    assert err.value.field_errors == {"scope_departments": "Unknown department."}
    with pytest.raises(ValidationError) as err:
        roles.create_role(db, admin, custom("空"))
    assert err.value.field_errors == {"scope_departments": "Choose at least one department for each custom data scope."}
    with pytest.raises(ValidationError) as err:
        roles.create_role(db, admin, RoleInput(name="多", permissions=VIEW, scopes={"customer": DataScope.SELF},
                                               scope_departments={"customer": frozenset({org.east})}))
    assert err.value.field_errors == {
        "scope_departments": "Departments can only be chosen for the custom data scope."}
    role = roles.create_role(db, admin, custom("好", org.west))
    with pytest.raises(ValidationError):
        roles.update_role(db, admin, role.id, custom("好", org.west, 987_654))
    assert next(r for r in roles.list_roles(db, admin) if r.id == role.id).scope_departments == {
        "customer": frozenset({org.west})}  # nothing of the refused update was kept


def test_deleting_a_department_drops_it_from_custom_scopes(db: Database, admin: Actor) -> None:
    org = make_org(db, admin)
    spare = depts.create_department(db, admin, "筹备组", parent_id=admin.department_id).id
    role = roles.create_role(db, admin, custom("看板", org.west, spare))
    viewer = person(db, admin, "13700000004", role.id)
    assert names(db, viewer) == {"客户-west"}
    depts.delete_department(db, admin, spare)
    kept = next(r for r in roles.list_roles(db, admin) if r.id == role.id)
    assert kept.scopes == {"customer": DataScope.CUSTOM}
    assert kept.scope_departments == {"customer": frozenset({org.west})}
    assert names(db, viewer) == {"客户-west"}  # nobody's view changed: the department was empty
    entry = read_entries(db.sessions(), entity="role", record_id=role.id)[-1]
    assert entry.action == "update"
    assert {c.field: (c.old, c.new) for c in entry.changes} == {"scope_departments.customer": ("筹备组", None)}
    # The last department gone: the scope covers its holders' own records.
    temporary = depts.create_department(db, admin, "临时组", parent_id=admin.department_id).id
    roles.update_role(db, admin, role.id, custom("看板", temporary))
    depts.delete_department(db, admin, temporary)
    assert next(r for r in roles.list_roles(db, admin) if r.id == role.id).scope_departments == {
        "customer": frozenset()}
    customers.create(db, viewer, {"name": "自己的"})
    assert names(db, viewer) == {"自己的"}


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """A second handle on the same database, as another PC on the LAN would have."""
    handle = bootstrap(db.engine.url.render_as_string(hide_password=False), migrate_schema=False)
    yield handle
    handle.dispose()


def token(db: Database) -> str:
    with db.sessions() as s:
        return s.scalar(select(CacheSignal.token).where(CacheSignal.name == "security")) or ""


def test_a_custom_scope_changed_elsewhere_counts_on_the_next_read(
    db: Database, other: Database, admin: Actor
) -> None:
    org = make_org(db, admin)
    role = roles.create_role(db, admin, custom("看板", org.east))
    viewer = person(db, admin, "13700000005", role.id)
    assert names(db, viewer) == {"客户-east"}  # cached now
    assert names(db, viewer) == {"客户-east"}
    roles.update_role(other, admin, role.id, custom("看板", org.west))
    assert names(db, viewer) == {"客户-west"}
    # Plain SQL on the departments of a custom scope replaces the token too.
    guarded = importlib.import_module("crm_desktop.migrations.versions.0010_custom_scope").GUARDED
    assert set(guarded) == {"role_scope_departments"}
    before = token(db)
    with db.engine.begin() as conn:
        assert conn.execute(text("UPDATE role_scope_departments SET department_id = :d"), {"d": org.east1}).rowcount
    assert token(db) != before
    assert names(db, viewer) == {"客户-east1"}
