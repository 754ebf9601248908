"""ProductsTab driven as a user would: a category, a product in it through the form, off shelf —
and then the opportunity form refuses that product for a new line."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.sales import products as product_ops
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.ui import ops
from crm_desktop.ui.records.forms.opportunity_form import OpportunityDialog
from crm_desktop.ui.records.lists.opportunities import OpportunitiesTab
from crm_desktop.ui.records.lists.products import ProductsTab
from tests.ui_helpers import admin_context


def idle(qtbot: QtBot, busy: object = None) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0 and not (busy and busy()), timeout=15_000)  # type: ignore[operator]


def test_product_through_the_tab_then_off_shelf(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, actor = ctx.db, ctx.actor
    tab = ProductsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    idle(qtbot, tab.model.is_loading)

    # A category through the tree's dialog.
    dialog = tab.open_category_dialog("add")
    assert dialog is not None
    dialog.name_edit.setText("软件")
    dialog.submit()
    qtbot.waitUntil(lambda: len(tab.categories) == 1, timeout=10_000)
    software = tab.categories[0]
    tab.select_category(software.id)
    assert tab.current_category() == software

    # A product through the form: the category is a picker, preset to the chosen category.
    tab.record_dialog = None
    tab.new_record()
    qtbot.waitUntil(lambda: tab.record_dialog is not None, timeout=5_000)
    form = tab.record_dialog
    combo = form.editors["category_id"]
    assert isinstance(combo, QComboBox) and combo.currentText() == "软件"
    form.set_value("name", "星辰 CRM 企业版")
    form.set_value("code", "CRM-ENT")
    form.set_value("unit", "套")
    form.set_value("price", "19800.50")
    form.save()
    qtbot.waitUntil(lambda: not isValid(form) or not form.isVisible(), timeout=10_000)
    product = product_ops.products.list_page(db, actor).rows[0]
    assert product.values["category_id"] == software.id and product.values["price"] == Decimal("19800.50")
    qtbot.waitUntil(lambda: tab.model.row_of(product.id) is not None, timeout=10_000)
    assert tab.model.rowCount() == 1

    # "All products" and another (empty) category narrow the list in SQL.
    other = product_ops.create_category(db, actor, "硬件")
    tab.reload_categories()
    qtbot.waitUntil(lambda: len(tab.categories) == 2, timeout=10_000)
    tab.select_category(other.id)
    idle(qtbot, tab.model.is_loading)
    assert tab.model.rowCount() == 0
    tab.select_category(None)
    idle(qtbot, tab.model.is_loading)
    assert tab.model.rowCount() == 1

    # Off shelf.
    tab.select_ids([product.id])
    assert tab.off_shelf_button.isEnabled()
    tab.off_shelf_button.click()
    qtbot.waitUntil(lambda: product_ops.products.get(db, actor, product.id).values["on_shelf"] is False,
                    timeout=10_000)
    qtbot.waitUntil(lambda: tab.display_text(tab.model.row_of(product.id) or 0, "on_shelf") == "No", timeout=10_000)

    # The opportunity form does not offer it, and refuses it when it is added anyway.
    customer = customers.create(db, actor, {"name": "厦门海晟物流有限公司"})
    opportunities_tab = OpportunitiesTab(ctx)
    qtbot.addWidget(opportunities_tab)
    idle(qtbot, opportunities_tab.model.is_loading)
    opportunities_tab.new_record()
    qtbot.waitUntil(lambda: opportunities_tab.record_dialog is not None, timeout=5_000)
    new = opportunities_tab.record_dialog
    assert isinstance(new, OpportunityDialog)
    picker = new.lines_editor.pick_product()
    idle(qtbot)
    assert picker.results.count() == 0  # only on-shelf products are offered
    picker.reject()
    new.set_value("name", "海晟物流 CRM")
    new.select_customer(customer.id)
    idle(qtbot, new.is_loading)
    new.lines_editor.add_product(product_ops.ProductOption(product.id, "星辰 CRM 企业版", "CRM-ENT", "套",
                                                           Decimal("19800.50"), software.id))
    new.save()
    qtbot.waitUntil(lambda: new.lines_error_label.isVisibleTo(new), timeout=10_000)
    assert "off the shelf" in new.lines_error_label.text() and new.isVisible()
    assert opportunities.count(db, actor) == 0
    new.reject()


def test_product_window_shows_its_pictures_under_the_header(qtbot: QtBot, sqlite_db: Database) -> None:
    from crm_desktop.models import Product
    from crm_desktop.services.records import attachments
    from crm_desktop.ui.records.details.product import THUMBNAIL_HEIGHT, ProductPictures
    from crm_desktop.ui.records.details.window import open_detail
    from tests.test_products import png

    ctx = admin_context(sqlite_db)
    p = product_ops.products.create(ctx.db, ctx.actor, {"name": "工业网关", "code": "GW-01", "price": "100"})
    window = open_detail(ctx, "product", p.id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None and not window.is_loading(), timeout=10_000)
    part = window.header_part
    assert isinstance(part, ProductPictures) and part.pictures == [] and not part.isVisible()  # none yet
    attachments.add_attachment(ctx.db, ctx.actor, Product, p.id, filename="正面.png", data=png(200, 100))
    attachments.add_attachment(ctx.db, ctx.actor, Product, p.id, filename="手册.pdf", data=b"%PDF")
    ctx.signals.notify("product", p.id)
    qtbot.waitUntil(lambda: len(part.thumbnails) == 1 and not window.is_loading(), timeout=10_000)
    assert part.isVisible()
    thumbnail = part.thumbnails[0]
    assert thumbnail.toolTip() == "正面.png" and thumbnail.pixmap().height() == THUMBNAIL_HEIGHT
    assert thumbnail.pixmap().width() == 2 * THUMBNAIL_HEIGHT  # the picture's proportions kept
    window.close()
