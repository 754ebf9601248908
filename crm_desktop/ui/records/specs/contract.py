"""The contract's screens (合同/订单): list columns, form, detail header and tabs, actions, and the
columns of a customer's Contracts tab."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column, FormKind, FormLayout, RecordTexts, ViewSpec

#: The list says "Amount" where the form says "Contract amount"; "outstanding" is computed.
_AMOUNT = QT_TRANSLATE_NOOP("fields", "Amount")
_OUTSTANDING = QT_TRANSLATE_NOOP("fields", "Outstanding")

CONTRACT = ViewSpec(
    entity="contract",
    title=QT_TRANSLATE_NOOP("RecordDetailWindow", "Contract"),
    texts=RecordTexts(
        count_one=QT_TRANSLATE_NOOP("ContractsTab", "{n} contract"),
        count_many=QT_TRANSLATE_NOOP("ContractsTab", "{n} contracts"),
        search_placeholder=QT_TRANSLATE_NOOP("ContractsTab", "Search number, name or customer"),
        new_title=QT_TRANSLATE_NOOP("ContractsTab", "New contract"),
        edit_title=QT_TRANSLATE_NOOP("ContractsTab", "Edit contract"),
        confirm_delete=QT_TRANSLATE_NOOP(
            "ContractsTab", "Move {n} selected contracts to the recycle bin? They can be restored from there."),
        recycle_bin_title=QT_TRANSLATE_NOOP("ContractsTab", "Recycle bin: contracts"),
        log_title=QT_TRANSLATE_NOOP("ContractsTab", "Operation log: {name}"),
        context="ContractsTab",
    ),
    columns=(
        Column("number", 150),
        Column("name", 180),
        Column("customer_name", 190),
        Column("amount", 100, label=_AMOUNT),
        Column("received_amount", 100),
        Column("outstanding_amount", 100, label=_OUTSTANDING),
        Column("approval_status", 90),
        Column("execution_status", 90),
        Column("order_date", 95),
        Column("owner_name", 90),
    ),
    # Choosing the customer fills the opportunity and signer lists with that customer's; the
    # product lines are a part of the form's own.
    form=FormLayout(("name", "customer_id", "opportunity_id", "customer_signer_id", "our_signer_id", "amount",
                     "order_date", "start_date", "end_date", "payment_terms", "remark"), kind=FormKind.CONTRACT,
                    pickers={"customer_id": "", "opportunity_id": "—", "customer_signer_id": "—"}),
    header_facts=("number", "customer_id", "amount", "received_amount", "outstanding_amount", "approval_status",
                  "execution_status", "order_date", "owner_id"),
    header_part="contract_actions",
    detail_tabs=("info", "contract_lines", "plans", "contract_payments", "followups", "approvals", "team",
                 "timeline", "attachments", "log"),
    actions=("submit", "withdraw", "void", "execution_status", "print", "export_pdf", "transfer_team"),
    related_columns={"customer": (
        Column("number", 150),
        Column("name", 180),
        Column("amount", 100, label=_AMOUNT, right=True),
        Column("received_amount", 100, right=True),
        Column("outstanding_amount", 100, label=_OUTSTANDING, right=True),
        Column("approval_status", 100),
        Column("order_date", 100),
        Column("owner_name", 90),
    )},
    message_fields=("number", "opportunity_id", "customer_signer_id", "our_signer_id", "received_amount",
                    "order_date", "start_date", "end_date", "payment_terms", "approval_status", "execution_status"),
    message_labels={"amount": _AMOUNT, "outstanding_amount": _OUTSTANDING,
                    "lines": QT_TRANSLATE_NOOP("fields", "Product lines")},
)
