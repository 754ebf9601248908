"""The dashboard rollup: per measure, owner, local day, status and stage, how many live records
there are and their amount — kept by database triggers in the same transaction as every write.

Why triggers: the dashboard must stay under 300 ms at a million contracts, which a scan of the
records cannot do, and every write path (services, the bulk import's executemany, deletes,
owner transfers, amount and date edits, SQL run by hand) must keep the rollup exact without
Python code remembering to. The triggers are created by migration 0016 (SQLite and
PostgreSQL); ``crm_desktop.services.dashboard.rollup`` reads the table.

Key columns never hold NULL (a NULL in a primary key would let two rows mean the same group):
no owner is stored as ``NO_OWNER``, no stage as ``NO_STAGE``, no status as ``''`` and no day as
``NO_DAY``. Amounts are whole cents in a BIGINT, so sums are exact on SQLite too.
"""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base

NO_OWNER = 0
NO_STAGE = 0
NO_DAY = dt.date(1, 1, 1)
DAY_GRAIN = "d"
MONTH_GRAIN = "m"
#: Timestamps are bucketed into the company's local day as UTC + this many hours (China keeps
#: no summer time since 1991; the reader checks a period's bounds against the real zone and
#: falls back to the records where they differ).
LOCAL_OFFSET_HOURS = 8


class Measure(StrEnum):
    """What a rollup row counts (table, day column; the key columns used)."""

    CUSTOMER_CREATED = "customer_created"  # customers (not pooled), local day of created_at
    CUSTOMER_FOLLOWED = "customer_followed"  # customers (not pooled), local day of last_followup_at
    CONTACT_CREATED = "contact_created"  # contacts, local day of created_at
    OPPORTUNITY_CREATED = "opportunity_created"  # opportunities, local day of created_at; status, stage
    OPPORTUNITY_CLOSING = "opportunity_closing"  # opportunities, expected_close_date; status, stage
    CONTRACT_ORDERED = "contract_ordered"  # contracts, order_date; approval_status
    PAYMENT_PAID = "payment_paid"  # payments, paid_date; approval_status
    FOLLOWUP_DONE = "followup_done"  # follow-ups, local day of followed_at


class DashboardRollup(Base):
    __tablename__ = "dashboard_rollup"
    # Clustered by measure and day (SQLite: WITHOUT ROWID), so a period is one range of
    # adjacent rows holding their counts; the owner index serves a rep or a small team.
    __table_args__ = (Index("ix_dashboard_rollup_owner", "measure", "owner_id", "grain", "day"),
                      {"sqlite_with_rowid": False})

    measure: Mapped[str] = mapped_column(String(24), primary_key=True)
    #: "d": one row per day; "m": per month (``day`` is its first day). Each record is in one
    #: row of each grain; a reader takes whole months from "m" and the days around them from "d".
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_count: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
