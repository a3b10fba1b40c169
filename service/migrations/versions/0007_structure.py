"""structure: blob holds (uploads in flight keep shared blobs from deletion)

Revision ID: 0007_structure
Revises: 0006_hardening
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_structure'
down_revision = '0006_hardening'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blob_holds',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blob_holds'))
    )
    with op.batch_alter_table('blob_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blob_holds_digest'), ['digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_blob_holds_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('blob_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blob_holds_expires_at'))
        batch_op.drop_index(batch_op.f('ix_blob_holds_digest'))
    op.drop_table('blob_holds')
