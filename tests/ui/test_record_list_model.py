"""RecordTableModel: keyset pages, SQL sorting and searching, data scope, live refresh."""
from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.models import Customer
from crm_desktop.services.customers.customers import FIELDS, customers, insert_record
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records.records import RecordService
from crm_desktop.services.uow import unit_of_work
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.shared.list_model import (
    ColumnSpec,
    RecordIdRole,
    RecordTableModel,
)
from tests.ui_helpers import admin_context

COLUMNS = (
    ColumnSpec("name", "Name", 200),
    ColumnSpec("phone", "Phone", 120),
    ColumnSpec("owner_name", "Owner", 100, sortable=False),
    ColumnSpec("updated_at", "Updated", 140),
)
NAME, PHONE, OWNER, UPDATED = range(4)
SALES_PASSWORD = "sales1234"


def make_sales_user(
    db: Database, admin: Actor, *, mobile: str = "13900000001", name: str = "销售小王",
    actions: tuple[str, ...] = ("view", "create", "edit"),
) -> Actor:
    """A user whose role sees only their own customers (scope "self")."""
    role = roles.create_role(db, admin, roles.RoleInput(
        name=f"Sales {mobile}", permissions=frozenset(("customer", a) for a in actions),
        scopes={"customer": DataScope.SELF},
    ))
    users.create_user(db, admin, users.UserInput(
        mobile=mobile, name=name, department_id=admin.department_id, role_ids=(role.id,)
    ), password=SALES_PASSWORD)
    return auth.login(db, mobile, SALES_PASSWORD)


def settle(qtbot: QtBot, model: RecordTableModel) -> None:
    """Wait until the model's page and count reads have come back."""
    qtbot.waitUntil(lambda: not model.is_loading() and ops.running_count() == 0, timeout=15_000)


def names(model: RecordTableModel) -> list[str]:
    return [model.data(model.index(row, NAME)) for row in range(model.rowCount())]


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def many(ctx: AppContext) -> list[str]:
    """250 customers created in shuffled name order (so id order is not name order)."""
    numbers = list(range(250))
    random.Random(7).shuffle(numbers)
    # The service's own insert path (validation, audit, search), one transaction for all: the
    # model is under test here, not 250 separate saves.
    with unit_of_work(ctx.db, ctx.actor) as uow:
        for i in numbers:
            insert_record(uow, customers, {"name": f"客户 {i:03d}", "phone": f"1390000{i:04d}"},
                          owner_id=ctx.actor.user_id)
    return sorted(f"客户 {i:03d}" for i in numbers)


@pytest.fixture
def model(qtbot: QtBot, ctx: AppContext, many: list[str]) -> Iterator[RecordTableModel]:
    m = RecordTableModel(ctx, customers, COLUMNS)
    settle(qtbot, m)
    yield m
    ops.wait_idle()


def test_first_page_only_then_fetch_more(qtbot: QtBot, model: RecordTableModel) -> None:
    assert model.rowCount() == 100
    assert model.total == 250
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    settle(qtbot, model)
    assert model.rowCount() == 200
    model.fetchMore(QModelIndex())
    settle(qtbot, model)
    assert model.rowCount() == 250
    assert not model.canFetchMore(QModelIndex())
    assert len(set(names(model))) == 250  # no page overlapped another


def test_columns_show_owner_and_updated_time(model: RecordTableModel, ctx: AppContext) -> None:
    assert model.headerData(OWNER, Qt.Orientation.Horizontal) == "Owner"
    assert model.data(model.index(0, OWNER)) == ctx.actor.name
    updated = model.data(model.index(0, UPDATED))
    assert len(updated) == len("2024-01-31 09:30") and updated[4] == "-"
    record_id = model.data(model.index(0, NAME), RecordIdRole)
    assert model.record(0).id == record_id


def test_default_order_is_most_recently_updated_first(model: RecordTableModel, ctx: AppContext) -> None:
    newest = customers.list_page(ctx.db, ctx.actor, sort="updated_at", descending=True, limit=1).rows[0]
    assert model.data(model.index(0, NAME)) == newest.values["name"]


def test_sort_runs_in_sql_across_pages(qtbot: QtBot, model: RecordTableModel, many: list[str]) -> None:
    model.sort(NAME, Qt.SortOrder.AscendingOrder)
    settle(qtbot, model)
    # The first page holds the 100 smallest names of all 250, not of the rows loaded before.
    assert names(model) == many[:100]
    model.fetchMore(QModelIndex())
    settle(qtbot, model)
    assert names(model) == many[:200]
    model.sort(NAME, Qt.SortOrder.DescendingOrder)
    settle(qtbot, model)
    assert model.rowCount() == 100
    assert names(model) == many[::-1][:100]


def test_owner_column_cannot_be_sorted(qtbot: QtBot, model: RecordTableModel) -> None:
    before = names(model)
    model.sort(OWNER, Qt.SortOrder.AscendingOrder)
    settle(qtbot, model)
    assert model.sort_field == "updated_at" and names(model) == before


def test_search_narrows_rows_and_count(qtbot: QtBot, model: RecordTableModel) -> None:
    model.set_search("客户 12")
    settle(qtbot, model)
    assert sorted(names(model)) == [f"客户 12{i}" for i in range(10)]
    assert model.total == 10
    assert not model.canFetchMore(QModelIndex())
    model.set_search("13900000042")  # phone
    settle(qtbot, model)
    assert names(model) == ["客户 042"]
    model.set_search("")
    settle(qtbot, model)
    assert model.rowCount() == 100 and model.total == 250


def test_stale_page_is_discarded(qtbot: QtBot, ctx: AppContext, many: list[str]) -> None:
    gate = threading.Event()

    class SlowSearch(RecordService[Customer]):
        def list_page(self, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("text") == "slow":
                gate.wait(10)
            return super().list_page(*args, **kwargs)

    slow = SlowSearch(Customer, fields=FIELDS, required=("name",), search_fields=("name", "phone"))
    model = RecordTableModel(ctx, slow, COLUMNS)
    settle(qtbot, model)
    model.set_search("slow")  # its page is held back …
    model.set_search("客户 00")  # … and superseded before it arrives
    qtbot.waitUntil(lambda: not model.is_loading(), timeout=10_000)
    assert sorted(names(model)) == [f"客户 00{i}" for i in range(10)]
    gate.set()
    ops.wait_idle()
    qtbot.wait(50)  # let the late page's callback run
    assert sorted(names(model)) == [f"客户 00{i}" for i in range(10)]
    assert model.total == 10


def test_sales_user_sees_only_own_rows(qtbot: QtBot, ctx: AppContext, many: list[str]) -> None:
    sales = make_sales_user(ctx.db, ctx.actor)
    for i in range(5):
        customers.create(ctx.db, ctx.actor, {"name": f"销售客户 {i}"}, owner_id=sales.user_id)
    model = RecordTableModel(ctx.with_actor(sales), customers, COLUMNS)
    settle(qtbot, model)
    assert sorted(names(model)) == [f"销售客户 {i}" for i in range(5)]
    assert model.total == 5
    assert {model.data(model.index(r, OWNER)) for r in range(model.rowCount())} == {"销售小王"}


def test_reloads_when_its_entity_changes(qtbot: QtBot, ctx: AppContext) -> None:
    sqlite_db, admin = ctx.db, ctx.actor
    first = customers.create(sqlite_db, admin, {"name": "甲公司"})
    model = RecordTableModel(ctx, customers, COLUMNS)
    settle(qtbot, model)
    assert names(model) == ["甲公司"]
    # Saved elsewhere (not through the model): the domain event reaches ctx.signals.changed.
    customers.create(sqlite_db, admin, {"name": "乙公司"})
    qtbot.waitUntil(lambda: model.total == 2, timeout=5_000)
    settle(qtbot, model)
    assert names(model) == ["乙公司", "甲公司"]
    customers.update(sqlite_db, admin, first.id, expected_version=first.version, changes={"phone": "555"})
    qtbot.waitUntil(lambda: model.rowCount() == 2 and model.data(model.index(0, PHONE)) == "555", timeout=5_000)
    assert names(model) == ["甲公司", "乙公司"]  # the edited one is now the most recent


def test_view_and_filter_narrow_rows_and_count(qtbot: QtBot, model: RecordTableModel, ctx: AppContext) -> None:
    from crm_desktop.services.records.filters import Condition, Filter, Op

    assert model.view_key is None and model.filter == Filter()
    flt = Filter(conditions=(Condition("name", Op.CONTAINS, "客户 01"),))
    model.set_filter(flt)
    settle(qtbot, model)
    assert model.filter == flt
    assert sorted(names(model)) == [f"客户 01{i}" for i in range(10)] and model.total == 10
    # "mine" for the admin who owns everything keeps the filter's rows; "starred" has none.
    model.set_view("starred", filter=flt)
    settle(qtbot, model)
    assert model.view_key == "starred" and model.rowCount() == 0 and model.total == 0
    model.set_view("mine", filter=flt, sort="name", descending=False)
    settle(qtbot, model)
    assert names(model) == [f"客户 01{i}" for i in range(10)]
    model.set_view("all")
    settle(qtbot, model)
    assert model.filter == Filter() and model.total == 250


def test_select_values_show_their_labels(qtbot: QtBot, ctx: AppContext) -> None:
    from crm_desktop.services.customers.leads import leads

    leads.create(ctx.db, ctx.actor, {"name": "甲线索", "source": "ads"})
    model = RecordTableModel(ctx, leads, (ColumnSpec("name", "Name"), ColumnSpec("source", "Source"),
                                          ColumnSpec("status", "Status")))
    settle(qtbot, model)
    qtbot.waitUntil(lambda: model.schema is not None, timeout=5_000)
    assert model.data(model.index(0, 1)) == "广告投放"  # the dictionary item's label (zh company)
    assert model.data(model.index(0, 2)) == "New"  # a built-in choice, translated in "fields"
