"""Leads (线索): create, edit, transfer, mark invalid, reopen and convert to a customer.

Promises (permission first, the one data-scope filter, one unit of work, audit and events;
thread rule: any thread):

- ``leads`` is the RecordService; ``name`` is required. ``SYSTEM_FIELDS`` (status, conversion,
  follow-up summary) are shown but change only through the operations below and follow-ups.
- Status: new → following (the first follow-up) → converted; new/following → invalid (with a
  reason) → back to following/new with ``reopen``. Each change is audited as "status" (or
  "convert") with a StatusChanged event.
- A converted lead is closed: it cannot be edited, converted again, marked invalid or
  followed up (follow-ups go to its customer). An invalid lead must be reopened to convert.
- ``convert`` (permission lead "convert" and customer "create"): in one unit of work creates
  the customer from the lead (``LEAD_TO_CUSTOMER``), a primary contact when the lead names a
  contact person (``LEAD_TO_CONTACT``; needs contact "create"), both owned by the lead's owner;
  copies custom fields to the customer's custom field of the same label and type
  (``custom_to_customer``); copies the follow-up summary; marks the lead converted with ``converted_customer_id`` and
  ``converted_at``. Two people converting the same lead at once: one wins, the other is told
  it is already converted.
- Automation: every status change fires the lead's status_changed (and field_changed on
  "status") rules in its transaction; a conversion first fires the "created" rules of the new
  customer and contact. A failing rule fails the change and is logged.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Lead, utcnow
from crm_desktop.services.customers.contacts import add_contact, contacts
from crm_desktop.services.customers.customers import (
    customers,
    editable_subset,
    field_checks,
    insert_record,
    load_for,
    to_dto,
    write_status,
)
from crm_desktop.services.errors import RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records.duplicates import guard_in_transaction
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database

FIELDS = (
    "name", "contact_name", "phone", "mobile", "email", "source", "industry", "level",
    "province", "city", "district", "address", "remark",
    "status", "invalid_reason", "converted_customer_id", "converted_at",
    "last_followup_at", "last_followup_content", "next_contact_at",
)
SYSTEM_FIELDS = (
    "status", "invalid_reason", "converted_customer_id", "converted_at",
    "last_followup_at", "last_followup_content", "next_contact_at",
)
EDITABLE_FIELDS = tuple(f for f in FIELDS if f not in SYSTEM_FIELDS)
STATUSES = ("new", "following", "converted", "invalid")

#: Lead field → customer field, copied on conversion. The lead's name is the company.
LEAD_TO_CUSTOMER: dict[str, str] = {
    "name": "name", "phone": "phone", "mobile": "mobile", "email": "email", "source": "source",
    "industry": "industry", "level": "level", "province": "province", "city": "city",
    "district": "district", "address": "address", "remark": "remark",
}
#: Lead field → contact field; a contact is created only when ``contact_name`` is filled in.
LEAD_TO_CONTACT: dict[str, str] = {"contact_name": "name", "mobile": "mobile", "phone": "phone", "email": "email"}
#: The follow-up summary travels to the customer as it is.
SUMMARY_FIELDS = ("last_followup_at", "last_followup_content", "next_contact_at")

_CONVERTED = QT_TRANSLATE_NOOP("errors", "This lead was already converted to a customer and can no longer be changed.")


class LeadService(RecordService[Lead]):
    """RecordService that keeps converted leads read-only and obeys the duplicate-claim setting."""

    def guard_write(self, session: Session, actor: Actor, values: Mapping[str, Any], row: Lead | None) -> None:
        guard_in_transaction(session, actor, entity="lead", values=values, row=row)

    def update(
        self, db: Database, actor: Actor, record_id: int, *, expected_version: int, changes: Mapping[str, Any]
    ) -> RecordDTO:
        # Conversion bumps the version, so a lead converted after this check still fails the
        # save below as a conflict: a converted lead is never edited.
        with read_only(db, actor) as uow:
            require(uow.actor, "lead", "edit")
            if load_for(uow, self, record_id, for_edit=True).status == "converted":
                raise RuleViolation(_CONVERTED)
        return super().update(db, actor, record_id, expected_version=expected_version, changes=changes)


leads = LeadService(
    Lead, fields=FIELDS, required=("name",), search_fields=("name", "contact_name", "phone", "mobile"),
    validate=field_checks(SYSTEM_FIELDS),
)


def _load_open(uow: UnitOfWork, lead_id: int) -> Lead:
    """The lead, locked for this transaction (FOR UPDATE on PostgreSQL), refused if converted."""
    row: Lead = load_for(uow, leads, lead_id, for_edit=True)
    uow.session.refresh(row, with_for_update=True)  # wait for a concurrent convert, then see it
    if row.status == "converted":
        raise RuleViolation(_CONVERTED)
    return row


def _set_status(uow: UnitOfWork, row: Lead, status: str, *, action: str = "status",
                also: Mapping[str, Any] | None = None) -> None:
    """write_status (StatusChanged: the lead's status_changed rules run on it, same transaction)."""
    write_status(uow, row, "status", status, action=action, also=also)


def mark_invalid(db: Database, actor: Actor, lead_id: int, *, reason: str) -> RecordDTO:
    """Mark a new or following lead invalid; ``reason`` is required."""
    if not reason.strip():
        raise ValidationError({"invalid_reason": QT_TRANSLATE_NOOP("errors", "Required.")})
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "lead", "edit")
        row = _load_open(uow, lead_id)
        if row.status == "invalid":
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "This lead is already marked invalid."))
        _set_status(uow, row, "invalid", also={"invalid_reason": reason.strip()})
        return to_dto(uow, leads, row)


def reopen(db: Database, actor: Actor, lead_id: int) -> RecordDTO:
    """Take an invalid lead back: "following" if it was ever followed up, else "new"."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "lead", "edit")
        row = _load_open(uow, lead_id)
        if row.status != "invalid":
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Only a lead marked invalid can be reopened."))
        status = "following" if row.last_followup_at is not None else "new"
        _set_status(uow, row, status, also={"invalid_reason": ""})
        return to_dto(uow, leads, row)


@dataclass(frozen=True)
class ConversionDTO:
    lead_id: int
    customer_id: int
    contact_id: int | None


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def custom_to_customer(uow: UnitOfWork, lead: Lead) -> dict[str, Any]:
    """The lead's filled custom values under the names of the customer's custom fields that
    carry the same label and type: administrators map a lead field to a customer field by
    giving both the same name, which is how they think of them ("Budget" → "Budget")."""
    assert uow.actor is not None
    lead_policy = leads.policy(uow.session, uow.actor)
    _builtin, values = lead_policy.readable(lead)
    by_label = {(_label_key(spec.label), spec.type): values.get(spec.name) for spec in lead_policy.custom_specs}
    mapped: dict[str, Any] = {}
    for spec in customers.policy(uow.session, uow.actor).custom_specs:
        value = by_label.get((_label_key(spec.label), spec.type))
        if value not in (None, "", []):
            mapped[spec.name] = value
    return mapped


def _convert(uow: UnitOfWork, lead_id: int) -> ConversionDTO:
    assert uow.actor is not None
    lead = _load_open(uow, lead_id)
    if lead.status == "invalid":
        raise RuleViolation(
            QT_TRANSLATE_NOOP("errors", "The lead \"{name}\" is marked invalid: reopen it before converting it."),
            name=lead.name,
        )
    owner_id = lead.owner_id
    assert owner_id is not None  # only pooled customers lack an owner
    # Fields the converting user may not write on a customer (field permissions) stay empty.
    mapped = {dst: getattr(lead, src) for src, dst in LEAD_TO_CUSTOMER.items()} | custom_to_customer(uow, lead)
    values = editable_subset(uow, customers, mapped)
    summary = {f: getattr(lead, f) for f in SUMMARY_FIELDS}
    contact_id = None
    # The new records' "created" rules run as they would for a customer entered by hand, once
    # both exist (so a customer rule creating a default contact can see this one).
    with uow.holding_events():
        customer = insert_record(uow, customers, values, owner_id=owner_id, system=summary)
        if lead.contact_name.strip():
            require(uow.actor, "contact", "create")
            contact_values = editable_subset(uow, contacts,
                                             {dst: getattr(lead, src) for src, dst in LEAD_TO_CONTACT.items()})
            contact_id = add_contact(uow, contact_values | {"customer_id": customer.id}, owner_id=owner_id).id
    _set_status(uow, lead, "converted", action="convert",
                also={"converted_customer_id": customer.id, "converted_at": utcnow()})
    return ConversionDTO(lead_id=lead.id, customer_id=customer.id, contact_id=contact_id)


def convert(db: Database, actor: Actor, lead_id: int) -> ConversionDTO:
    """Convert one lead to a customer (and contact); see the module docstring."""
    return convert_many(db, actor, [lead_id])[0]


def convert_many(db: Database, actor: Actor, lead_ids: Sequence[int]) -> list[ConversionDTO]:
    """Convert several leads in one unit of work: all of them, or (on any error) none."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "lead", "convert")
        require(uow.actor, "customer", "create")
        return [_convert(uow, lead_id) for lead_id in dict.fromkeys(lead_ids)]
