"""List columns from the schema: the chooser, saved preferences, widths, labels in cells."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import roles
from crm_desktop.services.records import schema_admin, views
from crm_desktop.services.records.schema import Access, FieldType
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.column_chooser import ColumnChooser
from crm_desktop.ui.records.lists.customers import CustomersTab
from crm_desktop.ui.records.lists.leads import LeadsTab
from tests.ui.test_list_views import ctx, open_tab, settle  # noqa: F401 - fixture
from tests.ui.test_record_list_model import make_sales_user


def fields_shown(tab: CustomersTab) -> list[str]:
    return [c.field for c in tab.model.columns]


def headers(tab: CustomersTab) -> list[str]:
    return [tab.model.headerData(i, Qt.Orientation.Horizontal) for i in range(tab.model.columnCount())]


def open_chooser(qtbot: QtBot, tab: CustomersTab) -> ColumnChooser:
    tab.column_control.chooser = None
    tab.column_control.button.click()
    qtbot.waitUntil(lambda: tab.column_control.chooser is not None, timeout=5_000)
    chooser = tab.column_control.chooser
    assert chooser is not None
    return chooser


@pytest.fixture
def wechat(ctx: AppContext) -> str:  # noqa: F811
    spec = schema_admin.create_custom_field(ctx.db, ctx.actor, "customer",
                                      schema_admin.CustomFieldInput(label="微信群", type=FieldType.TEXT))
    customers.create(ctx.db, ctx.actor, {"name": "甲公司", "industry": "it", spec.name: "星辰群"})
    return spec.name


def test_defaults_then_custom_column_survives_reopening(qtbot: QtBot, ctx: AppContext, wechat: str) -> None:  # noqa: F811
    tab = open_tab(qtbot, ctx)
    defaults = [c.field for c in tab.columns]
    assert fields_shown(tab) == defaults
    chooser = open_chooser(qtbot, tab)
    assert chooser.names()[:len(defaults)] == ["owner_id" if f == "owner_name" else f for f in defaults]
    assert wechat in chooser.names()
    chooser.set_checked(wechat, True)
    chooser.set_checked("address", False)
    chooser.list.setCurrentRow(chooser.names().index(wechat))
    for _ in range(len(defaults)):
        chooser.up_button.click()  # to the top
    assert chooser.chosen() == [wechat, *(f if f != "owner_name" else "owner_id" for f in defaults if f != "address")]
    chooser.ok_button.click()
    qtbot.waitUntil(lambda: tab.model.column_of(wechat) == 0, timeout=5_000)
    assert "address" not in fields_shown(tab) and headers(tab)[0] == "微信群"
    assert tab.model.data(tab.model.index(0, 0)) == "星辰群"  # from record.custom

    again = open_tab(qtbot, ctx)
    assert fields_shown(again) == fields_shown(tab)
    assert again.model.data(again.model.index(0, 0)) == "星辰群"

    chooser = open_chooser(qtbot, again)
    chooser.reset_button.click()
    chooser.ok_button.click()
    qtbot.waitUntil(lambda: fields_shown(again) == defaults, timeout=5_000)
    assert views.get_columns(ctx.db, ctx.actor, "customer") is None
    ops.wait_idle()


def test_header_widths_are_remembered(qtbot: QtBot, ctx: AppContext) -> None:  # noqa: F811
    tab = open_tab(qtbot, ctx)
    header = tab.view.horizontalHeader()
    phone = tab.model.column_of("phone")
    assert phone is not None
    header.resizeSection(phone, 222)
    header.resizeSection(phone, 233)  # a drag: one save after the user stops
    qtbot.waitUntil(lambda: views.get_columns(ctx.db, ctx.actor, "customer") is not None, timeout=5_000)
    saved = {c.field: c.width for c in views.get_columns(ctx.db, ctx.actor, "customer") or []}
    assert saved["phone"] == 233 and saved["owner_id"] == 100
    again = open_tab(qtbot, ctx)
    again_phone = again.model.column_of("phone")
    assert again_phone is not None and again.view.horizontalHeader().sectionSize(again_phone) == 233
    ops.wait_idle()


def test_hidden_field_not_offered_nor_shown(qtbot: QtBot, ctx: AppContext, wechat: str) -> None:  # noqa: F811
    sales = make_sales_user(ctx.db, ctx.actor)
    [role] = [r for r in roles.list_roles(ctx.db, ctx.actor) if r.name == "Sales 13900000001"]
    schema_admin.set_field_permissions(ctx.db, ctx.actor, role.id, "customer",
                                 {"industry": Access.HIDDEN, wechat: Access.HIDDEN})
    tab = open_tab(qtbot, ctx.with_actor(sales))
    assert "industry" not in fields_shown(tab)  # a default column of a hidden field is dropped
    chooser = open_chooser(qtbot, tab)
    assert "level" in chooser.names() and "industry" not in chooser.names() and wechat not in chooser.names()
    chooser.reject()
    ops.wait_idle()


def test_dictionary_and_choice_labels_in_cells(qtbot: QtBot, ctx: AppContext, wechat: str) -> None:  # noqa: F811
    tab = open_tab(qtbot, ctx)
    industry = tab.model.column_of("industry")
    assert industry is not None
    qtbot.waitUntil(lambda: tab.model.data(tab.model.index(0, industry)) == "IT/互联网", timeout=5_000)
    ops.wait_idle()


def test_lead_status_delegate_follows_its_column(qtbot: QtBot, ctx: AppContext) -> None:  # noqa: F811
    from crm_desktop.services.customers.leads import leads

    leads.create(ctx.db, ctx.actor, {"name": "线索甲", "source": "ads"})
    tab = LeadsTab(ctx)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.column_control.ready and tab.view_bar.ready, timeout=15_000)
    settle(qtbot, tab)  # type: ignore[arg-type]
    delegate = tab.view.itemDelegateForColumn(tab.model.column_of("status") or 0)
    assert delegate is not None
    chooser = open_chooser(qtbot, tab)  # type: ignore[arg-type]
    chooser.set_checked("source", True)
    chooser.list.setCurrentRow(chooser.names().index("status"))
    chooser.up_button.click()
    chooser.ok_button.click()
    qtbot.waitUntil(lambda: tab.model.column_of("source") is not None, timeout=5_000)
    status, source = tab.model.column_of("status"), tab.model.column_of("source")
    assert status is not None and source is not None
    assert tab.view.itemDelegateForColumn(status) is delegate
    assert tab.model.data(tab.model.index(0, source)) == "广告投放"
    ops.wait_idle()
