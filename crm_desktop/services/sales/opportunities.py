"""Opportunities (商机): a customer's possible deal, walked through stages to won, lost or invalid.

Promises (permission first, the one data-scope filter, one unit of work, audit and events;
thread rule: any thread):

- ``opportunities`` is the RecordService (get/list_page/count/transfer/delete/restore/team/
  export/saved views work as for every record). ``name`` and ``customer_id`` are required; the
  customer must be one the actor can see (not in a pool) and never changes afterwards.
  ``SYSTEM_FIELDS`` change only through the operations below.
- Money is Decimal end to end. Product lines (``lines``, ``product_lines.replace_lines``: only
  on-shelf products for new lines, existing lines keep theirs) set the amount to their total,
  unless the user typed an amount: then ``amount_manual`` is set and the amount stays as typed.
  Passing an empty amount clears it: the amount follows the lines again. Line changes are in
  the operation log ("lines": a one-line summary before and after).
- Contacts (``contact_ids``) must be live contacts of the opportunity's customer that the actor
  can see; ``update(..., contact_ids=...)`` replaces them (logged as "contact_ids").
- Stages: a new opportunity takes its owner's stage group (``stages.group_for_user``) and its
  first stage. ``set_stage`` / ``advance`` move an open opportunity; ``win``, ``lose`` (reason
  required), ``mark_invalid`` close it; ``reopen`` opens a closed one. A closed opportunity
  cannot change stage. Every change (and the first stage) is a StageChange row with actor and
  time, an audit entry ("stage" / "status") and a StatusChanged event; the opportunity's
  automation rules fire in the same transaction: status_changed on "status" (e.g. to "won"),
  and for a stage move status_changed with field "stage_id" (so field_changed rules on
  "stage_id" fire).
- Reads: ``get_lines``, ``get_contacts``, ``stage_history`` (with stage and actor names),
  ``stage_bar`` (the group's stages in order, the current one, the win rate: 100 when won,
  0 when lost or invalid), ``list_for_customer`` (the customer's opportunities the actor may see),
  ``list_for_contact`` (the opportunities a contact takes part in, that the actor may see).
- ``insert_opportunity`` is the transaction-level insert used by ``create`` and by the rule
  action create_record (entity "opportunity"); it checks no permission.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    Contact,
    Customer,
    Opportunity,
    OpportunityContact,
    OpportunityLine,
    Stage,
    StageChange,
    StageGroup,
    User,
    utcnow,
)
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import (
    customers,
    field_checks,
    insert_record,
    load_for,
    to_dto,
    write_status,
)
from crm_desktop.services.db_errors import StaleRecord
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.events import RecordUpdated
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.sales.product_lines import (
    LineDTO,
    LineInput,
    money,
    read_lines,
    replace_lines,
    subtotal,
)
from crm_desktop.services.sales.stages import StageDTO, group_for_user, stages_of
from crm_desktop.services.uow import UnitOfWork, read_only, retrying, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

FIELDS = (
    "name", "customer_id", "amount", "expected_close_date", "stage_id", "status", "lost_reason", "remark",
    "stage_group_id", "amount_manual", "closed_at",
)
SYSTEM_FIELDS = ("stage_id", "status", "lost_reason", "stage_group_id", "amount_manual", "closed_at")
EDITABLE_FIELDS = tuple(f for f in FIELDS if f not in SYSTEM_FIELDS)
STATUSES = ("open", "won", "lost", "invalid")
CLOSED_STATUSES = ("won", "lost", "invalid")

_system_checks = field_checks(SYSTEM_FIELDS)
_CLOSED = QT_TRANSLATE_NOOP("errors", "This opportunity is closed: reopen it before changing its stage.")


def _checks(values: Mapping[str, Any]) -> dict[str, str]:
    errors = _system_checks(values)
    when = values.get("expected_close_date")
    if when is not None and not isinstance(when, dt.date):
        errors["expected_close_date"] = QT_TRANSLATE_NOOP("errors", "Enter a valid value for this field.")
    return errors


def _normalized(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form input as the columns take it: ISO dates become dates, a typed amount a Decimal."""
    out = dict(values)
    when = out.get("expected_close_date")
    if isinstance(when, str):
        try:
            out["expected_close_date"] = dt.date.fromisoformat(when.strip()) if when.strip() else None
        except ValueError:
            pass  # _checks names the field
    if "amount" in out and out["amount"] not in (None, ""):
        try:
            out["amount"] = money(out["amount"])
        except ValidationError:
            raise ValidationError({"amount": QT_TRANSLATE_NOOP("errors", "Enter a number.")}) from None
        if out["amount"] < 0:
            raise ValidationError({"amount": QT_TRANSLATE_NOOP("errors", "The amount must not be negative.")})
    return out


def _expected_total(lines: Sequence[LineInput]) -> Decimal:
    """The total ``replace_lines`` will compute (same arithmetic); a bad line counts 0 here and
    is refused by ``replace_lines`` itself, naming the line."""
    total = Decimal("0.00")
    for line in lines:
        try:
            total += subtotal(money(line.price), Decimal(str(line.quantity).strip() or "0"),
                              Decimal(str(line.discount).strip() or "0"))
        except (ValidationError, TypeError, ArithmeticError):
            continue
    return total


def _lines_summary(lines: Sequence[LineDTO]) -> str:
    def qty(q: Decimal) -> str:
        return format(q.normalize(), "f")

    return "; ".join(
        f"{l.product_name} × {qty(l.quantity)} @ {l.price}" + (f" −{qty(l.discount)}%" if l.discount else "")
        + f" = {l.subtotal}" for l in lines)


def _lines_total(uow: UnitOfWork, opportunity_id: int) -> Decimal:
    total = uow.session.scalar(select(func.sum(OpportunityLine.subtotal)).where(
        OpportunityLine.opportunity_id == opportunity_id))
    return money(total or 0)


def _contact_ids(uow: UnitOfWork, opportunity_id: int) -> list[int]:
    return sorted(uow.session.scalars(select(OpportunityContact.contact_id).where(
        OpportunityContact.opportunity_id == opportunity_id)))


def _set_contacts(uow: UnitOfWork, row: Opportunity, contact_ids: Sequence[int]) -> list[int]:
    """Replace the opportunity's contacts; each must be a live contact of its customer (and
    visible to the acting user, when there is one). Returns the sorted ids."""
    wanted = sorted({int(c) for c in contact_ids})
    if wanted:
        query = select(Contact.id).where(Contact.id.in_(wanted), Contact.customer_id == row.customer_id,
                                         Contact.deleted_at.is_(None))
        if uow.actor is not None:
            query = query.where(visible_filter(Contact, uow.actor))
        if sorted(uow.session.scalars(query)) != wanted:
            raise ValidationError({"contact_ids": QT_TRANSLATE_NOOP("errors", "Choose contacts of this customer.")})
    uow.session.execute(delete(OpportunityContact).where(OpportunityContact.opportunity_id == row.id))
    uow.session.add_all(OpportunityContact(opportunity_id=row.id, contact_id=c) for c in wanted)
    uow.session.flush()
    return wanted


def record_stage_change(uow: UnitOfWork, row: Opportunity, *, from_stage: int | None, from_status: str,
                   note: str = "") -> None:
    uow.session.add(StageChange(
        opportunity_id=row.id, from_stage_id=from_stage, to_stage_id=row.stage_id, from_status=from_status,
        to_status=row.status, note=note[:2000], actor_id=uow.actor.user_id if uow.actor else None))
    uow.session.flush()


def insert_opportunity(
    uow: UnitOfWork, values: Mapping[str, Any], *, owner_id: int, custom: Mapping[str, Any] | None = None,
    lines: Sequence[LineInput] = (), contact_ids: Sequence[int] = (),
) -> Opportunity:
    """Insert an opportunity in the caller's unit of work: its owner's stage group and first
    stage, lines and amount, contacts, the first StageChange; audit "create" and RecordCreated.

    No permission or visibility check (``create`` and the rule action do their own). Its events
    are handled once it is complete (lines, contacts, first stage), so its "created" rules see
    it whole.
    """
    values = _normalized(values)
    if values.get("amount") in (None, ""):
        values.pop("amount", None)
    manual = "amount" in values
    try:
        customer_id = int(values["customer_id"])
    except (KeyError, TypeError, ValueError):
        raise ValidationError({"customer_id": QT_TRANSLATE_NOOP("errors", "Required.")}) from None
    values["customer_id"] = customer_id  # a rule's mapping or a form may hand it over as text
    live = uow.session.scalar(select(Customer.id).where(Customer.id == customer_id, Customer.deleted_at.is_(None)))
    if live is None:
        raise ValidationError({"customer_id": QT_TRANSLATE_NOOP("errors", "Choose a customer you can see.")})
    group = group_for_user(uow.session, owner_id)
    stages = stages_of(uow.session, group.id)
    system: dict[str, Any] = {
        "amount_manual": manual, "stage_group_id": group.id, "stage_id": stages[0].id if stages else None,
        "status": "open",
    }
    if not manual:
        system["amount"] = _expected_total(lines)
    with uow.holding_events():
        row = _insert(uow, values, owner_id=owner_id, system=system, custom=custom, lines=lines,
                      contact_ids=contact_ids, manual=manual)
    return row


def _insert(uow: UnitOfWork, values: Mapping[str, Any], *, owner_id: int, system: Mapping[str, Any],
            custom: Mapping[str, Any] | None, lines: Sequence[LineInput], contact_ids: Sequence[int],
            manual: bool) -> Opportunity:
    row: Opportunity = insert_record(uow, opportunities, values, owner_id=owner_id, system=system, custom=custom)
    if lines:
        total = replace_lines(uow.session, OpportunityLine, "opportunity_id", row.id, lines)
        if not manual and total != row.amount:  # pragma: no cover - the same arithmetic as _expected_total
            row.amount = total
        audit.write_audit(uow.session, entity="opportunity", record_id=row.id, action="lines",
                          actor_id=uow.actor.user_id if uow.actor else None, version=row.version,
                          changes={"lines": (None, _lines_summary(read_lines(
                              uow.session, OpportunityLine, "opportunity_id", row.id)))})
    if contact_ids:
        _set_contacts(uow, row, contact_ids)
    record_stage_change(uow, row, from_stage=None, from_status="")
    return row


class OpportunityService(RecordService[Opportunity]):
    """RecordService with the customer link, product lines, contacts and the amount rule."""

    @retrying()
    def create(
        self, db: Database, actor: Actor, values: Mapping[str, Any], *, owner_id: int | None = None,
        custom: Mapping[str, Any] | None = None, lines: Sequence[LineInput] = (), contact_ids: Sequence[int] = (),
    ) -> RecordDTO:
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            require(uow.actor, "opportunity", "create")
            # Field errors first, all at once, before the customer is looked up.
            self.prepare_values(uow.session, self.policy(uow.session, uow.actor), _normalized(values), partial=False)
            try:
                require(uow.actor, "customer", "view")
                load_for(uow, customers, int(values["customer_id"]), for_edit=False)
            except (NotFound, ValueError, TypeError):
                raise ValidationError(
                    {"customer_id": QT_TRANSLATE_NOOP("errors", "Choose a customer you can see.")}) from None
            owner = self.new_owner(uow.session, uow.actor, owner_id)
            row = insert_opportunity(uow, values, owner_id=owner, custom=custom,
                                     lines=lines, contact_ids=contact_ids)
            return to_dto(uow, self, row)

    @retrying()
    def update(
        self, db: Database, actor: Actor, record_id: int, *, expected_version: int, changes: Mapping[str, Any],
        lines: Sequence[LineInput] | None = None, contact_ids: Sequence[int] | None = None,
    ) -> RecordDTO:
        """Save field changes, and (when given) the product lines and contacts, as one change.

        As RecordService.update: a stale ``expected_version`` raises ConflictError and writes nothing.
        ``changes["amount"]`` empty makes the amount follow the lines again.
        """
        if "customer_id" in changes:
            raise ValidationError({"customer_id": QT_TRANSLATE_NOOP("errors", "An opportunity stays with its customer.")})
        try:
            with unit_of_work(db, actor) as uow:
                assert uow.actor is not None
                require(uow.actor, "opportunity", "edit")
                policy = self.policy(uow.session, uow.actor)
                builtin, custom_values = self.prepare_values(uow.session, policy, _normalized(changes), partial=True,
                                                             record_id=record_id)
                row: Opportunity = self.load_row(uow.session, uow.actor, record_id, for_edit=True)
                names = policy.names_by_key()
                wanted = builtin | {names[k]: v for k, v in custom_values.items()}
                if row.version != expected_version:
                    raise self._conflict(uow.session, row, expected_version, wanted, policy)
                extra: dict[str, tuple[Any, Any]] = {}  # logged, but not columns of the row
                total: Decimal | None = None
                if lines is not None:
                    old = _lines_summary(read_lines(uow.session, OpportunityLine, "opportunity_id", row.id))
                    total = replace_lines(uow.session, OpportunityLine, "opportunity_id", row.id, lines)
                    new = _lines_summary(read_lines(uow.session, OpportunityLine, "opportunity_id", row.id))
                    if old != new:
                        extra["lines"] = (old, new)
                if contact_ids is not None:
                    old_ids = _contact_ids(uow, row.id)
                    new_ids = _set_contacts(uow, row, contact_ids)
                    if old_ids != new_ids:
                        extra["contact_ids"] = (old_ids, new_ids)
                if "amount" in wanted:
                    manual = wanted["amount"] not in (None, "")
                    wanted["amount_manual"] = manual
                    if not manual:
                        wanted["amount"] = total if total is not None else _lines_total(uow, row.id)
                elif total is not None and not row.amount_manual:
                    wanted["amount"] = total
                current = policy.current(row)
                diff = {f: (current[f], v) for f, v in wanted.items()
                        if audit.jsonable(current[f]) != audit.jsonable(v)}
                if not diff and not extra:
                    return to_dto(uow, self, row)
                for name in diff:
                    if name in self.fields:
                        setattr(row, name, wanted[name])
                if custom_values:
                    row.custom = {**(row.custom or {}), **custom_values}
                row.updated_at = utcnow()  # lines or contacts alone still make a new version
                uow.session.flush()
                diff |= extra
                audit.write_audit(uow.session, entity=self.module, record_id=row.id, action="update",
                                  actor_id=uow.actor.user_id, changes=diff, version=row.version)
                before = {k: audit.jsonable(o) for k, (o, _n) in diff.items()}
                after = {k: audit.jsonable(n) for k, (_o, n) in diff.items()}
                uow.add_event(RecordUpdated(self.module, row.id, uow.actor.user_id, before=before, after=after))
                return to_dto(uow, self, row)
        except StaleRecord:
            # Another session committed between our read and our UPDATE.
            with read_only(db, actor) as uow:
                assert uow.actor is not None
                policy = self.policy(uow.session, uow.actor)
                row = self.load_row(uow.session, uow.actor, record_id, for_edit=False)
                builtin, custom_values = policy.prepare(uow.session, _normalized(changes), partial=True,
                                                        record_id=record_id)
                names = policy.names_by_key()
                wanted = builtin | {names[k]: v for k, v in custom_values.items()}
                raise self._conflict(uow.session, row, expected_version, wanted, policy) from None


opportunities = OpportunityService(
    Opportunity, fields=FIELDS, required=("name", "customer_id"), search_fields=("name",), validate=_checks,
)


# --- stages and statuses ----------------------------------------------------------------------


def _load_locked(uow: UnitOfWork, opportunity_id: int) -> Opportunity:
    """The opportunity, editable by the actor, locked for this transaction (FOR UPDATE on
    PostgreSQL): two stage changes at once queue instead of both reading the old stage."""
    row: Opportunity = load_for(uow, opportunities, opportunity_id, for_edit=True)
    uow.session.refresh(row, with_for_update=True)
    return row


def set_status(uow: UnitOfWork, row: Opportunity, status: str, *, note: str = "",
                also: Mapping[str, Any] | None = None) -> None:
    old_stage, old = row.stage_id, row.status
    with uow.holding_events():  # its rules run once the stage history has the change too
        write_status(uow, row, "status", status, also=also)
        record_stage_change(uow, row, from_stage=old_stage, from_status=old, note=note)


def set_stage(db: Database, actor: Actor, opportunity_id: int, *, stage_id: int, note: str = "") -> RecordDTO:
    """Move an open opportunity to another stage of its group (forward or back)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "opportunity", "edit")
        row = _load_locked(uow, opportunity_id)
        if row.status != "open":
            raise RuleViolation(_CLOSED)
        stage = uow.session.get(Stage, stage_id)
        if stage is None or stage.group_id != row.stage_group_id:
            raise ValidationError({"stage_id": QT_TRANSLATE_NOOP("errors", "Choose a stage of this opportunity's group.")})
        old = row.stage_id
        if old != stage.id:
            with uow.holding_events():  # its rules run once the stage history has the move too
                write_status(uow, row, "stage_id", stage.id, action="stage")
                record_stage_change(uow, row, from_stage=old, from_status=row.status, note=note)
        return to_dto(uow, opportunities, row)


def advance(db: Database, actor: Actor, opportunity_id: int, *, note: str = "") -> RecordDTO:
    """Move an open opportunity to the next stage of its group; at the last stage, win it instead."""
    with read_only(db, actor) as uow:
        require(uow.actor, "opportunity", "edit")
        row: Opportunity = load_for(uow, opportunities, opportunity_id, for_edit=True)
        if row.status != "open":
            raise RuleViolation(_CLOSED)
        ids = [s.id for s in stages_of(uow.session, row.stage_group_id)] if row.stage_group_id else []
        position = ids.index(row.stage_id) if row.stage_id in ids else -1
        if position + 1 >= len(ids):
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "This is the last stage: mark the opportunity won."))
        target = ids[position + 1]
    return set_stage(db, actor, opportunity_id, stage_id=target, note=note)


def win(db: Database, actor: Actor, opportunity_id: int, *, note: str = "") -> RecordDTO:
    """Close an open opportunity as won (赢单); fires its status_changed rules (to "won")."""
    return _close(db, actor, opportunity_id, "won", note=note)


def lose(db: Database, actor: Actor, opportunity_id: int, *, reason: str) -> RecordDTO:
    """Close an open opportunity as lost (输单); ``reason`` is required."""
    if not reason.strip():
        raise ValidationError({"lost_reason": QT_TRANSLATE_NOOP("errors", "Required.")})
    return _close(db, actor, opportunity_id, "lost", note=reason.strip())


def mark_invalid(db: Database, actor: Actor, opportunity_id: int, *, reason: str = "") -> RecordDTO:
    """Close an open opportunity as invalid (无效); the optional reason is kept like a lost reason."""
    return _close(db, actor, opportunity_id, "invalid", note=reason.strip())


def _close(db: Database, actor: Actor, opportunity_id: int, status: str, *, note: str) -> RecordDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "opportunity", "edit")
        row = _load_locked(uow, opportunity_id)
        if row.status != "open":
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "This opportunity is already closed."))
        also: dict[str, Any] = {"closed_at": utcnow()}
        if status != "won":
            also["lost_reason"] = note
        set_status(uow, row, status, note=note, also=also)
        return to_dto(uow, opportunities, row)


def win_row(uow: UnitOfWork, row: Opportunity, *, note: str = "") -> bool:
    """Close a loaded opportunity as won inside the caller's unit of work, as ``win`` does
    (stage history, audit, StatusChanged: its rules run), without a permission check — the
    caller decided (its contract was approved). Locks the row first; returns False and changes
    nothing when it is no longer open."""
    uow.session.refresh(row, with_for_update=True)
    if row.status != "open":
        return False
    set_status(uow, row, "won", note=note, also={"closed_at": utcnow()})
    return True


def reopen(db: Database, actor: Actor, opportunity_id: int, *, note: str = "") -> RecordDTO:
    """Open a won, lost or invalid opportunity again, at the stage it had."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "opportunity", "edit")
        row = _load_locked(uow, opportunity_id)
        if row.status == "open":
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "This opportunity is not closed."))
        set_status(uow, row, "open", note=note, also={"closed_at": None, "lost_reason": ""})
        return to_dto(uow, opportunities, row)


# --- reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageChangeDTO:
    id: int
    from_stage_id: int | None
    from_stage_name: str
    to_stage_id: int | None
    to_stage_name: str
    from_status: str
    to_status: str
    note: str
    actor_id: int | None
    actor_name: str
    at: dt.datetime


@dataclass(frozen=True)
class StageBarDTO:
    """What the detail page's stage bar draws."""

    group_id: int | None
    group_name: str
    stages: tuple[StageDTO, ...]
    current_stage_id: int | None
    status: str
    #: The current stage's win rate; 100 when won, 0 when lost or invalid.
    win_rate: int


def _visible(uow: UnitOfWork, opportunity_id: int) -> Opportunity:
    require(uow.actor, "opportunity", "view")
    row: Opportunity = load_for(uow, opportunities, opportunity_id, for_edit=False)
    return row


def get_lines(db: Database, actor: Actor, opportunity_id: int) -> tuple[LineDTO, ...]:
    """The opportunity's product lines in order."""
    with read_only(db, actor) as uow:
        row = _visible(uow, opportunity_id)
        return read_lines(uow.session, OpportunityLine, "opportunity_id", row.id)


def get_contacts(db: Database, actor: Actor, opportunity_id: int) -> list[RecordDTO]:
    """The opportunity's contacts that the actor may see (contact scope), by name."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        row = _visible(uow, opportunity_id)
        found = uow.session.execute(
            select(Contact, User.name).outerjoin(User, User.id == Contact.owner_id)
            .join(OpportunityContact, OpportunityContact.contact_id == Contact.id)
            .where(OpportunityContact.opportunity_id == row.id, visible_filter(Contact, uow.actor))
            .order_by(Contact.name, Contact.id)
        ).all()
        policy = contacts.policy(uow.session, uow.actor)
        return [contacts.to_dto(c, n or "", policy) for c, n in found]


def stage_history(db: Database, actor: Actor, opportunity_id: int) -> list[StageChangeDTO]:
    """Every stage and status change, oldest first, with stage and actor names."""
    with read_only(db, actor) as uow:
        row = _visible(uow, opportunity_id)
        names: dict[int, str] = {i: n for i, n in uow.session.execute(
            select(Stage.id, Stage.name).where(Stage.group_id == row.stage_group_id))}
        changes = uow.session.execute(
            select(StageChange, User.name).outerjoin(User, User.id == StageChange.actor_id)
            .where(StageChange.opportunity_id == row.id).order_by(StageChange.id)
        ).all()
        missing = {i for c, _n in changes for i in (c.from_stage_id, c.to_stage_id) if i is not None and i not in names}
        if missing:  # a stage of another group (the group was changed by an administrator)
            names |= {i: n for i, n in uow.session.execute(select(Stage.id, Stage.name).where(Stage.id.in_(missing)))}
        return [StageChangeDTO(
            c.id, c.from_stage_id, names.get(c.from_stage_id, "") if c.from_stage_id else "", c.to_stage_id,
            names.get(c.to_stage_id, "") if c.to_stage_id else "", c.from_status, c.to_status, c.note, c.actor_id,
            n or "", c.at) for c, n in changes]


def stage_bar(db: Database, actor: Actor, opportunity_id: int) -> StageBarDTO:
    with read_only(db, actor) as uow:
        row = _visible(uow, opportunity_id)
        group = uow.session.get(StageGroup, row.stage_group_id) if row.stage_group_id else None
        stages = tuple(StageDTO(s.id, s.name, s.win_rate, s.sort_order)
                       for s in (stages_of(uow.session, group.id) if group else ()))
        current = next((s for s in stages if s.id == row.stage_id), None)
        rate = {"won": 100, "lost": 0, "invalid": 0}.get(row.status, current.win_rate if current else 0)
        return StageBarDTO(group.id if group else None, group.name if group else "", stages, row.stage_id,
                           row.status, rate)


def list_for_customer(db: Database, actor: Actor, customer_id: int) -> list[RecordDTO]:
    """The live opportunities of a customer the actor may see, most recently updated first."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "opportunity", "view")
        load_for(uow, customers, customer_id, for_edit=False)
        rows = uow.session.execute(
            select(Opportunity, User.name).outerjoin(User, User.id == Opportunity.owner_id)
            .where(Opportunity.customer_id == customer_id, visible_filter(Opportunity, uow.actor))
            .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
        ).all()
        policy = opportunities.policy(uow.session, uow.actor)
        return [opportunities.to_dto(r, n or "", policy) for r, n in rows]


def list_for_contact(db: Database, actor: Actor, contact_id: int) -> list[RecordDTO]:
    """The live opportunities a contact the actor may see takes part in (``contact_ids``) that
    the actor may see too, most recently updated first."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "opportunity", "view")
        load_for(uow, contacts, contact_id, for_edit=False)
        rows = uow.session.execute(
            select(Opportunity, User.name).outerjoin(User, User.id == Opportunity.owner_id)
            .join(OpportunityContact, OpportunityContact.opportunity_id == Opportunity.id)
            .where(OpportunityContact.contact_id == contact_id, visible_filter(Opportunity, uow.actor),
                   Opportunity.deleted_at.is_(None))
            .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
        ).all()
        policy = opportunities.policy(uow.session, uow.actor)
        return [opportunities.to_dto(r, n or "", policy) for r, n in rows]


__all__ = [
    "CLOSED_STATUSES", "EDITABLE_FIELDS", "FIELDS", "STATUSES", "SYSTEM_FIELDS", "OpportunityService", "StageBarDTO",
    "StageChangeDTO", "advance", "get_contacts", "get_lines", "insert_opportunity", "list_for_contact",
    "list_for_customer", "lose",
    "mark_invalid", "opportunities", "reopen", "set_stage", "stage_bar", "stage_history", "win", "win_row",
]
