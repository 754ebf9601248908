"""Odd input gets the same answer on SQLite and PostgreSQL: a ValidationError naming the field,
never a driver error, and nothing written.

PostgreSQL refuses a NUL in text and text longer than a varchar; SQLite keeps both (and LIKE
gives up on a pattern of a megabyte). The services check first, with the limits of the field
schema (``FieldSpec.max_length``), so both backends answer alike.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_desktop.db import Database
from crm_desktop.models import AuditEntry, Customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records import search
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.schema import (
    CUSTOM_TEXT_MAX,
    LONG_TEXT_MAX,
    DictionaryItemDTO,
    FieldType,
    get_schema,
)
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
    set_dictionary,
)
from crm_desktop.services.records.validation import (
    MAX_SEARCH,
    SEARCH_TOO_LONG,
    TOO_LONG,
    UNUSABLE_CHARACTER,
)
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.uow import read_only

MEGABYTE = "查" * 1_000_000


def _refused(call: Callable[[], Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as err:
        call()
    return err.value.field_errors


def _written(db: Database) -> tuple[int, int]:
    with read_only(db, None) as uow:
        return (uow.session.scalar(select(func.count()).select_from(Customer)) or 0,
                uow.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_the_schema_carries_each_text_fields_limit(db: Database, admin: Actor) -> None:
    note = create_custom_field(db, admin, "customer", CustomFieldInput(label="备注二", type=FieldType.TEXTAREA))
    code = create_custom_field(db, admin, "customer", CustomFieldInput(label="ERP 编号", type=FieldType.TEXT))
    capital = create_custom_field(db, admin, "customer", CustomFieldInput(label="注册资本", type=FieldType.MONEY))
    schema = get_schema(db, admin, "customer")
    limits = {name: schema.get(name).max_length for name in (  # type: ignore[union-attr]
        "name", "phone", "credit_code", "remark", "created_at", note.name, code.name, capital.name)}
    assert limits == {"name": 200, "phone": 50, "credit_code": 30, "remark": LONG_TEXT_MAX, "created_at": None,
                      note.name: LONG_TEXT_MAX, code.name: CUSTOM_TEXT_MAX, capital.name: None}
    assert str(MAX_SEARCH) in SEARCH_TOO_LONG  # the message states the limit it enforces


@pytest.mark.parametrize("name,problem", [
    ("星辰\x00科技", UNUSABLE_CHARACTER),
    ("星" * 10_001, TOO_LONG),
    ("星" * 201, TOO_LONG),
    ("broken \ud800 text", UNUSABLE_CHARACTER),
])
def test_a_name_that_cannot_be_stored_is_refused_naming_the_field(
        db: Database, admin: Actor, name: str, problem: str) -> None:
    kept = customers.create(db, admin, {"name": "厦门星辰"})
    before = _written(db)
    assert _refused(lambda: customers.create(db, admin, {"name": name})) == {"name": problem}
    assert _refused(lambda: customers.update(db, admin, kept.id, expected_version=1, changes={"name": name})) == {
        "name": problem}
    with pytest.raises(ValidationError) as err:
        customers.create(db, admin, {"name": name})
    assert str(err.value) == f"name: {problem}"  # the same words on either backend
    assert _written(db) == before and customers.get(db, admin, kept.id).version == 1


def test_text_at_its_limit_is_kept_whole(db: Database, admin: Actor) -> None:
    note = create_custom_field(db, admin, "customer", CustomFieldInput(label="说明", type=FieldType.TEXTAREA)).name
    code = create_custom_field(db, admin, "customer", CustomFieldInput(label="编号", type=FieldType.TEXT)).name
    c = customers.create(db, admin, {"name": "名" * 200, "credit_code": "9" * 30, "remark": "备" * LONG_TEXT_MAX,
                                     note: "说" * LONG_TEXT_MAX, code: "c" * CUSTOM_TEXT_MAX})
    got = customers.get(db, admin, c.id)
    assert (len(got.values["name"]), len(got.values["remark"]), len(got.custom[note]), len(got.custom[code])) == (
        200, LONG_TEXT_MAX, LONG_TEXT_MAX, CUSTOM_TEXT_MAX)
    errors = _refused(lambda: customers.create(db, admin, {
        "name": "超长", "credit_code": "9" * 31, "remark": "备" * (LONG_TEXT_MAX + 1), note: "说" * (LONG_TEXT_MAX + 1),
        code: "c" * (CUSTOM_TEXT_MAX + 1)}))
    assert errors == {"credit_code": TOO_LONG, "remark": TOO_LONG, note: TOO_LONG, code: TOO_LONG}
    assert _refused(lambda: customers.create(db, admin, {"name": "带零", code: "a\x00b"})) == {code: UNUSABLE_CHARACTER}


def test_other_record_modules_check_the_same_way(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "厦门星辰"})
    assert _refused(lambda: opportunities.create(db, admin, {"name": "商" * 201, "customer_id": c.id})) == {
        "name": TOO_LONG}
    assert _refused(lambda: opportunities.create(db, admin, {"name": "商\x00机", "customer_id": c.id})) == {
        "name": UNUSABLE_CHARACTER}


@pytest.mark.parametrize("text,problem", [
    (MEGABYTE, SEARCH_TOO_LONG), ("x" * (MAX_SEARCH + 1), SEARCH_TOO_LONG), ("星\x00辰", UNUSABLE_CHARACTER),
])
def test_search_and_filter_text_that_cannot_be_searched_is_refused(
        db: Database, admin: Actor, text: str, problem: str) -> None:
    customers.create(db, admin, {"name": "厦门星辰"})
    assert _refused(lambda: customers.list_page(db, admin, text=text)) == {"text": problem}
    assert _refused(lambda: customers.count(db, admin, text=text)) == {"text": problem}
    narrowed = Filter((Condition("level", Op.NOT_EMPTY),))
    assert _refused(lambda: customers.list_page(db, admin, text=text, filter=narrowed)) == {"text": problem}
    assert _refused(lambda: search.search(db, admin, text)) == {"text": problem}
    for op in (Op.CONTAINS, Op.NOT_CONTAINS, Op.EQ, Op.NE):
        flt = Filter((Condition("name", op, text),))
        assert _refused(lambda: customers.list_page(db, admin, filter=flt)) == {"name": problem}
    flt = Filter((Condition("name", Op.IN, ["厦门星辰", text]),))
    assert _refused(lambda: customers.count(db, admin, filter=flt)) == {"name": problem}


def test_search_text_of_the_limit_is_searched(db: Database, admin: Actor) -> None:
    name = "星" * MAX_SEARCH
    c = customers.create(db, admin, {"name": name})
    assert [r.id for r in customers.list_page(db, admin, text=name).rows] == [c.id]
    assert [h.id for h in search.search(db, admin, f"  {name}  ").all()] == [c.id]


def test_multiselect_contains_matches_its_value_literally(db: Database, admin: Actor) -> None:
    """A chosen value inside the stored JSON list: quotes, backslashes, LIKE wildcards and
    non-ASCII text (stored escaped on SQLite, as is by PostgreSQL's jsonb)."""
    tags = create_custom_field(db, admin, "customer", CustomFieldInput(
        label="标签", type=FieldType.MULTISELECT, dictionary="tags")).name
    values = ["华东", 'say "hi"', "c:\\dir", "50%", "a_b", "a1b"]
    set_dictionary(db, admin, "tags", [DictionaryItemDTO(v, v) for v in values])
    ids = {v: customers.create(db, admin, {"name": f"客户{i}", tags: [v]}).id for i, v in enumerate(values)}
    for value in values:
        flt = Filter((Condition(tags, Op.CONTAINS, value),))
        assert [r.id for r in customers.list_page(db, admin, filter=flt).rows] == [ids[value]], value
        flt = Filter((Condition(tags, Op.NOT_CONTAINS, value),))
        assert {r.id for r in customers.list_page(db, admin, filter=flt).rows} == set(ids.values()) - {ids[value]}
