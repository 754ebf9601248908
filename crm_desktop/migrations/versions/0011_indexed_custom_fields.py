"""indexed custom fields: a flag an administrator sets to have lists sort and filter a custom
field through an expression index (created and dropped by services/records/field_index.py);
the contract list's index carries the columns its scope and usual filters test

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE … ADD COLUMN, never a batch copy of the table: on SQLite a copy would
    # drop the table's cache-signal triggers (0009) and custom field changes would go unseen.
    op.add_column('custom_fields', sa.Column('indexed', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Newest first with the owner, execution status, amount and recycle mark beside the order:
    # a filtered contract list scans index entries and reads only the rows that pass (at a
    # million contracts, a search plus filter read ~70,000 rows for its first page).
    op.create_index('ix_contracts_list', 'contracts',
                    ['updated_at', 'id', 'owner_id', 'execution_status', 'amount', 'deleted_at'])
    op.drop_index('ix_contracts_updated_at', table_name='contracts')


def downgrade() -> None:
    op.create_index('ix_contracts_updated_at', 'contracts', ['updated_at'])
    op.drop_index('ix_contracts_list', table_name='contracts')
    op.drop_column('custom_fields', 'indexed')  # SQLite 3.35+: ALTER TABLE … DROP COLUMN
