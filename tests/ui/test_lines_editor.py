"""The product-lines editor: on-shelf picking, Decimal subtotals as the service computes them."""
from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.sales.products import products, set_on_shelf
from crm_desktop.ui import ops
from crm_desktop.ui.records.shared.lines_editor import (
    DISCOUNT,
    PRICE,
    QUANTITY,
    SUBTOTAL,
    LinesEditor,
)
from tests.ui_helpers import admin_context


def test_pick_edit_and_total_like_the_service(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    kept = products.create(sqlite_db, ctx.actor, {"name": "工业网关", "code": "GW-01", "unit": "台", "price": "33.33"})
    gone = products.create(sqlite_db, ctx.actor, {"name": "旧型号网关", "code": "GW-00", "unit": "台", "price": "20"})
    set_on_shelf(sqlite_db, ctx.actor, [gone.id], on_shelf=False)
    editor = LinesEditor(ctx)
    qtbot.addWidget(editor)

    # The picker offers on-shelf products only.
    picker = editor.pick_product()
    qtbot.waitUntil(lambda: picker.results.count() > 0)
    ops.wait_idle()
    assert [picker.results.item(i).text().split("  ·  ")[0] for i in range(picker.results.count())] == ["工业网关"]
    picker.accept()
    assert editor.table.rowCount() == 1

    # 3 × 33.33 with 10 % off: 89.99 exactly, as product_lines computes it.
    editor.table.item(0, QUANTITY).setText("3")
    editor.table.item(0, DISCOUNT).setText("10")
    assert editor.table.item(0, SUBTOTAL).text() == "89.99"
    assert editor.total() == Decimal("89.99")
    [line] = editor.lines()
    assert (line.product_id, line.price, line.quantity, line.discount) == (kept.id, "33.33", "3", "10")

    # A bad number is marked, left as typed, and not counted.
    editor.table.item(0, PRICE).setText("3x")
    assert editor.table.item(0, SUBTOTAL).text() == "—" and editor.total() == Decimal("0.00")
    assert editor.lines()[0].price == "3x"
    editor.table.selectRow(0)
    editor.remove_selected()
    assert editor.lines() == []
