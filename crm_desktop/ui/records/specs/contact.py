"""The contact's screens (联系人): list columns, form, detail header and tabs, actions, and the
columns of a customer's Contacts tab."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column, FormKind, FormLayout, RecordTexts, ViewSpec

CONTACT = ViewSpec(
    entity="contact",
    title=QT_TRANSLATE_NOOP("RecordDetailWindow", "Contact"),
    texts=RecordTexts(
        count_one=QT_TRANSLATE_NOOP("ContactsTab", "{n} contact"),
        count_many=QT_TRANSLATE_NOOP("ContactsTab", "{n} contacts"),
        search_placeholder=QT_TRANSLATE_NOOP("ContactsTab", "Search name, phone or e-mail"),
        new_title=QT_TRANSLATE_NOOP("ContactsTab", "New contact"),
        edit_title=QT_TRANSLATE_NOOP("ContactsTab", "Edit contact"),
        confirm_delete=QT_TRANSLATE_NOOP(
            "ContactsTab", "Move {n} selected contacts to the recycle bin? They can be restored from there."),
        recycle_bin_title=QT_TRANSLATE_NOOP("ContactsTab", "Recycle bin: contacts"),
        log_title=QT_TRANSLATE_NOOP("ContactsTab", "Operation log: {name}"),
        context="ContactsTab",
    ),
    columns=(
        Column("name", 120),
        Column("customer_name", 210),
        Column("position", 100),
        Column("mobile", 120),
        Column("email", 170),
        Column("is_primary", 70, label=QT_TRANSLATE_NOOP("ContactsTab", "Primary"), context="ContactsTab"),
        Column("owner_name", 100),
        Column("updated_at", 140),
    ),
    # A contact belongs to the customer chosen when it is created; the service refuses a change.
    form=FormLayout(("name", "customer_id", "position", "phone", "mobile", "email", "wechat", "remark"),
                    kind=FormKind.CONTACT, pickers={"customer_id": ""}, new_only=("customer_id",)),
    header_facts=("customer_id", "position", "owner_id", "last_followup_at", "next_contact_at"),
    detail_tabs=("info", "followups", "timeline", "contact_opportunities", "attachments", "approvals", "log"),
    actions=("set_primary", "export"),
    # The customer's Contacts tab words its own headers (short ones: the tab says whose they are).
    related_columns={"customer": (
        Column("name", 160, label=QT_TRANSLATE_NOOP("CustomerContactsTab", "Name"), context="CustomerContactsTab"),
        Column("position", 140, label=QT_TRANSLATE_NOOP("CustomerContactsTab", "Position"),
               context="CustomerContactsTab"),
        Column("mobile", 140, label=QT_TRANSLATE_NOOP("CustomerContactsTab", "Mobile"), context="CustomerContactsTab"),
        Column("is_primary", 80, label=QT_TRANSLATE_NOOP("CustomerContactsTab", "Primary"),
               context="CustomerContactsTab", center=True, formatter=lambda primary: "★" if primary else ""),
        Column("decision_maker", label=QT_TRANSLATE_NOOP("CustomerContactsTab", "Decision maker"),
               context="CustomerContactsTab"),
    )},
    message_fields=("customer_id", "customer_name", "position", "mobile", "email", "wechat", "is_primary"),
)
