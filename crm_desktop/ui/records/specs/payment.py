"""The payment's screens (回款): list columns, form, detail header and tabs, actions, and the
columns of a customer's and a contract's Payments tabs."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column, FormKind, FormLayout, RecordTexts, ViewSpec

_CONTRACT_NUMBER = QT_TRANSLATE_NOOP("fields", "Contract number")

PAYMENT = ViewSpec(
    entity="payment",
    title=QT_TRANSLATE_NOOP("RecordDetailWindow", "Payment"),
    texts=RecordTexts(
        count_one=QT_TRANSLATE_NOOP("PaymentsTab", "{n} payment"),
        count_many=QT_TRANSLATE_NOOP("PaymentsTab", "{n} payments"),
        search_placeholder=QT_TRANSLATE_NOOP("PaymentsTab", "Search number or remark"),
        new_title=QT_TRANSLATE_NOOP("PaymentsTab", "New payment"),
        edit_title=QT_TRANSLATE_NOOP("PaymentsTab", "Edit payment"),
        confirm_delete=QT_TRANSLATE_NOOP(
            "PaymentsTab", "Move {n} selected payments to the recycle bin? They can be restored from there."),
        recycle_bin_title=QT_TRANSLATE_NOOP("PaymentsTab", "Recycle bin: payments"),
        log_title=QT_TRANSLATE_NOOP("PaymentsTab", "Operation log: {name}"),
        context="PaymentsTab",
    ),
    columns=(
        Column("number", 150),
        Column("contract_number", 150, label=_CONTRACT_NUMBER),
        Column("customer_name", 200),
        Column("amount", 110),
        Column("paid_date", 100),
        Column("method", 100),
        Column("approval_status", 100),
        Column("owner_name", 90),
    ),
    # Approved contracts only, then that contract's payment plans.
    form=FormLayout(("contract_id", "plan_id", "amount", "paid_date", "method", "remark"), kind=FormKind.PAYMENT,
                    pickers={"contract_id": "", "plan_id": "—"}),
    header_facts=("amount", "paid_date", "method", "approval_status", "owner_id"),
    detail_tabs=("info", "approvals", "attachments", "log"),
    actions=("submit",),
    related_columns={
        "customer": (
            Column("number", 150),
            Column("contract_number", 150, label=_CONTRACT_NUMBER),
            Column("amount", 100, right=True),
            Column("paid_date", 100),
            Column("approval_status", 100),
            Column("owner_name", 90),
        ),
        "contract": (
            Column("number", 160),
            Column("amount", 110, right=True),
            Column("paid_date", 100),
            Column("method", 100),
            Column("approval_status", 110),
            Column("remark", 160),
        ),
    },
    message_fields=("contract_id", "plan_id", "paid_date", "method"),
    message_labels={"contract_number": _CONTRACT_NUMBER},
)
