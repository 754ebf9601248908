"""Customers (客户): the first business record. The customer-management work extends it;
the foundation uses it to carry ownership, scope, team, audit and locking end to end."""
from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base
from crm_desktop.models.record import RecordMixin


class Customer(RecordMixin, Base):
    __tablename__ = "customers"
    entity = "customer"

    name: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[str] = mapped_column(String(20), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    remark: Mapped[str] = mapped_column(Text, default="")
