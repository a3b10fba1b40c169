"""speed: indexes for pruning old browser sessions

Revision ID: 0011_speed
Revises: 0010_web
Create Date: 2026-12-02

"""
from alembic import op


revision = '0011_speed'
down_revision = '0010_web'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        # sessions.prune deletes by these two columns.
        batch_op.create_index(batch_op.f('ix_login_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_sessions_ended_at'), ['ended_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_ended_at'))
        batch_op.drop_index(batch_op.f('ix_login_sessions_expires_at'))
