"""mastery: the reports' pace query reads the first mastered intervals from one covering index

Revision ID: 0013_mastery
Revises: 0012_pages
Create Date: 2026-12-02

"""
from alembic import op


revision = '0013_mastery'
down_revision = '0012_pages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mastery_intervals', schema=None) as batch_op:
        # The same leading columns plus the student and competency: the whole-school pace count
        # (first mastered per student and month) reads the index alone, never the table rows.
        batch_op.create_index('ix_mastery_intervals_org_first_cover',
                              ['organization_id', 'first', 'mastered_from', 'student_id', 'competency_id'],
                              unique=False)
        batch_op.drop_index('ix_mastery_intervals_org_first')


def downgrade():
    with op.batch_alter_table('mastery_intervals', schema=None) as batch_op:
        batch_op.create_index('ix_mastery_intervals_org_first', ['organization_id', 'first', 'mastered_from'],
                              unique=False)
        batch_op.drop_index('ix_mastery_intervals_org_first_cover')
