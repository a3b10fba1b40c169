"""speed: stored mastery states, and indexes for the filters and joins of pages and lists

`mastery_states` holds each student's current mastery of each competency and
`mastery_intervals` the spans when it was mastered
(service/assessment/mastery_store.py keeps them current); an organization is
built on first read when `mastery_state_builds` has no row for it, so
existing data needs no backfill here.

Revision ID: 0008_speed
Revises: 0007_structure
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_speed'
down_revision = '0007_structure'
branch_labels = None
depends_on = None

# (table, index name, columns): filters and joins of the pages and API lists (issue 15).
INDEXES = [
    ('awards', 'ix_awards_org_created', ['organization_id', 'created_at']),
]


def upgrade():
    op.create_table('mastery_states',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('competency_id', sa.Uuid(), nullable=False),
    sa.Column('level', sa.Float(), nullable=False),
    sa.Column('mastered', sa.Boolean(), nullable=False),
    sa.Column('evidence_count', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('evidence_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_mastery_states_competency_id_competencies')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_mastery_states_organization_id_organizations')),
    sa.ForeignKeyConstraint(['student_id'], ['people.id'], name=op.f('fk_mastery_states_student_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mastery_states')),
    sa.UniqueConstraint('student_id', 'competency_id', name=op.f('uq_mastery_states_student_id'))
    )
    with op.batch_alter_table('mastery_states', schema=None) as batch_op:
        batch_op.create_index('ix_mastery_states_org_competency', ['organization_id', 'competency_id'], unique=False)
    op.create_table('mastery_intervals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('competency_id', sa.Uuid(), nullable=False),
    sa.Column('mastered_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('mastered_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_mastery_intervals_competency_id_competencies')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_mastery_intervals_organization_id_organizations')),
    sa.ForeignKeyConstraint(['student_id'], ['people.id'], name=op.f('fk_mastery_intervals_student_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mastery_intervals'))
    )
    with op.batch_alter_table('mastery_intervals', schema=None) as batch_op:
        batch_op.create_index('ix_mastery_intervals_student_competency', ['student_id', 'competency_id'], unique=False)
        batch_op.create_index('ix_mastery_intervals_org_first', ['organization_id', 'first', 'mastered_from'], unique=False)
    op.create_table('mastery_state_builds',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_mastery_state_builds_organization_id_organizations')),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_mastery_state_builds'))
    )
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table('mastery_state_builds')
    with op.batch_alter_table('mastery_intervals', schema=None) as batch_op:
        batch_op.drop_index('ix_mastery_intervals_org_first')
        batch_op.drop_index('ix_mastery_intervals_student_competency')
    op.drop_table('mastery_intervals')
    with op.batch_alter_table('mastery_states', schema=None) as batch_op:
        batch_op.drop_index('ix_mastery_states_org_competency')
    op.drop_table('mastery_states')
