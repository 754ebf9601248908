"""The publish/subscribe bus that carries domain events to their subscribers, and commands to
their one handler.

Three phases of events:

- ``in_transaction`` handlers run inside the unit of work when the event is recorded (see
  ``services/uow.py`` for the exact promise), so a data action of the automation engine
  commits or fails together with the save that fired it, and the service's returned DTO
  already shows it. Handlers get ``(event, uow)``.
- ``after_commit`` handlers (the UI's refresh, notifications) see only what was committed.
  Handlers get ``(event, None)``.
- ``rolled_back`` handlers learn why a unit of work was rolled back, once the rollback is
  done: they get ``(error, db)`` and may write in a transaction of their own (the automation
  engine logs a failed rule there, since the save's own log went with the rollback).

Commands (``services/commands.py``) ask the one part that can answer them (the automation
engine: decide an approval, try a rule) to act inside the caller's unit of work and return
its answer; ``handle`` raises LookupError when the app was built without that part.

The events and commands themselves are defined by the services; who subscribes is decided
in ``crm_desktop/bootstrap.py`` only.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Phase = Literal["in_transaction", "after_commit", "rolled_back"]

Handler = Callable[[Any, Any], None]
CommandHandler = Callable[[Any, Any], Any]


class EventBus:
    """Subscribers per phase, command handlers per command class.

    Thread rule: subscribe and register at start-up; publishing happens on whichever thread
    runs the unit of work, so handlers must not touch widgets (the UI re-emits on the GUI thread).
    """

    def __init__(self) -> None:
        self._handlers: dict[Phase, list[Handler]] = {"in_transaction": [], "after_commit": [], "rolled_back": []}
        self._commands: dict[type, CommandHandler] = {}

    def subscribe(self, handler: Handler, *, phase: Phase = "after_commit") -> Callable[[], None]:
        self._handlers[phase].append(handler)
        return lambda: self._handlers[phase].remove(handler)

    def publish(self, event: Any, context: Any, *, phase: Phase) -> None:
        for handler in list(self._handlers[phase]):  # a handler may unsubscribe itself
            handler(event, context)

    def register(self, command_type: type, handler: CommandHandler) -> None:
        """Make ``handler`` the one that answers ``command_type`` (a second one replaces it)."""
        self._commands[command_type] = handler

    def handle(self, command: Any, uow: Any) -> Any:
        """The answer of the command's handler, run in ``uow``."""
        handler = self._commands.get(type(command))
        if handler is None:
            raise LookupError(f"nothing handles {type(command).__name__}: the app was built without the part that "
                              "answers it (see crm_desktop.bootstrap)")
        return handler(command, uow)
