"""links: foreign keys from assessment to badges (submissions and plan goals)

The assessment tables (0003) came before badge_classes (0004), so their
badge_class_id columns were plain UUIDs. References to badge classes that do
not exist are cleared first: they point at nothing, and PostgreSQL would
refuse the constraint.

Revision ID: 0005_links
Revises: 0004_badges
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_links'
down_revision = '0004_badges'
branch_labels = None
depends_on = None

TABLES = ('plan_goals', 'submissions')


def upgrade():
    for table in TABLES:
        op.execute(sa.text(f"UPDATE {table} SET badge_class_id = NULL WHERE badge_class_id IS NOT NULL "
                           "AND badge_class_id NOT IN (SELECT id FROM badge_classes)"))
        # Batch mode: SQLite cannot add a constraint in place (the table is rebuilt).
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_badge_class_id_badge_classes'), 'badge_classes',
                                        ['badge_class_id'], ['id'])


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_badge_class_id_badge_classes'), type_='foreignkey')
