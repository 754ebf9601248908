"""Is this file really a CRM Desktop backup? The checks ``services.backup`` runs before it
writes a byte to the target.

Two table names prove nothing (an unrelated SQLite file with ``users`` and
``alembic_version`` once wiped a whole database). A backup names its schema revision; the
revision must be one of this app's migrations, and the backup's tables and columns must be
exactly the ones the migrations build at that revision. The expected schema of a revision
is built once per process by migrating a scratch SQLite file to it. Column names do not
depend on the backend (the same migrations create them), so the one expectation serves
PostgreSQL dumps as well; the hand-made search index (``search_*``, FTS5 on SQLite, plain
tables on PostgreSQL) and SQLite's own tables are left out of the comparison.

Thread rule: plain blocking calls; run them off the GUI thread.
"""
from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path

from sqlalchemy import inspect

from crm_desktop.db import (
    UNMODELLED_PREFIXES,
    _alembic_config,
    head_revision,
    make_engine,
)
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import ServiceError

# table → its column names.
Schema = dict[str, frozenset[str]]


class BackupError(ServiceError):
    """A backup or restore that could not be done; the target database was not changed."""


@functools.cache
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(rev.revision for rev in ScriptDirectory.from_config(_alembic_config(None)).walk_revisions())


@functools.cache
def expected_schema(revision: str) -> Schema:
    """The tables and columns the migrations build at ``revision`` (a known one)."""
    from alembic import command

    with tempfile.TemporaryDirectory(prefix="crm-schema-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.sqlite3'}", create=True)
        try:
            with engine.begin() as conn:
                command.upgrade(_alembic_config(conn), revision)
            with engine.connect() as conn:
                insp = inspect(conn)
                return comparable({t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()})
        finally:
            engine.dispose()


def comparable(schema: dict[str, set[str]]) -> Schema:
    """Leave out what differs between backends or is not the app's: the search index and
    the database's own bookkeeping tables (sqlite_sequence, sqlite_stat1)."""
    return {t: frozenset(cols) for t, cols in schema.items()
            if not t.startswith(UNMODELLED_PREFIXES) and not t.startswith("sqlite_")}


def check_backup(path: Path, revision: str | None, schema: dict[str, set[str]]) -> None:
    """Raise BackupError unless ``schema`` (the backup's tables and columns) is exactly the
    app's schema at ``revision``."""
    actual = comparable(schema)
    if revision is None:
        raise BackupError(
            QT_TRANSLATE_NOOP("errors", "{path} is not a CRM backup: it has no schema version. Nothing was changed."),
            path=str(path))
    if revision not in known_revisions():
        # A newer app's database still has every table this version knows; anything else
        # that merely has a version table is some other program's.
        if set(expected_schema(head_revision())) <= set(actual):
            raise BackupError(
                QT_TRANSLATE_NOOP(
                    "errors",
                    "{path} was made by a newer version of CRM Desktop (schema {revision}; this version "
                    "knows up to {head}). Update the app before restoring it. Nothing was changed.",
                ),
                path=str(path), revision=revision, head=head_revision(),
            )
        raise BackupError(
            QT_TRANSLATE_NOOP("errors", "{path} is not a CRM backup: its schema version {revision} is unknown. "
                                        "Nothing was changed."),
            path=str(path), revision=revision)
    expected = expected_schema(revision)
    missing = sorted([t for t in expected if t not in actual]
                     + [f"{t}.{c}" for t in expected if t in actual for c in expected[t] - actual[t]])
    if missing:
        raise BackupError(
            QT_TRANSLATE_NOOP("errors", "{path} is not a CRM backup: {name} is missing from its schema {revision}. "
                                        "Nothing was changed."),
            path=str(path), name=missing[0], revision=revision)
    extra = sorted([t for t in actual if t not in expected]
                   + [f"{t}.{c}" for t in actual if t in expected for c in actual[t] - expected[t]])
    if extra:
        raise BackupError(
            QT_TRANSLATE_NOOP("errors", "{path} is not a CRM backup: it has {name}, which schema {revision} does not. "
                                        "Nothing was changed."),
            path=str(path), name=extra[0], revision=revision)


_CREATE_TABLE = re.compile(r'^CREATE (?:UNLOGGED )?TABLE (?:(?:"[^"]+"|\w+)\.)?("(?:[^"]|"")+"|\w+) \($')
_COLUMN = re.compile(r'^\s+("(?:[^"]|"")+"|\w+) ')


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def dump_schema(ddl: str) -> dict[str, set[str]]:
    """Tables and columns from ``pg_restore --schema-only`` output (pg_dump writes one
    column per line; constraints other than CHECK come later as ALTER TABLE)."""
    tables: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in ddl.splitlines():
        if current is None:
            found = _CREATE_TABLE.match(line)
            if found:
                current = tables.setdefault(_unquote(found.group(1)), set())
        elif line.startswith(")"):
            current = None
        else:
            column = _COLUMN.match(line)
            if column and column.group(1) != "CONSTRAINT":
                current.add(_unquote(column.group(1)))
    return tables
