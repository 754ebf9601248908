"""Domain events and the bus that hands them to subscribers.

Two phases: ``in_transaction`` handlers run inside the unit of work, before commit, so a
data action of the automation engine commits or fails together with the save that fired it;
``after_commit`` handlers (notifications, live refresh) see only what was committed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Phase = Literal["in_transaction", "after_commit"]


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


Handler = Callable[[DomainEvent, Any], None]


class EventBus:
    """Subscribers per phase. Handlers get ``(event, uow)``; after commit ``uow`` is None.

    Thread rule: subscribe at start-up; publishing happens on whichever thread runs the
    unit of work, so handlers must not touch widgets (the UI re-emits on the GUI thread).
    """

    def __init__(self) -> None:
        self._handlers: dict[Phase, list[Handler]] = {"in_transaction": [], "after_commit": []}

    def subscribe(self, handler: Handler, *, phase: Phase = "after_commit") -> Callable[[], None]:
        self._handlers[phase].append(handler)
        return lambda: self._handlers[phase].remove(handler)

    def publish(self, event: DomainEvent, uow: Any, *, phase: Phase) -> None:
        for handler in list(self._handlers[phase]):
            handler(event, uow)
