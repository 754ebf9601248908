"""Engines, connection pragmas, sessions and migrations.

The app works on an embedded SQLite file (one PC, offline) or a shared PostgreSQL server
(a team on a LAN). Everything database-specific about opening a connection lives here.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crm_desktop.bus import EventBus
from crm_desktop.paths import default_sqlite_path, migrations_path

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


class DatabaseError(Exception):
    """A database could not be opened; the message is meant for the user."""


class NotADatabase(DatabaseError):
    """The chosen file exists but is not an SQLite database (it is left untouched)."""


class DatabaseUnavailable(DatabaseError):
    """The server cannot be reached or refused the connection."""


def resolve_url(cli_url: str | None = None) -> str:
    """Pick the database: ``--database`` beats ``CRM_DATABASE_URL`` beats the default file."""
    url = cli_url or os.environ.get("CRM_DATABASE_URL")
    if not url:
        return f"sqlite:///{default_sqlite_path()}"
    return normalize_url(url)


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` and route it through psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL, or None (other backends, in-memory)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that exists but is not SQLite, without writing a byte to it."""
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            header = fh.read(16)
        if header != SQLITE_MAGIC:
            raise NotADatabase(
                f"{path} is not a CRM database (it is not an SQLite file). "
                "The file was not changed. Choose another file or a new location."
            )


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


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the pragmas (SQLite) or driver (PostgreSQL) the app relies on."""
    url = normalize_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = sqlite_file(url)
        if path is not None:
            check_sqlite_file(path)
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

#: Tables and indexes that migrations manage by hand and no model describes: the search
#: index (FTS5 tables and their shadow tables on SQLite, trigram indexes on PostgreSQL).
UNMODELLED_PREFIXES = ("search_",)


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


def backup_sqlite_file(path: Path, dest: Path) -> Path:
    """Copy a live SQLite database through the online backup API (consistent under WAL)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(str(path))
    try:
        out = sqlite3.connect(str(dest))
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    return dest


def migrate(engine: Engine) -> Path | None:
    """Upgrade the schema to head. Returns the safety copy made of an SQLite file, if any.

    Before an existing SQLite database is migrated it is copied aside (``<file>.pre-<rev>``)
    so that a failed or unwanted upgrade can be undone by hand.
    """
    from alembic import command

    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return None
    copy: Path | None = None
    path = sqlite_file(str(engine.url))
    if path is not None and path.exists() and current is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
        copy = backup_sqlite_file(path, path.with_name(f"{path.name}.pre-{head}-{stamp}"))
        log.info("copied %s to %s before migrating", path, copy)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    return copy


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("users")


@dataclass
class Database:
    """An open database: engine, session factory and the domain-event bus.

    Thread rule: the object is shared; each unit of work opens its own Session, and no
    Session crosses threads.
    """

    engine: Engine
    sessions: sessionmaker[Session]
    bus: Any = field(default=None)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate_schema: bool = True, **engine_kwargs: Any) -> Database:
    """Open (and by default migrate) a database, with errors phrased for a user."""
    engine = make_engine(url, **engine_kwargs)
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
    return Database(engine=engine, sessions=sessions, bus=EventBus())
