"""portfolio: artifacts, versions, tags, showcases, share links

Competency tags keep a string reference (competency_ref): the assessment
tables are created by a later migration, so no foreign key to them here.

Revision ID: 0002_portfolio
Revises: 0001_core
Create Date: 2026-11-23 09:19:32.409346

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_portfolio'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('artifacts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('reflection', sa.Text(), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('file', 'link')", name=op.f('ck_artifacts_kind')),
    sa.CheckConstraint("visibility IN ('private', 'teachers', 'link', 'public')", name=op.f('ck_artifacts_visibility')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_artifacts_organization_id_organizations')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_artifacts_owner_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_artifacts'))
    )
    with op.batch_alter_table('artifacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_artifacts_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_artifacts_owner_id'), ['owner_id'], unique=False)

    op.create_table('showcases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("visibility IN ('private', 'teachers', 'link', 'public')", name=op.f('ck_showcases_visibility')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_showcases_organization_id_organizations')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_showcases_owner_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_showcases'))
    )
    with op.batch_alter_table('showcases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_showcases_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_showcases_owner_id'), ['owner_id'], unique=False)

    op.create_table('artifact_competency_tags',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('artifact_id', sa.Uuid(), nullable=False),
    sa.Column('competency_ref', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifacts.id'], name=op.f('fk_artifact_competency_tags_artifact_id_artifacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_artifact_competency_tags')),
    sa.UniqueConstraint('artifact_id', 'competency_ref', name=op.f('uq_artifact_competency_tags_artifact_id'))
    )
    with op.batch_alter_table('artifact_competency_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_artifact_competency_tags_artifact_id'), ['artifact_id'], unique=False)

    op.create_table('artifact_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('artifact_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('blob_digest', sa.String(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('mime_type', sa.String(length=120), nullable=True),
    sa.Column('active_content', sa.Boolean(), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifacts.id'], name=op.f('fk_artifact_versions_artifact_id_artifacts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_artifact_versions_created_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_artifact_versions')),
    sa.UniqueConstraint('artifact_id', 'number', name=op.f('uq_artifact_versions_artifact_id'))
    )
    with op.batch_alter_table('artifact_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_artifact_versions_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_artifact_versions_blob_digest'), ['blob_digest'], unique=False)

    op.create_table('share_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('artifact_id', sa.Uuid(), nullable=True),
    sa.Column('showcase_id', sa.Uuid(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(artifact_id IS NULL) <> (showcase_id IS NULL)', name=op.f('ck_share_links_one_target')),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifacts.id'], name=op.f('fk_share_links_artifact_id_artifacts')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_share_links_organization_id_organizations')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_share_links_owner_id_people')),
    sa.ForeignKeyConstraint(['showcase_id'], ['showcases.id'], name=op.f('fk_share_links_showcase_id_showcases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_share_links_token_hash'))
    )
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_links_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_links_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_links_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_links_showcase_id'), ['showcase_id'], unique=False)

    op.create_table('showcase_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('showcase_id', sa.Uuid(), nullable=False),
    sa.Column('artifact_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifacts.id'], name=op.f('fk_showcase_items_artifact_id_artifacts')),
    sa.ForeignKeyConstraint(['showcase_id'], ['showcases.id'], name=op.f('fk_showcase_items_showcase_id_showcases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_showcase_items')),
    sa.UniqueConstraint('showcase_id', 'artifact_id', name=op.f('uq_showcase_items_showcase_id'))
    )
    with op.batch_alter_table('showcase_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_showcase_items_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_showcase_items_showcase_id'), ['showcase_id'], unique=False)

    create_locked_version_triggers()


def downgrade():
    drop_locked_version_triggers()
    with op.batch_alter_table('showcase_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_showcase_items_showcase_id'))
        batch_op.drop_index(batch_op.f('ix_showcase_items_artifact_id'))

    op.drop_table('showcase_items')
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_links_showcase_id'))
        batch_op.drop_index(batch_op.f('ix_share_links_owner_id'))
        batch_op.drop_index(batch_op.f('ix_share_links_organization_id'))
        batch_op.drop_index(batch_op.f('ix_share_links_artifact_id'))

    op.drop_table('share_links')
    with op.batch_alter_table('artifact_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_artifact_versions_blob_digest'))
        batch_op.drop_index(batch_op.f('ix_artifact_versions_artifact_id'))

    op.drop_table('artifact_versions')
    with op.batch_alter_table('artifact_competency_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_artifact_competency_tags_artifact_id'))

    op.drop_table('artifact_competency_tags')
    with op.batch_alter_table('showcases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_showcases_owner_id'))
        batch_op.drop_index(batch_op.f('ix_showcases_organization_id'))

    op.drop_table('showcases')
    with op.batch_alter_table('artifacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_artifacts_owner_id'))
        batch_op.drop_index(batch_op.f('ix_artifacts_organization_id'))

    op.drop_table('artifacts')


# A locked version is evidence behind a score or a credential: the database
# itself refuses to change or delete it (the ORM refuses too, with a clearer
# error). Note: a future SQLite batch_alter_table on artifact_versions
# recreates the table and must recreate these triggers.
def create_locked_version_triggers():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("""
            CREATE FUNCTION artifact_versions_locked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.locked_at IS NOT NULL THEN
                RAISE EXCEPTION 'artifact version is locked as evidence';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END $$""")
        op.execute("""
            CREATE TRIGGER artifact_versions_locked BEFORE UPDATE OR DELETE ON artifact_versions
            FOR EACH ROW EXECUTE FUNCTION artifact_versions_locked()""")
    elif dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER artifact_versions_locked_no_{event.lower()} BEFORE {event} ON artifact_versions
                WHEN OLD.locked_at IS NOT NULL
                BEGIN SELECT RAISE(ABORT, 'artifact version is locked as evidence'); END""")


def drop_locked_version_triggers():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS artifact_versions_locked ON artifact_versions")
        op.execute("DROP FUNCTION IF EXISTS artifact_versions_locked()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS artifact_versions_locked_no_update")
        op.execute("DROP TRIGGER IF EXISTS artifact_versions_locked_no_delete")
