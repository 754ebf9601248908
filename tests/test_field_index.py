"""Indexed custom fields: marking a field indexed creates its expression index (read from the
database's catalogue), unmarking drops it, the list query uses it, and sorting and filtering
give the same rows with the index and without — on SQLite and PostgreSQL."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from crm_desktop.db import Database
from crm_desktop.models import Customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.field_index import index_name
from crm_desktop.services.records.filters import Condition as C
from crm_desktop.services.records.filters import CustomText, Filter, Op
from crm_desktop.services.records.schema import FieldSpec, FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
    list_custom_fields,
    update_custom_field,
)

CATALOGUE = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE tablename = 'customers'",
}


@pytest.fixture(autouse=True)
def _as_the_owner(db: Database) -> None:
    """Index DDL is the table owner's. On a secure server an administrator's own role leaves
    it to ``server-setup`` (tests/test_server_login.py); here the mechanics, as the owner (a
    secure-mode run, CRM_TEST_SECURE, would otherwise act as the administrator's role)."""
    db.act_as = None


def _indexes(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(text(CATALOGUE[db.backend])).scalars())


def _field(db: Database, admin: Actor, label: str, type_: FieldType, **kw: Any) -> tuple[int, FieldSpec]:
    spec = create_custom_field(db, admin, "customer", CustomFieldInput(label=label, type=type_, **kw))
    return next((i, s) for i, s in list_custom_fields(db, admin, "customer") if s.name == spec.name)


def _set_indexed(db: Database, admin: Actor, field_id: int, spec: FieldSpec, on: bool) -> FieldSpec:
    return update_custom_field(db, admin, field_id, CustomFieldInput.from_spec(spec, indexed=on))


def _seed(db: Database, admin: Actor, budget: str, region: str, signed: str) -> None:
    values: list[tuple[str, str | None, str | None, str | None]] = [
        ("甲", "1500.00", "华东", "2026-03-01"), ("乙", "800.50", "华南", "2025-12-31"),
        ("丙", None, "华东", None), ("丁", "20000.00", None, "2026-01-15"), ("戊", "800.50", "", "2026-03-01"),
        ("己", "-3.00", "华北", "2024-07-07"), ("庚", None, None, None), ("辛", "1500.00", "华南", "2026-11-11"),
    ]
    for name, b, r, s in values:
        data = {k: v for k, v in ((budget, b), (region, r), (signed, s)) if v is not None}
        customers.create(db, admin, {"name": name, **data})


def _all_pages(db: Database, admin: Actor, *, sort: str, descending: bool, flt: Filter | None = None,
               limit: int = 3) -> list[int]:
    """Every id of the list, page by page through the keyset cursor (small pages: the bound
    crosses equal keys and missing values)."""
    ids: list[int] = []
    cursor = None
    while True:
        page = customers.list_page(db, admin, sort=sort, descending=descending, after=cursor, limit=limit,
                                   filter=flt)
        ids += [r.id for r in page.rows]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def _results(db: Database, admin: Actor, budget: str, region: str, signed: str) -> list[list[int]]:
    filters = [
        Filter((C(budget, Op.GT, "800.50"),)), Filter((C(budget, Op.LTE, "1500"),)),
        Filter((C(budget, Op.BETWEEN, ["0", "1500"]),)), Filter((C(budget, Op.EQ, "800.5"),)),
        Filter((C(budget, Op.LT, "0"),)), Filter((C(budget, Op.EMPTY),)), Filter((C(budget, Op.NE, "1500"),)),
        Filter((C(region, Op.EQ, "华东"),)), Filter((C(region, Op.IN, ["华南", "华北"]),)),
        Filter((C(region, Op.EMPTY),)), Filter((C(region, Op.NOT_EMPTY),)), Filter((C(region, Op.CONTAINS, "华"),)),
        Filter((C(signed, Op.GTE, "2026-01-15"),)), Filter((C(signed, Op.LT, "2026-01-01"),)),
        Filter((C(signed, Op.BETWEEN, ["2025-01-01", "2026-03-01"]),)),
    ]
    out = [_all_pages(db, admin, sort=f, descending=d) for f in (budget, region, signed) for d in (True, False)]
    out += [_all_pages(db, admin, sort="id", descending=False, flt=f) for f in filters]
    out += [_all_pages(db, admin, sort=budget, descending=True, flt=filters[0])]
    return out


def test_marking_a_field_indexed_creates_its_index_and_unmarking_drops_it(db: Database, admin: Actor) -> None:
    field_id, spec = _field(db, admin, "预算", FieldType.MONEY)
    assert spec.key is not None
    name = index_name(Customer, spec.key)
    assert name not in _indexes(db)
    spec = _set_indexed(db, admin, field_id, spec, True)
    assert spec.indexed and name in _indexes(db)
    assert dict(list_custom_fields(db, admin, "customer"))[field_id].indexed
    spec = _set_indexed(db, admin, field_id, spec, False)
    assert not spec.indexed and name not in _indexes(db)
    # Created indexed from the start; other changes of the field keep the index.
    _other_id, other = _field(db, admin, "签约日", FieldType.DATE, indexed=True)
    assert other.key is not None and index_name(Customer, other.key) in _indexes(db)
    update_custom_field(db, admin, _other_id, CustomFieldInput.from_spec(other, label="签约日期"))
    assert index_name(Customer, other.key) in _indexes(db)


def test_sorting_and_filtering_are_the_same_with_and_without_the_index(db: Database, admin: Actor) -> None:
    fields = [_field(db, admin, label, type_) for label, type_ in
              (("预算", FieldType.MONEY), ("区域", FieldType.TEXT), ("签约日", FieldType.DATE))]
    budget, region, signed = (spec.name for _i, spec in fields)
    _seed(db, admin, budget, region, signed)
    before = _results(db, admin, budget, region, signed)
    assert before[0][:2] and before[-1]  # the lists are not empty
    for field_id, spec in fields:
        _set_indexed(db, admin, field_id, spec, True)
    assert len({n for n in _indexes(db) if n.startswith("cfidx_")}) == 3
    assert _results(db, admin, budget, region, signed) == before
    # The expected order, spelled out once: budget descending, missing values last, id breaks ties.
    by_budget = {r.id: r.custom.get(budget) for r in customers.list_page(db, admin, limit=50).rows}
    expected = sorted(by_budget, key=lambda i: (float(by_budget[i]) if by_budget[i] else -1e300, i), reverse=True)
    assert before[0] == expected


def test_the_list_query_uses_the_index(db: Database, admin: Actor) -> None:
    """An expression index serves only the very expression: the plan of the list's keyset page
    names the index and sorts nothing (PostgreSQL, with eight rows, is told to avoid the
    sequential scan it would rightly prefer)."""
    _field_id, spec = _field(db, admin, "预算", FieldType.MONEY, indexed=True)
    assert spec.key is not None
    with db.sessions() as session:
        policy = customers.policy(session, admin)
        query, _at = customers._page_query(admin, policy, spec.name, True, 100, True)
        conn = session.connection()
        compiled = query.compile(conn)
        params = {**compiled.params, "after_key": 1.0, "after_id": 1}
        if db.backend == "sqlite":
            positional = tuple(params[k] for k in compiled.positiontup or ())
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional)
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", params)
        plan = " ".join(str(r[-1]) for r in rows)
    assert index_name(Customer, spec.key) in plan and "TEMP B-TREE" not in plan and "Sort" not in plan, plan
    if db.backend == "sqlite":  # the keyset bound seeks into the index (not a scan from its start)
        assert f"SEARCH customers USING INDEX {index_name(Customer, spec.key)} (<expr><?)" in plan, plan


def test_index_names_and_keys_are_generated_never_typed(db: Database, admin: Actor) -> None:
    _field_id, spec = _field(db, admin, 'x"); DROP TABLE customers; --', FieldType.TEXT, indexed=True)
    assert spec.key is not None and spec.key.startswith("f")
    assert index_name(Customer, spec.key) in _indexes(db)
    with pytest.raises(ValueError):
        index_name(Customer, 'f1"; DROP TABLE customers; --')
    with pytest.raises(ValueError):
        CustomText(Customer.__table__.c.custom, "f1') --")


def test_fields_that_cannot_be_indexed_are_refused(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as err:
        create_custom_field(db, admin, "customer", CustomFieldInput(
            label="附件", type=FieldType.ATTACHMENT, indexed=True))
    assert set(err.value.field_errors) == {"indexed"}


def test_the_flag_is_a_schema_change_other_processes_see(db: Database, admin: Actor) -> None:
    """Marking a field changes the security token (the custom-field triggers survive 0010)."""
    def token() -> str:
        with db.engine.connect() as conn:
            return str(conn.execute(text("SELECT token FROM cache_signals WHERE name = 'security'")).scalar())

    field_id, spec = _field(db, admin, "预算", FieldType.MONEY)
    before = token()
    _set_indexed(db, admin, field_id, spec, True)
    assert token() != before
