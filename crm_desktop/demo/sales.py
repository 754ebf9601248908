"""Demo sales data: the catalogue, opportunities, contracts, payment plans and payments.

``fill_sales`` runs after ``demo_related.fill_related`` and, like it, writes generated rows with
bulk SQLAlchemy Core inserts, one unit of work per batch, without audit rows or domain events
(nothing happened that automation or other windows should react to). Everything scales with
the number of customers:

- products (``demo_catalogue``): 30 + one per 500 customers, at most 60, in a category tree
  (软件产品 / 硬件设备 / 技术服务, three sub-categories each); every eighth one is off the shelf;
- opportunities (here): ≈30% of the owned customers (some have two), lines from on-shelf
  products, stages spread over the default stage group with their StageChange history; some
  won, lost (with a reason) or invalid;
- contracts (``demo_contracts``): from ≈85% of the won opportunities (their lines) plus ≈3% of
  customers directly; numbers made by ``numbering.format_number`` from the contract rule, in
  order of creation within each period, and the rule's counter rows set past them so the next
  real number does not collide; mostly approved (execution status following age over
  "order_status"), some drafts and voided ones;
- payment plans: 1–3 instalments per approved contract (the payment terms say which), summing
  to the amount exactly; payments against them (approved, recent ones sometimes draft), the
  contract's and plan's ``received_amount`` being the exact Decimal sums of the approved ones.

Pending, rejected and withdrawn records are not made: they need approval instances and their
history, which the bulk rows (made without the approval flows) do not have.

Thread rule: plain service code; run it off the GUI thread.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, text, update

from crm_desktop.demo.catalogue import (
    CATALOGUE,
    Catalogue,
    insert_catalogue,
    line_rows,
    product_count,
    random_lines,
)
from crm_desktop.demo.common import (
    BATCH_SIZE,
    bulk_insert,
    next_id,
    owned_customers_after,
    random_time,
    record_columns,
    sync_id_sequences,
)
from crm_desktop.demo.contracts import ContractSpec, insert_contracts, insert_payments
from crm_desktop.demo.customers import CITIES
from crm_desktop.models import (
    Contact,
    Contract,
    Customer,
    Opportunity,
    OpportunityContact,
    OpportunityLine,
    StageChange,
    utcnow,
)
from crm_desktop.services.sales.stages import (
    default_group,
    ensure_default_group,
    stages_of,
)
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

OPPORTUNITY_SHARE = 0.30
SECOND_OPPORTUNITY = 0.15
#: Opportunities start within this many days before now (and after their customer).
OPPORTUNITY_DAYS = 540
_STATUSES = ("open",) * 50 + ("won",) * 30 + ("lost",) * 15 + ("invalid",) * 5
_OPEN_STAGE_WEIGHTS = (35, 30, 20, 15)
_LOST_REASONS = ("价格高于竞品", "客户预算削减，项目暂停", "选择了竞争对手", "需求变更，不再采购", "决策人变动，项目搁置",
                 "功能不满足个性化需求")
_INVALID_REASONS = ("重复商机", "客户无真实采购需求", "联系人信息有误")
_REMARKS = ("",) * 6 + ("客户要求月底前给出正式方案", "竞争对手也在报价", "需要总部审批", "老客户增购")
WON_WITH_CONTRACT = 0.85
DIRECT_CONTRACT = 0.03
_CITY_NAMES = tuple(c.name for c in CITIES)
#: What the opportunities need of a customer.
_CUSTOMER_COLUMNS = (Customer.id, Customer.owner_id, Customer.created_at, Customer.name)


def _short_name(name: str) -> str:
    """A customer's everyday name: "厦门华盛软件有限公司", "华盛软件（厦门）有限公司" → "华盛软件"."""
    for cut in ("（", "股份", "有限", "第"):
        name = name.split(cut, 1)[0]
    if name.startswith(_CITY_NAMES):
        name = name[2:].removeprefix("市")
    return name


def fill_sales(
    db: Database,
    *,
    owner_id: int,
    seed: int = 7,
    batch_size: int = BATCH_SIZE,
    now: dt.datetime | None = None,
    up_to_id: int | None = None,
) -> Iterator[tuple[int, int, str]]:
    """Fill the catalogue (owned by ``owner_id``) and the sales chain of the owned customers
    (those with id ≤ ``up_to_id`` when given), in proportion to their number (see the module
    doc). Yields ``(done, total, text)``."""
    rng = random.Random(seed * 104_729 + 5)
    now = now or utcnow()
    with unit_of_work(db, None) as uow:
        s = uow.session
        ensure_default_group(s)
        group = default_group(s)
        stage_ids = [st.id for st in stages_of(s, group.id)]
        group_id = group.id
        within = Customer.id <= up_to_id if up_to_id is not None else Customer.id.is_not(None)
        total = s.scalar(select(func.count(Customer.id)).where(within, Customer.owner_id.is_not(None))) or 0
        all_customers = s.scalar(select(func.count(Customer.id)).where(within)) or 0
    yield 0, total, "Adding products"
    cat = insert_catalogue(db, owner_id, product_count(all_customers), now)

    contracts: list[ContractSpec] = []
    done, last = 0, 0
    with read_only(db, None) as uow:
        first_opportunity = next_id(uow.session, Opportunity)
    next_opp = first_opportunity
    while True:
        with unit_of_work(db, None) as uow:
            s = uow.session
            batch = owned_customers_after(s, last, batch_size, _CUSTOMER_COLUMNS, within)
            if not batch:
                break
            opps: list[dict[str, object]] = []
            lines: list[dict[str, object]] = []
            changes: list[dict[str, object]] = []
            for cid, owner, born, name in batch:
                short = _short_name(name)
                if rng.random() < DIRECT_CONTRACT:
                    lines_spec = random_lines(rng, cat)
                    created = random_time(rng, max(born, now - dt.timedelta(days=OPPORTUNITY_DAYS)), now)
                    contracts.append(ContractSpec(created, cid, owner, f"{short}{cat.themes[lines_spec[0][0]]}合同",
                                                  lines_spec))
                if rng.random() >= OPPORTUNITY_SHARE:
                    continue
                for _ in range(2 if rng.random() < SECOND_OPPORTUNITY else 1):
                    spec = _opportunity(rng, cat, next_opp, cid, owner, born, short, now, stage_ids, group_id,
                                        lines, changes)
                    opps.append(spec)
                    if spec["status"] == "won" and rng.random() < WON_WITH_CONTRACT:
                        closed = spec["closed_at"]
                        assert isinstance(closed, dt.datetime)
                        created = min(now, closed + dt.timedelta(days=rng.randrange(0, 10), seconds=rng.randrange(86_400)))
                        manual = spec["amount"] if spec["amount_manual"] else None
                        contracts.append(ContractSpec(created, cid, owner, str(spec["name"]), spec.pop("_lines"),
                                                      opportunity_id=next_opp, manual_amount=manual))  # type: ignore[arg-type]
                    spec.pop("_lines", None)
                    next_opp += 1
            for model, rows in ((Opportunity, opps), (OpportunityLine, lines), (StageChange, changes)):
                bulk_insert(s, model, rows)
        done += len(batch)
        last = batch[-1].id
        yield done, total, f"Added opportunities to {done} of {total} customers"

    yield done, total, f"Adding {len(contracts)} contracts, payment plans and payments"
    with read_only(db, None) as uow:
        first_contract = next_id(uow.session, Contract)
    payments: list[dict[str, object]] = []
    for added in insert_contracts(db, rng, contracts, cat, first_id=first_contract, payments=payments, now=now,
                                  batch_size=batch_size):
        yield done, total, f"Added {added} of {len(contracts)} contracts"
    insert_payments(db, payments, batch_size=batch_size)
    yield done, total, "Linking contacts and customers"
    _link(db, first_opportunity=first_opportunity, first_contract=first_contract)
    yield done, total, "Sales data ready"


def _opportunity(rng: random.Random, cat: Catalogue, oid: int, cid: int, owner: int, born: dt.datetime, short: str,
                 now: dt.datetime, stage_ids: Sequence[int], group_id: int, lines: list[dict[str, object]],
                 changes: list[dict[str, object]]) -> dict[str, Any]:
    """One opportunity row (its lines and stage history appended to ``lines`` / ``changes``)."""
    spec = random_lines(rng, cat)
    more, total = line_rows(cat, "opportunity_id", oid, spec)
    lines += more
    created = random_time(rng, max(born, now - dt.timedelta(days=OPPORTUNITY_DAYS)), now)
    status = rng.choice(_STATUSES)
    closed = created + dt.timedelta(days=rng.uniform(7, 120))
    if status != "open" and closed > now:
        status = "open"
    last_index = len(stage_ids) - 1
    if status == "open":
        reached = rng.choices(range(len(stage_ids)), weights=_OPEN_STAGE_WEIGHTS[:len(stage_ids)])[0]
    elif status == "won":
        reached = last_index
    else:
        reached = rng.randint(0, last_index if status == "lost" else min(1, last_index))
    end = closed if status != "open" else now
    times = sorted(random_time(rng, created, end) for _ in range(reached))
    history = [(None, stage_ids[0], "", "open", created, "")]
    history += [(stage_ids[i], stage_ids[i + 1], "open", "open", t, "") for i, t in enumerate(times)]
    reason = ""
    if status != "open":
        reason = rng.choice(_LOST_REASONS if status == "lost" else _INVALID_REASONS)
        history.append((stage_ids[reached], stage_ids[reached], "open", status, closed, "" if status == "won" else reason))
    changes += [{"opportunity_id": oid, "from_stage_id": a, "to_stage_id": b, "from_status": fs, "to_status": ts,
                 "note": note, "actor_id": owner, "at": at} for a, b, fs, ts, at, note in history]
    manual = rng.random() < 0.1
    amount = (total * Decimal("0.95")).quantize(Decimal("100")) if manual and total >= 1000 else total
    expected = (closed if status != "open" else now + dt.timedelta(days=rng.randint(7, 150))).astimezone().date()
    return {"id": oid, "name": f"{short}{cat.themes[spec[0][0]]}", "customer_id": cid, "amount": amount,
            "amount_manual": manual and amount != total, "expected_close_date": expected,
            "stage_group_id": group_id, "stage_id": stage_ids[reached], "status": status,
            "lost_reason": reason if status in ("lost", "invalid") else "",
            "closed_at": closed if status != "open" else None, "remark": rng.choice(_REMARKS),
            **record_columns(owner, created, history[-1][4]), "_lines": spec}


def _link(db: Database, *, first_opportunity: int, first_contract: int) -> None:
    """Set-based: primary contacts join their customer's new opportunities and sign its new
    contracts; customers with an approved (or later voided) contract are dealt customers."""
    with unit_of_work(db, None) as uow:
        s = uow.session
        sync_id_sequences(s, ["opportunities", "opportunity_lines", "stage_changes", "contracts", "contract_lines",
                               "payment_plans", "payments"])
        s.execute(insert(OpportunityContact).from_select(
            ["opportunity_id", "contact_id"],
            select(Opportunity.id, func.min(Contact.id))
            .join(Contact, and_(Contact.customer_id == Opportunity.customer_id, Contact.is_primary.is_(True),
                                Contact.deleted_at.is_(None)))
            .where(Opportunity.id >= first_opportunity).group_by(Opportunity.id)))
        primary = (select(func.min(Contact.id)).where(Contact.customer_id == Contract.customer_id,
                                                      Contact.is_primary.is_(True), Contact.deleted_at.is_(None))
                   .correlate(Contract).scalar_subquery())
        s.execute(update(Contract).where(Contract.id >= first_contract).values(customer_signer_id=primary),
                  execution_options={"synchronize_session": False})
        signed = (Contract.customer_id == Customer.id, Contract.approval_status.in_(("approved", "voided")),
                  Contract.deleted_at.is_(None))
        newest = select(func.max(Contract.created_at)).where(*signed).correlate(Customer).scalar_subquery()
        s.execute(update(Customer).where(select(Contract.id).where(*signed).correlate(Customer).exists())
                  .values(deal_status="deal", last_deal_at=newest), execution_options={"synchronize_session": False})
        for table in ("products", "opportunities", "contracts", "payment_plans", "payments"):
            s.execute(text(f"ANALYZE {table}"))


__all__ = ["CATALOGUE", "fill_sales", "product_count"]


__all__ = ["CATALOGUE", "fill_sales", "product_count"]
