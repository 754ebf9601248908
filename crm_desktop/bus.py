"""The publish/subscribe bus that carries domain events to their subscribers.

Two phases: ``in_transaction`` handlers run inside the unit of work, before commit, so a
data action of the automation engine commits or fails together with the save that fired it;
``after_commit`` handlers (notifications, live refresh) see only what was committed.
The events themselves are defined by the services (services/events.py).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Phase = Literal["in_transaction", "after_commit"]

Handler = Callable[[Any, Any], None]


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

    def publish(self, event: Any, uow: Any, *, phase: Phase) -> None:
        for handler in list(self._handlers[phase]):
            handler(event, uow)
