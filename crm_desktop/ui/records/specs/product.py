"""The product's screens (产品): list columns, form, detail header and tabs, actions."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column, FormKind, FormLayout, RecordTexts, ViewSpec

PRODUCT = ViewSpec(
    entity="product",
    title=QT_TRANSLATE_NOOP("RecordDetailWindow", "Product"),
    texts=RecordTexts(
        count_one=QT_TRANSLATE_NOOP("ProductsTab", "{n} product"),
        count_many=QT_TRANSLATE_NOOP("ProductsTab", "{n} products"),
        search_placeholder=QT_TRANSLATE_NOOP("ProductsTab", "Search name or code"),
        new_title=QT_TRANSLATE_NOOP("ProductsTab", "New product"),
        edit_title=QT_TRANSLATE_NOOP("ProductsTab", "Edit product"),
        confirm_delete=QT_TRANSLATE_NOOP(
            "ProductsTab", "Move {n} selected products to the recycle bin? They can be restored from there."),
        recycle_bin_title=QT_TRANSLATE_NOOP("ProductsTab", "Recycle bin: products"),
        log_title=QT_TRANSLATE_NOOP("ProductsTab", "Operation log: {name}"),
        context="ProductsTab",
    ),
    columns=(
        Column("name", 180),
        Column("code", 110),
        Column("unit", 60),
        Column("price", 110),
        Column("on_shelf", 70),
        Column("owner_name", 90),
        Column("updated_at", 140),
    ),
    # The category is picked from the category tree (indented by depth).
    form=FormLayout(("name", "code", "category_id", "unit", "price", "description"), kind=FormKind.PRODUCT,
                    pickers={"category_id": "—"}),
    header_facts=("code", "category_id", "unit", "price", "on_shelf"),
    header_part="pictures",
    detail_tabs=("info", "attachments", "log"),
    actions=("on_shelf", "off_shelf", "export"),
)
