"""web: notifications, notification settings, public status reasons, roster sourcedIds

Revision ID: 0010_web
Revises: 0009_transcript
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_web'
down_revision = '0009_transcript'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notifications',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('person_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('url', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_notifications_person_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_notifications_person_unread', ['person_id', 'read_at'], unique=False)
    op.create_table(
        'notification_settings',
        sa.Column('person_id', sa.Uuid(), nullable=False),
        sa.Column('email_enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_notification_settings_person_id_people')),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_notification_settings')),
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_reason_public', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    for table in ('courses', 'sections'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('sourced_id', sa.String(length=255), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_sourced_id'), ['sourced_id'], unique=False)


def downgrade():
    for table in ('sections', 'courses'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_sourced_id'))
            batch_op.drop_column('sourced_id')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_column('status_reason_public')
    op.drop_table('notification_settings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_person_unread')
        batch_op.drop_index(batch_op.f('ix_notifications_person_id'))
    op.drop_table('notifications')
