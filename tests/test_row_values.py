"""List pages read on SQLite as the driver's rows, converted when read (RowValues): every value
and its type must be what a single-record read (the ORM, eager conversion) gives."""
from __future__ import annotations

import copy
import pickle
from decimal import Decimal

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.sales.products import products


def test_a_list_page_reads_what_a_record_read_gives(db: Database, admin: Actor) -> None:
    budget = create_custom_field(db, admin, "customer", CustomFieldInput("预算", FieldType.MONEY)).name
    c = customers.create(db, admin, {"name": "厦门星辰科技有限公司", "level": "A", "phone": "0592-1234567"},
                         custom={budget: "1234.50"})
    customers.create(db, admin, {"name": "泉州安溪铁观音茶业有限公司"})
    p = products.create(db, admin, {"name": "工业网关", "code": "GW-01", "price": "3280"})
    contracts.create(db, admin, {"name": "一期", "customer_id": c.id, "order_date": "2026-11-02"},
                     lines=[LineInput(p.id, "3280.00", "3", "5")])
    for service in (customers, contracts, products):
        page = service.list_page(db, admin, sort="updated_at")
        assert page.rows
        for row in page.rows:
            one = service.get(db, admin, row.id)
            assert dict(row.values) == dict(one.values), service.module
            assert {k: type(v) for k, v in row.values.items()} == {k: type(v) for k, v in one.values.items()}
            assert (row.created_at, row.updated_at, row.deleted_at, row.custom) == (
                one.created_at, one.updated_at, one.deleted_at, one.custom)
            assert row.values == one.values and row == one  # a Mapping equals the dict of its items
    (row,) = [r for r in customers.list_page(db, admin).rows if r.id == c.id]
    assert row.custom == {budget: "1234.50"} and list(row.custom) == [budget] and len(row.custom) == 1
    assert copy.deepcopy(row.custom) == {budget: "1234.50"}
    (k,) = contracts.list_page(db, admin).rows
    assert k.values["outstanding_amount"] == Decimal("9348.00") and isinstance(k.values["amount"], Decimal)
    assert copy.deepcopy(k.values) == dict(k.values) and pickle.loads(pickle.dumps(k.values)) == dict(k.values)
    assert "outstanding_amount" in k.values and "nothing" not in k.values and k.values.get("nothing") is None


def test_keyset_pages_continue_from_a_converted_cursor(db: Database, admin: Actor) -> None:
    made = [customers.create(db, admin, {"name": f"客户{i:02d}有限公司"}).id for i in range(7)]
    seen: list[int] = []
    after = None
    while True:
        page = customers.list_page(db, admin, sort="updated_at", limit=3, after=after)
        seen += [r.id for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
        assert not isinstance(after[0], str)  # a datetime, as the eager path gave
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_kept_statements_page_by_money_and_search_through_the_driver(db: Database, admin: Actor) -> None:
    """Keyset pages sorted by a Decimal and by a datetime, with and without search text: the
    same records in the same order as one unpaged read (on SQLite these statements go to the
    driver compiled once, with SQLAlchemy's bind processors for the bounds)."""
    c = customers.create(db, admin, {"name": "鹭岛机电有限公司"})
    for i, amount in enumerate(["100.10", "100.10", "2500.00", "99.99", "100.10", "0.01", "7800.50"]):
        contracts.create(db, admin, {"name": f"合同{i}", "customer_id": c.id, "amount": amount})
    for sort in ("amount", "updated_at", "id"):
        for text in (None, "合同", "鹭岛"):
            whole = [r.id for r in contracts.list_page(db, admin, sort=sort, limit=50, text=text).rows]
            paged: list[int] = []
            after = None
            while True:
                page = contracts.list_page(db, admin, sort=sort, limit=2, after=after, text=text)
                paged += [r.id for r in page.rows]
                if page.next_cursor is None:
                    break
                after = page.next_cursor
            assert paged == whole and len(whole) == 7, (sort, text)
    assert contracts.list_page(db, admin, text="没有").rows == ()
