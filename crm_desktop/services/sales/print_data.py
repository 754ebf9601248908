"""What a printed contract or quotation shows, read under the actor's scope and field permissions.

Promises (thread rule: any thread; each call is one read-only unit of work):

- ``contract_print_data(db, actor, contract_id)`` needs contract "view" and a contract the
  actor may see (else NotFound, as for any read); ``quotation_print_data`` the same for an
  opportunity (a quotation is an opportunity's product lines).
- Every value passes the same gates as on screen: a field hidden from the actor by a field
  permission prints empty; the customer and the customer's contact print only when the
  actor may see them (customer / contact "view" and data scope, teams included) — else
  their parts print empty, never a name from outside the scope. When the document's amount
  is hidden, so are the line prices, line amounts, the total and the amount in words (the
  lines would add up to it).
- Our signer (a contract's ``our_signer_id``; a quotation's owner) prints by name, as every
  list shows user names.
- Money stays Decimal; ``total_in_words`` is ``chinese_amount.amount_in_words(total)``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crm_desktop.models import (
    Contact,
    ContractLine,
    Customer,
    OpportunityContact,
    OpportunityLine,
    Setting,
    User,
)
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers, load_for, to_dto
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.sales.chinese_amount import amount_in_words
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.product_lines import LineDTO, read_lines
from crm_desktop.services.uow import UnitOfWork, read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: The kinds of printed document, each with its own template.
KINDS = ("contract", "quotation")


@dataclass(frozen=True)
class PrintParty:
    """A company or person on the document; empty strings where the actor may not see a value."""

    name: str = ""
    address: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    position: str = ""


@dataclass(frozen=True)
class PrintLine:
    position: int
    product: str
    code: str
    unit: str
    quantity: Decimal
    discount: Decimal
    #: None when the actor may not see the document's amount.
    price: Decimal | None
    amount: Decimal | None
    remark: str


@dataclass(frozen=True)
class PrintDocument:
    """One contract or quotation as it prints. Dates are None when empty or hidden."""

    kind: str
    record_id: int
    company_name: str
    #: The contract's number (a quotation has none).
    number: str
    name: str
    customer: PrintParty
    #: The customer's signer (contract) or the opportunity's first contact (quotation).
    contact: PrintParty
    our_signer: str
    owner_name: str
    lines: tuple[PrintLine, ...]
    #: None when the actor may not see the amount.
    total: Decimal | None
    total_in_words: str
    order_date: dt.date | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    expected_close_date: dt.date | None = None
    payment_terms: str = ""
    remark: str = ""
    print_date: dt.date = dt.date(2000, 1, 1)


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value)


def _date(values: Mapping[str, Any], name: str) -> dt.date | None:
    value = values.get(name)
    return value if isinstance(value, dt.date) else None


def _company_name(uow: UnitOfWork) -> str:
    row = uow.session.get(Setting, "company_name")
    return str(row.value) if row is not None and row.value else ""


def _customer(uow: UnitOfWork, customer_id: Any) -> PrintParty:
    """The customer as the actor may see it (pooled customers included: a contract keeps its
    customer when the customer is put into a pool); empty when it is not visible."""
    assert uow.actor is not None
    if customer_id is None or not uow.actor.can("customer", "view"):
        return PrintParty()
    row = uow.session.scalar(select(Customer).where(Customer.id == int(customer_id),
                                                    visible_filter(Customer, uow.actor)))
    if row is None:
        return PrintParty()
    values = to_dto(uow, customers, row).values
    return PrintParty(name=_text(values, "name"), address=_text(values, "address"), phone=_text(values, "phone"),
                      mobile=_text(values, "mobile"), email=_text(values, "email"))


def _contact(uow: UnitOfWork, contact_id: Any) -> PrintParty:
    assert uow.actor is not None
    if contact_id is None or not uow.actor.can("contact", "view"):
        return PrintParty()
    row = uow.session.scalar(select(Contact).where(Contact.id == int(contact_id), visible_filter(Contact, uow.actor)))
    if row is None:
        return PrintParty()
    values = to_dto(uow, contacts, row).values
    return PrintParty(name=_text(values, "name"), address=_text(values, "address"), phone=_text(values, "phone"),
                      mobile=_text(values, "mobile"), email=_text(values, "email"),
                      position=_text(values, "position"))


def _user_name(uow: UnitOfWork, user_id: Any) -> str:
    if user_id is None:
        return ""
    return uow.session.scalar(select(User.name).where(User.id == int(user_id))) or ""


def _lines(lines: tuple[LineDTO, ...], *, money_shown: bool) -> tuple[PrintLine, ...]:
    return tuple(PrintLine(
        position=n, product=line.product_name, code=line.product_code, unit=line.unit, quantity=line.quantity,
        discount=line.discount, price=line.price if money_shown else None,
        amount=line.subtotal if money_shown else None, remark=line.remark) for n, line in enumerate(lines, start=1))


def _total(values: Mapping[str, Any]) -> tuple[Decimal | None, str]:
    if "amount" not in values:  # hidden by a field permission
        return None, ""
    total = Decimal(values.get("amount") or 0)
    return total, amount_in_words(total)


def contract_print_data(db: Database, actor: Actor, contract_id: int, *,
                        today: dt.date | None = None) -> PrintDocument:
    """The contract as it prints (see the module docstring)."""
    with read_only(db, actor) as uow:
        require(uow.actor, "contract", "view")
        row = load_for(uow, contracts, contract_id, for_edit=False)
        record = to_dto(uow, contracts, row)
        values = record.values
        total, words = _total(values)
        lines = read_lines(uow.session, ContractLine, "contract_id", row.id)
        return PrintDocument(
            kind="contract", record_id=row.id, company_name=_company_name(uow), number=_text(values, "number"),
            name=_text(values, "name"), customer=_customer(uow, values.get("customer_id")),
            contact=_contact(uow, values.get("customer_signer_id")),
            our_signer=_user_name(uow, values.get("our_signer_id")), owner_name=record.owner_name,
            lines=_lines(lines, money_shown=total is not None), total=total, total_in_words=words,
            order_date=_date(values, "order_date"), start_date=_date(values, "start_date"),
            end_date=_date(values, "end_date"), payment_terms=_text(values, "payment_terms"),
            remark=_text(values, "remark"), print_date=today or dt.date.today(),
        )


def _first_contact_id(uow: UnitOfWork, opportunity_id: int) -> int | None:
    """The opportunity's contact to address: the customer's primary one if listed, else by name."""
    assert uow.actor is not None
    if not uow.actor.can("contact", "view"):
        return None
    return uow.session.scalar(
        select(Contact.id).join(OpportunityContact, OpportunityContact.contact_id == Contact.id)
        .where(OpportunityContact.opportunity_id == opportunity_id, visible_filter(Contact, uow.actor))
        .order_by(Contact.is_primary.desc(), Contact.name, Contact.id).limit(1))


def quotation_print_data(db: Database, actor: Actor, opportunity_id: int, *,
                         today: dt.date | None = None) -> PrintDocument:
    """An opportunity's product lines as a quotation (see the module docstring)."""
    with read_only(db, actor) as uow:
        require(uow.actor, "opportunity", "view")
        row = load_for(uow, opportunities, opportunity_id, for_edit=False)
        record = to_dto(uow, opportunities, row)
        values = record.values
        total, words = _total(values)
        lines = read_lines(uow.session, OpportunityLine, "opportunity_id", row.id)
        return PrintDocument(
            kind="quotation", record_id=row.id, company_name=_company_name(uow), number="",
            name=_text(values, "name"), customer=_customer(uow, values.get("customer_id")),
            contact=_contact(uow, _first_contact_id(uow, row.id)), our_signer=record.owner_name,
            owner_name=record.owner_name, lines=_lines(lines, money_shown=total is not None), total=total,
            total_in_words=words, expected_close_date=_date(values, "expected_close_date"),
            remark=_text(values, "remark"), print_date=today or dt.date.today(),
        )


__all__ = ["KINDS", "PrintDocument", "PrintLine", "PrintParty", "contract_print_data", "quotation_print_data"]
