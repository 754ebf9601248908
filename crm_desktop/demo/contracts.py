"""Demo contracts 合同, payment plans 回款计划 and payments 回款, with numbers that continue.

``insert_contracts`` writes the contracts ``demo_sales.fill_sales`` decided on (from won
opportunities or straight from a customer), in order of creation, numbered by
``numbering.format_number`` from the contract rule within each period; the rule's counter rows
are then set past them, so the next real number does not collide. Approved contracts get 1–3
instalments (the payment terms say which) summing to the amount exactly, and payments on them;
``insert_payments`` numbers those in their own order of creation the same way. A contract's and
plan's ``received_amount`` are the exact Decimal sums of their approved payments.

Thread rule: plain service code; run it off the GUI thread (each batch is its own unit of work).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_desktop.demo.catalogue import ZERO, Catalogue, Line, line_rows
from crm_desktop.demo.common import bulk_insert, next_id, record_columns
from crm_desktop.models import (
    Contract,
    ContractLine,
    DictionaryItem,
    NumberSequence,
    Payment,
    PaymentPlan,
)
from crm_desktop.services.records.numbering import format_number, load_rule
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

CENT = Decimal("0.01")
#: Payment terms by number of instalments, and how the amount is split.
_TERMS: dict[int, tuple[str, tuple[Decimal, ...]]] = {
    1: ("验收合格后 30 日内一次性付清", (Decimal("1"),)),
    2: ("合同签订后 7 个工作日内预付 50%，验收合格后支付 50%", (Decimal("0.5"), Decimal("0.5"))),
    3: ("预付 30%，发货前支付 40%，验收合格后支付 30%", (Decimal("0.3"), Decimal("0.4"), Decimal("0.3"))),
}
_INSTALMENTS = (1,) * 30 + (2,) * 40 + (3,) * 30
_METHODS_WEIGHT = {"transfer": 8, "acceptance": 2, "cheque": 1, "alipay": 1, "wechat_pay": 1, "cash": 1}
_REMIND = (None, 3, 7, 7)
_PAYMENT_REMARKS = ("",) * 5 + ("对公转账", "财务已确认到账", "客户分两笔汇款，已合并登记")


@dataclass
class ContractSpec:
    """A contract to make: when, for whom, and what it sells."""

    created: dt.datetime
    customer_id: int
    owner: int
    name: str
    #: Copied from the opportunity, or new for a contract made straight from a customer.
    lines: list[Line]
    opportunity_id: int | None = None
    manual_amount: Decimal | None = None


def _local_day(when: dt.datetime) -> dt.date:
    """The company's local day of a UTC time (numbers and order dates follow it)."""
    return when.astimezone().date()


#: The counter period of each reset, as ``numbering`` keys its NumberSequence rows.
_PERIOD_FORMATS = {"daily": "%Y%m%d", "monthly": "%Y%m", "yearly": "%Y", "never": ""}


class _Numbers:
    """Numbers of one entity in creation order, continuing the rule's counters per period."""

    def __init__(self, session: Session, entity: str) -> None:
        self.entity = entity
        self.rule = load_rule(session, entity)
        self.last: dict[str, int] = dict(session.execute(select(NumberSequence.period, NumberSequence.last)
                                                         .where(NumberSequence.entity == entity)).all())
        self.touched: set[str] = set()

    def next(self, when: dt.datetime) -> str:
        local = when.astimezone()
        fmt = _PERIOD_FORMATS[self.rule.reset]
        period = local.strftime(fmt) if fmt else "-"
        self.last[period] = self.last.get(period, 0) + 1
        self.touched.add(period)
        return format_number(self.rule, local, self.last[period])

    def save(self, session: Session) -> None:
        """Write the counters, so ``numbering.next_number`` continues after the demo's numbers."""
        known = set(session.scalars(select(NumberSequence.period).where(NumberSequence.entity == self.entity)))
        for period in sorted(self.touched):
            if period in known:
                session.execute(update(NumberSequence).where(NumberSequence.entity == self.entity,
                                                             NumberSequence.period == period)
                                .values(last=self.last[period]))
            else:
                session.add(NumberSequence(entity=self.entity, period=period, last=self.last[period]))
        session.flush()


def _dictionary(session: Session, name: str) -> list[str]:
    return list(session.scalars(select(DictionaryItem.value).where(
        DictionaryItem.dictionary == name, DictionaryItem.enabled.is_(True))
        .order_by(DictionaryItem.sort_order, DictionaryItem.id)))


@contextmanager
def _numbering(db: Database, entity: str) -> Iterator[tuple[Session, _Numbers]]:
    """One unit of work that hands out ``entity`` numbers and saves the counters at its end."""
    with unit_of_work(db, None) as uow:
        numbers = _Numbers(uow.session, entity)
        yield uow.session, numbers
        numbers.save(uow.session)


def insert_contracts(db: Database, rng: random.Random, contracts: Sequence[ContractSpec], cat: Catalogue, *,
                     first_id: int, payments: list[dict[str, object]], now: dt.datetime, batch_size: int
                     ) -> Iterator[int]:
    """Insert ``contracts`` in order of creation with ids from ``first_id``, their lines and (for
    approved ones) their payment plans, one unit of work per batch; yields how many are in.

    The payments made on the plans are appended to ``payments`` (without id or number):
    ``insert_payments`` numbers them once all are known, in their own order of creation.
    """
    today = _local_day(now)
    with read_only(db, None) as uow:
        statuses = _dictionary(uow.session, "order_status")
        methods = [m for m in _dictionary(uow.session, "payment_method") for _ in range(_METHODS_WEIGHT.get(m, 1))]
        next_plan = next_id(uow.session, PaymentPlan)
    ordered = sorted(contracts, key=lambda c: c.created)
    for start in range(0, len(ordered), batch_size):
        with _numbering(db, "contract") as (s, numbers):
            rows, lines, plans = [], [], []
            for k, spec in enumerate(ordered[start:start + batch_size], start):
                contract_id = first_id + k
                more_lines, total_amount = line_rows(cat, "contract_id", contract_id, spec.lines)
                lines += more_lines
                row = _contract(rng, spec, contract_id, numbers.next(spec.created), total_amount, now, statuses)
                instalments = row.pop("_instalments")
                if row["approval_status"] == "approved":
                    more_plans, more_payments = _plans(rng, row, instalments, next_plan, today, now, methods)
                    next_plan += len(more_plans)
                    plans += more_plans
                    payments += more_payments
                    row["received_amount"] = sum((p["amount"] for p in more_payments  # type: ignore[misc]
                                                  if p["approval_status"] == "approved"), ZERO)
                rows.append(row)
            bulk_insert(s, Contract, rows)
            bulk_insert(s, ContractLine, lines)
            bulk_insert(s, PaymentPlan, plans)
        yield min(start + batch_size, len(ordered))


def insert_payments(db: Database, payments: list[dict[str, object]], *, batch_size: int) -> None:
    """Give ``payments`` ids and numbers in order of creation and insert them, a batch per unit of work."""
    payments.sort(key=lambda p: p["created_at"])  # type: ignore[arg-type, return-value]
    with read_only(db, None) as uow:
        first_payment = next_id(uow.session, Payment)
    for start in range(0, len(payments), batch_size):
        with _numbering(db, "payment") as (s, numbers):
            chunk = payments[start:start + batch_size]
            for k, p in enumerate(chunk, start):
                p["id"] = first_payment + k
                p["number"] = numbers.next(p["created_at"])  # type: ignore[arg-type]
            bulk_insert(s, Payment, chunk)


def _contract(rng: random.Random, spec: ContractSpec, contract_id: int, number: str, lines_total: Decimal,
              now: dt.datetime, statuses: Sequence[str]) -> dict[str, Any]:
    order = _local_day(spec.created)
    recent = now - spec.created < dt.timedelta(days=20)
    approval = "draft" if rng.random() < (0.6 if recent else 0.05) else ("voided" if rng.random() < 0.05 else "approved")
    execution = ""
    if approval != "draft" and statuses:
        # Older orders are further along: about one status per three weeks, with some jitter.
        age = (now - spec.created).days
        execution = statuses[max(0, min(len(statuses) - 1, age // 21 + rng.randint(-1, 1)))]
    instalments = rng.choice(_INSTALMENTS)
    start = order + dt.timedelta(days=rng.randint(0, 15))
    amount = spec.manual_amount if spec.manual_amount is not None else lines_total
    updated = min(now, spec.created + dt.timedelta(days=rng.uniform(0, 30)))
    return {"id": contract_id, "number": number, "name": spec.name, "customer_id": spec.customer_id,
            "opportunity_id": spec.opportunity_id, "customer_signer_id": None, "our_signer_id": spec.owner,
            "amount": amount, "amount_manual": spec.manual_amount is not None, "order_date": order,
            "start_date": start, "end_date": start + dt.timedelta(days=rng.choice((90, 180, 365, 365))),
            "payment_terms": _TERMS[instalments][0], "remark": "", "approval_status": approval,
            "execution_status": execution, "received_amount": ZERO, "_instalments": instalments,
            **record_columns(spec.owner, spec.created, max(updated, spec.created))}


def _plans(rng: random.Random, contract: dict[str, Any], instalments: int, first_id: int, today: dt.date, now: dt.datetime,
           methods: Sequence[str]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The contract's instalments (summing to its amount exactly) and the payments made on them."""
    amount: Decimal = contract["amount"]
    ratios = _TERMS[instalments][1]
    order: dt.date = contract["order_date"]
    plans: list[dict[str, object]] = []
    payments: list[dict[str, object]] = []
    if amount <= 0:
        return plans, payments
    left = amount
    when = order + dt.timedelta(days=7)
    for n, ratio in enumerate(ratios, 1):
        part = left if n == len(ratios) else (amount * ratio).quantize(CENT)
        left -= part
        method = rng.choice(methods) if methods else ""
        plan_id = first_id + n - 1
        received = ZERO
        if when <= today:
            roll = rng.random()
            paid = part if roll < 0.78 else ((part / 2).quantize(CENT) if roll < 0.88 else ZERO)
        else:
            paid = part if rng.random() < 0.15 else ZERO
        if paid > 0:
            day = min(today, max(order, when + dt.timedelta(days=rng.randint(-5, 10))))
            local = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randrange(60)), tzinfo=now.astimezone().tzinfo)
            created = min(now, max(contract["created_at"], local.astimezone(dt.timezone.utc)))
            approval = "draft" if today - day < dt.timedelta(days=7) and rng.random() < 0.5 else "approved"
            if approval == "approved":
                received = paid
            payments.append({"contract_id": contract["id"], "customer_id": contract["customer_id"], "plan_id": plan_id,
                             "amount": paid, "paid_date": day, "method": method,
                             "remark": rng.choice(_PAYMENT_REMARKS), "approval_status": approval,
                             **record_columns(contract["owner_id"], created, created)})
        plans.append({"id": plan_id, "contract_id": contract["id"], "customer_id": contract["customer_id"],
                      "instalment": n, "amount": part, "planned_date": when, "method": method,
                      "remind_days": rng.choice(_REMIND), "reminded_at": None, "received_amount": received,
                      "remark": "", "created_at": contract["created_at"]})
        when += dt.timedelta(days=rng.randint(30, 75))
    return plans, payments

