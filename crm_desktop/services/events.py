"""Domain events and the bus that hands them to subscribers.

Two phases: ``in_transaction`` handlers run inside the unit of work, before commit, so a
data action of the automation engine commits or fails together with the save that fired it;
``after_commit`` handlers (notifications, live refresh) see only what was committed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

@dataclass(frozen=True)
class DomainEvent:
    entity: str
    record_id: int
    actor_id: int | None


@dataclass(frozen=True)
class RecordCreated(DomainEvent):
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordUpdated(DomainEvent):
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordDeleted(DomainEvent):
    pass


@dataclass(frozen=True)
class RecordRestored(DomainEvent):
    pass


@dataclass(frozen=True)
class OwnerChanged(DomainEvent):
    old_owner_id: int | None = None
    new_owner_id: int | None = None


@dataclass(frozen=True)
class StatusChanged(DomainEvent):
    field_name: str = "status"
    old: Any = None
    new: Any = None


# The bus itself is infrastructure with no domain knowledge; it lives below the db layer so
# that db.open_database can give every Database one without importing the services.
from crm_desktop.bus import EventBus, Handler, Phase  # noqa: E402

__all__ = ["DomainEvent", "EventBus", "Handler", "OwnerChanged", "Phase", "RecordCreated", "RecordDeleted",
           "RecordRestored", "RecordUpdated", "StatusChanged"]
