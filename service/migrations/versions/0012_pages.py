"""pages: a counter per organization for kept page fragments

Revision ID: 0012_pages
Revises: 0011_web
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_pages'
down_revision = '0011_web'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_generations',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_page_generations_organization_id_organizations')),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_page_generations'))
    )
    # Every existing organization gets its counter (an organization without one is never cached).
    op.execute("INSERT INTO page_generations (organization_id, generation) SELECT id, 0 FROM organizations")


def downgrade():
    op.drop_table('page_generations')
