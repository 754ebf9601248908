"""sales targets (业绩目标) and the dashboard's covering indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 04:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_contracts_dash", "contracts", ["order_date", "owner_id", "approval_status", "amount"]),
    ("ix_payments_dash", "payments", ["paid_date", "owner_id", "approval_status", "amount"]),
    ("ix_opportunities_dash", "opportunities", ["created_at", "owner_id", "status", "stage_id", "amount"]),
    ("ix_customers_created_owner", "customers", ["created_at", "owner_id"]),
    ("ix_followups_dash", "followups", ["followed_at", "owner_id"]),
    ("ix_customers_last_followup", "customers", ["last_followup_at", "owner_id"]),
)


def upgrade() -> None:
    op.create_table(
        'sales_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_targets')),
        sa.UniqueConstraint('subject', 'subject_id', 'year', 'kind', 'month',
                            name=op.f('uq_sales_targets_subject_subject_id_year_kind_month')),
    )
    op.create_index('ix_sales_targets_year_kind', 'sales_targets', ['year', 'kind'])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index('ix_sales_targets_year_kind', table_name='sales_targets')
    op.drop_table('sales_targets')
