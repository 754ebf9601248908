"""Public pools (公海): who may see and claim from each, its limits and recycle rules."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow


class Pool(Base):
    __tablename__ = "pools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: How many customers one user may claim from this pool per day (0 = no limit).
    daily_claim_limit: Mapped[int] = mapped_column(Integer, default=0)
    #: How many customers a user may own at most to be allowed to claim (0 = no cap).
    owned_cap: Mapped[int] = mapped_column(Integer, default=0)
    #: A previous owner may not take the customer back for this many days.
    reclaim_cooldown_days: Mapped[int] = mapped_column(Integer, default=0)
    #: Customers with a deal are never recycled into this pool.
    exempt_deals: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Owners are reminded this many days before a rule recycles their customer.
    remind_days: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PoolMember(Base):
    """A user or a whole department that may see and claim; ``is_admin`` may also assign."""

    __tablename__ = "pool_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)


class PoolRule(Base):
    """Recycle customers into the pool after N days without a follow-up / deal / opportunity."""

    __tablename__ = "pool_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    #: no_followup · no_deal · no_opportunity
    kind: Mapped[str] = mapped_column(String(30))
    days: Mapped[int] = mapped_column(Integer)
    #: Customer levels the rule applies to; empty = all levels.
    levels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class PoolEvent(Base):
    """Every put-in, claim, assign and recycle: the claim limits count from here."""

    __tablename__ = "pool_events"
    __table_args__ = (Index("ix_pool_events_user_at", "user_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    #: put · claim · assign · recycle
    kind: Mapped[str] = mapped_column(String(20))
    #: Who now owns it (claim/assign) or who lost it (put/recycle).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
