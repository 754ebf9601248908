"""Departments, users and roles: the rules an administrator relies on."""
from __future__ import annotations

import pytest

from crm_desktop.db import Database
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org import departments as depts
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.audit import read_entries


def test_department_tree_rules(db: Database, admin: Actor) -> None:
    top = admin.department_id
    sales = depts.create_department(db, admin, "销售部", parent_id=top)
    south = depts.create_department(db, admin, "华南大区", parent_id=sales.id)
    fujian = depts.create_department(db, admin, "福建分部", parent_id=south.id)
    assert [d.name for d in depts.list_departments(db, admin)] == ["厦门星辰科技有限公司", "销售部", "华南大区", "福建分部"]

    with pytest.raises(RuleViolation, match="under itself"):
        depts.move_department(db, admin, sales.id, new_parent_id=fujian.id)
    with pytest.raises(RuleViolation, match="top department cannot be moved"):
        depts.move_department(db, admin, top, new_parent_id=sales.id)
    depts.move_department(db, admin, fujian.id, new_parent_id=sales.id)
    assert {d.id: d.parent_id for d in depts.list_departments(db, admin)}[fujian.id] == sales.id

    with pytest.raises(RuleViolation, match="sub-department"):
        depts.delete_department(db, admin, sales.id)
    users.create_user(db, admin, UserInput(mobile="13700000001", name="陈静", department_id=fujian.id), password="abc12345")
    with pytest.raises(RuleViolation, match="1 user"):
        depts.delete_department(db, admin, fujian.id)
    with pytest.raises(RuleViolation, match="top department cannot be deleted"):
        depts.delete_department(db, admin, top)
    depts.delete_department(db, admin, south.id)  # empty now
    assert south.id not in {d.id for d in depts.list_departments(db, admin)}

    depts.rename_department(db, admin, top, name="星辰科技集团")
    assert auth.company_name(db) == "星辰科技集团"  # the top department is the company
    with pytest.raises(ValidationError):
        depts.rename_department(db, admin, sales.id, name="  ")


def test_users_validation_and_superior_loops(db: Database, admin: Actor) -> None:
    top = admin.department_id
    a = users.create_user(db, admin, UserInput(mobile="13700000001", name="A", department_id=top), password="abc12345")
    b = users.create_user(db, admin, UserInput(mobile="13700000002", name="B", department_id=top, superior_id=a.id),
                          password="abc12345")
    c = users.create_user(db, admin, UserInput(mobile="13700000003", name="C", department_id=top, superior_id=b.id),
                          password="abc12345")
    with pytest.raises(ValidationError) as err:  # A above C above … A: a loop
        users.update_user(db, admin, a.id, UserInput(mobile=a.mobile, name="A", department_id=top, superior_id=c.id))
    assert "superior_id" in err.value.field_errors
    with pytest.raises(ValidationError) as err:
        users.update_user(db, admin, a.id, UserInput(mobile=a.mobile, name="A", department_id=top, superior_id=a.id))
    assert "superior_id" in err.value.field_errors
    with pytest.raises(ValidationError) as err:
        users.create_user(db, admin, UserInput(mobile="13700000001", name="D", department_id=top, email="x@"),
                          password="abc12345")
    assert set(err.value.field_errors) == {"mobile", "email"}
    assert users.get_user(db, admin, c.id).superior_name == "B"


def test_users_are_disabled_not_deleted_and_one_super_admin_stays(db: Database, admin: Actor) -> None:
    with pytest.raises(RuleViolation, match="your own account"):
        users.set_enabled(db, admin, admin.user_id, enabled=False)
    super_role = roles.list_roles(db, admin)[0]
    assert super_role.is_super
    other = users.create_user(db, admin, UserInput(mobile="13700000001", name="副管理员", department_id=admin.department_id,
                                                    role_ids=(super_role.id,)), password="abc12345")
    other_actor = auth.login(db, "13700000001", "abc12345")
    assert other_actor.is_super  # several users may hold the super role
    users.set_enabled(db, other_actor, admin.user_id, enabled=False)
    with pytest.raises(RuleViolation, match="super administrator"):  # would leave none enabled
        users.update_user(db, other_actor, other.id, UserInput(mobile=other.mobile, name=other.name,
                                                              department_id=other.department_id, role_ids=()))
    assert [u.enabled for u in users.list_users(db, other_actor) if u.id == admin.user_id] == [False]


def test_roles(db: Database, admin: Actor) -> None:
    super_role = roles.list_roles(db, admin)[0]
    with pytest.raises(RuleViolation, match="cannot be changed"):
        roles.update_role(db, admin, super_role.id, RoleInput(name="x"))
    with pytest.raises(RuleViolation, match="cannot be changed"):
        roles.delete_role(db, admin, super_role.id)
    sales = roles.create_role(db, admin, RoleInput(
        name="销售代表", permissions=frozenset({("customer", "view"), ("customer", "create")}),
        scopes={"customer": DataScope.SELF}))
    with pytest.raises(ValidationError) as err:
        roles.create_role(db, admin, RoleInput(name="销售代表"))
    assert "name" in err.value.field_errors
    with pytest.raises(ValidationError):
        roles.create_role(db, admin, RoleInput(name="坏", permissions=frozenset({("customer", "fly")})))
    u = users.create_user(db, admin, UserInput(mobile="13700000001", name="李娜", department_id=admin.department_id,
                                                role_ids=(sales.id,)), password="abc12345")
    with pytest.raises(RuleViolation, match="1 user"):
        roles.delete_role(db, admin, sales.id)
    updated = roles.update_role(db, admin, sales.id, RoleInput(
        name="销售代表", permissions=frozenset({("customer", "view")}), scopes={"customer": DataScope.DEPARTMENT}))
    assert updated.permissions == frozenset({("customer", "view")}) and updated.scopes == {"customer": DataScope.DEPARTMENT}
    log = read_entries(db.sessions(), entity="role", record_id=sales.id)
    assert [e.action for e in log] == ["create", "update"]
    users.update_user(db, admin, u.id, UserInput(mobile=u.mobile, name=u.name, department_id=u.department_id))
    roles.delete_role(db, admin, sales.id)
    with pytest.raises(NotFound):
        roles.delete_role(db, admin, sales.id)


def test_several_roles_merge_and_permissions_are_checked(db: Database, admin: Actor) -> None:
    r1 = roles.create_role(db, admin, RoleInput(name="R1", permissions=frozenset({("customer", "view")}),
                                                scopes={"customer": DataScope.SELF}))
    r2 = roles.create_role(db, admin, RoleInput(name="R2", permissions=frozenset({("customer", "export")}),
                                                scopes={"customer": DataScope.DEPARTMENT_TREE}))
    users.create_user(db, admin, UserInput(mobile="13700000001", name="张伟", department_id=admin.department_id,
                                           role_ids=(r1.id, r2.id)), password="abc12345")
    me = auth.login(db, "13700000001", "abc12345")
    assert me.can("customer", "view") and me.can("customer", "export") and not me.can("customer", "delete")
    assert me.scopes_for("customer") == {DataScope.SELF, DataScope.DEPARTMENT_TREE}
    with pytest.raises(PermissionDenied):
        users.create_user(db, me, UserInput(mobile="13700000009", name="x", department_id=admin.department_id),
                          password="abc12345")
    with pytest.raises(PermissionDenied):
        depts.create_department(db, me, "x", parent_id=admin.department_id)


def test_new_user_form_reports_every_problem_at_once(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as err:
        users.create_user(db, admin, UserInput(mobile="x", name="", department_id=admin.department_id), password="123")
    assert set(err.value.field_errors) == {"mobile", "name", "password"}
