"""The field-permission page: a field hidden or read-only for a role through the page is
what that role's users get from the services; required fields and the super role."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.org import auth, departments, roles, users
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleDTO, RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.schema import Access, FieldType, get_schema
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
    get_field_permissions,
)
from crm_desktop.ui.admin.field_permissions import FieldPermissionsPage
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import admin_context

REP_MOBILE, REP_PASSWORD = "13900000001", "rep12345"


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def sales(ctx: AppContext) -> RoleDTO:
    """A sales role held by one user."""
    role = roles.create_role(ctx.db, ctx.actor, RoleInput(
        name="Sales", permissions=frozenset(("customer", a) for a in RECORD_ACTIONS),
        scopes={"customer": DataScope.SELF}))
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    users.create_user(ctx.db, ctx.actor, UserInput(mobile=REP_MOBILE, name="销售小王", department_id=top.id,
                                                   role_ids=(role.id,)), password=REP_PASSWORD)
    return role


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext, sales: RoleDTO) -> Iterator[FieldPermissionsPage]:
    widget = FieldPermissionsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    settle(qtbot)
    yield widget
    settle(qtbot)


def test_hidden_and_read_only_through_the_page(qtbot: QtBot, page: FieldPermissionsPage, ctx: AppContext,
                                              sales: RoleDTO) -> None:
    capital = create_custom_field(ctx.db, ctx.actor, "customer", CustomFieldInput(
        label="注册资本", type=FieldType.MONEY)).name
    ctx.signals.notify("schema")
    settle(qtbot)
    assert page.role_id() == sales.id  # opens on a role that can be restricted
    assert page.entity() == "customer" and page.save_button.isEnabled()
    assert capital in page.groups and set(page.access().values()) == {Access.EDIT}
    page.set_access("mobile", Access.HIDDEN)
    page.set_access(capital, Access.HIDDEN)
    page.set_access("phone", Access.READ)
    assert page.dirty
    page.save()
    settle(qtbot)
    assert page.message.text() == "Field permissions of “Sales” saved."
    assert get_field_permissions(ctx.db, ctx.actor, sales.id, "customer") == {
        "mobile": Access.HIDDEN, capital: Access.HIDDEN, "phone": Access.READ}
    rep = auth.login(ctx.db, REP_MOBILE, REP_PASSWORD)
    schema = get_schema(ctx.db, rep, "customer")
    names = {f.name for f in schema.fields}
    assert "mobile" not in names and capital not in names
    assert "phone" in names and not schema.can_edit("phone") and schema.can_edit("email")
    assert {f.name for f in get_schema(ctx.db, ctx.actor, "customer").fields} >= {"mobile", capital}  # admin: all

    page.set_all_editable()
    page.save()
    settle(qtbot)
    assert get_field_permissions(ctx.db, ctx.actor, sales.id, "customer") == {}
    assert "mobile" in {f.name for f in get_schema(ctx.db, rep, "customer").fields}


def test_required_fields_cannot_be_hidden(page: FieldPermissionsPage) -> None:
    row = next(i for i, f in enumerate(page.fields) if f.name == "name")
    assert page.table.item(row, 0).text() == "Customer name (required)"
    assert not page.groups["name"].button(3).isEnabled()
    assert page.groups["name"].button(2).isEnabled()


def test_each_module_and_role_has_its_own_grid(qtbot: QtBot, page: FieldPermissionsPage, ctx: AppContext,
                                               sales: RoleDTO) -> None:
    page.select(sales.id, "lead")
    settle(qtbot)
    assert "contact_name" in page.groups and "credit_code" not in page.groups
    page.set_access("remark", Access.READ)
    page.save()
    settle(qtbot)
    assert get_field_permissions(ctx.db, ctx.actor, sales.id, "lead") == {"remark": Access.READ}
    assert get_field_permissions(ctx.db, ctx.actor, sales.id, "customer") == {}
    page.select(sales.id, "customer")
    settle(qtbot)
    assert set(page.access().values()) == {Access.EDIT}
    page.select(sales.id, "lead")
    settle(qtbot)
    assert page.access()["remark"] == Access.READ


def test_super_administrator_cannot_be_restricted(qtbot: QtBot, page: FieldPermissionsPage) -> None:
    super_role = next(r for r in page.roles if r.is_super)
    page.select(super_role.id, "customer")
    settle(qtbot)
    assert not page.table.isEnabled() and not page.save_button.isEnabled()
    assert "cannot restrict this role" in page.note.text()
