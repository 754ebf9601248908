"""The sales chain: products (产品), opportunities (商机) with stages, contracts/orders (合同/订单)
with execution statuses, payment plans (回款计划) and payments (回款).

Money is ``Numeric(16, 2)`` (Decimal in Python, never float); quantities ``Numeric(14, 3)``;
discounts are percentages ``Numeric(5, 2)``. Product lines keep the product's name, code and
unit as they were when the line was written, so a renamed or off-shelf product never changes
an existing opportunity or contract.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow
from crm_desktop.models.record import RecordMixin

MONEY = Numeric(16, 2)
QUANTITY = Numeric(14, 3)
PERCENT = Numeric(5, 2)


class ProductCategory(Base):
    __tablename__ = "product_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id", ondelete="RESTRICT"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Product(RecordMixin, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("code"),)
    entity = "product"

    name: Mapped[str] = mapped_column(String(200), index=True)
    code: Mapped[str] = mapped_column(String(60))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id", ondelete="RESTRICT"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="")
    price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Only on-shelf products can be added to new opportunity and contract lines.
    on_shelf: Mapped[bool] = mapped_column(Boolean, default=True)


class StageGroup(Base):
    """A set of opportunity stages (商机阶段组) and the departments that use it."""

    __tablename__ = "stage_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: Department ids whose users' opportunities take this group (empty: everyone's default).
    department_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (Index("ix_stages_group_order", "group_id", "sort_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("stage_groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    #: 赢率, percent 0–100.
    win_rate: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Opportunity(RecordMixin, Base):
    __tablename__ = "opportunities"
    __table_args__ = (Index("ix_opportunities_owner_updated", "owner_id", "updated_at"),)
    entity = "opportunity"

    name: Mapped[str] = mapped_column(String(200), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: True once a user typed the amount: it no longer follows the product lines.
    amount_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_close_date: Mapped[dt.date | None] = mapped_column(Date)
    stage_group_id: Mapped[int | None] = mapped_column(ForeignKey("stage_groups.id", ondelete="RESTRICT"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="RESTRICT"))
    #: open · won · lost · invalid
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    lost_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    remark: Mapped[str] = mapped_column(Text, default="")


class OpportunityContact(Base):
    __tablename__ = "opportunity_contacts"

    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True)


class StageChange(Base):
    """Every move of an opportunity's stage or status, with who and when."""

    __tablename__ = "stage_changes"
    __table_args__ = (Index("ix_stage_changes_opportunity", "opportunity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LineMixin:
    """A product line: what was sold, at which price, how many, with which discount."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    product_name: Mapped[str] = mapped_column(String(200), default="")
    product_code: Mapped[str] = mapped_column(String(60), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    standard_price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("1"))
    #: Percent off the selling price × quantity (0–100).
    discount: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("0"))
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    remark: Mapped[str] = mapped_column(String(300), default="")


class OpportunityLine(LineMixin, Base):
    __tablename__ = "opportunity_lines"
    __table_args__ = (Index("ix_opportunity_lines_parent", "opportunity_id", "position"),)

    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))


class Contract(RecordMixin, Base):
    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("number"),
        Index("ix_contracts_owner_updated", "owner_id", "updated_at"),
        # The list's default order (newest first, id breaking ties) with the columns its scope
        # and usual filters test: SQLite checks them on the index entry and reads only the rows
        # that pass (bench/lists.py contract_filtered_search; migration 0010).
        Index("ix_contracts_list", "updated_at", "id", "owner_id", "execution_status", "amount", "deleted_at"),
    )
    entity = "contract"
    #: What an approved creation flow sets ``approval_status`` to (the engine's default is "").
    approved_status: ClassVar[str] = "approved"

    number: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"), index=True)
    #: The customer's signer (a contact) and ours (a user).
    customer_signer_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    our_signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    amount_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    order_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    payment_terms: Mapped[str] = mapped_column(Text, default="")
    remark: Mapped[str] = mapped_column(Text, default="")
    #: draft · pending · approved · rejected · withdrawn · voided (the approval side)
    approval_status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    #: The order's execution status (执行状态): a value of the "order_status" dictionary.
    execution_status: Mapped[str] = mapped_column(String(50), default="", index=True)
    #: Sum of the approved payments; outstanding = amount − received.
    received_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))


class ContractLine(LineMixin, Base):
    __tablename__ = "contract_lines"
    __table_args__ = (Index("ix_contract_lines_parent", "contract_id", "position"),)

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))


class NumberRule(Base):
    """How numbers of an entity are made: prefix + date part + sequence (e.g. HT-20261122-0001)."""

    __tablename__ = "number_rules"

    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20), default="")
    #: strftime pattern of the date part: "%Y%m%d", "%Y%m", "%Y" or "" (none)
    date_format: Mapped[str] = mapped_column(String(20), default="%Y%m%d")
    #: When the sequence starts again at 1: daily · monthly · yearly · never
    reset: Mapped[str] = mapped_column(String(10), default="daily")
    digits: Mapped[int] = mapped_column(Integer, default=4)
    separator: Mapped[str] = mapped_column(String(5), default="-")


class NumberSequence(Base):
    """The last number given per entity and period: incremented under a row lock."""

    __tablename__ = "number_sequences"

    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class PaymentPlan(Base):
    """One instalment expected on a contract (回款计划)."""

    __tablename__ = "payment_plans"
    __table_args__ = (
        UniqueConstraint("contract_id", "instalment"),
        Index("ix_payment_plans_date", "planned_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    instalment: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    planned_date: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(50), default="")
    #: Remind the contract's owner this many days before the planned date (None: no reminder).
    remind_days: Mapped[int | None] = mapped_column(Integer)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Sum of the approved payments against this plan.
    received_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    remark: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Payment(RecordMixin, Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("number"),
        Index("ix_payments_owner_updated", "owner_id", "updated_at"),
    )
    entity = "payment"
    approved_status: ClassVar[str] = "approved"

    number: Mapped[str] = mapped_column(String(60))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("payment_plans.id", ondelete="SET NULL"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_date: Mapped[dt.date] = mapped_column(Date, index=True)
    method: Mapped[str] = mapped_column(String(50), default="")
    remark: Mapped[str] = mapped_column(Text, default="")
    #: draft · pending · approved · rejected · withdrawn: only approved ones count as received.
    approval_status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
