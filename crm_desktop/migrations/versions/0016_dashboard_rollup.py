"""dashboard_rollup: the dashboard's figures per owner and day, kept by triggers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:30:00

Every insert, update and delete of a customer, contact, opportunity, contract, payment or
follow-up adjusts the rollup rows of the old and the new values in the same statement (row
triggers on SQLite and PostgreSQL), so no write path — services, the bulk import's
executemany, the recycle bin, transfers, SQL by hand — can leave it behind. The existing rows
are rolled up once here. See crm_desktop/models/dashboard.py.
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

NO_DAY = "0001-01-01"
OFFSET_HOURS = 8  # models.dashboard.LOCAL_OFFSET_HOURS (a migration does not import the models)


class Spec(NamedTuple):  # not a dataclass: alembic loads this file outside sys.modules
    measure: str
    table: str
    day: str
    #: True: ``day`` is a UTC timestamp, bucketed into its company-local day; False: a date.
    timestamp: bool
    status: str | None = None
    stage: str | None = None
    amount: str | None = None
    #: What else a row must meet to be counted (the module's base filter), besides "not recycled".
    extra: str | None = None


SPECS = (
    Spec("customer_created", "customers", "created_at", True, extra="pool_id IS NULL"),
    Spec("customer_followed", "customers", "last_followup_at", True, extra="pool_id IS NULL"),
    Spec("contact_created", "contacts", "created_at", True),
    Spec("opportunity_created", "opportunities", "created_at", True, "status", "stage_id", "amount"),
    Spec("opportunity_closing", "opportunities", "expected_close_date", False, "status", "stage_id", "amount"),
    Spec("contract_ordered", "contracts", "order_date", False, "approval_status", None, "amount"),
    Spec("payment_paid", "payments", "paid_date", False, "approval_status", None, "amount"),
    Spec("followup_done", "followups", "followed_at", True),
)
TABLES = tuple(dict.fromkeys(s.table for s in SPECS))
KEY = "measure, grain, day, owner_id, status, stage_id"
#: Each record is counted twice: in its day's row and in its month's row (day = the 1st).
GRAINS = ("d", "m")


def _columns(table: str) -> list[str]:
    """The columns whose change moves a row of ``table`` between rollup groups."""
    cols = ["owner_id", "deleted_at"]
    for s in SPECS:
        if s.table == table:
            cols += [c for c in (s.day, s.status, s.stage, s.amount) if c]
            if s.extra:
                cols.append("pool_id")
    return list(dict.fromkeys(cols))


def _day(s: Spec, row: str, backend: str, grain: str) -> str:
    """The record's local day (grain "d") or the first day of its month ("m"); NO_DAY for none."""
    col = f"{row}.{s.day}"
    if backend == "sqlite":
        # Stored as naive UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]"; dates as "YYYY-MM-DD".
        modifiers = (f", '+{OFFSET_HOURS} hours'" if s.timestamp else "") + (", 'start of month'" if grain == "m" else "")
        day = f"date({col}{modifiers})" if modifiers else col
        return f"coalesce({day}, '{NO_DAY}')"
    day = f"CAST(({col} AT TIME ZONE 'UTC') + INTERVAL '{OFFSET_HOURS} hours' AS date)" if s.timestamp else col
    if grain == "m":
        day = f"CAST(date_trunc('month', {day}) AS date)"
    return f"coalesce({day}, DATE '{NO_DAY}')"


def _cents(s: Spec, row: str, backend: str) -> str:
    if s.amount is None:
        return "0"
    if backend == "sqlite":
        return f"coalesce(CAST(round({row}.{s.amount} * 100) AS INTEGER), 0)"
    return f"coalesce(CAST(round({row}.{s.amount} * 100) AS bigint), 0)"


def _select(s: Spec, row: str, backend: str, sign: str, grain: str) -> str:
    """The rollup row one record adds (``sign`` '1') or takes away ('-1'), if it counts."""
    status = f"coalesce({row}.{s.status}, '')" if s.status else "''"
    stage = f"coalesce({row}.{s.stage}, 0)" if s.stage else "0"
    where = f"{row}.deleted_at IS NULL" + (f" AND {row}.{s.extra}" if s.extra else "")
    return (f"SELECT '{s.measure}', '{grain}', {_day(s, row, backend, grain)}, coalesce({row}.owner_id, 0), "
            f"{status}, {stage}, "
            f"{sign}, {sign} * {_cents(s, row, backend)} WHERE {where}")


def _upsert(s: Spec, row: str, backend: str, sign: str, grain: str) -> str:
    target = "dashboard_rollup." if backend == "postgresql" else ""
    return (f"INSERT INTO dashboard_rollup ({KEY}, record_count, amount_cents) "
            f"{_select(s, row, backend, sign, grain)} "
            f"ON CONFLICT ({KEY}) DO UPDATE SET record_count = {target}record_count + excluded.record_count, "
            f"amount_cents = {target}amount_cents + excluded.amount_cents;")


def _body(table: str, row: str, backend: str, sign: str) -> str:
    return "\n  ".join(_upsert(s, row, backend, sign, g) for s in SPECS if s.table == table for g in GRAINS)


def _changed(table: str, backend: str) -> str:
    differs = "IS NOT" if backend == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in _columns(table))


def _create_sqlite(table: str) -> None:
    cols = ", ".join(_columns(table))
    op.execute(f"CREATE TRIGGER dashboard_rollup_{table}_insert AFTER INSERT ON {table} BEGIN\n  "
               f"{_body(table, 'NEW', 'sqlite', '1')}\nEND")
    op.execute(f"CREATE TRIGGER dashboard_rollup_{table}_delete AFTER DELETE ON {table} BEGIN\n  "
               f"{_body(table, 'OLD', 'sqlite', '-1')}\nEND")
    op.execute(f"CREATE TRIGGER dashboard_rollup_{table}_update AFTER UPDATE OF {cols} ON {table} "
               f"WHEN {_changed(table, 'sqlite')} BEGIN\n  {_body(table, 'OLD', 'sqlite', '-1')}\n  "
               f"{_body(table, 'NEW', 'sqlite', '1')}\nEND")


def _create_postgresql(table: str) -> None:
    # Named dashboard_rollup_<table>: server setup (secure mode) makes these run as the tables'
    # owner, since a user's own role may not write the rollup.
    op.execute(f"""CREATE OR REPLACE FUNCTION dashboard_rollup_{table}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
  {_body(table, 'OLD', 'postgresql', '-1')}
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
  {_body(table, 'NEW', 'postgresql', '1')}
  END IF;
  RETURN NULL;
END
$fn$""")
    cols = ", ".join(_columns(table))
    op.execute(f"CREATE TRIGGER dashboard_rollup_{table}_write AFTER INSERT OR DELETE ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION dashboard_rollup_{table}()")
    op.execute(f"CREATE TRIGGER dashboard_rollup_{table}_update AFTER UPDATE OF {cols} ON {table} "
               f"FOR EACH ROW WHEN ({_changed(table, 'postgresql')}) EXECUTE FUNCTION dashboard_rollup_{table}()")


def backfill_sql(s: Spec, backend: str, grain: str) -> str:
    """The rollup rows of the records already there (also what the tests compare the table with)."""
    status = f"coalesce(r.{s.status}, '')" if s.status else "''"
    stage = f"coalesce(r.{s.stage}, 0)" if s.stage else "0"
    day = _day(s, "r", backend, grain)
    where = "r.deleted_at IS NULL" + (f" AND r.{s.extra}" if s.extra else "")
    # Constants stay out of GROUP BY (SQLite reads a bare 0 there as a column position).
    groups = ", ".join(g for g in ("coalesce(r.owner_id, 0)", day, status, stage) if g not in ("0", "''"))
    return (f"SELECT '{s.measure}' AS measure, '{grain}' AS grain, {day} AS day, coalesce(r.owner_id, 0) AS owner_id, "
            f"{status} AS status, {stage} AS stage_id, count(*) AS record_count, "
            f"sum({_cents(s, 'r', backend)}) AS amount_cents FROM {s.table} r WHERE {where} "
            f"GROUP BY {groups}")


def upgrade() -> None:
    op.create_table(
        'dashboard_rollup',
        sa.Column('measure', sa.String(length=24), nullable=False),
        sa.Column('grain', sa.String(length=1), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('stage_id', sa.Integer(), nullable=False),
        sa.Column('record_count', sa.BigInteger(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('measure', 'grain', 'day', 'owner_id', 'status', 'stage_id',
                                name=op.f('pk_dashboard_rollup')),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_dashboard_rollup_owner', 'dashboard_rollup', ['measure', 'owner_id', 'grain', 'day'],
                    unique=False)
    backend = op.get_bind().dialect.name
    for s in SPECS:
        for grain in GRAINS:
            op.execute(f"INSERT INTO dashboard_rollup ({KEY}, record_count, amount_cents) "
                       f"{backfill_sql(s, backend, grain)}")
    if backend == "postgresql":  # statistics now, not at autovacuum's next round
        op.execute("ANALYZE dashboard_rollup")
    for table in TABLES:
        if backend == "postgresql":
            _create_postgresql(table)
        else:
            _create_sqlite(table)


def downgrade() -> None:
    backend = op.get_bind().dialect.name
    for table in TABLES:
        if backend == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS dashboard_rollup_{table}_write ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS dashboard_rollup_{table}_update ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS dashboard_rollup_{table}()")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS dashboard_rollup_{table}_{event}")
    op.drop_index('ix_dashboard_rollup_owner', table_name='dashboard_rollup')
    op.drop_table('dashboard_rollup')
