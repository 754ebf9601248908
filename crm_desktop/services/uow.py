"""The unit of work: one Session, one transaction, the domain events it produced."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crm_desktop.services import security_cache
from crm_desktop.services.actor import Actor, load_actor
from crm_desktop.services.events import DomainEvent

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: Bound on events raised while handling events (rules firing rules): never a loop.
MAX_EVENT_ROUNDS = 8


class UnitOfWork:
    """Collects events during a service call and hands them to the bus.

    ``in_transaction`` subscribers run at commit time but before the COMMIT, inside the same
    transaction, and may add events of their own (drained in bounded rounds);
    ``after_commit`` subscribers run once the data is durable.
    """

    def __init__(self, db: Database, session: Session, actor: Actor | None) -> None:
        self.db = db
        self.session = session
        self.actor = actor
        self.events: list[DomainEvent] = []
        self._published: list[DomainEvent] = []

    def add_event(self, event: DomainEvent) -> None:
        self.events.append(event)

    def commit(self) -> None:
        rounds = 0
        while self.events:
            rounds += 1
            if rounds > MAX_EVENT_ROUNDS:
                raise RuntimeError("events kept raising events: stopped to avoid a loop")
            batch, self.events = self.events, []
            for event in batch:
                if self.db.bus is not None:
                    self.db.bus.publish(event, self, phase="in_transaction")
                self._published.append(event)
            self.session.flush()
        self.session.commit()
        published, self._published = self._published, []
        if self.db.bus is not None:
            for event in published:
                self.db.bus.publish(event, None, phase="after_commit")


def _open_session(db: Database) -> Session:
    """A session of ``db`` with the services' ORM hooks attached (idempotent).

    Pinyin initials for global search cannot be computed by database triggers, so every ORM
    write made through a unit of work fills them after flush (services/search.py).
    """
    from crm_desktop.services.search import keep_initials  # search builds on this module

    keep_initials(db.sessions)
    return db.sessions()


@contextmanager
def unit_of_work(db: Database, actor: Actor | None) -> Iterator[UnitOfWork]:
    """Open a transaction acting as ``actor`` (reloaded fresh); commit on success.

    Thread rule: use and finish on one thread; nothing from the session escapes it.
    """
    session = _open_session(db)
    try:
        fresh = load_actor(session, actor.user_id) if actor is not None else None
        uow = UnitOfWork(db, session, fresh)
        yield uow
        uow.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_only(db: Database, actor: Actor | None) -> Iterator[UnitOfWork]:
    """A unit of work for reads: always rolled back; the actor (and field schemas) come from
    the security cache while the database's token says nothing they are built from changed."""
    session = _open_session(db)
    security_cache.enable(session)
    try:
        fresh = None
        if actor is not None:
            user_id = actor.user_id
            fresh = security_cache.cached(session, ("actor", user_id), lambda: load_actor(session, user_id))
        yield UnitOfWork(db, session, fresh)
    finally:
        session.close()  # ends the transaction: the pool rolls the connection back
