"""What the record forms offer to choose from: the customers the actor can see (contacts,
opportunities and contracts belong to one), read on the op worker before the form opens, and
``read_first``, which runs such a read and then opens the form.
Thread rule: ``customer_choices`` any thread (like the services); ``read_first`` GUI thread.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QWidget

from crm_desktop.services.customers.customers import customers
from crm_desktop.ui.ops import op

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

T = TypeVar("T")

#: Customers offered in a form (the service's list limit).
CUSTOMER_CHOICES_LIMIT = 500


def customer_choices(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """(id, name) of the customers the actor can see, by name."""
    page = customers.list_page(db, actor, sort="name", descending=False, limit=CUSTOMER_CHOICES_LIMIT)
    return [(str(r.id), str(r.values.get("name") or r.id)) for r in page.rows]


def read_first(parent: QWidget, read: Callable[[], T], then: Callable[[T], None],
               on_failed: Callable[[BaseException], None] | None) -> None:
    """Run ``read`` on the op worker, then ``then(result)`` on the GUI thread; a failed read goes to
    ``on_failed`` (default: the op runner's message box). Returns at once."""
    reading = op(parent, read).success(then)
    if on_failed is not None:
        reading = reading.failure(on_failed)
    reading.run()


__all__ = ["CUSTOMER_CHOICES_LIMIT", "customer_choices", "read_first"]
