"""Engines, connection pragmas, sessions and migrations.

The app works on an embedded SQLite file (one PC, offline) or a shared PostgreSQL server
(a team on a LAN). Everything database-specific about opening a connection lives here.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from crm_desktop.bus import EventBus

# Where the database is and the errors of opening it live apart (no SQLAlchemy there, for the
# login window); re-exported here, where the rest of the program looks for them.
from crm_desktop.db_location import (
    SQLITE_MAGIC,  # noqa: F401 - re-exported
    DatabaseError,
    DatabaseMissing,
    DatabaseUnavailable,
    NotADatabase,
    check_sqlite_file,
    normalize_url,
    resolve_url,  # noqa: F401 - re-exported
    sqlite_file,
)
from crm_desktop.paths import migrations_path

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Every connection, not just the first: these pragmas are per connection.
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _json_loads(text: str) -> Any:
    # Most records carry no custom values: "{}" is what a list page's JSON column holds row
    # after row, and json.loads costs thirty times a string comparison.
    return {} if text == "{}" else json.loads(text)


def make_engine(url: str, *, create: bool = False, **kwargs: Any) -> Engine:
    """Create an engine with the pragmas (SQLite) or driver (PostgreSQL) the app relies on.

    A missing SQLite file is created (with its folder) only when ``create`` is true: that is
    for ``crm-admin init`` and the app's first run. Everything else raises DatabaseMissing,
    so a mistyped path never turns into a new, empty database that a job then "succeeds" on.
    """
    url = normalize_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = sqlite_file(url)
        if path is not None:
            check_sqlite_file(path)
            if not path.exists():
                if not create:
                    raise DatabaseMissing(
                        f"The database file {path} does not exist; nothing was created. Check the path "
                        "(`crm-admin init` creates a new database)."
                    )
                path.parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("json_deserializer", _json_loads)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, connect_args={"connect_timeout": 5}, **kwargs)
    raise DatabaseError(f"Unsupported database type: {backend}")


def check_connection(engine: Engine) -> None:
    """Open one connection so that an unreachable server is reported in words, early."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        orig = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "file is not a database" in orig:
            raise NotADatabase(f"The file is not a CRM database: {orig}") from exc
        raise DatabaseUnavailable(
            f"Cannot connect to the database ({engine.url.render_as_string(hide_password=True)}): "
            f"{orig}"
        ) from exc


# --- migrations --------------------------------------------------------------------------
# alembic is imported inside the functions below: only migrating needs it, and a client that
# opens an up-to-date database should not pay its import at start-up.

#: Tables and indexes that migrations manage by hand and no model describes: the search
#: index (FTS5 tables and their shadow tables on SQLite, trigram indexes on PostgreSQL), and
#: the expression indexes of indexed custom fields (services/records/field_index.py).
UNMODELLED_PREFIXES = ("search_", "cfidx_")


def schema_include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """alembic ``include_name`` hook: leave unmodelled objects out of autogenerate and of
    the models-versus-migrations check."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# --- one transaction, really ---------------------------------------------------------------

def sqlite_transaction_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """An SQLite engine whose transactions are exactly the ones SQLAlchemy begins.

    Python's sqlite3 module (its legacy transaction control, the default before 3.12) opens
    a transaction only before INSERT/UPDATE/DELETE/REPLACE and runs everything else —
    CREATE, DROP, ALTER, SAVEPOINT — in autocommit mode. DDL at the start of an upgrade was
    therefore committed statement by statement (a kill left ``search_leads`` behind at the
    old revision), and releasing an outermost SAVEPOINT committed. Here the driver's own
    handling is off (``isolation_level=None``) and each SQLAlchemy transaction is one
    ``BEGIN IMMEDIATE`` … ``COMMIT`` (SQLAlchemy's recipe in its pysqlite notes): the write
    lock is taken at BEGIN, savepoints nest inside, and nothing is durable before COMMIT.
    One connection per use (NullPool): nothing of this leaks into the app's pool.

    ``foreign_keys=False`` is for schema upgrades: SQLite ignores that pragma inside a
    transaction, and batch mode recreates tables (DROP of a parent table would otherwise
    run its ON DELETE actions). Callers check ``PRAGMA foreign_key_check`` before COMMIT.
    """
    engine = make_engine(url, create=True, poolclass=NullPool)

    def driver_transactions_off(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        if not foreign_keys:
            dbapi_conn.execute("PRAGMA foreign_keys=OFF")

    def begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", driver_transactions_off)
    event.listen(engine, "begin", begin)
    return engine


@contextmanager
def one_transaction(db: Database) -> Iterator[Database]:
    """A view of ``db`` in which every unit of work is a savepoint of one outer transaction,
    committed when the block ends: a failure rolls everything back and a killed process
    leaves nothing behind (SQLite discards an uncommitted WAL tail; PostgreSQL rolls back a
    dropped connection). For bulk builds such as the demo company.

    Thread rule: the view and its one connection belong to the calling thread. On SQLite
    the write lock is held throughout (other writers wait up to the busy timeout).
    """
    path = sqlite_file(db.engine.url.render_as_string(hide_password=False))
    engine = sqlite_transaction_engine(str(db.engine.url)) if path is not None else db.engine
    try:
        with engine.connect() as conn, conn.begin():
            # A subclass of the database's own session class: the ORM hooks wired on it
            # (bootstrap's search initials) apply inside the transaction too.
            sessions = sessionmaker(bind=conn, class_=db.sessions.class_, expire_on_commit=False,
                                    join_transaction_mode="create_savepoint")
            # No act_as: a bulk build is an administrator's tool on the owner's connection (the demo company).
            yield Database(engine=db.engine, sessions=sessions, bus=db.bus, client_id=db.client_id)
    finally:
        if engine is not db.engine:
            engine.dispose()


# --- safety copies ------------------------------------------------------------------------

def backup_sqlite_file(path: Path, dest: Path) -> Path:
    """Copy a live SQLite database through the online backup API (consistent under WAL).

    The copy is written under a temporary name and renamed into place once complete and
    synced, so ``dest`` is either absent, the previous good copy, or the new good copy —
    never half a file, whenever the process dies. The copy is one self-contained file
    (journal mode DELETE: no -wal/-shm companions to forget).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    for leftover in (partial, partial.with_name(partial.name + "-journal")):
        leftover.unlink(missing_ok=True)  # a killed earlier copy: never reopened as a database
    src = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        out = sqlite3.connect(str(partial))
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    finally:
        src.close()
    _fsync(partial)
    os.replace(partial, dest)
    _fsync(dest.parent)
    return dest


def _fsync(path: Path) -> None:
    """Make a file (or on POSIX a folder's entries) durable before relying on it."""
    if path.is_dir() and os.name == "nt":
        return  # Windows cannot open a folder for fsync; NTFS journals the rename
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- upgrading ----------------------------------------------------------------------------

#: ``progress(revision, description)``: called inside the upgrade's transaction after each
#: revision has been applied (nothing is committed yet).
MigrationProgress = Callable[[str, str], None]

#: pg_advisory_xact_lock key: two processes upgrading one server take turns.
_PG_UPGRADE_LOCK = 0x43524D5F4D4947  # "CRM_MIG"


def safety_copy_path(path: Path, *, current: str, head: str) -> Path:
    """Where the copy of ``path`` taken before upgrading ``current`` → ``head`` lives: one
    file per pair of revisions, however many attempts it takes."""
    return path.with_name(f"{path.name}.pre-{head}-from-{current}")


@contextmanager
def schema_transaction(engine: Engine) -> Iterator[Connection]:
    """One connection and one transaction for a schema change: all of it or none of it.

    PostgreSQL's DDL is transactional; an advisory lock makes a second upgrader wait and
    then find the work done. SQLite: ``sqlite_transaction_engine`` with foreign keys off,
    and the whole change refused if it leaves a dangling reference.
    """
    path = sqlite_file(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name != "sqlite" or path is None:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_UPGRADE_LOCK})
            yield conn
        return
    upgrader = sqlite_transaction_engine(str(engine.url), foreign_keys=False)
    try:
        with upgrader.begin() as conn:
            yield conn
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
            if broken is not None:
                raise DatabaseError(
                    f"The upgrade was undone: it would leave rows of {broken[0]} pointing at missing rows of "
                    f"{broken[2]}. The database was not changed."
                )
    finally:
        upgrader.dispose()


def migrate(engine: Engine, *, progress: MigrationProgress | None = None) -> Path | None:
    """Upgrade the schema to head, all or nothing. Returns the SQLite safety copy, if one was made.

    All or nothing: every revision and the version stamp run in one database transaction
    (``schema_transaction``), committed once at the end. A kill, a crash or an error at any
    moment leaves the database at its old revision; there is never a state in between.
    SQLite guarantees it through its WAL (frames without a commit record are ignored when
    the file is next opened), PostgreSQL through its transactional DDL. This holds only if
    no revision commits by itself: revisions must not use ``executescript`` (it COMMITs),
    VACUUM, or anything else that cannot run inside a transaction.

    Before an existing SQLite database is upgraded it is copied aside, inside the upgrade's
    write lock (so the copy is exactly what the upgrade starts from) and atomically
    (``backup_sqlite_file``), to ``safety_copy_path``: ``<file>.pre-<head>-from-<current>``.
    A retry after a failed attempt rewrites that same file (the database is unchanged by
    the failed attempt, so the copy is too) instead of adding one per attempt; rewriting
    rather than reusing means a copy never describes some other database that was at the
    same revision earlier (a restored backup, say).
    """
    head = head_revision()
    if current_revision(engine) == head:
        return None  # the usual start-up: nothing to do and no lock taken
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    path = sqlite_file(engine.url.render_as_string(hide_password=False))
    copy: Path | None = None
    with schema_transaction(engine) as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return None  # another process upgraded it while we waited for the lock
        if path is not None and engine.dialect.name == "sqlite":
            if current is None and conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table'").first():
                raise NotADatabase(
                    f"{path} is an SQLite database of some other program (it has tables but no CRM schema "
                    "version). The file was not changed."
                )
            if current is not None:
                # A second connection reads the committed state while ours holds the write
                # lock (the backup API cannot read through a connection in a write transaction).
                copy = backup_sqlite_file(path, safety_copy_path(path, current=current, head=head))
                log.info("copied %s to %s before upgrading it", path, copy)
        cfg = _alembic_config(conn)
        if progress is not None:
            cfg.attributes["on_version_apply"] = _step_reporter(progress)
        command.upgrade(cfg, "head")
    return copy


def _step_reporter(progress: MigrationProgress) -> Callable[..., None]:
    def report(*, step: Any, **_kw: Any) -> None:
        if step.is_upgrade:
            progress(step.up_revision_id, step.up_revision.doc if step.up_revision else "")
    return report


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("users")


@dataclass
class Database:
    """An open database: engine, session factory and the domain-event bus (given by
    ``crm_desktop.bootstrap``, which wires its subscribers; None: no events are handled).

    Thread rule: the object is shared; each unit of work opens its own Session, and no
    Session crosses threads.
    """

    engine: Engine
    sessions: sessionmaker[Session]
    bus: EventBus | None = field(default=None)
    #: Signs this open database's live change notes, so its own listener skips them (live/).
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    #: Called with a unit of work's connection and its acting user's id as the transaction
    #: begins. None in the app: on a secure server (issue 17) its connection is the user's
    #: own login role already. The secure-mode test run (tests/conftest.py, CRM_TEST_SECURE)
    #: sets it to ``SET LOCAL ROLE`` of that user's role, so every service call meets the
    #: server's row-level security as that user would.
    act_as: Callable[[Connection, int], None] | None = field(default=None)
    #: Connected as a CRM user's own login role (secure server mode, services/org/
    #: server_login.py): the server limits every statement to that user's scope, so work
    #: done for the whole company (the scheduled jobs) is the server's, not this PC's.
    user_role: bool = field(default=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate_schema: bool = True, create: bool = False, **engine_kwargs: Any) -> Database:
    """Open (and by default migrate) a database, with errors phrased for a user.

    ``create``: make a missing SQLite file (first run only; see ``make_engine``). The app opens
    it through ``crm_desktop.bootstrap``, which adds the event bus and its subscribers (rules,
    approvals, search initials): a database opened here alone runs none."""
    engine = make_engine(url, create=create, **engine_kwargs)
    try:
        check_connection(engine)
        if migrate_schema:
            migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnavailable(str(exc.orig or exc)) from exc
    except DatabaseError:
        engine.dispose()
        raise
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions)
