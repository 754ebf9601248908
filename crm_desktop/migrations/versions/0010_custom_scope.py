"""custom data scope (自定义): the departments a role's custom scope covers, per module

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

#: The actor is built from these rows too: every change replaces the security token, as
#: migration 0009 does for the other grant tables (same trigger names and function).
GUARDED: dict[str, tuple[str, ...] | None] = {
    "role_scope_departments": None,
}

_SQLITE_TOKEN = "lower(hex(randomblob(16)))"


def upgrade() -> None:
    op.create_table(
        'role_scope_departments',
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('module', sa.String(length=50), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_role_scope_departments_department_id_departments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['role_id', 'module'], ['role_data_scopes.role_id', 'role_data_scopes.module'],
                                name=op.f('fk_role_scope_departments_role_id_role_data_scopes'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('role_id', 'module', 'department_id', name=op.f('pk_role_scope_departments')),
    )
    with op.batch_alter_table('role_scope_departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_scope_departments_department_id'), ['department_id'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        bump = f"UPDATE cache_signals SET token = {_SQLITE_TOKEN} WHERE name = 'security';"
        for table in GUARDED:
            for suffix, when in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE")):
                op.execute(f"CREATE TRIGGER {table}_signal_{suffix} AFTER {when} ON {table} BEGIN {bump} END")
        return
    for table in GUARDED:
        # crm_security_changed() comes from 0009; per statement, TRUNCATE counts too.
        op.execute(f"CREATE TRIGGER {table}_signal AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION crm_security_changed()")


def downgrade() -> None:
    # Custom scopes lose their departments: such a role falls back to its users' own records.
    op.execute("UPDATE role_data_scopes SET scope = 'self' WHERE scope = 'custom'")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in GUARDED:
        if sqlite:
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_signal_{suffix}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_signal ON {table}")
    with op.batch_alter_table('role_scope_departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_scope_departments_department_id'))
    op.drop_table('role_scope_departments')
