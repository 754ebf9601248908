"""Contracts / orders (合同/订单): draft → approval → execution stages, with product lines.

Promises (every call: permission first, the one data-scope filter, one unit of work, audit
entries and domain events for each write; thread rule: any thread, nothing shared):

- ``contracts`` is the RecordService (get/list_page/count/transfer/delete/operation_log/…).
  ``create`` makes a *draft* with the next number (``numbering``), a customer the actor can
  see, an optional opportunity of that customer, signers, dates, payment terms, custom fields
  and product lines; the amount follows the lines' total unless one is typed (``"amount": ""``
  on update makes it follow the lines again). Money is Decimal end to end.
- ``submit`` sends a draft / rejected / withdrawn contract to the enabled "create" approval
  flow of contracts (a new instance each time: the flow as it is now decides, and the earlier
  rounds stay in the record's approval history). A node whose approver the submitter chooses
  takes ``approver_ids`` (seed 004: a new contract chooses its approver); without them the
  submit is refused (ValidationError on ``approver_ids``). Without an enabled flow the contract is
  approved at once; the operation log says so ("status" entry draft → approved).
- Editing: draft, rejected and withdrawn contracts by whoever may edit them (editing a
  rejected or withdrawn one puts it back to draft: it must be submitted again); a pending one
  is refused (ApprovalPending); an approved one needs contract "modify_approved"; a voided one
  is refused. Every change is in the operation log field by field; a change of the lines is
  one "lines" entry with the old and new lines as text.
- Approval (``contract_finished``, the approval engine's ``FINISH_HOOKS`` entry): the
  customer's deal status becomes "deal"
  (``customers.apply_deal_status``, same transaction) and the execution status starts at the
  first enabled item of the "order_status" dictionary.
- ``set_execution_status``: approved contracts only, to an enabled "order_status" item; an
  enabled "status" flow on ``execution_status`` (from / to, branch conditions on the
  contract's fields such as ``amount``, or its derived ``product_category``: the categories
  of its lines' products and those above them) gates it, else it changes at once with audit,
  StatusChanged and the contract's status_changed rules. Approval flow nodes with
  ``"sets_status"`` set it too (the approval engine's ``NODE_STATUS_FIELDS``). The list filter and trigger
  conditions take ``product_category`` too (``services.derived_fields``).
- ``void`` (contract "void"): approved contracts only.
- Lists and ``get`` add ``outstanding_amount`` (amount − received) to ``values`` when both are
  visible; the text search matches number, name and the customer's name.
- ``contract_from_opportunity(uow, opp_row)``: a draft contract with the opportunity's lines
  (off-shelf products included: they were sold), used by ``create_from_opportunity`` and by
  the rule action ``create_record`` with entity "contract".
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ApprovalInstance,
    Contact,
    Contract,
    ContractLine,
    Customer,
    DictionaryItem,
    Opportunity,
    OpportunityLine,
    User,
    utcnow,
)
from crm_desktop.services.customers.customers import (
    apply_deal_status,
    customers,
    field_checks,
    load_for,
    to_dto,
    write_status,
)
from crm_desktop.services.db_errors import StaleRecord
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.events import ApprovalRequested, RecordCreated, RecordUpdated
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.records.filters import LIKE_ESCAPE
from crm_desktop.services.records.numbering import next_number
from crm_desktop.services.records.record_fields import FieldPolicy
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.sales.product_lines import (
    LineDTO,
    LineInput,
    copy_lines,
    money,
    read_lines,
    replace_lines,
)
from crm_desktop.services.uow import UnitOfWork, read_only, retrying, unit_of_work
from crm_desktop.services.workflow.approval_state import (
    AlreadyDecided,
    creation_flow,
    newest_pending,
    refuse_edit_while_pending,
    request_transition,
)
from crm_desktop.services.workflow.approval_state import withdraw as withdraw_approval
from crm_desktop.services.workflow.approver_picks import resolve_picks

if TYPE_CHECKING:
    from crm_desktop.db import Database

FIELDS = (
    "number", "name", "customer_id", "opportunity_id", "customer_signer_id", "our_signer_id", "amount",
    "order_date", "start_date", "end_date", "payment_terms", "remark",
    "approval_status", "execution_status", "received_amount",
)
SYSTEM_FIELDS = ("number", "approval_status", "execution_status", "received_amount")
EDITABLE_APPROVAL = ("draft", "rejected", "withdrawn")
_DATES = ("order_date", "start_date", "end_date")
_IDS = ("customer_id", "opportunity_id", "customer_signer_id", "our_signer_id")


def outstanding(amount: Decimal | None, received: Decimal | None) -> Decimal:
    return Decimal(amount or 0) - Decimal(received or 0)


def clean_values(values: Mapping[str, Any], *, dates: Sequence[str] = _DATES, ids: Sequence[str] = _IDS,
                 money_fields: Sequence[str] = ("amount",)) -> dict[str, Any]:
    """Form input as the columns store it: money as Decimal (floats refused), ISO dates as
    dates, ids as ints; empty input as None. Bad input raises ValidationError naming the field."""
    out = dict(values)
    errors: dict[str, str] = {}
    for name in money_fields:
        if name in out:
            raw = out[name]
            out[name] = None if raw is None or str(raw).strip() == "" else money(raw)
    for name in dates:
        raw = out.get(name)
        if name in out and not isinstance(raw, dt.date):
            try:
                out[name] = dt.date.fromisoformat(str(raw).strip()) if raw not in (None, "") else None
            except ValueError:
                errors[name] = QT_TRANSLATE_NOOP("errors", "Enter a valid date.")
    for name in ids:
        raw = out.get(name)
        if name in out:
            try:
                out[name] = int(raw) if raw not in (None, "") else None
            except (TypeError, ValueError):
                errors[name] = QT_TRANSLATE_NOOP("errors", "Enter a valid value for this field.")
    if errors:
        raise ValidationError(errors)
    return out


def lines_summary(lines: Sequence[LineDTO]) -> str:
    """The lines as one line of text for the operation log (name × quantity @ price −discount% = subtotal)."""
    parts = []
    for line in lines:
        qty = format(line.quantity.normalize(), "f")
        off = f" -{format(line.discount.normalize(), 'f')}%" if line.discount else ""
        parts.append(f"{line.product_name} × {qty} @ {line.price}{off} = {line.subtotal}")
    return "; ".join(parts)


class ContractService(RecordService[Contract]):
    """RecordService with numbering, lines, approval states and the outstanding amount."""

    def to_dto(self, row: Any, owner_name: str, policy: FieldPolicy) -> RecordDTO:
        return _with_outstanding(super().to_dto(row, owner_name, policy))

    #: A list row's outstanding amount, computed when read (when both amounts are shown).
    derived_values = {"outstanding_amount": (("amount", "received_amount"),
                                             lambda v: outstanding(v["amount"], v["received_amount"]))}

    def _text_match(self, pattern: Any) -> Any:
        """Number, name or the customer's name (the list's search box)."""
        def like(column: Any) -> Any:
            return column.ilike(pattern, escape=LIKE_ESCAPE)

        # The customer's name read per contract (a correlated scalar subquery), not
        # ``customer_id IN (SELECT … WHERE name LIKE …)``: that list was built by reading every
        # customer's name (1M rows: 0.5–1.3 s) before the first contract, and PostgreSQL turns an
        # EXISTS into the same hashed list. Only the contracts the page reads look up their
        # customer, and the page stops after its rows (bench/lists.py contract_filtered_search).
        by_customer = like(select(Customer.name).where(Customer.id == Contract.customer_id).scalar_subquery())
        return or_(like(Contract.number), like(Contract.name), by_customer)

    @retrying()
    def create(
        self, db: Database, actor: Actor, values: Mapping[str, Any], *, owner_id: int | None = None,
        custom: Mapping[str, Any] | None = None, lines: Sequence[LineInput] | None = None,
    ) -> RecordDTO:
        """A draft contract (not submitted: ``submit`` starts its approval). Of an opportunity
        and without ``lines`` (None, not an empty list), it takes the opportunity's lines."""
        with unit_of_work(db, actor) as uow:
            require(uow.actor, "contract", "create")
            assert uow.actor is not None
            owner = self.new_owner(uow.session, uow.actor, owner_id)
            row = insert_contract(uow, values, owner_id=owner, custom=custom, lines=lines or (),
                                  opportunity_lines=lines is None)
            return to_dto(uow, self, row)

    @retrying()
    def update(
        self, db: Database, actor: Actor, record_id: int, *, expected_version: int, changes: Mapping[str, Any],
        lines: Sequence[LineInput] | None = None,
    ) -> RecordDTO:
        """Save changes (and, when given, the new lines) made at ``expected_version``; see the module doc."""
        try:
            with unit_of_work(db, actor) as uow:
                return self._update(uow, record_id, expected_version, changes, lines)
        except StaleRecord:
            with read_only(db, actor) as uow:
                assert uow.actor is not None
                policy = self.policy(uow.session, uow.actor)
                row = self.load_row(uow.session, uow.actor, record_id, for_edit=False)
                raise self._conflict(uow.session, row, expected_version, dict(changes), policy) from None

    def _update(self, uow: UnitOfWork, record_id: int, expected_version: int, changes: Mapping[str, Any],
                lines: Sequence[LineInput] | None) -> RecordDTO:
        assert uow.actor is not None
        require(uow.actor, "contract", "edit")
        row = self.load_row(uow.session, uow.actor, record_id, for_edit=True)
        refuse_edit_while_pending(row)
        if row.approval_status == "voided":
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "A voided contract cannot be changed."))
        if row.approval_status == "approved":
            require(uow.actor, "contract", "modify_approved")
        policy = self.policy(uow.session, uow.actor)
        cleaned = clean_values(changes)
        follow_lines = "amount" in cleaned and cleaned["amount"] is None
        if follow_lines:
            del cleaned["amount"]
        builtin, custom_values = self.prepare_values(uow.session, policy, cleaned, partial=True, record_id=record_id)
        names = policy.names_by_key()
        wanted = builtin | {names[k]: v for k, v in custom_values.items()}
        if row.version != expected_version:
            raise self._conflict(uow.session, row, expected_version, wanted, policy)
        if any(f in builtin for f in ("customer_id", "opportunity_id", "customer_signer_id", "our_signer_id")):
            check_references(uow, {f: getattr(row, f) for f in _IDS} | {k: v for k, v in builtin.items() if k in _IDS})
        current = policy.current(row)
        old_amount = row.amount
        diff = {f: (current[f], v) for f, v in wanted.items() if audit.jsonable(current[f]) != audit.jsonable(v)}
        diff.pop("amount", None)  # decided below, with the lines
        for name in builtin:
            if name in diff:
                setattr(row, name, builtin[name])
        if custom_values:
            row.custom = {**(row.custom or {}), **custom_values}  # a new dict: JSON change tracking
        if "amount" in builtin:
            row.amount, row.amount_manual = builtin["amount"], True
        elif follow_lines:
            row.amount_manual = False
        if lines is not None or follow_lines:
            before = read_lines(uow.session, ContractLine, "contract_id", row.id)
            if lines is not None:
                total = replace_lines(uow.session, ContractLine, "contract_id", row.id, lines)
                after = read_lines(uow.session, ContractLine, "contract_id", row.id)
            else:
                total, after = sum((line.subtotal for line in before), Decimal("0.00")), before
            if lines_summary(before) != lines_summary(after):
                diff["lines"] = (lines_summary(before), lines_summary(after))
            if not row.amount_manual:
                row.amount = total
        if audit.jsonable(old_amount) != audit.jsonable(row.amount):
            diff["amount"] = (old_amount, row.amount)
        if diff and row.approval_status in ("rejected", "withdrawn"):
            diff["approval_status"] = (row.approval_status, "draft")
            row.approval_status = "draft"
        if not diff:
            return to_dto(uow, self, row)
        row.updated_at = utcnow()  # a change of lines only is a new version of the contract too
        uow.session.flush()
        audit.write_audit(uow.session, entity="contract", record_id=row.id, action="update",
                          actor_id=uow.actor.user_id, changes=diff, version=row.version)
        before_v = {k: audit.jsonable(o) for k, (o, _n) in diff.items()}
        after_v = {k: audit.jsonable(n) for k, (_o, n) in diff.items()}
        uow.add_event(RecordUpdated("contract", row.id, uow.actor.user_id, before=before_v, after=after_v))
        return to_dto(uow, self, row)


def _with_outstanding(dto: RecordDTO) -> RecordDTO:
    values = dto.values
    if "amount" not in values or "received_amount" not in values:
        return dto
    # The DTO was just built from its row and its dict is its own: filled in place, not copied
    # (a list page makes 100 of these; a dataclasses.replace each cost more than the query).
    values["outstanding_amount"] = outstanding(values["amount"], values["received_amount"])  # type: ignore[index]
    return dto


contracts: ContractService = ContractService(
    Contract, fields=FIELDS, required=("name", "customer_id"), search_fields=("number", "name"),
    validate=field_checks(SYSTEM_FIELDS),
)


# --- unit-of-work helpers -------------------------------------------------------------------

def check_references(uow: UnitOfWork, ids: Mapping[str, Any]) -> Customer:
    """The customer must be visible to the actor; the opportunity (optional) one of that
    customer the actor can see; the customer's signer one of its contacts; ours an enabled user."""
    assert uow.actor is not None
    customer = load_for(uow, customers, int(ids["customer_id"]), for_edit=False)
    errors: dict[str, str] = {}
    if ids.get("opportunity_id") is not None:
        opp = uow.session.scalar(select(Opportunity).where(
            Opportunity.id == ids["opportunity_id"], visible_filter(Opportunity, uow.actor)))
        if opp is None or opp.customer_id != customer.id:
            errors["opportunity_id"] = QT_TRANSLATE_NOOP("errors", "Choose an opportunity of this customer.")
    if ids.get("customer_signer_id") is not None:
        contact = uow.session.get(Contact, ids["customer_signer_id"])
        if contact is None or contact.deleted_at is not None or contact.customer_id != customer.id:
            errors["customer_signer_id"] = QT_TRANSLATE_NOOP("errors", "Choose a contact of this customer.")
    if ids.get("our_signer_id") is not None and not uow.session.scalar(
            select(User.enabled).where(User.id == ids["our_signer_id"])):
        errors["our_signer_id"] = QT_TRANSLATE_NOOP("errors", "Choose an enabled user.")
    if errors:
        raise ValidationError(errors)
    return customer


def insert_contract(
    uow: UnitOfWork, values: Mapping[str, Any], *, owner_id: int, custom: Mapping[str, Any] | None = None,
    lines: Sequence[LineInput] = (), lines_of_opportunity: int | None = None, opportunity_lines: bool = False,
) -> Contract:
    """Validate and insert a draft contract with its number and lines; audit "create" (the lines
    included) and RecordCreated (last, when the contract is complete: its "created" rules run then).
    ``opportunity_lines``: the lines are those of the contract's opportunity, if it has one."""
    assert uow.actor is not None
    cleaned = clean_values(values)
    manual = cleaned.get("amount") is not None
    if not manual:
        cleaned.pop("amount", None)
    policy = contracts.policy(uow.session, uow.actor)
    builtin, custom_values = contracts.prepare_values(uow.session, policy, {**cleaned, **(custom or {})}, partial=False)
    check_references(uow, {f: builtin.get(f) for f in _IDS})
    contracts.check_owner(uow.session, owner_id)
    row = Contract(**builtin, number=next_number(uow.session, "contract"), approval_status="draft",
                   amount_manual=manual, owner_id=owner_id, creator_id=uow.actor.user_id, custom=custom_values)
    uow.session.add(row)
    uow.session.flush()
    if lines_of_opportunity is None and opportunity_lines and row.opportunity_id is not None:
        lines_of_opportunity = row.opportunity_id  # checked above: visible, of this customer
    if lines_of_opportunity is not None:
        total = copy_lines(uow.session, OpportunityLine, "opportunity_id", lines_of_opportunity,
                           ContractLine, "contract_id", row.id)
    else:
        total = replace_lines(uow.session, ContractLine, "contract_id", row.id, lines)
    if not manual:
        row.amount = total
    uow.session.flush()
    snapshot = {k: v for k, v in policy.current(row).items() if v not in (None, "", [])} | {"owner_id": owner_id}
    snapshot |= {f: getattr(row, f) for f in contracts.fields}
    summary = lines_summary(read_lines(uow.session, ContractLine, "contract_id", row.id))
    if summary:
        snapshot["lines"] = summary
    audit.write_audit(uow.session, entity="contract", record_id=row.id, action="create", actor_id=uow.actor.user_id,
                      changes={k: (None, v) for k, v in snapshot.items()}, version=row.version)
    uow.add_event(RecordCreated("contract", row.id, uow.actor.user_id, values=audit.jsonable(snapshot)))
    return row


def contract_from_opportunity(uow: UnitOfWork, opp_row: Opportunity, *, owner_id: int | None = None) -> Contract:
    """A draft contract for a (won) opportunity: its name, customer, product lines and — when
    typed by hand — amount; owned by the opportunity's owner."""
    values: dict[str, Any] = {"name": opp_row.name, "customer_id": opp_row.customer_id, "opportunity_id": opp_row.id}
    if opp_row.amount_manual:
        values["amount"] = opp_row.amount
    owner = owner_id or opp_row.owner_id
    if owner is None:
        raise ValidationError({"owner_id": QT_TRANSLATE_NOOP("errors", "Choose an enabled user as owner.")})
    return insert_contract(uow, values, owner_id=owner, lines_of_opportunity=opp_row.id)


def order_statuses(session: Any) -> list[str]:
    """The enabled values of the "order_status" dictionary, in their order."""
    return list(session.scalars(select(DictionaryItem.value).where(
        DictionaryItem.dictionary == "order_status", DictionaryItem.enabled.is_(True))
        .order_by(DictionaryItem.sort_order, DictionaryItem.id)))


def apply_execution_status(uow: UnitOfWork, row: Contract, status: str) -> bool:
    """Set the execution status inside the caller's unit of work (audit, StatusChanged: the
    contract's status_changed rules run on it); no permission or gate check: the caller decided."""
    return write_status(uow, row, "execution_status", status)


def submit_row(uow: UnitOfWork, service: RecordService[Any], row: Any,
               approved: Callable[[UnitOfWork, Any, ApprovalInstance | None, bool], None], *,
               approver_ids: Sequence[int] | None = None,
               picks: Mapping[int | str, Sequence[int]] | None = None) -> None:
    """Start the entity's enabled "create" flow on ``row`` (a new instance), or approve it at
    once (logged as a status change, then ``approved``: what the entity's approval leads to)
    when no flow is enabled. When the branch the record takes has a node whose approver the
    submitter chooses, ``approver_ids`` (or ``picks`` per node) name them
    (``approver_picks.resolve_picks``: ValidationError without them)."""
    assert uow.actor is not None
    old = row.approval_status
    flow = creation_flow(uow, service.module)
    if flow is None:
        write_status(uow, row, "approval_status", "approved")
        approved(uow, row, None, True)
        return
    chosen = resolve_picks(uow.session, service, row, flow, uow.actor.user_id, approver_ids=approver_ids, picks=picks)
    # The approval engine starts it as the request is recorded (the record becomes "pending",
    # or is decided at once when no node has an approver).
    uow.add_event(ApprovalRequested(service.module, row.id, uow.actor.user_id, flow_id=flow.id,
                                    target={"kind": "create"}, submitter_id=uow.actor.user_id, picks=chosen))
    uow.session.flush()
    audit.write_audit(uow.session, entity=service.module, record_id=row.id, action="submit",
                      actor_id=uow.actor.user_id, changes={"approval_status": (old, row.approval_status)},
                      version=row.version)


def contract_finished(uow: UnitOfWork, row: Contract, inst: ApprovalInstance | None, approved: bool) -> None:
    """An approval of the contract finished (``inst`` None: approved at once, no flow): an
    approved contract makes its customer a deal and starts at the first execution status."""
    if not approved or (inst is not None and (inst.target or {}).get("kind") != "create"):
        return
    customer = uow.session.get(Customer, row.customer_id)
    if customer is not None and customer.deal_status != "deal":
        apply_deal_status(uow, customer, "deal")
    if not row.execution_status:
        first = order_statuses(uow.session)
        if first:
            apply_execution_status(uow, row, first[0])



# --- operations -----------------------------------------------------------------------------

def submit(db: Database, actor: Actor, contract_id: int, *, approver_ids: Sequence[int] | None = None,
           picks: Mapping[int | str, Sequence[int]] | None = None) -> RecordDTO:
    """Submit a draft / rejected / withdrawn contract for approval (see the module doc);
    ``approver_ids`` / ``picks``: the approvers the submitter chooses (``submit_row``)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "contract", "edit")
        row = load_for(uow, contracts, contract_id, for_edit=True)
        if row.approval_status not in EDITABLE_APPROVAL:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Only a draft, rejected or withdrawn contract can be submitted."))
        submit_row(uow, contracts, row, contract_finished, approver_ids=approver_ids, picks=picks)
        return to_dto(uow, contracts, row)


def pending_instance_id(db: Database, actor: Actor, entity: str, record_id: int) -> int | None:
    """The record's approval waiting for a decision (its "create" flow), if any; NotFound for a
    record the actor cannot see (as ``services.approvals.pending_instance_id``, which reaches
    every module through the registry; this module is below it)."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        if entity != "contract":  # other modules: services.approvals.pending_instance_id
            raise NotFound(entity, record_id)
        require(uow.actor, entity, "view")
        contracts.load_row(uow.session, uow.actor, record_id, for_edit=False)
        return newest_pending(uow.session, entity, record_id)


def withdraw(db: Database, actor: Actor, contract_id: int, comment: str = "") -> RecordDTO:
    """The submitter takes a pending contract back (it becomes "withdrawn", editable again)."""
    contracts.get(db, actor, contract_id)  # visible, else NotFound
    instance_id = pending_instance_id(db, actor, "contract", contract_id)
    if instance_id is None:
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "This record is not waiting for approval."))
    try:
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            withdraw_approval(uow, instance_id, uow.actor.user_id, comment, model_of=lambda _entity: Contract)
    except StaleRecord:
        raise AlreadyDecided() from None  # decided while the submitter withdrew (SQLite)
    return contracts.get(db, actor, contract_id)


def set_execution_status(db: Database, actor: Actor, contract_id: int, status: str) -> RecordDTO:
    """Move an approved contract to another execution status (or submit the move to the flow
    that gates it: the returned contract still has the old status then)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "contract", "edit")
        row = load_for(uow, contracts, contract_id, for_edit=True)
        if row.approval_status != "approved":
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Only an approved contract has execution stages."))
        if status not in order_statuses(uow.session):
            raise ValidationError({"execution_status": QT_TRANSLATE_NOOP("errors", "Choose a listed value.")})
        if status == row.execution_status:
            return to_dto(uow, contracts, row)
        if request_transition(uow, "contract", row, "execution_status", status):
            return to_dto(uow, contracts, row)
        apply_execution_status(uow, row, status)
        return to_dto(uow, contracts, row)


def void(db: Database, actor: Actor, contract_id: int) -> RecordDTO:
    """Void (作废) an approved contract: it stays for the record but takes no more payments."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "contract", "void")
        row = load_for(uow, contracts, contract_id, for_edit=True)
        if row.approval_status != "approved":
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Only an approved contract can be voided."))
        write_status(uow, row, "approval_status", "voided", action="void")
        return to_dto(uow, contracts, row)


def create_from_opportunity(db: Database, actor: Actor, opportunity_id: int) -> RecordDTO:
    """A draft contract made from an opportunity the actor can see (its lines copied)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "contract", "create")
        assert uow.actor is not None
        opp = uow.session.scalar(select(Opportunity).where(
            Opportunity.id == opportunity_id, visible_filter(Opportunity, uow.actor)))
        if opp is None:
            raise NotFound("opportunity", opportunity_id)
        row = contract_from_opportunity(uow, opp)
        return to_dto(uow, contracts, row)


def contract_lines(db: Database, actor: Actor, contract_id: int) -> tuple[LineDTO, ...]:
    with read_only(db, actor) as uow:
        require(uow.actor, "contract", "view")
        load_for(uow, contracts, contract_id, for_edit=False)
        return read_lines(uow.session, ContractLine, "contract_id", contract_id)


__all__ = ["EDITABLE_APPROVAL", "FIELDS", "SYSTEM_FIELDS", "ContractService", "apply_execution_status",
           "check_references", "clean_values", "contract_finished", "contract_from_opportunity", "contract_lines", "contracts",
           "create_from_opportunity", "insert_contract", "lines_summary", "order_statuses", "outstanding",
           "pending_instance_id", "set_execution_status", "submit", "submit_row", "void", "withdraw"]
