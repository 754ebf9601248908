"""What a database or ORM error means for the user: the unit of work's translation table.

``translate`` is called by services/uow.py on every exception leaving a unit of work; it
gives the ServiceError to raise instead (the original chained as its cause), or None for an
exception that is no database error (it passes through unchanged). No driver or ORM error
reaches a user from a service, and call sites do not each translate their own.

- ``StaleRecord`` (a ConflictError): a row changed under this transaction (the version
  counter of a record or an approval). Nothing was written. A service that can say more
  catches it and raises its own (RecordService.update lists the fields: mine / theirs /
  original); ``uow.retrying(commutative=True)`` re-runs operations that do not depend on the
  version they read (appending a follow-up, lock/unlock, pool put and claim).
- ``DatabaseBusy``: PostgreSQL deadlock (40P01), serialization failure (40001) or lock
  timeout (55P03); SQLite busy or locked after its busy timeout. The transaction was rolled
  back, so the same call may simply run again: ``uow.retrying`` does, a few times.
- IntegrityError: a unique key → ``UniqueTaken`` (a ValidationError naming the field, the
  last column of the key); NOT NULL → "Required." on the column; a foreign key → the chosen
  record no longer exists, or (on delete) other records still refer to this one.
- ``ServerUnreachable``: the PostgreSQL server went away (connection refused or broken,
  server shutting down). Never retried here (see the class).
- ``InvalidValue`` for a value the database cannot store (DataError), ``DatabaseFailure`` for
  anything else from the driver; both are logged with the driver's text. (Reads are
  translated too: ``read_only`` uses the same table.)

No message carries a stored or typed value: only column names are read from the driver's
text (PostgreSQL's detail "Key (code)=(…)" names the columns and then the values, which are
never read). Pure functions; safe on any thread.
"""
from __future__ import annotations

import logging
import re
import sqlite3

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import ConflictError, RuleViolation, ServiceError, ValidationError

log = logging.getLogger(__name__)

#: PostgreSQL SQLSTATEs after which the whole transaction may simply run again.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
#: SQLite primary result codes of the same kind (the extended codes keep them in the low byte).
TRANSIENT_SQLITE_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_SQLITE_UNIQUE = frozenset({2067, 1555})  # SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
_SQLITE_NOT_NULL = 1299
_SQLITE_FOREIGN_KEY = 787
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# PostgreSQL's detail: 'Key (a, b)=(…) already exists.' — only the part before "=" is read.
_PG_KEY = re.compile(r"^Key \(([^()]*)\)=")
_TAKEN = QT_TRANSLATE_NOOP("errors", "Another record already has this value.")
_GONE = QT_TRANSLATE_NOOP("errors", "The chosen record no longer exists.")


class StaleRecord(ConflictError):
    """A row this change relied on was changed by someone else first; nothing was written.

    The generic form of ConflictError: it does not know which fields collided
    (``conflicts`` is empty, ``their_version`` 0)."""

    def __init__(self) -> None:
        ServiceError.__init__(self, QT_TRANSLATE_NOOP(
            "errors",
            "Someone else changed this record at the same moment. Nothing was saved: reload it and try again."))
        self.entity = ""
        self.record_id = 0
        self.conflicts = ()
        self.their_version = 0


class DatabaseBusy(ServiceError):
    """Other people's changes kept colliding with this one (a deadlock, a serialization
    failure, an SQLite file locked too long); it was rolled back and may be tried again."""

    def __init__(self) -> None:
        super().__init__(QT_TRANSLATE_NOOP(
            "errors", "The database was busy with other people's changes, so this change was not saved. "
            "Try again in a moment."))


class UniqueTaken(ValidationError):
    """A unique key of ``table`` refused the value(s) of ``columns`` (the last one is named)."""

    def __init__(self, table: str, columns: tuple[str, ...]) -> None:
        super().__init__({columns[-1]: _TAKEN})
        self.table = table
        self.columns = columns


class ServerUnreachable(ServiceError):
    """The database server could not be reached, or the connection broke (server restarted,
    cable pulled). Not retried: if the break came during COMMIT nobody knows whether the
    change was written, and running it again could save it twice. The form keeps its values;
    an update carries its version, so a save repeated after a commit that did land is refused
    as a conflict instead of applied twice."""

    def __init__(self) -> None:
        super().__init__(QT_TRANSLATE_NOOP(
            "errors", "The database server cannot be reached, so this change was not saved. What you typed is "
            "still here: save again when the status bar says the connection is back."))


class InvalidValue(ServiceError):
    def __init__(self) -> None:
        super().__init__(QT_TRANSLATE_NOOP(
            "errors", "A value is too long or contains a character the database cannot store."))


class DatabaseFailure(ServiceError):
    def __init__(self) -> None:
        super().__init__(QT_TRANSLATE_NOOP(
            "errors", "The database reported an error (the details are in the log). Reload and try again; "
            "if it keeps happening, tell your administrator."))


def is_transient(exc: BaseException) -> bool:
    """A driver error after which the rolled-back transaction may simply run again."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in TRANSIENT_SQLITE_CODES


#: PostgreSQL SQLSTATEs of a lost server: connection exceptions, and the server shutting down.
DISCONNECT_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def is_disconnect(exc: DBAPIError) -> bool:
    """The server went away or never answered (PostgreSQL; SQLite files do not disconnect)."""
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, (OperationalError, InterfaceError)) or isinstance(exc.orig, sqlite3.Error):
        return False
    state = getattr(exc.orig, "sqlstate", None)
    return state is None or state.startswith("08") or state in DISCONNECT_SQLSTATES


def translate(exc: BaseException) -> ServiceError | None:
    """The user's error for a database/ORM exception ``exc``; None for anything else."""
    if isinstance(exc, ServiceError):
        return None
    if isinstance(exc, StaleDataError):
        return StaleRecord()
    if not isinstance(exc, DBAPIError):
        return None
    if is_transient(exc):
        return DatabaseBusy()
    if is_disconnect(exc):
        log.warning("the database server is unreachable: %s", exc.orig)
        return ServerUnreachable()
    if isinstance(exc, IntegrityError):
        found = _integrity(exc)
        if found is not None:
            return found
    log.warning("a database error was reported to the user in general words", exc_info=exc)
    return InvalidValue() if isinstance(exc, DataError) else DatabaseFailure()


def _constraint_columns(table: str, name: str) -> tuple[str, ...]:
    """The columns of the unique constraint or index ``name`` of ``table`` (models' metadata)."""
    from crm_desktop.models import Base

    found = Base.metadata.tables.get(table)
    if found is None or not name:
        return ()
    for item in [*found.constraints, *found.indexes]:
        if item.name == name:
            return _plain([c.name for c in item.columns])
    return ()


def _integrity(exc: IntegrityError) -> ServiceError | None:
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state is not None:  # PostgreSQL (psycopg): read the structured diagnostics
        diag = getattr(orig, "diag", None)
        table = str(getattr(diag, "table_name", None) or "")
        match = _PG_KEY.match(str(getattr(diag, "message_detail", None) or ""))
        columns = _plain(match.group(1).split(",")) if match else ()
        if not columns and state == "23505":
            # No "Key (…)=(…)" detail under row-level security (a secure server's user role):
            # the constraint's own columns, from the models.
            columns = _constraint_columns(table, str(getattr(diag, "constraint_name", None) or ""))
        if state == "23505" and columns:
            return UniqueTaken(table, columns)
        if state == "23502" and getattr(diag, "column_name", None):
            return ValidationError({str(diag.column_name): QT_TRANSLATE_NOOP("errors", "Required.")})
        if state == "23503":
            if "still referenced" in str(getattr(diag, "message_detail", "")):
                return _still_referenced()
            return ValidationError({columns[-1]: _GONE}) if columns else RuleViolation(_GONE)
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    # SQLite: "UNIQUE constraint failed: products.code" (an index on expressions names the index).
    _, _, tail = str(orig).partition("constraint failed: ")
    parts = [p.strip().split(".") for p in tail.split(",")] if tail else []
    table = parts[0][0] if parts and len(parts[0]) == 2 else ""
    columns = _plain([p[1] for p in parts if len(p) == 2])
    if code in _SQLITE_UNIQUE and columns:
        return UniqueTaken(table, columns)
    if code == _SQLITE_NOT_NULL and columns:
        return ValidationError({columns[-1]: QT_TRANSLATE_NOOP("errors", "Required.")})
    if code == _SQLITE_FOREIGN_KEY:
        # SQLite does not say which key: an insert or update lost its target, or a delete kept referrers.
        writing = (exc.statement or "").lstrip().upper().startswith(("INSERT", "UPDATE"))
        return RuleViolation(_GONE) if writing else _still_referenced()
    return None


def _still_referenced() -> RuleViolation:
    return RuleViolation(QT_TRANSLATE_NOOP("errors", "Other records still refer to this one, so it was not removed."))


def _plain(names: list[str]) -> tuple[str, ...]:
    """Column names, or () when any part is an expression rather than a column."""
    cleaned = tuple(n.strip().strip('"') for n in names)
    return cleaned if cleaned and all(_IDENTIFIER.match(n) for n in cleaned) else ()
