"""work logs (日志) with comments; the schedule's owner index also carries repeat_end, so a
team's calendar window is tested on the index rather than on each row (issue 16)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 14:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crm_desktop.models.base

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_WHEN = crm_desktop.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('work_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('done_text', sa.Text(), nullable=False),
    sa.Column('plan_text', sa.Text(), nullable=False),
    sa.Column('created_at', _WHEN, nullable=False),
    sa.Column('updated_at', _WHEN, nullable=False),
    sa.Column('deleted_at', _WHEN, nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_work_logs_author_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_logs'))
    )
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.create_index('ix_work_logs_author_day', ['author_id', 'day'], unique=False)

    op.create_table('work_log_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', _WHEN, nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_work_log_comments_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['log_id'], ['work_logs.id'], name=op.f('fk_work_log_comments_log_id_work_logs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_log_comments'))
    )
    with op.batch_alter_table('work_log_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_log_comments_log_id'), ['log_id'], unique=False)

    with op.batch_alter_table('schedule_events', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_events_owner_start')
        batch_op.create_index('ix_schedule_events_owner_start', ['owner_id', 'start_at', 'repeat_end'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('schedule_events', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_events_owner_start')
        batch_op.create_index('ix_schedule_events_owner_start', ['owner_id', 'start_at'], unique=False)
    with op.batch_alter_table('work_log_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_log_comments_log_id'))
    op.drop_table('work_log_comments')
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_work_logs_author_day')
    op.drop_table('work_logs')
