"""The opportunity's screens (商机): list columns, form, detail header and tabs, actions, and the
columns of a customer's Opportunities tab."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column, FormKind, FormLayout, RecordTexts, ViewSpec

OPPORTUNITY = ViewSpec(
    entity="opportunity",
    title=QT_TRANSLATE_NOOP("RecordDetailWindow", "Opportunity"),
    texts=RecordTexts(
        count_one=QT_TRANSLATE_NOOP("OpportunitiesTab", "{n} opportunity"),
        count_many=QT_TRANSLATE_NOOP("OpportunitiesTab", "{n} opportunities"),
        search_placeholder=QT_TRANSLATE_NOOP("OpportunitiesTab", "Search opportunity name"),
        new_title=QT_TRANSLATE_NOOP("OpportunitiesTab", "New opportunity"),
        edit_title=QT_TRANSLATE_NOOP("OpportunitiesTab", "Edit opportunity"),
        confirm_delete=QT_TRANSLATE_NOOP(
            "OpportunitiesTab", "Move {n} selected opportunities to the recycle bin? They can be restored "
            "from there."),
        recycle_bin_title=QT_TRANSLATE_NOOP("OpportunitiesTab", "Recycle bin: opportunities"),
        log_title=QT_TRANSLATE_NOOP("OpportunitiesTab", "Operation log: {name}"),
        context="OpportunitiesTab",
    ),
    columns=(
        Column("name", 200),
        Column("customer_name", 200),
        Column("amount", 110),
        Column("stage_name", 100),
        Column("status", 80),
        Column("expected_close_date", 120),
        Column("owner_name", 90),
        Column("updated_at", 140),
    ),
    # The customer is chosen once; the product lines and contacts are parts of the form's own.
    form=FormLayout(("name", "customer_id", "amount", "expected_close_date", "remark"), kind=FormKind.OPPORTUNITY,
                    pickers={"customer_id": ""}, new_only=("customer_id",)),
    header_facts=("customer_id", "amount", "expected_close_date", "status", "owner_id"),
    header_part="stage_bar",
    detail_tabs=("info", "lines", "followups", "opportunity_contracts", "stage_history", "team", "timeline",
                 "attachments", "approvals", "log"),
    actions=("set_stage", "win", "lose", "mark_invalid", "reopen", "export", "print_quotation", "export_quotation_pdf",
             "board", "transfer_team"),
    related_columns={"customer": (
        Column("name", 200),
        Column("amount", 110, right=True),
        Column("stage_name", 100),
        Column("status", 80),
        Column("expected_close_date", 120),
        Column("owner_name", 90),
    )},
    message_fields=("customer_name", "stage_name"),
    message_labels={"contact_ids": QT_TRANSLATE_NOOP("fields", "Contacts"),
                    "lines": QT_TRANSLATE_NOOP("fields", "Product lines")},
)
