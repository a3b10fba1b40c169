"""web: mail opt-out per kind of notification

Revision ID: 0011_web
Revises: 0011_speed
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_web'
down_revision = '0011_speed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_muted_kinds', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('notification_settings', schema=None) as batch_op:
        batch_op.drop_column('email_muted_kinds')
