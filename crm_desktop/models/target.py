"""Sales targets (业绩目标) and the indexes the dashboard counts through.

A target is one amount per subject (the company, a department or a user), year, month and
kind (contract amount, payments received, new customers). The company's subject id is 0.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base
from crm_desktop.models.customer import Customer, FollowUp
from crm_desktop.models.sales import Contract, Opportunity, Payment


class SalesTarget(Base):
    __tablename__ = "sales_targets"
    __table_args__ = (
        UniqueConstraint("subject", "subject_id", "year", "kind", "month"),
        Index("ix_sales_targets_year_kind", "year", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: company · department · user
    subject: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer, default=0)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    #: contract_amount · payments · new_customers
    kind: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal(0))


# The dashboard's figures read a period's rows by date and owner and sum an amount: these
# cover that (date first, so a month of a million rows is a range, then owner and amount so
# the rows themselves need not be read).
DASHBOARD_INDEXES = (
    Index("ix_contracts_dash", Contract.order_date, Contract.owner_id, Contract.approval_status, Contract.amount),
    Index("ix_payments_dash", Payment.paid_date, Payment.owner_id, Payment.approval_status, Payment.amount),
    Index("ix_opportunities_dash", Opportunity.created_at, Opportunity.owner_id, Opportunity.status,
          Opportunity.stage_id, Opportunity.amount),
    Index("ix_customers_created_owner", Customer.created_at, Customer.owner_id),
    Index("ix_followups_dash", FollowUp.followed_at, FollowUp.owner_id),
    Index("ix_customers_last_followup", Customer.last_followup_at, Customer.owner_id),
)
