"""pages: a counter per organization for kept page fragments; awards by organization and status

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
    with op.batch_alter_table('awards', schema=None) as batch_op:
        # The admin's home counts valid and pending awards: from this index alone.
        batch_op.create_index('ix_awards_org_status', ['organization_id', 'status'], unique=False)
        # A student's valid badges and submissions by status (their home page): with only the
        # status index to choose, SQLite read every valid award or scored submission of the school.
        batch_op.create_index('ix_awards_recipient_status', ['recipient_id', 'status'], unique=False)
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_student_status', ['student_id', 'status'], unique=False)
        # The review queue and the teacher's home count: a teacher's sections' submitted work.
        batch_op.create_index('ix_submissions_section_status', ['section_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_section_status')
        batch_op.drop_index('ix_submissions_student_status')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index('ix_awards_recipient_status')
        batch_op.drop_index('ix_awards_org_status')
    op.drop_table('page_generations')
