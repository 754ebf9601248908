"""cache signals: a token the database replaces whenever users, roles, grants or fields change

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 17:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: table → the columns whose change matters (None: any change). The actor is built from a
#: user's name, mobile, department, enabled flag, roles and their grants; a field schema from
#: custom fields and field permissions. A login (failed-attempt counters, last login) or a
#: password change must not throw every process's cache away, hence the column lists.
GUARDED: dict[str, tuple[str, ...] | None] = {
    "users": ("name", "mobile", "department_id", "enabled"),
    "user_roles": None,
    "roles": None,
    "role_permissions": None,
    "role_data_scopes": None,
    "custom_fields": None,
    "field_permissions": None,
}

#: A fresh random token per change (not a counter): a restored backup cannot bring back a
#: token some process cached for different contents.
_SQLITE_TOKEN = "lower(hex(randomblob(16)))"
_PG_TOKEN = "md5(random()::text || clock_timestamp()::text)"


def upgrade() -> None:
    op.create_table(
        'cache_signals',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_signals')),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(f"INSERT INTO cache_signals (name, token) VALUES ('security', {_SQLITE_TOKEN if sqlite else _PG_TOKEN})")
    if sqlite:
        bump = f"UPDATE cache_signals SET token = {_SQLITE_TOKEN} WHERE name = 'security';"
        for table, columns in GUARDED.items():
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            for suffix, when in (("ai", "INSERT"), ("au", update), ("ad", "DELETE")):
                op.execute(f"CREATE TRIGGER {table}_signal_{suffix} AFTER {when} ON {table} BEGIN {bump} END")
        return
    op.execute(f"""CREATE FUNCTION crm_security_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_signals SET token = {_PG_TOKEN} WHERE name = 'security';
    RETURN NULL;
END $$""")
    for table, columns in GUARDED.items():
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        # Per statement: a bulk change replaces the token once; TRUNCATE (test resets) counts too.
        op.execute(f"CREATE TRIGGER {table}_signal AFTER INSERT OR DELETE OR TRUNCATE OR {update} ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION crm_security_changed()")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in GUARDED:
        if sqlite:
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_signal_{suffix}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_signal ON {table}")
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS crm_security_changed()")
    op.drop_table('cache_signals')
