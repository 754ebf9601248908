"""Customers (客户). The customer-management work grows this module; the foundation gives
it the shared record operations so ownership, scope, team, audit and locking work end to end."""
from __future__ import annotations

from crm_desktop.models import Customer
from crm_desktop.services.records import RecordService

FIELDS = ("name", "phone", "level", "industry", "address", "remark")

customers: RecordService[Customer] = RecordService(
    Customer, fields=FIELDS, required=("name",), search_fields=("name", "phone")
)
