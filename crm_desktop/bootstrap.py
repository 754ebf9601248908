"""The composition root: the one place that opens the database, creates the event bus and
subscribes everything to it.

Every entry point builds the app here — the desktop app (``ui/login.py``, ``ui/app.py``), the
administrator's command line (``cli.py``), the benchmarks and the tests — so the automation
rules and approval flows run wherever a service writes, and nothing else wires parts together:

- in the transaction: the rules engine and the approval engine, through the automation
  package's one table of event class → handlers (``automation.handlers.EVENT_HANDLERS``), and
  the commands only the automation package answers (``COMMAND_HANDLERS``);
- after a rollback: the failure log (a failed rule's run is logged in a transaction of its own);
- on every session: search's pinyin initials (an ORM hook on the session factory);
- after commit: whatever the caller passes in — the UI's refresh (``subscribe_refresh``);
- live refresh of other PCs (``live=True``, PostgreSQL): the records a transaction's events
  named are announced with NOTIFY *inside* that transaction, so the note is delivered exactly
  when the data commits (``live/sender.py`` says why not after).

Parts can be switched off (``rules=False``, …) for a test that wants the services alone
(Cosmic Python's ``bootstrap`` / ``bootstrap_test_app``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crm_desktop.automation import handlers
from crm_desktop.bus import EventBus, Handler
from crm_desktop.db import Database, open_database
from crm_desktop.live import sender as live_sender
from crm_desktop.services.records.search import keep_initials

if TYPE_CHECKING:
    from crm_desktop.services.org.actor import Actor


def bootstrap(url: str, *, rules: bool = True, approvals: bool = True, failure_log: bool = True,
              search_initials: bool = True, on_committed: Handler | None = None, live: bool = True,
              **open_options: Any) -> Database:
    """Open the database at ``url`` (``open_options`` go to ``db.open_database``: migrating,
    engine options) and wire it (see ``wire``). Errors are ``db.DatabaseError``s, phrased for a user."""
    database = open_database(url, **open_options)
    return wire(database, rules=rules, approvals=approvals, failure_log=failure_log,
                search_initials=search_initials, on_committed=on_committed, live=live)


def wire(database: Database, *, rules: bool = True, approvals: bool = True, failure_log: bool = True,
         search_initials: bool = True, on_committed: Handler | None = None, live: bool = True) -> Database:
    """Give an open ``database`` a new bus with its subscribers and return it.

    ``rules``: the trigger rules run on the services' events (and rules can be tried);
    ``approvals``: approval flows start, are decided and resubmitted, and close with their
    record; ``failure_log``: a save failed by a rule logs the failure; ``search_initials``:
    writes fill global search's pinyin initials; ``on_committed``: an after-commit subscriber;
    ``live``: commits announce the records they changed to other PCs (PostgreSQL NOTIFY).
    Thread rule: call before the database is shared with other threads.
    """
    parts = {handlers.RULES: rules, handlers.APPROVALS: approvals}
    bus = EventBus()
    table = {event_type: tuple(h for part, h in entries if parts[part])
             for event_type, entries in handlers.EVENT_HANDLERS.items()}
    bus.subscribe(_dispatcher({k: v for k, v in table.items() if v}), phase="in_transaction")
    for command_type, (part, handler) in handlers.COMMAND_HANDLERS.items():
        if parts[part]:
            bus.register(command_type, handler)
    if failure_log:
        bus.subscribe(handlers.on_rolled_back, phase="rolled_back")
    if search_initials:
        keep_initials(database.sessions)
    if on_committed is not None:
        bus.subscribe(on_committed, phase="after_commit")
    database.bus = bus
    if live:
        live_sender.attach(database)
    return database


def subscribe_refresh(database: Database, on_committed: Handler) -> Callable[[], None]:
    """Subscribe the UI's refresh (called with each committed event, on the committing thread)
    to a database built here; returns what unsubscribes it."""
    if database.bus is None:
        raise ValueError("the database was not opened through crm_desktop.bootstrap")
    return database.bus.subscribe(on_committed, phase="after_commit")


def _dispatcher(table: Mapping[type, Sequence[Handler]]) -> Handler:
    """One in-transaction subscriber that hands each event to the handlers of its class."""
    def dispatch(event: Any, uow: Any) -> None:
        if not uow.automation:  # an import that asked not to run rules and flows
            return
        for handler in table.get(type(event), ()):
            handler(event, uow)
    return dispatch


def log_in(database: Database, mobile: str, password: str) -> tuple[Database, Actor]:
    """Who logs in, and the database to work on: ``database`` itself, or — a secure server,
    where ``database`` is the directory connection (services/org/server_login.py) — a new
    one as the user's own login role, wired like ``database`` (the caller owns both).
    AuthError for a wrong mobile or password, whichever checks it (the app or PostgreSQL)."""
    from crm_desktop.db_location import DatabaseUnavailable
    from crm_desktop.services.errors import AuthError
    from crm_desktop.services.org import auth, server_login

    if not server_login.is_directory(database):
        return database, auth.login(database, mobile, password)
    role = server_login.login_role(database, mobile)
    if role is None:
        raise AuthError(server_login.WRONG)
    try:
        own = bootstrap(server_login.own_url(database, role, password), migrate_schema=False)
    except DatabaseUnavailable as exc:
        if server_login.authentication_failed(exc):
            raise AuthError(server_login.WRONG) from None
        raise
    own.user_role = True
    try:
        return own, auth.login_connected(own)
    except BaseException:
        own.dispose()
        raise


__all__ = ["bootstrap", "log_in", "subscribe_refresh", "wire"]
