"""Payment plans (回款计划) and payments (回款) of contracts.

Promises (permission first, the one data-scope filter, one unit of work; thread rule: any thread):

- Plans belong to a contract and are managed with contract "edit" rights on it (not on a
  voided contract): instalment number unique per contract, amount > 0, planned date, method,
  remind N days before. Status is computed (``plan_status``): "received" once fully received,
  "overdue" when the planned date has passed before that, "partly_received", else "pending".
  ``send_plan_reminders`` (the job runner's step) messages the contract's owner once per plan,
  ``remind_days`` before the planned date, unless it is fully received.
- ``payments`` is the RecordService. ``create`` makes a draft with the next number on an
  approved contract the actor can see (the customer comes from the contract; the plan, if
  any, must be of that contract), amount > 0; ``submit`` starts the payments' "create" flow
  (none enabled: approved at once, logged). Draft / rejected / withdrawn payments can be
  edited (a rejected or withdrawn one goes back to draft), pending ones cannot, approved ones
  cannot be edited or deleted.
- A payment may not take more than the contract's outstanding amount — the amount minus the
  approved *and* pending payments — unless the "allow overpayment" setting is on; the message
  names the outstanding amount. The contract row is locked (PostgreSQL) while this is checked,
  so two payments submitted at once cannot both use the same outstanding money.
- Approval re-derives (sums, never increments) the contract's and the plan's received amounts
  from the approved payments in the same transaction. Decimal end to end.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ApprovalInstance,
    Contract,
    Message,
    Payment,
    PaymentPlan,
    Setting,
    utcnow,
)
from crm_desktop.services.customers.customers import (
    field_checks,
    load_for,
    to_dto,
    write_fields,
)
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.events import RecordCreated
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.records.numbering import next_number
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.sales.contracts import clean_values, contracts, submit_row
from crm_desktop.services.sales.product_lines import money
from crm_desktop.services.uow import UnitOfWork, read_only, retrying, unit_of_work
from crm_desktop.services.workflow.approval_state import refuse_edit_while_pending

if TYPE_CHECKING:
    from crm_desktop.db import Database

FIELDS = ("number", "contract_id", "customer_id", "plan_id", "amount", "paid_date", "method", "remark",
          "approval_status")
SYSTEM_FIELDS = ("number", "customer_id", "approval_status")
EDITABLE_APPROVAL = ("draft", "rejected", "withdrawn")
PLAN_STATUSES = ("pending", "partly_received", "received", "overdue")
ALLOW_OVERPAYMENT_KEY = "allow_overpayment"
ZERO = Decimal("0.00")


# --- settings ---------------------------------------------------------------------------------

def _allow_overpayment(session: Any) -> bool:
    row = session.get(Setting, ALLOW_OVERPAYMENT_KEY)
    return bool(row is not None and row.value is True)


def get_allow_overpayment(db: Database, actor: Actor) -> bool:
    """Whether a payment may exceed the contract's outstanding amount (default: no)."""
    with read_only(db, actor) as uow:
        return _allow_overpayment(uow.session)


def set_allow_overpayment(db: Database, actor: Actor, allowed: bool) -> None:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        row = uow.session.get(Setting, ALLOW_OVERPAYMENT_KEY)
        if row is None:
            uow.session.add(Setting(key=ALLOW_OVERPAYMENT_KEY, value=bool(allowed)))
        else:
            row.value = bool(allowed)


# --- payment plans ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanInput:
    instalment: int
    amount: Decimal | str | int
    planned_date: dt.date
    method: str = ""
    remind_days: int | None = None
    remark: str = ""


@dataclass(frozen=True)
class PlanDTO:
    id: int
    contract_id: int
    customer_id: int
    instalment: int
    amount: Decimal
    planned_date: dt.date
    method: str
    remind_days: int | None
    received_amount: Decimal
    status: str
    remark: str


def plan_status(amount: Decimal, received: Decimal, planned_date: dt.date, today: dt.date) -> str:
    if received >= amount:
        return "received"
    if planned_date < today:
        return "overdue"
    return "partly_received" if received > 0 else "pending"


def _plan_dto(p: PaymentPlan, today: dt.date) -> PlanDTO:
    return PlanDTO(p.id, p.contract_id, p.customer_id, p.instalment, p.amount, p.planned_date, p.method,
                   p.remind_days, p.received_amount, plan_status(p.amount, p.received_amount, p.planned_date, today),
                   p.remark)


def _check_plan(session: Any, contract_id: int, data: PlanInput, plan_id: int | None) -> Decimal:
    errors: dict[str, str] = {}
    amount = money(data.amount)
    if amount <= 0:
        errors["amount"] = QT_TRANSLATE_NOOP("errors", "The amount must be above 0.")
    if data.instalment < 1:
        errors["instalment"] = QT_TRANSLATE_NOOP("errors", "The instalment number must be 1 or more.")
    elif session.scalar(select(PaymentPlan.id).where(
            PaymentPlan.contract_id == contract_id, PaymentPlan.instalment == data.instalment,
            PaymentPlan.id != (plan_id or 0))) is not None:
        errors["instalment"] = QT_TRANSLATE_NOOP("errors", "This contract already has this instalment.")
    if not isinstance(data.planned_date, dt.date):
        errors["planned_date"] = QT_TRANSLATE_NOOP("errors", "Enter a valid date.")
    if data.remind_days is not None and not 0 <= data.remind_days <= 365:
        errors["remind_days"] = QT_TRANSLATE_NOOP("errors", "Remind between 0 and 365 days before.")
    if errors:
        raise ValidationError(errors)
    return amount


def _editable_contract(uow: UnitOfWork, contract_id: int) -> Contract:
    require(uow.actor, "contract", "edit")
    row = load_for(uow, contracts, contract_id, for_edit=True)
    if row.approval_status == "voided":
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "A voided contract cannot be changed."))
    return row


def list_plans(db: Database, actor: Actor, contract_id: int, *, today: dt.date | None = None) -> list[PlanDTO]:
    with read_only(db, actor) as uow:
        require(uow.actor, "contract", "view")
        load_for(uow, contracts, contract_id, for_edit=False)
        rows = uow.session.scalars(select(PaymentPlan).where(PaymentPlan.contract_id == contract_id)
                                   .order_by(PaymentPlan.instalment))
        return [_plan_dto(p, today or dt.date.today()) for p in rows]


def add_plan(db: Database, actor: Actor, contract_id: int, data: PlanInput) -> PlanDTO:
    with unit_of_work(db, actor) as uow:
        contract = _editable_contract(uow, contract_id)
        amount = _check_plan(uow.session, contract_id, data, None)
        plan = PaymentPlan(contract_id=contract_id, customer_id=contract.customer_id, instalment=data.instalment,
                           amount=amount, planned_date=data.planned_date, method=data.method.strip(),
                           remind_days=data.remind_days, remark=data.remark.strip())
        uow.session.add(plan)
        uow.session.flush()
        _audit_plan(uow, contract, None, plan)
        return _plan_dto(plan, dt.date.today())


def update_plan(db: Database, actor: Actor, plan_id: int, data: PlanInput) -> PlanDTO:
    with unit_of_work(db, actor) as uow:
        plan = _plan(uow, plan_id)
        contract = _editable_contract(uow, plan.contract_id)
        before = _plan_text(plan)
        amount = _check_plan(uow.session, plan.contract_id, data, plan.id)
        if data.planned_date != plan.planned_date or data.remind_days != plan.remind_days:
            plan.reminded_at = None  # a new date: remind again
        plan.instalment, plan.amount, plan.planned_date = data.instalment, amount, data.planned_date
        plan.method, plan.remind_days, plan.remark = data.method.strip(), data.remind_days, data.remark.strip()
        uow.session.flush()
        _audit_plan(uow, contract, before, plan)
        return _plan_dto(plan, dt.date.today())


def delete_plan(db: Database, actor: Actor, plan_id: int) -> None:
    with unit_of_work(db, actor) as uow:
        plan = _plan(uow, plan_id)
        contract = _editable_contract(uow, plan.contract_id)
        used = uow.session.scalar(select(func.count(Payment.id)).where(
            Payment.plan_id == plan.id, Payment.deleted_at.is_(None)))
        if used:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Payments were recorded against this plan: it cannot be deleted."))
        before = _plan_text(plan)
        uow.session.delete(plan)
        uow.session.flush()
        audit.write_audit(uow.session, entity="contract", record_id=contract.id, action="payment_plan",
                          actor_id=_actor_id(uow), changes={f"plan:{plan_id}": (before, None)}, version=contract.version)


def _plan(uow: UnitOfWork, plan_id: int) -> PaymentPlan:
    """A plan of a contract the actor can see; any other id is answered as a missing plan
    (a plan has no owner: its contract's scope is its own)."""
    require(uow.actor, "contract", "edit")  # before the lookup: the same answer for every id
    plan = uow.session.get(PaymentPlan, plan_id)
    try:
        if plan is not None:
            load_for(uow, contracts, plan.contract_id, for_edit=False)
    except NotFound:
        plan = None
    if plan is None:
        raise ValidationError({"plan_id": QT_TRANSLATE_NOOP("errors", "This payment plan no longer exists.")})
    return plan


def _plan_text(p: PaymentPlan) -> str:
    return f"#{p.instalment} {p.amount} @ {p.planned_date.isoformat()} {p.method}".strip()


def _audit_plan(uow: UnitOfWork, contract: Contract, before: str | None, plan: PaymentPlan) -> None:
    """Plans are part of the contract: their changes are in the contract's operation log."""
    after = _plan_text(plan)
    if before != after:
        audit.write_audit(uow.session, entity="contract", record_id=contract.id, action="payment_plan",
                          actor_id=_actor_id(uow), changes={f"plan:{plan.id}": (before, after)},
                          version=contract.version)


def _actor_id(uow: UnitOfWork) -> int | None:
    return uow.actor.user_id if uow.actor is not None else None


def send_plan_reminders(db: Database, *, now: dt.datetime | None = None) -> int:
    """Message each due plan's contract owner once (the job runner's step); returns how many."""
    now = now or utcnow()
    today = now.astimezone().date()
    sent = 0
    with unit_of_work(db, None) as uow:
        rows = uow.session.execute(
            select(PaymentPlan, Contract.owner_id, Contract.number, Contract.name)
            .join(Contract, Contract.id == PaymentPlan.contract_id)
            .where(PaymentPlan.remind_days.is_not(None), PaymentPlan.reminded_at.is_(None),
                   PaymentPlan.received_amount < PaymentPlan.amount, Contract.deleted_at.is_(None),
                   Contract.approval_status == "approved", Contract.owner_id.is_not(None),
                   PaymentPlan.planned_date >= today)  # past dates are overdue, not to be reminded of
            .order_by(PaymentPlan.id)
        ).all()
        for plan, owner_id, number, name in rows:
            if plan.planned_date - dt.timedelta(days=plan.remind_days or 0) > today:
                continue
            uow.session.add(Message(
                recipient_id=owner_id, title=QT_TRANSLATE_NOOP(
                    "messages", "Payment due {date}: {contract} instalment {instalment}, {amount}"),
                body="", entity="contract", record_id=plan.contract_id, read=False,
                params={"date": plan.planned_date.isoformat(), "contract": f"{number} {name}",
                        "instalment": plan.instalment, "amount": str(plan.amount - plan.received_amount),
                        "kind": "payment_plan"}))
            plan.reminded_at = now
            sent += 1
    return sent


# --- payments -------------------------------------------------------------------------------------

def _contract_for_payment(uow: UnitOfWork, contract_id: Any) -> Contract:
    """The approved contract the actor can see, locked (PostgreSQL) while its money is counted."""
    assert uow.actor is not None
    try:
        cid = int(contract_id)
    except (TypeError, ValueError):
        raise ValidationError({"contract_id": QT_TRANSLATE_NOOP("errors", "Required.")}) from None
    load_for(uow, contracts, cid, for_edit=False)
    row = uow.session.scalar(select(Contract).where(Contract.id == cid).with_for_update())
    assert row is not None
    if row.approval_status != "approved":
        raise ValidationError({"contract_id": QT_TRANSLATE_NOOP("errors", "Choose an approved contract.")})
    return row


def committed_amount(session: Any, contract_id: int, *, exclude_id: int | None = None) -> Decimal:
    """Approved plus pending payments of the contract (what the outstanding check counts)."""
    total = session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.contract_id == contract_id, Payment.deleted_at.is_(None),
        Payment.approval_status.in_(("approved", "pending")), Payment.id != (exclude_id or 0)))
    return Decimal(total or 0).quantize(Decimal("0.01"))


class Overpayment(RuleViolation):
    """A payment above what the contract still has outstanding (``outstanding``: that amount)."""

    #: The field the rule is about (an import names that column in its error).
    field = "amount"

    def __init__(self, outstanding: Decimal) -> None:
        super().__init__(QT_TRANSLATE_NOOP(
            "errors", "The payment is more than the contract's outstanding amount ({outstanding})."),
            outstanding=str(outstanding))
        self.outstanding = outstanding


def check_outstanding(session: Any, contract: Contract, amount: Decimal, *, exclude_id: int | None = None) -> None:
    if _allow_overpayment(session):
        return
    left = contract.amount - committed_amount(session, contract.id, exclude_id=exclude_id)
    if amount > left:
        raise Overpayment(max(left, ZERO))


def _check_payment(uow: UnitOfWork, values: dict[str, Any], contract: Contract) -> None:
    errors: dict[str, str] = {}
    if values.get("amount") is not None and values["amount"] <= 0:
        errors["amount"] = QT_TRANSLATE_NOOP("errors", "The amount must be above 0.")
    plan_id = values.get("plan_id")
    if plan_id is not None:
        plan = uow.session.get(PaymentPlan, plan_id)
        if plan is None or plan.contract_id != contract.id:
            errors["plan_id"] = QT_TRANSLATE_NOOP("errors", "Choose a payment plan of this contract.")
    if errors:
        raise ValidationError(errors)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    return clean_values(values, dates=("paid_date",), ids=("contract_id", "plan_id"))


class PaymentService(RecordService[Payment]):
    """RecordService with numbers, the outstanding-amount rule and approval states."""

    @retrying()
    def create(
        self, db: Database, actor: Actor, values: Mapping[str, Any], *, owner_id: int | None = None,
        custom: Mapping[str, Any] | None = None,
    ) -> RecordDTO:
        """A draft payment (``submit`` starts its approval)."""
        with unit_of_work(db, actor) as uow:
            require(uow.actor, "payment", "create")
            assert uow.actor is not None
            owner = self.new_owner(uow.session, uow.actor, owner_id)
            row = insert_payment(uow, values, owner_id=owner, custom=custom)
            return to_dto(uow, self, row)

    def update(
        self, db: Database, actor: Actor, record_id: int, *, expected_version: int, changes: Mapping[str, Any]
    ) -> RecordDTO:
        """Edit a draft / rejected / withdrawn payment (the latter two go back to draft)."""
        cleaned = _clean(changes)
        with read_only(db, actor) as uow:
            require(uow.actor, "payment", "edit")
            row = load_for(uow, self, record_id, for_edit=True)
            refuse_edit_while_pending(row)
            if row.approval_status == "approved":
                raise RuleViolation(QT_TRANSLATE_NOOP("errors", "An approved payment cannot be changed."))
            amount = cleaned.get("amount", row.amount)
            plan_id = cleaned.get("plan_id", row.plan_id)
            # Through the scope: the outstanding-amount check below names the contract's money.
            contract = load_for(uow, contracts, row.contract_id, for_edit=False)
            if "contract_id" in cleaned and cleaned["contract_id"] != row.contract_id:
                raise ValidationError({"contract_id": QT_TRANSLATE_NOOP(
                    "errors", "A payment stays on its contract: delete it and record a new one.")})
            _check_payment(uow, {"amount": amount, "plan_id": plan_id}, contract)
            check_outstanding(uow.session, contract, amount, exclude_id=row.id)
        dto = super().update(db, actor, record_id, expected_version=expected_version, changes=cleaned)
        if dto.values.get("approval_status") in ("rejected", "withdrawn"):
            with unit_of_work(db, actor) as uow:
                row = load_for(uow, self, record_id, for_edit=True)
                write_fields(uow, row, {"approval_status": "draft"}, action="update")
                dto = to_dto(uow, self, row)
        return dto

    def delete(self, db: Database, actor: Actor, record_id: int) -> None:
        with read_only(db, actor) as uow:
            row = load_for(uow, self, record_id, for_edit=False)
            if row.approval_status == "approved":
                raise RuleViolation(QT_TRANSLATE_NOOP("errors", "An approved payment cannot be deleted."))
        super().delete(db, actor, record_id)


def insert_payment(uow: UnitOfWork, values: Mapping[str, Any], *, owner_id: int,
                   custom: Mapping[str, Any] | None = None, number: str | None = None) -> Payment:
    """Validate and insert a draft payment in the caller's unit of work: its contract (approved,
    visible, locked), the outstanding-amount rule, its number (``number``: one it already has,
    an import's); audit "create" and RecordCreated. The caller checked the permission and the owner."""
    assert uow.actor is not None
    cleaned = _clean(values)
    policy = payments.policy(uow.session, uow.actor)
    builtin, custom_values = payments.prepare_values(uow.session, policy, {**cleaned, **(custom or {})}, partial=False)
    contract = _contract_for_payment(uow, builtin.get("contract_id"))
    _check_payment(uow, builtin, contract)
    check_outstanding(uow.session, contract, builtin["amount"])
    row = Payment(**builtin, number=number or next_number(uow.session, "payment"), customer_id=contract.customer_id,
                  approval_status="draft", owner_id=owner_id, creator_id=uow.actor.user_id, custom=custom_values)
    uow.session.add(row)
    uow.session.flush()
    snapshot = {k: v for k, v in policy.current(row).items() if v not in (None, "", [])} | {"owner_id": owner_id}
    snapshot |= {f: getattr(row, f) for f in payments.fields}
    audit.write_audit(uow.session, entity="payment", record_id=row.id, action="create",
                      actor_id=uow.actor.user_id, changes={k: (None, v) for k, v in snapshot.items()},
                      version=row.version)
    uow.add_event(RecordCreated("payment", row.id, uow.actor.user_id, values=audit.jsonable(snapshot)))
    return row


payments: PaymentService = PaymentService(
    Payment, fields=FIELDS, required=("contract_id", "amount", "paid_date"), search_fields=("number", "remark"),
    validate=field_checks(SYSTEM_FIELDS),
)


def submit(db: Database, actor: Actor, payment_id: int, *, approver_ids: Sequence[int] | None = None,
           picks: Mapping[int | str, Sequence[int]] | None = None) -> RecordDTO:
    """Submit a draft / rejected / withdrawn payment to the payments' approval flow (none
    enabled: approved at once). Checks the outstanding amount again, with the contract locked.
    ``approver_ids`` / ``picks``: the approvers the submitter chooses, when the flow asks
    (``contracts.submit_row``)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "payment", "edit")
        row = load_for(uow, payments, payment_id, for_edit=True)
        if row.approval_status not in EDITABLE_APPROVAL:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Only a draft, rejected or withdrawn payment can be submitted."))
        contract = _contract_for_payment(uow, row.contract_id)
        check_outstanding(uow.session, contract, row.amount, exclude_id=row.id)
        submit_row(uow, payments, row, payment_finished, approver_ids=approver_ids, picks=picks)
        return to_dto(uow, payments, row)


def recompute_received(uow: UnitOfWork, contract_id: int) -> None:
    """Re-derive the contract's and its plans' received amounts from the approved payments
    (sums, so they stay exact whatever order approvals come in); audited on the contract."""
    session = uow.session
    contract = session.get(Contract, contract_id)
    if contract is None:
        return
    approved = (Payment.contract_id == contract_id, Payment.deleted_at.is_(None), Payment.approval_status == "approved")
    total = session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(*approved))
    by_plan = dict(session.execute(select(Payment.plan_id, func.sum(Payment.amount)).where(
        *approved, Payment.plan_id.is_not(None)).group_by(Payment.plan_id)).all())
    for plan in session.scalars(select(PaymentPlan).where(PaymentPlan.contract_id == contract_id)):
        plan.received_amount = Decimal(by_plan.get(plan.id) or 0).quantize(Decimal("0.01"))
    received = Decimal(total or 0).quantize(Decimal("0.01"))
    if uow.actor is not None:
        write_fields(uow, contract, {"received_amount": received}, action="payment")
    else:
        contract.received_amount = received
    session.flush()


def payment_finished(uow: UnitOfWork, row: Payment, inst: ApprovalInstance | None, approved: bool) -> None:
    """An approval of the payment finished (``inst`` None: approved at once, no flow): an
    approved payment counts towards its contract's received amounts."""
    if approved:
        recompute_received(uow, row.contract_id)


def contract_payments(db: Database, actor: Actor, contract_id: int) -> list[RecordDTO]:
    """The payments of a contract the actor can see (its detail page's tab), newest first."""
    with read_only(db, actor) as uow:
        require(uow.actor, "payment", "view")
        assert uow.actor is not None
        load_for(uow, contracts, contract_id, for_edit=False)
        rows = uow.session.scalars(select(Payment).where(Payment.contract_id == contract_id,
                                                         visible_filter(Payment, uow.actor))
                                   .order_by(Payment.paid_date.desc(), Payment.id.desc()))
        return [to_dto(uow, payments, r) for r in rows]


__all__ = ["ALLOW_OVERPAYMENT_KEY", "EDITABLE_APPROVAL", "FIELDS", "Overpayment", "PLAN_STATUSES", "SYSTEM_FIELDS", "PaymentService",
           "PlanDTO", "PlanInput", "add_plan", "check_outstanding", "committed_amount", "contract_payments",
           "delete_plan", "get_allow_overpayment", "list_plans", "payment_finished", "payments", "plan_status",
           "recompute_received",
           "send_plan_reminders", "set_allow_overpayment", "submit", "update_plan"]
