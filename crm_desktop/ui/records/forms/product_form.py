"""The product form (产品): the record form with the category picked from the category tree
(indented by depth). Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.sales import products as product_ops
from crm_desktop.services.sales.products import CategoryNode, products
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.forms.layout import form_fields
from crm_desktop.ui.records.forms.pickers import read_first
from crm_desktop.ui.records.forms.record_dialog import RecordDialog, open_record_form
from crm_desktop.ui.records.shared.record_names import category_choices
from crm_desktop.ui.records.specs.product import PRODUCT


def open_product_form(
    ctx: AppContext, parent: QWidget, *, record_id: int | None = None, title: str,
    on_saved: Callable[[RecordDTO], None] | None = None, on_opened: Callable[[RecordDialog], None] | None = None,
    on_failed: Callable[[BaseException], None] | None = None,
) -> None:
    """Read the category tree, then open the product form (new, or ``record_id``). Returns at once."""

    def show(tree: tuple[CategoryNode, ...]) -> None:
        if isValid(parent):
            fields = form_fields(PRODUCT, pickers={"category_id": category_choices(tree)})
            open_record_form(ctx, products, fields, record_id=record_id, title=title, parent=parent,
                             on_saved=on_saved, on_opened=on_opened, on_failed=on_failed)

    db, actor = ctx.db, ctx.actor
    read_first(parent, lambda: product_ops.category_tree(db, actor), show, on_failed)


__all__ = ["open_product_form"]
