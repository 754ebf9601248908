"""The customer's screens (客户): list columns, form, detail header and tabs, actions."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column, FormLayout, RecordTexts, ViewSpec

CUSTOMER = ViewSpec(
    entity="customer",
    title=QT_TRANSLATE_NOOP("RecordDetailWindow", "Customer"),
    texts=RecordTexts(
        count_one=QT_TRANSLATE_NOOP("CustomersTab", "{n} customer"),
        count_many=QT_TRANSLATE_NOOP("CustomersTab", "{n} customers"),
        search_placeholder=QT_TRANSLATE_NOOP("CustomersTab", "Search name or phone"),
        new_title=QT_TRANSLATE_NOOP("CustomersTab", "New customer"),
        edit_title=QT_TRANSLATE_NOOP("CustomersTab", "Edit customer"),
        confirm_delete=QT_TRANSLATE_NOOP(
            "CustomersTab", "Move {n} selected customers to the recycle bin? They can be restored from there."),
        recycle_bin_title=QT_TRANSLATE_NOOP("CustomersTab", "Recycle bin: customers"),
        log_title=QT_TRANSLATE_NOOP("CustomersTab", "Operation log: {name}"),
        context="CustomersTab",
    ),
    columns=(
        Column("name", 240),
        Column("phone", 130),
        Column("level", 120),
        Column("industry", 110),
        Column("deal_status", 80),
        Column("locked", 60),
        Column("address", 180),
        Column("owner_name", 100),
        Column("updated_at", 140),
    ),
    form=FormLayout(("name", "phone", "level", "industry", "address", "remark")),
    header_facts=("owner_id", "level", "deal_status", "locked", "approval_status", "last_followup_at",
                  "next_contact_at"),
    detail_tabs=("followups", "info", "contacts", "opportunities", "contracts", "payments", "team", "timeline", "attachments",
                 "approvals", "log"),
    actions=("star", "lock", "deal_status", "put_in_pool", "transfer_contacts", "export"),
    message_fields=("name", "phone", "level", "industry", "address", "remark", "deal_status", "locked"),
)
