"""customer management: leads, contacts, follow-ups, pools, custom fields, dictionary, views, attachments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 09:10:46.599778
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import crm_desktop.models.base
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('custom_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('unique', sa.Boolean(), nullable=False),
    sa.Column('default', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('help_text', sa.Text(), nullable=False),
    sa.Column('dictionary', sa.String(length=60), nullable=True),
    sa.Column('import_aliases', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('created_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_fields')),
    sa.UniqueConstraint('entity', 'key', name=op.f('uq_custom_fields_entity_key'))
    )
    op.create_table('dictionary_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dictionary', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dictionary_items')),
    sa.UniqueConstraint('dictionary', 'value', name=op.f('uq_dictionary_items_dictionary_value'))
    )
    with op.batch_alter_table('dictionary_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dictionary_items_dictionary'), ['dictionary'], unique=False)

    op.create_table('pools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('daily_claim_limit', sa.Integer(), nullable=False),
    sa.Column('owned_cap', sa.Integer(), nullable=False),
    sa.Column('reclaim_cooldown_days', sa.Integer(), nullable=False),
    sa.Column('exempt_deals', sa.Boolean(), nullable=False),
    sa.Column('remind_days', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pools')),
    sa.UniqueConstraint('name', name=op.f('uq_pools_name'))
    )
    op.create_table('field_permissions',
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('access', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_field_permissions_role_id_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('role_id', 'entity', 'field', name=op.f('pk_field_permissions'))
    )
    op.create_table('pool_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('levels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['pools.id'], name=op.f('fk_pool_rules_pool_id_pools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_rules'))
    )
    with op.batch_alter_table('pool_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_rules_pool_id'), ['pool_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_entity_record', ['entity', 'record_id'], unique=False)

    op.create_table('column_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('columns', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_column_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'entity', name=op.f('pk_column_preferences'))
    )
    op.create_table('followups',
    sa.Column('target_entity', sa.String(length=50), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('followed_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_contact_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('custom', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_followups_creator_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_followups_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_followups_owner_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followups'))
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followups_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_followups_target', ['target_entity', 'target_id', 'followed_at'], unique=False)

    op.create_table('pool_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_pool_members_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pool_id'], ['pools.id'], name=op.f('fk_pool_members_pool_id_pools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pool_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_members'))
    )
    with op.batch_alter_table('pool_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_members_pool_id'), ['pool_id'], unique=False)

    op.create_table('saved_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('filter', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sort', sa.String(length=100), nullable=False),
    sa.Column('descending', sa.Boolean(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_views_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_views'))
    )
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_views_user_id'), ['user_id'], unique=False)

    op.create_table('stars',
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stars_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entity', 'record_id', 'user_id', name=op.f('pk_stars'))
    )
    with op.batch_alter_table('stars', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stars_user_id'), ['user_id'], unique=False)

    op.create_table('attachment_blobs',
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_attachment_blobs_attachment_id_attachments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_attachment_blobs'))
    )
    op.create_table('contacts',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=10), nullable=False),
    sa.Column('position', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('mobile', sa.String(length=50), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('wechat', sa.String(length=100), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('decision_maker', sa.Boolean(), nullable=False),
    sa.Column('birthday', sa.Date(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('remark', sa.Text(), nullable=False),
    sa.Column('last_followup_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_followup_content', sa.Text(), nullable=False),
    sa.Column('next_contact_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('custom', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_contacts_creator_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contacts_customer_id_customers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_contacts_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_contacts_owner_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_contacts_owner_updated', ['owner_id', 'updated_at'], unique=False)

    op.create_table('leads',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('mobile', sa.String(length=50), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('industry', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('province', sa.String(length=50), nullable=False),
    sa.Column('city', sa.String(length=50), nullable=False),
    sa.Column('district', sa.String(length=50), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('remark', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('invalid_reason', sa.Text(), nullable=False),
    sa.Column('converted_customer_id', sa.Integer(), nullable=True),
    sa.Column('converted_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_followup_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_followup_content', sa.Text(), nullable=False),
    sa.Column('next_contact_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('custom', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['converted_customer_id'], ['customers.id'], name=op.f('fk_leads_converted_customer_id_customers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_leads_creator_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_leads_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_leads_owner_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leads'))
    )
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leads_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_leads_owner_updated', ['owner_id', 'updated_at'], unique=False)

    op.create_table('pool_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_pool_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_pool_events_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pool_id'], ['pools.id'], name=op.f('fk_pool_events_pool_id_pools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pool_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_events'))
    )
    with op.batch_alter_table('pool_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_events_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_pool_events_user_at', ['user_id', 'kind', 'at'], unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('email', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('website', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('credit_code', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('province', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('city', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('district', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('deal_status', sa.String(length=20), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('last_deal_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('pool_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pooled_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('previous_owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('normalized_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_followup_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_followup_content', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('next_contact_at', crm_desktop.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('owner_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_customers_normalized_name'), ['normalized_name'], unique=False)
        batch_op.create_index('ix_customers_owner_updated', ['owner_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index('ix_customers_updated_at', ['updated_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_customers_pool_id_pools'), 'pools', ['pool_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_customers_previous_owner_id_users'), 'users', ['previous_owner_id'], ['id'], ondelete='SET NULL')

    


def downgrade() -> None:
    
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_customers_previous_owner_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_customers_pool_id_pools'), type_='foreignkey')
        batch_op.drop_index('ix_customers_updated_at')
        batch_op.drop_index(batch_op.f('ix_customers_pool_id'))
        batch_op.drop_index('ix_customers_owner_updated')
        batch_op.drop_index(batch_op.f('ix_customers_normalized_name'))
        batch_op.alter_column('owner_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('next_contact_at')
        batch_op.drop_column('last_followup_content')
        batch_op.drop_column('last_followup_at')
        batch_op.drop_column('normalized_name')
        batch_op.drop_column('previous_owner_id')
        batch_op.drop_column('pooled_at')
        batch_op.drop_column('pool_id')
        batch_op.drop_column('locked')
        batch_op.drop_column('last_deal_at')
        batch_op.drop_column('deal_status')
        batch_op.drop_column('district')
        batch_op.drop_column('city')
        batch_op.drop_column('province')
        batch_op.drop_column('source')
        batch_op.drop_column('credit_code')
        batch_op.drop_column('website')
        batch_op.drop_column('email')
        batch_op.drop_column('mobile')

    with op.batch_alter_table('pool_events', schema=None) as batch_op:
        batch_op.drop_index('ix_pool_events_user_at')
        batch_op.drop_index(batch_op.f('ix_pool_events_customer_id'))

    op.drop_table('pool_events')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_owner_updated')
        batch_op.drop_index(batch_op.f('ix_leads_owner_id'))
        batch_op.drop_index(batch_op.f('ix_leads_name'))
        batch_op.drop_index(batch_op.f('ix_leads_deleted_at'))

    op.drop_table('leads')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_owner_updated')
        batch_op.drop_index(batch_op.f('ix_contacts_owner_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_name'))
        batch_op.drop_index(batch_op.f('ix_contacts_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))

    op.drop_table('contacts')
    op.drop_table('attachment_blobs')
    with op.batch_alter_table('stars', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stars_user_id'))

    op.drop_table('stars')
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_views_user_id'))

    op.drop_table('saved_views')
    with op.batch_alter_table('pool_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_members_pool_id'))

    op.drop_table('pool_members')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index('ix_followups_target')
        batch_op.drop_index(batch_op.f('ix_followups_owner_id'))
        batch_op.drop_index(batch_op.f('ix_followups_deleted_at'))

    op.drop_table('followups')
    op.drop_table('column_preferences')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_entity_record')

    op.drop_table('attachments')
    with op.batch_alter_table('pool_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_rules_pool_id'))

    op.drop_table('pool_rules')
    op.drop_table('field_permissions')
    op.drop_table('pools')
    with op.batch_alter_table('dictionary_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dictionary_items_dictionary'))

    op.drop_table('dictionary_items')
    op.drop_table('custom_fields')
    
