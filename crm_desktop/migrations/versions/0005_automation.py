"""automation: trigger rules, their run log, messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import crm_desktop.models.base
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('automation_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('from_value', JSON, nullable=True),
    sa.Column('to_value', JSON, nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('condition', JSON, nullable=False),
    sa.Column('actions', JSON, nullable=False),
    sa.Column('revision', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_automation_rules_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_automation_rules'))
    )
    with op.batch_alter_table('automation_rules', schema=None) as batch_op:
        batch_op.create_index('ix_automation_rules_entity_enabled', ['entity', 'enabled', 'sort_order'], unique=False)

    op.create_table('automation_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('rule_name', sa.String(length=200), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['automation_rules.id'], name=op.f('fk_automation_runs_rule_id_automation_rules'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_automation_runs'))
    )
    with op.batch_alter_table('automation_runs', schema=None) as batch_op:
        batch_op.create_index('ix_automation_runs_record', ['entity', 'record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_automation_runs_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_automation_runs_at'), ['at'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('read', sa.Boolean(), nullable=False),
    sa.Column('created_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_messages_recipient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_recipient_read', ['recipient_id', 'read'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_recipient_read')
    op.drop_table('messages')
    with op.batch_alter_table('automation_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_automation_runs_at'))
        batch_op.drop_index(batch_op.f('ix_automation_runs_rule_id'))
        batch_op.drop_index('ix_automation_runs_record')
    op.drop_table('automation_runs')
    with op.batch_alter_table('automation_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_automation_rules_entity_enabled')
    op.drop_table('automation_rules')
