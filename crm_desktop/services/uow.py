"""The unit of work: one Session, one transaction, the domain events it produced.

Errors: whatever leaves a unit of work as a database or ORM error is translated there, once
for every service (services/db_errors.py): a stale row becomes a ConflictError, a deadlock,
serialization failure or busy SQLite file a DatabaseBusy, a unique key a ValidationError…
A context manager cannot run its body again, so the retry lives one level up: a service
write marked ``@retrying()`` (or run through ``run_retrying`` / ``in_unit_of_work``) is run
again, a bounded number of times with jittered backoff, after DatabaseBusy, and — when it is
marked ``commutative`` (its result does not depend on the version it read: appending a
follow-up, lock/unlock, pool put/claim) — after StaleRecord too. The outermost marked call
retries; marked calls inside it run once. An attempt in which any unit of work committed is
never run again (that would do the committed part twice).

When subscribers run (the promise the services build on):

- An event's ``in_transaction`` handlers run when it is recorded (``add_event``), on the same
  thread and transaction, before ``add_event`` returns. So what they change (a rule setting a
  field, an approval making the record wait) is in the session before the service builds the
  DTO it returns, and a failing handler fails the service call where the event was recorded.
- A service that writes several records as one change holds the events back until all of them
  exist (``with uow.holding_events():``): the held events are handled in the order they were
  recorded when the outermost block ends (a converted lead's customer and contact; an
  opportunity with its lines). Nothing is held past that block: commit never runs handlers.
- Events recorded by a handler are handled at once too (nested); ``depth`` on the unit of work
  is stamped on each event recorded (the rules engine raises it while a rule's actions run).
- ``after_commit`` handlers get every recorded event once the data is durable;
  ``rolled_back`` handlers get the error after a rollback (see ``bus.py``).
"""
from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crm_desktop.services.db_errors import DatabaseBusy, StaleRecord, translate
from crm_desktop.services.events import DomainEvent
from crm_desktop.services.org import security_cache
from crm_desktop.services.org.actor import Actor, load_actor

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: Bound on events recorded while handling events (handlers recording events, nested): a
#: subscriber loop fails the unit of work instead of exhausting the stack. (The rules engine
#: bounds rules firing rules far below this, by the events' ``depth``.)
MAX_EVENT_NESTING = 40
#: How often a retrying call runs at most, and its backoff: before attempt n+1 a random
#: sleep of up to min(cap, base × 2^n) seconds ("full jitter": colliding writers spread out).
MAX_ATTEMPTS = 6
BACKOFF_BASE_S = 0.02
BACKOFF_CAP_S = 0.5

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class _Attempt:
    """The attempt of the outermost retrying call running on this thread (or task)."""

    commits: int = 0


_attempt: ContextVar[_Attempt | None] = ContextVar("crm_uow_attempt", default=None)


class UnitOfWork:
    """Collects the events of a service call and hands them to the bus (see the module doc)."""

    def __init__(self, db: Database, session: Session, actor: Actor | None) -> None:
        self.db = db
        self.session = session
        self.actor = actor
        #: Every event recorded, in order: published after commit.
        self.events: list[DomainEvent] = []
        #: Rule runs that led to the writes being made now (stamped on the events recorded).
        self.depth = 0
        self._held: list[DomainEvent] | None = None
        self._nesting = 0
        #: Whether the automation subscribers (rules, approval flows) take this unit of work's
        #: events. An import switches them off unless asked (ten thousand imported customers
        #: must not send ten thousand notifications); the events are still recorded, so the
        #: UI's refresh and other PCs' live refresh still hear of the records.
        self.automation = True

    def add_event(self, event: DomainEvent) -> None:
        """Record ``event`` and (unless held) run its in-transaction handlers now."""
        if event.depth != self.depth:
            event = replace(event, depth=self.depth)
        self.events.append(event)
        if self._held is not None:
            self._held.append(event)
        else:
            self._dispatch(event)

    @contextmanager
    def holding_events(self) -> Iterator[None]:
        """Handle the events recorded inside the block when it ends (outermost block only);
        if the block fails, they are never handled (the unit of work rolls back)."""
        if self._held is not None:
            yield
            return
        self._held = []
        try:
            yield
            held = self._held
        finally:
            self._held = None
        for event in held:
            self._dispatch(event)

    def _dispatch(self, event: DomainEvent) -> None:
        bus = self.db.bus
        if bus is None:
            return
        if self._nesting >= MAX_EVENT_NESTING:
            raise RuntimeError("events kept raising events: stopped to avoid a loop")
        self._nesting += 1
        try:
            bus.publish(event, self, phase="in_transaction")
        finally:
            self._nesting -= 1

    def handle(self, command: Any) -> Any:
        """The answer to ``command`` from its one handler, run in this unit of work."""
        if self.db.bus is None:
            raise LookupError(f"nothing handles {type(command).__name__}: this database has no bus "
                              "(open it through crm_desktop.bootstrap)")
        return self.db.bus.handle(command, self)

    def commit(self) -> None:
        self.session.commit()
        attempt = _attempt.get()
        if attempt is not None:
            attempt.commits += 1
        if self.db.bus is not None:
            for event in self.events:
                self.db.bus.publish(event, None, phase="after_commit")


def _open_session(db: Database) -> Session:
    """A session of ``db`` (the services' ORM hooks, such as search's pinyin initials, are
    attached to its session factory by ``crm_desktop.bootstrap``)."""
    return db.sessions()


@contextmanager
def unit_of_work(db: Database, actor: Actor | None) -> Iterator[UnitOfWork]:
    """Open a transaction acting as ``actor`` (reloaded fresh); commit on success.

    Thread rule: use and finish on one thread; nothing from the session escapes it.
    Database and ORM errors leave it translated (see the module doc), the original chained.
    """
    session = _open_session(db)
    try:
        if actor is not None and db.act_as is not None:
            db.act_as(session.connection(), actor.user_id)
        fresh = load_actor(session, actor.user_id) if actor is not None else None
        uow = UnitOfWork(db, session, fresh)
        yield uow
        uow.commit()
    except BaseException as exc:
        _rollback(session)
        if db.bus is not None and isinstance(exc, Exception):
            db.bus.publish(exc, db, phase="rolled_back")
        translated = translate(exc)
        if translated is None:
            raise
        raise translated from exc
    finally:
        session.close()


def _rollback(session: Session) -> None:
    try:
        session.rollback()
    except DBAPIError:  # the connection died: the server rolled the transaction back itself
        log.warning("rollback failed; the connection is discarded", exc_info=True)


def lock_keys(session: Session, namespace: int, keys: Iterable[int]) -> None:
    """Serialize this transaction with every other one that locks any of ``keys`` (int32s in
    ``namespace``) until it ends — for a check-then-write that no constraint can express.

    PostgreSQL: transaction-level advisory locks, taken in sorted order (two transactions
    locking overlapping keys never deadlock on them). SQLite has one writer at a time:
    ``begin_write``.
    """
    if session.connection().dialect.name == "postgresql":
        for key in sorted(set(keys)):
            session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": namespace, "key": key})
    else:
        begin_write(session)


def begin_write(session: Session) -> None:
    """SQLite: begin the transaction IMMEDIATE now, so that what it reads from here on cannot
    change before it writes. pysqlite begins transactions lazily at the first write, so
    reads before it see a database other writers may change meanwhile; IMMEDIATE waits them
    out (a transaction that already wrote holds the lock anyway). PostgreSQL: nothing; lock
    the rows themselves (FOR UPDATE)."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        if raw is not None and not raw.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def read_only(db: Database, actor: Actor | None) -> Iterator[UnitOfWork]:
    """A unit of work for reads: always rolled back; the actor (and field schemas) come from
    the security cache while the database's token says nothing they are built from changed.
    Database errors leave it translated, as from ``unit_of_work``."""
    session = _open_session(db)
    security_cache.enable(session)
    try:
        fresh = None
        if actor is not None:
            user_id = actor.user_id
            if db.act_as is not None:
                db.act_as(session.connection(), user_id)
            fresh = security_cache.cached(session, ("actor", user_id), lambda: load_actor(session, user_id))
        yield UnitOfWork(db, session, fresh)
    except BaseException as exc:
        translated = translate(exc)
        if translated is None:
            raise
        raise translated from exc
    finally:
        session.close()  # ends the transaction: the pool rolls the connection back


class KeptConnection:
    """The connection of one ``kept_read``: its pooled DB-API connection, and a SQLAlchemy
    Connection over that same DB-API connection (so in the same transaction), made only when
    a statement needs SQLAlchemy's execution (PostgreSQL; what ``DriverStatement`` does not
    run). Making one on every read cost a twentieth of the bucket's query on SQLite.
    Thread rule: the thread of the read."""

    __slots__ = ("_core", "dbapi_connection", "dialect", "engine")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.dbapi_connection = engine.raw_connection()  # a pooled connection
        self._core: Connection | None = None

    def core(self) -> Connection:
        if self._core is None:
            self._core = Connection(self.engine, self.dbapi_connection)
        return self._core

    def close(self) -> None:
        """Back to the pool, rolled back (through the Connection when there is one: it ends
        its own transaction first)."""
        if self._core is not None:
            self._core.close()
        else:
            self.dbapi_connection.close()


class kept_read:  # used as a function: ``with kept_read(db, actor) as (connection, actor):``
    """A read of kept statements (``activities.common.fetch_rows``): one pooled connection in one transaction,
    always rolled back, and the actor reloaded through the security cache under the token
    read in that transaction — what ``read_only`` gives, without its Session, whose set-up
    and teardown cost more than a narrow read's query on SQLite. Errors leave it translated,
    as from ``read_only``. The caller checks permission on the actor it yields.

    On SQLite the transaction is begun on the driver at once: pysqlite would run each SELECT
    as a transaction of its own, each paying for taking a snapshot, and the token and the
    reads would not see one snapshot. Inside ``db.one_transaction`` (sessions bound to its
    Connection) this is ``read_only``, so the reads see that transaction's work. A class, not
    a generator: entering and leaving a generator's context cost a microsecond more.
    Thread rule: use and finish on one thread; nothing from the connection escapes it.
    """

    __slots__ = ("actor", "connection", "db", "fallback")

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.connection: KeptConnection | None = None
        self.fallback: AbstractContextManager[UnitOfWork] | None = None

    def __enter__(self) -> tuple[Connection | KeptConnection, Actor]:
        db = self.db
        if db.sessions.kw.get("bind") is not db.engine:
            self.fallback = read_only(db, self.actor)
            uow = self.fallback.__enter__()
            assert uow.actor is not None
            return uow.session.connection(), uow.actor
        try:
            connection = self.connection = KeptConnection(db.engine)
            dbapi = connection.dbapi_connection
            driver = dbapi.driver_connection if connection.dialect.name == "sqlite" else None
            if driver is not None and not driver.in_transaction:
                driver.execute("BEGIN")
            user_id = self.actor.user_id
            if db.act_as is not None:
                db.act_as(connection.core(), user_id)

            def load() -> Actor:
                with Session(bind=connection.core()) as session:
                    return load_actor(session, user_id)

            # (on the driver's own connection where there is one: the pool's proxy of it adds a layer)
            token = security_cache.read_token(driver if driver is not None else dbapi)
            fresh = security_cache.cached_under(db.engine, token, ("actor", user_id), load)
            if driver is not None and not driver.in_transaction:
                driver.execute("BEGIN")  # a Session that loaded the actor ended the first one
            return connection, fresh
        except BaseException as exc:
            self.__exit__(type(exc), exc, exc.__traceback__)
            raise  # untranslated (__exit__ raised it translated otherwise)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.fallback is not None:
            self.fallback.__exit__(kind, exc, tb)
            return
        try:
            if exc is not None:
                translated = translate(exc)
                if translated is not None:
                    raise translated from exc
        finally:
            if self.connection is not None:
                self.connection.close()  # never committed: the pool rolls it back


# --- retrying --------------------------------------------------------------------------------


def run_retrying(call: Callable[[], T], *, commutative: bool = False, attempts: int = MAX_ATTEMPTS) -> T:
    """Run ``call`` (a whole service write: it opens its own unit of work) and run it again
    after DatabaseBusy — and after StaleRecord when ``commutative`` — up to ``attempts`` times
    in all, sleeping a jittered, growing pause between attempts; then its last error is
    raised (a readable ServiceError). Inside another retrying call it just runs ``call``:
    the outer one retries the whole. Thread rule: any thread; it sleeps on the caller's."""
    if _attempt.get() is not None:
        return call()
    for n in range(1, attempts + 1):
        state = _Attempt()
        token = _attempt.set(state)
        try:
            return call()
        except (DatabaseBusy, StaleRecord) as exc:
            if (isinstance(exc, StaleRecord) and not commutative) or state.commits or n >= attempts:
                raise
            name = getattr(getattr(call, "func", call), "__qualname__", "a unit of work")
            log.info("attempt %d of %s failed (%s); running it again", n, name, type(exc.__cause__ or exc).__name__)
        finally:
            _attempt.reset(token)
        time.sleep(random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**n)))
    raise AssertionError("unreachable: the last attempt returns or raises")


def retrying(*, commutative: bool = False) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Mark a service write as safe to run again after DatabaseBusy (``commutative``: and
    after StaleRecord); see ``run_retrying``."""

    def wrap(fn: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            return run_retrying(functools.partial(fn, *args, **kwargs), commutative=commutative)

        return run

    return wrap


def in_unit_of_work(
    db: Database, actor: Actor | None, work: Callable[[UnitOfWork], T], *, commutative: bool = False
) -> T:
    """``work(uow)`` in a unit of work that commits on success, run again as ``run_retrying`` says."""

    def attempt() -> T:
        with unit_of_work(db, actor) as uow:
            return work(uow)

    return run_retrying(attempt, commutative=commutative)
