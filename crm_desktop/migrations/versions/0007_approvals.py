"""approvals: flows, instances, tasks, history; customers' approval status

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 15:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import crm_desktop.models.base
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
UTC = crm_desktop.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('approval_flows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('binding', sa.String(length=20), nullable=False),
    sa.Column('status_field', sa.String(length=100), nullable=True),
    sa.Column('from_status', JSON, nullable=True),
    sa.Column('to_status', JSON, nullable=True),
    sa.Column('form', JSON, nullable=False),
    sa.Column('branches', JSON, nullable=False),
    sa.Column('resubmit_from', sa.String(length=20), nullable=False),
    sa.Column('no_approver', sa.String(length=20), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['users.id'], name=op.f('fk_approval_flows_admin_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_flows'))
    )
    with op.batch_alter_table('approval_flows', schema=None) as batch_op:
        batch_op.create_index('ix_approval_flows_entity_binding', ['entity', 'binding', 'enabled'], unique=False)

    op.create_table('approval_instances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flow_id', sa.Integer(), nullable=True),
    sa.Column('flow_name', sa.String(length=200), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('record_name', sa.String(length=200), nullable=False),
    sa.Column('submitter_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('target', JSON, nullable=False),
    sa.Column('form_data', JSON, nullable=False),
    sa.Column('branch', JSON, nullable=False),
    sa.Column('picks', JSON, nullable=False),
    sa.Column('node_index', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.Column('finished_at', UTC, nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['flow_id'], ['approval_flows.id'], name=op.f('fk_approval_instances_flow_id_approval_flows'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitter_id'], ['users.id'], name=op.f('fk_approval_instances_submitter_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_instances'))
    )
    with op.batch_alter_table('approval_instances', schema=None) as batch_op:
        batch_op.create_index('ix_approval_instances_record', ['entity', 'record_id'], unique=False)
        batch_op.create_index('ix_approval_instances_submitter', ['submitter_id', 'status'], unique=False)

    op.create_table('approval_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('node_index', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('decided_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_approval_tasks_approver_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['instance_id'], ['approval_instances.id'], name=op.f('fk_approval_tasks_instance_id_approval_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_tasks'))
    )
    with op.batch_alter_table('approval_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_approval_tasks_approver_state', ['approver_id', 'state'], unique=False)
        batch_op.create_index('ix_approval_tasks_instance', ['instance_id', 'round', 'node_index'], unique=False)

    op.create_table('approval_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('node_index', sa.Integer(), nullable=True),
    sa.Column('node_name', sa.String(length=200), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_approval_log_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instance_id'], ['approval_instances.id'], name=op.f('fk_approval_log_instance_id_approval_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_log'))
    )
    with op.batch_alter_table('approval_log', schema=None) as batch_op:
        batch_op.create_index('ix_approval_log_instance', ['instance_id', 'id'], unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_status', sa.String(length=20), nullable=False, server_default=''))
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('params')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('approval_status')
    op.drop_table('approval_log')
    op.drop_table('approval_tasks')
    op.drop_table('approval_instances')
    op.drop_table('approval_flows')
