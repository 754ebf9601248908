"""login_failures: an unknown mobile number locks like a known one

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 07:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crm_desktop.models.base

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_WHEN = crm_desktop.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('mobile_digest', sa.String(length=64), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', _WHEN, nullable=True),
    sa.Column('last_failed_at', _WHEN, nullable=False),
    sa.PrimaryKeyConstraint('mobile_digest', name=op.f('pk_login_failures'))
    )


def downgrade() -> None:
    op.drop_table('login_failures')
