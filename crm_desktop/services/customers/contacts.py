"""Contacts (联系人): many per customer, exactly one primary, decision makers.

Promises (permission first, the one data-scope filter, one unit of work, audit and events;
thread rule: any thread):

- A contact belongs to one customer: ``customer_id`` is required on create, the actor must be
  able to see that customer, and it never changes afterwards (``update`` refuses it).
- Exactly one primary contact (首要联系人) per customer that has live contacts: a customer's
  first contact becomes primary; creating with ``is_primary=True`` or ``set_primary`` makes one
  primary and clears the others in the same transaction; moving the primary to the recycle bin
  promotes the oldest remaining contact; a restored contact stays primary only if its customer
  has none by then. ``update`` refuses ``is_primary`` — use ``set_primary``.
  Concurrent changes are serialized on the customer's row (SELECT … FOR UPDATE on PostgreSQL).
- ``decision_maker`` is an ordinary yes/no field.
- ``contacts.transfer`` moves contacts alone; customers.transfer_customers can carry them.
- Every contact inserted (``create``, ``add_contact`` for lead conversion and rules) records
  RecordCreated, on which its "created" rules run in the same transaction; a primary taken
  from another contact is that contact's RecordUpdated.
- ``list_for_customer`` lists the contacts of one customer the actor can see (contact scope),
  primary first.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Contact, Customer, User, utcnow
from crm_desktop.services.customers.customers import (
    customers,
    field_checks,
    insert_record,
    load_for,
    to_dto,
    write_fields,
)
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.events import RecordDeleted, RecordRestored
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import editable_filter, visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.uow import UnitOfWork, read_only, retrying, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

FIELDS = (
    "customer_id", "name", "gender", "position", "phone", "mobile", "email", "wechat",
    "is_primary", "decision_maker", "birthday", "address", "remark",
    "last_followup_at", "last_followup_content", "next_contact_at",
)
SYSTEM_FIELDS = ("last_followup_at", "last_followup_content", "next_contact_at")
#: Accepted on create, refused by update (see the module docstring).
CREATE_ONLY_FIELDS = ("customer_id", "is_primary")
EDITABLE_FIELDS = tuple(f for f in FIELDS if f not in SYSTEM_FIELDS)

_system_checks = field_checks(SYSTEM_FIELDS)


def _checks(values: Mapping[str, Any]) -> dict[str, str]:
    errors = _system_checks(values)
    birthday = values.get("birthday")
    if birthday is not None and not isinstance(birthday, dt.date):
        errors["birthday"] = QT_TRANSLATE_NOOP("errors", "Enter a valid value for this field.")
    return errors


def _lock_customer(uow: UnitOfWork, customer_id: int) -> None:
    # Primary-contact changes of one customer queue here, so two of them never both "win".
    uow.session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())


def settle_primary(uow: UnitOfWork, customer_id: int, *, primary: Contact | None = None) -> None:
    """Leave exactly one primary among the customer's live contacts (``primary`` if given,
    else the current one, else the oldest contact). Callers hold the customer's row lock."""
    live = list(uow.session.scalars(
        select(Contact).where(Contact.customer_id == customer_id, Contact.deleted_at.is_(None))
        .order_by(Contact.created_at, Contact.id)
    ))
    if not live:
        return
    keep = primary or next((c for c in live if c.is_primary), live[0])
    for contact in live:
        if contact is not keep and contact.is_primary:
            write_fields(uow, contact, {"is_primary": False}, action="update")
    write_fields(uow, keep, {"is_primary": True}, action="update")


def add_contact(
    uow: UnitOfWork, values: Mapping[str, Any], *, owner_id: int, custom: Mapping[str, Any] | None = None
) -> Contact:
    """Insert a contact inside the caller's unit of work and settle the primary.

    No permission or visibility check: ``contacts.create`` and lead conversion do their own.
    Its events (created; the other contacts' primary flags) are handled once the primary is
    settled, so that the new contact's "created" rules see its customer as it now is.
    """
    customer_id = int(values["customer_id"])
    _lock_customer(uow, customer_id)
    has_primary = uow.session.scalar(select(Contact.id).where(
        Contact.customer_id == customer_id, Contact.deleted_at.is_(None), Contact.is_primary.is_(True),
    ).limit(1)) is not None
    if not has_primary:  # a customer's first contact is its primary one, from the start
        values = {**values, "is_primary": True}
    with uow.holding_events():
        row: Contact = insert_record(uow, contacts, values, owner_id=owner_id, custom=custom)
        if row.is_primary:
            settle_primary(uow, customer_id, primary=row)
    return row


class ContactService(RecordService[Contact]):
    """RecordService with the customer link and the primary-contact rule kept in every write."""

    @retrying()
    def create(
        self, db: Database, actor: Actor, values: Mapping[str, Any], *, owner_id: int | None = None,
        custom: Mapping[str, Any] | None = None,
    ) -> RecordDTO:
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            require(uow.actor, "contact", "create")
            # Field errors first, all at once, before the customer is looked up.
            self.prepare_values(uow.session, self.policy(uow.session, uow.actor), values, partial=False)
            try:
                require(uow.actor, "customer", "view")
                load_for(uow, customers, int(values["customer_id"]), for_edit=False)
            except (NotFound, ValueError, TypeError):
                raise ValidationError(
                    {"customer_id": QT_TRANSLATE_NOOP("errors", "Choose a customer you can see.")}
                ) from None
            owner = self.new_owner(uow.session, uow.actor, owner_id)
            row = add_contact(uow, values, owner_id=owner, custom=custom)
            return to_dto(uow, self, row)

    def update(
        self, db: Database, actor: Actor, record_id: int, *, expected_version: int, changes: Mapping[str, Any]
    ) -> RecordDTO:
        refused = {
            "customer_id": QT_TRANSLATE_NOOP("errors", "A contact stays with its customer."),
            "is_primary": QT_TRANSLATE_NOOP("errors", "Use \"Set as primary contact\" to change the primary contact."),
        }
        errors = {f: refused[f] for f in CREATE_ONLY_FIELDS if f in changes}
        if errors:
            raise ValidationError(errors)
        return super().update(db, actor, record_id, expected_version=expected_version, changes=changes)

    def delete(self, db: Database, actor: Actor, record_id: int) -> None:
        """Move a contact to the recycle bin; if it was primary the next contact takes over."""
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            require(uow.actor, "contact", "delete")
            row: Contact = load_for(uow, self, record_id, for_edit=True)
            _lock_customer(uow, row.customer_id)
            now = utcnow()
            row.deleted_at, row.deleted_by_id = now, uow.actor.user_id
            uow.session.flush()
            audit.write_audit(
                uow.session, entity="contact", record_id=row.id, action="delete", actor_id=uow.actor.user_id,
                changes={"deleted_at": (None, now)}, version=row.version,
            )
            uow.add_event(RecordDeleted("contact", row.id, uow.actor.user_id))
            settle_primary(uow, row.customer_id)

    def restore(self, db: Database, actor: Actor, record_id: int) -> RecordDTO:
        """Bring a contact back; it is primary again only if its customer has no primary now."""
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            require(uow.actor, "contact", "delete")
            row = uow.session.scalar(select(Contact).where(
                Contact.id == record_id, Contact.deleted_at.is_not(None), editable_filter(Contact, uow.actor),
            ))
            if row is None:
                raise NotFound("contact", record_id)
            _lock_customer(uow, row.customer_id)
            old = row.deleted_at
            row.deleted_at, row.deleted_by_id = None, None
            uow.session.flush()
            audit.write_audit(
                uow.session, entity="contact", record_id=row.id, action="restore", actor_id=uow.actor.user_id,
                changes={"deleted_at": (old, None)}, version=row.version,
            )
            uow.add_event(RecordRestored("contact", row.id, uow.actor.user_id))
            has_other_primary = uow.session.scalar(select(Contact.id).where(
                Contact.customer_id == row.customer_id, Contact.deleted_at.is_(None),
                Contact.is_primary.is_(True), Contact.id != row.id,
            ).limit(1))
            if row.is_primary and has_other_primary is not None:
                write_fields(uow, row, {"is_primary": False}, action="update")
            settle_primary(uow, row.customer_id)
            return to_dto(uow, self, row)


contacts = ContactService(
    Contact, fields=FIELDS, required=("customer_id", "name"), search_fields=("name", "phone", "mobile", "email"),
    validate=_checks,
)


def set_primary(db: Database, actor: Actor, contact_id: int) -> RecordDTO:
    """Make a contact its customer's primary contact; the previous primary is cleared (audited)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "contact", "edit")
        row: Contact = load_for(uow, contacts, contact_id, for_edit=True)
        _lock_customer(uow, row.customer_id)
        uow.session.refresh(row)  # another primary change may have committed while we waited
        settle_primary(uow, row.customer_id, primary=row)
        return to_dto(uow, contacts, row)


def list_for_customer(db: Database, actor: Actor, customer_id: int) -> list[RecordDTO]:
    """The live contacts of a customer the actor can see, primary first, then by name.

    A customer has tens of contacts, not thousands, so this is one list rather than pages.
    """
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "contact", "view")
        load_for(uow, customers, customer_id, for_edit=False)
        rows = uow.session.execute(
            select(Contact, User.name).outerjoin(User, User.id == Contact.owner_id)
            .where(Contact.customer_id == customer_id, visible_filter(Contact, uow.actor))
            .order_by(Contact.is_primary.desc(), Contact.name, Contact.id)
        ).all()
        policy = contacts.policy(uow.session, uow.actor)
        return [contacts.to_dto(r, n or "", policy) for r, n in rows]
