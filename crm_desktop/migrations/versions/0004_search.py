"""search index: global search and the duplicate-claim check

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 12:00:00

One search table per searchable entity — ``search_leads``, ``search_customers``,
``search_contacts`` — holding, per record, its name, e-mail (lower-cased), phone and mobile
(separators removed, so "0592-123 4567" is found by "05921234567"), the unified social credit
code (customers only, upper-cased) and the pinyin initials of the name.

- SQLite: FTS5 virtual tables with the trigram tokenizer (needs SQLite 3.34), ``rowid`` = the
  record id. PostgreSQL: plain tables keyed by ``record_id`` with one multi-column GIN
  trigram index (pg_trgm) and a B-tree on the credit code.
- Database triggers keep every text column in step with INSERT / UPDATE OF those columns /
  DELETE on the entity table, whatever writes it (ORM, Core bulk insert, a SQL console).
  Soft-deleted rows stay in the index; every read joins the entity table through
  ``services.scope.visible_filter``, which drops them, so a restore needs no re-index.
- Pinyin initials cannot be computed by a trigger (pypinyin is Python): the insert trigger
  writes "", an update that changes the name clears them, and
  ``crm_desktop.services.records.search.index_record`` (record services, after each write) or
  ``reindex_all`` (bulk inserts) fill them in. This migration fills them for existing rows.

All objects are named ``search_*`` so schema comparisons can leave them out (they have no
model). CAUTION for later migrations: a SQLite batch operation that recreates leads,
customers or contacts drops that table's triggers; such a migration must recreate them
(copy ``_sqlite_triggers`` below) — tests/test_search.py fails if they are missing.
"""
from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: entity table → its search table and the extra columns beyond the common ones.
_TABLES = {
    "leads": ("search_leads", ()),
    "customers": ("search_customers", ("credit_code",)),
    "contacts": ("search_contacts", ()),
}
# Frozen copy of services.search.PHONE_NOISE (a migration must not change when code does).
_PHONE_NOISE = " -()+./"


def _sqlite_digits(expr: str) -> str:
    for ch in _PHONE_NOISE:
        expr = f"replace({expr}, '{ch}', '')"
    return expr


def _values(prefix: str, extra: tuple[str, ...], *, dialect: str) -> list[str]:
    """SQL expressions for name, email, phone, mobile[, credit_code] of ``prefix`` (new/old)."""
    if dialect == "sqlite":
        digits = _sqlite_digits
    else:
        def digits(expr: str) -> str:
            return f"regexp_replace({expr}, '[ ()+./-]', '', 'g')"
    out = [
        f"coalesce({prefix}.name, '')",
        f"lower(coalesce({prefix}.email, ''))",
        digits(f"coalesce({prefix}.phone, '')"),
        digits(f"coalesce({prefix}.mobile, '')"),
    ]
    out += [f"upper(trim(coalesce({prefix}.{c}, '')))" for c in extra]
    return out


def _sqlite_triggers(table: str) -> list[str]:
    search, extra = _TABLES[table]
    cols = ["name", "email", "phone", "mobile", *extra]
    new = _values("new", extra, dialect="sqlite")
    sets = ", ".join(f"{c} = {v}" for c, v in zip(cols, new))
    return [
        f"""CREATE TRIGGER {search}_ai AFTER INSERT ON {table} BEGIN
            INSERT INTO {search} (rowid, {', '.join(cols)}, initials) VALUES (new.id, {', '.join(new)}, '');
        END""",
        f"""CREATE TRIGGER {search}_au AFTER UPDATE OF {', '.join(cols)} ON {table} BEGIN
            UPDATE {search} SET {sets},
                initials = CASE WHEN new.name IS old.name THEN initials ELSE '' END
            WHERE rowid = new.id;
        END""",
        f"""CREATE TRIGGER {search}_ad AFTER DELETE ON {table} BEGIN
            DELETE FROM {search} WHERE rowid = old.id;
        END""",
    ]


def _postgres_ddl(table: str) -> list[str]:
    search, extra = _TABLES[table]
    cols = ["name", "email", "phone", "mobile", *extra]
    new = _values("NEW", extra, dialect="postgresql")
    sets = ", ".join(f"{c} = {v}" for c, v in zip(cols, new))
    extra_cols = "".join(f", {c} text NOT NULL DEFAULT ''" for c in extra)
    ddl = [
        f"""CREATE TABLE {search} (
            record_id integer PRIMARY KEY,
            name text NOT NULL DEFAULT '', email text NOT NULL DEFAULT '',
            phone text NOT NULL DEFAULT '', mobile text NOT NULL DEFAULT ''{extra_cols},
            initials text NOT NULL DEFAULT '')""",
        f"""CREATE INDEX {search}_trgm ON {search} USING gin (
            name gin_trgm_ops, email gin_trgm_ops, phone gin_trgm_ops, mobile gin_trgm_ops,
            initials gin_trgm_ops)""",
        *(f"CREATE INDEX {search}_{c} ON {search} ({c})" for c in extra),
        f"""CREATE FUNCTION {search}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {search} WHERE record_id = OLD.id;
                RETURN OLD;
            ELSIF TG_OP = 'INSERT' THEN
                INSERT INTO {search} (record_id, {', '.join(cols)}, initials)
                VALUES (NEW.id, {', '.join(new)}, '')
                ON CONFLICT (record_id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in cols)},
                    initials = '';
            ELSE
                UPDATE {search} SET {sets},
                    initials = CASE WHEN NEW.name IS DISTINCT FROM OLD.name THEN '' ELSE initials END
                WHERE record_id = NEW.id;
            END IF;
            RETURN NEW;
        END $$""",
        f"""CREATE TRIGGER {search}_sync AFTER INSERT OR DELETE OR UPDATE OF {', '.join(cols)}
            ON {table} FOR EACH ROW EXECUTE FUNCTION {search}_sync()""",
    ]
    return ddl


def _fill(table: str, dialect: str) -> None:
    """Index the rows that exist already (the triggers only see later writes)."""
    # Imported when the migration runs, not when alembic loads the script to read its revision.
    from crm_desktop.services.records.pinyin import initials

    search, extra = _TABLES[table]
    cols = ["name", "email", "phone", "mobile", *extra]
    key = "rowid" if dialect == "sqlite" else "record_id"
    exprs = _values(table, extra, dialect=dialect)
    op.execute(
        f"INSERT INTO {search} ({key}, {', '.join(cols)}, initials) "
        f"SELECT id, {', '.join(exprs)}, '' FROM {table}"
    )
    bind = op.get_bind()
    last = 0
    while True:  # in slices, so a million-row database is not read into memory at once
        rows = bind.execute(
            sa.text(f"SELECT id, name FROM {table} WHERE id > :last ORDER BY id LIMIT 5000"), {"last": last}
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        updates = [{"i": initials(name or ""), "id": rid} for rid, name in rows]
        updates = [u for u in updates if u["i"]]
        if updates:
            bind.execute(sa.text(f"UPDATE {search} SET initials = :i WHERE {key} = :id"), updates)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        if sqlite3.sqlite_version_info < (3, 34):
            raise RuntimeError(
                f"SQLite {sqlite3.sqlite_version} is too old for the search index (3.34 or newer is needed)."
            )
        for table, (search, extra) in _TABLES.items():
            # Before upgrades were all or nothing (db.migrate), Python's sqlite3 module ran
            # this revision's first statements in autocommit mode: a killed upgrade left
            # search tables and triggers behind at revision 0003 ("table search_leads already
            # exists" ever after). Nothing else can have made them: clear such leftovers.
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {search}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {search}")
            columns = ", ".join(["name", "email", "phone", "mobile", *extra, "initials"])
            op.execute(f"CREATE VIRTUAL TABLE {search} USING fts5({columns}, tokenize = 'trigram', columnsize = 0)")
            for ddl in _sqlite_triggers(table):
                op.execute(ddl)
            _fill(table, dialect)
    else:
        # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in _TABLES:
            for ddl in _postgres_ddl(table):
                op.execute(ddl)
            _fill(table, dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, (search, _extra) in _TABLES.items():
        if dialect == "sqlite":
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {search}_{suffix}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {search}_sync ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {search}_sync()")
        op.execute(f"DROP TABLE IF EXISTS {search}")
