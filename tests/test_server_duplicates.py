"""Secure server mode (issue 17): the duplicate-claim check (撞单) on a server-setup database.

A rep's own role cannot read a colleague's customer, yet the check must find it
(services/records/duplicates.py): ``crm_duplicate_candidates`` (server_duplicates.py) hands
the candidate rows over, telling no more than the check tells — and a role without create or
edit on customers or leads may not call it at all."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crm_desktop.models import Customer, Lead, RolePermission, user_roles
from crm_desktop.services.maintenance.server_setup import create_login_role
from crm_desktop.services.org.actor import load_actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records.duplicates import DuplicateCandidate, find_in_session
from tests.test_server_rls import Server, as_role, build, secure_server

#: The columns the function returns: the candidate fields, the compared values, nothing else.
COLUMNS = ["kind", "term", "id", "name", "phone", "mobile", "email", "credit_code", "owner_name", "in_pool"]
CALL = "SELECT * FROM crm_duplicate_candidates(:entity, :kinds, :terms)"


@pytest.fixture(scope="module")
def server(pg_template: str) -> Iterator[Server]:
    yield from secure_server(pg_template, "d")


#: user 0: the rep (scope: self); user 1: a colleague (王芳) who owns the company.
ORG = {"dept_parents": [None], "user_depts": [0, 0], "superiors": [None, None], "role_super": [False, False],
       "role_scopes": [{"customer": DataScope.SELF, "lead": DataScope.SELF}, {}], "user_roles": [{0}, {1}],
       "records": [], "team": []}


def _setup(conn: Connection, *, rep_permissions: bool = True) -> tuple[int, int, int]:
    """The rep, the colleague's customer 厦门星辰科技有限公司 and the colleague's lead; ids."""
    user_ids, _records = build(conn, ORG)
    conn.execute(text("UPDATE users SET name = '王芳' WHERE id = :u"), {"u": user_ids[1]})
    if rep_permissions:
        role_id = conn.execute(user_roles.select().where(user_roles.c.user_id == user_ids[0])).first().role_id
        for entity in ("customer", "lead"):
            conn.execute(RolePermission.__table__.insert().values(role_id=role_id, module=entity, action="create"))
    customer = conn.execute(Customer.__table__.insert().values(
        name="厦门星辰科技有限公司", normalized_name="星辰科技", phone="0592-5551234", mobile="139 0000 1111",
        email="Boss@Star.cn", credit_code="91350200MA0000000X", address="软件园二期", owner_id=user_ids[1],
        creator_id=user_ids[1]).returning(Customer.id)).scalar_one()
    lead = conn.execute(Lead.__table__.insert().values(
        name="星辰科技（集团）", phone="0592-5551234", email="other@star.cn", owner_id=user_ids[1],
        creator_id=user_ids[1]).returning(Lead.id)).scalar_one()
    return user_ids[0], customer, lead


@pytest.fixture
def rep(server: Server) -> Iterator[tuple[Connection, str, int, int, int]]:
    """(connection in a transaction rolled back afterwards, the rep's role, the rep, the
    colleague's customer, the colleague's lead)."""
    with server.engine.connect() as conn:
        trans = conn.begin()
        rep_id, customer, lead = _setup(conn)
        role = create_login_role(conn, server.prefix, rep_id, password=None)
        yield conn, role, rep_id, customer, lead
        trans.rollback()


def _call(conn: Connection, role: str, entity: str, lookups: list[tuple[str, str]]) -> list[dict[str, Any]]:
    conn.execute(text("SAVEPOINT probe"))
    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    result = conn.execute(text(CALL), {"entity": entity, "kinds": [k for k, _t in lookups],
                                       "terms": [t for _k, t in lookups]})
    assert list(result.keys()) == COLUMNS
    rows = [dict(r._mapping) for r in result]
    conn.execute(text("ROLLBACK TO SAVEPOINT probe"))
    return rows


def test_a_reps_role_finds_an_out_of_scope_duplicate_it_cannot_read(
        rep: tuple[Connection, str, int, int, int]) -> None:
    conn, role, rep_id, customer, _lead = rep
    # Plain SQL as the rep: neither the record nor its search-index row.
    assert as_role(conn, role, f"SELECT id FROM customers WHERE id = {customer}", keep=True) == set()
    assert as_role(conn, role, f"SELECT record_id FROM search_customers WHERE record_id = {customer}", keep=True) == set()
    assert as_role(conn, role, "SELECT id FROM customers WHERE name LIKE '%星辰%'", keep=True) == set()
    # The check, as the rep's role: found, with name, owner and the matched field only.
    conn.execute(text("SAVEPOINT app"))
    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    with Session(bind=conn) as session:
        actor = load_actor(session, rep_id)
        found = find_in_session(session, actor, entity="customer",
                                values={"name": "星辰科技（厦门）", "phone": "+86 592 555 1234"})
    conn.execute(text("ROLLBACK TO SAVEPOINT app"))
    assert found == [
        DuplicateCandidate(entity="customer", record_id=None, name="厦门星辰科技有限公司", owner_name="王芳",
                           field="phone", fields=("name", "phone"), how="exact", in_pool=False, visible=False),
        DuplicateCandidate(entity="lead", record_id=None, name="星辰科技（集团）", owner_name="王芳",
                           field="phone", fields=("name", "phone"), how="exact", in_pool=False, visible=False),
    ]


def test_calling_the_function_by_hand_tells_only_the_compared_value_that_matched(
        rep: tuple[Connection, str, int, int, int]) -> None:
    conn, role, _rep_id, customer, _lead = rep
    rows = _call(conn, role, "customer", [("phone", "05925551234"), ("email", "boss@star.cn"),
                                          ("credit_code", "91350200MA0000000X"), ("normalized", "星辰科技")])
    told = {r["kind"]: {k: v for k, v in r.items() if v not in (None, False)} for r in rows}
    common = {"id": customer, "name": "厦门星辰科技有限公司", "owner_name": "王芳"}
    assert told == {  # the phone lookup tells the phone (equal to the one asked), not the mobile
        "phone": {"kind": "phone", "term": "05925551234", **common, "phone": "0592-5551234"},
        "email": {"kind": "email", "term": "boss@star.cn", **common, "email": "Boss@Star.cn"},
        "credit_code": {"kind": "credit_code", "term": "91350200MA0000000X", **common,
                        "credit_code": "91350200MA0000000X"},
        "normalized": {"kind": "normalized", "term": "星辰科技", **common},
    }
    # Probes the search index would narrow to but that are not the record's values tell nothing:
    # a part of the number, of the e-mail, of the stored name key; LIKE wildcards are literal.
    for lookups in ([("phone", "5551234")], [("email", "star.cn")],
                    [("email", "%")], [("similar", "星辰")], [("similar", "%")], [("name", "%")],
                    [("phone", "0592555123")], [("phone", "555123")], [("credit_code", "91350200")]):
        assert _call(conn, role, "customer", lookups) == [], lookups
    # The mobile's own key: the mobile alone.
    (row,) = _call(conn, role, "customer", [("phone", "13900001111")])
    assert (row["id"], row["phone"], row["mobile"], row["email"]) == (customer, None, "139 0000 1111", None)


def test_a_role_without_customer_or_lead_rights_may_not_call_it(server: Server) -> None:
    """Over a real login (the function knows its caller from session_user): a rep with create
    on customers finds the colleague's customer; a user without it is refused."""
    roles: list[str] = []
    with server.engine.connect() as conn, conn.begin():
        allowed, customer, _lead = _setup(conn)
        refused, _c, _l = _setup(conn, rep_permissions=False)
        for user_id in (allowed, refused):
            roles.append(create_login_role(conn, server.prefix, user_id, password="pw-" + uuid.uuid4().hex))
    try:
        def connect(role: str) -> psycopg.Connection[Any]:
            url = make_url(server.url).set(username=role, password=None, drivername="postgresql")
            return psycopg.connect(url.render_as_string(hide_password=False))

        with connect(roles[0]) as raw:
            assert raw.execute("SELECT id FROM customers WHERE id = %s", (customer,)).fetchall() == []
            found = raw.execute("SELECT id, name FROM crm_duplicate_candidates('customer', %s, %s)",
                                (["name"], ["厦门星辰科技有限公司"])).fetchall()
            assert (customer, "厦门星辰科技有限公司") in found
        with connect(roles[1]) as raw, pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("SELECT * FROM crm_duplicate_candidates('customer', %s, %s)", (["name"], ["厦门星辰科技有限公司"]))
    finally:
        with server.engine.begin() as conn:
            for role in roles:
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))
