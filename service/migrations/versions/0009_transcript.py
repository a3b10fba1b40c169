"""transcript: credit policies, school profiles, transcripts, share links, admission requirement sets; course level

Revision ID: 0009_transcript
Revises: 0008_speed
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_transcript'
down_revision = '0008_speed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), nullable=False, server_default='standard'))
    op.create_table(
        'credit_policies',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_credit_policies_organization_id_organizations')),
        sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_credit_policies_created_by_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_policies')),
        sa.UniqueConstraint('organization_id', 'version', name=op.f('uq_credit_policies_organization_id')),
    )
    op.create_index(op.f('ix_credit_policies_organization_id'), 'credit_policies', ['organization_id'])
    op.create_table(
        'school_profiles',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('address', sa.Text(), nullable=True),
        sa.Column('school_code', sa.String(length=32), nullable=True),
        sa.Column('accreditation', sa.Text(), nullable=True),
        sa.Column('contact', sa.Text(), nullable=True),
        sa.Column('size', sa.String(length=200), nullable=True),
        sa.Column('grading', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_school_profiles_organization_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_school_profiles')),
        sa.UniqueConstraint('organization_id', name=op.f('uq_school_profiles_organization_id')),
    )
    op.create_table(
        'transcripts',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('student_id', sa.Uuid(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_by_id', sa.Uuid(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('request_note', sa.Text(), nullable=True),
        sa.Column('reviewed_by_id', sa.Uuid(), nullable=True),
        sa.Column('policy_id', sa.Uuid(), nullable=True),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('record', sa.JSON(), nullable=True),
        sa.Column('credential', sa.JSON(), nullable=True),
        sa.Column('credential_jwt', sa.Text(), nullable=True),
        sa.Column('status_list_id', sa.Uuid(), nullable=True),
        sa.Column('status_index', sa.Integer(), nullable=True),
        sa.Column('status_reason', sa.Text(), nullable=True),
        sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_transcripts_organization_id_organizations')),
        sa.ForeignKeyConstraint(['student_id'], ['people.id'], name=op.f('fk_transcripts_student_id_people')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['people.id'], name=op.f('fk_transcripts_requested_by_id_people')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['people.id'], name=op.f('fk_transcripts_reviewed_by_id_people')),
        sa.ForeignKeyConstraint(['policy_id'], ['credit_policies.id'], name=op.f('fk_transcripts_policy_id_credit_policies')),
        sa.ForeignKeyConstraint(['status_list_id'], ['status_lists.id'],
                                name=op.f('fk_transcripts_status_list_id_status_lists')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transcripts')),
        sa.UniqueConstraint('status_list_id', 'status_index', name=op.f('uq_transcripts_status_list_id')),
    )
    op.create_index(op.f('ix_transcripts_organization_id'), 'transcripts', ['organization_id'])
    op.create_index(op.f('ix_transcripts_student_id'), 'transcripts', ['student_id'])
    op.create_index(op.f('ix_transcripts_status'), 'transcripts', ['status'])
    op.create_table(
        'transcript_shares',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('transcript_id', sa.Uuid(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'],
                                name=op.f('fk_transcript_shares_transcript_id_transcripts')),
        sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_transcript_shares_created_by_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transcript_shares')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_transcript_shares_token_hash')),
    )
    op.create_index(op.f('ix_transcript_shares_transcript_id'), 'transcript_shares', ['transcript_id'])
    op.create_table(
        'admission_requirement_sets',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('requirements', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_admission_requirement_sets_organization_id_organizations')),
        sa.ForeignKeyConstraint(['created_by_id'], ['people.id'],
                                name=op.f('fk_admission_requirement_sets_created_by_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_requirement_sets')),
    )
    op.create_index(op.f('ix_admission_requirement_sets_organization_id'), 'admission_requirement_sets',
                    ['organization_id'])


def downgrade():
    op.drop_index(op.f('ix_admission_requirement_sets_organization_id'), table_name='admission_requirement_sets')
    op.drop_table('admission_requirement_sets')
    op.drop_index(op.f('ix_transcript_shares_transcript_id'), table_name='transcript_shares')
    op.drop_table('transcript_shares')
    for name in ('status', 'student_id', 'organization_id'):
        op.drop_index(op.f(f'ix_transcripts_{name}'), table_name='transcripts')
    op.drop_table('transcripts')
    op.drop_table('school_profiles')
    op.drop_index(op.f('ix_credit_policies_organization_id'), table_name='credit_policies')
    op.drop_table('credit_policies')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('level')
