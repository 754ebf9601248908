"""Secure server mode (issue 17): the app logs in with the user's own database role.

A private PostgreSQL server that checks passwords over TCP (scram-sha-256, as a LAN server
does; the shared test server trusts every connection), prepared by ``server-setup`` with a
directory password. The login dialog's worker (``bootstrap.log_in``) is driven with the
directory connection a PC's server entry opens: it must come back with a connection as the
user's own role, on which the services see what the user's scope allows and the server
refuses what the app refuses.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy.engine import make_url

from crm_desktop.bootstrap import bootstrap, log_in
from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import AuthError, NotFound, PermissionDenied
from crm_desktop.services.maintenance.server_setup import setup_server
from crm_desktop.services.org import auth, roles, server_login, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from tests.pg_cluster import Cluster, own_cluster

DIRECTORY_PASSWORD = "dir-Secret-1"
PREFIX = "crm_"


@dataclass
class Office:
    cluster: Cluster
    directory_url: str
    admin: Actor
    rep_id: int
    colleague_id: int


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    for cluster in own_cluster(password="su-Secret-1"):
        db = bootstrap(cluster.url, create=True)
        admin = auth.setup_company(db, company="星辰科技", admin_name="管理员", admin_mobile="13800000000",
                                   password="admin1234")
        db.dispose()
        setup_server(cluster.url, prefix=PREFIX, directory_password=DIRECTORY_PASSWORD)
        db = bootstrap(cluster.url)
        try:
            # The administrator's role gets its login with the next password (reset here).
            auth.reset_password(db, admin, admin.user_id, new_password="admin1234")
            sales = roles.create_role(db, admin, roles.RoleInput(
                name="销售代表", permissions=frozenset(("customer", a) for a in ("view", "create", "edit")),
                scopes={"customer": DataScope.SELF}))
            dept = admin.department_id
            rep = users.create_user(db, admin, users.UserInput(mobile="13700000001", name="李娜", department_id=dept,
                                                               role_ids=(sales.id,)), password="rep-pass-1")
            colleague = users.create_user(db, admin, users.UserInput(
                mobile="13700000002", name="王强", department_id=dept, role_ids=(sales.id,)), password="col-pass-1")
        finally:
            db.dispose()
        url = make_url(cluster.url).set(username=f"{PREFIX}login", password=DIRECTORY_PASSWORD)
        yield Office(cluster, url.render_as_string(hide_password=False), admin, rep.id, colleague.id)


def _directory(office: Office) -> Database:
    return bootstrap(office.directory_url)


def _log_in(office: Office, mobile: str, password: str) -> tuple[Database, Actor]:
    directory = _directory(office)
    try:
        assert server_login.is_directory(directory)
        assert not auth.needs_setup(directory)  # the directory reads no users, yet the company exists
        return log_in(directory, mobile, password)
    finally:
        directory.dispose()


def test_a_user_logs_in_with_their_own_role_and_sees_their_scope(office: Office) -> None:
    rep_db, rep = _log_in(office, "13700000001", "rep-pass-1")
    col_db, colleague = _log_in(office, "13700000002", "col-pass-1")
    try:
        assert rep.user_id == office.rep_id and colleague.user_id == office.colleague_id
        assert make_url(rep_db.url).username == f"{PREFIX}u_{office.rep_id}"
        assert rep_db.user_role  # so the PC leaves the company's scheduled jobs to the server
        mine = customers.create(rep_db, rep, {"name": "厦门远航贸易有限公司", "mobile": "13911112222"})
        theirs = customers.create(col_db, colleague, {"name": "福州海峡科技有限公司", "mobile": "13933334444"})
        assert {c.id for c in customers.list_page(rep_db, rep).rows} == {mine.id}
        with pytest.raises(NotFound):
            customers.get(rep_db, rep, theirs.id)
        # The app's refusal, and under it the server's: plain SQL on the rep's own connection.
        with pytest.raises(PermissionDenied):
            roles.create_role(rep_db, rep, roles.RoleInput(name="x"))
        raw = rep_db.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("SELECT id FROM customers")
            assert {r[0] for r in cur.fetchall()} == {mine.id}
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute("SELECT password_hash FROM users")
            raw.rollback()
            cur = raw.cursor()
            cur.execute("INSERT INTO user_roles (user_id, role_id) SELECT %s, id FROM roles WHERE is_super",
                        (office.rep_id,))
            raise AssertionError("a rep gave themselves the super administrator role")
        except psycopg.errors.InsufficientPrivilege:
            pass
        finally:
            raw.rollback()
            raw.close()
    finally:
        rep_db.dispose()
        col_db.dispose()


def test_the_administrator_administers_on_their_own_role(office: Office) -> None:
    admin_db, admin = _log_in(office, "13800000000", "admin1234")
    try:
        role = roles.create_role(admin_db, admin, roles.RoleInput(
            name="销售经理", permissions=frozenset({("customer", "view")}), scopes={"customer": DataScope.ALL}))
        assert role.id in {r.id for r in roles.list_roles(admin_db, admin)}
        users.set_enabled(admin_db, admin, office.colleague_id, enabled=False)
        with pytest.raises(AuthError):  # disabled: no login role for them any more
            _log_in(office, "13700000002", "col-pass-1")
        users.set_enabled(admin_db, admin, office.colleague_id, enabled=True)
    finally:
        admin_db.dispose()


@pytest.mark.parametrize(("mobile", "password"), [("13700000001", "wrong-pass"), ("13000000009", "rep-pass-1")])
def test_a_wrong_password_or_unknown_mobile_is_one_message(office: Office, mobile: str, password: str) -> None:
    with pytest.raises(AuthError) as refused:
        _log_in(office, mobile, password)
    assert "Wrong mobile number or password" in str(refused.value)


def test_a_user_changes_their_own_password_on_their_own_role(office: Office) -> None:
    rep_db, rep = _log_in(office, "13700000001", "rep-pass-1")
    try:
        auth.change_password(rep_db, rep, old_password="rep-pass-1", new_password="rep-pass-2")
    finally:
        rep_db.dispose()
    with pytest.raises(AuthError):
        _log_in(office, "13700000001", "rep-pass-1")
    rep_db, _rep = _log_in(office, "13700000001", "rep-pass-2")
    rep_db.dispose()


def test_an_indexed_field_made_on_an_administrators_role_gets_its_index_from_server_setup(office: Office) -> None:
    from sqlalchemy import text

    from crm_desktop.services.records.schema import FieldType
    from crm_desktop.services.records.schema_admin import (
        CustomFieldInput,
        create_custom_field,
    )

    admin_db, admin = _log_in(office, "13800000000", "admin1234")
    try:
        spec = create_custom_field(admin_db, admin, "customer", CustomFieldInput(
            label="注册资本", type=FieldType.MONEY, indexed=True))  # saved; the DDL is the owner's
    finally:
        admin_db.dispose()
    name = f"cfidx_customers_{spec.key}"
    owner = bootstrap(office.cluster.url)
    try:
        def present() -> bool:
            with owner.engine.connect() as conn:
                return bool(conn.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = :n"), {"n": name}))

        assert not present()
        setup_server(office.cluster.url, prefix=PREFIX)
        assert present()
    finally:
        owner.dispose()
