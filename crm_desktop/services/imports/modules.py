"""What each importable module adds to the schema-driven engine: its service, the columns that
are not fields of its own (a customer's contact person, a contact's customer, a product's
category), and the fields its rows are matched on for the duplicate policy."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import followups
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.imports.mapping import (
    CATEGORY_ALIASES,
    CONTACT_FIELDS,
    CONTRACT_REF_ALIASES,
    CREATED_ALIASES,
    CUSTOMER_REF_ALIASES,
    LINE_FIELDS,
    LOST_REASON_ALIASES,
    OWNER_ALIASES,
    STAGE_ALIASES,
)
from crm_desktop.services.records.records import RecordService
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.payments import payments
from crm_desktop.services.sales.products import products


@dataclass(frozen=True)
class ModuleSpec:
    entity: str
    service: RecordService[Any]
    #: Pseudo-targets (not fields) → the header names that map to them.
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Fields an existing record is matched on (duplicate policy), strongest first.
    match_fields: tuple[str, ...] = ("name",)
    #: Whether the duplicate-claim rule (撞单: similar names, phones crosswise) applies.
    claim_check: bool = False
    #: System fields an import may still set (a product's on-shelf state).
    importable_system: tuple[str, ...] = ()
    #: Built-in fields set through a pseudo-target instead (contact → customer by name).
    replaced: tuple[str, ...] = ()
    #: Records inserted row by row through their service (``sales_rows``), not in bulk.
    row_by_row: bool = False
    #: Whether a duplicate may be updated (contracts and payments are not changed by an import).
    updatable: bool = True
    #: Required fields a row may leave out: the writer fills them (a follow-up's kind).
    optional: tuple[str, ...] = ()


_COMMON = {"owner": OWNER_ALIASES, "created_at": CREATED_ALIASES}

MODULES: dict[str, ModuleSpec] = {
    "customer": ModuleSpec(
        "customer", customers, extra={**_COMMON, **CONTACT_FIELDS},
        match_fields=("name", "phone", "mobile", "email", "credit_code"), claim_check=True),
    "lead": ModuleSpec(
        "lead", leads, extra={**_COMMON},
        match_fields=("name", "phone", "mobile", "email"), claim_check=True),
    "contact": ModuleSpec(
        "contact", contacts, extra={**_COMMON, "customer_ref": CUSTOMER_REF_ALIASES},
        match_fields=("mobile", "email"), replaced=("customer_id",)),
    "product": ModuleSpec(
        "product", products, extra={**_COMMON, "category": CATEGORY_ALIASES},
        match_fields=("code",), importable_system=("on_shelf",), replaced=("category_id",)),
    "opportunity": ModuleSpec(
        "opportunity", opportunities,
        extra={**_COMMON, "customer_ref": CUSTOMER_REF_ALIASES, "stage": STAGE_ALIASES,
               "lost_reason": LOST_REASON_ALIASES},
        match_fields=("name",), replaced=("customer_id",), row_by_row=True),
    "contract": ModuleSpec(
        "contract", contracts, extra={**_COMMON, "customer_ref": CUSTOMER_REF_ALIASES, **LINE_FIELDS},
        match_fields=("number",), importable_system=("number",),
        replaced=("customer_id", "opportunity_id", "customer_signer_id"), row_by_row=True, updatable=False),
    "payment": ModuleSpec(
        "payment", payments, extra={**_COMMON, "contract_ref": CONTRACT_REF_ALIASES},
        match_fields=("number",), importable_system=("number",), replaced=("contract_id", "plan_id"),
        row_by_row=True, updatable=False),
    "followup": ModuleSpec(
        "followup", followups, extra={**_COMMON, "customer_ref": CUSTOMER_REF_ALIASES},
        match_fields=(), replaced=("target_entity", "target_id"), row_by_row=True, updatable=False,
        optional=("kind",)),
}

#: Modules whose rows name their customer (客户名称): the customer is required and must be visible.
CUSTOMER_REF_MODULES = ("contact", "opportunity", "contract", "followup")


def module_spec(entity: str) -> ModuleSpec:
    try:
        return MODULES[entity]
    except KeyError:
        raise ValueError(f"no import for {entity!r}") from None
