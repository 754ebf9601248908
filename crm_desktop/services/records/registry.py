"""The one map from an entity name to its record service.

Automation (actions that touch another record), the UI's view specs and the import engine all
find an entity's service here, so that adding a module means adding one line.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import followups
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.errors import NotFound
from crm_desktop.services.records.records import RecordService
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.payments import payments
from crm_desktop.services.sales.products import products

RECORD_SERVICES: Mapping[str, RecordService[Any]] = {
    "customer": customers, "lead": leads, "contact": contacts, "followup": followups,
    "opportunity": opportunities, "product": products, "contract": contracts, "payment": payments,
}


def record_service(entity: str) -> RecordService[Any]:
    """The service of ``entity``; an unknown name is answered like a missing record."""
    try:
        return RECORD_SERVICES[entity]
    except KeyError:
        raise NotFound(entity, "-") from None
