"""Record services as a list sees them: each listed row carries the names its numbers stand
for (a contact's customer, an opportunity's stage, a payment's contract), read once per page
inside the page's own background read, never per row on the GUI thread.

Every other call (create, update, count …) is the wrapped service's own.
Thread rule: any thread (like the services).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crm_desktop.services.records.records import Page, RecordDTO, RecordService
from crm_desktop.ui.records.shared.record_names import (
    name_payments,
    with_customer_names,
    with_stage_names,
)

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor


class _Wrapped:
    def __init__(self, service: RecordService[Any]) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)


class CustomerNamed(_Wrapped):
    """Each listed row with its customer's name as ``customer_name`` (contacts, contracts)."""

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        return Page(rows=with_customer_names(db, actor, page.rows), next_cursor=page.next_cursor)


class CustomerNamedExport(_Wrapped):
    """For export: ``customer_id`` carries the customer's name instead of its number (a
    spreadsheet reader cannot look the number up)."""

    def _named(self, db: Database, actor: Actor, rows: Sequence[RecordDTO]) -> tuple[RecordDTO, ...]:
        return with_customer_names(db, actor, rows, key="customer_id")

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        return Page(rows=self._named(db, actor, page.rows), next_cursor=page.next_cursor)

    def get(self, db: Database, actor: Actor, record_id: int) -> RecordDTO:
        return self._named(db, actor, (self._service.get(db, actor, record_id),))[0]


class NamedOpportunities(_Wrapped):
    """Each listed opportunity with ``customer_name`` and ``stage_name``."""

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        rows = list(with_customer_names(db, actor, page.rows))
        return Page(rows=tuple(with_stage_names(db, actor, rows)), next_cursor=page.next_cursor)


class NamedPayments(_Wrapped):
    """Each listed payment with ``customer_name`` and ``contract_number``."""

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        return Page(rows=name_payments(db, actor, page.rows), next_cursor=page.next_cursor)


__all__ = ["CustomerNamed", "CustomerNamedExport", "NamedOpportunities", "NamedPayments"]
