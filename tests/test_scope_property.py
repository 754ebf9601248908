"""Property: for random department trees, superior chains, role sets and teams, the records
each user can list are exactly those a plain reference model of the six scopes (custom ones
with random department sets, empty ones included) plus teams allows — on SQLite and on PostgreSQL. Customers, opportunities, contracts and payments alike,
on every read path: the list, its count, its search, a detail read and the export."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from crm_desktop.db import Database
from crm_desktop.models import (
    Contract,
    Customer,
    Department,
    Opportunity,
    Payment,
    Role,
    RoleDataScope,
    RolePermission,
    RoleScopeDepartment,
    TeamMember,
    User,
    user_roles,
    utcnow,
)
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import NotFound
from crm_desktop.services.org.actor import load_actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records.export import ExportRequest, export_xlsx
from crm_desktop.services.records.records import RecordService
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.payments import payments

#: The sales records built beside each customer (same owner, team and bin state), and a search
#: term every one of them matches (by name, number or — for contracts — the customer's name).
SALES: tuple[tuple[str, RecordService[Any], str], ...] = (
    ("opportunity", opportunities, "商机"), ("contract", contracts, "客户"), ("payment", payments, "HK-"),
)


@dataclass
class World:
    dept_parent: list[int | None]  # index → parent index (0 is the top)
    user_dept: list[int]
    user_superior: list[int | None]
    role_scope: list[DataScope]
    #: role → the department indexes of its custom scope (used where its scope is CUSTOM).
    role_depts: list[frozenset[int]]
    user_roles: list[list[int]]
    record_owner: list[int]
    team: list[tuple[int, int, str]]  # (record, user, access)
    deleted: list[bool]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_dept = draw(st.integers(1, 6))
    dept_parent: list[int | None] = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n_dept)]
    n_users = draw(st.integers(1, 8))
    user_dept = [draw(st.integers(0, n_dept - 1)) for _ in range(n_users)]
    # A superior is someone earlier in a random order: chains of any shape, never a loop.
    order = draw(st.permutations(range(n_users)))
    rank = {u: i for i, u in enumerate(order)}
    user_superior: list[int | None] = []
    for u in range(n_users):
        earlier = [v for v in range(n_users) if rank[v] < rank[u]]
        user_superior.append(draw(st.one_of(st.none(), st.sampled_from(earlier))) if earlier else None)
    n_roles = draw(st.integers(1, 4))
    role_scope = [draw(st.sampled_from(list(DataScope))) for _ in range(n_roles)]
    # Empty sets too: a custom scope whose departments were all deleted (only its own records).
    role_depts = [frozenset(draw(st.sets(st.integers(0, n_dept - 1), max_size=n_dept))) for _ in range(n_roles)]
    roles_of = [sorted(draw(st.sets(st.integers(0, n_roles - 1), min_size=1, max_size=n_roles))) for _ in range(n_users)]
    n_rec = draw(st.integers(0, 14))
    record_owner = [draw(st.integers(0, n_users - 1)) for _ in range(n_rec)]
    team = draw(st.lists(st.tuples(st.integers(0, max(n_rec - 1, 0)), st.integers(0, n_users - 1),
                                   st.sampled_from(["read", "write"])), max_size=6, unique_by=lambda t: (t[0], t[1])))
    team = [t for t in team if n_rec and record_owner[t[0]] != t[1]]
    deleted = [draw(st.booleans()) and draw(st.booleans()) for _ in range(n_rec)]
    return World(dept_parent, user_dept, user_superior, role_scope, role_depts, roles_of, record_owner, team, deleted)


def reference_owners(w: World, u: int) -> set[int]:
    """The users whose records user ``u``'s roles let them see (the six scopes, teams aside),
    written as plainly as possible. A custom scope: its own records and those of the users of
    exactly the chosen departments (sub-departments are not implied)."""
    def subtree(d: int) -> set[int]:
        out = {d}
        changed = True
        while changed:
            grown = {i for i, p in enumerate(w.dept_parent) if p in out}
            changed = not grown <= out
            out |= grown
        return out

    def reports(x: int) -> set[int]:
        out = {x}
        changed = True
        while changed:
            grown = {v for v, s in enumerate(w.user_superior) if s in out}
            changed = not grown <= out
            out |= grown
        return out

    everyone = set(range(len(w.user_dept)))
    owners: set[int] = set()
    for r in w.user_roles[u]:
        owners |= {
            DataScope.SELF: {u},
            DataScope.SUBORDINATES: reports(u),
            DataScope.DEPARTMENT: {v for v in everyone if w.user_dept[v] == w.user_dept[u]},
            DataScope.DEPARTMENT_TREE: {v for v in everyone if w.user_dept[v] in subtree(w.user_dept[u])},
            DataScope.ALL: everyone,
            DataScope.CUSTOM: {u} | {v for v in everyone if w.user_dept[v] in w.role_depts[r]},
        }[w.role_scope[r]]
    return owners


def reference_visible(w: World, u: int) -> set[int]:
    """The six scopes and teams: the live records user ``u`` may see."""
    owners = reference_owners(w, u)
    by_team = {rec for rec, member, _ in w.team if member == u}
    return {i for i, o in enumerate(w.record_owner) if (o in owners or i in by_team) and not w.deleted[i]}


def clear_organisation(s: Session, records: Sequence[type[Any]]) -> None:
    """Empty ``records`` (children first), then the roles, users and departments."""
    for table in (*records, TeamMember):
        s.execute(delete(table))
    s.execute(delete(user_roles))
    for table in (RoleScopeDepartment, RoleDataScope, RolePermission, Role):
        s.execute(delete(table))
    s.execute(delete(User))
    s.execute(update(Department).values(parent_id=None))  # RESTRICT is checked row by row
    s.execute(delete(Department))


def add_organisation(s: Session, w: World, roles: Sequence[Role]) -> list[int]:
    """The world's departments and users (with ``roles`` and superiors); the user ids. Every
    custom scope row of role ``i`` gets the departments ``w.role_depts[i]``."""
    dept_ids: list[int] = []
    for i, parent in enumerate(w.dept_parent):
        d = Department(name=f"d{i}", parent_id=None if parent is None else dept_ids[parent])
        s.add(d)
        s.flush()
        dept_ids.append(d.id)
    for i, role in enumerate(roles):
        for row in role.scopes:
            if row.scope == DataScope.CUSTOM:
                row.departments = [RoleScopeDepartment(department_id=dept_ids[d]) for d in sorted(w.role_depts[i])]
    users = [User(mobile=f"1380000{i:04d}", name=f"u{i}", password_hash="x", department_id=dept_ids[d],
                  roles=[roles[r] for r in w.user_roles[i]]) for i, d in enumerate(w.user_dept)]
    s.add_all(users)
    s.flush()
    for user, sup in zip(users, w.user_superior):
        if sup is not None:  # the objects in hand: a get() would reload each user's roles
            user.superior_id = users[sup].id
    return [user.id for user in users]


def build(db: Database, w: World) -> tuple[list[int], list[int]]:
    """Write the world straight into the tables (the property is about reading)."""
    with db.sessions.begin() as s:
        clear_organisation(s, (Payment, Contract, Opportunity, Customer))
        roles = []
        for i, scope in enumerate(w.role_scope):
            modules = ("customer", *(entity for entity, _service, _term in SALES))
            role = Role(name=f"r{i}", description="", is_super=False,
                        permissions=[RolePermission(module=m, action=a) for m in modules for a in ("view", "export")],
                        scopes=[RoleDataScope(module=m, scope=scope.value) for m in modules])
            s.add(role)
            roles.append(role)
        user_ids = add_organisation(s, w, roles)
        record_ids: list[int] = []
        for i, owner in enumerate(w.record_owner):
            c = Customer(name=f"c{i} 客户", owner_id=user_ids[owner], creator_id=user_ids[owner], custom={})
            if w.deleted[i]:
                c.deleted_at = utcnow()
            s.add(c)
            s.flush()
            record_ids.append(c.id)
        for rec, member, access in w.team:
            s.add(TeamMember(entity="customer", record_id=record_ids[rec], user_id=user_ids[member], access=access))
        # Each customer's opportunity, contract and payment: the same owner, team and bin state,
        # the records of one index sharing an id so the reference model serves them all.
        today = dt.date(2026, 1, 5)
        for i, owner in enumerate(w.record_owner):
            base = {"id": record_ids[i], "owner_id": user_ids[owner], "creator_id": user_ids[owner], "custom": {},
                    "deleted_at": utcnow() if w.deleted[i] else None}
            s.add(Opportunity(**base, name=f"o{i} 商机", customer_id=record_ids[i], amount=Decimal("100.00")))
            s.add(Contract(**base, number=f"HT-{i}", name=f"k{i}", customer_id=record_ids[i],
                           amount=Decimal("100.00"), approval_status="approved"))
            s.flush()
            s.add(Payment(**base, number=f"HK-{i}", contract_id=record_ids[i], customer_id=record_ids[i],
                          amount=Decimal("10.00"), paid_date=today, approval_status="approved"))
        for entity, _service, _term in SALES:
            for rec, member, access in w.team:
                s.add(TeamMember(entity=entity, record_id=record_ids[rec], user_id=user_ids[member], access=access))
    return user_ids, record_ids


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=worlds())
def test_listed_records_match_the_reference_model(db: Database, w: World) -> None:
    user_ids, record_ids = build(db, w)
    for u, uid in enumerate(user_ids):
        with db.sessions() as s:
            actor = load_actor(s, uid)
        listed = customers.visible_ids(db, actor)
        expected = {record_ids[i] for i in reference_visible(w, u)}
        assert listed == expected, f"user {u}"
        # The paginated list and the count go through the same filter.
        page = customers.list_page(db, actor, limit=100)
        assert {r.id for r in page.rows} == expected
        assert customers.count(db, actor) == len(expected)
        for entity, service, term in SALES:
            where = f"user {u}, {entity}"
            assert service.visible_ids(db, actor) == expected, where
            assert {r.id for r in service.list_page(db, actor, limit=100).rows} == expected, where
            assert service.count(db, actor) == len(expected), where
            assert {r.id for r in service.list_page(db, actor, limit=100, text=term).rows} == expected, where
            assert service.count(db, actor, text=term) == len(expected), where
            for rid in record_ids:  # the detail read: visible ones open, the others do not exist
                try:
                    assert service.get(db, actor, rid).id == rid and rid in expected, where
                except NotFound:
                    assert rid not in expected, where


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=worlds())
def test_exports_match_the_reference_model(db: Database, w: World, tmp_path_factory: Any) -> None:
    """The export (the whole list, or picked ids — out-of-scope ones silently dropped) of each
    sales module holds exactly the rows the reference model lets the user see."""
    from openpyxl import load_workbook

    user_ids, record_ids = build(db, w)
    folder: Path = tmp_path_factory.mktemp("export")
    for u, uid in enumerate(user_ids):
        with db.sessions() as s:
            actor = load_actor(s, uid)
        expected = {record_ids[i] for i in reference_visible(w, u)}
        for entity, service, _term in SALES:
            key = "number" if entity != "opportunity" else "name"
            for request in (ExportRequest(columns=(key,)), ExportRequest(columns=(key,), ids=record_ids)):
                path = folder / f"{entity}-{u}.xlsx"
                steps = export_xlsx(db, actor, service, path, request)
                try:
                    while True:
                        next(steps)
                except StopIteration as done:
                    assert done.value == len(expected), f"user {u}, {entity}"
                rows = list(load_workbook(path, read_only=True).active.iter_rows(min_row=2, values_only=True))
                prefix = {"opportunity": "o", "contract": "HT-", "payment": "HK-"}[entity]
                got = {int(str(r[0]).removeprefix(prefix).split(" ")[0]) for r in rows}
                assert got == set(reference_visible(w, u)), f"user {u}, {entity}"
