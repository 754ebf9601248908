"""Import (issue 14), the scope property: for random organisations, role scopes and transfer
grants, an importer creates records only for themselves or (with transfer) for owners inside
their scope, updates only records inside their scope, and leaves every other record as it was
— on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest

from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm_desktop.db import Database
from crm_desktop.models import (
    Customer,
    Opportunity,
    Role,
    RoleDataScope,
    RolePermission,
)
from crm_desktop.services.imports import engine as imp
from crm_desktop.services.org.actor import load_actor
from tests.import_helpers import xlsx
from tests.test_scope_errors import clear_all
from tests.test_scope_property import World, add_organisation, reference_owners, worlds


@dataclass
class ImportWorld:
    org: World
    transfer: list[bool]
    actor: int
    targets: list[int]


@st.composite
def import_worlds(draw: st.DrawFn) -> ImportWorld:
    org = draw(worlds())
    n = len(org.user_dept)
    return ImportWorld(org, [draw(st.booleans()) for _ in org.role_scope], draw(st.integers(0, n - 1)),
                       draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True)))


@pytest.mark.shared_role("the import's match against records outside the importer's scope (the duplicate check's server side)")
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=import_worlds())
def test_an_import_stays_inside_the_importers_scope(db: Database, w: ImportWorld, tmp_path_factory: object) -> None:
    with db.sessions.begin() as s:
        clear_all(s)
        role_rows = []
        for i, scope in enumerate(w.org.role_scope):
            actions = ("view", "create", "edit", "import") + (("transfer",) if w.transfer[i] else ())
            role_rows.append(Role(name=f"r{i}", description="", is_super=False,
                                  permissions=[RolePermission(module="customer", action=a) for a in actions],
                                  scopes=[RoleDataScope(module="customer", scope=scope.value)]))
        s.add_all(role_rows)
        user_ids = add_organisation(s, w.org, role_rows)
        existing = {}
        for i, owner in enumerate(w.org.record_owner):
            c = Customer(name=f"已有{i}号公司", owner_id=user_ids[owner], creator_id=user_ids[owner], remark="原样",
                         normalized_name=f"已有{i}号", custom={})
            s.add(c)
            s.flush()
            existing[c.id] = owner
        mobiles = {u: f"1380000{u:04d}" for u in range(len(user_ids))}
    with db.sessions() as s:
        actor = load_actor(s, user_ids[w.actor])
    rows: list[list[object]] = [["客户名称", "备注", "负责人"]]
    rows += [[f"已有{i}号公司", "改过", None] for i in range(len(w.org.record_owner))]
    rows += [[f"新建{t}号公司", None, mobiles[t]] for t in w.targets]
    path = xlsx(Path(str(tmp_path_factory.mktemp("scope"))) / "f.xlsx", rows)  # type: ignore[attr-defined]

    result = imp.run_import(db, actor, path, imp.ImportOptions(entity="customer", on_duplicate="update"))

    covered = reference_owners(w.org, w.actor)
    may_transfer = any(w.transfer[r] for r in w.org.user_roles[w.actor])
    with db.sessions() as s:
        after = {c.name: (c.owner_id, c.remark) for c in s.scalars(select(Customer))}
    for t in w.targets:
        allowed = t == w.actor or (may_transfer and t in covered)
        got = after.get(f"新建{t}号公司")
        assert (got is not None) is allowed, (t, covered, may_transfer, result.errors)
        if got is not None:
            assert got[0] == user_ids[t]
    for i, owner in enumerate(w.org.record_owner):
        owner_id, remark = after[f"已有{i}号公司"]
        assert owner_id == user_ids[owner]  # an update never moves a record to another owner here
        assert remark == ("改过" if owner in covered else "原样"), (i, owner, covered)
    assert result.created + result.updated + result.skipped + result.failed == len(rows) - 1


@dataclass
class OpportunityWorld:
    org: World
    transfer: list[bool]
    actor: int
    #: per existing customer (its index in ``org.record_owner``): the owner the file names for
    #: a new opportunity of it.
    owners: list[int]


@st.composite
def opportunity_worlds(draw: st.DrawFn) -> OpportunityWorld:
    org = draw(worlds())
    assume(org.record_owner)  # a file of headers only is a file problem, not a scope question
    n = len(org.user_dept)
    return OpportunityWorld(org, [draw(st.booleans()) for _ in org.role_scope], draw(st.integers(0, n - 1)),
                            [draw(st.integers(0, n - 1)) for _ in org.record_owner])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=opportunity_worlds())
def test_an_opportunity_import_stays_inside_the_importers_scope(db: Database, w: OpportunityWorld,
                                                                tmp_path_factory: object) -> None:
    """The modules a service inserts row by row (sales_rows) keep the same two rules: a row
    names a customer the importer can see, and an owner the importer may give records to."""
    with db.sessions.begin() as s:
        clear_all(s)
        role_rows = []
        for i, scope in enumerate(w.org.role_scope):
            actions = ("view", "create", "import") + (("transfer",) if w.transfer[i] else ())
            role_rows.append(Role(
                name=f"r{i}", description="", is_super=False,
                permissions=[RolePermission(module="opportunity", action=a) for a in actions]
                + [RolePermission(module="customer", action="view")],
                scopes=[RoleDataScope(module=m, scope=scope.value) for m in ("opportunity", "customer")]))
        s.add_all(role_rows)
        user_ids = add_organisation(s, w.org, role_rows)
        for i, owner in enumerate(w.org.record_owner):
            s.add(Customer(name=f"已有{i}号公司", owner_id=user_ids[owner], creator_id=user_ids[owner], remark="",
                           normalized_name=f"已有{i}号", custom={}))
        mobiles = {u: f"1380000{u:04d}" for u in range(len(user_ids))}
    with db.sessions() as s:
        actor = load_actor(s, user_ids[w.actor])
    rows: list[list[object]] = [["商机名称", "客户名称", "负责人"]]
    rows += [[f"商机{i}", f"已有{i}号公司", mobiles[t]] for i, t in enumerate(w.owners)]
    path = xlsx(Path(str(tmp_path_factory.mktemp("scope"))) / "o.xlsx", rows)  # type: ignore[attr-defined]

    result = imp.run_import(db, actor, path, imp.ImportOptions(entity="opportunity"))

    covered = reference_owners(w.org, w.actor)
    may_transfer = any(w.transfer[r] for r in w.org.user_roles[w.actor])
    with db.sessions() as s:
        made = {o.name: o.owner_id for o in s.scalars(select(Opportunity))}
    for i, (customer_owner, t) in enumerate(zip(w.org.record_owner, w.owners, strict=True)):
        allowed = customer_owner in covered and (t == w.actor or (may_transfer and t in covered))
        assert (f"商机{i}" in made) is allowed, (i, customer_owner, t, covered, may_transfer, result.errors)
        if allowed:
            assert made[f"商机{i}"] == user_ids[t]
    assert result.created == len(made) and result.created + result.failed == len(rows) - 1
