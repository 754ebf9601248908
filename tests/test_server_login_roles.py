"""Secure server mode (issue 17): a CRM user's own PostgreSQL login role follows the user — made
with the user, given each new password, unable to log in while the user is disabled — in the
same transaction as the change; and a user role may set only its own password."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.services.maintenance.server_setup import apply_setup, login_role_name
from crm_desktop.services.org import auth, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.users import UserInput
from tests.conftest import _pg_admin_engine, drop_pg, new_pg_url


@pytest.fixture(scope="module")
def server(pg_template: str) -> Iterator[tuple[Database, Actor, str, str]]:
    url, name = new_pg_url(pg_template)
    prefix = f"t{uuid.uuid4().hex[:8]}_"  # roles belong to the whole server: never collide
    engine = create_engine(url)
    with engine.begin() as conn:
        apply_setup(conn, prefix)
    engine.dispose()
    db = bootstrap(url)
    admin = auth.setup_company(db, company="星辰", admin_name="管理员", admin_mobile="13800000000",
                               password="admin1234")
    yield db, admin, url, prefix
    db.dispose()
    drop_pg(name)
    with _pg_admin_engine().connect() as conn:
        for role in conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                                 {"p": prefix.replace("_", r"\_") + "%"}).scalars():
            if role.startswith(f"{prefix}u_"):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        for role in (f"{prefix}users", f"{prefix}owner"):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def _role(prefix: str, user_id: int) -> tuple[bool, str | None]:
    """(can log in, the stored password hash) of the user's login role, as the superuser sees it."""
    with _pg_admin_engine().connect() as conn:
        row = conn.execute(text("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = :n"),
                           {"n": login_role_name(prefix, user_id)}).one()
    return bool(row[0]), row[1]


def _as(url: str, prefix: str, user_id: int, password: str) -> str:
    """Connect as the user's own role and read who the server thinks it is."""
    own = make_url(url).set(username=login_role_name(prefix, user_id), password=password)
    engine = create_engine(own)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT crm_user_id()")).scalar())
    finally:
        engine.dispose()


def test_the_login_role_follows_the_user(server: tuple[Database, Actor, str, str]) -> None:
    db, admin, url, prefix = server
    rep = users.create_user(db, admin, UserInput(mobile="13700000001", name="李娜", department_id=admin.department_id),
                            password="abc12345")
    can_login, first_hash = _role(prefix, rep.id)
    assert can_login and first_hash is not None and first_hash.startswith("SCRAM-SHA-256$")
    assert _as(url, prefix, rep.id, "abc12345") == str(rep.id)  # logged in as themself, RLS knows them

    auth.reset_password(db, admin, rep.id, new_password="xyz98765")
    assert _role(prefix, rep.id)[1] != first_hash  # the new password, in the same transaction

    users.set_enabled(db, admin, rep.id, enabled=False)
    assert _role(prefix, rep.id)[0] is False
    with pytest.raises(OperationalError, match="not permitted to log in"):
        _as(url, prefix, rep.id, "xyz98765")
    users.set_enabled(db, admin, rep.id, enabled=True)
    assert _role(prefix, rep.id)[0] is True  # it has a password: it may log in again


def _login_roles(prefix: str) -> set[str]:
    with _pg_admin_engine().connect() as conn:
        return set(conn.execute(text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"),
                                {"p": f"{prefix}u_"}).scalars())


def test_a_failed_save_changes_no_role(server: tuple[Database, Actor, str, str]) -> None:
    from crm_desktop.services.errors import ValidationError

    db, admin, _url, prefix = server
    before = _login_roles(prefix)
    with pytest.raises(ValidationError):  # the mobile is taken: neither the user nor a role is made
        users.create_user(db, admin, UserInput(mobile="13800000000", name="重复", department_id=admin.department_id),
                          password="abc12345")
    assert _login_roles(prefix) == before


def test_a_user_role_sets_only_its_own_password(server: tuple[Database, Actor, str, str]) -> None:
    db, admin, url, prefix = server
    a = users.create_user(db, admin, UserInput(mobile="13700000011", name="甲", department_id=admin.department_id),
                          password="abc12345")
    b = users.create_user(db, admin, UserInput(mobile="13700000012", name="乙", department_id=admin.department_id),
                          password="abc12345")
    engine = create_engine(make_url(url).set(username=login_role_name(prefix, a.id), password="abc12345"))
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT crm_sync_login(:u, 'mine-12345')"), {"u": a.id})
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text("SELECT crm_sync_login(:u, 'stolen-123')"), {"u": b.id})
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text("ALTER ROLE " + login_role_name(prefix, b.id) + " PASSWORD 'stolen-123'"))
    finally:
        engine.dispose()
