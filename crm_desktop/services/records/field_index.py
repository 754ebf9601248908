"""Expression indexes of indexed custom fields (an administrator's choice in the field admin).

A custom value lives inside the record's ``custom`` JSON, so a list sorted or filtered by it
reads every row of the table; an expression index on the field's sort key (the very
expression ``filters.custom_sort_key`` puts into the list's ORDER BY and comparisons), with the
id after it for the keyset's tiebreaker, lets the database walk the page in order instead:

- SQLite: ``CREATE INDEX … ON customers (coalesce(CAST(CAST(JSON_EXTRACT(custom, '$."f1"') AS
  VARCHAR) AS FLOAT), -1e300), id)``. SQLite uses an expression index only for a query that
  spells the same expression, constants included: the key is written into the SQL, never bound.
- PostgreSQL: the same with ``custom ->> 'f1'``; numbers are cast to float in the key, so the
  index orders them numerically. Dates and times are kept as ISO text, whose order is theirs
  (a text-to-date cast is not immutable on PostgreSQL, so it could not be indexed anyway).

Names are generated (``cfidx_<table>_<key>``) from the model's table and the field's key, which
``schema_admin`` generates (``f1``, ``f2``…) and ``filters.SAFE_KEY`` checks: nothing an
administrator types reaches the DDL. The names share a prefix the models-versus-migrations
check leaves out (``db.UNMODELLED_PREFIXES``).
Thread rule: functions take an open session (the caller's unit of work).
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from crm_desktop.models import RecordMixin
from crm_desktop.services.records.filters import SAFE_KEY, custom_sort_key
from crm_desktop.services.records.schema import FieldSpec, FieldType

#: Every field-index name starts with this (see ``db.UNMODELLED_PREFIXES``).
INDEX_PREFIX = "cfidx_"

#: Field types whose values a list can sort by and an index can order (not lists of values,
#: attachments, or yes/no, whose two values an index would not narrow).
INDEXABLE_TYPES = frozenset(FieldType) - {FieldType.MULTISELECT, FieldType.ATTACHMENT, FieldType.BOOLEAN}


def can_index(spec: FieldSpec) -> bool:
    """Whether ``spec`` is a custom field an index can serve."""
    return not spec.builtin and spec.type in INDEXABLE_TYPES


def index_name(model: type[RecordMixin], key: str) -> str:
    """The generated name of the index of the custom field ``key`` of ``model``."""
    if not SAFE_KEY.fullmatch(key):
        raise ValueError(f"not a custom field key: {key!r}")
    return f"{INDEX_PREFIX}{model.__tablename__}_{key}"


def create_field_index(session: Session, model: type[RecordMixin], spec: FieldSpec) -> str:
    """Create the expression index of ``spec`` (kept if it exists); its name.

    On PostgreSQL this builds the index inside the caller's transaction, holding writes to
    the table meanwhile (a few seconds at a million rows): an administrator's rare action.
    """
    assert spec.key is not None and can_index(spec), f"{spec.name} cannot be indexed"
    name = index_name(model, spec.key)
    dialect = session.get_bind().dialect
    # The same expression the list queries use, compiled without the table's name (an index
    # names only its own table's columns); it holds no bound values (filters.CustomText).
    key = custom_sort_key(model, spec).compile(dialect=dialect, compile_kwargs={"include_table": False})
    assert not key.params, "a field index expression must hold no bound values"
    table = model.__tablename__
    _bounded_wait(session)
    session.execute(text(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({key}, id)'))
    if dialect.name == "postgresql":
        # The planner needs the expression's statistics to prefer the index.
        session.execute(text(f'ANALYZE "{table}"'))
    return name


#: How long index DDL on PostgreSQL waits for other sessions' open transactions on the table.
LOCK_TIMEOUT = "10s"


def _bounded_wait(session: Session) -> None:
    """On PostgreSQL, give up (the save fails, nothing changes) rather than wait without end
    for a colleague's open transaction: the queued DDL would hold every later read of the
    table behind it meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


def drop_field_index(session: Session, model: type[RecordMixin], key: str) -> None:
    """Drop the index of the custom field ``key`` (nothing if there is none)."""
    _bounded_wait(session)
    session.execute(text(f'DROP INDEX IF EXISTS "{index_name(model, key)}"'))


#: The catalogue's index names of one table (the inspector skips expression indexes on SQLite).
_CATALOGUE = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :table",
}


def field_indexes(session: Session, model: type[RecordMixin]) -> set[str]:
    """Names of the field indexes that exist on ``model``'s table (read from the catalogue)."""
    sql = _CATALOGUE[session.get_bind().dialect.name]
    names = session.scalars(text(sql), {"table": model.__tablename__})
    return {n for n in names if n.startswith(INDEX_PREFIX)}


__all__ = ["INDEXABLE_TYPES", "INDEX_PREFIX", "can_index", "create_field_index", "drop_field_index",
           "field_indexes", "index_name"]
