"""Customers (客户): the shared record operations plus lock, star, deal status and transfer.

Promises (every call: permission first, then the one data-scope filter, one unit of work,
audit entries and domain events for each write; thread rule: any thread, nothing shared):

- ``customers`` is the RecordService (create/get/list_page/count/update/transfer/delete/…).
  ``name`` is required. ``FIELDS`` lists every field a customer shows; ``SYSTEM_FIELDS`` are
  shown but never accepted by create/update — they change only through the operations that own
  them (lock, deal status, follow-ups, the public pool).
- ``normalized_name`` always follows ``name`` (an attribute listener below), whichever path
  writes the name, so the duplicate-claim check can compare it in SQL.
- Lock (锁定): a locked customer is exempt from the pool's recycle rules and cannot be put into
  a pool until it is unlocked. It can still be edited and transferred: locking protects the
  customer from being *taken away* into the pool, not from its owner. Needs the customer
  "lock" permission and edit rights on the record; audited as "lock" / "unlock".
- Star: personal to each user; not audited and not a change of the record (no new version).
- Deal status: "none" or "deal"; becoming "deal" stamps ``last_deal_at``. Audited as
  "status" with a StatusChanged event. The sales module calls ``apply_deal_status`` inside
  its own unit of work.
- Transfer with options (``transfer_customers``): one unit of work for the whole batch; may
  carry each customer's live contacts, opportunities and contracts (those the actor may edit)
  to the new owner and may keep each record's previous owner on its team with read or
  read-write access. ``transfer_records`` gives opportunities or contracts alone the same team
  option. Both ask each module's "transfer" permission and a new owner inside the actor's
  data scope on it.

The helpers under "unit-of-work helpers" are shared by leads, contacts and follow-ups so that
writes composed inside one transaction audit and raise events exactly like RecordService.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    Contact,
    Contract,
    Customer,
    Opportunity,
    RecordMixin,
    Star,
    TeamMember,
    utcnow,
)
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.events import (
    OwnerChanged,
    RecordCreated,
    RecordUpdated,
    StatusChanged,
)
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import (
    editable_filter,
    owner_in_scope,
    visible_filter,
)
from crm_desktop.services.records import audit
from crm_desktop.services.records.duplicates import (
    guard_in_transaction,
    normalize_company_name,
)
from crm_desktop.services.records.records import RecordDTO, RecordService, Validator
from crm_desktop.services.records.validation import check_email, check_mobile
from crm_desktop.services.uow import (
    UnitOfWork,
    begin_write,
    read_only,
    retrying,
    unit_of_work,
)
from crm_desktop.services.workflow.approval_state import request_transition

if TYPE_CHECKING:
    from crm_desktop.db import Database

FIELDS = (
    "name", "phone", "mobile", "email", "website", "credit_code", "level", "industry", "source",
    "province", "city", "district", "address", "remark",
    "deal_status", "last_deal_at", "locked",
    "last_followup_at", "last_followup_content", "next_contact_at",
    "pool_id", "pooled_at", "previous_owner_id", "approval_status",
)
SYSTEM_FIELDS = (
    "deal_status", "last_deal_at", "locked",
    "last_followup_at", "last_followup_content", "next_contact_at",
    "pool_id", "pooled_at", "previous_owner_id", "approval_status",
)
EDITABLE_FIELDS = tuple(f for f in FIELDS if f not in SYSTEM_FIELDS)
DEAL_STATUSES = ("none", "deal")
TEAM_ACCESS = ("read", "write")


def field_checks(system_fields: Sequence[str]) -> Validator:
    """A RecordService validator: system fields are refused, mobile and e-mail checked if given."""
    system = frozenset(system_fields)

    def check(values: Mapping[str, Any]) -> dict[str, str]:
        errors = {
            f: QT_TRANSLATE_NOOP("errors", "This field is set by the system and cannot be changed here.")
            for f in values if f in system
        }
        if str(values.get("mobile") or "").strip():
            errors.update(check_mobile(str(values["mobile"])))
        if "email" in values:
            errors.update(check_email(str(values.get("email") or "")))
        return errors

    return check


class CustomerService(RecordService[Customer]):
    """RecordService whose saves obey the duplicate-claim setting (block mode refuses)."""

    def guard_write(self, session: Session, actor: Actor, values: Mapping[str, Any], row: Customer | None) -> None:
        guard_in_transaction(session, actor, entity="customer", values=values, row=row)


customers: RecordService[Customer] = CustomerService(
    Customer, fields=FIELDS, required=("name",), search_fields=("name", "phone", "mobile"),
    validate=field_checks(SYSTEM_FIELDS),
    # Customers waiting in a public pool belong to the pool module, not to any customer list.
    base_filter=lambda: Customer.pool_id.is_(None),
)


@event.listens_for(Customer.name, "set")
def _keep_normalized_name(target: Customer, value: str | None, _old: Any, _initiator: Any) -> None:
    target.normalized_name = normalize_company_name(value or "")[:200]


# --- unit-of-work helpers (shared with leads, contacts, follow-ups) ---------------------
# They reach into RecordService's loader, validator and DTO builder so that records composed
# inside one transaction follow the same scope, validation and audit rules as its own calls.


def load_for(uow: UnitOfWork, service: RecordService[Any], record_id: int, *, for_edit: bool) -> Any:
    """The live record if the actor may see it (or edit it, ``for_edit``) and the service's base
    filter admits it (no pooled customers); NotFound or PermissionDenied otherwise."""
    assert uow.actor is not None
    return service.load_row(uow.session, uow.actor, record_id, for_edit=for_edit)


def to_dto(uow: UnitOfWork, service: RecordService[Any], row: Any) -> RecordDTO:
    """The record as the actor may see it (hidden fields left out)."""
    assert uow.actor is not None
    policy = service.policy(uow.session, uow.actor)
    return service.to_dto(row, service.owner_name(uow.session, row.owner_id), policy)


def editable_subset(uow: UnitOfWork, service: RecordService[Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without the fields the actor may not write in ``service`` (read-only or hidden
    by a field permission): what a copy made on the actor's behalf, such as a conversion, may set."""
    assert uow.actor is not None
    schema = service.policy(uow.session, uow.actor).schema
    if schema is None:
        return dict(values)
    return {k: v for k, v in values.items() if schema.can_edit(k)}


def insert_record(
    uow: UnitOfWork, service: RecordService[Any], values: Mapping[str, Any], *, owner_id: int,
    system: Mapping[str, Any] | None = None, custom: Mapping[str, Any] | None = None,
) -> Any:
    """Validate and insert a record owned by ``owner_id``; audit "create" and RecordCreated.

    ``system`` sets system fields (follow-up summary, …) that callers may not pass in ``values``.
    """
    assert uow.actor is not None
    policy = service.policy(uow.session, uow.actor)
    builtin, custom_values = service.prepare_values(uow.session, policy, {**values, **(custom or {})}, partial=False)
    service.check_owner(uow.session, owner_id)
    row = service.model(
        **builtin, **dict(system or {}), owner_id=owner_id, creator_id=uow.actor.user_id, custom=custom_values
    )
    uow.session.add(row)
    uow.session.flush()
    # The same snapshot RecordService.create logs: filled custom values, then every built-in field.
    snapshot = {k: v for k, v in policy.current(row).items() if v not in (None, "", [])} | {"owner_id": owner_id}
    snapshot |= {f: getattr(row, f) for f in service.fields}
    audit.write_audit(
        uow.session, entity=service.module, record_id=row.id, action="create", actor_id=uow.actor.user_id,
        changes={k: (None, v) for k, v in snapshot.items()}, version=row.version,
    )
    uow.add_event(RecordCreated(service.module, row.id, uow.actor.user_id, values=audit.jsonable(snapshot)))
    return row


def write_fields(uow: UnitOfWork, row: RecordMixin, changes: Mapping[str, Any], *, action: str) -> dict[str, tuple[Any, Any]]:
    """Set fields on a loaded record (a new version); audit ``action`` and RecordUpdated. Returns the diff."""
    assert uow.actor is not None
    diff = {
        f: (getattr(row, f), v) for f, v in changes.items() if audit.jsonable(getattr(row, f)) != audit.jsonable(v)
    }
    if not diff:
        return diff
    for name, (_old, new) in diff.items():
        setattr(row, name, new)
    uow.session.flush()
    audit.write_audit(
        uow.session, entity=row.entity, record_id=row.id, action=action, actor_id=uow.actor.user_id,
        changes=diff, version=row.version,
    )
    uow.add_event(RecordUpdated(
        row.entity, row.id, uow.actor.user_id,
        before={k: audit.jsonable(o) for k, (o, _n) in diff.items()},
        after={k: audit.jsonable(n) for k, (_o, n) in diff.items()},
    ))
    return diff


def write_status(
    uow: UnitOfWork, row: RecordMixin, field_name: str, new: Any, *, action: str = "status",
    also: Mapping[str, Any] | None = None,
) -> bool:
    """Change a status field (plus ``also`` fields in the same entry); audit and StatusChanged."""
    assert uow.actor is not None
    old = getattr(row, field_name)
    if old == new:
        return False
    changes: dict[str, tuple[Any, Any]] = {field_name: (old, new)}
    changes |= {f: (getattr(row, f), v) for f, v in (also or {}).items()}
    for name, (_o, value) in changes.items():
        setattr(row, name, value)
    uow.session.flush()
    audit.write_audit(
        uow.session, entity=row.entity, record_id=row.id, action=action, actor_id=uow.actor.user_id,
        changes=changes, version=row.version,
    )
    uow.add_event(StatusChanged(
        row.entity, row.id, uow.actor.user_id, field_name=field_name, old=audit.jsonable(old), new=audit.jsonable(new)
    ))
    return True


def change_owner(uow: UnitOfWork, row: RecordMixin, new_owner_id: int) -> int | None:
    """Give a loaded record to ``new_owner_id`` (who leaves its team if they were on it).

    Audits "owner_change" with OwnerChanged; returns the previous owner.
    """
    assert uow.actor is not None
    old = row.owner_id
    row.owner_id = new_owner_id
    uow.session.flush()
    audit.write_audit(
        uow.session, entity=row.entity, record_id=row.id, action="owner_change", actor_id=uow.actor.user_id,
        changes={"owner_id": (old, new_owner_id)}, version=row.version,
    )
    uow.add_event(OwnerChanged(row.entity, row.id, uow.actor.user_id, old_owner_id=old, new_owner_id=new_owner_id))
    set_team(uow, row, new_owner_id, None)  # an owner is never also a team member
    return old


def set_team(uow: UnitOfWork, row: RecordMixin, user_id: int, access: str | None) -> None:
    """Add, change or (``access`` None) remove a team member; audited as "team" when it changes."""
    assert uow.actor is not None
    member = uow.session.get(TeamMember, (row.entity, row.id, user_id))
    old = member.access if member else None
    if old == access:
        return
    if access is None:
        uow.session.delete(member)
    elif member is None:
        uow.session.add(TeamMember(entity=row.entity, record_id=row.id, user_id=user_id, access=access))
    else:
        member.access = access
    uow.session.flush()
    audit.write_audit(
        uow.session, entity=row.entity, record_id=row.id, action="team", actor_id=uow.actor.user_id,
        changes={f"team:{user_id}": (old, access)}, version=row.version,
    )


# --- lock (锁定) ---------------------------------------------------------------------------


def lock(db: Database, actor: Actor, customer_ids: Sequence[int]) -> int:
    """Lock customers (exempt from recycling, cannot be put into a pool). Returns how many changed."""
    return _set_locked(db, actor, customer_ids, locked=True)


def unlock(db: Database, actor: Actor, customer_ids: Sequence[int]) -> int:
    """Unlock customers. Returns how many changed."""
    return _set_locked(db, actor, customer_ids, locked=False)


@retrying(commutative=True)
def _set_locked(db: Database, actor: Actor, customer_ids: Sequence[int], *, locked: bool) -> int:
    """Commutes with edits of the same customers: each row is locked (in id order, so two
    calls never deadlock) before it is read and written, and a stale row or a deadlock runs
    the call again rather than failing it."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "customer", "lock")
        begin_write(uow.session)  # SQLite: hold the write lock while reading what we write
        changed = 0
        for customer_id in sorted(set(customer_ids)):
            # PostgreSQL: lock, then read: the row read is then the current one.
            uow.session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())
            row = load_for(uow, customers, customer_id, for_edit=True)
            if write_fields(uow, row, {"locked": locked}, action="lock" if locked else "unlock"):
                changed += 1
        return changed


# --- star (关注) ----------------------------------------------------------------------------


def set_star(db: Database, actor: Actor, customer_id: int, *, starred: bool) -> None:
    """Star or unstar a customer the actor can see; idempotent and personal to the actor."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "customer", "view")
        load_for(uow, customers, customer_id, for_edit=False)
        star = uow.session.get(Star, ("customer", customer_id, uow.actor.user_id))
        if starred and star is None:
            uow.session.add(Star(entity="customer", record_id=customer_id, user_id=uow.actor.user_id))
        elif not starred and star is not None:
            uow.session.delete(star)


def starred_ids(db: Database, actor: Actor, customer_ids: Iterable[int] | None = None) -> set[int]:
    """Which of ``customer_ids`` (default: all) the actor starred and can still see."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "customer", "view")
        query = (
            select(Star.record_id)
            .join(Customer, Customer.id == Star.record_id)
            .where(
                Star.entity == "customer", Star.user_id == uow.actor.user_id,
                customers.base_clause(), visible_filter(Customer, uow.actor),
            )
        )
        if customer_ids is not None:
            query = query.where(Star.record_id.in_(list(customer_ids)))
        return set(uow.session.scalars(query))


# --- deal status (成交状态) --------------------------------------------------------------------


def apply_deal_status(uow: UnitOfWork, row: Customer, status: str) -> bool:
    """Set a loaded customer's deal status inside the caller's unit of work (no permission check:
    the caller — e.g. a signed contract, an approved flow — has decided). Returns whether it
    changed; a change is a StatusChanged event (the customer's status_changed rules fire on it)."""
    if status not in DEAL_STATUSES:
        raise ValidationError({"deal_status": QT_TRANSLATE_NOOP("errors", "Enter a valid value for this field.")})
    also: dict[str, dt.datetime] = {"last_deal_at": utcnow()} if status == "deal" else {}
    return write_status(uow, row, "deal_status", status, also=also)


def set_deal_status(db: Database, actor: Actor, customer_id: int, *, status: str) -> RecordDTO:
    """Mark a customer as dealt ("deal") or not ("none"); needs customer "edit" on the record.

    When an enabled approval flow gates this transition, the change is submitted to it instead
    and happens only when the flow is approved (the returned record still has the old status)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "customer", "edit")
        row = load_for(uow, customers, customer_id, for_edit=True)
        if status not in DEAL_STATUSES:
            raise ValidationError({"deal_status": QT_TRANSLATE_NOOP("errors", "Enter a valid value for this field.")})
        if status != row.deal_status and request_transition(uow, "customer", row, "deal_status", status):
            return to_dto(uow, customers, row)
        apply_deal_status(uow, row, status)
        return to_dto(uow, customers, row)


def names_of(db: Database, actor: Actor, customer_ids: Iterable[int]) -> dict[int, str]:
    """The names of the given customers the actor may see (pooled ones included: a contact's
    customer may wait in a pool), in one query; ids not visible are left out."""
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return {}
    with read_only(db, actor) as uow:
        require(uow.actor, "customer", "view")
        rows = uow.session.execute(select(Customer.id, Customer.name).where(
            Customer.id.in_(ids), Customer.deleted_at.is_(None), visible_filter(Customer, uow.actor)))
        return {int(i): str(n or "") for i, n in rows}


# --- transfer with contacts, opportunities, contracts and team ---------------------------------

#: What a customer's transfer may carry along (转移客户时同时转移): module → its model. Each is
#: found by its ``customer_id``; the records keep their own module's permission and scope.
CARRIED: dict[str, type[RecordMixin]] = {"contact": Contact, "opportunity": Opportunity, "contract": Contract}


@dataclass(frozen=True)
class TransferResult:
    customers: int
    contacts: int
    opportunities: int = 0
    contracts: int = 0


def _check_transfer(uow: UnitOfWork, modules: Sequence[str], new_owner_id: int, keep_old_owner: str | None) -> None:
    """What every transfer asks, for each module it moves records of: the module's "transfer"
    permission, an enabled new owner inside the actor's data scope on that module (a transfer
    never plants records on a list the actor cannot see), a known team access."""
    assert uow.actor is not None
    if keep_old_owner not in (None, *TEAM_ACCESS):
        raise ValidationError({"keep_old_owner": QT_TRANSLATE_NOOP("errors", "Choose read or read-write.")})
    for module in modules:
        require(uow.actor, module, "transfer")
    customers.check_owner(uow.session, new_owner_id)
    for module in modules:
        if not owner_in_scope(uow.session, uow.actor, module, new_owner_id):
            raise ValidationError({"owner_id": QT_TRANSLATE_NOOP(
                "errors", "Choose an owner within your data scope.")})


def _move(uow: UnitOfWork, record: RecordMixin, new_owner_id: int, keep_old_owner: str | None) -> None:
    old = change_owner(uow, record, new_owner_id)
    if keep_old_owner and old is not None:
        set_team(uow, record, old, keep_old_owner)


def transfer_customers_steps(
    db: Database, actor: Actor, customer_ids: Sequence[int], *, new_owner_id: int,
    carry_contacts: bool = False, carry_opportunities: bool = False, carry_contracts: bool = False,
    keep_old_owner: str | None = None,
) -> Generator[tuple[int, int, str], None, TransferResult]:
    """Transfer customers, yielding ``(done, total, "")`` after each; returns a TransferResult.

    All in one unit of work: closing the generator early (Cancel) rolls every change back.
    ``carry_contacts`` / ``carry_opportunities`` / ``carry_contracts`` move each customer's
    live records of that module to the new owner too: each carried module asks for its own
    "transfer" permission and a new owner inside the actor's scope on it, and only its records
    the actor may edit are carried (one outside the actor's scope stays with its owner, unseen,
    like any record the actor cannot see). ``keep_old_owner`` ("read" / "write") keeps each
    moved record's previous owner on its team. A record the new owner already owns is left
    alone. Every move is audited ("owner_change") and raises OwnerChanged, so owner rules fire.
    """
    carried = [m for m, wanted in (("contact", carry_contacts), ("opportunity", carry_opportunities),
                                   ("contract", carry_contracts)) if wanted]
    ids = list(dict.fromkeys(customer_ids))
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        _check_transfer(uow, ["customer", *carried], new_owner_id, keep_old_owner)
        moved = dict.fromkeys(("customer", *CARRIED), 0)
        for done, customer_id in enumerate(ids, start=1):
            row = load_for(uow, customers, customer_id, for_edit=True)
            records: list[RecordMixin] = [row] if row.owner_id != new_owner_id else []
            for module in carried:
                model: Any = CARRIED[module]
                records += uow.session.scalars(
                    select(model).where(
                        model.customer_id == row.id, model.deleted_at.is_(None),
                        model.owner_id.is_distinct_from(new_owner_id), editable_filter(model, uow.actor),
                    ).order_by(model.id)
                ).all()
            for record in records:
                _move(uow, record, new_owner_id, keep_old_owner)
                moved[record.entity] += 1
            yield done, len(ids), ""
        return TransferResult(customers=moved["customer"], contacts=moved["contact"],
                              opportunities=moved["opportunity"], contracts=moved["contract"])


def transfer_customers(
    db: Database, actor: Actor, customer_ids: Sequence[int], *, new_owner_id: int,
    carry_contacts: bool = False, carry_opportunities: bool = False, carry_contracts: bool = False,
    keep_old_owner: str | None = None,
) -> TransferResult:
    """``transfer_customers_steps`` run to the end (for callers without a progress dialog)."""
    steps = transfer_customers_steps(
        db, actor, customer_ids, new_owner_id=new_owner_id, carry_contacts=carry_contacts,
        carry_opportunities=carry_opportunities, carry_contracts=carry_contracts, keep_old_owner=keep_old_owner,
    )
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


@retrying()
def transfer_records(
    db: Database, actor: Actor, service: RecordService[Any], record_ids: Sequence[int], *, new_owner_id: int,
    keep_old_owner: str | None = None,
) -> int:
    """Transfer records of one module (opportunities, contracts, …) with the customer's team
    option: ``keep_old_owner`` ("read" / "write") keeps each previous owner on the record's team.
    The same checks as ``transfer_customers_steps`` (permission, records the actor may edit, a
    new owner inside the actor's scope), one unit of work; returns how many changed owner."""
    ids = list(dict.fromkeys(record_ids))
    with unit_of_work(db, actor) as uow:
        _check_transfer(uow, [service.module], new_owner_id, keep_old_owner)
        changed = 0
        for record_id in ids:
            row = load_for(uow, service, record_id, for_edit=True)
            if row.owner_id == new_owner_id:
                continue
            _move(uow, row, new_owner_id, keep_old_owner)
            changed += 1
        return changed

