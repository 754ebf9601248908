"""The lead's screens (线索): list columns, form, detail header and tabs, actions."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column, FormLayout, RecordTexts, ViewSpec

LEAD = ViewSpec(
    entity="lead",
    title=QT_TRANSLATE_NOOP("RecordDetailWindow", "Lead"),
    texts=RecordTexts(
        count_one=QT_TRANSLATE_NOOP("LeadsTab", "{n} lead"),
        count_many=QT_TRANSLATE_NOOP("LeadsTab", "{n} leads"),
        search_placeholder=QT_TRANSLATE_NOOP("LeadsTab", "Search name, contact or phone"),
        new_title=QT_TRANSLATE_NOOP("LeadsTab", "New lead"),
        edit_title=QT_TRANSLATE_NOOP("LeadsTab", "Edit lead"),
        confirm_delete=QT_TRANSLATE_NOOP(
            "LeadsTab", "Move {n} selected leads to the recycle bin? They can be restored from there."),
        recycle_bin_title=QT_TRANSLATE_NOOP("LeadsTab", "Recycle bin: leads"),
        log_title=QT_TRANSLATE_NOOP("LeadsTab", "Operation log: {name}"),
        context="LeadsTab",
    ),
    columns=(
        Column("name", 220),
        Column("contact_name", 110),
        Column("mobile", 120),
        Column("source", 100),
        Column("status", 80),
        Column("owner_name", 100),
        Column("updated_at", 140),
    ),
    form=FormLayout(("name", "contact_name", "phone", "mobile", "email", "source", "industry", "level", "province",
                     "city", "address", "remark")),
    header_facts=("owner_id", "status", "level", "source", "last_followup_at", "next_contact_at"),
    detail_tabs=("followups", "info", "timeline", "attachments", "approvals", "log"),
    actions=("convert", "mark_invalid", "reopen", "export"),
    message_fields=("contact_name", "mobile", "email", "source", "province", "city", "status"),
    message_labels={"invalid_reason": QT_TRANSLATE_NOOP("fields", "Reason")},
)
