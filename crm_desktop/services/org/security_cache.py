"""Actors and field schemas kept in memory while the database says nothing they depend on changed.

Every service call reloads its actor and, for records, the actor's field schema: two to four
queries and their Python work, more than a list page's own query costs on SQLite. Database
triggers (migration 0009) replace the ``security`` token of ``cache_signals`` whenever users,
roles, grants, custom fields or field permissions change — from this process, another PC on
the LAN, or a script — so a read reads the token (one indexed row) and reuses what was built
under the same token. Odoo signals its registry and caches between workers the same way.

Only read-only units of work use the cache: a unit of work that writes may change what it
guards and then read its own uncommitted change (or roll it back), and must see exactly that.
Entries carry the token they were built under: a reader that started before a change and
builds after it stores its entry under the old token, which no later reader will present.
Thread rule: any thread (entries are replaced whole; a race builds the same value twice).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from crm_desktop.models import CacheSignal

T = TypeVar("T")

#: Plain SQL on the driver's cursor: this runs on every read, and through SQLAlchemy's
#: statement machinery it cost more than the row it reads.
_TOKEN_SQL = f"SELECT token FROM {CacheSignal.__tablename__} WHERE name = 'security'"
#: Session.info keys: whether this unit of work may use the cache, and the token it read.
USE_KEY = "security_cache"
_TOKEN_KEY = "security_token"
#: More keys than this (users × entities × role sets) in one process: start over.
MAX_ENTRIES = 4096

_caches: WeakKeyDictionary[Engine, dict[Any, tuple[str, Any]]] = WeakKeyDictionary()


def read_token(dbapi_connection: Any) -> str:
    """The security token, read on a DB-API connection in its transaction (for reads that
    hold a connection rather than a Session: ``cached_under``)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise RuntimeError("cache_signals has no 'security' row: the database schema is damaged")
    return str(row[0])


def enable(session: Session) -> None:
    """Let this (read-only) session use the cache."""
    session.info[USE_KEY] = True


def cached(session: Session, key: Any, build: Callable[[], T]) -> T:
    """``build()``'s value for ``key``, reused while the security token is unchanged."""
    if not session.info.get(USE_KEY):
        return build()
    token = session.info.get(_TOKEN_KEY)
    if token is None:
        token = session.info[_TOKEN_KEY] = read_token(session.connection().connection.dbapi_connection)  # in the session's transaction
    bind = session.get_bind()
    # A session joined to an outer transaction (db.one_transaction) is bound to its Connection.
    engine = bind.engine if isinstance(bind, Connection) else bind
    assert isinstance(engine, Engine)
    return cached_under(engine, token, key, build)


def cached_under(engine: Engine, token: str, key: Any, build: Callable[[], T]) -> T:
    """``build()``'s value for ``key`` on ``engine``, reused while the security token is
    ``token`` (one the caller read with ``read_token`` in the read it serves)."""
    entries = _caches.get(engine)
    if entries is None:
        entries = _caches.setdefault(engine, {})
    hit = entries.get(key)
    if hit is not None and hit[0] == token:
        return hit[1]  # type: ignore[no-any-return]
    value = build()
    if len(entries) >= MAX_ENTRIES:
        entries.clear()
    entries[key] = (token, value)
    return value
