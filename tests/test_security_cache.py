"""The security cache: reads reuse actors and field schemas only while the database's token is
unchanged, and every change to what they are built from — made through another handle (another
PC on the LAN) or by plain SQL — replaces the token."""
from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.models import CacheSignal, FieldPermission
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import AccountDisabled, PermissionDenied
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records import schema_admin
from crm_desktop.services.records.schema import (
    Access,
    FieldType,
    get_schema,
    schema_for,
)
from crm_desktop.services.records.schema_admin import CustomFieldInput
from crm_desktop.services.uow import read_only, unit_of_work
from tests.test_customers import make_user

#: The tables (and columns) migrations 0009 and 0010 (custom scopes' departments) guard with triggers.
GUARDED = {
    **importlib.import_module("crm_desktop.migrations.versions.0009_cache_signals").GUARDED,
    **importlib.import_module("crm_desktop.migrations.versions.0010_custom_scope").GUARDED,
}

#: A column of each fully guarded table that a no-op UPDATE can name.
ANY_COLUMN = {"roles": "name", "custom_fields": "label", "field_permissions": "access"}


def token(db: Database) -> str:
    with db.sessions() as s:
        return s.scalar(select(CacheSignal.token).where(CacheSignal.name == "security")) or ""


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """A second handle on the same database, as another PC on the LAN would have."""
    handle = bootstrap(db.engine.url.render_as_string(hide_password=False), migrate_schema=False)
    yield handle
    handle.dispose()


def test_a_role_change_made_elsewhere_counts_on_the_next_read(db: Database, other: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000001")
    customers.create(db, rep, {"name": "星辰"})
    assert len(customers.list_page(db, rep).rows) == 1  # cached now
    assert len(customers.list_page(db, rep).rows) == 1
    (role_id,) = users.get_user(db, admin, rep.user_id).role_ids
    role = next(r for r in roles.list_roles(other, admin) if r.id == role_id)
    roles.update_role(other, admin, role_id, RoleInput(
        name=role.name, permissions=role.permissions - {("customer", "view")}, scopes=role.scopes))
    with pytest.raises(PermissionDenied):
        customers.list_page(db, rep)


def test_disabling_a_user_elsewhere_stops_them_on_the_next_read(db: Database, other: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000002")
    customers.list_page(db, rep)
    users.set_enabled(other, admin, rep.user_id, enabled=False)
    with pytest.raises(AccountDisabled):
        customers.list_page(db, rep)


def test_fields_and_field_access_changed_elsewhere_show_on_the_next_read(
    db: Database, other: Database, admin: Actor,
) -> None:
    rep = make_user(db, admin, "13900000003")
    before = {f.name for f in get_schema(db, rep, "customer").fields}
    spec = schema_admin.create_custom_field(other, admin, "customer", CustomFieldInput(
        label="预算", type=FieldType.MONEY))
    assert {f.name for f in get_schema(db, rep, "customer").fields} == before | {spec.name}
    (role_id,) = users.get_user(db, admin, rep.user_id).role_ids
    schema_admin.set_field_permissions(other, admin, role_id, "customer", {"phone": Access.HIDDEN})
    assert "phone" not in {f.name for f in get_schema(db, rep, "customer").fields}


def test_a_login_or_a_password_change_keeps_the_token(db: Database, admin: Actor) -> None:
    make_user(db, admin, "13900000004")
    before = token(db)
    with pytest.raises(Exception):
        auth.login(db, "13900000004", "wrong-password")
    auth.login(db, "13900000004", "abc12345")
    auth.change_password(db, auth.login(db, "13900000004", "abc12345"), old_password="abc12345",
                         new_password="new-pass-123")
    assert token(db) == before


@pytest.mark.parametrize("table", sorted(GUARDED))
def test_plain_sql_on_every_guarded_table_replaces_the_token(db: Database, admin: Actor, table: str) -> None:
    """A later migration that rebuilds one of these tables (alembic's batch mode on SQLite
    copies and drops it) would drop its triggers with it: this fails then."""
    role = roles.create_role(db, admin, RoleInput(name="r", permissions=frozenset({("customer", "view")}),
                                                 scopes={"customer": DataScope.CUSTOM},
                                                 scope_departments={"customer": frozenset({admin.department_id})}))
    users.create_user(db, admin, UserInput(mobile="13900000005", name="u", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    schema_admin.create_custom_field(db, admin, "customer", CustomFieldInput(label="预算", type=FieldType.MONEY))
    schema_admin.set_field_permissions(db, admin, role.id, "customer", {"phone": Access.READ})
    column = (GUARDED[table] or (ANY_COLUMN.get(table, "role_id"),))[0]
    statement = f"UPDATE {table} SET {column} = {column}"
    before = token(db)
    with db.engine.begin() as conn:
        assert conn.execute(text(statement)).rowcount > 0
    assert token(db) != before, statement


def test_writes_read_fresh_and_do_not_fill_the_cache(db: Database, admin: Actor) -> None:
    """A unit of work that writes may read its own uncommitted change, then roll it back: it
    neither uses nor fills the cache, so the next read sees what was committed."""
    rep = make_user(db, admin, "13900000006")
    with read_only(db, rep) as uow:
        assert "phone" in {f.name for f in schema_for(uow.session, uow.actor, "customer").fields}  # cached
    with pytest.raises(RuntimeError, match="roll back"), unit_of_work(db, admin) as uow:
        uow.session.add(FieldPermission(role_id=rep.role_ids[0], entity="customer", field="phone", access="hidden"))
        uow.session.flush()
        assert "phone" not in {f.name for f in schema_for(uow.session, rep, "customer").fields}
        raise RuntimeError("roll back")
    with read_only(db, rep) as uow:
        assert "phone" in {f.name for f in schema_for(uow.session, uow.actor, "customer").fields}
