"""Secure server mode on PostgreSQL (issue 17): the rows each CRM user's own database role can
SELECT / UPDATE / DELETE through plain SQL equal what the app's one scope filter allows
(services/org/scope.py), for random organisations, roles, records and teams; and plain-SQL
attacks from a user role fail (raise one's own role, read a password hash, touch another's
record, switch the policies off)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from crm_desktop.models import (
    Customer,
    Department,
    Lead,
    Role,
    RoleDataScope,
    RoleScopeDepartment,
    TeamMember,
    User,
    user_roles,
)
from crm_desktop.services.maintenance.server_setup import (
    apply_setup,
    create_login_role,
    login_role_name,
)
from crm_desktop.services.org.actor import load_actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.scope import editable_filter, scope_filter
from tests.conftest import _pg_admin_engine, drop_pg, new_pg_url

MODELS = {"customer": Customer, "lead": Lead}


@dataclass
class Server:
    url: str
    engine: Engine
    prefix: str


def drop_database_and_roles(name: str, prefix: str) -> None:
    """Roles outlive the database (they belong to the whole server): drop both."""
    drop_pg(name)
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        for role in (f"{prefix}users", f"{prefix}login", f"{prefix}owner"):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def secure_server(pg_template: str, letter: str) -> Iterator[Server]:
    """A database prepared by ``server-setup`` (for a module-scoped fixture to yield from),
    dropped with its roles afterwards."""
    url, name = new_pg_url(pg_template)
    prefix = f"{letter}{uuid.uuid4().hex[:8]}_"  # roles belong to the whole shared server: never collide
    engine = create_engine(url)
    with engine.begin() as conn:
        apply_setup(conn, prefix)
    yield Server(url, engine, prefix)
    engine.dispose()
    drop_database_and_roles(name, prefix)


@pytest.fixture(scope="module")
def server(pg_template: str) -> Iterator[Server]:
    yield from secure_server(pg_template, "t")


@st.composite
def organisations(draw: st.DrawFn) -> dict[str, object]:
    n_depts = draw(st.integers(1, 4))
    n_users = draw(st.integers(1, 5))
    n_roles = draw(st.integers(1, 3))
    scopes = st.dictionaries(st.sampled_from(sorted(MODELS)), st.sampled_from(list(DataScope)), max_size=2)
    records = draw(st.lists(st.tuples(st.sampled_from(sorted(MODELS)),
                                      st.one_of(st.none(), st.integers(0, n_users - 1))), max_size=8))
    return {
        "dept_parents": [None] + [draw(st.integers(0, i - 1)) for i in range(1, n_depts)],
        "user_depts": [draw(st.integers(0, n_depts - 1)) for _ in range(n_users)],
        "disabled": [draw(st.integers(0, 5)) == 0 for _ in range(n_users)],
        "superiors": [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n_users)],
        "role_super": [draw(st.integers(0, 6)) == 0 for _ in range(n_roles)],
        "role_scopes": [draw(scopes) for _ in range(n_roles)],
        # the ticked departments of a custom (自定义) scope, per role
        "role_depts": [draw(st.sets(st.integers(0, n_depts - 1), max_size=n_depts)) for _ in range(n_roles)],
        "user_roles": [draw(st.sets(st.integers(0, n_roles - 1), max_size=n_roles)) for _ in range(n_users)],
        "records": records,
        "team": draw(st.lists(st.tuples(st.integers(0, max(len(records) - 1, 0)), st.integers(0, n_users - 1),
                                        st.sampled_from(["read", "write"])), max_size=6)) if records else [],
    }


def build(conn: Connection, org: dict[str, object]) -> tuple[list[int], list[tuple[str, int]]]:
    """Insert the organisation; returns the user ids and the (entity, id) of the records."""
    tag = uuid.uuid4().hex[:6]
    dept_ids: list[int] = []
    for parent in org["dept_parents"]:  # type: ignore[attr-defined]
        dept_ids.append(conn.execute(Department.__table__.insert().values(
            name=f"部门{len(dept_ids)}", parent_id=None if parent is None else dept_ids[parent]
        ).returning(Department.id)).scalar_one())
    user_ids: list[int] = []
    for i, dept in enumerate(org["user_depts"]):  # type: ignore[attr-defined]
        superior = org["superiors"][i]  # type: ignore[index]
        user_ids.append(conn.execute(User.__table__.insert().values(
            mobile=f"1{tag}{i:04d}", name=f"用户{i}", password_hash="secret-hash", department_id=dept_ids[dept],
            superior_id=None if superior is None else user_ids[superior],
            enabled=not org.get("disabled", [False] * (i + 1))[i],  # type: ignore[attr-defined]
        ).returning(User.id)).scalar_one())
    role_ids: list[int] = []
    for i, is_super in enumerate(org["role_super"]):  # type: ignore[attr-defined]
        role_id = conn.execute(Role.__table__.insert().values(name=f"角色{tag}{i}", is_super=is_super)
                               .returning(Role.id)).scalar_one()
        role_ids.append(role_id)
        for module, scope in org["role_scopes"][i].items():  # type: ignore[index]
            conn.execute(RoleDataScope.__table__.insert().values(role_id=role_id, module=module, scope=scope.value))
            if scope is DataScope.CUSTOM:
                for d in sorted(org.get("role_depts", [set()] * (i + 1))[i]):  # type: ignore[attr-defined]
                    conn.execute(RoleScopeDepartment.__table__.insert().values(
                        role_id=role_id, module=module, department_id=dept_ids[d]))
    for i, granted in enumerate(org["user_roles"]):  # type: ignore[attr-defined]
        for r in granted:
            conn.execute(user_roles.insert().values(user_id=user_ids[i], role_id=role_ids[r]))
    records: list[tuple[str, int]] = []
    for entity, owner in org["records"]:  # type: ignore[attr-defined]
        model = MODELS[entity]
        records.append((entity, conn.execute(model.__table__.insert().values(
            name=f"记录{len(records)}", owner_id=None if owner is None else user_ids[owner], creator_id=user_ids[0],
        ).returning(model.id)).scalar_one()))
    seats: set[tuple[int, int]] = set()
    for record, user, access in org["team"]:  # type: ignore[attr-defined]
        if (record, user) not in seats:
            seats.add((record, user))
            entity, record_id = records[record]
            conn.execute(TeamMember.__table__.insert().values(entity=entity, record_id=record_id,
                                                              user_id=user_ids[user], access=access))
    return user_ids, records


def as_role(conn: Connection, role: str, sql: str, *, keep: bool) -> set[int]:
    """The ids ``sql`` returns when run as ``role``; a write is undone unless ``keep``."""
    conn.execute(text("SAVEPOINT probe"))
    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    ids = set(conn.execute(text(sql)).scalars())
    conn.execute(text("RESET ROLE"))
    if keep:
        conn.execute(text("RELEASE SAVEPOINT probe"))
    else:
        conn.execute(text("ROLLBACK TO SAVEPOINT probe"))
    return ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(org=organisations())
def test_each_users_role_sees_and_changes_exactly_what_the_app_allows(server: Server, org: dict[str, object]) -> None:
    with server.engine.connect() as conn:
        trans = conn.begin()
        try:
            user_ids, _records = build(conn, org)
            session = Session(bind=conn)
            for i, user_id in enumerate(user_ids):
                role = create_login_role(conn, server.prefix, user_id, password=None)
                disabled = org["disabled"][i]  # type: ignore[index]
                actor = None if disabled else load_actor(session, user_id)  # a disabled user cannot act at all
                for entity, model in MODELS.items():
                    table = model.__tablename__
                    sees = edits = set()
                    if actor is not None:
                        sees = set(session.scalars(select(model.id).where(scope_filter(model, actor))))
                        edits = set(session.scalars(select(model.id).where(editable_filter(model, actor))))
                    assert as_role(conn, role, f"SELECT id FROM {table}", keep=True) == sees, (entity, user_id)
                    assert as_role(conn, role, f"UPDATE {table} SET name = name RETURNING id", keep=False) == edits
                    assert as_role(conn, role, f"DELETE FROM {table} RETURNING id", keep=False) == edits
            session.close()
        finally:
            trans.rollback()


@pytest.fixture
def rep(server: Server) -> Iterator[tuple[Connection, str, int, int]]:
    """A rep (scope: self) with one record of their own and a colleague's record; yields the
    connection (in a transaction rolled back afterwards), the rep's role, the colleague's
    record and the super administrator role's id."""
    with server.engine.connect() as conn:
        trans = conn.begin()
        org = {"dept_parents": [None], "user_depts": [0, 0], "superiors": [None, None], "role_super": [False, True],
               "role_scopes": [{"customer": DataScope.SELF}, {}], "user_roles": [{0}, {1}],
               "records": [("customer", 0), ("customer", 1)], "team": []}
        user_ids, records = build(conn, org)
        role = create_login_role(conn, server.prefix, user_ids[0], password=None)
        super_role = conn.execute(select(user_roles.c.role_id).where(user_roles.c.user_id == user_ids[1])).scalar_one()
        yield conn, role, records[1][1], super_role
        trans.rollback()


@pytest.mark.parametrize("attack", [
    "INSERT INTO user_roles (user_id, role_id) SELECT crm_user_id(), {super_role}",
    "UPDATE roles SET is_super = true",
    "UPDATE role_data_scopes SET scope = 'all'",
    "SELECT password_hash FROM users",
    "SELECT * FROM users",
    "UPDATE users SET password_hash = 'x'",
    "UPDATE settings SET value = '\"warn\"' WHERE key = 'duplicate_check_mode'",
    "DELETE FROM roles",
    "UPDATE user_roles SET role_id = {super_role}",
    "INSERT INTO roles (name, description, is_super, created_at) VALUES ('x', '', true, now())",
    "INSERT INTO role_permissions (role_id, module, action) SELECT id, 'user', 'edit' FROM roles",
    "UPDATE users SET enabled = false",
    "SELECT * FROM login_failures",
    "ALTER TABLE customers DISABLE ROW LEVEL SECURITY",
    "DROP POLICY crm_read ON customers",
])
def test_plain_sql_attacks_from_a_user_role_fail(rep: tuple[Connection, str, int, int], attack: str) -> None:
    """Refused outright (no privilege), or — a table an administrator may change — a change
    the row-level security narrows to no row at all (the rep holds no administration
    permission)."""
    conn, role, _other, super_role = rep
    conn.execute(text("SAVEPOINT attack"))
    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    try:
        done = conn.execute(text(attack.format(super_role=super_role)))
    except ProgrammingError as failed:
        assert isinstance(failed.orig, psycopg.errors.InsufficientPrivilege | psycopg.errors.UndefinedObject)
    else:
        assert attack.startswith(("UPDATE", "DELETE")) and done.rowcount == 0, attack
    conn.execute(text("ROLLBACK TO SAVEPOINT attack"))


def test_another_users_record_cannot_be_read_changed_or_deleted(rep: tuple[Connection, str, int, int]) -> None:
    conn, role, other, _super = rep
    assert as_role(conn, role, f"SELECT id FROM customers WHERE id = {other}", keep=True) == set()
    assert as_role(conn, role, f"UPDATE customers SET name = 'x' WHERE id = {other} RETURNING id", keep=False) == set()
    assert as_role(conn, role, f"DELETE FROM customers WHERE id = {other} RETURNING id", keep=False) == set()
    assert len(as_role(conn, role, "SELECT id FROM customers", keep=True)) == 1  # their own


def test_search_initials_are_written_only_on_records_one_sees(rep: tuple[Connection, str, int, int]) -> None:
    """The app writes a record's pinyin initials into its index row after a save: a user role
    may, for a record it sees, and only that column."""
    conn, role, other, _super = rep
    (own,) = as_role(conn, role, "SELECT id FROM customers", keep=True)
    write = "UPDATE search_customers SET initials = 'xm' WHERE record_id = {} RETURNING record_id"
    assert as_role(conn, role, write.format(own), keep=False) == {own}
    assert as_role(conn, role, write.format(other), keep=False) == set()
    conn.execute(text("SAVEPOINT attack"))
    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    with pytest.raises(ProgrammingError) as failed:
        conn.execute(text(f"UPDATE search_customers SET name = 'x' WHERE record_id = {own}"))
    assert isinstance(failed.value.orig, psycopg.errors.InsufficientPrivilege)
    conn.execute(text("ROLLBACK TO SAVEPOINT attack"))


def test_a_real_login_with_the_users_own_role(server: Server) -> None:
    """Connect as the login role over TCP (not SET ROLE from a superuser)."""
    with server.engine.connect() as conn, conn.begin():
        org = {"dept_parents": [None], "user_depts": [0, 0], "superiors": [None, None], "role_super": [False, False],
               "role_scopes": [{}, {}], "user_roles": [{0}, {1}],
               "records": [("customer", 0), ("customer", 1), ("lead", 0)], "team": []}
        user_ids, records = build(conn, org)
        role = create_login_role(conn, server.prefix, user_ids[0], password="pw-" + uuid.uuid4().hex)
    try:
        url = make_url(server.url).set(username=role, password=None, drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False)) as raw:
            mine = {r[0] for r in raw.execute("SELECT id FROM customers")}
            assert mine == {records[0][1]}
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                raw.execute("SELECT password_hash FROM users")
            raw.rollback()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):  # a real login cannot become the superuser
                raw.execute("SET ROLE postgres")
            raw.rollback()
            searchable = {r[0] for r in raw.execute("SELECT record_id FROM search_customers")}
            assert searchable <= mine  # the search index shows only what the role may read
            # Passwords: one's own hash only, and a colleague's never set (no reset permission).
            assert raw.execute("SELECT crm_password_hash(%s)", (user_ids[0],)).fetchone()[0] == "secret-hash"
            for sql in ("SELECT crm_password_hash(%s)", "SELECT crm_set_password_hash(%s, 'x')"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    raw.execute(sql, (user_ids[1],))
                raw.rollback()
            raw.execute("SELECT crm_set_password_hash(%s, 'mine')", (user_ids[0],))
            assert raw.execute("SELECT crm_password_hash(%s)", (user_ids[0],)).fetchone()[0] == "mine"
            raw.rollback()
            # No administration permission: the organisation is read, never changed.
            assert raw.execute("SELECT count(*) FROM roles").fetchone()[0] >= 2
            assert raw.execute("UPDATE user_roles SET role_id = role_id").rowcount == 0
            assert raw.execute("UPDATE users SET name = 'x' WHERE id <> %s", (user_ids[0],)).rowcount == 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):  # one's own row: the login bookkeeping only
                raw.execute("UPDATE users SET name = 'x', enabled = true WHERE id = %s", (user_ids[0],))
            raw.rollback()
            raw.execute("UPDATE users SET last_login_at = now() WHERE id = %s", (user_ids[0],))
            raw.rollback()
    finally:
        with server.engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        assert login_role_name(server.prefix, user_ids[0]) == role


def test_crm_admin_server_setup(pg_template: str) -> None:
    """The command on a fresh database: idempotent, and it refuses SQLite."""
    from crm_desktop.cli import main

    url, name = new_pg_url(pg_template)
    prefix = f"c{uuid.uuid4().hex[:8]}_"
    try:
        assert main(["--database", url, "server-setup", "--prefix", prefix]) == 0
        assert main(["--database", url, "server-setup", "--prefix", prefix]) == 0  # again: nothing breaks
        engine = create_engine(url)
        with engine.connect() as conn:
            secured = set(conn.execute(text("SELECT relname FROM pg_class WHERE relrowsecurity")).scalars())
            owners = set(conn.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")).scalars())
        engine.dispose()
        assert {"customers", "leads", "contacts", "contracts", "payments", "search_customers"} <= secured
        assert owners == {f"{prefix}owner"}
        assert main(["--database", "sqlite:////tmp/nowhere.sqlite3", "server-setup"]) == 2
    finally:
        drop_database_and_roles(name, prefix)
