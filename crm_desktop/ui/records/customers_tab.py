"""The Customers tab (客户): the generic record tab with the customer module's specs."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.customers import customers
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import field_label, register_field_labels
from crm_desktop.ui.records.list_model import ColumnSpec
from crm_desktop.ui.records.record_dialog import FieldSpec
from crm_desktop.ui.records.record_tab import RecordTab, RecordTexts


# --- customers --------------------------------------------------------------------------

CUSTOMER_FIELD_LABELS = {
    "name": QT_TRANSLATE_NOOP("fields", "Name"),
    "phone": QT_TRANSLATE_NOOP("fields", "Phone"),
    "level": QT_TRANSLATE_NOOP("fields", "Level"),
    "industry": QT_TRANSLATE_NOOP("fields", "Industry"),
    "address": QT_TRANSLATE_NOOP("fields", "Address"),
    "remark": QT_TRANSLATE_NOOP("fields", "Remark"),
}
register_field_labels(CUSTOMER_FIELD_LABELS)
CUSTOMER_LEVELS = ("A", "B", "C")


class CustomersTab(RecordTab):
    """客户: the customer list with search, create/edit, recycle bin, transfer and log."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, customers, parent=parent)

    def make_columns(self) -> Sequence[ColumnSpec]:
        return (
            ColumnSpec("name", field_label("name"), 240),
            ColumnSpec("phone", field_label("phone"), 130),
            ColumnSpec("level", field_label("level"), 70),
            ColumnSpec("industry", field_label("industry"), 120),
            ColumnSpec("address", field_label("address"), 200),
            ColumnSpec("owner_name", self.tr("Owner"), 100, sortable=False),
            ColumnSpec("updated_at", self.tr("Updated"), 140),
        )

    def make_fields(self) -> Sequence[FieldSpec]:
        levels = (("", "—"), *((level, level) for level in CUSTOMER_LEVELS))
        return (
            FieldSpec("name", field_label("name"), "text", required=True),
            FieldSpec("phone", field_label("phone")),
            FieldSpec("level", field_label("level"), "choice", options=levels),
            FieldSpec("industry", field_label("industry")),
            FieldSpec("address", field_label("address")),
            FieldSpec("remark", field_label("remark"), "multiline"),
        )

    def make_texts(self) -> RecordTexts:
        return RecordTexts(
            count_one=self.tr("{n} customer"),
            count_many=self.tr("{n} customers"),
            search_placeholder=self.tr("Search name or phone"),
            new_title=self.tr("New customer"),
            edit_title=self.tr("Edit customer"),
            confirm_delete=self.tr("Move {n} selected customers to the recycle bin? They can be restored from there."),
            recycle_bin_title=self.tr("Recycle bin: customers"),
            log_title=self.tr("Operation log: {name}"),
        )
