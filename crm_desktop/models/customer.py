"""The customer side of the CRM: leads (线索), customers (客户), contacts (联系人) and
follow-up records (跟进记录)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base, UTCDateTime
from crm_desktop.models.record import RecordMixin


class FollowUpSummary:
    """Denormalized "last follow-up" columns: lists sort and filter on them, and the pool's
    recycle rules compare them, without touching the follow-up table."""

    last_followup_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_followup_content: Mapped[str] = mapped_column(Text, default="")
    next_contact_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Customer(FollowUpSummary, RecordMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        # The default list order and the scope filter walk these.
        Index("ix_customers_owner_updated", "owner_id", "updated_at"),
        Index("ix_customers_updated_at", "updated_at"),
    )
    entity = "customer"

    name: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str] = mapped_column(String(50), default="")
    mobile: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    website: Mapped[str] = mapped_column(String(255), default="")
    #: 统一社会信用代码 (unified social credit code)
    credit_code: Mapped[str] = mapped_column(String(30), default="")
    level: Mapped[str] = mapped_column(String(20), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(50), default="")
    province: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    remark: Mapped[str] = mapped_column(Text, default="")
    #: "none" or "deal" (成交状态)
    deal_status: Mapped[str] = mapped_column(String(20), default="none")
    last_deal_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Set while the customer sits in a public pool; such customers have no owner.
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("pools.id", ondelete="RESTRICT"), index=True)
    pooled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    previous_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The name with company suffixes and region words removed, for the duplicate-claim check.
    normalized_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    #: "" (active) · pending · rejected · withdrawn: set while a registration flow (报备) gates
    #: the customer's creation; only an approval makes it active.
    approval_status: Mapped[str] = mapped_column(String(20), default="")


class Lead(FollowUpSummary, RecordMixin, Base):
    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_owner_updated", "owner_id", "updated_at"),)
    entity = "lead"

    name: Mapped[str] = mapped_column(String(200), index=True)  # the company or person
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    mobile: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(String(50), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[str] = mapped_column(String(20), default="")
    province: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    remark: Mapped[str] = mapped_column(Text, default="")
    #: new · following · converted · invalid
    status: Mapped[str] = mapped_column(String(20), default="new")
    invalid_reason: Mapped[str] = mapped_column(Text, default="")
    converted_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    converted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Contact(FollowUpSummary, RecordMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_owner_updated", "owner_id", "updated_at"),)
    entity = "contact"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    gender: Mapped[str] = mapped_column(String(10), default="")
    position: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    mobile: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    wechat: Mapped[str] = mapped_column(String(100), default="")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    birthday: Mapped[dt.date | None] = mapped_column()
    address: Mapped[str] = mapped_column(String(300), default="")
    remark: Mapped[str] = mapped_column(Text, default="")


class FollowUp(RecordMixin, Base):
    """A follow-up on a lead, customer or contact; the owner is whoever followed up."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_target", "target_entity", "target_id", "followed_at"),)
    entity = "followup"

    target_entity: Mapped[str] = mapped_column(String(50))
    target_id: Mapped[int] = mapped_column(Integer)
    #: from the "followup_kind" dictionary: phone, email, visit, sms, wechat, …
    kind: Mapped[str] = mapped_column(String(50), default="phone")
    content: Mapped[str] = mapped_column(Text)
    followed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    next_contact_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
