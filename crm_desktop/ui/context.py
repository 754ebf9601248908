"""What every window and page of a logged-in session receives."""
from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Qt, Signal

from crm_desktop.bootstrap import subscribe_refresh
from crm_desktop.db import Database
from crm_desktop.services.events import DomainEvent
from crm_desktop.services.org.actor import Actor


class AppSignals(QObject):
    """The one "something changed" signal. Views decide for themselves whether to refresh.

    ``changed(entity, record_id)``; entity "*" means "reload everything" (e.g. after a
    restore from backup). Emitted on the GUI thread, whatever thread committed the change.
    """

    changed = Signal(str, int)
    _from_worker = Signal(str, int)

    def __init__(self) -> None:
        super().__init__()
        self._from_worker.connect(self.changed, Qt.ConnectionType.QueuedConnection)

    def on_committed(self, event: DomainEvent, _uow: object) -> None:
        # Called by the event bus on the worker thread that committed.
        self._from_worker.emit(event.entity, event.record_id)

    def notify(self, entity: str, record_id: int = 0) -> None:
        """For changes that are not record events (departments, users, roles)."""
        self.changed.emit(entity, record_id)


@dataclass(frozen=True)
class AppContext:
    """The open database, the logged-in actor and the change signal.

    Pages call services as ``service(ctx.db, ctx.actor, …)`` inside ``ops.op(...)``.
    """

    db: Database
    actor: Actor
    signals: AppSignals

    def with_actor(self, actor: Actor) -> AppContext:
        return replace(self, actor=actor)


def make_context(db: Database, actor: Actor) -> AppContext:
    """The session's context; its refresh signal is wired to ``db`` by the composition root
    (``db`` was opened through ``crm_desktop.bootstrap``)."""
    signals = AppSignals()
    subscribe_refresh(db, signals.on_committed)
    return AppContext(db=db, actor=actor, signals=signals)
