"""automation events: date-reached rules, round-robin pointer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 14:10:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import crm_desktop.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('automation_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_field', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('offset_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_checked_at', crm_desktop.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('round_robin_last_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('automation_rules', schema=None) as batch_op:
        batch_op.drop_column('round_robin_last_id')
        batch_op.drop_column('last_checked_at')
        batch_op.drop_column('offset_days')
        batch_op.drop_column('date_field')
